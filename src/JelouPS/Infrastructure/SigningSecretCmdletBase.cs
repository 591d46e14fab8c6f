using System;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Threading.Tasks;

namespace JelouPS.Infrastructure
{
    /// <summary>
    /// A cmdlet that receives a signing secret (create, regenerate) and may store it in a vault.
    /// The secret is shown once by the API, so this never loses it: the integration is always emitted
    /// with its secret, a vault failure is a non-terminating error that says how to store it by hand,
    /// and a pipeline stopped after Jelou answered keeps it in $JelouUnsavedIntegrations.
    /// </summary>
    public abstract class SigningSecretCmdletBase : JelouApiCmdletBase
    {
        internal const string UnsavedVariable = "JelouUnsavedIntegrations";

        private readonly Dictionary<string, string> _secretNamesUsed = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        private SecretVault? _vault;

        /// <summary>The SecretManagement vault to store the signing secret in.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(VaultNameCompleter))]
        public string? Vault { get; set; }

        /// <summary>The secret's name in the vault; default Jelou-&lt;ProjectId&gt; (also for a blank CSV cell).</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string? SecretName { get; set; }

        protected bool UsesVault => _vault != null;

        protected override void BeginProcessing()
        {
            base.BeginProcessing();
            _vault = OpenVault(Vault);
        }

        /// <summary>
        /// The vault name for this project's secret, or null (after an error) when it cannot be used:
        /// the name was already used by another project in this command, or it exists and may not be overwritten.
        /// </summary>
        protected string? ClaimSecretName(string projectId, bool mayOverwrite)
        {
            string name = PowerShellValues.Given(SecretName) ?? SecretVault.DefaultSecretName(projectId);
            if (_vault is null) return name;
            if (_secretNamesUsed.TryGetValue(name, out string? owner) && !string.Equals(owner, projectId, StringComparison.Ordinal))
            {
                WriteError(ErrorMapper.InvalidArgument(
                    $"The secret name '{name}' was already used for project '{owner}' in this command; storing project '{projectId}' under it would overwrite that secret. Leave -SecretName out (each project gets Jelou-<ProjectId>) or give each row its own SecretName.",
                    projectId));
                return null;
            }
            try
            {
                if (!mayOverwrite && _vault.Contains(name))
                {
                    WriteError(new ErrorRecord(
                        new InvalidOperationException($"Vault '{_vault.Name}' already has a secret named '{name}'. Nothing was created. Use -Force to overwrite it, or -SecretName to choose another name."),
                        "JelouSecretExists", ErrorCategory.ResourceExists, projectId));
                    return null;
                }
            }
            catch (VaultException ex)
            {
                WriteJelouError(ex, projectId);
                return null;
            }
            _secretNamesUsed[name] = projectId;
            return name;
        }

        /// <summary>
        /// Asks Jelou for a signing secret (create, regenerate) and delivers it: stored in the vault when one was
        /// given, then emitted. Once sent, the request is not abandoned on Ctrl+C (its timeout still applies):
        /// stopping midway would leave a secret nobody received.
        /// </summary>
        protected void Issue(string projectId, string secretName, bool overwrite, Func<IJelouTrace, Task<ExternalSupportIntegration>> issue)
        {
            if (Stopping) throw new PipelineStoppedException();
            _pending = (secretName, overwrite);
            try
            {
                if (TryRun(projectId, (trace, _) => issue(trace), out ExternalSupportIntegration integration))
                {
                    EmitWithSecret(integration, secretName, overwrite);
                }
            }
            finally
            {
                _pending = null;
            }
        }

        private (string SecretName, bool Overwrite)? _pending;

        /// <summary>The secret arrived while a write failed (a stop, -Verbose:Stop): store it, or keep it for the user.</summary>
        protected override void OnResultStranded(object? result)
        {
            if (!(result is ExternalSupportIntegration integration) || integration.SigningSecret is null || _pending is null) return;
            if (!TryStore(integration, _pending.Value.SecretName, _pending.Value.Overwrite, out _, out _)) KeepUnsaved(integration);
        }

        /// <summary>When Jelou may have issued a secret that never arrived, say how to get a new one rather than to retry.</summary>
        protected override ErrorRecord ToErrorRecord(Exception exception, object? target)
        {
            ErrorRecord record = base.ToErrorRecord(exception, target);
            bool outcomeUnknown = exception is JelouApiException api && _pending != null
                && (api.Kind == JelouErrorKind.Timeout || api.Kind == JelouErrorKind.InvalidResponse || api.Kind == JelouErrorKind.ServerError || api.Kind == JelouErrorKind.ConnectionFailed);
            if (outcomeUnknown)
            {
                string vault = Vault is null ? "" : $" -Vault '{Vault}' -SecretName '{_pending!.Value.SecretName}'";
                record.ErrorDetails = new ErrorDetails(exception.Message + " Jelou may have issued a signing secret that did not arrive.")
                {
                    RecommendedAction = $"Do not just retry. Check with Get-JelouExternalSupport {target}; if the integration exists, get a new secret with Reset-JelouExternalSupportSecret {target}{vault}.",
                };
            }
            return record;
        }

        /// <summary>Stores the secret when a vault was given, then emits the integration: never loses the secret.</summary>
        private void EmitWithSecret(ExternalSupportIntegration integration, string secretName, bool overwrite)
        {
            var output = PSObject.AsPSObject(integration);
            bool stored = TryStore(integration, secretName, overwrite, out string? warning, out VaultException? failure);
            if (stored)
            {
                output.Properties.Add(new PSNoteProperty("SecretVault", _vault!.Name));
                output.Properties.Add(new PSNoteProperty("SecretName", secretName));
            }

            try
            {
                WriteObject(output);
            }
            // Select-Object -First stops the commands before it once it holds the object (a stop with no Ctrl+C,
            // Stopping is false): that object was delivered. Any other failure means the caller does not have it.
            catch (Exception ex) when (!stored && !(ex is PipelineStoppedException && !Stopping))
            {
                KeepUnsaved(integration);
                throw;
            }

            if (stored) WriteVerbose($"Stored the signing secret of {integration.ProjectId} as '{secretName}' in vault '{_vault!.Name}'.");
            if (warning != null) WriteWarning(warning);
            if (failure != null)
            {
                string manual = $"$integration.SigningSecret | Set-Secret -Name '{secretName}' -Vault '{_vault!.Name}'";
                WriteError(new ErrorRecord(
                    new InvalidOperationException(
                        $"Jelou created the signing secret of {integration.ProjectId}, but storing it in vault '{_vault.Name}' failed: {failure.Message} " +
                        $"The secret is in the emitted object (and in this error's TargetObject); store it by hand now, e.g. {manual}",
                        failure),
                    "JelouVaultWriteFailed", ErrorCategory.WriteError, integration)
                {
                    ErrorDetails = new ErrorDetails($"Storing the signing secret of {integration.ProjectId} in vault '{_vault.Name}' failed: {failure.Message}")
                    {
                        RecommendedAction = "$integration = $Error[0].TargetObject; " + manual,
                    },
                });
            }
        }

        /// <summary>Stores the secret in the vault, if one was given; false when there is none or the write failed.</summary>
        private bool TryStore(ExternalSupportIntegration integration, string secretName, bool overwrite, out string? warning, out VaultException? failure)
        {
            warning = null;
            failure = null;
            if (_vault is null || integration.SigningSecret is null) return false;
            try
            {
                warning = _vault.Store(secretName, integration.SigningSecret, Metadata(integration), overwrite);
                return true;
            }
            catch (VaultException ex)
            {
                failure = ex;
            }
            catch (PipelineStoppedException)
            {
                failure = new VaultException("JelouVaultWriteFailed", ErrorCategory.OperationStopped, "The command was stopped before the secret was stored.");
            }
            return false;
        }

        private static Hashtable Metadata(ExternalSupportIntegration integration)
        {
            // SecretManagement metadata takes strings, ints and DateTimes only.
            var metadata = new Hashtable { ["ProjectId"] = integration.ProjectId };
            if (integration.Id != null) metadata["IntegrationId"] = integration.Id;
            // Metadata is not encrypted by every vault: keep a query string (which may carry a token) out of it.
            if (integration.WebhookUrl != null) metadata["WebhookUrl"] = integration.WebhookUrl.Split('?')[0];
            if (integration.CreatedAt is DateTimeOffset created) metadata["CreatedAt"] = created.UtcDateTime;
            if (integration.SecretRegeneratedAt is DateTimeOffset regenerated) metadata["RegeneratedAt"] = regenerated.UtcDateTime;
            return metadata;
        }

        /// <summary>
        /// The pipeline stopped after Jelou answered but before the integration reached the caller: keep it
        /// where the user can find it, and say so on the host (the streams are closed by now).
        /// </summary>
        private void KeepUnsaved(ExternalSupportIntegration integration)
        {
            var kept = SessionState.PSVariable.GetValue("global:" + UnsavedVariable) as List<ExternalSupportIntegration> ?? new List<ExternalSupportIntegration>();
            kept.Add(integration);
            SessionState.PSVariable.Set("global:" + UnsavedVariable, kept);
            try
            {
                Host.UI.WriteWarningLine($"Stopped after Jelou issued the signing secret of {integration.ProjectId}. It is kept in ${UnsavedVariable}: store it now, e.g. ${UnsavedVariable}[-1].SigningSecret | Set-Secret -Name {SecretVault.DefaultSecretName(integration.ProjectId)} -Vault <vault>");
            }
            catch (Exception ex) when (ex is PipelineStoppedException || ex is HostException || ex is NotImplementedException)
            {
                // The variable is the record that matters; a host that cannot print it loses nothing.
            }
        }
    }
}
