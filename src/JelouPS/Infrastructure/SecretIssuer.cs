using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Threading;
using System.Threading.Tasks;

namespace JelouPS.Infrastructure
{
    /// <summary>Where an issued signing secret goes: a vault and a name, or (no vault) only the emitted object.</summary>
    internal sealed class SecretDestination
    {
        internal static readonly SecretDestination ObjectOnly = new SecretDestination(null, false);

        internal SecretDestination(SecretSlot? slot, bool overwrite)
        {
            Slot = slot;
            Overwrite = overwrite;
        }

        /// <summary>The vault's name for the secret as it was read when the destination was chosen.</summary>
        public SecretSlot? Slot { get; }

        public SecretVault? Vault => Slot?.Vault;
        public string? Name => Slot?.Name;

        /// <summary>The write replaces the secret of that name (no NoClobber).</summary>
        public bool Overwrite { get; }

        /// <summary>A secret was under the name when the destination was chosen.</summary>
        public bool Existed => Slot?.Existing != null;

        /// <summary>The metadata of the project's secret being replaced: what the new answer lacks is kept from it.</summary>
        public IDictionary? PreviousMetadata => Slot?.ExistingMetadata;

        /// <summary>"'n' in vault 'v' (module)", for ShouldProcess messages.</summary>
        public string Place => $"'{Name}' in vault {Vault?.Display}";
    }

    /// <summary>What became of a secret meant for a vault (see <see cref="SecretIssuer.TryStore"/>).</summary>
    internal enum StoreOutcome
    {
        /// <summary>No vault was wanted, or there is no secret.</summary>
        NotAsked,
        Stored,
        /// <summary>Not stored: Jelou issued a newer secret of the project (or deleted its integration) before this one's turn came.</summary>
        Superseded,
        /// <summary>Not stored: another process put a secret under the name since it was chosen; which one is live is unknown.</summary>
        ReplacedElsewhere,
        Failed,
    }

    /// <summary>
    /// Delivers the signing secrets Jelou issues (create, regenerate) and that are shown only once. Nothing is lost:
    /// the secret is stored (and read back) when a vault was given, and every secret that is in no vault is kept for the
    /// session in $JelouUnsavedIntegrations before it is emitted. A vault failure is a non-terminating error that says
    /// how to store it by hand; a pipeline stopped after Jelou answered still stores or keeps it.
    /// </summary>
    internal sealed class SecretIssuer
    {
        /// <summary>The type name New- and Reset- add, so their default view shows where the secret went.</summary>
        internal const string IssuedTypeName = "JelouPS.ExternalSupportIntegration#IssuedSecret";

        private readonly JelouCmdletBase _cmdlet;
        private readonly SecretVaultParameters _parameters;
        private readonly Dictionary<string, string> _namesUsed = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

        private readonly HashSet<string> _warned = new HashSet<string>(StringComparer.Ordinal);

        // "p3 in vault 'KV'" once a vault write of this command failed.
        private string? _failed;
        private string? _failedProject;

        // A vault this command meant a secret for (stored or not), the integrations whose secret it left in none, and how many of
        // those a warning named already (see SayInNoVault).
        private string? _vaultUsed;
        private readonly List<ExternalSupportIntegration> _inNoVault = new List<ExternalSupportIntegration>();
        private int _inNoVaultSaid;

        private SecretIssuer(JelouCmdletBase cmdlet, SecretVaultParameters parameters)
        {
            _cmdlet = cmdlet;
            _parameters = parameters;
        }

        /// <summary>Opens the vault the command line names (see <see cref="SecretVaultParameters.Open"/>) and issues into it.</summary>
        internal static SecretIssuer Open(JelouCmdletBase cmdlet, SecretVaultParameters parameters, bool vaultRequired = false)
        {
            parameters.Open(cmdlet, vaultRequired);
            return new SecretIssuer(cmdlet, parameters);
        }

        /// <summary>
        /// Decides where the project's secret (from the API <paramref name="source"/>) will go, before anything is written or
        /// sent: the vault can be used (and has not just failed this command), the name is one the vault takes and no other
        /// project of this command has it. A rotation or a save looks for the project's secret where it already is. What
        /// the vault holds under the name now is replaced:
        /// <list type="bullet">
        /// <item>the project's own: by a rotation (the old secret dies with it); by a create only with
        /// <paramref name="overwrite"/>; by a save (<paramref name="saving"/>) when it is older by its metadata, or where
        /// this session put it, else only with <paramref name="overwrite"/>, and never when its metadata shows it newer;</item>
        /// <item>a secret nothing tells whose: by a create or a save with <paramref name="overwrite"/>, never by a rotation
        /// (whose -Force only answers the prompt);</item>
        /// <item>another project's: never.</item>
        /// </list>
        /// Null after an error.
        /// </summary>
        internal SecretDestination? Claim(string projectId, Uri? source, bool overwrite, ExternalSupportIntegration? saving = null, bool rotation = false)
        {
            // Before a request, a refusal costs nothing; when saving, the secret stays where it is kept.
            string outcome = saving is null ? " Nothing was sent to Jelou." : " Nothing was stored.";
            // The calls in flight (-ThrottleLimit) that must end to make room for this one end first; all of them when one is
            // the project's (a CSV's repeated row): this one is then decided on the vault as they left it, as with
            // -ThrottleLimit 1. One whose vault write failed stops this one before its request, rather than after.
            if (saving is null) _cmdlet.MakeRoom(settling: projectId);
            if (_failed != null && saving is null)
            {
                // Each secret issued now would live only in this process: stop issuing until the vault works.
                Refuse(ErrorMapper.VaultUnavailable, projectId, $"Storing the signing secret of {_failed} failed a moment ago, so no more secrets are issued by this command.{outcome}",
                    $"The error for {_failedProject} says why the vault refused the write: if it refused the secret's name (a rule of its extension), run the command again " +
                    "for each project left, one at a time, with a -SecretName the vault takes; if the vault was down, run it again once it works. " +
                    "Store the secrets already issued with Save-JelouSigningSecret.");
                return null;
            }
            SecretSlot? slot = null;
            if (!_cmdlet.TryValidate(projectId, () => slot = _parameters.LocateToChange(projectId, source, findExisting: rotation || saving != null, saving))) return null;
            if (slot is null) return SecretDestination.ObjectOnly;
            string name = slot.Name;
            string vault = slot.Vault.Display;

            if (_namesUsed.TryGetValue(name, out string? claimant) && !string.Equals(claimant, projectId, StringComparison.Ordinal))
            {
                Refuse(ErrorMapper.InvalidArgumentId, projectId,
                    $"The secret name '{name}' was already used for project '{claimant}' in this command; storing project '{projectId}' under it would overwrite that secret.{outcome}",
                    "Give each project its own SecretName (or leave it out: each project gets its own default name).");
                return null;
            }
            string? refusal = Refusal(slot, overwrite, saving, rotation, out string? advice);
            if (refusal != null)
            {
                Refuse(ErrorMapper.SecretExists, projectId, refusal + outcome, advice);
                return null;
            }
            _namesUsed[name] = projectId;
            if (slot.Ambiguity is string ambiguous)
            {
                _cmdlet.Warn($"{ambiguous}: the signing secret of {projectId} goes in as '{name}'; the others no longer work once it is stored (remove them with Remove-Secret).");
            }
            // A copy of this very secret (saved before under another name: its metadata's issue time is this one's) still works.
            else if ((saving?.SecretIssuedAt is DateTimeOffset issuedAt ? slot.Others.Where(o => o.ExistingIssuedAt != issuedAt) : slot.Others).ToList() is { Count: > 0 } dead)
            {
                _cmdlet.Warn($"Vault {vault} also holds {string.Join(", ", dead.Select(o => Quote(o.ExistingName!)))}, " +
                    (dead.Count == 1 ? $"a signing secret of {projectId} by its name or metadata: once this is stored in '{name}', that copy no longer works (remove it with Remove-Secret)."
                        : $"signing secrets of {projectId} by their names or metadata: once this is stored in '{name}', those copies no longer work (remove them with Remove-Secret)."));
            }
            else if (_parameters.GivenSecretName is null && name != slot.DefaultName)
            {
                _cmdlet.Trace($"The signing secret of {projectId} is kept as '{name}' in vault {vault} (where it was found): it goes there.");
            }
            // Said when the name is first used: a rotation that replaces the secret there need not repeat it.
            else if (_parameters.GivenSecretName is null && slot.Existing is null && slot.Vault.Extension.Check("Jelou-" + projectId) is string problem)
            {
                _cmdlet.Warn($"Vault {vault} cannot take 'Jelou-{projectId}' as a name: {problem}. {slot.Vault.Extension.RuleFor("Jelou-" + projectId)} The signing secret of {projectId} goes in as '{name}'.");
            }
            else if (_parameters.GivenSecretName is null && slot.Existing is null && name != "Jelou-" + projectId)
            {
                string why = projectId != projectId.ToLowerInvariant()
                    ? $"vaults ignore case in names, so 'Jelou-{projectId}' would also be the name for project '{projectId.ToLowerInvariant()}'"
                    : $"'Jelou-{projectId}' ends like another project's hashed name";
                _cmdlet.Warn($"The signing secret of {projectId} goes in as '{name}': {why}.");
            }
            return new SecretDestination(slot, overwrite: slot.Existing != null || rotation || overwrite);
        }

        // Why the secret under the slot's name must not be replaced; null when it may.
        private static string? Refusal(SecretSlot slot, bool overwrite, ExternalSupportIntegration? saving, bool rotation, out string? advice)
        {
            advice = null;
            string vault = slot.Vault.Display;
            string projectId = slot.ProjectId;
            switch (slot.Ownership)
            {
                case Ownership.Other:
                    advice = "Give this project another -SecretName; if that secret really is this project's, remove it (Remove-Secret) and run again.";
                    return $"Vault {vault} has '{slot.ExistingName}', {slot.OtherOwner}. Another project's secret is never replaced, -Force or not.";
                // Unless the vault's copy is one this process stored and this secret is the project's latest: it arrived after
                // that one, whatever the two times (a server's and a local clock's) say.
                case Ownership.Own when saving?.SecretIssuedAt is DateTimeOffset issued && slot.ExistingIssuedAt is DateTimeOffset stored && stored > issued
                    && !(JelouSession.LastStoredHere(slot.Vault.Name, slot.ExistingName!, stored) && JelouSession.IsReceivedLatest(saving)):
                    advice = "Only if this one is the live secret after all (a reply signed with it is accepted: the two times can come from different clocks), remove the vault's copy (Remove-Secret) and save again" +
                        (saving.IsCopy ? "." : "; it stays in $JelouUnsavedIntegrations.");
                    return $"Vault {vault} holds what looks like a newer signing secret of project '{projectId}' under '{slot.ExistingName}' (issued {Moment(stored, issued)}); this one was issued {Moment(issued, stored)}, so Jelou probably no longer accepts it.";
                case Ownership.Own when saving != null && !overwrite && (slot.ExistingIssuedAt is null || saving.SecretIssuedAt is null) && !slot.IsWhereSessionPutIt:
                    advice = "If this secret is the project's live one (nothing rotated it since), use -Force to replace the vault's copy; else leave the vault as it is.";
                    return $"Vault {vault} has '{slot.ExistingName}', a signing secret of project '{projectId}', and nothing tells whether it is older or newer than this one " +
                        (slot.ExistingIssuedAt is null ? "(no issue time in its metadata, and this session did not store it)." : "(this one, a copy, carries no issue time).");
                case Ownership.Own when saving is null && !rotation && !overwrite:
                    return $"Vault {vault} already has a secret named '{slot.ExistingName}'. Use -Force to overwrite it, or -SecretName to choose another name.";
                case Ownership.Unknown when rotation:
                    advice = $"If it is this project's secret, rotate without -Vault and store the new secret there: Reset-JelouExternalSupportSecret {Quote(projectId)} -Force | " +
                        $"Save-JelouSigningSecret {Place(slot.Vault.Name, slot.ExistingName!)} -Force. Otherwise choose another -SecretName.";
                    return $"{slot.Unclaimed}. A rotation never replaces such a secret: -Force only answers the prompt.";
                case Ownership.Unknown when !overwrite:
                    return $"{slot.Unclaimed}. Use -Force to replace it, or choose another -SecretName.";
            }
            return null;
        }

        /// <summary>
        /// Asks Jelou for a signing secret and delivers it. On Ctrl+C the request in flight still gets a few seconds for its
        /// answer (see the transport's stop grace); a secret that arrived before a failure is delivered as well, and the error
        /// carries it; a request that got no answer is recorded in $JelouUnknownOutcomes.
        /// </summary>
        internal void Issue(string projectId, Uri source, SecretDestination destination, Func<IJelouTrace?, CancellationToken, Task<ExternalSupportIntegration>> issue)
        {
            if (_cmdlet.Stopping) throw new PipelineStoppedException();
            JelouSession.Flight? sent = null;
            _cmdlet.Submit(projectId, async (trace, token) =>
                {
                    // Kept for the session the moment it arrives, on the call's own thread: a command that ends before
                    // settling this call (a terminating error of another input) still leaves it in $JelouUnsavedIntegrations.
                    JelouSession.Flight flight = sent = JelouSession.Depart(source, projectId);
                    ExternalSupportIntegration issued;
                    try
                    {
                        issued = await issue(trace, token).ConfigureAwait(false);
                    }
                    catch (JelouApiException ex) when (ex.Integration != null)
                    {
                        JelouSession.Arrived(ex.Integration, flight);
                        throw;
                    }
                    catch (Exception ex)
                    {
                        // One never sent, or refused (a 409), changed nothing: it crosses no other.
                        flight.End(acted: JelouSession.Flight.MayHaveActed(ex));
                        throw;
                    }
                    return JelouSession.Arrived(issued, flight);
                },
                integration => Deliver(integration, destination, reachable: true),
                onStranded: stranded => Deliver(stranded, destination, reachable: false),
                salvage: failure => Salvage(projectId, source, destination, failure, sent?.DepartedAt),
                // Kept for the next input of the project, which Claim settles it for first.
                orderKey: projectId);
        }

        // What a failed issue still calls for: delivering the secret it carries (the error then names the integration), or a
        // record that Jelou may have issued a secret nobody holds (and, after a rotation, that the kept one may be dead).
        // A record says when the request was sent (its integration, if carried out, is not older), not when it was given up.
        private object Salvage(string projectId, Uri source, SecretDestination destination, Exception failure, DateTimeOffset? sentAt)
        {
            if (!(failure is JelouApiException api)) return projectId;
            if (api.Integration is ExternalSupportIntegration issued)
            {
                Deliver(issued, destination, reachable: !_cmdlet.Stopping);
                return issued;
            }
            if (!ErrorMapper.SecretMayBeLost(api)) return projectId;
            DateTimeOffset sent = sentAt ?? DateTimeOffset.UtcNow;
            string vault = _parameters.AdviceArguments;
            if (api.Operation == JelouOperation.RegenerateSecret)
            {
                JelouSession.MayBeReplaced(source, projectId, new JelouSession.Doubt($"A rotation of {projectId} sent at {sent:u} brought back no secret",
                    $"Rotate again to get a secret you hold: Reset-JelouExternalSupportSecret {Quote(projectId)} -Force {vault}. If you know that rotation did not happen, save with -Force."));
            }
            string check = ErrorMapper.OutcomeAdvice(api.Operation, projectId, vault) ?? "";
            // The record outlives the command: its advice says which connection, as the error's does.
            if (_cmdlet.OnOtherConnection && check.Length > 0)
            {
                check += $" Give these commands the -Context {_cmdlet.MyInvocation.MyCommand.Name} was given (for {source.GetLeftPart(UriPartial.Authority)}): without it, they use the session's connection.";
            }
            var outcome = new UnknownOutcome(projectId, _cmdlet.MyInvocation.MyCommand.Name, api.Operation == JelouOperation.CreateIntegration, source, sent, check, vault);
            JelouSession.OutcomeUnknown(outcome);
            if (_cmdlet.Stopping) _cmdlet.WarnLate($"Stopped before Jelou answered {outcome.Command} {projectId} (sent at {outcome.At:u}): whether it was carried out is unknown. {check} (Recorded in ${JelouSession.UnknownVariable}.)", always: true);
            return projectId;
        }

        /// <summary>
        /// Stores an issued secret in <paramref name="destination"/>'s vault, only while it is its project's latest (checked
        /// with the project's turn held, see <see cref="JelouSession.StoreTurn"/>). <paramref name="warning"/> is the vault's,
        /// <paramref name="failure"/> why a write was not confirmed.
        /// </summary>
        /// <param name="trustCopy">The caller vouches for a copy of a secret this session never received (-Force).</param>
        internal StoreOutcome TryStore(ExternalSupportIntegration integration, SecretDestination destination, out string? warning, out VaultException? failure, bool trustCopy = false)
        {
            warning = null;
            failure = null;
            if (destination.Vault is null || integration.Secret is null) return StoreOutcome.NotAsked;
            try
            {
                using (JelouSession.StoreTurn(integration.ApiBaseUri, integration.ProjectId, _cmdlet.CancelToken,
                    () => _cmdlet.Trace($"Waiting for another runspace's vault write or removal of a signing secret of {integration.ProjectId} to finish.")))
                {
                    // Asked again with the turn held: another runspace may have stored the project's secret since Save asked.
                    if (!trustCopy && UnknownCopy(integration) is string unknown)
                    {
                        warning = unknown;
                        return StoreOutcome.ReplacedElsewhere;
                    }
                    // A copy of a secret the session never received is not weighed against the ones it did (see UnknownCopy).
                    if (integration.IsSuperseded || (!integration.IsCopy && !JelouSession.IsLatest(integration)))
                    {
                        warning = $"{Superseded(integration)} as '{destination.Name}' in vault {destination.Vault.Display}. The newer one is where the command that received it put it.";
                        return StoreOutcome.Superseded;
                    }
                    // Only a write that overwrites can lose what another process or runspace put there meanwhile; a name found
                    // empty now is written only if it still is (NoClobber), whatever was there when it was looked up.
                    SecretSlot? now = destination.Overwrite ? destination.Slot!.Reread() : null;
                    if (now != null)
                    {
                        FoundAgain found = destination.Slot!.Compare(now);
                        if (found != FoundAgain.Unchanged) JelouSession.KeepUnsaved(integration);
                        if (found == FoundAgain.AnotherProjects)
                        {
                            throw new VaultException(ErrorMapper.SecretExists,
                                $"'{now.ExistingName}' in vault {now.Vault.Display} now holds {now.OtherOwner}, stored there while this command ran, and another project's secret is never replaced.", transient: false);
                        }
                        if (found == FoundAgain.ReplacedElsewhere)
                        {
                            warning = ReplacedElsewhereMessage(integration, now);
                            return StoreOutcome.ReplacedElsewhere;
                        }
                    }
                    // Once a write of this command failed after its retries, the secrets still arriving (requests that were in
                    // flight) are tried once each: the vault is likely still down, and each is kept either way.
                    warning = destination.Vault.Store(destination.Name!, integration.Secret, Metadata(integration, destination.PreviousMetadata), overwrite: now != null, line => _cmdlet.Trace(line), _cmdlet.CancelToken,
                        attempts: _failed is null ? SecretVault.WriteAttempts : 1);
                    // Said once a command: twenty rows of one batch need not repeat what the vault cannot keep.
                    if (warning != null && !_warned.Add(warning)) warning = null;
                    integration.MarkStored(destination.Vault.Name, destination.Name!);
                    JelouSession.Stored(integration, destination.Vault.Name, destination.Name!);
                    return StoreOutcome.Stored;
                }
            }
            catch (VaultException ex)
            {
                failure = ex;
            }
            // A Halt answered to the -Verbose line of a wait, too.
            catch (Exception ex) when (ex is PipelineStoppedException || ex is OperationCanceledException || ex is ActionPreferenceStopException)
            {
                failure = new VaultException(ErrorMapper.VaultWriteFailed, "The command was stopped before the secret was stored.");
            }
            JelouSession.NotStored(integration, destination.Vault.Name, destination.Name!);
            return StoreOutcome.Failed;
        }

        // Why the secret was not stored over <paramref name="now"/>, which another process put under its name meanwhile.
        private static string ReplacedElsewhereMessage(ExternalSupportIntegration integration, SecretSlot now)
        {
            string times = now.ExistingIssuedAt is DateTimeOffset stored && integration.SecretIssuedAt is DateTimeOffset issued
                ? $" (the secret there was issued {Moment(stored, issued)}, this one {Moment(issued, stored)})"
                : "";
            return $"'{now.ExistingName}' in vault {now.Vault.Display} was replaced while this command ran, and not by this session: another process (a second job, say) rotated or saved project {integration.ProjectId} meanwhile{times}. " +
                $"Which secret is live is unknown, so this one was not stored over it; it stays in ${JelouSession.UnsavedVariable}. " +
                $"Rotate once more, alone, to hold one that is: Reset-JelouExternalSupportSecret {Quote(integration.ProjectId)} -Force -Vault {Quote(now.Vault.Name)}.";
        }

        /// <summary>A time for a message beside <paramref name="other"/>: to the millisecond when the two fall in the same second.</summary>
        internal static string Moment(DateTimeOffset at, DateTimeOffset other) =>
            at.UtcDateTime.ToString(at.ToUnixTimeSeconds() == other.ToUnixTimeSeconds() ? "yyyy-MM-dd HH:mm:ss.fff'Z'" : "u", System.Globalization.CultureInfo.InvariantCulture);

        /// <summary>
        /// Why a copy of a secret this session never received must not be stored without the caller vouching for it: the
        /// session received another secret of the project, or saw its integration deleted. Null when it may be.
        /// </summary>
        internal static string? UnknownCopy(ExternalSupportIntegration integration)
        {
            if (!integration.IsCopy || !JelouSession.KnowsOther(integration, out ExternalSupportIntegration? held)) return null;
            string copy = "this copy" + (integration.SecretIssuedAt is DateTimeOffset copyAt ? $" (issued {copyAt:u})" : "");
            if (held is null) return $"This session saw the integration of {integration.ProjectId} deleted, and never received {copy}: it may be a new integration's, or a dead one. Which is live is unknown, so it was not stored.";
            string later = IssuedLater(integration, held)
                ? " The copy was issued later: if another process (a job) rotated the project, it is the live one, and the session's no longer works."
                : "";
            return $"This session received another signing secret of {integration.ProjectId}" + (held.SecretIssuedAt is DateTimeOffset at ? $" (issued {at:u})" : "") +
                $", not {copy}. Which is live is unknown, so it was not stored.{later}";
        }

        /// <summary>
        /// Where the project's live secret is, as far as this session knows, and how to put it under <paramref name="name"/> in
        /// <paramref name="vault"/>, which holds a dead one: from $JelouUnsavedIntegrations, from the vault this session stored
        /// it in, or (none: the integration was deleted, or rotated elsewhere) the dead copy's removal.
        /// </summary>
        internal static string WhereLiveIs(Uri? source, string projectId, string vault, string name)
        {
            string here = Place(vault, name);
            ExternalSupportIntegration? live = JelouSession.LiveOf(source, projectId);
            if (live is null || live.Secret is null)
            {
                return $"This session holds no live one (the integration was deleted, or rotated elsewhere): remove the dead copy (Remove-Secret -Name {Quote(name)} -Vault {Quote(vault)}), or rotate to get one: Reset-JelouExternalSupportSecret {Quote(projectId)} {here}.";
            }
            if (JelouSession.IsCrossed(live))
            {
                return $"Requests of the project crossed, so which of the secrets this session holds is live is unknown: rotate once more, alone, to hold one that is: " +
                    $"Reset-JelouExternalSupportSecret {Quote(projectId)} -Force {here}.";
            }
            if (live.SecretVault is string elsewhere && live.SecretName is string stored)
            {
                return $"The live one is {Quote(stored)} in vault {Quote(elsewhere)}, where this session stored it: use that ({Place(elsewhere, stored)}), " +
                    $"or copy it here: Set-Secret -Name {Quote(name)} -Vault {Quote(vault)} -Secret (Get-Secret -Name {Quote(stored)} -Vault {Quote(elsewhere)}).";
            }
            return $"Store the live one there: {Kept(projectId)} | Save-JelouSigningSecret {here}.";
        }

        private static bool IssuedLater(ExternalSupportIntegration copy, ExternalSupportIntegration held) =>
            held.SecretIssuedAt is DateTimeOffset heldAt && copy.SecretIssuedAt is DateTimeOffset issued && issued > heldAt;

        // The secret this session holds of a copy's project, when the copy is of one it never received; null otherwise.
        private static ExternalSupportIntegration? HeldBeside(ExternalSupportIntegration copy) =>
            copy.IsCopy && JelouSession.KnowsOther(copy, out ExternalSupportIntegration? held) ? held : null;

        /// <summary>
        /// A copy of a secret this session never received, issued after the one it holds of the project: another process (a
        /// job) probably rotated the project, so the session's own may be dead. Saving it without input, or over the copy
        /// once that is stored, would then put a dead secret in the vault: it is refused without -Force from now on.
        /// </summary>
        internal static void NoteLaterCopy(ExternalSupportIntegration copy)
        {
            if (!(HeldBeside(copy) is ExternalSupportIntegration held) || !IssuedLater(copy, held)) return;
            JelouSession.MayBeReplaced(held.ApiBaseUri, held.ProjectId, new JelouSession.Doubt(
                $"A copy of a later signing secret of {held.ProjectId} (issued {copy.SecretIssuedAt:u}) was given to Save-JelouSigningSecret: another process probably rotated the project",
                $"If that copy is live (a reply signed with it is accepted), save the copy with -Force; else rotate again: Reset-JelouExternalSupportSecret {Quote(held.ProjectId)} -Vault <vault>."));
        }

        /// <summary>
        /// Why a copy must not be stored, -Force or not: it was issued before the secret this session holds as its project's
        /// live one (received, or a later copy stored with -Force), and a rotation kills every earlier secret. Null when not.
        /// </summary>
        internal static string? OlderCopy(ExternalSupportIntegration copy)
        {
            if (!(HeldBeside(copy) is ExternalSupportIntegration held) || !IssuedLater(held, copy)) return null;
            return $"This copy of a signing secret of {copy.ProjectId} was issued {Moment(copy.SecretIssuedAt!.Value, held.SecretIssuedAt!.Value)}, before the one this session holds as live " +
                $"(issued {Moment(held.SecretIssuedAt.Value, copy.SecretIssuedAt.Value)}): a later rotation replaced it, so it was not stored (-Force or not)";
        }

        /// <summary>
        /// A copy stored with -Force that was issued after the secret this session holds of the project: it is the live one
        /// now (see <see cref="JelouSession.Adopt"/>). An older copy stored so changes nothing the session knows.
        /// </summary>
        internal static void AdoptLaterCopy(ExternalSupportIntegration copy)
        {
            if (HeldBeside(copy) is ExternalSupportIntegration held && IssuedLater(copy, held)) JelouSession.Adopt(copy, held);
        }

        /// <summary>Why a secret that is not its project's latest is not stored (it no longer works); the caller says where it was not.</summary>
        internal static string Superseded(ExternalSupportIntegration integration) =>
            $"Jelou has issued a newer signing secret for {integration.ProjectId} since this one (or deleted its integration): this one no longer works, so it was not stored";

        /// <summary>
        /// Whether this runs in a background job's process or a remote session (Start-Job, Invoke-Command, a PSSession): the
        /// list of unsaved secrets is that process's, and the caller gets the secret only as output.
        /// </summary>
        private bool OutOfProcess => _cmdlet.Host?.Name == "ServerRemoteHost";

        /// <summary>The object as New- and Reset- emit it: its default view shows where the secret is.</summary>
        internal static PSObject Issued(ExternalSupportIntegration integration)
        {
            var output = (PSObject)JelouView.Shown(JelouView.OwnWrapper(integration));
            if (!output.TypeNames.Contains(IssuedTypeName)) output.TypeNames.Insert(0, IssuedTypeName);
            return output;
        }

        /// <summary>The error for a secret that Jelou issued and the vault did not take: the integration is its TargetObject.</summary>
        internal static ErrorRecord WriteFailed(ExternalSupportIntegration integration, SecretDestination destination, VaultException failure, string? item)
        {
            string options = Place(destination.Vault!.Name, destination.Name!);
            string unsaved = $"{Kept(integration.ProjectId)} | Save-JelouSigningSecret";
            if (failure.ErrorId == ErrorMapper.SecretExists)
            {
                // The name now holds another project's live secret: neither "the one before" nor the same name again.
                return ErrorMapper.Create(ErrorMapper.SecretExists,
                    new InvalidOperationException(
                        $"Jelou issued the signing secret of {integration.ProjectId}, but it was not stored: {Sentence(failure.Message)} " +
                        $"The new secret is in the emitted object, in this error's TargetObject, and in ${JelouSession.UnsavedVariable} until this session ends."),
                    integration, item,
                    $"Store it under a name of its own: {unsaved} -Vault {Quote(destination.Vault.Name)} -SecretName <another name>. Leave '{destination.Name}' as it is: it is the other project's.");
            }
            string before = destination.Existed
                ? $" Unless the vault says otherwise, '{destination.Name}' still holds the secret that was there before (after a rotation, one Jelou no longer accepts)."
                : "";
            return ErrorMapper.Create(ErrorMapper.VaultWriteFailed,
                new InvalidOperationException(
                    $"Jelou issued the signing secret of {integration.ProjectId}, but storing it as '{destination.Name}' in vault {destination.Vault.Display} failed: {Sentence(failure.Message)}{before} " +
                    $"The new secret is in the emitted object, in this error's TargetObject, and in ${JelouSession.UnsavedVariable} until this session ends.",
                    failure.InnerException),
                integration, item,
                $"Store it now, once the vault works: {unsaved} {options} (if the vault refused the name, give another -SecretName; or store it in another vault: " +
                $"{unsaved} -Vault <vault>). In a script, catch this error and run Save-JelouSigningSecret -Vault <another vault>: without input it stores every secret " +
                $"still in no vault, this one and any other in flight. If this process has ended since, the secret ended with it: get a new one with " +
                $"Reset-JelouExternalSupportSecret {Quote(integration.ProjectId)} -Force {options}.");
        }

        /// <summary>Tells how storing went: a verbose line when stored, the vault's warning, the error when it failed.</summary>
        internal void Report(ExternalSupportIntegration integration, SecretDestination destination, bool stored, IEnumerable<string> warnings, VaultException? failure)
        {
            if (stored) _cmdlet.Trace($"Stored the signing secret of {integration.ProjectId} as '{destination.Name}' in vault {destination.Vault!.Display}, and read it back.");
            foreach (string warning in warnings) _cmdlet.Warn(warning, about: integration);
            if (failure is null) return;
            // Under -ErrorAction Stop (or Inquire, where a host that cannot ask ends it too) the error ends the command, before its
            // end names the rows left in no vault.
            if (DiagnosticLines.Preference(_cmdlet, "ErrorAction", "ErrorActionPreference") is ActionPreference.Stop or ActionPreference.Inquire) SayInNoVault();
            _cmdlet.WriteJelouError(failure, WriteFailed(integration, destination, failure, _cmdlet.Item));
        }

        /// <summary>After the last input: names the rows left in no vault that no warning named yet (see SayInNoVault).</summary>
        internal void End() => SayInNoVault();

        /// <summary>
        /// When this command meant some secrets for a vault (rows with a SecretName, without -Vault), stored or not, and left
        /// others in none (rows whose SecretName was blank), one warning names the latter: at the end, or when a vault write's
        /// error ends the command (-ErrorAction Stop). The warning of a secret in no vault is said once per runspace, and a
        /// batch that uses a vault does not expect to need it; a write's error names only its row.
        /// </summary>
        private void SayInNoVault()
        {
            int count = _inNoVault.Count - _inNoVaultSaid;
            if (_vaultUsed is null || count == 0) return;
            const int Named = 10;
            ExternalSupportIntegration[] rows = _inNoVault.Skip(_inNoVaultSaid).ToArray();
            string projects = string.Join(", ", rows.Take(Named).Select(row => row.ProjectId)) + (count > Named ? $" and {count - Named} more" : "");
            _inNoVaultSaid = _inNoVault.Count;
            bool one = count == 1;
            _cmdlet.Warn(about: rows, text: $"{count} {(one ? "row" : "rows")} of this command had no SecretName, so {(one ? "its secret is" : "their secrets are")} in no vault: {projects}. " +
                $"Rows that name one are for vault {Quote(_vaultUsed)} (an error names any it could not store); without -Vault, only a row that names its secret goes to a vault. " +
                $"{(one ? "It lives" : "They live")} only in this session: store {(one ? "it" : "them")} now with Save-JelouSigningSecret -Vault {Quote(_vaultUsed)} " +
                $"(without input, it stores every secret ${JelouSession.UnsavedVariable} holds), or give -Vault to store every row.");
        }

        // A vault's words end a sentence of ours: SecretManagement's "Unable to add secret X to vault V" has no full stop.
        private static string Sentence(string text) => text.TrimEnd().EndsWith(".", StringComparison.Ordinal) ? text : text.TrimEnd() + ".";

        /// <summary>Advice's arguments for where a secret is: -Vault 'KV' -SecretName 'name'.</summary>
        internal static string Place(string vault, string name) => $"-Vault {Quote(vault)} -SecretName {Quote(name)}";

        /// <summary>Advice's expression for the project's secrets this session keeps in no vault.</summary>
        private static string Kept(string projectId) => $"${JelouSession.UnsavedVariable} | Where-Object ProjectId -eq {Quote(projectId)}";

        /// <summary>
        /// A PowerShell string literal, to paste into Windows PowerShell 5.1 or PowerShell 7: single-quoted, or double-quoted with
        /// escapes for characters that do not show (`t, $([char]0x200B)).
        /// </summary>
        internal static string Quote(string value) =>
            // PowerShell reads even a quoted '--%' as the stop-parsing token: in parentheses it is a value.
            value == "--%" ? "('--%')" : Require.Literal(value, portable: true);

        private void Deliver(ExternalSupportIntegration integration, SecretDestination destination, bool reachable)
        {
            // Kept already, the moment it arrived (see Issue), superseding the project's earlier secrets; and the command
            // showed $JelouUnsavedIntegrations when it began.
            StoreOutcome outcome = TryStore(integration, destination, out string? vaultWarning, out VaultException? failure);
            // Each its own warning record: one may be about the vault, another about the project.
            var warnings = new List<string>();
            // The warnings whose words depend on where the secret is, which the next command may change (it may store it).
            string? deadCopies = null, unvaulted = null;
            if (vaultWarning != null) warnings.Add(vaultWarning);
            bool stored = outcome == StoreOutcome.Stored;
            // A name that turned out to be another project's says nothing of the vault: the next projects go on.
            if (failure != null && failure.ErrorId != ErrorMapper.SecretExists)
            {
                _failed = $"{integration.ProjectId} in vault {destination.Vault!.Display}";
                _failedProject = integration.ProjectId;
            }
            if (destination.Vault is null) _inNoVault.Add(integration);
            else _vaultUsed ??= destination.Vault.Name;
            // Where the caller will not see the object, only a secret that still works needs saying where it is kept.
            if (!reachable)
            {
                if (!stored && JelouSession.IsLatest(integration)) WarnLate(integration, "before it was stored or handed on");
                if (JelouSession.IsLatest(integration) && DeadCopies(integration, destination, stored, output: false) is string dead) _cmdlet.WarnLate(dead);
                return;
            }
            // A request beside it that is refused (a duplicate create answered 409) crosses nothing: known once it ends.
            JelouSession.AwaitCrossing(integration, _cmdlet.CancelToken);
            if (JelouSession.IsCrossed(integration))
            {
                warnings.Add(
                    $"Another create, rotation or delete of {integration.ProjectId} was in flight at the same time (in another command or runspace): Jelou carried them out in an order " +
                    $"this session cannot know, so which signing secret is live is unknown. Each is kept in ${JelouSession.UnsavedVariable}, also once stored. " +
                    $"Rotate once more, alone, to hold one that is: Reset-JelouExternalSupportSecret {Quote(integration.ProjectId)} -Force" + (destination.Vault is null ? "." : $" -Vault {Quote(destination.Vault.Name)}.") +
                    " If that answers JelouNotFound, a delete was carried out last: the project has no integration." +
                    _cmdlet.SameContextNote);
            }
            // What follows is said only of a secret that is live as far as this session knows.
            else if (JelouSession.IsLatest(integration))
            {
                if (destination.Vault is null && JelouSession.FirstUnsavedInRunspace(System.Management.Automation.Runspaces.Runspace.DefaultRunspace))
                {
                    warnings.Add(unvaulted =
                        $"The signing secret of {integration.ProjectId} is in no vault: Jelou shows it only this once, and " +
                        (OutOfProcess
                            ? "this runs in a background job or remote session, whose $" + JelouSession.UnsavedVariable + " your session cannot read (a job's ends with it). " +
                              "Give -Vault here, in the job or session. Else store the emitted object where it arrives: from a job, $job.ChildJobs[0].Output | Save-JelouSigningSecret -Vault <vault> " +
                              "(it stays there after Receive-Job has shown it, until the job is removed); from Invoke-Command, keep its output ($issued = Invoke-Command ...) and pipe that; " +
                              "in a PSSession that stays open, run Save-JelouSigningSecret -Vault <vault> there."
                            : $"it lives only in this session (the emitted object, and ${JelouSession.UnsavedVariable}). " +
                              $"Store it before the session ends: Save-JelouSigningSecret -Vault <vault> (without input, it stores all ${JelouSession.UnsavedVariable} holds, from any runspace); or give -Vault when creating or rotating.") +
                        (SecretVault.SetupAdvice(_cmdlet) is string setup ? " No vault can be used here yet: " + setup : "") + " (Said once per runspace.)");
                }
                if (DeadCopies(integration, destination, stored, output: true) is string dead) warnings.Add(deadCopies = dead);
            }
            if (integration.Id is null || integration.WebhookUrl is null)
            {
                // A rotation's answer never names them: they are read back (JelouClient.RegenerateSigningSecretAsync), which failed.
                warnings.Add(
                    (integration.SecretRegeneratedAt is null
                        ? $"Jelou's answer for {integration.ProjectId} did not name the integration's id or webhook URL"
                        : $"Reading back the integration's id and webhook URL after the rotation of {integration.ProjectId} failed (-Verbose says why)") +
                    ": the output lacks them" +
                    (destination.PreviousMetadata is null ? $" (Get-JelouExternalSupport {Quote(integration.ProjectId)} shows them)." : ", and the vault keeps them from the secret it replaced."));
            }

            try
            {
                _cmdlet.WriteObject(Issued(integration));
            }
            // Select-Object -First stops the commands before it once it holds the object (a stop with no Ctrl+C,
            // Stopping is false): that object was delivered. After any other failure the commands downstream may have had
            // it but not finished with it (Ctrl+C while they stored it), so it counts as not delivered.
            catch (Exception ex) when (!stored && !(ex is PipelineStoppedException && !_cmdlet.Stopping))
            {
                // A stop (Ctrl+C) ends the write itself; any other failure is the next command's, which had the object.
                // The next command may have stored it (Save-JelouSigningSecret) before it failed: then it is in the vault it names.
                bool storedAfter = integration.SecretVault != null;
                if (JelouSession.IsLatest(integration) && !storedAfter)
                {
                    WarnLate(integration, ex is PipelineStoppedException ? "before it was stored" : "which the command after this one got, but failed before it was done with it");
                }
                foreach (string warning in warnings)
                {
                    // The caller has no output to pipe: the dead copies (as they are now) are replaced from the session's list.
                    string? said = ReferenceEquals(warning, deadCopies) ? DeadCopies(integration, destination, storedAfter, output: false)
                        : ReferenceEquals(warning, unvaulted) && storedAfter ? null
                        : warning;
                    if (said != null) _cmdlet.WarnLate(said);
                }
                throw;
            }
            // Delivered, but the pipeline takes no more (Select-Object -First): its warnings go to the host, unless the caller
            // silenced warnings.
            catch (PipelineStoppedException)
            {
                warnings.ForEach(warning => _cmdlet.WarnLate(warning));
                throw;
            }
            Report(integration, destination, stored, warnings, failure);
        }

        private void Refuse(string errorId, string projectId, string message, string? advice)
        {
            var exception = new InvalidOperationException(message);
            _cmdlet.WriteJelouError(exception, ErrorMapper.Create(errorId, exception, projectId, _cmdlet.Item, advice));
        }

        /// <summary>
        /// The vault's record of the secret: project id, integration id, webhook URL, creation and rotation times; what the
        /// answer did not name is kept from the <paramref name="previous"/> record of the project's secret it replaces.
        /// </summary>
        internal static Hashtable Metadata(ExternalSupportIntegration integration, IDictionary? previous)
        {
            // SecretManagement metadata takes strings, ints and DateTimes only.
            var metadata = new Hashtable { ["ProjectId"] = integration.ProjectId };
            // Two connections (a sandbox and production) may know the same project id: the vault says which API it is from.
            if (integration.ApiBaseUri != null) metadata["ApiBaseUri"] = integration.ApiBaseUri.AbsoluteUri;
            if (integration.Id != null) metadata["IntegrationId"] = integration.Id;
            // Metadata is not encrypted by every vault: keep a query string (which may carry a token) out of it.
            if (integration.WebhookUrl != null) metadata["WebhookUrl"] = integration.WebhookUrl.Split('?')[0];
            if (integration.CreatedAt is DateTimeOffset created) metadata["CreatedAt"] = created.UtcDateTime;
            if (integration.SecretRegeneratedAt is DateTimeOffset regenerated) metadata["RegeneratedAt"] = regenerated.UtcDateTime;
            if (previous != null)
            {
                foreach (string key in new[] { "IntegrationId", "WebhookUrl", "CreatedAt" })
                {
                    object? value = PowerShellValues.Entry(previous, key);
                    if (!metadata.ContainsKey(key) && (value is string || value is DateTime)) metadata[key] = value;
                }
            }
            return metadata;
        }

        /// <summary>
        /// A rotation kills every copy of the old secret: those this session stored, named with how to put the new one in each
        /// one's place, from this command's <paramref name="output"/> when the caller has it, else from the session's list.
        /// Those in the vault the new one went to were found with it (see Claim). Null when there are none.
        /// </summary>
        private static string? DeadCopies(ExternalSupportIntegration integration, SecretDestination destination, bool stored, bool output)
        {
            if (integration.SecretRegeneratedAt is null) return null;
            // Not where the new one itself went (the next command may have stored it where the old one was).
            List<KeyValuePair<string, string>> dead = JelouSession.StoredCopies(integration.ApiBaseUri, integration.ProjectId, destination.Vault?.Name)
                .Where(copy => !(StringComparer.OrdinalIgnoreCase.Equals(copy.Key, integration.SecretVault) && StringComparer.OrdinalIgnoreCase.Equals(copy.Value, integration.SecretName)))
                .ToList();
            if (dead.Count == 0) return null;
            string kept = Kept(integration.ProjectId);
            string SaveEach(string from) => string.Join("; ", dead.Select(copy => from + $"Save-JelouSigningSecret {Place(copy.Key, copy.Value)}"));
            string remove = string.Join("; ", dead.Select(copy => $"Remove-Secret -Name {Quote(copy.Value)} -Vault {Quote(copy.Key)}"));
            // The session's list keeps the new secret only while it is in no vault: for several copies it is taken once, into a
            // variable, since the first save takes it off the list.
            string? how = stored && !(output && dead.Count == 1) ? null
                : dead.Count == 1 ? (output ? $"piping this command's output to {SaveEach("")}" + (stored ? "" : $" (or {SaveEach(kept + " | ")})") : "running " + SaveEach(kept + " | "))
                : $"running $new = {kept}; " + SaveEach("$new | ");
            return $"This session stored an earlier signing secret of {integration.ProjectId} as {string.Join(" and ", dead.Select(copy => $"'{copy.Value}' in vault '{copy.Key}'"))}: " +
                (dead.Count == 1 ? "it no longer works" : "they no longer work") + ", and replies signed from there are refused. " +
                (how != null
                    ? $"Store the new one in {(dead.Count == 1 ? "its place" : "their place")} by {how}, or remove {(dead.Count == 1 ? "it" : "them")} ({remove})."
                    : $"The new one is stored as '{integration.SecretName}' in vault '{integration.SecretVault}': sign replies from there, and remove the old ({remove}).");
        }

        /// <summary>
        /// The caller will not see the object, or not to the end (a stop, a failed write, a command after this one that failed
        /// with it: <paramref name="when"/> says which): say on the host where the secret is (the streams may be closed).
        /// </summary>
        private void WarnLate(ExternalSupportIntegration integration, string when) =>
            _cmdlet.WarnLate($"Stopped after Jelou issued the signing secret of {integration.ProjectId}, {when}. It is kept in ${JelouSession.UnsavedVariable}: " +
                "store it now, e.g. Save-JelouSigningSecret -Vault <vault> (without input, it stores all that list holds).", always: true);
    }
}
