using System;
using System.Net;
using System.Net.Http;
using System.Text;
using System.Threading.Tasks;
using Xunit;
using static JelouPS.Tests.Client.TestClients;

namespace JelouPS.Tests.Client
{
    /// <summary>
    /// A server may quote a secret the session holds (a project's current signing secret) in an answer to another call:
    /// its error texts are redacted of what JelouClientOptions.HeldSecrets gives, as of what the request carried.
    /// </summary>
    public sealed class HeldSecretRedactionTests
    {
        private const string Held = "whsec-held-0123456789abcdef";

        private static JelouClient Answering(HttpStatusCode status, string reason, string mediaType, string body, params JelouPS.Security.HeldSecret[] held) =>
            new JelouClient(
                new JelouClientOptions(new JelouApiKeyCredential(Secure("stub-api-key")))
                {
                    BaseUri = new Uri("https://gateway.example.test/jelouapi"),
                    MaximumRetryCount = 0,
                    HeldSecrets = _ => held.Length > 0 ? held : new JelouPS.Security.HeldSecret[] { Secure(Held) },
                },
                new StubHandler((request, token) => Task.FromResult(new HttpResponseMessage(status)
                {
                    ReasonPhrase = reason,
                    Content = new StringContent(body, Encoding.UTF8, mediaType),
                    RequestMessage = request,
                })),
                null);

        [Theory]
        [InlineData(HttpStatusCode.OK, "OK " + Held, "text/html", "<p>not json</p>")]
        [InlineData(HttpStatusCode.InternalServerError, "Err", "text/" + Held, "x")]
        [InlineData(HttpStatusCode.OK, "OK", "application/" + Held + "+json", "{")]
        [InlineData(HttpStatusCode.InternalServerError, "Internal Server Error", "application/json", "{\"message\":\"dump: signingSecret=" + Held + "\"}")]
        public async Task A_held_secret_in_an_answers_reason_phrase_media_type_or_body_is_redacted(HttpStatusCode status, string reason, string mediaType, string body)
        {
            using JelouClient client = Answering(status, reason, mediaType, body);

            var error = await Assert.ThrowsAsync<JelouApiException>(() => client.GetExternalSupportAsync("p1"));

            Assert.DoesNotContain(Held, error.Message + error.ApiMessage);
            Assert.Contains("REDACTED", error.Message);
        }

        [Fact]
        public async Task A_held_secret_an_answer_quotes_cut_or_masked_shows_no_run_of_8_of_its_characters()
        {
            using JelouClient client = Answering(HttpStatusCode.Unauthorized, "Unauthorized", "application/json",
                "{\"message\":\"invalid secret " + Held.Substring(0, Held.Length - 4) + "****, expected " + Held.Substring(4, 9).ToUpperInvariant() + "\"}");

            var error = await Assert.ThrowsAsync<JelouApiException>(() => client.GetExternalSupportAsync("p1"));

            Assert.Equal("invalid secret REDACTED****, expected REDACTED", error.ApiMessage);
        }

        [Fact]
        public async Task A_test_events_result_is_redacted_of_held_secrets_a_receiver_quotes()
        {
            var receiver = new StubHandler((request, token) => Task.FromResult(new HttpResponseMessage(HttpStatusCode.InternalServerError)
            {
                ReasonPhrase = "Bad " + Held,
                Content = new StringContent("x"),
                RequestMessage = request,
            }));
            using var tester = new JelouPS.Webhooks.WebhookTester(receiver) { HeldSecrets = _ => new JelouPS.Security.HeldSecret[] { Secure(Held) } };

            JelouPS.Webhooks.WebhookTestResult result = await tester.SendAsync(
                new JelouPS.Webhooks.TestEventRequest { WebhookUrl = new Uri("https://crm.example.com/hook"), SigningSecret = Secure("unrelated-signing-secret") }, TimeSpan.FromSeconds(5));

            Assert.Equal(500, result.StatusCode);
            Assert.DoesNotContain(Held, result.Error);
            Assert.Contains("REDACTED", result.Error);
        }

        /// <summary>A receiver's error page that quotes the request line quotes the URL's key (an Azure Function's code) with it.</summary>
        [Theory]
        [InlineData("code=FNKEY-0123-abcd", "FNKEY-0123-abcd")]
        [InlineData("x=1&sig=SAS%2Bsig%3D0123", "SAS+sig=0123")]
        [InlineData("code=Plus+KEY+0123", "Plus KEY 0123")]
        public async Task A_test_events_result_is_redacted_of_its_urls_key_a_receiver_quotes(string query, string key)
        {
            var receiver = new StubHandler((request, token) => Task.FromResult(new HttpResponseMessage(HttpStatusCode.BadRequest)
            {
                Content = new StringContent("{\"message\":\"you sent: POST " + request.RequestUri!.PathAndQuery + " (key " + key + ")\"}", Encoding.UTF8, "application/json"),
                RequestMessage = request,
            }));
            using var tester = new JelouPS.Webhooks.WebhookTester(receiver);

            JelouPS.Webhooks.WebhookTestResult result = await tester.SendAsync(
                new JelouPS.Webhooks.TestEventRequest { WebhookUrl = new Uri("https://fn.example.net/api/jelou?" + query), SigningSecret = Secure("unrelated-signing-secret") }, TimeSpan.FromSeconds(5));

            Assert.Equal(400, result.StatusCode);
            Assert.False(result.Error!.Contains(key, StringComparison.Ordinal), result.Error);
            Assert.False(result.Error.Contains(query.Substring(query.IndexOf('=', query.LastIndexOf('&') + 1) + 1), StringComparison.Ordinal), result.Error);
            Assert.Contains("REDACTED", result.Error);
        }

        [Fact]
        public async Task A_reason_phrase_that_runs_on_is_cut_after_200_characters()
        {
            using JelouClient client = Answering(HttpStatusCode.InternalServerError, new string('r', 5000), "application/json", "{\"message\":\"boom\"}");

            var error = await Assert.ThrowsAsync<JelouApiException>(() => client.GetExternalSupportAsync("p1"));

            Assert.Contains(new string('r', 200) + "… (4800 more characters)", error.Message);
            Assert.DoesNotContain(new string('r', 201), error.Message);
        }

        /// <summary>
        /// A webhook credential held from another call is looked for whole, not by its parts: hand-picked, it may share a
        /// run of 8 characters with a project id or a word of the message, which would be hidden with it.
        /// </summary>
        [Fact]
        public async Task A_held_webhook_credential_is_redacted_whole_but_not_by_its_parts()
        {
            using JelouClient client = Answering(HttpStatusCode.InternalServerError, "Internal Server Error", "application/json",
                "{\"message\":\"crm-webhook-token refused for crm-webhook-9f\"}", new JelouPS.Security.HeldSecret(Secure("crm-webhook-token"), wholeOnly: true));

            var error = await Assert.ThrowsAsync<JelouApiException>(() => client.GetExternalSupportAsync("p1"));

            Assert.Equal("REDACTED refused for crm-webhook-9f", error.ApiMessage);
        }
    }
}
