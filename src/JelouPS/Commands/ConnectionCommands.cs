using System;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Security;
using JelouPS.Infrastructure;

namespace JelouPS.Commands
{
    /// <summary>Connect-Jelou: sets the session's connection.</summary>
    [Cmdlet(VerbsCommunications.Connect, "Jelou", DefaultParameterSetName = ApiKeySet)]
    [OutputType(typeof(JelouContext))]
    public sealed class ConnectJelouCommand : PSCmdlet, IDynamicParameters
    {
        private const string ApiKeySet = "ApiKey";
        private const string CredentialSet = "Credential";

        private readonly ProxyParameters _proxy = new ProxyParameters();

        /// <summary>The project API key, sent as x-api-key. A plain string is accepted and converted at once.</summary>
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = ApiKeySet)]
        [ValidateNotNull]
        [SecureStringTransformation]
        public SecureString ApiKey { get; set; } = null!;

        /// <summary>Client id (user name) and client secret (password), sent as HTTP Basic.</summary>
        [Parameter(Mandatory = true, ParameterSetName = CredentialSet)]
        [ValidateNotNull]
        [CredentialGiven]
        [Credential]
        public PSCredential Credential { get; set; } = null!;

        [Parameter]
        [SecureUri(Base = true)]
        [ValidateNotNull]
        public Uri BaseUri { get; set; } = JelouClientOptions.DefaultBaseUri;

        [Parameter]
        [SecureUri(Base = true)]
        [ValidateNotNull]
        public Uri ChatbotUri { get; set; } = JelouClientOptions.DefaultChatbotUri;

        /// <summary>Seconds one call may take, retries and their waits included, before it fails with JelouTimeout.</summary>
        [Parameter]
        [ValidateRange(1, 3600)]
        public int TimeoutSec { get; set; } = (int)JelouClientOptions.DefaultTimeout.TotalSeconds;

        /// <summary>How many times a failed request is sent again when that is safe (Invoke-RestMethod's name); 0 turns retries off.</summary>
        [Parameter]
        [ValidateRange(0, 10)]
        public int MaximumRetryCount { get; set; } = JelouClientOptions.DefaultMaximumRetryCount;

        /// <summary>Seconds before the first retry; each next one waits twice as long, unless the API says how long (Retry-After).</summary>
        [Parameter]
        [ValidateRange(0.0, 60.0)]
        public double RetryIntervalSec { get; set; } = JelouClientOptions.DefaultRetryInterval.TotalSeconds;

        [Parameter]
        public SwitchParameter PassThru { get; set; }

        public object GetDynamicParameters() => _proxy;

        protected override void EndProcessing()
        {
            // Connect-Jelou $credential binds client credentials here by position: the client secret would go as the key. A
            // vault's login item (a PSCredential) holding the key is taken as before.
            if (ParameterSetName == ApiKeySet && SecureStringTransformationAttribute.UserNameOf(ApiKey) is string userName)
            {
                new DiagnosticLines(this).Warn($"-ApiKey was given a PSCredential (user name {Require.Show(userName)}): its password is sent as the API key. If it holds client " +
                    "credentials (a client id and its secret), connect with -Credential instead; for a key kept in a PSCredential, -ApiKey $credential.Password says nothing.");
            }
            ProxySettings proxy = _proxy.Given(this) ?? ProxySettings.Default;
            JelouCredential credential;
            try
            {
                credential = ParameterSetName == CredentialSet
                    ? new JelouClientCredential(Credential.UserName, Credential.Password)
                    : new JelouApiKeyCredential(ApiKey);
            }
            catch (ArgumentException ex)
            {
                ThrowTerminatingError(ErrorMapper.From(ex, null));
                return;
            }

            var options = new JelouClientOptions(credential)
            {
                BaseUri = BaseUri,
                ChatbotUri = ChatbotUri,
                Timeout = TimeSpan.FromSeconds(TimeoutSec),
                MaximumRetryCount = MaximumRetryCount,
                RetryInterval = TimeSpan.FromSeconds(RetryIntervalSec),
                Proxy = proxy,
                HeldSecrets = JelouSession.HeldSecrets,
            };
            var context = new JelouContext(new JelouClient(options));
            // The previous connection is not disposed: a context saved with -PassThru may still be in use.
            JelouSession.Set(Runspace.DefaultRunspace, context);
            // In the runspace the user works in: secrets issued in others (ForEach-Object -Parallel) show up there.
            SessionVariables.Show(this);
            new DiagnosticLines(this).Trace($"Connected to {context.BaseUri} with {context.AuthenticationType}; proxy: {context.Proxy}.");
            if (PassThru) WriteObject(context);
        }
    }

    /// <summary>Disconnect-Jelou: forgets the session's connection and closes its HTTP connections.</summary>
    [Cmdlet(VerbsCommunications.Disconnect, "Jelou")]
    [OutputType(typeof(void))]
    public sealed class DisconnectJelouCommand : PSCmdlet
    {
        protected override void EndProcessing()
        {
            SessionVariables.Show(this);
            JelouContext? context = JelouSession.Get(Runspace.DefaultRunspace);
            if (context is null) return;
            JelouSession.Set(Runspace.DefaultRunspace, null);
            context.Close();
            new DiagnosticLines(this).Trace($"Disconnected from {context.BaseUri}.");
        }
    }

    /// <summary>Get-JelouContext: the session's connection, without its key; nothing when not connected.</summary>
    [Cmdlet(VerbsCommon.Get, "JelouContext")]
    [OutputType(typeof(JelouContext))]
    public sealed class GetJelouContextCommand : PSCmdlet
    {
        protected override void EndProcessing()
        {
            SessionVariables.Show(this);
            JelouContext? context = JelouSession.Get(Runspace.DefaultRunspace);
            if (context != null) WriteObject(context);
        }
    }
}
