using System;
using System.Collections.Generic;
using System.Collections.Specialized;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Security;
using System.Text;
using System.Text.Json;
using System.Threading.Tasks;
using JelouPS.Emulator;
using JelouPS.Security;
using JelouPS.Tests.EmulatorContract;
using JelouPS.Webhooks;
using Xunit;
using static JelouPS.Tests.Client.TestClients;

namespace JelouPS.Tests.Client
{
    /// <summary>
    /// The whole loop against the emulator: integration -> start conversation -> signed event to our receiver
    /// -> typed event -> signed agent reply the emulator verifies.
    /// </summary>
    public sealed class ConversationLoopTests : IClassFixture<EmulatorFixture>
    {
        private readonly JelouEmulator _emulator;

        public ConversationLoopTests(EmulatorFixture fixture)
        {
            _emulator = fixture.Emulator;
            _emulator.Shape = ResponseShape.Envelope;
        }

        private async Task<(JelouClient Client, string ProjectId, SecureString Secret, WebhookReceiver Receiver)> IntegrationAsync()
        {
            WebhookReceiver receiver = await WebhookReceiver.StartAsync();
            JelouClient client = ForEmulator(_emulator);
            string projectId = NewProjectId();
            ExternalSupportIntegration integration = await client.CreateExternalSupportAsync(projectId, new ExternalSupportSettings
            {
                WebhookUrl = receiver.Url,
                AuthType = "bearer",
                Authorization = Secure("receiver-token"),
            });
            return (client, projectId, integration.SigningSecret!, receiver);
        }

        [Fact]
        public async Task A_started_conversation_reaches_the_receiver_as_a_signed_typed_event()
        {
            var (client, projectId, secret, receiver) = await IntegrationAsync();
            await using var _ = receiver;
            using var __ = client;
            var metadata = new OrderedDictionary { ["ticketId"] = "T-12345", ["tags"] = new[] { "vip", "es" }, ["nested"] = new OrderedDictionary { ["level"] = 2 } };

            Conversation conversation = await client.StartConversationAsync(projectId, new StartConversationRequest
            {
                BotId = "bot-1",
                UserId = "user-1",
                InitialMessage = "Hola 👋",
                Metadata = metadata,
                AssignmentType = "QUEUE",
                AssignmentTarget = "SUPPORT",
            });

            Assert.Equal("{\"botId\":\"bot-1\",\"userId\":\"user-1\",\"initialMessage\":\"Hola 👋\",\"metadata\":{\"ticketId\":\"T-12345\",\"tags\":[\"vip\",\"es\"],\"nested\":{\"level\":2}},\"assignment\":{\"type\":\"queue\",\"target\":\"SUPPORT\"}}",
                _emulator.Requests.Last(r => r.Path.EndsWith("/conversations/start", StringComparison.Ordinal)).Body);
            Assert.Equal("active", conversation.State);
            Assert.Equal("user-1", conversation.UserId);
            Assert.Equal("bot-1", conversation.BotId);

            ReceivedWebhook delivery = await receiver.NextAsync();
            Assert.Equal("Bearer receiver-token", delivery.Header("Authorization"));
            Assert.True(JelouSignature.Verify(delivery.Body, delivery.Header("X-Jelou-Signature"), secret));
            var started = Assert.IsType<JelouConversationStartEvent>(JelouWebhookEvent.Parse(delivery.Body));
            Assert.Equal(projectId, started.ProjectId);
            Assert.Equal(conversation.Id, started.ConversationId);
            Assert.Equal(conversation.RoomId, started.RoomId);
            Assert.Equal("user-1", started.UserId);
            Assert.Equal("queue", started.AssignmentType);
            Assert.Equal("T-12345", ((OrderedDictionary)started.Metadata!)["ticketId"]);
            Assert.Equal(2L, ((OrderedDictionary)((OrderedDictionary)started.Metadata!)["nested"]!)["level"]);
            Assert.Equal(Encoding.UTF8.GetString(delivery.Body), started.RawPayload);
        }

        [Fact]
        public async Task A_user_message_event_is_answered_with_a_signed_reply_the_emulator_accepts()
        {
            var (client, projectId, secret, receiver) = await IntegrationAsync();
            await using var _ = receiver;
            using var __ = client;
            Conversation conversation = await client.StartConversationAsync(projectId, new StartConversationRequest { BotId = "bot-2", UserId = "user-2" });
            await receiver.NextAsync();

            await _emulator.SendUserMessageAsync(projectId, conversation.Id!, "¿Dónde está mi pedido?");
            var message = Assert.IsType<JelouMessageEvent>(JelouWebhookEvent.Parse((await receiver.NextAsync()).Body));
            Assert.Equal("¿Dónde está mi pedido?", message.Text);
            Assert.Equal("text", message.MessageType);

            SupportMessageReceipt receipt = await client.SendSupportMessageAsync(new SupportMessage
            {
                ProjectId = message.ProjectId!,
                RoomId = message.RoomId!,
                BotId = message.BotId!,
                UserId = message.UserId!,
                Text = "Ya va en camino 🚚",
            }, secret);

            AgentMessage delivered = Assert.Single(_emulator.AgentMessages, m => m.MessageId == receipt.MessageId);
            Assert.Equal("Ya va en camino 🚚", delivered.Text);
            Assert.Equal(200, receipt.StatusCode);
            RecordedRequest sent = _emulator.Requests.Last(r => r.Path == "/v1/external-support/webhook");
            Assert.Equal("none", sent.Authentication);
            Assert.Equal("application/json", sent.ContentType);
            Assert.False(sent.Headers.ContainsKey("x-api-key"));
            Assert.True(JelouSignature.Verify(Encoding.UTF8.GetBytes(sent.Body), sent.Headers["X-Jelou-Signature"], secret));
            Assert.Equal($"{{\"field\":\"messages\",\"object\":\"message_event\",\"event_type\":\"incoming_message\",\"project_id\":\"{projectId}\",\"room_id\":\"{message.RoomId}\",\"bot_id\":\"bot-2\",\"user_id\":\"user-2\",\"value\":{{\"id\":\"{receipt.MessageId}\",\"type\":\"text\",\"content\":{{\"body\":\"Ya va en camino 🚚\"}}}}}}", sent.Body);
        }

        [Theory]
        [InlineData("image", "https://cdn.example.com/a.jpg", "image/jpeg", "A caption", null)]
        [InlineData("video", "https://cdn.example.com/a.mp4", "video/mp4", null, null)]
        [InlineData("audio", "https://cdn.example.com/a.ogg", "audio/ogg", null, null)]
        [InlineData("document", "https://cdn.example.com/a.pdf", "application/pdf", null, "invoice.pdf")]
        public async Task Media_replies_carry_the_documented_content(string type, string url, string mime, string? caption, string? fileName)
        {
            var (client, projectId, secret, receiver) = await IntegrationAsync();
            await using var _ = receiver;
            using var __ = client;
            Conversation conversation = await client.StartConversationAsync(projectId, new StartConversationRequest { BotId = "bot-3", UserId = "user-3" });

            SupportMessageReceipt receipt = await client.SendSupportMessageAsync(new SupportMessage
            {
                ProjectId = projectId, RoomId = conversation.RoomId!, BotId = "bot-3", UserId = "user-3",
                Type = type, MediaUrl = new Uri(url), MimeType = mime, Caption = caption, FileName = fileName, MessageId = "m-" + type,
            }, secret);

            AgentMessage delivered = Assert.Single(_emulator.AgentMessages, m => m.MessageId == "m-" + type && m.ProjectId == projectId);
            Assert.Equal((type, url, mime, caption, fileName), (delivered.Type, delivered.Url, delivered.MimeType, delivered.Caption, delivered.FileName));
        }

        [Fact]
        public async Task A_reply_signed_with_the_old_secret_after_a_rotation_is_rejected()
        {
            var (client, projectId, oldSecret, receiver) = await IntegrationAsync();
            await using var _ = receiver;
            using var __ = client;
            Conversation conversation = await client.StartConversationAsync(projectId, new StartConversationRequest { BotId = "bot-4", UserId = "user-4" });
            await client.RegenerateSigningSecretAsync(projectId);

            var error = await Assert.ThrowsAsync<JelouApiException>(() => client.SendSupportMessageAsync(new SupportMessage
            {
                ProjectId = projectId, RoomId = conversation.RoomId!, BotId = "bot-4", UserId = "user-4", Text = "hi",
            }, oldSecret));

            // The reply endpoint takes no API key: a 401 there is about the signing secret, never the connection.
            Assert.Equal(JelouErrorKind.SignatureRejected, error.Kind);
            Assert.Equal(JelouOperation.SendMessage, error.Operation);
        }

        [Fact]
        public async Task Close_sends_the_redirect_payload_and_get_reads_the_closed_conversation()
        {
            var (client, projectId, _, receiver) = await IntegrationAsync();
            await using var __ = receiver;
            using var ___ = client;
            Conversation started = await client.StartConversationAsync(projectId, new StartConversationRequest { BotId = "bot-5", UserId = "user-5" });

            await client.CloseConversationAsync(projectId, new CloseConversationRequest { BotId = "bot-5", UserId = "user-5", RedirectText = "¡Gracias!" });
            _emulator.Shape = ResponseShape.Flat;
            Conversation closed = await client.GetConversationAsync(projectId, started.Id!);

            Assert.Equal("{\"botId\":\"bot-5\",\"userId\":\"user-5\",\"redirectPayload\":{\"type\":\"text\",\"text\":\"¡Gracias!\"}}",
                _emulator.Requests.Last(r => r.Path.EndsWith("/conversations/close", StringComparison.Ordinal)).Body);
            Assert.Equal("closed", closed.State);
            Assert.Equal("closed_by_operator", closed.EndedReason);
            Assert.NotNull(closed.EndAt);
            Assert.Equal("user-5", closed.User!.Id);
            Assert.Equal(started.RoomId, closed.RoomId);
        }

        [Theory]
        [InlineData(null, "x", "AssignmentType")]
        [InlineData("queue", null, "AssignmentTarget")]
        [InlineData("desk", "x", "AssignmentType")]
        public async Task Assignment_needs_both_halves_and_a_known_type(string? type, string? target, string parameter)
        {
            using JelouClient client = ForEmulator(_emulator);
            var error = await Assert.ThrowsAsync<ArgumentException>(() => client.StartConversationAsync("p", new StartConversationRequest { BotId = "b", UserId = "u", AssignmentType = type, AssignmentTarget = target }));
            Assert.Equal(parameter, error.ParamName);
        }

        [Theory]
        [InlineData("text", null, null, "Text")]
        [InlineData("image", "http://cdn.example.com/a.jpg", "image/jpeg", "MediaUrl")]
        [InlineData("audio", "https://cdn.example.com/a.ogg", null, "MimeType")]
        [InlineData("sticker", "https://cdn.example.com/a", "x/y", "MediaType")]
        public async Task Replies_are_checked_before_sending(string type, string? url, string? mime, string parameter)
        {
            using JelouClient client = ForEmulator(_emulator);
            var error = await Assert.ThrowsAsync<ArgumentException>(() => client.SendSupportMessageAsync(new SupportMessage
            {
                ProjectId = "p", RoomId = "r", BotId = "b", UserId = "u", Type = type, MediaUrl = url is null ? null : new Uri(url), MimeType = mime,
            }, Secure("s")));
            Assert.Equal(parameter, error.ParamName);
        }

        [Theory]
        [InlineData("image", "not a mime", "is not a MIME type: give type/subtype")]
        [InlineData("image", "jpeg", "is not a MIME type")]
        [InlineData("image", "application/pdf", "is not a type of image: -MediaType image takes image/<subtype>")]
        [InlineData("video", "image/jpeg", "is not a type of video")]
        [InlineData("audio", "video/mp4", "is not a type of audio")]
        [InlineData("image", "image/png;", "is not a MIME type")]
        [InlineData("audio", "audio/ogg; codecs", "(parameters as name=value)")]
        [InlineData("image", "image/*", "is a pattern of types, not a file's type")]
        [InlineData("image", "*/*", "is a pattern of types")]
        public async Task A_mime_type_that_is_none_or_of_another_kind_is_refused_before_sending(string type, string mime, string message)
        {
            using JelouClient client = ForEmulator(_emulator);
            var error = await Assert.ThrowsAsync<ArgumentException>(() => client.SendSupportMessageAsync(new SupportMessage
            {
                ProjectId = "p", RoomId = "r", BotId = "b", UserId = "u", Type = type, MediaUrl = new Uri("https://cdn.example.com/a"), MimeType = mime,
            }, Secure("s")));
            Assert.Equal("MimeType", error.ParamName);
            Assert.Contains(message, error.Message);
        }

        [Theory]
        [InlineData("audio", "audio/ogg; codecs=opus")]
        [InlineData("image", "IMAGE/PNG")]
        [InlineData("document", "application/vnd.openxmlformats-officedocument.wordprocessingml.document")]
        [InlineData("document", "image/jpeg")]
        public void A_mime_type_of_the_media_kind_passes_as_given(string type, string mime)
        {
            var message = new SupportMessage { ProjectId = "p", RoomId = "r", BotId = "b", UserId = "u", Type = type, MediaUrl = new Uri("https://cdn.example.com/a"), MimeType = mime };
            message.Validate();
            Assert.Equal(mime, message.MimeType);
        }
    }

    public sealed class WebhookEventTests
    {
        [Fact]
        public void The_documented_message_event_reads_into_its_type()
        {
            const string body = "{\"field\":\"messages\",\"object\":\"message_event\",\"event_type\":\"message\",\"timestamp\":1776134278574,\"project_id\":\"P\",\"room_id\":\"R\",\"contact\":{\"id\":\"U\",\"name\":\"Ana\"},\"conversation\":{\"id\":\"C\"},\"bot\":{\"id\":\"B\",\"name\":\"Bot\"},\"value\":{\"id\":\"M\",\"type\":\"image\",\"content\":{\"url\":\"https://s.example.com/i.jpg\",\"mime_type\":\"image/jpeg\",\"caption\":\"c\"}}}";

            var message = Assert.IsType<JelouMessageEvent>(JelouWebhookEvent.Parse(Encoding.UTF8.GetBytes(body)));

            Assert.Equal(("message", "P", "R", "C", "U", "B"), (message.EventName, message.ProjectId, message.RoomId, message.ConversationId, message.UserId, message.BotId));
            Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1776134278574), message.Timestamp);
            Assert.Equal(("M", "image", "https://s.example.com/i.jpg", "image/jpeg", "c"), (message.MessageId, message.MessageType, message.MediaUrl, message.MimeType, message.Caption));
            Assert.Equal(("Ana", "Bot"), (message.UserName, message.BotName));
        }

        [Fact]
        public void Unknown_events_come_through_as_the_base_type()
        {
            JelouWebhookEvent parsed = JelouWebhookEvent.Parse(Encoding.UTF8.GetBytes("{\"event\":\"conversation.transfer\",\"project_id\":\"P\",\"timestamp\":5}"));
            Assert.Equal(typeof(JelouWebhookEvent), parsed.GetType());
            Assert.Equal("conversation.transfer", parsed.EventName);
        }

        [Theory]
        [InlineData("1776134278574")]
        [InlineData("\"1776134278574\"")]
        [InlineData("\"2026-04-14T02:37:58.574Z\"")]
        [InlineData("\"2026-04-13T21:37:58.574-05:00\"")]
        [InlineData("\"2026-04-14T02:37:58.574\"")]
        public void The_timestamp_reads_as_milliseconds_in_a_number_or_text_or_as_ISO_8601_text(string timestamp)
        {
            JelouWebhookEvent parsed = JelouWebhookEvent.Parse(Encoding.UTF8.GetBytes($"{{\"event\":\"conversation.close\",\"timestamp\":{timestamp}}}"));
            Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1776134278574), parsed.Timestamp);
        }

        [Theory]
        [InlineData("Where is my order?\nSecond line\twith a tab, ñ, 你好, 👋🏽", "Where is my order?\nSecond line\twith a tab, ñ, 你好, 👋🏽")]
        [InlineData("clear\u001b[2K line", "clear`e[2K line")]
        [InlineData("title \u001b]0;pwned\u0007", "title `e]0;pwned`a")]
        [InlineData("c1 \u009b2J, del \u007f, nul \u0000", "c1 `u{009B}2J, del `u{007F}, nul `0")]
        [InlineData("hidden\rshown", "hidden`rshown")]
        [InlineData("typed `e[31m, sent \u001b[31m", "typed ``e[31m, sent `e[31m")]
        [InlineData("line1\r\nRun `Get-JelouExternalSupport p1` again", "line1\r\nRun `Get-JelouExternalSupport p1` again")]
        [InlineData("windows\r\nline end\r", "windows\r\nline end`r")]
        [InlineData("invoice \u202Efdp.exe", "invoice `u{202E}fdp.exe")]
        [InlineData("\u2066isolated\u2069 and عربي", "`u{2066}isolated`u{2069} and عربي")]
        [InlineData("", "")]
        public void Printable_shows_what_a_terminal_would_act_on_and_keeps_the_rest(string text, string shown) =>
            Assert.Equal(shown, Require.Printable(text));

        [Theory]
        [InlineData("order\t12345\r\nshipped `now`", nameof(TextLayout.Lines), "order`t12345\r\nshipped ``now``")]
        [InlineData("order\t12345\r\nshipped `now`", nameof(TextLayout.None), "order`t12345`r`nshipped ``now``")]
        [InlineData("two\nlines", nameof(TextLayout.None), "two`nlines")]
        [InlineData("plain text, ñ, 你好", nameof(TextLayout.None), "plain text, ñ, 你好")]
        [InlineData("a\u2028b\u2029c", nameof(TextLayout.None), "a`u{2028}b`u{2029}c")]
        [InlineData("a\u2028b\u2029c", nameof(TextLayout.Lines), "a`u{2028}b`u{2029}c")]
        [InlineData("a\u2028b\u2029c", nameof(TextLayout.LinesAndTabs), "a\u2028b\u2029c")]
        [InlineData("u1\u200B", nameof(TextLayout.Id), "u1`u{200B}")]
        [InlineData("u1\u200B", nameof(TextLayout.Lines), "u1\u200B")]
        [InlineData("u1\u3164|\u115F|\uFFA0|\u034F|\u180B|\uFE0F|\u2800|\u00A0", nameof(TextLayout.Id), "u1`u{3164}|`u{115F}|`u{FFA0}|`u{034F}|`u{180B}|`u{FE0F}|`u{2800}|`u{00A0}")]
        [InlineData("u1\U000E0041\U000E007F|\U0001D173|😀", nameof(TextLayout.Id), "u1`u{E0041}`u{E007F}|`u{1D173}|😀")]
        [InlineData("u1\u3164 \U000E0041", nameof(TextLayout.Lines), "u1\u3164 \U000E0041")]
        [InlineData("room `1\u200F\n", nameof(TextLayout.Id), "room ``1`u{200F}`n")]
        [InlineData("family 👨\u200D👩\u200D👧", nameof(TextLayout.LinesAndTabs), "family 👨\u200D👩\u200D👧")]
        public void Printable_escapes_tabs_for_a_view_and_line_breaks_too_for_one_line(string text, string keep, string shown) =>
            Assert.Equal(shown, Require.Printable(text, Enum.Parse<TextLayout>(keep)));

        [Fact]
        public void Text_from_outside_reaches_no_terminal_through_ToString()
        {
            // "$event", Write-Host $event and string interpolation print ToString: an end user's message or a server's id
            // must not clear the screen or retitle the window there either.
            string hostile = "u\u001b[2Jx\t\u001b]0;pwned\u0007\n\u202Eend";
            var message = (JelouMessageEvent)JelouWebhookEvent.Parse(Encoding.UTF8.GetBytes(
                "{\"field\":\"messages\",\"object\":\"message_event\",\"event_type\":\"message\",\"project_id\":\"p9\",\"room_id\":\"r1\"," +
                "\"contact\":{\"id\":" + JsonSerializer.Serialize(hostile) + "},\"value\":{\"id\":\"m1\",\"type\":\"text\",\"content\":{\"body\":" + JsonSerializer.Serialize(hostile) + "}}}"));
            var texts = new[]
            {
                message.ToString(),
                new Conversation("p9", hostile, "r1", "open", null, null, null, new ConversationUser(hostile, hostile, null), new ConversationBot("b1", hostile)).ToString(),
                new ConversationUser(hostile, hostile, null).ToString(),
                new ConversationBot("b1", hostile).ToString(),
                new ExternalSupportIntegration(hostile, null, null, "https://crm.example.com/j", "no_auth", null, null, null, null).ToString(),
            };
            foreach (string text in texts)
            {
                Assert.DoesNotContain(text, c => c < ' ' || (c >= '\u007F' && c <= '\u009F') || c == '\u202E');
                Assert.Contains("u`e[2Jx`t`e]0;pwned`a`n`u{202E}end", text);
            }
        }

        [Fact]
        public void Ids_in_ToString_show_their_invisible_characters_as_views_do_and_a_message_keeps_its_joiners()
        {
            // Two users whose ids differ by a zero-width space must not read alike in a log of "$event".
            var message = (JelouMessageEvent)JelouWebhookEvent.Parse(Encoding.UTF8.GetBytes(
                "{\"event_type\":\"message\",\"project_id\":\"p\u200B9\",\"room_id\":\"r\u202E1\",\"contact\":{\"id\":\"u\u200B1\"}," +
                "\"value\":{\"id\":\"m\u200C1\",\"type\":\"text\",\"content\":{\"body\":\"family 👨\u200D👩 `hi\"}}}"));
            var conversation = new Conversation("p9", "c\u200B1", "r1", "open", null, null, null, new ConversationUser("u\u200B1", "Ana 👨\u200D👩", null), new ConversationBot("b\u2060", "Bot"));

            Assert.Equal("message m`u{200C}1 from u`u{200B}1: family 👨\u200D👩 `hi", message.ToString());
            var other = JelouWebhookEvent.Parse(Encoding.UTF8.GetBytes("{\"event_type\":\"some.future_event\",\"project_id\":\"p\u200B9\",\"room_id\":\"r\u202E1\"}"));
            Assert.Equal("some.future_event p`u{200B}9/r`u{202E}1", other.ToString());
            Assert.Equal("c`u{200B}1 (open) u`u{200B}1 @ b`u{2060}", conversation.ToString());
            Assert.Equal("Ana 👨\u200D👩 (u`u{200B}1)", conversation.User!.ToString());
        }

        [Fact]
        public void Printable_shows_half_a_character_and_keeps_whole_ones()
        {
            // Built from chars: a test runner's data attributes would turn a lone surrogate into U+FFFD.
            string text = "cut " + '\ud83d' + ", 👋, " + '\ude00' + " alone";
            Assert.Equal("cut `u{D83D}, 👋, `u{DE00} alone", Require.Printable(text));
        }

        [Fact]
        public void Printable_returns_the_same_string_when_there_is_nothing_to_show_otherwise()
        {
            const string text = "Plain text, with a line break\nand a tab\t.";
            Assert.Same(text, Require.Printable(text));
            Assert.Null(Require.Printable(null));
        }

        [Fact]
        public void Text_cut_inside_an_emoji_keeps_its_lone_half_as_JSON_parse_does()
        {
            // JSON.stringify("cut 😀".slice(0, 5)) writes the lone high surrogate as an escape.
            const string body = "{\"event_type\":\"message\",\"project_id\":\"p\",\"contact\":{\"name\":\"Ana \\udc00\"},\"value\":{\"type\":\"text\",\"content\":{\"body\":\"cut \\ud83d, \\\"quoted\\\" \\\\ \\u00e9\\n\"}},\"metadata\":{\"note\":\"\\ud83d\"}}";

            var message = Assert.IsType<JelouMessageEvent>(JelouWebhookEvent.Parse(Encoding.UTF8.GetBytes(body)));

            Assert.Equal("cut \ud83d, \"quoted\" \\ é\n", message.Text);
            Assert.Equal("Ana \udc00", message.UserName);
        }

        [Theory]
        [InlineData("{\"event\":\"conversation.start\",\"project_id\":\"p\",\"metadata\":{\"\\ud83d\":1}}")]
        [InlineData("{\"event_type\":\"message\",\"project_id\":\"p\",\"\\ud83d\":1}")]
        [InlineData("{\"\\udfff\":1,\"event\":\"message\"}")]
        public void A_member_name_with_a_lone_surrogate_anywhere_is_a_FormatException(string body) =>
            Assert.Equal(JelouWebhookEvent.LoneSurrogateName, Assert.Throws<FormatException>(() => JelouWebhookEvent.Parse(Encoding.UTF8.GetBytes(body))).Message);

        [Fact]
        public void Metadata_nested_deeper_than_64_levels_is_read()
        {
            string body = "{\"event\":\"conversation.start\",\"project_id\":\"p\",\"metadata\":" + string.Concat(Enumerable.Repeat("{\"a\":", 100)) + "1" + new string('}', 100) + "}";
            var started = Assert.IsType<JelouConversationStartEvent>(JelouWebhookEvent.Parse(Encoding.UTF8.GetBytes(body)));
            object? level = started.Metadata;
            for (int i = 0; i < 100; i++) level = ((OrderedDictionary)level!)["a"];
            Assert.Equal(1L, level);
        }

        [Theory]
        [InlineData(new byte[] { 0x7b, 0x22, 0xff, 0x22, 0x7d }, "not valid UTF-8")]
        [InlineData(new byte[] { 0x5b, 0x5d }, "not a JSON object")]
        [InlineData(new byte[] { 0x7b }, "not valid JSON")]
        public void Bodies_that_are_not_a_json_object_in_utf8_are_a_FormatException(byte[] body, string message) =>
            Assert.Contains(message, Assert.Throws<FormatException>(() => JelouWebhookEvent.Parse(body)).Message);
    }

    public sealed class WebhookTesterTests
    {
        [Theory]
        [InlineData("message", typeof(JelouMessageEvent))]
        [InlineData("conversation.start", typeof(JelouConversationStartEvent))]
        [InlineData("conversation.close", typeof(JelouConversationCloseEvent))]
        [InlineData("Conversation.Close", typeof(JelouConversationCloseEvent))]
        public async Task Sample_events_arrive_signed_with_the_auth_header_and_read_back_as_their_type(string eventType, Type expected)
        {
            await using WebhookReceiver receiver = await WebhookReceiver.StartAsync();
            using var tester = new WebhookTester();
            SecureString secret = Secure("tester-secret");

            WebhookTestResult result = await tester.SendAsync(new TestEventRequest
            {
                WebhookUrl = receiver.Url, EventType = eventType, SigningSecret = secret, AuthType = "api_key", Authorization = Secure("key-123"), ProjectId = "P1",
            }, TimeSpan.FromSeconds(10));

            ReceivedWebhook received = await receiver.NextAsync();
            Assert.True(result.Succeeded);
            Assert.Equal(200, result.StatusCode);
            Assert.True(result.Latency > TimeSpan.Zero);
            Assert.Equal("key-123", received.Header("X-API-Key"));
            Assert.True(JelouSignature.Verify(received.Body, received.Header("X-Jelou-Signature"), secret));
            Assert.Equal(result.Payload, Encoding.UTF8.GetString(received.Body));
            JelouWebhookEvent parsed = JelouWebhookEvent.Parse(received.Body);
            Assert.IsType(expected, parsed);
            Assert.Equal("P1", parsed.ProjectId);
        }

        [Fact]
        public async Task A_receiver_that_refuses_is_a_result_not_an_exception()
        {
            await using WebhookReceiver receiver = await WebhookReceiver.StartAsync();
            receiver.Status = 401;
            using var tester = new WebhookTester();

            WebhookTestResult result = await tester.SendAsync(new TestEventRequest { WebhookUrl = receiver.Url, SigningSecret = Secure("s") }, TimeSpan.FromSeconds(10));

            Assert.False(result.Succeeded);
            Assert.Equal(401, result.StatusCode);
            Assert.StartsWith("The webhook answered 401", result.Error);
        }

        [Fact]
        public async Task A_receivers_status_text_with_control_characters_and_a_tab_is_escaped_once_and_shows_so_in_a_view()
        {
            var handler = new StubHandler((request, _) => Task.FromResult(new HttpResponseMessage(HttpStatusCode.InternalServerError) { ReasonPhrase = "Bad\u001b[2J\tx", RequestMessage = request }));
            using var tester = new WebhookTester(handler);

            WebhookTestResult result = await tester.SendAsync(new TestEventRequest { WebhookUrl = new Uri("https://crm.example.com/hook"), SigningSecret = Secure("s") }, TimeSpan.FromSeconds(10));

            Assert.Contains("Bad`e[2J`tx", result.Error);
            // The views escape a tab (JelouView.Text): what is escaped already must not be escaped again (``e).
            Assert.Equal(result.Error, Require.Printable(result.Error, TextLayout.Lines));
        }

        [Fact]
        public async Task A_receiver_that_quotes_the_credential_it_refused_has_it_redacted_in_the_result()
        {
            await using WebhookReceiver receiver = await WebhookReceiver.StartAsync();
            receiver.Status = 401;
            receiver.EchoAuthorization = true;
            using var tester = new WebhookTester();

            WebhookTestResult result = await tester.SendAsync(
                new TestEventRequest { WebhookUrl = receiver.Url, SigningSecret = Secure("s"), AuthType = "bearer", Authorization = Secure("hook-token-1234") }, TimeSpan.FromSeconds(10));

            Assert.Equal("bearer hook-token-1234", (await receiver.NextAsync()).Headers["Authorization"], ignoreCase: true);
            Assert.Contains("bad credentials: Bearer REDACTED", result.Error);
            Assert.DoesNotContain("hook-token-1234", result.Error);
        }

        [Fact]
        public async Task A_receiver_that_is_not_there_is_a_result_with_no_status()
        {
            var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            int port = ((IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            using var tester = new WebhookTester();

            WebhookTestResult result = await tester.SendAsync(new TestEventRequest { WebhookUrl = new Uri($"http://127.0.0.1:{port}/hook"), SigningSecret = Secure("s") }, TimeSpan.FromSeconds(10));

            Assert.Null(result.StatusCode);
            Assert.False(result.Succeeded);
            Assert.Contains("Could not reach", result.Error);
        }
    }
}
