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

        private static JelouClient Answering(HttpStatusCode status, string reason, string mediaType, string body) =>
            new JelouClient(
                new JelouClientOptions(new JelouApiKeyCredential(Secure("stub-api-key")))
                {
                    BaseUri = new Uri("https://gateway.example.test/jelouapi"),
                    MaximumRetryCount = 0,
                    HeldSecrets = () => new[] { Secure(Held) },
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
    }
}
