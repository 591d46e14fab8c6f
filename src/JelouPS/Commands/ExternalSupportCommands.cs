using System;
using System.Management.Automation;
using System.Security;
using System.Threading;
using JelouPS.Infrastructure;

namespace JelouPS.Commands
{
    /// <summary>New-JelouExternalSupport: creates the project's integration and receives its one-time signing secret.</summary>
    [Cmdlet(VerbsCommon.New, "JelouExternalSupport", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(ExternalSupportIntegration))]
    public sealed class NewJelouExternalSupportCommand : SigningSecretCmdletBase
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string ProjectId { get; set; } = null!;

        /// <summary>The public https URL Jelou will post events to.</summary>
        [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNull]
        [ValidateSecureUri]
        public Uri WebhookUrl { get; set; } = null!;

        /// <summary>bearer, api_key, basic or no_auth (tab completes); a blank CSV cell counts as not given.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(KnownValuesCompleter))]
        public string? AuthType { get; set; }

        /// <summary>The credential Jelou presents to the webhook. A plain string is accepted and converted at once.</summary>
        [Parameter]
        [ValidateNotNull]
        [SecureStringTransformation]
        public SecureString? WebhookAuthorization { get; set; }

        /// <summary>Overwrite a secret of the same name in -Vault (by default an existing one stops the create).</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        protected override void ProcessRecord()
        {
            var settings = new ExternalSupportSettings { WebhookUrl = WebhookUrl, AuthType = PowerShellValues.Given(AuthType), Authorization = WebhookAuthorization };
            if (!TryValidate(ProjectId, () => settings.Validate(creating: true))) return;
            string? secretName = ClaimSecretName(ProjectId, mayOverwrite: Force);
            if (secretName is null) return;
            string action = $"Create the external-support integration posting to {WebhookUrl.GetLeftPart(UriPartial.Path)}"
                + (UsesVault ? $" and store its signing secret as '{secretName}' in vault '{Vault}'" : "");
            if (!ShouldProcess(ProjectId, action)) return;
            Issue(ProjectId, secretName, overwrite: Force, trace => Client.CreateExternalSupportAsync(ProjectId, settings, trace, CancellationToken.None));
        }
    }

    /// <summary>Get-JelouExternalSupport: the project's integration, without its secret.</summary>
    [Cmdlet(VerbsCommon.Get, "JelouExternalSupport")]
    [OutputType(typeof(ExternalSupportIntegration))]
    public sealed class GetJelouExternalSupportCommand : JelouApiCmdletBase
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string[] ProjectId { get; set; } = null!;

        protected override void ProcessRecord()
        {
            foreach (string projectId in ProjectId)
            {
                if (TryRun(projectId, (trace, token) => Client.GetExternalSupportAsync(projectId, trace, token), out ExternalSupportIntegration integration))
                {
                    WriteObject(integration);
                }
            }
        }
    }

    /// <summary>Set-JelouExternalSupport: changes only the settings given.</summary>
    [Cmdlet(VerbsCommon.Set, "JelouExternalSupport", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(ExternalSupportIntegration))]
    public sealed class SetJelouExternalSupportCommand : JelouApiCmdletBase
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string ProjectId { get; set; } = null!;

        [Parameter]
        [ValidateNotNull]
        [ValidateSecureUri]
        public Uri? WebhookUrl { get; set; }

        [Parameter]
        [ValidateSet(WebhookAuthTypes.Bearer, WebhookAuthTypes.ApiKey, WebhookAuthTypes.Basic, WebhookAuthTypes.NoAuth)]
        public string? AuthType { get; set; }

        [Parameter]
        [ValidateNotNull]
        [SecureStringTransformation]
        public SecureString? WebhookAuthorization { get; set; }

        private ExternalSupportSettings _settings = null!;

        protected override void BeginProcessing()
        {
            _settings = new ExternalSupportSettings { WebhookUrl = WebhookUrl, AuthType = AuthType, Authorization = WebhookAuthorization };
            try
            {
                if (WebhookUrl is null && AuthType is null && WebhookAuthorization is null)
                {
                    throw new ArgumentException("Nothing to change: give -WebhookUrl, -AuthType or -WebhookAuthorization.");
                }
                _settings.Validate(creating: false);
            }
            catch (ArgumentException ex)
            {
                ThrowTerminatingError(ErrorMapper.From(ex, null));
            }
            base.BeginProcessing();
        }

        protected override void ProcessRecord()
        {
            if (!ShouldProcess(ProjectId, $"Update the external-support integration ({Changes()})")) return;
            if (TryRun(ProjectId, (trace, token) => Client.UpdateExternalSupportAsync(ProjectId, _settings, trace, token), out ExternalSupportIntegration integration))
            {
                WriteObject(integration);
            }
        }

        private string Changes()
        {
            var changes = new System.Collections.Generic.List<string>();
            if (WebhookUrl != null) changes.Add($"webhook URL {WebhookUrl}");
            if (AuthType != null) changes.Add($"auth type {AuthType}");
            if (WebhookAuthorization != null) changes.Add("webhook authorization");
            return string.Join(", ", changes);
        }
    }

    /// <summary>Remove-JelouExternalSupport: deletes the integration; Jelou stops sending events at once.</summary>
    [Cmdlet(VerbsCommon.Remove, "JelouExternalSupport", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
    [OutputType(typeof(void))]
    public sealed class RemoveJelouExternalSupportCommand : JelouApiCmdletBase
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string[] ProjectId { get; set; } = null!;

        protected override void ProcessRecord()
        {
            foreach (string projectId in ProjectId)
            {
                if (!ShouldProcess(projectId, "Delete the external-support integration (Jelou stops sending events; a new integration gets a new signing secret)")) continue;
                if (TryRun(projectId, (trace, token) => Client.DeleteExternalSupportAsync(projectId, trace, token)))
                {
                    WriteVerbose($"Deleted the external-support integration of {projectId}.");
                }
            }
        }
    }

    /// <summary>Reset-JelouExternalSupportSecret: regenerates the signing secret; the old one stops working at once.</summary>
    [Cmdlet(VerbsCommon.Reset, "JelouExternalSupportSecret", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
    [OutputType(typeof(ExternalSupportIntegration))]
    public sealed class ResetJelouExternalSupportSecretCommand : SigningSecretCmdletBase
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string[] ProjectId { get; set; } = null!;

        protected override void ProcessRecord()
        {
            foreach (string projectId in ProjectId)
            {
                string? secretName = ClaimSecretName(projectId, mayOverwrite: true);
                if (secretName is null) continue;
                string action = "Regenerate the signing secret (the current one stops working at once for events and replies)"
                    + (UsesVault ? $" and replace '{secretName}' in vault '{Vault}'" : "");
                if (!ShouldProcess(projectId, action)) continue;
                Issue(projectId, secretName, overwrite: true, trace => Client.RegenerateSigningSecretAsync(projectId, trace, CancellationToken.None));
            }
        }
    }
}
