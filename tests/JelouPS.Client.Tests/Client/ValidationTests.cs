using System;
using System.Security;
using System.Threading.Tasks;
using JelouPS.Security;
using Xunit;
using static JelouPS.Tests.Client.TestClients;

namespace JelouPS.Tests.Client
{
    /// <summary>Bad input fails before any byte is sent.</summary>
    public sealed class ValidationTests
    {
        private static readonly StubHandler NeverCalled = new StubHandler((r, t) => throw new InvalidOperationException("No request should be sent."));

        [Theory]
        [InlineData("http://crm.example.com/jelou")]
        [InlineData("ftp://crm.example.com/jelou")]
        [InlineData("https://user:pass@crm.example.com/jelou")]
        public async Task Webhook_urls_must_be_https(string url)
        {
            using JelouClient client = ForStub(NeverCalled);

            var error = await Assert.ThrowsAsync<ArgumentException>(() =>
                client.CreateExternalSupportAsync("p1", new ExternalSupportSettings { WebhookUrl = new Uri(url) }));

            Assert.Equal("WebhookUrl", error.ParamName);
        }

        [Theory]
        [InlineData("p\u3164", "`u{3164}) at position 2")]
        [InlineData("p\u00A01", "`u{00A0}) at position 2")]
        [InlineData("p\U000E0041", "`u{E0041}) at position 2")]
        [InlineData("p\uFE0F", "`u{FE0F}) at position 2")]
        public void An_id_that_would_look_like_another_is_refused(string id, string where)
        {
            string? problem = Require.IdProblem(id);
            Assert.NotNull(problem);
            Assert.Contains("has a character that shows as nothing or as another space (" + where, problem);
            // The id itself is written out too: two refusals must not look alike in a log.
            Assert.False(problem!.Contains(id, StringComparison.Ordinal), problem);
            Assert.StartsWith("The id \"p`u{", problem);
        }

        [Fact]
        public void An_id_with_the_replacement_character_is_refused_as_text_read_in_the_wrong_encoding()
        {
            // "café-1" from a Windows-1252 file read as UTF-8: another project, and the é is lost.
            string? problem = Require.IdProblem("caf\uFFFD-1");

            Assert.NotNull(problem);
            Assert.Contains("has U+FFFD at position 4, which text read in the wrong encoding has where a letter was", problem);
            Assert.Contains("Import-Csv -Encoding Default on Windows PowerShell 5.1, -Encoding 1252 on PowerShell 7", problem);
        }

        [Theory]
        [InlineData("p 1")]
        [InlineData("proyecto-ñandú")]
        [InlineData("用户-7")]
        public void An_id_with_ordinary_spaces_and_letters_is_taken(string id) => Assert.Null(Require.IdProblem(id));

        [Theory]
        [InlineData(" ", "client-secret", "The client id is blank")]
        [InlineData("emulator\u00A0client", "client-secret", "The client id \"emulator`u{00A0}client\" has a character that shows as nothing or as another space")]
        [InlineData("emulator-client\u3164", "client-secret", "shows as nothing or as another space (`u{3164})")]
        [InlineData("emulator-client", "   ", "The client secret is blank")]
        public void A_client_credential_jelou_would_refuse_is_refused_when_connecting(string clientId, string secret, string said)
        {
            var error = Assert.Throws<ArgumentException>(() => new JelouClientCredential(clientId, Secure(secret)));
            Assert.Contains(said, error.Message);
        }

        [Theory]
        [InlineData("API key")]
        [InlineData("client secret")]
        public void An_empty_credential_is_named_with_where_it_came_from(string what)
        {
            // An unset CI secret or automation variable arrives as an empty string.
            var error = Assert.Throws<ArgumentException>(() => what == "API key"
                ? (object)new JelouApiKeyCredential(new System.Security.SecureString())
                : new JelouClientCredential("client-id", new System.Security.SecureString()));

            Assert.StartsWith($"The {what} is empty: check that the variable, pipeline secret or automation variable it came from is set.", error.Message);
        }

        [Theory]
        [InlineData("   ", "is blank")]
        [InlineData("secret-from-a-file\n", "starts or ends with a space or a line break")]
        [InlineData(" secret", "starts or ends with a space or a line break")]
        [InlineData("\"secret\"\n", "has quotation marks around it and a space or line break (an env file that docker --env-file reads, or a spreadsheet cell, may keep them): leave them out")]
        [InlineData("\"secret\"", "has quotation marks around it (an env file that docker --env-file reads, or a spreadsheet cell, may keep them): leave them out")]
        [InlineData("\u201Csecret\u201D", "has quotation marks around it")]
        [InlineData("\u00BBsecret\u00AB", "has quotation marks around it")]
        [InlineData("secret\"", "has a quotation mark at its end (an env file")]
        [InlineData(" \u201Esecret", "has a quotation mark at its start and a space or line break (an env file")]
        [InlineData("\u201Fsecret\u201D", "has quotation marks around it")]
        [InlineData("\u301Dsecret\u301F", "has quotation marks around it")]
        [InlineData("\uFF62secret\uFF63", "has quotation marks around it")]
        [InlineData("\U0001F676secret\U0001F677", "has quotation marks around it")]
        [InlineData("\"'secret'\" ", "has quotation marks around it and a space or line break")]
        [InlineData("\"\"", "is blank")]
        // A byte order mark a file began with: taken off as white space is, and said; a zero-width space is refused.
        [InlineData("\uFEFFsecret", "has a byte order mark (U+FEFF, which does not show) around it")]
        [InlineData("secret\u200B\n", "has spaces, control, invisible or half characters")]
        [InlineData("JELOU_SIGNING_SECRET=\"secret\"", "has a quotation mark inside (a whole line of an env or JSON file copied?)")]
        [InlineData("\"secret\",", "has a quotation mark inside")]
        // The header's value copied from a request log for the secret that makes it.
        [InlineData("sha256=3f9a1c0d8e7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b2a1f", "is a signature (sha256= and 64 hex digits, an X-Jelou-Signature header's value), not the signing secret that makes one: copy the signingSecret Jelou issued")]
        [InlineData("SHA256=3F9A1C0D8E7B6A5F4E3D2C1B0A9F8E7D6C5B4A3F2E1D0C9B8A7F6E5D4C3B2A1F\n", "is a signature")]
        [InlineData("sec\0ret", "has spaces, control, invisible or half characters")]
        [InlineData("a b", "has spaces, control, invisible or half characters")]
        [InlineData("a\u200Bb", "has spaces, control, invisible or half characters")]
        public async Task A_signing_secret_that_cannot_be_jelous_is_refused_before_a_reply(string secret, string problem)
        {
            using JelouClient client = ForStub(NeverCalled);
            var message = new SupportMessage { ProjectId = "p1", RoomId = "r1", BotId = "b1", UserId = "u1", Type = SupportMessage.TextType, Text = "hi" };

            var error = await Assert.ThrowsAsync<ArgumentException>(() => client.SendSupportMessageAsync(message, Secure(secret)));

            Assert.Contains(problem, error.Message);
            Assert.DoesNotContain("secret-from", error.Message);
        }

        [Fact]
        public async Task A_signing_secret_cut_inside_a_character_is_refused_before_a_reply()
        {
            using JelouClient client = ForStub(NeverCalled);
            var message = new SupportMessage { ProjectId = "p1", RoomId = "r1", BotId = "b1", UserId = "u1", Type = SupportMessage.TextType, Text = "hi" };

            // Built here: a test case's data would carry the lone surrogate as U+FFFD.
            var error = await Assert.ThrowsAsync<ArgumentException>(() => client.SendSupportMessageAsync(message, Secure("key" + (char)0xD83D + "-cut")));

            Assert.Contains("half characters", error.Message);
        }

        [Fact]
        public async Task Blank_text_is_refused_before_a_close()
        {
            using JelouClient client = ForStub(NeverCalled);

            var error = await Assert.ThrowsAsync<ArgumentException>(() =>
                client.CloseConversationAsync("p1", new CloseConversationRequest { BotId = "b", UserId = "u", RedirectType = "text", RedirectText = "   " }));

            Assert.Contains("-RedirectText is blank", error.Message);
        }

        [Theory]
        [InlineData("http://127.0.0.1:8080/hook")]
        [InlineData("http://localhost/hook")]
        [InlineData("http://[::1]:5000/hook")]
        [InlineData("https://crm.example.com/hook")]
        [InlineData("https://crm.example.com/hook?q=\"x\"")]
        [InlineData("https://crm.example.com/hook?q=\u201Cx\u201D")]
        [InlineData("https://crm.example.com/a@b/hook?from=ana@example.com")]
        public void Https_or_loopback_http_is_accepted(string url) =>
            Assert.Equal(new Uri(url), JelouUris.RequireSecure(url, "WebhookUrl"));

        [Theory]
        [InlineData("not a url")]
        [InlineData("/relative/path")]
        [InlineData("")]
        public void Relative_or_garbage_urls_are_refused(string url) =>
            Assert.Throws<ArgumentException>(() => JelouUris.RequireSecure(url, "WebhookUrl"));

        [Theory]
        [InlineData("bearer", null, "needs the credential Jelou will present to the webhook: pass -WebhookAuthorization.")]
        [InlineData("api_key", "", "needs the credential Jelou will present to the webhook, and -WebhookAuthorization is empty: check that the variable")]
        [InlineData("no_auth", "x", "takes no webhook authorization")]
        [InlineData("oauth", "x", "is not a valid AuthType")]
        [InlineData(null, "x", "pass -AuthType")]
        [InlineData("bearer", "Bearer tok-1", "starts with 'Bearer ', as a whole Authorization header does: give the token, key or credentials alone (Jelou builds the header)")]
        [InlineData("bearer", "bearer tok-1", "starts with 'Bearer '")]
        [InlineData("basic", "Basic dXNlcjpwYXNz", "starts with 'Basic ', as a whole Authorization header does")]
        [InlineData("api_key", "Bearer tok-1", "starts with 'Bearer '")]
        public async Task Auth_settings_must_agree(string? authType, string? authorization, string message)
        {
            using JelouClient client = ForStub(NeverCalled);
            var settings = new ExternalSupportSettings
            {
                WebhookUrl = new Uri("https://crm.example.com/hook"),
                AuthType = authType,
                Authorization = authorization is null ? null : Secure(authorization),
            };

            var error = await Assert.ThrowsAsync<ArgumentException>(() => client.CreateExternalSupportAsync("p1", settings));

            Assert.Contains(message, error.Message);
        }

        [Fact]
        public async Task Auth_type_is_case_insensitive_and_sent_as_documented()
        {
            string? body = null;
            var handler = new StubHandler(async (request, token) =>
            {
                body = await request.Content!.ReadAsStringAsync(token);
                return new System.Net.Http.HttpResponseMessage(System.Net.HttpStatusCode.OK)
                {
                    Content = new System.Net.Http.StringContent("{\"id\":\"i\",\"signingSecret\":\"s\"}"),
                };
            });
            using JelouClient client = ForStub(handler);

            await client.CreateExternalSupportAsync("p1", new ExternalSupportSettings { WebhookUrl = new Uri("https://h/x"), AuthType = "API_KEY", Authorization = Secure("k") });

            Assert.Equal("{\"webhookUrl\":\"https://h/x\",\"authType\":\"api_key\",\"authorization\":\"k\"}", body);
        }

        [Theory]
        [InlineData("http://gateway.example.com/jelouapi")]
        [InlineData("relative")]
        public void The_base_uri_must_be_https_unless_loopback(string baseUri)
        {
            var options = new JelouClientOptions(new JelouApiKeyCredential(Secure("k")));
            Assert.Throws<ArgumentException>(() =>
            {
                options.BaseUri = new Uri(baseUri, UriKind.RelativeOrAbsolute);
                new JelouClient(options).Dispose();
            });
        }

        [Fact]
        public void Credentials_refuse_empty_secrets_and_colons_in_client_ids()
        {
            Assert.Throws<ArgumentException>(() => new JelouApiKeyCredential(new SecureString()));
            Assert.Throws<ArgumentException>(() => new JelouClientCredential("a:b", Secure("s")));
            Assert.Throws<ArgumentException>(() => new JelouClientCredential("", Secure("s")));
            // RFC 7617: no control characters; Get-JelouContext shows the id, so no escape sequence either.
            var refused = Assert.Throws<ArgumentException>(() => new JelouClientCredential("cli\u001b[2J", Secure("s")));
            Assert.Contains("`e", refused.Message);
            Assert.DoesNotContain("\u001b", refused.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void A_credential_keeps_its_own_copy_of_the_secret()
        {
            var key = new SecureString();
            foreach (char c in "abc") key.AppendChar(c);
            var credential = new JelouApiKeyCredential(key);
            key.Dispose();

            var headers = new System.Net.Http.HttpRequestMessage().Headers;
            credential.Apply(headers);

            Assert.Equal("abc", string.Join("", headers.GetValues("x-api-key")));
            Assert.Equal("ApiKey", credential.ToString());
        }

        [Theory]
        [InlineData("clé-🔑")]
        [InlineData("")]
        [InlineData("x")]
        public void SecureStrings_round_trip_unicode_as_utf8(string text)
        {
            SecureString secret = SecureStrings.FromString(text);
            byte[] copy = SecureStrings.UseUtf8Bytes(secret, bytes => (byte[])bytes.Clone());
            Assert.Equal(System.Text.Encoding.UTF8.GetBytes(text), copy);
            Assert.Equal(text.Length, secret.Length);
            Assert.True(secret.IsReadOnly());
        }

        [Fact]
        public void A_secret_read_from_json_is_its_unescaped_text_and_read_only()
        {
            // Escapes are undone, so the secret is shorter than the buffer sized for its escaped text: only its own characters count.
            string json = "{\"data\":{\"signingSecret\":\"a\\u00e9\\\"b" + new string('k', 97) + "\"}}";
            var response = new JelouPS.Http.ApiResponse(JelouOperation.CreateIntegration, System.Net.HttpStatusCode.Created, "Created", System.Text.Encoding.UTF8.GetBytes(json), "application/json", null, null);
            SecureString secret = JelouPS.Json.JelouJson.ReadSecret(response, "signingSecret")!;
            Assert.Equal("aé\"b" + new string('k', 97), SecureStrings.ToPlainText(secret));
            Assert.True(secret.IsReadOnly());
        }
    }
}
