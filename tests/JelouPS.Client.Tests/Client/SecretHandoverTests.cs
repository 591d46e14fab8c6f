using System;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Xunit;
using static JelouPS.Tests.Client.TestClients;

namespace JelouPS.Tests.Client
{
    /// <summary>
    /// A signing secret that reached us is handed over whatever goes wrong after it: a body cut or malformed after the secret,
    /// a reset or a never-ending body after it, an oversized body. The failure carries the integration and the secret.
    /// </summary>
    public sealed class SecretHandoverTests
    {
        private static string NewSecret() => "whsec_" + Guid.NewGuid().ToString("N");

        // The answer up to and including the secret's closing quote.
        private static string UpToSecret(string body, string secret) => body.Substring(0, body.IndexOf(secret, StringComparison.Ordinal) + secret.Length + 1);

        private static JelouClient Answering(Func<HttpResponseMessage> answer, TimeSpan? timeout = null, TimeSpan? stopGrace = null) =>
            ForStub(new StubHandler((_, _) => Task.FromResult(answer())), timeout, stopGrace: stopGrace);

        public static TheoryData<string, string> Broken() => new TheoryData<string, string>
        {
            { "cut after the secret", "cut" },
            { "trailing bytes after valid JSON", "trailing" },
            { "an array root", "array" },
            { "data as a string of JSON", "data-string" },
        };

        private static string Mangle(string how, string body, string secret) => how switch
        {
            "cut" => UpToSecret(body, secret),
            "trailing" => body + "garbage",
            "array" => "[" + body + "]",
            "data-string" => "{\"status\":1,\"statusMessage\":\"success\",\"data\":" + JsonString(body.Substring(body.IndexOf("\"data\":", StringComparison.Ordinal) + 7).TrimEnd('}') + "}") + "}",
            _ => throw new ArgumentOutOfRangeException(nameof(how)),
        };

        private static string JsonString(string text) => "\"" + text.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";

        [Theory]
        [MemberData(nameof(Broken))]
        public async Task A_malformed_create_answer_that_carries_the_secret_fails_with_it(string _, string how)
        {
            string secret = NewSecret();
            string body = Mangle(how, Answers.Created("p1", secret), secret);
            using JelouClient client = Answering(() => Answers.Json(HttpStatusCode.Created, body));

            var error = await Assert.ThrowsAsync<JelouApiException>(() => client.CreateExternalSupportAsync("p1", Settings()));

            Assert.Equal(JelouErrorKind.InvalidResponse, error.Kind);
            Assert.NotNull(error.Integration);
            Assert.Equal(secret, Plain(error.Integration!.SigningSecret!));
            Assert.Equal("p1", error.Integration.ProjectId);
            Assert.Equal("64f0c0ffee0000000000beef", error.Integration.Id);
            Assert.Contains("The signing secret did arrive", error.Message);
            Assert.DoesNotContain(secret, error.ToString());
        }

        // Code of the module's own that fails once the answer came, as when a library it ships fails to load there.
        private sealed class FailingOnAnswerTrace : IJelouTrace
        {
            public void Verbose(string message)
            {
                if (message.Contains(" answered ", StringComparison.Ordinal)) throw new FileLoadException("Could not load file or assembly 'System.IO.Pipelines'", "/m/dependencies/System.IO.Pipelines.dll");
            }

            public void Debug(string message) { }
        }

        [Theory]
        [InlineData(false)]
        [InlineData(true)]
        public async Task An_issuing_request_whose_answer_the_module_fails_to_take_in_may_have_issued_a_secret(bool rotation)
        {
            string secret = NewSecret();
            using JelouClient client = Answering(() => Answers.Json(HttpStatusCode.Created, Answers.Created("p1", secret)));
            var trace = new FailingOnAnswerTrace();

            var error = await Assert.ThrowsAsync<JelouApiException>(() => rotation ? client.RegenerateSigningSecretAsync("p1", trace) : client.CreateExternalSupportAsync("p1", Settings(), trace));

            Assert.Equal(JelouErrorKind.OutcomeUnknown, error.Kind);
            Assert.Equal(rotation ? JelouOperation.RegenerateSecret : JelouOperation.CreateIntegration, error.Operation);
            Assert.False(error.NothingSent);
            Assert.IsType<FileLoadException>(error.InnerException);
            Assert.Contains("whether it was carried out is unknown", error.Message);
            Assert.Contains("System.IO.Pipelines", error.Message);
        }

        [Fact]
        public async Task A_rotation_answer_cut_after_the_secret_fails_with_it()
        {
            string secret = NewSecret();
            string body = "{\"message\":[\"Secret regenerated\"],\"statusMessage\":\"success\",\"status\":1,\"data\":{\"projectId\":\"p1\",\"signingSecret\":\"" + secret + "\",\"regeneratedAt\":\"2026-";
            using JelouClient client = Answering(() => Answers.Json(HttpStatusCode.OK, body));

            var error = await Assert.ThrowsAsync<JelouApiException>(() => client.RegenerateSigningSecretAsync("p1"));

            Assert.Equal(secret, Plain(error.Integration!.SigningSecret!));
            Assert.NotNull(error.Integration.SecretRegeneratedAt);
        }

        [Fact]
        public async Task A_byte_order_mark_before_valid_json_is_accepted()
        {
            string secret = NewSecret();
            byte[] body = Concat(new byte[] { 0xEF, 0xBB, 0xBF }, Encoding.UTF8.GetBytes(Answers.Created("p1", secret)));
            using JelouClient client = Answering(() => Answers.Bytes(HttpStatusCode.Created, body));

            ExternalSupportIntegration created = await client.CreateExternalSupportAsync("p1", Settings());

            Assert.Equal(secret, Plain(created.SigningSecret!));
            Assert.Equal("https://crm.example.com/jelou", created.WebhookUrl);
        }

        [Theory]
        [InlineData("{}")]
        [InlineData("{\"message\":[\"ok\"],\"statusMessage\":\"success\",\"status\":1}")]
        public async Task An_answer_that_names_no_integration_is_an_invalid_response(string body)
        {
            using JelouClient client = Answering(() => Answers.Json(HttpStatusCode.OK, body));

            var error = await Assert.ThrowsAsync<JelouApiException>(() => client.GetExternalSupportAsync("p1"));

            Assert.Equal(JelouErrorKind.InvalidResponse, error.Kind);
        }

        [Fact]
        public async Task A_lone_surrogate_is_an_invalid_response_but_never_costs_a_secret()
        {
            using (JelouClient reader = Answering(() => Answers.Json(HttpStatusCode.OK, "{\"id\":\"i\\ud800\",\"webhookUrl\":\"https://crm.example.com/jelou\"}")))
            {
                var error = await Assert.ThrowsAsync<JelouApiException>(() => reader.GetExternalSupportAsync("p1"));
                Assert.Equal(JelouErrorKind.InvalidResponse, error.Kind);
                Assert.Contains("lone surrogate", error.Message);
            }

            string secret = NewSecret();
            string body = Answers.Created("p1", secret, webhookUrl: "https://crm.example.com/\\ud800");
            using JelouClient creator = Answering(() => Answers.Json(HttpStatusCode.Created, body));
            var failed = await Assert.ThrowsAsync<JelouApiException>(() => creator.CreateExternalSupportAsync("p1", Settings()));
            Assert.Equal(JelouErrorKind.InvalidResponse, failed.Kind);
            Assert.Equal(secret, Plain(failed.Integration!.SigningSecret!));
            Assert.Null(failed.Integration.WebhookUrl);
            Assert.Equal("64f0c0ffee0000000000beef", failed.Integration.Id);
        }

        [Fact]
        public async Task A_connection_reset_after_the_secret_fails_with_it()
        {
            string secret = NewSecret();
            string head = UpToSecret(Answers.Created("p1", secret), secret);
            using JelouClient client = Answering(() => Answers.Json(HttpStatusCode.Created, head, BodyEnding.Reset));

            var error = await Assert.ThrowsAsync<JelouApiException>(() => client.CreateExternalSupportAsync("p1", Settings()));

            Assert.Equal(JelouErrorKind.ConnectionFailed, error.Kind);
            Assert.Contains("the connection broke after", error.Message);
            Assert.Equal(secret, Plain(error.Integration!.SigningSecret!));
        }

        [Fact]
        public async Task A_body_that_never_ends_after_the_secret_times_out_with_it()
        {
            string secret = NewSecret();
            string head = UpToSecret(Answers.Created("p1", secret), secret);
            using JelouClient client = Answering(() => Answers.Json(HttpStatusCode.Created, head, BodyEnding.Hang), timeout: TimeSpan.FromMilliseconds(300));

            var error = await Assert.ThrowsAsync<JelouApiException>(() => client.CreateExternalSupportAsync("p1", Settings()));

            Assert.Equal(JelouErrorKind.Timeout, error.Kind);
            Assert.Equal(secret, Plain(error.Integration!.SigningSecret!));
        }

        [Fact]
        public async Task A_stop_while_the_body_drips_after_the_secret_still_hands_it_over()
        {
            string secret = NewSecret();
            string head = UpToSecret(Answers.Created("p1", secret), secret);
            using JelouClient client = Answering(() => Answers.Json(HttpStatusCode.Created, head, BodyEnding.Hang), timeout: TimeSpan.FromMinutes(5), stopGrace: TimeSpan.FromMilliseconds(200));
            using var stop = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));

            var error = await Assert.ThrowsAsync<JelouApiException>(() => client.CreateExternalSupportAsync("p1", Settings(), cancellationToken: stop.Token));

            Assert.Equal(JelouErrorKind.OutcomeUnknown, error.Kind);
            Assert.Equal(secret, Plain(error.Integration!.SigningSecret!));
        }

        [Fact]
        public async Task An_oversized_body_is_refused_without_reading_it_whole_and_keeps_the_secret()
        {
            string secret = NewSecret();
            string head = UpToSecret(Answers.Created("p1", secret), secret) + ",\"padding\":\"";
            var served = new ScriptedBody(Encoding.UTF8.GetBytes(head), padTo: 200L * 1024 * 1024);
            using JelouClient client = Answering(() => new HttpResponseMessage(HttpStatusCode.Created) { Content = new StreamContent(served) });

            var error = await Assert.ThrowsAsync<JelouApiException>(() => client.CreateExternalSupportAsync("p1", Settings()));

            Assert.Equal(JelouErrorKind.InvalidResponse, error.Kind);
            Assert.Contains("larger than 10 MB", error.Message);
            Assert.Equal(secret, Plain(error.Integration!.SigningSecret!));
            Assert.InRange(served.Served, 10L * 1024 * 1024, 11L * 1024 * 1024);
        }

        [Fact]
        public async Task An_oversized_read_is_an_invalid_response_not_a_connection_failure()
        {
            using JelouClient client = Answering(() => Answers.Json(HttpStatusCode.OK, "{\"id\":\"", padTo: 20L * 1024 * 1024));

            var error = await Assert.ThrowsAsync<JelouApiException>(() => client.GetExternalSupportAsync("p1"));

            Assert.Equal(JelouErrorKind.InvalidResponse, error.Kind);
            Assert.DoesNotContain("Could not reach", error.Message);
        }

        [Fact]
        public async Task A_failure_before_the_secret_carries_no_integration()
        {
            string secret = NewSecret();
            string body = Answers.Created("p1", secret);
            string cut = body.Substring(0, body.IndexOf(secret, StringComparison.Ordinal) + 5);
            using JelouClient client = Answering(() => Answers.Json(HttpStatusCode.Created, cut, BodyEnding.Reset));

            var error = await Assert.ThrowsAsync<JelouApiException>(() => client.CreateExternalSupportAsync("p1", Settings()));

            Assert.Null(error.Integration);
            Assert.Equal(JelouErrorKind.ConnectionFailed, error.Kind);
        }

        private static byte[] Concat(byte[] a, byte[] b)
        {
            byte[] all = new byte[a.Length + b.Length];
            Buffer.BlockCopy(a, 0, all, 0, a.Length);
            Buffer.BlockCopy(b, 0, all, a.Length, b.Length);
            return all;
        }
    }
}
