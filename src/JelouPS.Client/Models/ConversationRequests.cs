using System;

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

        internal void Validate()
        {
            Require.NotEmpty(BotId, nameof(BotId));
            Require.NotEmpty(UserId, nameof(UserId));
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
            Require.NotEmpty(BotId, nameof(BotId));
            Require.NotEmpty(UserId, nameof(UserId));
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

    /// <summary>Argument checks shared by the request types, with messages that name the parameter.</summary>
    internal static class Require
    {
        internal static void NotEmpty(string? value, string name)
        {
            if (string.IsNullOrEmpty(value)) throw new ArgumentException($"{name} must not be empty.", name);
        }

        internal static string OneOf(string value, string[] allowed, string name)
        {
            foreach (string known in allowed)
            {
                if (string.Equals(known, value, StringComparison.OrdinalIgnoreCase)) return known;
            }
            throw new ArgumentException($"'{value}' is not a valid {name}; use one of {string.Join(", ", allowed)}.", name);
        }
    }
}
