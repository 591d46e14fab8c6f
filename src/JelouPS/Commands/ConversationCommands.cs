using System;
using System.Management.Automation;
using JelouPS.Infrastructure;

namespace JelouPS.Commands
{
    /// <summary>Start-JelouConversation: opens a conversation between a bot's end user and the external panel.</summary>
    [Cmdlet(VerbsLifecycle.Start, "JelouConversation", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(Conversation))]
    public sealed class StartJelouConversationCommand : ConversationCmdletBase
    {
        /// <summary>Sent to the user when the conversation opens; none when left out (or blank in a CSV row).</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [FreeText]
        public string? InitialMessage { get; set; }

        /// <summary>Free-form context: a hashtable ([ordered]@{} fixes the key order) or an object, nested as deep as needed.</summary>
        [Parameter]
        [ValidateNotNull]
        public object? Metadata { get; set; }

        /// <summary>queue, operator or team (tab completes).</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Trimmed]
        [ArgumentCompleter(typeof(KnownValuesCompleter))]
        public string? AssignmentType { get; set; }

        /// <summary>The queue name, operator id or team.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Trimmed]
        public string? AssignmentTarget { get; set; }

        // -Metadata as sent, made once: it comes from the command line only, so a mistake in it is said once, not for each row.
        private object? _metadata;

        protected override void BeginProcessing()
        {
            if (Metadata != null)
            {
                try
                {
                    _metadata = PowerShellValues.ToMetadata(Metadata);
                    StartConversationRequest.ValidateMetadata(_metadata);
                }
                catch (ArgumentException ex)
                {
                    ThrowTerminatingError(ErrorMapper.From(ex, null, "-Metadata"));
                }
                if (PowerShellValues.InexactNumbers(_metadata, "Jelou gets those; give numbers that must keep every digit (ids) as strings.") is string inexact) Warn(inexact);
            }
            base.BeginProcessing();
        }

        private protected override void ProcessProject(string projectId)
        {
            var request = new StartConversationRequest
            {
                BotId = BotId,
                UserId = UserId,
                InitialMessage = PowerShellValues.Given(InitialMessage),
                AssignmentType = PowerShellValues.Given(AssignmentType),
                AssignmentTarget = PowerShellValues.Given(AssignmentTarget),
                Metadata = _metadata,
            };
            if (!TryValidate(UserId, request.Validate)) return;
            if (!Approved(Target, "Start a conversation")) return;
            Submit(UserId, (trace, token) => Client.StartConversationAsync(projectId, request, trace, token, CallTimeout), conversation =>
            {
                if (conversation.RoomId is null)
                {
                    Warn($"Jelou's answer for {request.UserId} named no conversation or room id: a reply needs the room id, which the conversation.start event carries.");
                }
                WriteObject(JelouView.Shown(conversation));
            });
        }
    }

    /// <summary>Close-JelouConversation: closes the user's conversation with the bot.</summary>
    [Cmdlet(VerbsCommon.Close, "JelouConversation", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(void))]
    public sealed class CloseJelouConversationCommand : ConversationCmdletBase
    {
        /// <summary>text (send -RedirectText to the user) or edge.</summary>
        [Parameter]
        [Trimmed]
        [ValidateSet(CloseConversationRequest.TextRedirect, CloseConversationRequest.EdgeRedirect)]
        public string? RedirectType { get; set; }

        [Parameter]
        [FreeText]
        [ValidateNotNullOrEmpty]
        public string? RedirectText { get; set; }

        protected override void BeginProcessing()
        {
            // -RedirectType and -RedirectText come from the command line only: a mistake in them is said once, not for each row.
            try
            {
                new CloseConversationRequest { RedirectType = RedirectType, RedirectText = RedirectText }.ValidateRedirect();
            }
            catch (ArgumentException ex)
            {
                // Its message names the parameter.
                ThrowTerminatingError(ErrorMapper.From(ex, null));
            }
            base.BeginProcessing();
        }

        private protected override void ProcessProject(string projectId)
        {
            var request = new CloseConversationRequest { BotId = BotId, UserId = UserId, RedirectType = RedirectType, RedirectText = RedirectText };
            if (!TryValidate(UserId, request.Validate)) return;
            if (!Approved(Target, "Close the conversation")) return;
            string closed = $"Closed the conversation of {UserId} with {BotId}.";
            Submit(UserId, (trace, token) => Client.CloseConversationAsync(projectId, request, trace, token, CallTimeout), () => Trace(closed));
        }
    }

    /// <summary>Get-JelouConversation: one conversation by id.</summary>
    [Cmdlet(VerbsCommon.Get, "JelouConversation")]
    [OutputType(typeof(Conversation))]
    public sealed class GetJelouConversationCommand : ProjectCmdletBase
    {
        [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
        [Alias("Id")]
        [Trimmed]
        [ValidateId]
        public string ConversationId { get; set; } = null!;

        internal override string? CurrentItem => $"Conversation '{ConversationId}' of project '{CurrentProjectId}'";

        private protected override void ProcessProject(string projectId)
        {
            string conversationId = ConversationId;
            Submit(conversationId, (trace, token) => Client.GetConversationAsync(projectId, conversationId, trace, token, CallTimeout), conversation => WriteObject(JelouView.Shown(conversation)));
        }
    }
}
