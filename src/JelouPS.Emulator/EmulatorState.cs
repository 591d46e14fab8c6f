using System;
using System.Collections.Generic;
using System.Linq;

namespace JelouPS.Emulator;

/// <summary>Integrations, conversations and agent messages, in memory.</summary>
/// <remarks>
/// Handlers take <see cref="Sync"/> themselves: a request validates against the current state and
/// then changes it (409 on a duplicate create, PATCH rules that depend on the stored authType), and
/// both must happen atomically. One lock is plenty for an emulator.
/// </remarks>
internal sealed class EmulatorState
{
    public object Sync { get; } = new();

    /// <summary>By project id. Guarded by <see cref="Sync"/>.</summary>
    public Dictionary<string, IntegrationRecord> Integrations { get; } = new(StringComparer.Ordinal);

    /// <summary>By conversation id. Guarded by <see cref="Sync"/>.</summary>
    public Dictionary<string, ConversationRecord> Conversations { get; } = new(StringComparer.Ordinal);

    /// <summary>Guarded by <see cref="Sync"/>.</summary>
    public List<AgentMessage> AgentMessages { get; } = new();

    /// <summary>Caller holds <see cref="Sync"/>.</summary>
    public ConversationRecord? FindActive(string projectId, string botId, string userId) =>
        Conversations.Values.FirstOrDefault(c =>
            c.IsActive && c.ProjectId == projectId && c.BotId == botId && c.UserId == userId);

    /// <summary>Caller holds <see cref="Sync"/>.</summary>
    public ConversationRecord? FindByRoom(string projectId, string roomId) =>
        Conversations.Values.FirstOrDefault(c => c.ProjectId == projectId && c.RoomId == roomId);

    public IntegrationRecord? FindIntegration(string projectId)
    {
        lock (Sync)
        {
            return Integrations.GetValueOrDefault(projectId);
        }
    }

    public ConversationRecord? FindConversation(string projectId, string conversationId)
    {
        lock (Sync)
        {
            return Conversations.TryGetValue(conversationId, out ConversationRecord? c) && c.ProjectId == projectId ? c : null;
        }
    }

    public AgentMessage[] AgentMessagesSnapshot()
    {
        lock (Sync)
        {
            return AgentMessages.ToArray();
        }
    }

    /// <summary>
    /// Every signing secret and webhook credential ever handed out, even after it is replaced or deleted, so the
    /// request log can scrub it wherever a client might leak it.
    /// </summary>
    public SecretIndex Secrets { get; } = new();

    public void Clear()
    {
        lock (Sync)
        {
            Integrations.Clear();
            Conversations.Clear();
            AgentMessages.Clear();
        }
    }
}
