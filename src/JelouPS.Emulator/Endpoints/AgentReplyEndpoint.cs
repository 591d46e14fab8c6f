using System;
using System.Text;
using System.Text.Json;

namespace JelouPS.Emulator;

/// <summary>
/// The chatbot host's <c>POST /v1/external-support/webhook</c> (jelou-api.md §4.9): an agent's reply,
/// authenticated only by X-Jelou-Signature over the exact body bytes.
/// </summary>
/// <remarks>
/// Only 200 and 500 are documented. The emulator invents 400 (not JSON), 401 (signature),
/// 404 (no integration for project_id) and 422 (fields) so that a client's mistakes show up.
/// </remarks>
internal static class AgentReplyEndpoint
{
    private static readonly string[] TopMembers = ["field", "object", "event_type", "project_id", "room_id", "bot_id", "user_id", "value"];

    public static ApiResult Handle(EmulatorCore core, EmulatorRequest request)
    {
        string? signature = request.Headers.TryGetValue(Signing.HeaderName, out var values) && values.Count == 1 ? values[0] : null;
        if (string.IsNullOrEmpty(signature))
        {
            return Errors.InvalidSignature($"Missing {Signing.HeaderName} header");
        }

        if (!request.TryReadJsonObject(out JsonElement body, out ApiResult? bad))
        {
            return bad!;
        }

        // The project must be known before the signature can be checked: its secret is the key.
        var errors = new ValidationErrors();
        var fields = new FieldReader(body, errors, string.Empty, TopMembers);
        string? projectId = fields.RequiredString("project_id");
        if (projectId is null)
        {
            return Errors.Validation(errors);
        }

        IntegrationRecord? integration = core.State.FindIntegration(projectId);
        if (integration is null)
        {
            return Errors.NotFound($"No integration exists for project {projectId}");
        }

        if (!Signing.Verify(request.Body, signature, integration.SigningSecret))
        {
            return Errors.InvalidSignature($"Invalid {Signing.HeaderName}: expected sha256=<lowercase hex HMAC-SHA256 of the raw body, keyed with the project's current signing secret>");
        }

        fields.RequiredOneOf("field", "messages");
        fields.RequiredOneOf("object", "message_event");
        fields.RequiredOneOf("event_type", "incoming_message");
        string? roomId = fields.RequiredString("room_id");
        string? botId = fields.RequiredString("bot_id");
        string? userId = fields.RequiredString("user_id");
        AgentMessage? message = ReadValue(fields, errors);

        ConversationRecord? conversation = null;
        if (roomId is not null)
        {
            lock (core.State.Sync)
            {
                conversation = core.State.FindByRoom(projectId, roomId);
            }

            if (conversation is not { IsActive: true })
            {
                errors.Add("room_id", "room_id must be the room of an active conversation");
            }
            else
            {
                if (botId is not null && botId != conversation.BotId)
                {
                    errors.Add("bot_id", "bot_id does not match the conversation of room_id");
                }

                if (userId is not null && userId != conversation.UserId)
                {
                    errors.Add("user_id", "user_id does not match the conversation of room_id");
                }
            }
        }

        if (errors.Any)
        {
            return Errors.Validation(errors);
        }

        AgentMessage accepted = message! with
        {
            ProjectId = projectId,
            ConversationId = conversation!.Id,
            RoomId = roomId!,
            BotId = botId!,
            UserId = userId!,
            RawBody = Encoding.UTF8.GetString(request.Body),
            ReceivedAt = DateTimeOffset.UtcNow,
        };
        lock (core.State.Sync)
        {
            core.State.AgentMessages.Add(accepted);
        }

        return ApiResult.Message("Message received");
    }

    /// <summary>value.{id,type,content}, with content checked against the table for its type.</summary>
    private static AgentMessage? ReadValue(FieldReader fields, ValidationErrors errors)
    {
        if (fields.RequiredObject("value") is not { } value)
        {
            return null;
        }

        var valueFields = new FieldReader(value, errors, "value.", "id", "type", "content");
        string? id = valueFields.RequiredString("id");
        string? type = valueFields.RequiredOneOf("type", "text", "image", "video", "audio", "document");
        JsonElement? content = valueFields.RequiredObject("content");
        if (type is null || content is not { } c)
        {
            return null;
        }

        // Caption and filename sit inside content beside url: the most natural reading of §4.9 (§8 item 10).
        string[] allowed = type switch
        {
            "text" => ["body"],
            "image" or "video" => ["url", "mime_type", "caption"],
            "audio" => ["url", "mime_type"],
            _ => ["url", "mime_type", "filename"],
        };
        var contentFields = new FieldReader(c, errors, "value.content.", allowed);
        var message = new AgentMessage
        {
            ProjectId = string.Empty,
            ConversationId = string.Empty,
            RoomId = string.Empty,
            BotId = string.Empty,
            UserId = string.Empty,
            MessageId = id ?? string.Empty,
            Type = type,
            RawBody = string.Empty,
            ReceivedAt = default,
        };
        if (type == "text")
        {
            return message with { Text = contentFields.RequiredString("body") };
        }

        return message with
        {
            Url = contentFields.RequiredHttpsUrl("url", allowLoopbackHttp: false),
            MimeType = contentFields.RequiredString("mime_type"),
            Caption = type is "image" or "video" ? contentFields.OptionalString("caption") : null,
            FileName = type == "document" ? contentFields.OptionalString("filename") : null,
        };
    }
}
