using System;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Security;

namespace JelouPS.Infrastructure
{
    /// <summary>A cmdlet that sends requests: each call may be given its own time limit.</summary>
    public abstract class JelouRequestCmdletBase : JelouCmdletBase
    {
        /// <summary>Seconds each call may take, retries and their waits included, instead of the connection's -TimeoutSec.</summary>
        [Parameter]
        [ValidateRange(1, 3600)]
        public int? TimeoutSec { get; set; }

        /// <summary>The time limit given for this command's calls; null for the connection's.</summary>
        private protected TimeSpan? CallTimeout => TimeoutSec is int seconds ? TimeSpan.FromSeconds(seconds) : (TimeSpan?)null;
    }

    /// <summary>A cmdlet that talks to the API: resolves -Context, else the runspace's connection.</summary>
    public abstract class JelouApiCmdletBase : JelouRequestCmdletBase
    {
        /// <summary>The connection to use instead of the session's (from Connect-Jelou -PassThru).</summary>
        [Parameter]
        [ValidateNotNull]
        [LiveContext]
        public JelouContext? Context { get; set; }

        /// <summary>
        /// How many requests may be in flight at once over the connection's HTTP client, for pipeline input (1 to 64). Output,
        /// errors and vault writes still come from the pipeline thread, in input order.
        /// </summary>
        [Parameter]
        [ValidateRange(1, 64)]
        public int ThrottleLimit { get; set; } = 1;

        internal override int Concurrency => ThrottleLimit;

        private protected JelouClient Client { get; private set; } = null!;

        protected override void BeginProcessing()
        {
            base.BeginProcessing();
            Client = ResolveClient();
        }

        /// <summary>The client of -Context, else of the runspace's connection; without one, the command ends with JelouNotConnected.</summary>
        private protected virtual JelouClient ResolveClient()
        {
            JelouContext? context = Connection;
            if (context is null || context.IsClosed) ThrowTerminatingError(ErrorMapper.NotConnected(contextClosed: Context != null));
            return context!.Client;
        }

        internal override bool OnOtherConnection => Context != null && !ReferenceEquals(Context, JelouSession.Get(Runspace.DefaultRunspace));

        /// <summary>
        /// The API a piped integration or conversation came from (its ApiBaseUri; also a CSV column): an input from another
        /// server than this command's connection is refused, so that what was read on production is never changed on a sandbox.
        /// Not DontShow, though not for typing: one hidden parameter hides every common one from tab completion.
        /// </summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [SecureUri(Base = true, BlankIsNotGiven = true)]
        public Uri? ApiBaseUri { get; set; }

        /// <summary>
        /// The API whose objects this command's requests belong to, which an input's ApiBaseUri is compared with: the
        /// connection's; null when the caller named the target outright (Send-JelouSupportMessage -ChatbotUri).
        /// </summary>
        private protected virtual Uri? ClientApi => Client.Options.BaseUri;

        /// <summary>What the message says this command's requests go to, when an input from elsewhere is refused.</summary>
        private protected virtual string ClientApiText => $"this command's connection is {Client.Options.BaseUri.GetLeftPart(UriPartial.Authority)}";

        /// <summary>Refuses the current input when it was read from another API than <see cref="ClientApi"/> (the error written); true when refused.</summary>
        private protected bool ReadElsewhere(object target)
        {
            if (ApiBaseUri is null || !(ClientApi is Uri api) || SecretOwner.Server(ApiBaseUri) == SecretOwner.Server(api)) return false;
            var elsewhere = new ArgumentException($"It was read from {ApiBaseUri.GetLeftPart(UriPartial.Authority)}, but {ClientApiText}: nothing was sent.");
            WriteJelouError(elsewhere, ErrorMapper.Create(ErrorMapper.InvalidArgumentId, elsewhere, target, Item, ElsewhereAdvice));
            return true;
        }

        /// <summary>How to send an input refused by <see cref="ReadElsewhere"/> where it belongs.</summary>
        private protected virtual string ElsewhereAdvice =>
            "Give the command the connection the object came from: -Context, as in the command that read it. To act on another API on purpose, leave the property out: Select-Object * -ExcludeProperty ApiBaseUri.";

        /// <summary>-Context, else the runspace's connection (null when there is none).</summary>
        private protected JelouContext? Connection => Context ?? JelouSession.Get(Runspace.DefaultRunspace);
    }

    /// <summary>A cmdlet about one or more projects' integrations: the API keys every call by project.</summary>
    public abstract class ProjectCmdletBase : JelouApiCmdletBase
    {
        /// <summary>The Jelou (Brain) project; several from a list, the pipeline, or CSV rows' ProjectId column.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Trimmed(FromProperty = nameof(ProjectId))]
        [ValidateId]
        public string[] ProjectId { get; set; } = null!;

        /// <summary>The project being worked on.</summary>
        internal string CurrentProjectId { get; private set; } = "";

        internal override string? CurrentItem => $"Project '{CurrentProjectId}'";

        // Ids given on the command line are all known at the start; piped ones are not.
        internal override int? ExpectedCount => MyInvocation.ExpectingInput ? (int?)null : ProjectId?.Length;

        protected override void ProcessRecord()
        {
            foreach (string projectId in ProjectId)
            {
                CurrentProjectId = projectId;
                if (!ReadElsewhere(projectId)) ProcessProject(projectId);
            }
        }

        /// <summary>Does the cmdlet's work for one project.</summary>
        private protected abstract void ProcessProject(string projectId);
    }

    /// <summary>A cmdlet about one end user's conversation with a bot: the API names it by project, bot and user.</summary>
    public abstract class ConversationCmdletBase : ProjectCmdletBase
    {
        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
        [Trimmed]
        [ValidateId]
        public string BotId { get; set; } = null!;

        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
        [Trimmed]
        [ValidateId]
        public string UserId { get; set; } = null!;

        internal override string? CurrentItem => $"Conversation of user '{UserId}' with bot '{BotId}' in project '{CurrentProjectId}'";

        private protected string Target => $"user {UserId} of bot {BotId} in {CurrentProjectId}";
    }

    /// <summary>A cmdlet that sets how Jelou authenticates to the provider's webhook.</summary>
    public abstract class WebhookSettingsCmdletBase : ProjectCmdletBase
    {
        /// <summary>bearer, api_key, basic or no_auth (tab completes); a blank CSV cell counts as not given.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Trimmed]
        [ArgumentCompleter(typeof(KnownValuesCompleter))]
        public string? AuthType { get; set; }

        /// <summary>The credential Jelou presents to the webhook. A plain string is accepted and converted at once.</summary>
        [Parameter]
        [ValidateNotNull]
        [SecureStringTransformation]
        public SecureString? WebhookAuthorization { get; set; }

        /// <summary>What to send: the webhook URL given, and the auth settings (a blank auth type counts as not given).</summary>
        private protected ExternalSupportSettings Settings(System.Uri? webhookUrl) =>
            new ExternalSupportSettings { WebhookUrl = webhookUrl, AuthType = PowerShellValues.Given(AuthType), Authorization = WebhookAuthorization };

        /// <summary>
        /// Checks <paramref name="settings"/> before any request (see ExternalSupportSettings.Validate), with the credential made
        /// what Jelou is to present (see WebhookParameters.Presented); false after reporting why not.
        /// </summary>
        private protected bool TryValidate(string projectId, ExternalSupportSettings settings, bool creating) =>
            TryValidate(projectId, () =>
            {
                settings.Authorization = WebhookParameters.Presented(settings.AuthType, settings.Authorization);
                settings.Validate(creating);
            });

        /// <summary>
        /// <paramref name="settings"/> are about to be sent: their credentials are redacted from then on in the session's
        /// error answers of any call, which a server may quote them in (a failed delivery to the webhook).
        /// </summary>
        private protected void Sending(string projectId, ExternalSupportSettings settings) =>
            JelouSession.HoldWebhookCredentials(Client.Options.BaseUri, projectId, settings.WebhookUrl?.AbsoluteUri, settings.Authorization);
    }
}
