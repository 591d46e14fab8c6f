using System;

namespace JelouPS
{
    /// <summary>A support conversation (the API's get-conversation shape: <c>_id</c>, <c>roomId</c>, <c>User</c>, <c>Bot</c>).</summary>
    public sealed class Conversation
    {
        internal Conversation(string projectId, string? id, string? roomId, string? state, DateTimeOffset? startAt, DateTimeOffset? endAt,
            string? endedReason, ConversationUser? user, ConversationBot? bot)
        {
            ProjectId = projectId;
            Id = id;
            RoomId = roomId;
            State = state;
            StartAt = startAt;
            EndAt = endAt;
            EndedReason = endedReason;
            User = user;
            Bot = bot;
        }

        public string ProjectId { get; }

        /// <summary>The API base URI that answered; piped to a command on another connection, it is refused rather than acted on there.</summary>
        public Uri? ApiBaseUri { get; internal set; }

        public string? Id { get; }
        public string? RoomId { get; }

        /// <summary>"active" or "closed".</summary>
        public string? State { get; }
        public DateTimeOffset? StartAt { get; }

        /// <summary>Set once closed.</summary>
        public DateTimeOffset? EndAt { get; }

        /// <summary>Why it ended, e.g. "closed_by_operator".</summary>
        public string? EndedReason { get; }
        public ConversationUser? User { get; }
        public ConversationBot? Bot { get; }

        /// <summary>The end user's id (so conversations pipe into cmdlets that take -UserId).</summary>
        public string? UserId => User?.Id;

        /// <summary>The bot's id (so conversations pipe into cmdlets that take -BotId).</summary>
        public string? BotId => Bot?.Id;

        public override string ToString() => $"{Require.PrintableId(Id)} ({Require.PrintableOnOneLine(State)}) {Require.PrintableId(UserId)} @ {Require.PrintableId(BotId)}";
    }

    public sealed class ConversationUser
    {
        internal ConversationUser(string? id, string? names, string? referenceId)
        {
            Id = id;
            Names = names;
            ReferenceId = referenceId;
        }

        public string? Id { get; }
        public string? Names { get; }

        /// <summary>The user's reference in the external system.</summary>
        public string? ReferenceId { get; }

        public override string ToString() => Names is null ? Require.PrintableId(Id) : $"{Require.PrintableOnOneLine(Names)} ({Require.PrintableId(Id)})";
    }

    public sealed class ConversationBot
    {
        internal ConversationBot(string? id, string? name)
        {
            Id = id;
            Name = name;
        }

        public string? Id { get; }
        public string? Name { get; }

        public override string ToString() => Name is null ? Require.PrintableId(Id) : $"{Require.PrintableOnOneLine(Name)} ({Require.PrintableId(Id)})";
    }
}
