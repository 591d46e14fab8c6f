using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Security;
using JelouPS.Infrastructure;

namespace JelouPS.Commands
{
    /// <summary>
    /// Send-JelouSupportMessage: an agent's reply to the end user, signed with the integration's secret
    /// over exactly the bytes sent.
    /// </summary>
    [Cmdlet(VerbsCommunications.Send, "JelouSupportMessage", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low, DefaultParameterSetName = TextSet)]
    [OutputType(typeof(SupportMessageReceipt))]
    public sealed class SendJelouSupportMessageCommand : JelouApiCmdletBase
    {
        private const string TextSet = "Text";
        private const string MediaSet = "Media";
        private readonly Dictionary<string, SecureString> _secrets = new Dictionary<string, SecureString>(StringComparer.OrdinalIgnoreCase);
        private SecretVault? _vault;

        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string ProjectId { get; set; } = null!;

        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string RoomId { get; set; } = null!;

        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string BotId { get; set; } = null!;

        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string UserId { get; set; } = null!;

        [Parameter(Mandatory = true, Position = 0, ParameterSetName = TextSet)]
        [ValidateNotNullOrEmpty]
        public string Text { get; set; } = null!;

        [Parameter(Mandatory = true, ParameterSetName = MediaSet)]
        [ValidateSet("image", "video", "audio", "document")]
        public string MediaType { get; set; } = null!;

        /// <summary>An https URL Jelou fetches the media from.</summary>
        [Parameter(Mandatory = true, ParameterSetName = MediaSet)]
        [ValidateNotNull]
        [ValidateSecureUri]
        public Uri MediaUrl { get; set; } = null!;

        [Parameter(Mandatory = true, ParameterSetName = MediaSet)]
        [ValidateNotNullOrEmpty]
        public string MimeType { get; set; } = null!;

        /// <summary>For image and video.</summary>
        [Parameter(ParameterSetName = MediaSet)]
        [ValidateNotNullOrEmpty]
        public string? Caption { get; set; }

        /// <summary>For document.</summary>
        [Parameter(ParameterSetName = MediaSet)]
        [ValidateNotNullOrEmpty]
        public string? FileName { get; set; }

        /// <summary>Your id for the message; a new GUID by default.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? MessageId { get; set; }

        /// <summary>The integration's signing secret, e.g. from Get-Secret. A plain string is accepted and converted at once.</summary>
        [Parameter]
        [ValidateNotNull]
        [SecureStringTransformation]
        public SecureString? SigningSecret { get; set; }

        /// <summary>Read the signing secret from this vault instead (as stored by New-JelouExternalSupport -Vault).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(VaultNameCompleter))]
        public string? Vault { get; set; }

        /// <summary>The secret's name in -Vault; default Jelou-&lt;ProjectId&gt;.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? SecretName { get; set; }

        protected override void BeginProcessing()
        {
            if ((SigningSecret is null) == (Vault is null))
            {
                ThrowTerminatingError(ErrorMapper.InvalidArgument("Give the signing secret with -SigningSecret, or say where it is stored with -Vault (and -SecretName), but not both.", null));
            }
            if (SecretName != null && Vault is null)
            {
                ThrowTerminatingError(ErrorMapper.InvalidArgument("-SecretName names a secret in -Vault; give -Vault too.", null));
            }
            base.BeginProcessing();
            _vault = OpenVault(Vault);
        }

        protected override void ProcessRecord()
        {
            var message = new SupportMessage
            {
                ProjectId = ProjectId,
                RoomId = RoomId,
                BotId = BotId,
                UserId = UserId,
                MessageId = MessageId,
                Type = ParameterSetName == MediaSet ? MediaType : "text",
                Text = ParameterSetName == TextSet ? Text : null,
                MediaUrl = ParameterSetName == MediaSet ? MediaUrl : null,
                MimeType = ParameterSetName == MediaSet ? MimeType : null,
                Caption = Caption,
                FileName = FileName,
            };
            SecureString secret = null!;
            if (!TryValidate(RoomId, () =>
            {
                message.Validate();
                secret = SigningSecret ?? VaultSecret(SecretName ?? SecretVault.DefaultSecretName(ProjectId));
            })) return;
            if (!ShouldProcess($"room {RoomId} of {ProjectId}", $"Send a {message.Type} message")) return;
            if (TryRun(RoomId, (trace, token) => Client.SendSupportMessageAsync(message, secret, trace, token), out SupportMessageReceipt receipt))
            {
                WriteObject(receipt);
            }
        }

        private SecureString VaultSecret(string name)
        {
            if (!_secrets.TryGetValue(name, out SecureString? secret))
            {
                secret = _vault!.Read(name);
                _secrets[name] = secret;
            }
            return secret;
        }
    }
}
