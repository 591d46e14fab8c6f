using System;
using JelouPS.Json;

namespace JelouPS
{
    /// <summary>What <c>conversations/start</c> takes. Null members are not sent.</summary>
    public sealed class StartConversationRequest
    {
        public string BotId { get; set; } = "";
        public string UserId { get; set; } = "";
        public string? InitialMessage { get; set; }

        /// <summary>Free-form context: dictionaries, lists, strings, numbers and booleans, nested as deep as needed.</summary>
        public object? Metadata { get; set; }

        /// <summary>queue, operator or team.</summary>
        public string? AssignmentType { get; set; }

        /// <summary>The queue name, operator id or team the conversation goes to.</summary>
        public string? AssignmentTarget { get; set; }

        public static readonly string[] AssignmentTypes = { "queue", "operator", "team" };

        /// <summary>
        /// Refuses metadata that cannot be sent, with where in it (a value with no JSON form, two keys of the same text), at
        /// the depth it has in the body: before any request, and once for a whole pipeline of starts.
        /// </summary>
        internal static void ValidateMetadata(object? metadata)
        {
            if (metadata != null) JavaScriptJson.Stringify(new[] { JavaScriptJson.Member("metadata", metadata) });
        }

        internal void Validate()
        {
            Require.Id(BotId, nameof(BotId));
            Require.Id(UserId, nameof(UserId));
            Require.Text(InitialMessage, nameof(InitialMessage));
            ValidateMetadata(Metadata);
            Require.Line(AssignmentTarget, nameof(AssignmentTarget));
            if (AssignmentType != null) AssignmentType = Require.OneOf(AssignmentType, AssignmentTypes, nameof(AssignmentType));
            if ((AssignmentType is null) != string.IsNullOrEmpty(AssignmentTarget))
            {
                throw new ArgumentException("An assignment needs both -AssignmentType and -AssignmentTarget.", AssignmentType is null ? nameof(AssignmentType) : nameof(AssignmentTarget));
            }
        }
    }

    /// <summary>What <c>conversations/close</c> takes: the conversation is the user's with the bot.</summary>
    public sealed class CloseConversationRequest
    {
        public string BotId { get; set; } = "";
        public string UserId { get; set; } = "";

        /// <summary>text (send <see cref="RedirectText"/>) or edge; null sends no redirect payload.</summary>
        public string? RedirectType { get; set; }
        public string? RedirectText { get; set; }

        public const string TextRedirect = "text";
        public const string EdgeRedirect = "edge";

        public static readonly string[] RedirectTypes = { TextRedirect, EdgeRedirect };

        internal void Validate()
        {
            Require.Id(BotId, nameof(BotId));
            Require.Id(UserId, nameof(UserId));
            ValidateRedirect();
        }

        /// <summary>The redirect alone: the same for every conversation a command closes.</summary>
        internal void ValidateRedirect()
        {
            Require.Text(RedirectText, nameof(RedirectText));
            if (RedirectType is null && RedirectText != null) RedirectType = TextRedirect;
            if (RedirectType is null) return;
            RedirectType = Require.OneOf(RedirectType, RedirectTypes, nameof(RedirectType));
            if (RedirectType == TextRedirect && string.IsNullOrEmpty(RedirectText))
            {
                throw new ArgumentException("A text redirect needs -RedirectText, the message the user gets on close.", nameof(RedirectText));
            }
            if (RedirectType == EdgeRedirect && RedirectText != null)
            {
                throw new ArgumentException("An edge redirect takes no -RedirectText.", nameof(RedirectText));
            }
        }
    }
}
