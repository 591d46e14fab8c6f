using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using JelouPS.Infrastructure;

namespace JelouPS.Commands
{
    /// <summary>New-JelouExternalSupport: creates the project's integration and receives its one-time signing secret.</summary>
    [Cmdlet(VerbsCommon.New, "JelouExternalSupport", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(ExternalSupportIntegration))]
    public sealed class NewJelouExternalSupportCommand : WebhookSettingsCmdletBase, IDynamicParameters
    {
        private readonly SecretVaultParameters _vault = new SecretVaultParameters();

        /// <summary>The public https URL Jelou will post events to.</summary>
        [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
        [SecureUri]
        [ValidateNotNull]
        public Uri WebhookUrl { get; set; } = null!;

        /// <summary>Overwrite a secret of the same name in the vault (by default an existing one stops the create).</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        public object GetDynamicParameters() => _vault;

        protected override void BeginProcessing()
        {
            base.BeginProcessing();
            Issuer = SecretIssuer.Open(this, _vault);
        }

        private protected override void ProcessProject(string projectId)
        {
            ExternalSupportSettings settings = Settings(WebhookUrl);
            if (!TryValidate(projectId, settings, creating: true)) return;
            SecretDestination? destination = Issuer!.Claim(projectId, Client.Options.BaseUri, overwrite: Force);
            if (destination is null) return;
            string action = $"Create the external-support integration posting to {WebhookUrl.GetLeftPart(UriPartial.Path)}"
                + (destination.Vault is null ? "" : $" and store its signing secret as {destination.Place}");
            if (!Approved(projectId, action)) return;
            Sending(projectId, settings);
            Issuer!.Issue(projectId, Client.Options.BaseUri, destination, (trace, token) => Client.CreateExternalSupportAsync(projectId, settings, trace, token, CallTimeout));
        }
    }

    /// <summary>Get-JelouExternalSupport: the project's integration, without its secret.</summary>
    [Cmdlet(VerbsCommon.Get, "JelouExternalSupport")]
    [OutputType(typeof(ExternalSupportIntegration))]
    public sealed class GetJelouExternalSupportCommand : ProjectCmdletBase
    {
        private protected override void ProcessProject(string projectId)
        {
            // No integration settles an earlier create or rotation whose outcome was unknown: it left none. One that exists
            // settles only what it predates (see JelouSession.Read): a create that took never delivered its secret, and a
            // rotation may have killed the kept one.
            Submit(projectId, (trace, token) => Client.GetExternalSupportAsync(projectId, trace, token, CallTimeout),
                integration =>
                {
                    foreach (UnknownOutcome unknown in JelouSession.Read(Client.Options.BaseUri, integration)) Warn(ErrorMapper.StillUnknown(unknown, integration));
                    WriteObject(JelouView.Shown(integration));
                },
                salvage: failure =>
                {
                    if (failure is JelouApiException { Kind: JelouErrorKind.NotFound, IsApiError: true }) JelouSession.Settled(Client.Options.BaseUri, projectId);
                    return projectId;
                });
        }
    }

    /// <summary>Set-JelouExternalSupport: changes only the settings given.</summary>
    [Cmdlet(VerbsCommon.Set, "JelouExternalSupport", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(ExternalSupportIntegration))]
    public sealed class SetJelouExternalSupportCommand : WebhookSettingsCmdletBase
    {
        /// <summary>The new public https URL for events; a blank value (a CSV row's empty cell) counts as not given.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [SecureUri(BlankIsNotGiven = true)]
        public Uri? WebhookUrl { get; set; }

        // Whether -AuthType was on the command line: a piped input binds it otherwise.
        private bool _authTypeGiven;

        protected override void BeginProcessing()
        {
            base.BeginProcessing();
            _authTypeGiven = MyInvocation.BoundParameters.ContainsKey(nameof(AuthType));
        }

        private protected override void ProcessProject(string projectId)
        {
            ExternalSupportSettings settings = Settings(WebhookUrl);
            // An integration as read (it carries its ApiBaseUri: Get-JelouExternalSupport's output, or an Export-Csv of it) binds
            // the auth type it had when read. Without a credential it is not sent, so the rest changes: a bearer one would be
            // refused without its credential, and a no_auth one from an older read would drop the credential set since. A CSV
            // row's auth type is a change asked for, and goes as it is (refused without its credential).
            if (!_authTypeGiven && ApiBaseUri != null && settings.Authorization is null && settings.AuthType is string piped)
            {
                Trace($"The AuthType {piped} of the integration piped for {projectId} is not sent: a piped integration's auth type is the one it had when read; to change it, give -AuthType (and -WebhookAuthorization).");
                settings.AuthType = null;
            }
            if (!TryValidate(projectId, settings, creating: false)) return;
            if (!Approved(projectId, $"Update the external-support integration ({Changes(settings)})")) return;
            Sending(projectId, settings);
            // Two rows of one project (a later one correcting an earlier one) reach Jelou in their order: the last one stays.
            Submit(projectId, (trace, token) => Client.UpdateExternalSupportAsync(projectId, settings, trace, token, CallTimeout), integration => WriteObject(JelouView.Shown(integration)),
                orderKey: projectId);
        }

        private static string Changes(ExternalSupportSettings settings)
        {
            var changes = new List<string>();
            if (settings.WebhookUrl != null) changes.Add($"webhook URL {settings.WebhookUrl.GetLeftPart(UriPartial.Path)}");
            if (settings.AuthType != null) changes.Add($"auth type {settings.AuthType}");
            if (settings.Authorization != null) changes.Add("webhook authorization");
            return string.Join(", ", changes);
        }
    }

    /// <summary>Remove-JelouExternalSupport: deletes the integration; Jelou stops sending events at once.</summary>
    [Cmdlet(VerbsCommon.Remove, "JelouExternalSupport", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
    [OutputType(typeof(void))]
    public sealed class RemoveJelouExternalSupportCommand : ProjectCmdletBase, IDynamicParameters
    {
        private readonly SecretVaultParameters _vault = new SecretVaultParameters();

        /// <summary>Delete without asking (for unattended runs); -WhatIf still only describes.</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        public object GetDynamicParameters() => _vault;

        protected override void BeginProcessing()
        {
            base.BeginProcessing();
            _vault.Open(this);
        }

        private protected override void ProcessProject(string projectId)
        {
            // A delete of a project named before (a CSV's repeated row) is decided once every input before it is done, as with
            // -ThrottleLimit 1.
            MakeRoom(settling: projectId);
            SecretSlot? slot = null;
            if (!TryValidate(projectId, () => slot = _vault.LocateToChange(projectId, Client.Options.BaseUri, findExisting: true))) return;
            Ownership ownership = slot?.Ownership ?? Ownership.None;
            if (ownership == Ownership.Other || ownership == Ownership.Unknown)
            {
                var refused = new InvalidOperationException(ownership == Ownership.Other
                    ? $"'{slot!.ExistingName}' in vault {slot.Vault.Display} is {slot.OtherOwner}: nothing was deleted."
                    : $"{slot!.Unclaimed}: nothing was deleted. -Force only answers the prompt.");
                WriteJelouError(refused, ErrorMapper.Create(ErrorMapper.SecretExists, refused, projectId, Item, ownership == Ownership.Other
                    ? "Give this project's -SecretName."
                    : $"If it is this project's secret, remove it yourself (Remove-Secret -Name {SecretIssuer.Quote(slot.ExistingName!)} -Vault {SecretIssuer.Quote(slot.Vault.Name)}) and run again without -SecretName; else give this project's -SecretName."));
                return;
            }
            // Once the integration is deleted, every stored copy of its secret is dead: all of the project's go.
            List<SecretSlot> stored = slot is null ? new List<SecretSlot>()
                : (ownership == Ownership.Own ? new[] { slot } : Array.Empty<SecretSlot>()).Concat(slot.Others).ToList();
            List<string> secrets = stored.ConvertAll(copy => copy.ExistingName!);

            string action = "Delete the external-support integration (Jelou stops sending events; a new integration gets a new signing secret)"
                + (secrets.Count > 0 ? $" and remove its signing secret {string.Join(", ", secrets.Select(name => $"'{name}'"))} from vault {slot!.Vault.Display}" : "");
            if (!Approved(projectId, action, Force)) return;
            // Without -Vault nothing is removed from a vault, and with it only from that one: where else this session stored
            // the project's secret is said instead (read now: the delete makes the session forget it).
            List<KeyValuePair<string, string>> elsewhere = JelouSession.StoredCopies(Client.Options.BaseUri, projectId, slot?.Vault.Name);
            JelouSession.Flight? flight = null;
            bool crossed = false;
            Submit(projectId, async (trace, token) =>
            {
                flight = JelouSession.Depart(Client.Options.BaseUri, projectId);
                try
                {
                    await Client.DeleteExternalSupportAsync(projectId, trace, token, CallTimeout).ConfigureAwait(false);
                }
                catch (JelouApiException ex) when (ex.AnsweredSuccess)
                {
                    // Jelou answered that it deleted it; only the rest of the answer was lost (cut, too slow): deleted, and
                    // the vault's copies go as after any delete.
                    trace?.Verbose($"Jelou answered {(int)ex.StatusCode!.Value} to the delete of {projectId}, and the rest of its answer was lost: the integration is deleted.");
                }
                catch (Exception ex)
                {
                    flight.End(acted: JelouSession.Flight.MayHaveActed(ex));
                    throw;
                }
                // Recorded on the call's own thread the moment it is done, as a secret is: a create that lands after it
                // must not be wiped when this call is settled later.
                crossed = JelouSession.Deleted(Client.Options.BaseUri, projectId, flight);
            }, () =>
            {
                // A create beside it that is refused (answered 409) crossed nothing: known once it ends.
                if (crossed)
                {
                    JelouSession.AwaitCrossing(flight!, CancelToken);
                    crossed = JelouSession.StillCrossed(Client.Options.BaseUri, projectId, flight!);
                }
                Deleted(projectId, slot, stored, crossed || JelouSession.ArrivedAfter(Client.Options.BaseUri, projectId, flight!.Ended), elsewhere);
            }, orderKey: projectId);
        }

        // crossed: the delete crossed a create or rotation of the project, or one landed after it: the vault is left alone.
        private void Deleted(string projectId, SecretSlot? slot, List<SecretSlot> stored, bool crossed, List<KeyValuePair<string, string>> elsewhere)
        {
            List<string> secrets = stored.ConvertAll(copy => copy.ExistingName!);
            Trace($"Deleted the external-support integration of {projectId}.");
            if (crossed)
            {
                // The vault's names may hold the secret of an integration created meanwhile: nothing is removed from them.
                Warn($"A create or rotation of {projectId} ran at about the same time as this delete (in another command or runspace): Jelou carried them out in an order this session " +
                    $"cannot know, so the project may have an integration again. Its secret, if one arrived, stays in ${JelouSession.UnsavedVariable}" +
                    (secrets.Count > 0 ? $", and vault {slot!.Vault.Display} keeps {string.Join(", ", secrets.Select(name => $"'{name}'"))}" : "") +
                    $". Check with Get-JelouExternalSupport {SecretIssuer.Quote(projectId)}." + SameContextNote);
                return;
            }
            foreach (KeyValuePair<string, string> copy in elsewhere)
            {
                Warn($"This session stored the signing secret of {projectId} as '{copy.Value}' in vault '{copy.Key}', and " + (slot is null ? "no -Vault was given" : "-Vault named another") +
                    $": it stays there, and no longer works. Remove it with Remove-Secret -Name {SecretIssuer.Quote(copy.Value)} -Vault {SecretIssuer.Quote(copy.Key)}" +
                    (slot is null ? " (next time, Remove-JelouExternalSupport -Vault removes it with the integration)." : "."));
            }
            if (slot is null) return;
            if (secrets.Count == 0)
            {
                Warn($"Vault {slot.Vault.Display} has no secret named '{slot.Name}': there was no stored signing secret of {projectId} to remove.");
                return;
            }
            var failures = new Dictionary<string, VaultException>();
            // The copies the re-read found to be another's now, each with why it stays.
            var leftInPlace = new Dictionary<string, string>();
            // With the project's store turn held: a store of the deleted integration's secret that checked it was the
            // latest before the delete landed (another runspace's) cannot be written after its name was cleared.
            using (JelouSession.StoreTurn(Client.Options.BaseUri, projectId, CancelToken))
            {
                foreach (SecretSlot copy in stored)
                {
                    try
                    {
                        // Gone already, nothing to do; another process may have stored a new integration's secret there
                        // meanwhile: that one stays.
                        SecretSlot? now = copy.Reread();
                        if (now is null) continue;
                        string name = copy.ExistingName!;
                        switch (copy.Compare(now))
                        {
                            case FoundAgain.AnotherProjects:
                                leftInPlace[name] = $"'{name}' in vault {slot.Vault.Display} now holds {now.OtherOwner}, stored there while the integration of {projectId} was deleted: another project's secret is never removed, so it was left in place.";
                                break;
                            case FoundAgain.ReplacedElsewhere:
                                leftInPlace[name] = $"'{name}' in vault {slot.Vault.Display} was replaced while the integration of {projectId} was deleted, and not by this session: another process stored a secret of the project there meanwhile (a new integration's, perhaps), so it was left in place. " +
                                    $"Check with Get-JelouExternalSupport {SecretIssuer.Quote(projectId)}." + SameContextNote;
                                break;
                            default:
                                slot.Vault.Remove(name);
                                break;
                        }
                    }
                    catch (VaultException ex)
                    {
                        failures[copy.ExistingName!] = ex;
                    }
                }
            }
            foreach (string name in secrets)
            {
                if (leftInPlace.TryGetValue(name, out string? why))
                {
                    Warn(why);
                    continue;
                }
                if (!failures.TryGetValue(name, out VaultException? failure))
                {
                    Trace($"Removed the signing secret '{name}' of {projectId} from vault {slot.Vault.Display}.");
                    continue;
                }
                Report(ErrorMapper.Create(ErrorMapper.VaultWriteFailed,
                    new InvalidOperationException($"The integration of {projectId} was deleted, but removing its signing secret '{name}' from vault {slot.Vault.Display} failed: {failure.Message}", failure.InnerException),
                    projectId, Item, $"The secret no longer works; remove it by hand: Remove-Secret -Name {SecretIssuer.Quote(name)} -Vault {SecretIssuer.Quote(slot.Vault.Name)}"));
            }
        }
    }

    /// <summary>Reset-JelouExternalSupportSecret: regenerates the signing secret; the old one stops working at once.</summary>
    [Cmdlet(VerbsCommon.Reset, "JelouExternalSupportSecret", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
    [OutputType(typeof(ExternalSupportIntegration))]
    public sealed class ResetJelouExternalSupportSecretCommand : ProjectCmdletBase, IDynamicParameters
    {
        private readonly SecretVaultParameters _vault = new SecretVaultParameters();

        /// <summary>Rotate without asking (for unattended runs); -WhatIf still only describes.</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        public object GetDynamicParameters() => _vault;

        protected override void BeginProcessing()
        {
            base.BeginProcessing();
            Issuer = SecretIssuer.Open(this, _vault);
        }

        private protected override void ProcessProject(string projectId)
        {
            SecretDestination? destination = Issuer!.Claim(projectId, Client.Options.BaseUri, overwrite: false, rotation: true);
            if (destination is null) return;
            string action = "Regenerate the signing secret (the current one stops working at once for events and replies)"
                + (destination.Vault is null ? "" : $" and replace {destination.Place}");
            if (!Approved(projectId, action, Force)) return;
            Issuer!.Issue(projectId, Client.Options.BaseUri, destination, (trace, token) => Client.RegenerateSigningSecretAsync(projectId, trace, token, CallTimeout));
        }
    }

    /// <summary>
    /// Save-JelouSigningSecret: stores the signing secret of integrations from the pipeline, or of every integration
    /// issued in this session whose secret is in no vault, with its metadata; the way back when a vault write failed.
    /// </summary>
    [Cmdlet(VerbsData.Save, "JelouSigningSecret", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(ExternalSupportIntegration))]
    public sealed class SaveJelouSigningSecretCommand : JelouCmdletBase, IDynamicParameters
    {
        private readonly SecretVaultParameters _vault = new SecretVaultParameters();
        private ExternalSupportIntegration? _current;

        // What this command stored of each project (per API): a project has one live secret, so a second is refused, unless
        // both are copies and the second was issued after the first (see IssuedAfter).
        private readonly Dictionary<string, ExternalSupportIntegration> _stored = new Dictionary<string, ExternalSupportIntegration>(StringComparer.Ordinal);

        // Whether copy was issued after first: a background job that created the integration, then rotated it, gives both
        // back from Receive-Job. A DateTimeOffset comes back as text to the second, so the two times are often equal: then
        // a rotation's is the later, as rotating follows creating. Equal otherwise, neither is.
        private static bool IssuedAfter(ExternalSupportIntegration copy, ExternalSupportIntegration first) =>
            copy.SecretIssuedAt is DateTimeOffset issued && first.SecretIssuedAt is DateTimeOffset earlier
            && (issued > earlier || (issued == earlier && copy.SecretRegeneratedAt != null && first.SecretRegeneratedAt is null));

        /// <summary>
        /// Integrations with their secret (New- or Reset- output, $JelouUnsavedIntegrations, a JelouVaultWriteFailed error's
        /// TargetObject), or copies of them that carry ProjectId and SigningSecret (Select-Object, Import-Clixml, Receive-Job).
        /// </summary>
        [Parameter(Position = 0, ValueFromPipeline = true)]
        [ValidateNotNull]
        [IntegrationCopy]
        public ExternalSupportIntegration[]? InputObject { get; set; }

        /// <summary>Replace a secret of the same name that nothing ties to a project, or an undated copy of the project's that this session did not store (another project's is never replaced).</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        /// <summary>Emit each integration once stored.</summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        public object GetDynamicParameters() => _vault;

        internal override string? CurrentItem => _current is null ? null : $"Project '{_current.ProjectId}'";

        protected override void BeginProcessing()
        {
            base.BeginProcessing();
            Issuer = SecretIssuer.Open(this, _vault, vaultRequired: true);
        }

        protected override void ProcessRecord()
        {
            if (InputObject is null) return;
            foreach (ExternalSupportIntegration integration in InputObject) Save(integration);
        }

        protected override void EndProcessing()
        {
            base.EndProcessing();
            // No input at all: every secret of this session that is still in no vault.
            if (MyInvocation.ExpectingInput || InputObject != null) return;
            IReadOnlyList<ExternalSupportIntegration> unsaved = JelouSession.Unsaved();
            if (unsaved.Count == 0) Trace($"No signing secret of this session is waiting to be stored (${JelouSession.UnsavedVariable} is empty).");
            // Every one is tried before any error is written: under $ErrorActionPreference = 'Stop' the first would end the rest.
            var errors = new List<ErrorRecord>();
            DeferredErrors = errors;
            try
            {
                foreach (ExternalSupportIntegration integration in unsaved) Save(integration);
            }
            finally
            {
                DeferredErrors = null;
                foreach (ErrorRecord error in errors) Report(error);
            }
        }

        // " It is <server>'s: ..." when the integration is another API's than the session's connection, which the advised
        // commands would otherwise use.
        private string OnItsApi(ExternalSupportIntegration integration)
        {
            JelouContext? session = JelouSession.Get(System.Management.Automation.Runspaces.Runspace.DefaultRunspace);
            if (integration.ApiBaseUri is null || (session != null && SecretOwner.Server(session.BaseUri) == SecretOwner.Server(integration.ApiBaseUri))) return "";
            return $" It is {integration.ApiBaseUri.GetLeftPart(UriPartial.Authority)}'s: give the rotation -Context for that API, not the session's connection.";
        }

        private void Refuse(ExternalSupportIntegration integration, string message)
        {
            ErrorRecord refused = ErrorMapper.InvalidArgument(message, integration, Item);
            WriteJelouError(refused.Exception, refused);
        }

        // The secret may not be the project's live one: it was not stored.
        private void RefuseMayBeReplaced(ExternalSupportIntegration integration, string message, string? advice = null)
        {
            var refused = new InvalidOperationException(message);
            WriteJelouError(refused, ErrorMapper.Create(ErrorMapper.SecretMayBeReplaced, refused, integration, Item, advice));
        }

        private void Save(ExternalSupportIntegration integration)
        {
            _current = integration;
            if (IntegrationCopyAttribute.Refusal(integration) is string refusal)
            {
                // Named by its project (or as an input) only: the copy itself may hold the secret in plain text.
                ErrorRecord refused = ErrorMapper.InvalidArgument(refusal, integration.ProjectId.Length > 0 ? integration.ProjectId : null,
                    integration.ProjectId.Length > 0 ? Item : "Input");
                WriteJelouError(refused.Exception, refused);
                return;
            }
            if (IntegrationCopyAttribute.TakeTrimmed(integration) is string around)
            {
                Warn($"The SigningSecret of the copy of project '{integration.ProjectId}' {around}: it is taken without them, as Jelou issued it.");
            }
            if (SecretIssuer.OlderCopy(integration) is string older)
            {
                Refuse(integration, older + ".");
                return;
            }
            SecretIssuer.NoteLaterCopy(integration);
            if (!Force && SecretIssuer.UnknownCopy(integration) is string unknown)
            {
                RefuseMayBeReplaced(integration, unknown,
                    $"If this one is live (a reply signed with it is accepted), save it with -Force; the session's own is in ${JelouSession.UnsavedVariable} or where it was stored.");
                return;
            }
            if (integration.Secret is null || integration.IsSuperseded || (!integration.IsCopy && !JelouSession.IsLatest(integration)))
            {
                Refuse(integration, integration.Secret is null
                    ? $"The integration of {integration.ProjectId} carries no signing secret: only New-JelouExternalSupport and Reset-JelouExternalSupportSecret answers have one."
                    : SecretIssuer.Superseded(integration) + ".");
                return;
            }
            string project = JelouSession.ProjectKey(integration);
            if (_stored.TryGetValue(project, out ExternalSupportIntegration? first) && !(integration.IsCopy && first.IsCopy && IssuedAfter(integration, first)))
            {
                RefuseMayBeReplaced(integration,
                    $"This command already stored a signing secret of {integration.ProjectId}: a project has one live secret, so this one was not stored (-Force or not).",
                    $"Store only the one you know is live (a reply signed with it was accepted): pipe that one object to Save-JelouSigningSecret -Force {_vault.AdviceArguments}; " +
                    $"or rotate once more, alone: Reset-JelouExternalSupportSecret {SecretIssuer.Quote(integration.ProjectId)} -Force {_vault.AdviceArguments}." + OnItsApi(integration));
                return;
            }
            if (!Force && JelouSession.IsCrossed(integration))
            {
                RefuseMayBeReplaced(integration,
                    $"This signing secret of {integration.ProjectId} came from a request that crossed another create, rotation or delete of the project: which secret is live is unknown, so it was not stored.",
                    $"Rotate once more, alone, to hold a secret you know is live: Reset-JelouExternalSupportSecret {SecretIssuer.Quote(integration.ProjectId)} -Force {_vault.AdviceArguments}. If you know this one is live (a reply signed with it was accepted), save it alone with -Force." + OnItsApi(integration));
                return;
            }
            if (!Force && JelouSession.DoubtOf(integration) is JelouSession.Doubt doubt)
            {
                RefuseMayBeReplaced(integration, $"{doubt.Why}: it may have replaced this one, so it was not stored.", doubt.Advice);
                return;
            }
            SecretDestination? destination = Issuer!.Claim(integration.ProjectId, integration.ApiBaseUri, overwrite: Force, saving: integration);
            if (destination is null) return;
            if (!Approved(integration.ProjectId, $"Store the signing secret as {destination.Place}")) return;
            StoreOutcome outcome = Issuer!.TryStore(integration, destination, out string? warning, out VaultException? failure, trustCopy: Force);
            // Replaced while it was checked, claimed and approved (a rotation in another runspace).
            if (outcome == StoreOutcome.Superseded)
            {
                Refuse(integration, warning!);
                return;
            }
            if (outcome == StoreOutcome.ReplacedElsewhere)
            {
                RefuseMayBeReplaced(integration, warning!);
                return;
            }
            bool stored = outcome == StoreOutcome.Stored;
            if (stored)
            {
                if (Force) SecretIssuer.AdoptLaterCopy(integration);
                _stored[project] = integration;
                IntegrationCopyAttribute.ShowStored(integration);
                if (PassThru) WriteObject(SecretIssuer.Issued(integration));
            }
            Issuer!.Report(integration, destination, stored, warning is null ? new string[0] : new[] { warning }, failure);
        }
    }
}
