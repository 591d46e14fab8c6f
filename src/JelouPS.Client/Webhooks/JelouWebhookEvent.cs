using System;
using System.Collections.Generic;
using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json;
using JelouPS.Json;

namespace JelouPS.Webhooks
{
    /// <summary>
    /// An event Jelou posted to the provider's webhook. Message events carry <c>event_type</c>, conversation
    /// events carry <c>event</c>; fields are read in snake_case and camelCase, since the conversation
    /// payloads are only partly documented. Unknown events come through as this base type.
    /// </summary>
    public class JelouWebhookEvent
    {
        internal JelouWebhookEvent(JsonElement root, string rawPayload)
        {
            EventName = ReadText(root, "event") ?? ReadText(root, "event_type") ?? "";
            ProjectId = ProjectIdOf(root);
            RoomId = ReadText(root, "room_id") ?? ReadText(root, "roomId");
            ConversationId = ReadText(Child(root, "conversation"), "id") ?? ReadText(root, "conversation_id") ?? ReadText(root, "conversationId");
            UserId = ReadText(Child(root, "contact"), "id") ?? ReadText(Child(root, "user"), "id") ?? ReadText(root, "user_id") ?? ReadText(root, "userId");
            BotId = ReadText(Child(root, "bot"), "id") ?? ReadText(root, "bot_id") ?? ReadText(root, "botId");
            Timestamp = JelouJson.GetDate(root, "timestamp");
            RawPayload = rawPayload;
        }

        /// <summary>"message", "conversation.start", "conversation.close", or whatever Jelou sent.</summary>
        public string EventName { get; }

        /// <summary>The same as <see cref="EventName"/>, under the name Send-JelouTestEvent's -EventType uses.</summary>
        public string EventType => EventName;
        public string? ProjectId { get; }
        public string? RoomId { get; }
        public string? ConversationId { get; }
        public string? UserId { get; }
        public string? BotId { get; }

        /// <summary>
        /// From the body's <c>timestamp</c>: Unix milliseconds, as a number or digits, or ISO 8601 text (a zone-less time
        /// read as UTC). Null when absent or unreadable.
        /// </summary>
        public DateTimeOffset? Timestamp { get; }

        /// <summary>
        /// The body as received, as text: its UTF-8 decoded, without the byte order mark it may begin with (which is no part of
        /// the JSON text, and which ConvertFrom-Json refuses).
        /// </summary>
        public string RawPayload { get; }

        public override string ToString() => $"{Require.PrintableOnOneLine(EventName)} {Require.PrintableId(ProjectId)}/{Require.PrintableId(RoomId)}";

        /// <summary>
        /// Reads one event from the raw body (a UTF-8 byte order mark it begins with is read past, as RFC 8259 §8.1 allows).
        /// Throws FormatException when it is not a JSON object in strict UTF-8.
        /// </summary>
        public static JelouWebhookEvent Parse(byte[] body)
        {
            if (body is null) throw new ArgumentNullException(nameof(body));
            if (SavedText.WideEncoding(body) is var (_, _, named))
            {
                throw new FormatException($"The webhook body is {named}, not the UTF-8 Jelou sends: it was saved to a file as text, or made into bytes with another encoding.");
            }
            ReadOnlyMemory<byte> json = JelouJson.Utf8Json(body);
            string raw;
            try
            {
                raw = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(body, body.Length - json.Length, json.Length);
            }
            catch (DecoderFallbackException ex)
            {
                throw new FormatException("The webhook body is not valid UTF-8.", ex);
            }
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(json, DocumentOptions);
            }
            catch (JsonException ex)
            {
                throw new FormatException($"The webhook body is not valid JSON ({ex.Message.Split('.')[0]}).", ex);
            }
            using (document)
            {
                JsonElement root = document.RootElement;
                if (root.ValueKind != JsonValueKind.Object) throw new FormatException("The webhook body is not a JSON object.");
                try
                {
                    switch (ReadText(root, "event") ?? ReadText(root, "event_type") ?? "")
                    {
                        case "message": return new JelouMessageEvent(root, raw);
                        case "conversation.start": return new JelouConversationStartEvent(root, raw);
                        case "conversation.close": return new JelouConversationCloseEvent(root, raw);
                        default: return new JelouWebhookEvent(root, raw);
                    }
                }
                catch (InvalidOperationException ex)
                {
                    // Text values keep a lone surrogate (see JelouJson.Text); a member name holding one makes a lookup of a
                    // member beside it of the same encoded length throw, so such a body is refused when a name it reads is one.
                    throw new FormatException(LoneSurrogateName, ex);
                }
            }
        }

        /// <summary>Why a body whose member name holds a lone surrogate escape cannot be read.</summary>
        internal const string LoneSurrogateName = "The webhook body has a member name that is not valid Unicode (a lone surrogate escape, which JSON.stringify writes for a key cut inside an emoji), so its members cannot be looked up.";

        /// <summary>How deep a body may nest: JSON.parse sets no limit of 64 levels, as System.Text.Json does by default.</summary>
        internal static readonly JsonDocumentOptions DocumentOptions = new JsonDocumentOptions { MaxDepth = 256 };

        /// <summary>The project a body names, read as the event reads it.</summary>
        internal static string? ProjectIdOf(JsonElement root) => ReadText(root, "project_id") ?? ReadText(root, "projectId");

        private protected static string? ReadText(JsonElement? obj, string name)
        {
            if (obj is not JsonElement element || element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(name, out JsonElement value)) return null;
            return value.ValueKind switch
            {
                JsonValueKind.String => JelouJson.Text(value),
                JsonValueKind.Number => value.GetRawText(),
                JsonValueKind.True => "true",
                JsonValueKind.False => "false",
                _ => null,
            };
        }

        private protected static JsonElement? Child(JsonElement? obj, string name) =>
            obj is JsonElement element && element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.Object
                ? value
                : (JsonElement?)null;

        /// <summary>A JSON value as plain .NET values (dictionaries keep the sender's member order).</summary>
        private protected static object? ToValue(JsonElement? value)
        {
            if (value is not JsonElement element) return null;
            switch (element.ValueKind)
            {
                case JsonValueKind.Object:
                    var members = new List<KeyValuePair<string, object?>>();
                    foreach (JsonProperty property in element.EnumerateObject()) members.Add(new KeyValuePair<string, object?>(property.Name, ToValue(property.Value)));
                    return new JsonObjectValue(members);
                case JsonValueKind.Array:
                    var items = new List<object?>();
                    foreach (JsonElement item in element.EnumerateArray()) items.Add(ToValue(item));
                    return items;
                case JsonValueKind.String: return JelouJson.Text(element);
                case JsonValueKind.Number: return Number(element);
                case JsonValueKind.True: return true;
                case JsonValueKind.False: return false;
                default: return null;
            }
        }

        // As ConvertFrom-Json gives them: a whole number as Int64 (BigInteger past its range), so that an id of 17 digits
        // keeps every digit and 1 stays 1; anything else as Double.
        private static object Number(JsonElement element)
        {
            if (element.TryGetInt64(out long whole)) return whole;
            string raw = element.GetRawText();
            return raw.IndexOfAny(new[] { '.', 'e', 'E' }) < 0 ? BigInteger.Parse(raw, CultureInfo.InvariantCulture) : (object)element.GetDouble();
        }

        private protected static JsonElement? Member(JsonElement root, params string[] names)
        {
            foreach (string name in names)
            {
                if (root.TryGetProperty(name, out JsonElement value) && value.ValueKind != JsonValueKind.Null) return value;
            }
            return null;
        }
    }

    /// <summary>An end user wrote during an active conversation (<c>event_type: message</c>).</summary>
    public sealed class JelouMessageEvent : JelouWebhookEvent
    {
        internal JelouMessageEvent(JsonElement root, string raw) : base(root, raw)
        {
            JsonElement? value = Child(root, "value");
            JsonElement? content = Child(value, "content");
            MessageId = ReadText(value, "id");
            MessageType = ReadText(value, "type");
            Text = ReadText(content, "body");
            MediaUrl = ReadText(content, "url");
            MimeType = ReadText(content, "mime_type");
            Caption = ReadText(content, "caption");
            FileName = ReadText(content, "filename");
            UserName = ReadText(Child(root, "contact"), "name");
            BotName = ReadText(Child(root, "bot"), "name");
        }

        public string? MessageId { get; }

        /// <summary>text, image, video, audio or document.</summary>
        public string? MessageType { get; }

        /// <summary>The text of a text message.</summary>
        public string? Text { get; }
        public string? MediaUrl { get; }
        public string? MimeType { get; }
        public string? Caption { get; }
        public string? FileName { get; }
        public string? UserName { get; }
        public string? BotName { get; }

        public override string ToString() => $"message {Require.PrintableId(MessageId)} from {Require.PrintableId(UserId)}: {Require.PrintableOnOneLine(Text ?? MediaUrl)}";
    }

    /// <summary>A conversation was handed to the external panel (<c>event: conversation.start</c>).</summary>
    public sealed class JelouConversationStartEvent : JelouWebhookEvent
    {
        internal JelouConversationStartEvent(JsonElement root, string raw) : base(root, raw)
        {
            JsonElement? assignment = Child(root, "assignment");
            AssignmentType = ReadText(assignment, "type");
            AssignmentTarget = ReadText(assignment, "target");
            Metadata = ToValue(Member(root, "metadata"));
        }

        public string? AssignmentType { get; }
        public string? AssignmentTarget { get; }

        /// <summary>
        /// The metadata given when the conversation started, as ConvertFrom-Json would give it: objects as ordered
        /// dictionaries, arrays as lists, whole numbers as Int64 (BigInteger past its range), other numbers as Double.
        /// </summary>
        public object? Metadata { get; }
    }

    /// <summary>A conversation was closed (<c>event: conversation.close</c>).</summary>
    public sealed class JelouConversationCloseEvent : JelouWebhookEvent
    {
        internal JelouConversationCloseEvent(JsonElement root, string raw) : base(root, raw)
        {
            Reason = ReadText(root, "reason") ?? ReadText(root, "endedReason") ?? ReadText(root, "ended_reason");
            JsonElement? redirect = Child(root, "redirect_payload") ?? Child(root, "redirectPayload");
            RedirectType = ReadText(redirect, "type");
            RedirectText = ReadText(redirect, "text");
        }

        public string? Reason { get; }
        public string? RedirectType { get; }
        public string? RedirectText { get; }
    }

    /// <summary>A JSON object from an event, members in the sender's order (PowerShell shows and indexes it like a dictionary).</summary>
    public sealed class JsonObjectValue : System.Collections.Specialized.OrderedDictionary
    {
        internal JsonObjectValue(IEnumerable<KeyValuePair<string, object?>> members)
        {
            foreach (KeyValuePair<string, object?> member in members) this[member.Key] = member.Value;
        }
    }
}
