using System;
using System.Linq;
using System.Net;
using System.Threading.Tasks;
using JelouPS.Emulator;
using Xunit;
using static JelouPS.Tests.Client.TestClients;

namespace JelouPS.Tests.Client
{
    /// <summary>The integration resource end to end against the emulator, in both answer shapes.</summary>
    public sealed class ExternalSupportTests : IClassFixture<EmulatorFixture>
    {
        private readonly JelouEmulator _emulator;

        public ExternalSupportTests(EmulatorFixture fixture)
        {
            _emulator = fixture.Emulator;
            _emulator.Shape = ResponseShape.Envelope;
        }

        private static ExternalSupportSettings Bearer(string url = "https://crm.example.com/jelou", string token = "tok-123") =>
            new ExternalSupportSettings { WebhookUrl = new Uri(url), AuthType = "bearer", Authorization = Secure(token) };

        [Theory]
        [InlineData(ResponseShape.Envelope)]
        [InlineData(ResponseShape.Flat)]
        public async Task Create_returns_the_integration_and_its_signing_secret_in_either_shape(ResponseShape shape)
        {
            _emulator.Shape = shape;
            using JelouClient client = ForEmulator(_emulator);
            string projectId = NewProjectId();

            ExternalSupportIntegration created = await client.CreateExternalSupportAsync(projectId, Bearer());

            IntegrationRecord stored = _emulator.FindIntegration(projectId)!;
            Assert.Equal(projectId, created.ProjectId);
            Assert.Equal(stored.Id, created.Id);
            Assert.Equal(projectId, created.BrainId);
            Assert.Equal("https://crm.example.com/jelou", created.WebhookUrl);
            Assert.Equal("bearer", created.AuthType);
            Assert.Equal(stored.SigningSecret, Plain(created.SigningSecret!));
            Assert.Equal(stored.CreatedAt.ToUnixTimeMilliseconds(), created.CreatedAt!.Value.ToUnixTimeMilliseconds());
            Assert.Equal(TimeSpan.Zero, created.CreatedAt!.Value.Offset);
        }

        [Fact]
        public async Task Create_sends_the_documented_request_byte_for_byte()
        {
            using JelouClient client = ForEmulator(_emulator);
            string projectId = NewProjectId();

            await client.CreateExternalSupportAsync(projectId, Bearer("https://crm.example.com/jelou?a=1&b=ü", "tok\"+/<>"));

            RecordedRequest request = _emulator.Requests.Last(r => r.Path.EndsWith(projectId, StringComparison.Ordinal));
            Assert.Equal("POST", request.Method);
            Assert.Equal("/jelouapi/v1/external-support/" + projectId, request.Path);
            Assert.Equal("api-key", request.Authentication);
            Assert.Equal("application/json", request.ContentType);
            Assert.Equal("[REDACTED]", request.Headers["x-api-key"]);
            Assert.Equal("application/json", request.Headers["Accept"]);
            Assert.StartsWith("JelouPS/", request.Headers["User-Agent"]);
            Assert.False(request.Headers.ContainsKey("Authorization"));
            // Non-ASCII is sent percent-encoded (a host in punycode), as every receiver reads it.
            Assert.Equal("{\"webhookUrl\":\"https://crm.example.com/jelou?a=1&b=%C3%BC\",\"authType\":\"bearer\",\"authorization\":\"[REDACTED]\"}", request.Body);
            Assert.Equal("tok\"+/<>", _emulator.FindIntegration(projectId)!.Authorization);
        }

        [Fact]
        public async Task Create_without_auth_settings_sends_only_the_webhook_url()
        {
            using JelouClient client = ForEmulator(_emulator);
            string projectId = NewProjectId();

            await client.CreateExternalSupportAsync(projectId, new ExternalSupportSettings { WebhookUrl = new Uri("https://crm.example.com/hook") });

            Assert.Equal("{\"webhookUrl\":\"https://crm.example.com/hook\"}", _emulator.Requests.Last(r => r.Path.EndsWith(projectId, StringComparison.Ordinal)).Body);
        }

        [Fact]
        public async Task Client_credentials_are_sent_as_http_basic()
        {
            var credential = new JelouClientCredential(EmulatorOptions.DefaultClientId, Secure(EmulatorOptions.DefaultClientSecret));
            using JelouClient client = ForEmulator(_emulator, credential);
            string projectId = NewProjectId();

            await client.CreateExternalSupportAsync(projectId, Bearer());

            Assert.Equal("basic", _emulator.Requests.Last(r => r.Path.EndsWith(projectId, StringComparison.Ordinal)).Authentication);
        }

        [Theory]
        [InlineData(ResponseShape.Envelope)]
        [InlineData(ResponseShape.Flat)]
        public async Task Get_returns_the_integration_without_a_secret(ResponseShape shape)
        {
            using JelouClient client = ForEmulator(_emulator);
            string projectId = NewProjectId();
            await client.CreateExternalSupportAsync(projectId, Bearer());
            _emulator.Shape = shape;

            ExternalSupportIntegration found = await client.GetExternalSupportAsync(projectId);

            Assert.Equal("https://crm.example.com/jelou", found.WebhookUrl);
            Assert.Equal(projectId, found.BrainId);
            Assert.NotNull(found.UpdatedAt);
            Assert.Null(found.SigningSecret);
        }

        [Fact]
        public async Task A_read_that_carries_a_secret_after_all_gives_an_object_without_it()
        {
            using JelouClient client = ForEmulator(_emulator);
            string projectId = NewProjectId();
            _emulator.EnqueueFault(new EmulatorFault { Method = "GET", PathContains = projectId, Status = 200, Body = "{\"id\":\"i-1\",\"webhookUrl\":\"https://crm.example.com/jelou\",\"signingSecret\":\"whsec_not_issued_by_a_read\"}" });

            ExternalSupportIntegration found = await client.GetExternalSupportAsync(projectId);

            Assert.Equal("i-1", found.Id);
            Assert.Null(found.SigningSecret);
            Assert.Null(found.SecretLocation);
        }

        [Fact]
        public async Task Update_sends_only_the_settings_given_and_keeps_the_rest()
        {
            using JelouClient client = ForEmulator(_emulator);
            string projectId = NewProjectId();
            await client.CreateExternalSupportAsync(projectId, Bearer());

            ExternalSupportIntegration updated = await client.UpdateExternalSupportAsync(projectId, new ExternalSupportSettings { WebhookUrl = new Uri("https://crm.example.com/v2") });

            RecordedRequest request = _emulator.Requests.Last(r => r.Path.EndsWith(projectId, StringComparison.Ordinal));
            Assert.Equal("PATCH", request.Method);
            Assert.Equal("{\"webhookUrl\":\"https://crm.example.com/v2\"}", request.Body);
            Assert.Equal("https://crm.example.com/v2", updated.WebhookUrl);
            Assert.Equal("bearer", updated.AuthType);
            Assert.Equal("tok-123", _emulator.FindIntegration(projectId)!.Authorization);
        }

        [Fact]
        public async Task Delete_removes_the_integration()
        {
            using JelouClient client = ForEmulator(_emulator);
            string projectId = NewProjectId();
            await client.CreateExternalSupportAsync(projectId, Bearer());

            await client.DeleteExternalSupportAsync(projectId);

            Assert.Null(_emulator.FindIntegration(projectId));
            var error = await Assert.ThrowsAsync<JelouApiException>(() => client.GetExternalSupportAsync(projectId));
            Assert.Equal(JelouErrorKind.NotFound, error.Kind);
        }

        [Theory]
        [InlineData(ResponseShape.Envelope)]
        [InlineData(ResponseShape.Flat)]
        public async Task Regenerate_returns_a_new_secret_that_replaces_the_old(ResponseShape shape)
        {
            using JelouClient client = ForEmulator(_emulator);
            string projectId = NewProjectId();
            ExternalSupportIntegration created = await client.CreateExternalSupportAsync(projectId, Bearer());
            _emulator.Shape = shape;

            ExternalSupportIntegration rotated = await client.RegenerateSigningSecretAsync(projectId);

            string path = "/jelouapi/v1/external-support/" + projectId;
            Assert.Equal(new[] { "POST " + path + "/secret/regenerate", "GET " + path }, _emulator.Requests.TakeLast(2).Select(r => r.Method + " " + r.Path));
            Assert.NotEqual(Plain(created.SigningSecret!), Plain(rotated.SigningSecret!));
            Assert.Equal(_emulator.FindIntegration(projectId)!.SigningSecret, Plain(rotated.SigningSecret!));
            // The answer names only the project and the secret; the rest is read back, so a vault gets full metadata.
            Assert.Equal(created.Id, rotated.Id);
            Assert.Equal(created.WebhookUrl, rotated.WebhookUrl);
            Assert.Equal(created.CreatedAt, rotated.CreatedAt);
            Assert.NotNull(rotated.SecretRegeneratedAt);
        }

        [Fact]
        public async Task Regenerate_keeps_the_new_secret_when_reading_the_rest_back_fails()
        {
            using JelouClient client = ForEmulator(_emulator);
            string projectId = NewProjectId();
            await client.CreateExternalSupportAsync(projectId, Bearer());
            _emulator.EnqueueFault(new EmulatorFault { Method = "GET", PathContains = projectId, Status = 503 });
            var trace = new RecordingTrace();

            ExternalSupportIntegration rotated = await client.RegenerateSigningSecretAsync(projectId, trace);

            Assert.Equal(_emulator.FindIntegration(projectId)!.SigningSecret, Plain(rotated.SigningSecret!));
            Assert.Null(rotated.WebhookUrl);
            Assert.Contains(trace.Lines, line => line.Contains("Kept the new signing secret of " + projectId, StringComparison.Ordinal));
        }

        [Theory]
        [InlineData("a b/c", "a%20b%2Fc")]
        [InlineData("ñandú?#", "%C3%B1and%C3%BA%3F%23")]
        public async Task Project_ids_are_escaped_in_the_path(string projectId, string escaped)
        {
            using JelouClient client = ForEmulator(_emulator);
            string unique = projectId + Guid.NewGuid().ToString("N");

            await client.CreateExternalSupportAsync(unique, Bearer());

            Assert.Equal("/jelouapi/v1/external-support/" + escaped + Guid.Parse(unique.Substring(projectId.Length)).ToString("N"), _emulator.Requests.Last().Path);
            Assert.NotNull(_emulator.FindIntegration(unique));
        }

        [Theory]
        [InlineData(".")]
        [InlineData("..")]
        [InlineData("")]
        public async Task Project_ids_that_a_url_would_swallow_are_refused_before_sending(string projectId)
        {
            using JelouClient client = ForEmulator(_emulator);
            int before = _emulator.Requests.Count;

            await Assert.ThrowsAsync<ArgumentException>(() => client.GetExternalSupportAsync(projectId));

            Assert.Equal(before, _emulator.Requests.Count);
        }

        [Fact]
        public async Task The_platform_prefix_works_as_a_base_uri()
        {
            using var client = new JelouClient(new JelouClientOptions(new JelouApiKeyCredential(Secure(EmulatorOptions.DefaultApiKey)))
            {
                BaseUri = new Uri(_emulator.BaseAddress, "platform/"),
            });
            string projectId = NewProjectId();

            await client.CreateExternalSupportAsync(projectId, Bearer());

            Assert.Equal("/platform/v1/external-support/" + projectId, _emulator.Requests.Last().Path);
        }

        [Fact]
        public async Task Trace_names_method_path_and_status_and_redacts_credentials()
        {
            using JelouClient client = ForEmulator(_emulator);
            var trace = new RecordingTrace();
            string projectId = NewProjectId();

            ExternalSupportIntegration created = await client.CreateExternalSupportAsync(projectId, Bearer(token: "trace-token-secret"), trace);

            string all = string.Join("\n", trace.Lines);
            Assert.Contains($"VERBOSE: POST {_emulator.GatewayUri}/v1/external-support/{projectId}", all);
            Assert.Contains("answered 200", all);
            Assert.Contains("x-api-key: REDACTED", all);
            Assert.DoesNotContain(EmulatorOptions.DefaultApiKey, all);
            Assert.DoesNotContain("trace-token-secret", all);
            Assert.DoesNotContain(Plain(created.SigningSecret!), all);
        }
    }
}
