using System;
using System.Text.Json;

namespace JelouPS.Emulator;

/// <summary>
/// The events Jelou sends to a webhook (jelou-api.md §5), compact and in the documented key order.
/// §5.2 and §5.3 were only partly readable: the members beyond event/timestamp/project_id are
/// modelled on §5.1 (room_id, conversation, contact, bot) and named in the same snake_case.
/// </summary>
internal static class EventPayloads
{
    public const string StartEvent = "conversation.start";
    public const string CloseEvent = "conversation.close";
    public const string MessageEvent = "message";

    // §4.8 shows User.names without a value for it; the emulator has no user directory.
    public const string UserName = "Emulated User";
    public const string BotName = "Emulated Bot";

    public static byte[] ConversationStart(ConversationRecord c, DateTimeOffset at) => Json.Write(w =>
    {
        WriteConversationHead(w, StartEvent, c, at);
        if (c.AssignmentType is not null)
        {
            w.WriteStartObject("assignment");
            w.WriteString("type", c.AssignmentType);
            w.WriteString("target", c.AssignmentTarget);
            w.WriteEndObject();
        }

        if (c.MetadataJson is not null)
        {
            w.WritePropertyName("metadata");
            w.WriteRawValue(c.MetadataJson, skipInputValidation: true);
        }

        w.WriteEndObject();
    });

    public static byte[] ConversationClose(ConversationRecord c, DateTimeOffset at) => Json.Write(w =>
    {
        WriteConversationHead(w, CloseEvent, c, at);
        w.WriteString("reason", c.EndedReason);
        if (c.RedirectPayloadJson is not null)
        {
            w.WritePropertyName("redirect_payload");
            w.WriteRawValue(c.RedirectPayloadJson, skipInputValidation: true);
        }

        w.WriteEndObject();
    });

    /// <summary>§5.1, member for member.</summary>
    public static byte[] Message(ConversationRecord c, string messageId, string text, DateTimeOffset at) => Json.Write(w =>
    {
        w.WriteStartObject();
        w.WriteString("field", "messages");
        w.WriteString("object", "message_event");
        w.WriteString("event_type", MessageEvent);
        w.WriteNumber("timestamp", at.ToUnixTimeMilliseconds());
        w.WriteString("project_id", c.ProjectId);
        w.WriteString("room_id", c.RoomId);
        w.WriteStartObject("contact");
        w.WriteString("id", c.UserId);
        w.WriteString("name", UserName);
        w.WriteEndObject();
        w.WriteStartObject("conversation");
        w.WriteString("id", c.Id);
        w.WriteEndObject();
        w.WriteStartObject("bot");
        w.WriteString("id", c.BotId);
        w.WriteString("name", BotName);
        w.WriteEndObject();
        w.WriteStartObject("value");
        w.WriteString("id", messageId);
        w.WriteString("type", "text");
        w.WriteStartObject("content");
        w.WriteString("body", text);
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndObject();
    });

    private static void WriteConversationHead(Utf8JsonWriter w, string name, ConversationRecord c, DateTimeOffset at)
    {
        w.WriteStartObject();
        w.WriteString("event", name);
        w.WriteNumber("timestamp", at.ToUnixTimeMilliseconds());
        w.WriteString("project_id", c.ProjectId);
        w.WriteString("room_id", c.RoomId);
        w.WriteStartObject("conversation");
        w.WriteString("id", c.Id);
        w.WriteEndObject();
        w.WriteStartObject("contact");
        w.WriteString("id", c.UserId);
        w.WriteEndObject();
        w.WriteStartObject("bot");
        w.WriteString("id", c.BotId);
        w.WriteEndObject();
    }
}
