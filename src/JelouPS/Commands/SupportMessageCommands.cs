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
    /// <remarks>
    /// Its ids are members of the reply's payload, bound by name from a message event piped in; -Text is the
    /// positional parameter (so "$event | Send-JelouSupportMessage 'On it'" answers an event), which is why it does
    /// not share the positional -ProjectId of the project cmdlets.
    /// </remarks>
    [Cmdlet(VerbsCommunications.Send, "JelouSupportMessage", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low, DefaultParameterSetName = TextSet)]
    [OutputType(typeof(SupportMessageReceipt))]
    public sealed class SendJelouSupportMessageCommand : JelouApiCmdletBase, IDynamicParameters
    {
        private const string TextSet = "Text";
        private const string MediaSet = "Media";
        private readonly Dictionary<string, SecureString> _secrets = new Dictionary<string, SecureString>(StringComparer.Ordinal);

        // -SigningSecret as Jelou issued it, made once (a copy read from a file is used trimmed: see WebhookParameters.AsIssued).
        private SecureString? _given;
        private readonly SecretVaultParameters _vault = new SecretVaultParameters();

        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
        [Trimmed]
        [ValidateId]
        public string ProjectId { get; set; } = null!;

        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
        [Trimmed]
        [ValidateId]
        public string RoomId { get; set; } = null!;

        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
        [Trimmed]
        [ValidateId]
        public string BotId { get; set; } = null!;

        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
        [Trimmed]
        [ValidateId]
        public string UserId { get; set; } = null!;

        [Parameter(Mandatory = true, Position = 0, ParameterSetName = TextSet)]
        [FreeText]
        [ValidateNotNullOrEmpty]
        public string Text { get; set; } = null!;

        [Parameter(Mandatory = true, ParameterSetName = MediaSet)]
        [Trimmed]
        [ValidateSet(SupportMessage.ImageType, SupportMessage.VideoType, SupportMessage.AudioType, SupportMessage.DocumentType)]
        public string MediaType { get; set; } = null!;

        /// <summary>An https URL Jelou fetches the media from.</summary>
        [Parameter(Mandatory = true, ParameterSetName = MediaSet)]
        [SecureUri]
        [ValidateNotNull]
        public Uri MediaUrl { get; set; } = null!;

        /// <summary>The media's MIME type (tab completes: the -MediaUrl extension's type first).</summary>
        [Parameter(Mandatory = true, ParameterSetName = MediaSet)]
        [Trimmed]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(MimeTypeCompleter))]
        public string MimeType { get; set; } = null!;

        /// <summary>For image and video.</summary>
        [Parameter(ParameterSetName = MediaSet)]
        [FreeText]
        [ValidateNotNullOrEmpty]
        public string? Caption { get; set; }

        /// <summary>For document.</summary>
        [Parameter(ParameterSetName = MediaSet)]
        [Trimmed]
        [ValidateNotNullOrEmpty]
        public string? FileName { get; set; }

        /// <summary>Your id for the message; a new GUID by default.</summary>
        [Parameter]
        [Trimmed]
        [ValidateId]
        public string? MessageId { get; set; }

        /// <summary>The integration's signing secret, e.g. from Get-Secret. A plain string is accepted and converted at once.</summary>
        [Parameter]
        [ValidateNotNull]
        [SecureStringTransformation]
        public SecureString? SigningSecret { get; set; }

        /// <summary>Where replies go, instead of the connection's (or, with no connection, https://chatbot.jelou.ai).</summary>
        [Parameter]
        [SecureUri(Base = true)]
        [ValidateNotNull]
        public Uri? ChatbotUri { get; set; }

        public object GetDynamicParameters() => _vault;

        internal override string? CurrentItem => $"Reply to room '{RoomId}' of project '{ProjectId}'";

        // The reply endpoint takes no API key (jelou-api.md §2.2): a receiver that holds only the signing secret replies
        // without Connect-Jelou. -ChatbotUri wins; else the connection's; else the production host.
        private protected override JelouClient ResolveClient()
        {
            if (ChatbotUri != null) return JelouSession.ReplyClient(ChatbotUri);
            if (Connected) return base.ResolveClient();
            return JelouSession.ReplyClient(JelouClientOptions.DefaultChatbotUri);
        }

        protected override void BeginProcessing()
        {
            // A profile's '*:Vault' (or SecretName) default gives way to an explicit -SigningSecret, as PowerShell drops a default of
            // another parameter set than the command line's.
            if (SigningSecret != null)
            {
                if (_vault.Vault != null && PowerShellValues.FromDefaults(this, "Vault", _vault.Vault)) _vault.Vault = null;
                if (_vault.GivenSecretName != null && PowerShellValues.FromDefaults(this, "SecretName", _vault.GivenSecretName)) _vault.SecretName = null;
            }
            // A SecretName may still come with each input row; what the command line alone decides is checked here, first.
            bool vaultGiven = _vault.Vault != null || _vault.GivenSecretName != null;
            if ((SigningSecret != null && vaultGiven) || (SigningSecret is null && !vaultGiven && !MyInvocation.ExpectingInput))
            {
                ThrowTerminatingError(ErrorMapper.InvalidArgument(SecretSourceProblem(vaultGiven), null));
            }
            base.BeginProcessing();
            _vault.Open(this);
        }

        // What is wrong with where the secret comes from: both -SigningSecret and a vault, or neither.
        private string SecretSourceProblem(bool vaultGiven) => SigningSecret != null && vaultGiven
            ? "Give the signing secret with -SigningSecret, or say where it is stored with -Vault (and -SecretName), but not both."
            : "Give the signing secret the reply is signed with: -SigningSecret, or -Vault (and -SecretName) where it is stored.";

        private bool Connected => Context != null || Connection is { IsClosed: false };

        // -ChatbotUri names the target outright. Without a connection, a reply goes to the production host: an input read
        // from another API (a sandbox, an emulator) belongs elsewhere.
        private protected override Uri? ClientApi => ChatbotUri != null ? null : Connected ? base.ClientApi : JelouClientOptions.DefaultBaseUri;

        private protected override string ClientApiText => Connected
            ? base.ClientApiText
            : $"this command has no connection and no -ChatbotUri, so the reply would go to Jelou's production host ({JelouClientOptions.DefaultChatbotUri.GetLeftPart(UriPartial.Authority)})";

        private protected override string ElsewhereAdvice => Connected
            ? base.ElsewhereAdvice
            : "Give -ChatbotUri the reply address of the API the conversation came from (or Connect-Jelou to that API, with its -ChatbotUri, first). To reply through Jelou's production host on purpose, give -ChatbotUri https://chatbot.jelou.ai.";

        protected override void ProcessRecord()
        {
            if (ReadElsewhere(RoomId)) return;
            var message = new SupportMessage
            {
                ProjectId = ProjectId,
                RoomId = RoomId,
                BotId = BotId,
                UserId = UserId,
                MessageId = MessageId,
                Type = ParameterSetName == MediaSet ? MediaType : SupportMessage.TextType,
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
                SecretVault? vault = _vault.Current();
                if ((SigningSecret is null) == (vault is null) || (SigningSecret != null && _vault.GivenSecretName != null)) throw new ArgumentException(SecretSourceProblem(vault != null || _vault.GivenSecretName != null));
                secret = SigningSecret is null ? VaultSecret() : GivenSecret();
            })) return;
            if (!Approved($"room {RoomId} of {ProjectId}", $"Send a {message.Type} message through {Client.Options.ChatbotUri.GetLeftPart(UriPartial.Authority)}")) return;
            // A refused signature (JelouSignatureRejected) is about this project's secret only: the rest of the pipeline goes on.
            // Replies to one room reach Jelou in input order, the receipts' order; other rooms' go on beside them.
            Submit(RoomId, (trace, token) => Client.SendSupportMessageAsync(message, secret, trace, token, CallTimeout), receipt => WriteObject(receipt),
                orderKey: ProjectId + "\n" + RoomId);
        }

        private protected override void Release()
        {
            _given?.Dispose();
        }

        /// <summary>
        /// -SigningSecret as Jelou issued it (see WebhookParameters.AsIssued), made and checked once in this command: one that
        /// cannot be a signing secret is refused before -WhatIf says it would send, as a vault copy is (see VaultSecret).
        /// </summary>
        private SecureString GivenSecret()
        {
            if (_given is null)
            {
                SecureString issued = WebhookParameters.AsIssued(this, SigningSecret!, "The signing secret");
                try
                {
                    JelouPS.Security.SecureStrings.RequireSigningSecret(issued, nameof(SigningSecret));
                }
                catch (ArgumentException)
                {
                    issued.Dispose();
                    throw;
                }
                _given = issued;
            }
            return _given;
        }

        /// <summary>The project's secret from the vault, found and read once per project and secret name in this command.</summary>
        private SecureString VaultSecret()
        {
            string key = ProjectId + "\n" + _vault.GivenSecretName;
            if (!_secrets.TryGetValue(key, out SecureString? secret))
            {
                // A reply-only client knows no API, so a secret stored for this project from any API will do.
                Uri? source = Client.Options.Credential is null ? null : Client.Options.BaseUri;
                secret = _vault.ReadSigningSecret(ProjectId, source, out string? doubted, out string? warning)!;
                _secrets[key] = secret;
                if (warning != null) Warn(warning);
                if (doubted != null) Warn(doubted);
            }
            return secret;
        }
    }
}
