using System;
using System.Collections.Generic;
using System.IO;
using System.Net.Http;
using System.Security;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using JelouPS.Http;
using JelouPS.Json;
using JelouPS.Security;
using JelouPS.Webhooks;
using static JelouPS.Json.JavaScriptJson;

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
            _transport = new JelouTransport(options.Timeout, handler, options.Proxy);
        }

        public JelouClientOptions Options { get; }

        /// <summary><c>POST /v1/external-support/{projectId}</c>. The answer is the only time the signing secret is shown.</summary>
        public async Task<ExternalSupportIntegration> CreateExternalSupportAsync(string projectId, ExternalSupportSettings settings, IJelouTrace? trace = null, CancellationToken cancellationToken = default)
        {
            if (settings is null) throw new ArgumentNullException(nameof(settings));
            Uri uri = IntegrationUri(projectId);
            settings.Validate(creating: true);
            ApiResponse response = await SendManagementAsync(JelouOperation.CreateIntegration, HttpMethod.Post, uri, SettingsBody(settings), trace, cancellationToken).ConfigureAwait(false);
            return ReadIntegration(projectId, response, secretExpected: true);
        }

        /// <summary><c>GET /v1/external-support/{projectId}</c>: the integration, without its secret.</summary>
        public async Task<ExternalSupportIntegration> GetExternalSupportAsync(string projectId, IJelouTrace? trace = null, CancellationToken cancellationToken = default)
        {
            ApiResponse response = await SendManagementAsync(JelouOperation.GetIntegration, HttpMethod.Get, IntegrationUri(projectId), null, trace, cancellationToken).ConfigureAwait(false);
            return ReadIntegration(projectId, response, secretExpected: false);
        }

        /// <summary><c>PATCH /v1/external-support/{projectId}</c> with only the settings that are set.</summary>
        public async Task<ExternalSupportIntegration> UpdateExternalSupportAsync(string projectId, ExternalSupportSettings settings, IJelouTrace? trace = null, CancellationToken cancellationToken = default)
        {
            if (settings is null) throw new ArgumentNullException(nameof(settings));
            Uri uri = IntegrationUri(projectId);
            settings.Validate(creating: false);
            ApiResponse response = await SendManagementAsync(JelouOperation.UpdateIntegration, Patch, uri, SettingsBody(settings), trace, cancellationToken).ConfigureAwait(false);
            return ReadIntegration(projectId, response, secretExpected: false);
        }

        /// <summary><c>DELETE /v1/external-support/{projectId}</c>. Jelou stops sending events at once.</summary>
        public async Task DeleteExternalSupportAsync(string projectId, IJelouTrace? trace = null, CancellationToken cancellationToken = default)
        {
            await SendManagementAsync(JelouOperation.DeleteIntegration, HttpMethod.Delete, IntegrationUri(projectId), null, trace, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>
        /// <c>POST /v1/external-support/{projectId}/secret/regenerate</c>. The old secret dies at once. The enveloped answer
        /// names only the project and the secret, so the integration's other members are read back with a GET (a read:
        /// if it fails, the new secret is still returned, with what the answer held).
        /// </summary>
        public async Task<ExternalSupportIntegration> RegenerateSigningSecretAsync(string projectId, IJelouTrace? trace = null, CancellationToken cancellationToken = default)
        {
            Uri uri = JelouUris.Combine(IntegrationUri(projectId), "secret/regenerate");
            ApiResponse response = await SendManagementAsync(JelouOperation.RegenerateSecret, HttpMethod.Post, uri, null, trace, cancellationToken).ConfigureAwait(false);
            // The enveloped answer carries no regeneratedAt: then the time the answer arrived is the best record.
            ExternalSupportIntegration regenerated = ReadIntegration(projectId, response, secretExpected: true, regeneratedFallback: DateTimeOffset.UtcNow);
            if (regenerated.Id != null && regenerated.WebhookUrl != null && regenerated.CreatedAt != null) return regenerated;
            try
            {
                return regenerated.CompletedWith(await GetExternalSupportAsync(projectId, trace, cancellationToken).ConfigureAwait(false));
            }
            catch (JelouApiException ex)
            {
                trace?.Verbose($"Kept the new signing secret of {projectId} without the integration's id, URL and creation time: reading them back failed ({ex.Kind}).");
                return regenerated;
            }
        }

        /// <summary><c>POST .../conversations/start</c>. Not idempotent: never sent twice.</summary>
        public async Task<Conversation> StartConversationAsync(string projectId, StartConversationRequest request, IJelouTrace? trace = null, CancellationToken cancellationToken = default)
        {
            if (request is null) throw new ArgumentNullException(nameof(request));
            Uri uri = JelouUris.Combine(IntegrationUri(projectId), "conversations/start");
            request.Validate();
            var body = new List<KeyValuePair<string, object?>>
            {
                Member("botId", request.BotId),
                Member("userId", request.UserId),
            };
            if (request.InitialMessage != null) body.Add(Member("initialMessage", request.InitialMessage));
            if (request.Metadata != null) body.Add(Member("metadata", request.Metadata));
            if (request.AssignmentType != null)
            {
                body.Add(Member("assignment", new[] { Member("type", request.AssignmentType), Member("target", request.AssignmentTarget) }));
            }
            ApiResponse response = await SendManagementAsync(JelouOperation.StartConversation, HttpMethod.Post, uri, Utf8(body), trace, cancellationToken).ConfigureAwait(false);
            return ReadConversation(projectId, response, fallbackUserId: request.UserId, fallbackBotId: request.BotId);
        }

        /// <summary><c>POST .../conversations/close</c>: closes the user's conversation with the bot.</summary>
        public async Task CloseConversationAsync(string projectId, CloseConversationRequest request, IJelouTrace? trace = null, CancellationToken cancellationToken = default)
        {
            if (request is null) throw new ArgumentNullException(nameof(request));
            Uri uri = JelouUris.Combine(IntegrationUri(projectId), "conversations/close");
            request.Validate();
            var body = new List<KeyValuePair<string, object?>>
            {
                Member("botId", request.BotId),
                Member("userId", request.UserId),
            };
            if (request.RedirectType != null)
            {
                var redirect = new List<KeyValuePair<string, object?>> { Member("type", request.RedirectType) };
                if (request.RedirectText != null) redirect.Add(Member("text", request.RedirectText));
                body.Add(Member("redirectPayload", redirect));
            }
            await SendManagementAsync(JelouOperation.CloseConversation, HttpMethod.Post, uri, Utf8(body), trace, cancellationToken).ConfigureAwait(false);
        }

        /// <summary><c>GET .../conversations/{conversationId}</c>.</summary>
        public async Task<Conversation> GetConversationAsync(string projectId, string conversationId, IJelouTrace? trace = null, CancellationToken cancellationToken = default)
        {
            Uri uri = JelouUris.Combine(IntegrationUri(projectId), "conversations/" + JelouUris.Segment(conversationId, nameof(conversationId)));
            ApiResponse response = await SendManagementAsync(JelouOperation.GetConversation, HttpMethod.Get, uri, null, trace, cancellationToken).ConfigureAwait(false);
            return ReadConversation(projectId, response, fallbackUserId: null, fallbackBotId: null);
        }

        /// <summary>
        /// Sends an agent's reply to <c>{ChatbotUri}/v1/external-support/webhook</c>, signed with
        /// <c>X-Jelou-Signature</c> over exactly the bytes sent. This endpoint takes no API key.
        /// </summary>
        public async Task<SupportMessageReceipt> SendSupportMessageAsync(SupportMessage message, SecureString signingSecret, IJelouTrace? trace = null, CancellationToken cancellationToken = default)
        {
            if (message is null) throw new ArgumentNullException(nameof(message));
            if (signingSecret is null || signingSecret.Length == 0) throw new ArgumentException("A signing secret is required to sign the message.", nameof(signingSecret));
            message.Validate();
            byte[] body = Utf8(message.Payload());
            string signature = JelouSignature.Compute(body, signingSecret);
            Uri uri = JelouUris.Combine(Options.ChatbotUri, "v1/external-support/webhook");
            ApiResponse response = await _transport.SendAsync(JelouOperation.SendMessage, HttpMethod.Post, uri, body, headers => headers.TryAddWithoutValidation(JelouSignature.HeaderName, signature), trace, cancellationToken).ConfigureAwait(false);
            return new SupportMessageReceipt(message.ProjectId, message.RoomId, message.MessageId!, message.Type, (int)response.StatusCode, DateTimeOffset.UtcNow);
        }

        private static Conversation ReadConversation(string projectId, ApiResponse response, string? fallbackUserId, string? fallbackBotId)
        {
            // The start answer is undocumented: an empty or message-only body still means "started".
            if (response.Body.Length == 0 && fallbackUserId != null)
            {
                return new Conversation(projectId, null, null, null, null, null, null, new ConversationUser(fallbackUserId, null, null), new ConversationBot(fallbackBotId, null));
            }
            using JsonDocument document = JelouJson.Parse(response);
            JsonElement data = JelouJson.Unwrap(document.RootElement, response);
            JsonElement? user = JelouJson.GetObject(data, response, "User", "user", "contact");
            JsonElement? bot = JelouJson.GetObject(data, response, "Bot", "bot");
            return new Conversation(
                projectId,
                JelouJson.GetString(data, "_id", response) ?? JelouJson.GetString(data, "id", response) ?? JelouJson.GetString(data, "conversationId", response),
                JelouJson.GetString(data, "roomId", response) ?? JelouJson.GetString(data, "room_id", response),
                JelouJson.GetString(data, "state", response),
                JelouJson.GetDate(data, "startAt"),
                JelouJson.GetDate(data, "endAt"),
                JelouJson.GetString(data, "endedReason", response),
                new ConversationUser(
                    user is JsonElement u ? JelouJson.GetString(u, "id", response) : fallbackUserId,
                    user is JsonElement n ? JelouJson.GetString(n, "names", response) ?? JelouJson.GetString(n, "name", response) : null,
                    user is JsonElement r ? JelouJson.GetString(r, "referenceId", response) : null),
                new ConversationBot(
                    bot is JsonElement b ? JelouJson.GetString(b, "id", response) : fallbackBotId,
                    bot is JsonElement bn ? JelouJson.GetString(bn, "name", response) : null));
        }

        private Uri IntegrationUri(string projectId) =>
            JelouUris.Combine(Options.BaseUri, "v1/external-support/" + JelouUris.Segment(projectId, nameof(projectId)));

        private Task<ApiResponse> SendManagementAsync(JelouOperation operation, HttpMethod method, Uri uri, byte[]? body, IJelouTrace? trace, CancellationToken cancellationToken) =>
            _transport.SendAsync(operation, method, uri, body, Options.Credential.Apply, trace, cancellationToken);

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

        private ExternalSupportIntegration ReadIntegration(string projectId, ApiResponse response, bool secretExpected, DateTimeOffset? regeneratedFallback = null)
        {
            try
            {
                using JsonDocument document = JelouJson.Parse(response);
                JsonElement data = JelouJson.Unwrap(document.RootElement, response);
                SecureString? secret = JelouJson.ReadSecret(response, "signingSecret");
                if (secret is null && secretExpected)
                {
                    throw JelouJson.InvalidResponse(response, "no signingSecret in the answer");
                }

                // Once a secret is in hand, a malformed detail must not cost it: such a member reads as null.
                T? Read<T>(Func<T?> read)
                {
                    try { return read(); }
                    catch (JelouApiException) when (secret != null) { return default; }
                }
                return new ExternalSupportIntegration(
                    projectId,
                    Read(() => JelouJson.GetString(data, "id", response) ?? JelouJson.GetString(data, "_id", response)),
                    Read(() => JelouJson.GetString(data, "brainId", response)),
                    Read(() => JelouJson.GetString(data, "webhookUrl", response)),
                    Read(() => JelouJson.GetString(data, "authType", response)),
                    secret,
                    JelouJson.GetDate(data, "createdAt"),
                    JelouJson.GetDate(data, "updatedAt"),
                    JelouJson.GetDate(data, "regeneratedAt") ?? regeneratedFallback)
                {
                    Source = Options.BaseUri,
                };
            }
            finally
            {
                if (secretExpected) response.ClearBody();
            }
        }

        public void Dispose() => _transport.Dispose();
    }
}
