using System;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using JelouPS.Emulator;
using JelouPS.Tests.EmulatorContract;
using Xunit;
using static JelouPS.Tests.Client.TestClients;

namespace JelouPS.Tests.Client
{
    /// <summary>Every way a call can fail becomes a JelouApiException of the right kind, with the API's words and no secret.</summary>
    public sealed class ErrorTests : IClassFixture<EmulatorFixture>
    {
        private readonly JelouEmulator _emulator;

        public ErrorTests(EmulatorFixture fixture)
        {
            _emulator = fixture.Emulator;
            _emulator.Shape = ResponseShape.Envelope;
        }

        /// <summary>A fault for this test's project only: a fault left unconsumed must not hit another test.</summary>
        private string Fault(EmulatorFault fault)
        {
            string projectId = NewProjectId();
            fault.PathContains = projectId;
            _emulator.EnqueueFault(fault);
            return projectId;
        }

        private static ExternalSupportSettings Settings(string url = "https://crm.example.com/jelou") =>
            new ExternalSupportSettings { WebhookUrl = new Uri(url), AuthType = "api_key", Authorization = Secure("webhook-key-secret") };

        private static void AssertNoSecret(JelouApiException error)
        {
            string text = error.ToString() + error.ApiMessage + error.FieldErrorSummary + error.ErrorCode + error.ErrorKey + string.Join(" ", error.FieldErrors.Keys);
            foreach (string secret in new[] { EmulatorOptions.DefaultApiKey, "webhook-key-secret", "wrong-key-secret" })
            {
                Assert.DoesNotContain(secret, text);
            }
        }

        [Fact]
        public async Task A_wrong_api_key_is_Unauthorized_with_the_apis_message()
        {
            using JelouClient client = ForEmulator(_emulator, new JelouApiKeyCredential(Secure("wrong-key-secret")));

            var error = await Assert.ThrowsAsync<JelouApiException>(() => client.CreateExternalSupportAsync(NewProjectId(), Settings()));

            Assert.Equal(JelouErrorKind.Unauthorized, error.Kind);
            Assert.Equal(HttpStatusCode.Unauthorized, error.StatusCode);
            Assert.Equal("UNAUTHORIZED", error.ErrorCode);
            Assert.False(string.IsNullOrEmpty(error.ApiMessage));
            Assert.Contains(error.ApiMessage!, error.Message);
            Assert.NotNull(error.RequestId);
            AssertNoSecret(error);
        }

        [Theory]
        [InlineData(false)]
        [InlineData(true)]
        public async Task An_error_answer_that_repeats_a_secret_the_request_carried_has_it_redacted(bool update)
        {
            // A validation message quoting the value it refused, and an error echoing the API key.
            string projectId = Fault(new EmulatorFault
            {
                Status = 422,
                Body = "{\"message\":\"Validation failed for webhook-key-secret\",\"error\":{\"code\":\"E\",\"key\":\"k\",\"description\":\"key " + EmulatorOptions.DefaultApiKey + " may not set webhook-key-secret\"}," +
                    "\"validationError\":{\"authorization\":[\"value webhook-key-secret is not allowed\"],\"webhook-key-secret\":\"odd field\"}}",
            });
            using JelouClient client = ForEmulator(_emulator);

            var error = await Assert.ThrowsAsync<JelouApiException>(() => update
                ? client.UpdateExternalSupportAsync(projectId, Settings())
                : client.CreateExternalSupportAsync(projectId, Settings()));

            Assert.Equal(JelouErrorKind.ValidationFailed, error.Kind);
            AssertNoSecret(error);
            Assert.Contains("Validation failed for REDACTED", error.ApiMessage);
            Assert.Contains("key REDACTED may not set REDACTED", error.Message);
            Assert.Equal("value REDACTED is not allowed", Assert.Single(error.FieldErrors["authorization"]));
            Assert.Contains("REDACTED", error.FieldErrors.Keys);
        }

        [Fact]
        public async Task A_secret_that_holds_another_an_echo_in_other_case_and_the_Basic_value_are_redacted_whole()
        {
            string key = EmulatorOptions.DefaultApiKey;
            string basic = Convert.ToBase64String(Encoding.UTF8.GetBytes(EmulatorOptions.DefaultClientId + ":" + EmulatorOptions.DefaultClientSecret));
            string projectId = Fault(new EmulatorFault
            {
                Status = 422,
                Body = $"{{\"message\":\"authorization tok-{key} is not allowed; key {("tok-" + key).ToUpperInvariant()}; header Basic {basic}; secret {EmulatorOptions.DefaultClientSecret}\"}}",
            });
            var settings = new ExternalSupportSettings { WebhookUrl = new Uri("https://crm.example.com/jelou"), AuthType = "bearer", Authorization = Secure("tok-" + key) };
            using JelouClient client = ForEmulator(_emulator, new JelouClientCredential(EmulatorOptions.DefaultClientId, Secure(EmulatorOptions.DefaultClientSecret)));

            var error = await Assert.ThrowsAsync<JelouApiException>(() => client.CreateExternalSupportAsync(projectId, settings));

            Assert.Equal("authorization REDACTED is not allowed; key REDACTED; header Basic REDACTED; secret REDACTED", error.ApiMessage);
        }

        [Fact]
        public async Task A_validation_item_that_names_no_field_and_gives_no_reason_adds_nothing_to_the_message()
        {
            string projectId = Fault(new EmulatorFault { Status = 422, Body = "{\"message\":\"Invalid body\",\"validationError\":[{\"signingSecret\":\"whsec-in-a-list-0123\"},{\"field\":\"webhookUrl\",\"message\":\"must be https\"}]}" });
            using JelouClient client = ForEmulator(_emulator);

            var error = await Assert.ThrowsAsync<JelouApiException>(() => client.GetExternalSupportAsync(projectId));

            Assert.Equal(new[] { "webhookUrl" }, error.FieldErrors.Keys);
            Assert.DoesNotContain("(request)", error.Message);
            Assert.DoesNotContain("whsec-in-a-list-0123", error.Message);
        }

        [Fact]
        public async Task A_secret_quoted_Base64_encoded_as_a_Basic_header_carries_it_is_redacted()
        {
            string credential = "crmuser:CrmPass-7781";
            string basic = Convert.ToBase64String(Encoding.UTF8.GetBytes(credential));
            string key = Convert.ToBase64String(Encoding.UTF8.GetBytes(EmulatorOptions.DefaultApiKey)).TrimEnd('=');
            string projectId = Fault(new EmulatorFault
            {
                Status = 422,
                Body = $"{{\"message\":\"probe failed: Authorization: Basic {basic} was rejected; key {key}\"}}",
            });
            var settings = new ExternalSupportSettings { WebhookUrl = new Uri("https://crm.example.com/jelou"), AuthType = "basic", Authorization = Secure(credential) };
            using JelouClient client = ForEmulator(_emulator);

            var error = await Assert.ThrowsAsync<JelouApiException>(() => client.CreateExternalSupportAsync(projectId, settings));

            Assert.Equal("probe failed: Authorization: Basic REDACTED= was rejected; key REDACTED", error.ApiMessage);
        }

        [Fact]
        public async Task A_secret_quoted_as_the_hex_of_its_bytes_is_redacted_in_either_case()
        {
            string hex = Convert.ToHexString(Encoding.UTF8.GetBytes(EmulatorOptions.DefaultApiKey));
            string projectId = Fault(new EmulatorFault { Status = 400, Body = $"{{\"message\":\"key bytes {hex.ToLowerInvariant()} / {hex} refused\"}}" });
            using JelouClient client = ForEmulator(_emulator);

            var error = await Assert.ThrowsAsync<JelouApiException>(() => client.GetExternalSupportAsync(projectId));

            Assert.Equal("key bytes REDACTED / REDACTED refused", error.ApiMessage);
        }

        [Fact]
        public async Task Https_to_a_port_that_speaks_http_says_what_the_tls_failure_likely_means_without_retrying()
        {
            // The default retries: a handshake that fails fails alike each time, so none is made.
            var options = new JelouClientOptions(new JelouApiKeyCredential(Secure(EmulatorOptions.DefaultApiKey)))
            {
                BaseUri = new UriBuilder(_emulator.GatewayUri) { Scheme = "https" }.Uri,
            };
            using var client = new JelouClient(options);

            var error = await Assert.ThrowsAsync<JelouApiException>(() => client.GetExternalSupportAsync(NewProjectId()));

            Assert.Equal(JelouErrorKind.ConnectionFailed, error.Kind);
            Assert.Contains("Nothing was sent. No TLS session could be set up with https://127.0.0.1:", error.Message);
            Assert.Contains("if that port speaks plain http", error.Message);
            Assert.DoesNotContain("Tried", error.Message);
        }

        [Theory]
        [InlineData("sk-live-0123")]
        [InlineData("sk%252Dlive%252D0123")]
        [InlineData("sk\\\\u002Dlive-0123")]
        public void A_long_text_is_cut_and_a_secret_across_the_cut_shows_no_part_of_itself(string encoded)
        {
            using var redaction = new JelouPS.Security.SecretRedaction(new[] { Secure("sk-live-0123") });
            string text = new string('x', 4090) + encoded + new string('y', 20000);

            string shown = redaction.Apply(text, 4096)!;

            Assert.Equal(new string('x', 4090) + "REDACTED\u2026 (" + (text.Length - 4096) + " more characters)", shown);
        }

        [Fact]
        public async Task An_error_answer_that_holds_two_secrets_quotes_neither()
        {
            const string top = "whsec_at_the_top_0123", inner = "whsec_in_its_data_4567";
            string projectId = Fault(new EmulatorFault { Method = "POST", Status = 500, Body = $"{{\"signingSecret\":\"{top}\",\"data\":{{\"signingSecret\":\"{inner}\"}},\"message\":\"failed after issuing {inner} and {top}\"}}" });
            using JelouClient client = ForEmulator(_emulator);

            var error = await Assert.ThrowsAsync<JelouApiException>(() => client.CreateExternalSupportAsync(projectId, Settings()));

            Assert.Equal("failed after issuing REDACTED and REDACTED", error.ApiMessage);
        }

        [Fact]
        public void A_cut_never_falls_between_the_halves_of_a_character()
        {
            using var redaction = new JelouPS.Security.SecretRedaction(new[] { Secure("sk-live-0123") });
            string text = new string('x', 4095) + "\U0001F511" + new string('y', 100);

            Assert.Equal(new string('x', 4095) + "\u2026 (102 more characters)", redaction.Apply(text, 4096));
        }

        [Fact]
        public async Task An_error_answer_that_holds_text_that_is_not_unicode_still_hands_over_its_secret()
        {
            const string issued = "whsec_issued_beside_a_lone_surrogate";
            string projectId = Fault(new EmulatorFault { Method = "POST", Status = 500, Body = $"{{\"signingSecret\":\"{issued}\",\"data\":\"\\ud800\"}}" });
            using JelouClient client = ForEmulator(_emulator);

            var error = await Assert.ThrowsAsync<JelouApiException>(() => client.CreateExternalSupportAsync(projectId, Settings()));

            Assert.Equal(JelouErrorKind.ServerError, error.Kind);
            Assert.Equal(issued, Plain(error.Integration!.SigningSecret!));
        }

        [Fact]
        public async Task An_error_of_a_call_that_issues_no_secret_keeps_no_copy_of_the_answer()
        {
            string projectId = Fault(new EmulatorFault { Method = "GET", Status = 422, Body = "{\"message\":\"no\"}" });
            using JelouClient client = ForEmulator(_emulator);

            var error = await Assert.ThrowsAsync<JelouApiException>(() => client.GetExternalSupportAsync(projectId));

            // The error lives on in $Error: a body that quotes what the request sent must not.
            Assert.Null(error.PartialAnswer);
        }

        [Fact]
        public async Task A_success_whose_request_id_repeats_the_api_key_shows_it_redacted()
        {
            using JelouClient client = ForEmulator(_emulator);
            string projectId = NewProjectId();
            await client.CreateExternalSupportAsync(projectId, Settings());
            var fault = new EmulatorFault { Method = "GET", PathContains = projectId, Mangle = ResponseMangle.Intact };
            fault.Headers["x-request-id"] = "rid-" + EmulatorOptions.DefaultApiKey;
            _emulator.EnqueueFault(fault);
            var trace = new RecordingTrace();

            await client.GetExternalSupportAsync(projectId, trace);

            Assert.Contains(trace.Lines, line => line.Contains("answered 200") && line.EndsWith("request id rid-REDACTED", StringComparison.Ordinal));
            Assert.DoesNotContain(trace.Lines, line => line.Contains(EmulatorOptions.DefaultApiKey));
        }

        [Fact]
        public async Task Debug_shows_the_values_of_headers_that_carry_no_secret_and_hides_the_rest()
        {
            using JelouClient client = ForEmulator(_emulator);
            string projectId = NewProjectId();
            await client.CreateExternalSupportAsync(projectId, Settings());
            var fault = new EmulatorFault { Method = "GET", PathContains = projectId, Mangle = ResponseMangle.Intact };
            fault.Headers["Content-Encoding"] = "identity";
            fault.Headers["x-session"] = "session-token-0123";
            _emulator.EnqueueFault(fault);
            var trace = new RecordingTrace();

            await client.GetExternalSupportAsync(projectId, trace);

            string headers = Assert.Single(trace.Lines, line => line.StartsWith("DEBUG: Response headers: ", StringComparison.Ordinal));
            Assert.Contains("Content-Encoding: identity", headers);
            Assert.Contains("x-session: REDACTED", headers);
            Assert.DoesNotContain("session-token-0123", headers);
        }

        [Fact]
        public async Task A_reply_error_that_quotes_the_signing_secret_is_redacted()
        {
            // Jelou holds the signing secret too; the request carries only a signature made with it.
            const string secret = "whsec-reply-0123456789";
            var fault = new EmulatorFault { PathContains = "external-support/webhook", Status = 401, Body = $"{{\"message\":\"key used {secret} does not match\"}}" };
            fault.Headers["x-request-id"] = secret;
            _emulator.EnqueueFault(fault);
            using JelouClient client = ForEmulator(_emulator);

            var error = await Assert.ThrowsAsync<JelouApiException>(() => client.SendSupportMessageAsync(
                new SupportMessage { ProjectId = NewProjectId(), RoomId = "room-1", BotId = "bot-1", UserId = "user-1", Text = "hi" }, Secure(secret)));

            Assert.Equal("key used REDACTED does not match", error.ApiMessage);
            Assert.Equal("REDACTED", error.RequestId);
            Assert.DoesNotContain(secret, error.Message);
        }

        [Fact]
        public async Task An_error_answer_that_issued_a_secret_and_quotes_it_is_redacted_and_the_secret_kept()
        {
            const string issued = "whsec_issued_with_a_conflict_0123";
            string projectId = Fault(new EmulatorFault { Method = "POST", Status = 409, Body = $"{{\"message\":\"exists, secret is {issued}\",\"signingSecret\":\"{issued}\"}}" });
            using JelouClient client = ForEmulator(_emulator);

            var error = await Assert.ThrowsAsync<JelouApiException>(() => client.CreateExternalSupportAsync(projectId, Settings()));

            Assert.Equal("exists, secret is REDACTED", error.ApiMessage);
            Assert.DoesNotContain(issued, error.Message);
            Assert.Equal(issued, Plain(error.Integration!.SigningSecret!));
        }

        [Theory]
        [InlineData("xx abcdefgh yy", new[] { "abcd", "cdefgh" }, "xx REDACTED yy")]
        [InlineData("abcdabcd", new[] { "abcd" }, "REDACTED")]
        [InlineData("a ABCD b abcd", new[] { "aBcD" }, "a REDACTED b REDACTED")]
        // A server that changes case in tr-TR: 'i' upper-cased is 'İ', 'I' lower-cased is 'ı'; invariant casing maps neither.
        [InlineData("bad key L\u0130VE-KEY-\u0130M\u0130D-9X7Q, l\u0131ve-key-\u0131m\u0131d-9x7q", new[] { "Live-Key-Imid-9x7q" }, "bad key REDACTED, REDACTED")]
        [InlineData("bad key \u0130D-1, \u0131d-1, k\u0131te", new[] { "id-1", "kite" }, "bad key REDACTED, REDACTED, REDACTED")]
        // The same, percent-encoded (JavaScript's encodeURIComponent), with the dot as a combining mark (decomposed, or
        // JavaScript's "İ".toLowerCase()), and the Kelvin sign for a K.
        // JavaScript's escape() (%u0130) and HTML5's names of the Turkish I's.
        [InlineData("bad: KIL%u0130MSECRET, kil%U0131msecret, KIL&Idot;MSECRET, kil&imath;msecret", new[] { "kilimsecret" }, "bad: REDACTED, REDACTED, REDACTED, REDACTED")]
        [InlineData("bad: f%C4%B1sk-key-%c4%b0d%C4%B1om-1, F\u0049\u0307SK-KEY-I\u0307DIOM-1, fi\u0307sk-key-i%CC%87diom-1, \u212Aey-fisk-key-idiom-1", new[] { "fisk-key-idiom-1", "key-fisk-key-idiom-1" }, "bad: REDACTED, REDACTED, REDACTED, REDACTED")]
        [InlineData("key abc here", new[] { "abc" }, "key abc here")]
        [InlineData("nothing here", new[] { "secret-value" }, "nothing here")]
        [InlineData("authorization Tok%2Ben%2Fwith%3Dplus%26amp rejected", new[] { "Tok+en/with=plus&amp" }, "authorization REDACTED rejected")]
        [InlineData("form sk+live%2FAb%2Bc%3Dd%21x%28y%29*z, js sk%20live%2FAb%2Bc%3Dd!x(y)*z", new[] { "sk live/Ab+c=d!x(y)*z" }, "form REDACTED, js REDACTED")]
        [InlineData("over-encoded sk%2Dlive%2D0123, all of it %73%6B%2d%6c%69%76%65%2D%30123.", new[] { "sk-live-0123" }, "over-encoded REDACTED, all of it REDACTED.")]
        [InlineData("caf%C3%A9-t0k, caf%c3%a9-t0k, CAFÉ-T0K, %F0%9F%94%91key1", new[] { "café-t0k", "🔑key1" }, "REDACTED, REDACTED, REDACTED, REDACTED")]
        [InlineData("ab%25cd12, AB%25CD12, ab%cd12, %61b%25cd12, ab%2525cd12", new[] { "ab%cd12" }, "REDACTED, REDACTED, REDACTED, REDACTED, REDACTED")]
        [InlineData("zz%2525yy%25 and zz%25yy% and zz%yy%", new[] { "zz%25yy%" }, "REDACTED and REDACTED and REDACTED")]
        [InlineData("twice sk%252Dlive%252D0123, thrice sk%25252Dlive%25252d0123, not %252D alone", new[] { "sk-live-0123" }, "twice REDACTED, thrice REDACTED, not %252D alone")]
        [InlineData("json tok\\u002Ben\\/x, twice tok\\\\u002Ben\\\\/x, mixed tok%2Ben\\u002fx, TOK\\u002BEN/X", new[] { "tok+en/x" }, "json REDACTED, twice REDACTED, mixed REDACTED, REDACTED")]
        [InlineData("{\\\"a\\\":\\\"q\\\\\\\"u\\\\\\\\o\\\\te\\\"} and q\\\"u\\\\o\\te", new[] { "q\"u\\o\te" }, "{\\\"a\\\":\\\"REDACTED\\\"} and REDACTED")]
        [InlineData("url %22tok%5Cu002Ben%5C%2Fx%22, html tok&#43;en&#x2F;x, tok&amp;#43;en/x", new[] { "tok+en/x" }, "url %22REDACTED%22, html REDACTED, REDACTED")]
        [InlineData("named a&lt;b&amp;c&quot;d, not &#xZZ; a<b&c\"d &#1114112; &amp a&lt;b&amp;c", new[] { "a<b&c\"d" }, "named REDACTED, not &#xZZ; REDACTED &#1114112; &amp a&lt;b&amp;c")]
        [InlineData("{\\\"key\\\":\\\"Zq7%41\\\"mX9\\\"}, &#90;q7%41&quot;mX9, \\u005Aq7%41\"mX9", new[] { "Zq7%41\"mX9" }, "{\\\"key\\\":\\\"REDACTED\\\"}, REDACTED, REDACTED")]
        [InlineData("conflict: secret Zq7%41&quot;mX9\\&amp;&eacute;+&lt;x issued, decoded Zq7A\"mX9\\&é+<x", new[] { "Zq7%41\"mX9\\&é+<x" }, "conflict: secret REDACTED issued, decoded REDACTED")]
        [InlineData("latin-1 caf%E9-t0k, caf%e9-T0K", new[] { "café-t0k" }, "latin-1 REDACTED, REDACTED")]
        [InlineData("tok\\u002 tok\\q+en/x tok\\x002Ben/x", new[] { "tok+en/x" }, "tok\\u002 tok\\q+en/x tok\\x002Ben/x")]
        [InlineData("sk%2Eliv-0 sk%2liv-0 sk%C3%ADliv-0 sk-liv-", new[] { "sk-liv-0" }, "sk%2Eliv-0 sk%2liv-0 sk%C3%ADliv-0 sk-liv-")]
        // Part of a longer secret: each run of 8 or more of its characters, in any form, also decoded; 7 stay.
        [InlineData("invalid signature for secret 387D42EAF56B038EFDAC****, ends 9a2f42b", new[] { "387d42eaf56b038efdac024d2f5b3cfd82883aa14a2a09a2f42b" }, "invalid signature for secret REDACTED****, ends 9a2f42b")]
        [InlineData("bad key Sk-LIVE_9f8e7d6c5b4a..., sk-live_9f8%65 and Sk-Live", new[] { "Sk-LIVE_9f8e7d6c5b4a3210+/=Zq" }, "bad key REDACTED..., REDACTED and Sk-Live")]
        [InlineData("masked 01234567**0123456789ab", new[] { "0123456789abcdef" }, "masked REDACTED**REDACTED")]
        [InlineData("basic ZW11bGF0b3ItY2xp…", new[] { "emulator-client:secret-value" }, "basic REDACTED…")]
        // A run that begins inside a character outside the BMP (U+1F911 ends as U+1F511 does) takes the whole character.
        [InlineData("key \U0001F911abcdefg and \U0001F911abcdef", new[] { "\U0001F511abcdefgh" }, "key REDACTED and \U0001F911abcdef")]
        public void Redaction_hides_every_character_of_every_match_once(string text, string[] secrets, string shown)
        {
            using var redaction = new JelouPS.Security.SecretRedaction(secrets.Select(Secure).ToArray());
            Assert.Equal(shown, redaction.Apply(text));
        }

        [Theory]
        [InlineData("{\"message\":\"Validation failed\",\"error\":{\"description\":\"room_id must be an active conversation\"},\"validationError\":{\"room_id\":[\"room_id must be an active conversation\"]}}",
            "The Jelou API answered 422 (Unprocessable Entity): Validation failed: room_id must be an active conversation.")]
        [InlineData("{\"message\":\"Validation failed: must be a valid https URL\",\"validationError\":{\"webhookUrl\":[\"must be a valid https URL\"]}}",
            "The Jelou API answered 422 (Unprocessable Entity): Validation failed: must be a valid https URL. webhookUrl: must be a valid https URL.")]
        [InlineData("{\"message\":\"Validation failed: webhookUrl is required\",\"validationError\":{\"webhookUrl\":[\"is required\"],\"authType\":[\"is required\"]}}",
            "The Jelou API answered 422 (Unprocessable Entity): Validation failed: webhookUrl is required. webhookUrl: is required; authType: is required.")]
        public async Task Field_errors_the_apis_message_already_says_in_full_are_not_said_twice(string body, string message)
        {
            string projectId = Fault(new EmulatorFault { Status = 422, Body = body });
            using JelouClient client = ForEmulator(_emulator);

            var error = await Assert.ThrowsAsync<JelouApiException>(() => client.UpdateExternalSupportAsync(projectId, Settings()));

            Assert.Equal(message, error.Message);
        }

        [Fact]
        public async Task An_error_answers_control_characters_are_written_out_in_its_message()
        {
            string projectId = Fault(new EmulatorFault { Status = 422, Body = "{\"message\":\"bad \\u001b[2J\\u001b]0;pwned\\u0007 \\u202Eevil\",\"validationError\":{\"webhookUrl\\u001b[31m\":[\"no\"]}}" });
            using JelouClient client = ForEmulator(_emulator);

            var error = await Assert.ThrowsAsync<JelouApiException>(() => client.CreateExternalSupportAsync(projectId, Settings()));

            Assert.DoesNotContain(error.Message, c => c == '\u001b' || c == '\u0007' || c == '\u202E');
            Assert.Contains("bad `e[2J`e]0;pwned`a `u{202E}evil", error.Message);
            Assert.Contains("webhookUrl`e[31m: no", error.Message);
        }

        [Fact]
        public async Task A_reason_phrase_that_repeats_the_api_key_is_redacted()
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            int port = ((IPEndPoint)listener.LocalEndpoint).Port;
            Task answering = Task.Run(async () =>
            {
                using TcpClient peer = await listener.AcceptTcpClientAsync();
                using NetworkStream stream = peer.GetStream();
                var request = new byte[4096];
                int read = 0;
                while (!Encoding.ASCII.GetString(request, 0, read).Contains("\r\n\r\n")) read += await stream.ReadAsync(request.AsMemory(read));
                byte[] answer = Encoding.ASCII.GetBytes($"HTTP/1.1 401 Bad key {EmulatorOptions.DefaultApiKey}\r\nx-request-id: rid-{EmulatorOptions.DefaultApiKey}-\u001b]0;t\u0007\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
                await stream.WriteAsync(answer);
            });
            var options = new JelouClientOptions(new JelouApiKeyCredential(Secure(EmulatorOptions.DefaultApiKey))) { BaseUri = new Uri($"http://127.0.0.1:{port}/jelouapi") };
            using var client = new JelouClient(options);

            var error = await Assert.ThrowsAsync<JelouApiException>(() => client.GetExternalSupportAsync(NewProjectId()));
            await answering;
            listener.Stop();

            Assert.Equal(JelouErrorKind.Unauthorized, error.Kind);
            Assert.Contains("401 (Bad key REDACTED)", error.Message);
            Assert.Equal("rid-REDACTED-`e]0;t`a", error.RequestId);
            AssertNoSecret(error);
        }

        [Fact]
        public async Task An_unknown_project_is_NotFound()
        {
            using JelouClient client = ForEmulator(_emulator);

            var error = await Assert.ThrowsAsync<JelouApiException>(() => client.GetExternalSupportAsync(NewProjectId()));

            Assert.Equal(JelouErrorKind.NotFound, error.Kind);
            Assert.Equal(HttpStatusCode.NotFound, error.StatusCode);
            Assert.StartsWith("The Jelou API answered 404", error.Message);
        }

        [Fact]
        public async Task A_second_create_is_a_Conflict()
        {
            using JelouClient client = ForEmulator(_emulator);
            string projectId = NewProjectId();
            await client.CreateExternalSupportAsync(projectId, Settings());

            var error = await Assert.ThrowsAsync<JelouApiException>(() => client.CreateExternalSupportAsync(projectId, Settings()));

            Assert.Equal(JelouErrorKind.Conflict, error.Kind);
        }

        [Fact]
        public async Task Validation_errors_name_each_field_and_the_apis_reason()
        {
            string projectId = Fault(new EmulatorFault
            {
                Status = 422,
                Body = "{\"message\":\"Validation failed\",\"statusMessage\":\"error\",\"status\":0,\"error\":{\"code\":\"VALIDATION_ERROR\",\"key\":\"external_support.validation\",\"description\":\"Invalid body\"},\"validationError\":{\"webhookUrl\":[\"webhookUrl must be an HTTPS URL\"],\"authType\":\"authType must be one of bearer, api_key, basic, no_auth\"}}",
            });
            using JelouClient client = ForEmulator(_emulator);

            var error = await Assert.ThrowsAsync<JelouApiException>(() => client.CreateExternalSupportAsync(projectId, Settings()));

            Assert.Equal(JelouErrorKind.ValidationFailed, error.Kind);
            Assert.Equal((HttpStatusCode)422, error.StatusCode);
            Assert.Equal(new[] { "webhookUrl must be an HTTPS URL" }, error.FieldErrors["webhookUrl"]);
            Assert.Equal(new[] { "authType must be one of bearer, api_key, basic, no_auth" }, error.FieldErrors["authType"]);
            Assert.Contains("Validation failed: Invalid body", error.Message);
            Assert.Contains("webhookUrl: webhookUrl must be an HTTPS URL", error.Message);
            Assert.Contains("authType: authType must be one of", error.Message);
        }

        [Fact]
        public async Task The_emulators_own_validation_reaches_the_caller_field_by_field()
        {
            using JelouClient client = ForEmulator(_emulator);
            string projectId = NewProjectId();
            await client.CreateExternalSupportAsync(projectId, Settings());

            // A new credential alone keeps the stored auth type, which is no_auth: only the API can know that.
            await client.UpdateExternalSupportAsync(projectId, new ExternalSupportSettings { AuthType = "no_auth" });
            var error = await Assert.ThrowsAsync<JelouApiException>(() => client.UpdateExternalSupportAsync(projectId,
                new ExternalSupportSettings { Authorization = JelouPS.Security.SecureStrings.FromString("a-token") }));

            Assert.Equal(JelouErrorKind.ValidationFailed, error.Kind);
            Assert.Equal(HttpStatusCode.BadRequest, error.StatusCode);
            Assert.Contains("authorization", error.FieldErrors.Keys);
        }

        [Theory]
        [InlineData("[{\"property\":\"webhookUrl\",\"constraints\":{\"isUrl\":\"webhookUrl must be a URL\"}}]", "webhookUrl", "webhookUrl must be a URL")]
        [InlineData("{\"webhookUrl\":{\"isUrl\":\"must be a URL\"}}", "webhookUrl", "must be a URL")]
        [InlineData("[{\"field\":\"botId\",\"message\":\"botId is required\"}]", "botId", "botId is required")]
        public async Task Validation_details_are_read_in_their_common_forms(string validationError, string field, string reason)
        {
            string projectId = Fault(new EmulatorFault { Status = 400, Body = "{\"message\":\"Bad Request\",\"validationError\":" + validationError + "}" });
            using JelouClient client = ForEmulator(_emulator);

            var error = await Assert.ThrowsAsync<JelouApiException>(() => client.GetExternalSupportAsync(projectId));

            Assert.Equal(new[] { reason }, error.FieldErrors[field]);
        }

        [Theory]
        [InlineData(500, JelouErrorKind.ServerError)]
        [InlineData(502, JelouErrorKind.ServerError)]
        [InlineData(503, JelouErrorKind.ServerError)]
        [InlineData(403, JelouErrorKind.Forbidden)]
        [InlineData(418, JelouErrorKind.UnexpectedStatus)]
        [InlineData(302, JelouErrorKind.UnexpectedStatus)]
        public async Task Statuses_map_to_kinds(int status, JelouErrorKind kind)
        {
            string projectId = Fault(new EmulatorFault { Status = status, Body = "{\"message\":\"Something broke\",\"statusMessage\":\"error\",\"status\":0}" });
            using JelouClient client = ForEmulator(_emulator);

            var error = await Assert.ThrowsAsync<JelouApiException>(() => client.GetExternalSupportAsync(projectId));

            Assert.Equal(kind, error.Kind);
            Assert.Equal((HttpStatusCode)status, error.StatusCode);
            Assert.Equal("Something broke", error.ApiMessage);
        }

        [Fact]
        public async Task A_server_error_with_an_html_body_says_so_without_quoting_it()
        {
            string projectId = Fault(new EmulatorFault { Status = 502, ContentType = "text/html", Body = "<html><body>Bad gateway secret-ish</body></html>" });
            using JelouClient client = ForEmulator(_emulator);

            var error = await Assert.ThrowsAsync<JelouApiException>(() => client.GetExternalSupportAsync(projectId));

            Assert.Equal(JelouErrorKind.ServerError, error.Kind);
            Assert.Contains("non-JSON body (text/html, 48 bytes)", error.Message);
            Assert.DoesNotContain("secret-ish", error.Message);
        }

        [Theory]
        [InlineData("x", "1 byte")]
        [InlineData("xx", "2 bytes")]
        public async Task A_non_json_body_is_counted_in_bytes_as_a_sentence_says_it(string body, string size)
        {
            string projectId = Fault(new EmulatorFault { Status = 502, ContentType = "text/plain", Body = body });
            using JelouClient client = ForEmulator(_emulator);

            var error = await Assert.ThrowsAsync<JelouApiException>(() => client.GetExternalSupportAsync(projectId));

            Assert.Contains($"non-JSON body (text/plain, {size}).", error.Message);
        }

        [Fact]
        public async Task Rate_limiting_carries_retry_after()
        {
            string projectId = Fault(new EmulatorFault { Status = 429, RetryAfter = "7", Body = "{\"message\":\"Too many requests\"}" });
            using JelouClient client = ForEmulator(_emulator);

            var error = await Assert.ThrowsAsync<JelouApiException>(() => client.GetExternalSupportAsync(projectId));

            Assert.Equal(JelouErrorKind.RateLimited, error.Kind);
            Assert.Equal(TimeSpan.FromSeconds(7), error.RetryAfter);
        }

        /// <summary>A server that quotes the webhook URL it was sent shows no key its query carries (Azure Functions' ?code=).</summary>
        [Theory]
        [InlineData("POST")]
        [InlineData("PATCH")]
        public async Task An_error_that_quotes_the_webhook_url_sent_shows_no_key_of_its_query(string method)
        {
            const string url = "https://fn.example.com/api/jelou?tenant=acme&code=FUNCTION-KEY-0123456789&sig=sas%2Bsig%3D0123";
            string projectId = Fault(new EmulatorFault { Method = method, Status = 422, Body = "{\"message\":\"webhookUrl https://fn.example.com/api/jelou?tenant=acme&code=FUNCTION-KEY-0123456789&sig=sas%2Bsig%3D0123 is unreachable\"}" });
            using JelouClient client = ForEmulator(_emulator);

            var error = await Assert.ThrowsAsync<JelouApiException>(() => method == "POST"
                ? client.CreateExternalSupportAsync(projectId, Settings(url))
                : client.UpdateExternalSupportAsync(projectId, Settings(url)));

            Assert.DoesNotContain("FUNCTION-KEY-0123456789", error.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("sas%2Bsig%3D0123", error.Message, StringComparison.Ordinal);
            Assert.Contains("tenant=acme&code=REDACTED", error.Message, StringComparison.Ordinal);
        }

        [Fact]
        public async Task A_retry_after_date_far_ahead_is_said_as_the_time_it_ends()
        {
            string projectId = Fault(new EmulatorFault { Status = 429, RetryAfter = "Fri, 01 Jan 2100 00:00:00 GMT", Body = "{\"message\":\"Too many requests\"}" });
            using JelouClient client = ForEmulator(_emulator);

            var error = await Assert.ThrowsAsync<JelouApiException>(() => client.GetExternalSupportAsync(projectId));

            Assert.Contains("Retry after 2100-01-01 00:00:00Z.", error.Message, StringComparison.Ordinal);
        }

        [Theory]
        [InlineData("text/html", "<html>login</html>", "not valid JSON")]
        [InlineData("application/json", "", "an empty body")]
        [InlineData("application/json", "{\"id\":\"x\",\"signingSecret\":\"abc", "not valid JSON")]
        [InlineData("application/json", "[1,2]", "a JSON array")]
        [InlineData("application/json", "{\"statusMessage\":\"success\",\"status\":1,\"data\":\"nope\"}", "data is a JSON string")]
        [InlineData("application/json", "{\"id\":\"x\",\"webhookUrl\":\"https://a\"}", "no signingSecret")]
        public async Task A_success_status_with_a_body_that_is_not_the_documented_json_is_InvalidResponse(string contentType, string body, string expected)
        {
            string projectId = Fault(new EmulatorFault { Status = 200, ContentType = contentType, Body = body });
            using JelouClient client = ForEmulator(_emulator);

            var error = await Assert.ThrowsAsync<JelouApiException>(() => client.CreateExternalSupportAsync(projectId, Settings()));

            Assert.Equal(JelouErrorKind.InvalidResponse, error.Kind);
            Assert.Contains(expected, error.Message);
            Assert.DoesNotContain("s3cr3t-in-body", error.ToString());
            Assert.DoesNotContain("abc", error.Message.Replace("bytes", ""));
        }

        [Fact]
        public async Task A_malformed_detail_next_to_a_signing_secret_does_not_cost_the_secret()
        {
            string projectId = Fault(new EmulatorFault { Status = 200, Body = "{\"id\":{\"x\":1},\"webhookUrl\":\"https://a\",\"createdAt\":\"yesterday\",\"signingSecret\":\"kept-secret\"}" });
            using JelouClient client = ForEmulator(_emulator);
            DateTimeOffset before = DateTimeOffset.UtcNow;

            var error = await Assert.ThrowsAsync<JelouApiException>(() => client.CreateExternalSupportAsync(projectId, Settings()));

            Assert.Equal(JelouErrorKind.InvalidResponse, error.Kind);
            ExternalSupportIntegration created = error.Integration!;
            Assert.Equal("kept-secret", Plain(created.SigningSecret!));
            Assert.Null(created.Id);
            Assert.Equal("https://a", created.WebhookUrl);
            // An unreadable creation time: the secret is dated when the answer arrived.
            Assert.InRange(created.CreatedAt!.Value, before, DateTimeOffset.UtcNow);
        }

        [Theory]
        [InlineData("{\"signingSecret\":\"a\\\"b\\u00e9c\\/d\"}")]
        [InlineData("{\"message\":[\"ok\"],\"statusMessage\":\"success\",\"status\":1,\"data\":{\"brainId\":\"b\",\"signingSecret\":\"a\\\"b\\u00e9c\\/d\"}}")]
        public async Task An_escaped_secret_is_read_exactly(string body)
        {
            string projectId = Fault(new EmulatorFault { Status = 200, Body = body });
            using JelouClient client = ForEmulator(_emulator);

            ExternalSupportIntegration rotated = await client.RegenerateSigningSecretAsync(projectId);

            Assert.Equal("a\"béc/d", Plain(rotated.SigningSecret!));
        }

        [Theory]
        [InlineData("\"yesterday\"", null)]
        [InlineData("\"\"", null)]
        [InlineData("null", null)]
        [InlineData("{}", null)]
        [InlineData("1776134278574", "2026-04-14T02:37:58.574Z")]
        [InlineData("\"1776134278574\"", "2026-04-14T02:37:58.574Z")]
        [InlineData("\"2026-01-15T10:30:00\"", "2026-01-15T10:30:00Z")]
        [InlineData("\"2026-01-15T10:30:00.000+02:00\"", "2026-01-15T08:30:00Z")]
        public async Task An_odd_date_becomes_null_or_the_right_time_and_the_rest_is_kept(string createdAt, string? expected)
        {
            string projectId = Fault(new EmulatorFault { Status = 200, Body = "{\"id\":\"x\",\"webhookUrl\":\"https://crm.example.com/j\",\"createdAt\":" + createdAt + "}" });
            using JelouClient client = ForEmulator(_emulator);

            ExternalSupportIntegration integration = await client.GetExternalSupportAsync(projectId);

            Assert.Equal("x", integration.Id);
            Assert.Equal("https://crm.example.com/j", integration.WebhookUrl);
            Assert.Equal(expected is null ? (DateTimeOffset?)null : DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), integration.CreatedAt);
        }

        [Fact]
        public async Task No_answer_within_the_timeout_is_Timeout()
        {
            string projectId = Fault(new EmulatorFault { Status = 200, Delay = TimeSpan.FromSeconds(30) });
            using JelouClient client = ForEmulator(_emulator, timeout: TimeSpan.FromMilliseconds(300));

            var error = await Assert.ThrowsAsync<JelouApiException>(() => client.GetExternalSupportAsync(projectId));

            Assert.Equal(JelouErrorKind.Timeout, error.Kind);
            Assert.Contains("0.3 s", error.Message);
        }

        [Fact]
        public async Task Cancelling_is_not_a_timeout()
        {
            string projectId = Fault(new EmulatorFault { Status = 200, Delay = TimeSpan.FromSeconds(30) });
            using JelouClient client = ForEmulator(_emulator);
            using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.GetExternalSupportAsync(projectId, cancellationToken: cancel.Token));
        }

        [Fact]
        public async Task A_refused_connection_is_ConnectionFailed()
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            int port = ((IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            using var client = new JelouClient(new JelouClientOptions(new JelouApiKeyCredential(Secure("refused-key-secret"))) { BaseUri = new Uri($"http://127.0.0.1:{port}/jelouapi") });

            var error = await Assert.ThrowsAsync<JelouApiException>(() => client.GetExternalSupportAsync("p1"));

            Assert.Equal(JelouErrorKind.ConnectionFailed, error.Kind);
            Assert.Null(error.StatusCode);
            Assert.Contains($"127.0.0.1:{port}", error.Message);
            Assert.DoesNotContain("refused-key-secret", error.ToString());
        }

        [Fact]
        public async Task Redirects_are_not_followed_so_the_api_key_stays_with_jelou()
        {
            await using WebhookReceiver elsewhere = await WebhookReceiver.StartAsync();
            await using WebhookReceiver redirecting = await WebhookReceiver.StartAsync();
            redirecting.Status = 302;
            redirecting.Location = elsewhere.Url;
            using var client = new JelouClient(new JelouClientOptions(new JelouApiKeyCredential(Secure("redirect-key-secret")))
            {
                BaseUri = new Uri(redirecting.Url.GetLeftPart(UriPartial.Authority) + "/jelouapi"),
            });

            var error = await Assert.ThrowsAsync<JelouApiException>(() => client.GetExternalSupportAsync("p1"));

            Assert.Equal(JelouErrorKind.UnexpectedStatus, error.Kind);
            Assert.Equal(HttpStatusCode.Found, error.StatusCode);
            Assert.True(redirecting.TryTake(out _));
            Assert.False(elsewhere.TryTake(out _));
        }

        [Fact]
        public async Task A_retry_after_date_is_turned_into_a_wait()
        {
            var handler = new StubHandler((request, token) =>
            {
                var response = new HttpResponseMessage((HttpStatusCode)429) { Content = new StringContent("{}", Encoding.UTF8, "application/json") };
                response.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(DateTimeOffset.UtcNow.AddMinutes(2));
                return Task.FromResult(response);
            });
            using JelouClient client = ForStub(handler);

            var error = await Assert.ThrowsAsync<JelouApiException>(() => client.GetExternalSupportAsync("p1"));

            Assert.InRange(error.RetryAfter!.Value.TotalSeconds, 100, 121);
        }
    }
}
