using System.Management.Automation;
using JelouPS.Infrastructure;

namespace JelouPS.Commands
{
    /// <summary>A cmdlet about one end user's conversation with a bot: the API names it by project, bot and user.</summary>
    public abstract class ConversationCmdletBase : JelouApiCmdletBase
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string ProjectId { get; set; } = null!;

        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string BotId { get; set; } = null!;

        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string UserId { get; set; } = null!;

        protected string Target => $"user {UserId} of bot {BotId} in {ProjectId}";
    }

    /// <summary>Start-JelouConversation: opens a conversation between a bot's end user and the external panel.</summary>
    [Cmdlet(VerbsLifecycle.Start, "JelouConversation", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(Conversation))]
    public sealed class StartJelouConversationCommand : ConversationCmdletBase
    {

        /// <summary>Sent to the user when the conversation opens; none when left out (or blank in a CSV row).</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string? InitialMessage { get; set; }

        /// <summary>Free-form context (any nesting); use [ordered]@{} to fix the key order.</summary>
        [Parameter]
        [ValidateNotNull]
        public object? Metadata { get; set; }

        /// <summary>queue, operator or team (tab completes).</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(KnownValuesCompleter))]
        public string? AssignmentType { get; set; }

        /// <summary>The queue name, operator id or team.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string? AssignmentTarget { get; set; }

        protected override void ProcessRecord()
        {
            var request = new StartConversationRequest
            {
                BotId = BotId,
                UserId = UserId,
                InitialMessage = PowerShellValues.Given(InitialMessage),
                AssignmentType = PowerShellValues.Given(AssignmentType),
                AssignmentTarget = PowerShellValues.Given(AssignmentTarget),
            };
            if (!TryValidate(UserId, () =>
            {
                request.Metadata = PowerShellValues.ToPlain(Metadata);
                request.Validate();
            })) return;
            if (!ShouldProcess(Target, "Start a conversation")) return;
            // Not documented as idempotent, so it is sent once and never retried.
            if (TryRun(UserId, (trace, token) => Client.StartConversationAsync(ProjectId, request, trace, token), out Conversation conversation))
            {
                WriteObject(conversation);
            }
        }
    }

    /// <summary>Close-JelouConversation: closes the user's conversation with the bot.</summary>
    [Cmdlet(VerbsCommon.Close, "JelouConversation", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(void))]
    public sealed class CloseJelouConversationCommand : ConversationCmdletBase
    {
        /// <summary>text (send -RedirectText to the user) or edge.</summary>
        [Parameter]
        [ValidateSet("text", "edge")]
        public string? RedirectType { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? RedirectText { get; set; }

        protected override void ProcessRecord()
        {
            var request = new CloseConversationRequest { BotId = BotId, UserId = UserId, RedirectType = RedirectType, RedirectText = RedirectText };
            if (!TryValidate(UserId, request.Validate)) return;
            if (!ShouldProcess(Target, "Close the conversation")) return;
            if (TryRun(UserId, (trace, token) => Client.CloseConversationAsync(ProjectId, request, trace, token)))
            {
                WriteVerbose($"Closed the conversation of {UserId} with {BotId}.");
            }
        }
    }

    /// <summary>Get-JelouConversation: one conversation by id.</summary>
    [Cmdlet(VerbsCommon.Get, "JelouConversation")]
    [OutputType(typeof(Conversation))]
    public sealed class GetJelouConversationCommand : JelouApiCmdletBase
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string ProjectId { get; set; } = null!;

        [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
        [Alias("Id")]
        [ValidateNotNullOrEmpty]
        public string ConversationId { get; set; } = null!;

        protected override void ProcessRecord()
        {
            if (TryRun(ConversationId, (trace, token) => Client.GetConversationAsync(ProjectId, ConversationId, trace, token), out Conversation conversation))
            {
                WriteObject(conversation);
            }
        }
    }
}
