using System;
using System.IO;
using System.Net.Http;
using System.Security;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using JelouPS.Http;
using JelouPS.Json;
using JelouPS.Security;

namespace JelouPS
{
    /// <summary>
    /// Jelou's External Support API. Thread-safe and meant to live as long as the connection:
    /// it owns one HttpClient, created on first use.
    /// </summary>
    public sealed class JelouClient : IDisposable
    {
        private static readonly HttpMethod Patch = new HttpMethod("PATCH");

        private readonly JelouTransport _transport;

        public JelouClient(JelouClientOptions options) : this(options, handler: null) { }

        /// <summary>For tests: a handler that fakes or faults the network.</summary>
        internal JelouClient(JelouClientOptions options, HttpMessageHandler? handler)
        {
            Options = options ?? throw new ArgumentNullException(nameof(options));
            options.Validate();
            _transport = new JelouTransport(options.Timeout, handler);
        }

        public JelouClientOptions Options { get; }

        /// <summary><c>POST /v1/external-support/{projectId}</c>. The answer is the only time the signing secret is shown.</summary>
        public async Task<ExternalSupportIntegration> CreateExternalSupportAsync(string projectId, ExternalSupportSettings settings, IJelouTrace? trace = null, CancellationToken cancellationToken = default)
        {
            if (settings is null) throw new ArgumentNullException(nameof(settings));
            Uri uri = IntegrationUri(projectId);
            settings.Validate(creating: true);
            ApiResponse response = await SendManagementAsync(HttpMethod.Post, uri, SettingsBody(settings), trace, cancellationToken).ConfigureAwait(false);
            return ReadIntegration(projectId, response, secretExpected: true);
        }

        /// <summary><c>GET /v1/external-support/{projectId}</c>: the integration, without its secret.</summary>
        public async Task<ExternalSupportIntegration> GetExternalSupportAsync(string projectId, IJelouTrace? trace = null, CancellationToken cancellationToken = default)
        {
            ApiResponse response = await SendManagementAsync(HttpMethod.Get, IntegrationUri(projectId), null, trace, cancellationToken).ConfigureAwait(false);
            return ReadIntegration(projectId, response, secretExpected: false);
        }

        /// <summary><c>PATCH /v1/external-support/{projectId}</c> with only the settings that are set.</summary>
        public async Task<ExternalSupportIntegration> UpdateExternalSupportAsync(string projectId, ExternalSupportSettings settings, IJelouTrace? trace = null, CancellationToken cancellationToken = default)
        {
            if (settings is null) throw new ArgumentNullException(nameof(settings));
            Uri uri = IntegrationUri(projectId);
            settings.Validate(creating: false);
            ApiResponse response = await SendManagementAsync(Patch, uri, SettingsBody(settings), trace, cancellationToken).ConfigureAwait(false);
            return ReadIntegration(projectId, response, secretExpected: false);
        }

        /// <summary><c>DELETE /v1/external-support/{projectId}</c>. Jelou stops sending events at once.</summary>
        public async Task DeleteExternalSupportAsync(string projectId, IJelouTrace? trace = null, CancellationToken cancellationToken = default)
        {
            await SendManagementAsync(HttpMethod.Delete, IntegrationUri(projectId), null, trace, cancellationToken).ConfigureAwait(false);
        }

        /// <summary><c>POST /v1/external-support/{projectId}/secret/regenerate</c>. The old secret dies at once.</summary>
        public async Task<ExternalSupportIntegration> RegenerateSigningSecretAsync(string projectId, IJelouTrace? trace = null, CancellationToken cancellationToken = default)
        {
            Uri uri = JelouUris.Combine(IntegrationUri(projectId), "secret/regenerate");
            ApiResponse response = await SendManagementAsync(HttpMethod.Post, uri, null, trace, cancellationToken).ConfigureAwait(false);
            return ReadIntegration(projectId, response, secretExpected: true);
        }

        private Uri IntegrationUri(string projectId) =>
            JelouUris.Combine(Options.BaseUri, "v1/external-support/" + JelouUris.Segment(projectId, nameof(projectId)));

        private Task<ApiResponse> SendManagementAsync(HttpMethod method, Uri uri, byte[]? body, IJelouTrace? trace, CancellationToken cancellationToken) =>
            _transport.SendAsync(method, uri, body, Options.Credential.Apply, trace, cancellationToken);

        private static byte[] SettingsBody(ExternalSupportSettings settings)
        {
            using var stream = new MemoryStream();
            try
            {
                using (var writer = new Utf8JsonWriter(stream, JelouJson.WriterOptions))
                {
                    writer.WriteStartObject();
                    if (settings.WebhookUrl != null) writer.WriteString("webhookUrl", settings.WebhookUrl.OriginalString);
                    if (settings.AuthType != null) writer.WriteString("authType", settings.AuthType);
                    if (settings.Authorization != null)
                    {
                        SecureStrings.UseChars(settings.Authorization, chars =>
                        {
                            writer.WriteString("authorization", chars);
                            return true;
                        });
                    }
                    writer.WriteEndObject();
                }
                return stream.ToArray();
            }
            finally
            {
                Array.Clear(stream.GetBuffer(), 0, (int)stream.Length);
            }
        }

        private static ExternalSupportIntegration ReadIntegration(string projectId, ApiResponse response, bool secretExpected)
        {
            try
            {
                using JsonDocument document = JelouJson.Parse(response);
                JsonElement data = JelouJson.Unwrap(document.RootElement, response);
                SecureString? secret = null;
                string? secretText = JelouJson.GetString(data, "signingSecret", response);
                if (secretText != null)
                {
                    secret = SecureStrings.FromString(secretText);
                }
                else if (secretExpected)
                {
                    throw JelouJson.InvalidResponse(response, "no signingSecret in the answer");
                }
                return new ExternalSupportIntegration(
                    projectId,
                    JelouJson.GetString(data, "id", response) ?? JelouJson.GetString(data, "_id", response),
                    JelouJson.GetString(data, "brainId", response),
                    JelouJson.GetString(data, "webhookUrl", response),
                    JelouJson.GetString(data, "authType", response),
                    secret,
                    JelouJson.GetDate(data, "createdAt", response),
                    JelouJson.GetDate(data, "updatedAt", response),
                    JelouJson.GetDate(data, "regeneratedAt", response));
            }
            finally
            {
                if (secretExpected) response.ClearBody();
            }
        }

        public void Dispose() => _transport.Dispose();
    }
}
