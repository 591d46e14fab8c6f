using System;
using System.Collections.Generic;
using System.Linq;
using static JelouPS.Json.JavaScriptJson;

namespace JelouPS
{
    /// <summary>An agent's reply to the end user: the documented <c>incoming_message</c> payload.</summary>
    public sealed class SupportMessage
    {
        public const string TextType = "text";
        public const string ImageType = "image";
        public const string VideoType = "video";
        public const string AudioType = "audio";
        public const string DocumentType = "document";

        public static readonly string[] Types = { TextType, ImageType, VideoType, AudioType, DocumentType };

        public string ProjectId { get; set; } = "";
        public string RoomId { get; set; } = "";
        public string BotId { get; set; } = "";
        public string UserId { get; set; } = "";

        /// <summary>Your unique id for the message; a new one when null.</summary>
        public string? MessageId { get; set; }

        /// <summary>text, image, video, audio or document.</summary>
        public string Type { get; set; } = TextType;
        public string? Text { get; set; }
        public Uri? MediaUrl { get; set; }
        public string? MimeType { get; set; }

        /// <summary>For image and video.</summary>
        public string? Caption { get; set; }

        /// <summary>For document.</summary>
        public string? FileName { get; set; }

        internal void Validate()
        {
            Require.Id(ProjectId, nameof(ProjectId));
            Require.Id(RoomId, nameof(RoomId));
            Require.Id(BotId, nameof(BotId));
            Require.Id(UserId, nameof(UserId));
            Type = Require.OneOf(Type, Types, "MediaType");
            MessageId = Require.Id(MessageId ?? Guid.NewGuid().ToString(), nameof(MessageId));
            Require.Text(Text, nameof(Text));
            Require.Text(Caption, nameof(Caption));
            Require.Line(FileName, nameof(FileName));
            Require.Line(MimeType, nameof(MimeType));
            if (Type == TextType)
            {
                Require.NotEmpty(Text, nameof(Text));
                if (MediaUrl != null || MimeType != null || Caption != null || FileName != null)
                {
                    throw new ArgumentException("A text message takes no -MediaUrl, -MimeType, -Caption or -FileName.", nameof(Text));
                }
                return;
            }
            if (Text != null) throw new ArgumentException($"A {Type} message takes no -Text; use -Caption for images and videos.", nameof(Text));
            if (MediaUrl is null) throw new ArgumentException($"A {Type} message needs -MediaUrl.", nameof(MediaUrl));
            MediaUrl = JelouUris.RequireSecure(MediaUrl, nameof(MediaUrl));
            if (MediaUrl.Scheme != Uri.UriSchemeHttps) throw new ArgumentException("Jelou fetches media over https only: -MediaUrl must be an https URL Jelou can reach.", nameof(MediaUrl));
            Require.NotEmpty(MimeType, nameof(MimeType));
            RequireMediaType(MimeType!, Type);
            if (Caption != null && Type != ImageType && Type != VideoType) throw new ArgumentException("Only images and videos take -Caption.", nameof(Caption));
            if (FileName != null && Type != DocumentType) throw new ArgumentException("Only documents take -FileName.", nameof(FileName));
        }

        // A MIME type as HTTP reads one (RFC 6838: type/subtype, parameters allowed: audio/ogg; codecs=opus), and for an image,
        // a video or an audio its own kind: the receiving channel would show a broken attachment. A document takes any type.
        private static void RequireMediaType(string mimeType, string type)
        {
            if (!System.Net.Http.Headers.MediaTypeHeaderValue.TryParse(mimeType, out System.Net.Http.Headers.MediaTypeHeaderValue? parsed) || parsed.MediaType is null
                || parsed.Parameters.Any(parameter => parameter.Value is null))
            {
                throw new ArgumentException($"-MimeType '{mimeType}' is not a MIME type: give type/subtype, such as image/jpeg, video/mp4, audio/ogg or application/pdf (parameters as name=value).", nameof(MimeType));
            }
            if (parsed.MediaType.IndexOf('*') >= 0)
            {
                throw new ArgumentException($"-MimeType '{mimeType}' is a pattern of types, not a file's type: give the file's own, such as image/jpeg.", nameof(MimeType));
            }
            string kind = parsed.MediaType.Substring(0, parsed.MediaType.IndexOf('/'));
            if (type != DocumentType && !string.Equals(kind, type, StringComparison.OrdinalIgnoreCase))
            {
                throw new ArgumentException($"-MimeType '{mimeType}' is not a type of {type}: -MediaType {type} takes {type}/<subtype>. Correct -MimeType, or send the file as -MediaType document.", nameof(MimeType));
            }
        }

        /// <summary>The payload's members in the documented order.</summary>
        internal IEnumerable<KeyValuePair<string, object?>> Payload()
        {
            var content = new List<KeyValuePair<string, object?>>();
            if (Type == TextType)
            {
                content.Add(Member("body", Text));
            }
            else
            {
                content.Add(Member("url", MediaUrl!.OriginalString));
                content.Add(Member("mime_type", MimeType));
                if (Caption != null) content.Add(Member("caption", Caption));
                if (FileName != null) content.Add(Member("filename", FileName));
            }
            return new[]
            {
                Member("field", "messages"),
                Member("object", "message_event"),
                Member("event_type", "incoming_message"),
                Member("project_id", ProjectId),
                Member("room_id", RoomId),
                Member("bot_id", BotId),
                Member("user_id", UserId),
                Member("value", new[] { Member("id", MessageId), Member("type", Type), Member("content", content) }),
            };
        }
    }

    /// <summary>What Jelou answered to an agent reply.</summary>
    public sealed class SupportMessageReceipt
    {
        internal SupportMessageReceipt(string projectId, string roomId, string messageId, string type, int statusCode, DateTimeOffset sentAt)
        {
            ProjectId = projectId;
            RoomId = roomId;
            MessageId = messageId;
            Type = type;
            StatusCode = statusCode;
            SentAt = sentAt;
        }

        public string ProjectId { get; }
        public string RoomId { get; }
        public string MessageId { get; }
        public string Type { get; }
        public int StatusCode { get; }
        public DateTimeOffset SentAt { get; }

        public override string ToString() => $"{Require.PrintableId(MessageId)} ({Require.PrintableOnOneLine(Type)}) -> {Require.PrintableId(RoomId)}: {StatusCode}";
    }
}
