using System;
using System.Collections.Generic;
using System.Text.Json;

namespace JelouPS.Emulator;

/// <summary>Start, close and get a conversation (jelou-api.md §4.6–4.8).</summary>
internal static class ConversationEndpoints
{
    private const string ClosedByOperator = "closed_by_operator";

    public static ApiResult Start(EmulatorCore core, EmulatorRequest request, string projectId)
    {
        if (!request.TryReadJsonObject(out JsonElement body, out ApiResult? bad))
        {
            return bad!;
        }

        var errors = new ValidationErrors();
        var fields = new FieldReader(body, errors, string.Empty, "botId", "userId", "initialMessage", "metadata", "assignment");
        string? botId = fields.RequiredString("botId");
        string? userId = fields.RequiredString("userId");
        string? initialMessage = fields.OptionalString("initialMessage");
        JsonElement? metadata = fields.OptionalObject("metadata");
        string? assignmentType = null, assignmentTarget = null;
        if (fields.OptionalObject("assignment") is { } assignment)
        {
            var nested = new FieldReader(assignment, errors, "assignment.", "type", "target");
            assignmentType = nested.RequiredOneOf("type", "queue", "operator", "team");
            assignmentTarget = nested.RequiredString("target");
        }

        if (errors.Any)
        {
            return Errors.Validation(errors);
        }

        IntegrationRecord? integration;
        ConversationRecord conversation;
        lock (core.State.Sync)
        {
            integration = core.State.Integrations.GetValueOrDefault(projectId);
            if (integration is null)
            {
                return NoIntegration(projectId);
            }

            // Close identifies a conversation by bot + user, so two active ones for a pair cannot exist.
            if (core.State.FindActive(projectId, botId!, userId!) is { } active)
            {
                return Errors.Conflict($"User {userId} already has an active conversation ({active.Id}) with bot {botId}");
            }

            conversation = new ConversationRecord
            {
                Id = Signing.NewObjectId(),
                ProjectId = projectId,
                RoomId = Guid.NewGuid().ToString("D"),
                BotId = botId!,
                UserId = userId!,
                State = ConversationRecord.Active,
                StartAt = DateTimeOffset.UtcNow,
                InitialMessage = initialMessage,
                MetadataJson = metadata is { } m ? Json.Compact(m) : null,
                AssignmentType = assignmentType,
                AssignmentTarget = assignmentTarget,
            };
            core.State.Conversations.Add(conversation.Id, conversation);
        }

        core.Events.Deliver(integration, EventPayloads.StartEvent, EventPayloads.ConversationStart(conversation, conversation.StartAt));
        return ApiResult.Shaped(core.Shape, "Conversation started successfully", w => WriteConversation(w, conversation, detailed: false));
    }

    public static ApiResult Close(EmulatorCore core, EmulatorRequest request, string projectId)
    {
        if (!request.TryReadJsonObject(out JsonElement body, out ApiResult? bad))
        {
            return bad!;
        }

        var errors = new ValidationErrors();
        var fields = new FieldReader(body, errors, string.Empty, "botId", "userId", "redirectPayload");
        string? botId = fields.RequiredString("botId");
        string? userId = fields.RequiredString("userId");
        JsonElement? redirect = fields.OptionalObject("redirectPayload");
        if (redirect is { } payload)
        {
            // What an "edge" redirect carries is undocumented (§8 item 11): its other members pass as they are.
            var probe = new FieldReader(payload, errors, "redirectPayload.", allowed: null);
            if (probe.RequiredOneOf("type", "text", "edge") == "text")
            {
                var text = new FieldReader(payload, errors, "redirectPayload.", "type", "text");
                text.RequiredString("text");
            }
        }

        if (errors.Any)
        {
            return Errors.Validation(errors);
        }

        IntegrationRecord? integration;
        ConversationRecord closed;
        lock (core.State.Sync)
        {
            integration = core.State.Integrations.GetValueOrDefault(projectId);
            if (integration is null)
            {
                return NoIntegration(projectId);
            }

            ConversationRecord? active = core.State.FindActive(projectId, botId!, userId!);
            if (active is null)
            {
                return Errors.NotFound($"No active conversation for user {userId} with bot {botId} in project {projectId}");
            }

            closed = active with
            {
                State = ConversationRecord.Closed,
                EndAt = DateTimeOffset.UtcNow,
                EndedReason = ClosedByOperator,
                RedirectPayloadJson = redirect is { } r ? Json.Compact(r) : null,
            };
            core.State.Conversations[closed.Id] = closed;
        }

        core.Events.Deliver(integration, EventPayloads.CloseEvent, EventPayloads.ConversationClose(closed, closed.EndAt!.Value));
        return ApiResult.Shaped(core.Shape, "Conversation closed successfully", w => WriteConversation(w, closed, detailed: true));
    }

    public static ApiResult Get(EmulatorCore core, string projectId, string conversationId)
    {
        ConversationRecord? conversation = core.State.FindConversation(projectId, conversationId);
        return conversation is null
            ? Errors.NotFound($"Conversation {conversationId} not found in project {projectId}")
            : ApiResult.Shaped(core.Shape, "Conversation retrieved successfully", w => WriteConversation(w, conversation, detailed: true));
    }

    /// <summary>
    /// §4.8's shape: <c>_id</c>, capitalised <c>User</c>/<c>Bot</c>, endAt/endedReason only once closed.
    /// The start answer (not documented) is the same object with the bare user id.
    /// </summary>
    private static void WriteConversation(Utf8JsonWriter w, ConversationRecord c, bool detailed)
    {
        w.WriteStartObject();
        w.WriteString("_id", c.Id);
        w.WriteString("roomId", c.RoomId);
        w.WriteString("state", c.State);
        w.WriteString("startAt", Json.Timestamp(c.StartAt));
        if (!c.IsActive)
        {
            w.WriteString("endAt", Json.Timestamp(c.EndAt!.Value));
            w.WriteString("endedReason", c.EndedReason);
        }

        w.WriteStartObject("User");
        w.WriteString("id", c.UserId);
        if (detailed)
        {
            w.WriteString("names", EventPayloads.UserName);
            w.WriteString("referenceId", c.UserId);
        }

        w.WriteEndObject();
        w.WriteStartObject("Bot");
        w.WriteString("id", c.BotId);
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static ApiResult NoIntegration(string projectId) => Errors.NotFound($"No integration exists for project {projectId}");
}
