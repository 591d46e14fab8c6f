using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Security;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using JelouPS.Http;
using JelouPS.Json;
using JelouPS.Retry;
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

        /// <summary>For tests: a handler that fakes or faults the network, how retry waits are waited, and the stop grace.</summary>
        internal JelouClient(JelouClientOptions options, HttpMessageHandler? handler, Func<TimeSpan, CancellationToken, Task>? delay = null, TimeSpan? stopGrace = null)
        {
            Options = options ?? throw new ArgumentNullException(nameof(options));
            options.Validate();
            _transport = new JelouTransport(options.Timeout, new RetryPolicy(options.MaximumRetryCount, options.RetryInterval, delay), handler, options.Proxy, stopGrace: stopGrace)
            {
                HeldSecrets = options.HeldSecrets,
            };
        }

        public JelouClientOptions Options { get; }

        /// <summary>
        /// <c>POST /v1/external-support/{projectId}</c>. The answer is the only time the signing secret is shown. Not idempotent:
        /// sent again only after a 429 or when none of it left. <paramref name="timeout"/> (the connection's by default) bounds
        /// the whole call, retries included. A failure after the secret arrived carries it in <see cref="JelouApiException.Integration"/>.
        /// </summary>
        public async Task<ExternalSupportIntegration> CreateExternalSupportAsync(string projectId, ExternalSupportSettings settings, IJelouTrace? trace = null, CancellationToken cancellationToken = default, TimeSpan? timeout = null)
        {
            if (settings is null) throw new ArgumentNullException(nameof(settings));
            Uri uri = IntegrationUri(projectId);
            settings.Validate(creating: true);
            List<SecureString> carried = CarriedSecrets(settings, out List<SecureString> made);
            try
            {
                return await IssueAsync(projectId, JelouOperation.CreateIntegration, uri, SettingsBody(settings), trace, cancellationToken, timeout, carried).ConfigureAwait(false);
            }
            finally
            {
                made.ForEach(secret => secret.Dispose());
            }
        }

        /// <summary><c>GET /v1/external-support/{projectId}</c>: the integration, without its secret.</summary>
        public async Task<ExternalSupportIntegration> GetExternalSupportAsync(string projectId, IJelouTrace? trace = null, CancellationToken cancellationToken = default, TimeSpan? timeout = null)
        {
            ApiResponse response = await SendManagementAsync(JelouOperation.GetIntegration, Idempotency.Idempotent, HttpMethod.Get, IntegrationUri(projectId), null, trace, cancellationToken, timeout).ConfigureAwait(false);
            return ReadIntegration(projectId, response);
        }

        /// <summary><c>PATCH /v1/external-support/{projectId}</c> with only the settings that are set.</summary>
        public async Task<ExternalSupportIntegration> UpdateExternalSupportAsync(string projectId, ExternalSupportSettings settings, IJelouTrace? trace = null, CancellationToken cancellationToken = default, TimeSpan? timeout = null)
        {
            if (settings is null) throw new ArgumentNullException(nameof(settings));
            Uri uri = IntegrationUri(projectId);
            settings.Validate(creating: false);
            List<SecureString> carried = CarriedSecrets(settings, out List<SecureString> made);
            try
            {
                // The same body sent twice sets the same settings.
                ApiResponse response = await SendManagementAsync(JelouOperation.UpdateIntegration, Idempotency.Idempotent, Patch, uri, SettingsBody(settings), trace, cancellationToken, timeout, carried).ConfigureAwait(false);
                return ReadIntegration(projectId, response);
            }
            finally
            {
                made.ForEach(secret => secret.Dispose());
            }
        }

        /// <summary>
        /// The credentials a settings body carries, which a server's answer may quote: the webhook authorization, and the
        /// values of the webhook URL's query parameters that carry one; <paramref name="made"/> are the copies made here,
        /// for the caller to dispose.
        /// </summary>
        private static List<SecureString> CarriedSecrets(ExternalSupportSettings settings, out List<SecureString> made)
        {
            made = JelouUris.QueryCredentials(settings.WebhookUrl?.AbsoluteUri);
            var carried = new List<SecureString>(made);
            if (settings.Authorization != null) carried.Add(settings.Authorization);
            return carried;
        }

        /// <summary><c>DELETE /v1/external-support/{projectId}</c>. Jelou stops sending events at once.</summary>
        public async Task DeleteExternalSupportAsync(string projectId, IJelouTrace? trace = null, CancellationToken cancellationToken = default, TimeSpan? timeout = null)
        {
            try
            {
                await SendManagementAsync(JelouOperation.DeleteIntegration, Idempotency.Idempotent, HttpMethod.Delete, IntegrationUri(projectId), null, trace, cancellationToken, timeout).ConfigureAwait(false);
            }
            catch (JelouApiException ex) when (ex.Kind == JelouErrorKind.NotFound && ex.IsApiError && ex.EarlierAttemptMayHaveActed)
            {
                // The first DELETE was carried out and its answer lost: the retry finds nothing left to delete.
                trace?.Verbose($"The integration of {projectId} is gone: the retry found nothing, so the earlier attempt, which got no answer or a server error, most likely deleted it.");
            }
        }

        /// <summary>
        /// <c>POST /v1/external-support/{projectId}/secret/regenerate</c>. The old secret dies at once. The enveloped answer
        /// names only the project and the secret, so the integration's other members are read back with a GET (a read: if it
        /// fails, the new secret is still returned, with what the answer held); also when the answer broke off after the
        /// secret, and then the failure carries the completed integration.
        /// </summary>
        public async Task<ExternalSupportIntegration> RegenerateSigningSecretAsync(string projectId, IJelouTrace? trace = null, CancellationToken cancellationToken = default, TimeSpan? timeout = null)
        {
            Uri uri = JelouUris.Combine(IntegrationUri(projectId), "secret/regenerate");
            ExternalSupportIntegration regenerated;
            try
            {
                regenerated = await IssueAsync(projectId, JelouOperation.RegenerateSecret, uri, null, trace, cancellationToken, timeout).ConfigureAwait(false);
            }
            catch (JelouApiException ex) when (ex.Integration != null)
            {
                throw ex.WithIntegration(await CompletedAsync(ex.Integration, trace, cancellationToken, timeout).ConfigureAwait(false), ex.Message);
            }
            return await CompletedAsync(regenerated, trace, cancellationToken, timeout).ConfigureAwait(false);
        }

        private async Task<ExternalSupportIntegration> CompletedAsync(ExternalSupportIntegration regenerated, IJelouTrace? trace, CancellationToken cancellationToken, TimeSpan? timeout)
        {
            if (regenerated.Id != null && regenerated.WebhookUrl != null && regenerated.CreatedAt != null) return regenerated;
            try
            {
                return regenerated.CompletedWith(await GetExternalSupportAsync(regenerated.ProjectId, trace, cancellationToken, timeout).ConfigureAwait(false));
            }
            catch (Exception ex) when (ex is JelouApiException || ex is OperationCanceledException)
            {
                trace?.Verbose($"Kept the new signing secret of {regenerated.ProjectId} without the integration's id, URL and creation time: reading them back failed ({(ex as JelouApiException)?.Kind.ToString() ?? "stopped"}).");
                return regenerated;
            }
        }

        /// <summary><c>POST .../conversations/start</c>. Not idempotent: never sent twice.</summary>
        public async Task<Conversation> StartConversationAsync(string projectId, StartConversationRequest request, IJelouTrace? trace = null, CancellationToken cancellationToken = default, TimeSpan? timeout = null)
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
            ApiResponse response = await SendManagementAsync(JelouOperation.StartConversation, Idempotency.NotIdempotent, HttpMethod.Post, uri, Utf8(body), trace, cancellationToken, timeout).ConfigureAwait(false);
            return ReadConversation(projectId, response, fallbackUserId: request.UserId, fallbackBotId: request.BotId);
        }

        /// <summary>
        /// <c>POST .../conversations/close</c>: closes the user's conversation with the bot. Not idempotent: sent twice, it could
        /// close a conversation the user started in between.
        /// </summary>
        public async Task CloseConversationAsync(string projectId, CloseConversationRequest request, IJelouTrace? trace = null, CancellationToken cancellationToken = default, TimeSpan? timeout = null)
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
            await SendManagementAsync(JelouOperation.CloseConversation, Idempotency.NotIdempotent, HttpMethod.Post, uri, Utf8(body), trace, cancellationToken, timeout).ConfigureAwait(false);
        }

        /// <summary><c>GET .../conversations/{conversationId}</c>.</summary>
        public async Task<Conversation> GetConversationAsync(string projectId, string conversationId, IJelouTrace? trace = null, CancellationToken cancellationToken = default, TimeSpan? timeout = null)
        {
            Uri uri = JelouUris.Combine(IntegrationUri(projectId), "conversations/" + JelouUris.Segment(conversationId, nameof(conversationId)));
            ApiResponse response = await SendManagementAsync(JelouOperation.GetConversation, Idempotency.Idempotent, HttpMethod.Get, uri, null, trace, cancellationToken, timeout).ConfigureAwait(false);
            return ReadConversation(projectId, response, fallbackUserId: null, fallbackBotId: null);
        }

        /// <summary>
        /// Sends an agent's reply to <c>{ChatbotUri}/v1/external-support/webhook</c>, signed with
        /// <c>X-Jelou-Signature</c> over exactly the bytes sent. This endpoint takes no API key.
        /// </summary>
        public async Task<SupportMessageReceipt> SendSupportMessageAsync(SupportMessage message, SecureString signingSecret, IJelouTrace? trace = null, CancellationToken cancellationToken = default, TimeSpan? timeout = null)
        {
            if (message is null) throw new ArgumentNullException(nameof(message));
            if (signingSecret is null) throw new ArgumentException("A signing secret is required to sign the message.", nameof(signingSecret));
            SecureStrings.RequireSigningSecret(signingSecret, nameof(signingSecret));
            message.Validate();
            byte[] body = Utf8(message.Payload());
            string signature = JelouSignature.Compute(body, signingSecret);
            Uri uri = JelouUris.Combine(Options.ChatbotUri, JelouUris.ReplyPath);
            // Not idempotent: the user would see the reply twice.
            ApiResponse response = await _transport.SendAsync(JelouOperation.SendMessage, Idempotency.NotIdempotent, HttpMethod.Post, uri, body,
                headers => headers.TryAddWithoutValidation(JelouSignature.HeaderName, signature), trace, cancellationToken, timeout,
                // Jelou holds the signing secret too: an error answer that quotes it is redacted as one that quotes a key.
                secrets: new[] { signingSecret }).ConfigureAwait(false);
            return new SupportMessageReceipt(message.ProjectId, message.RoomId, message.MessageId!, message.Type, (int)response.StatusCode, DateTimeOffset.UtcNow);
        }

        // The conversation an answer names, marked as this connection's API's.
        private Conversation ReadConversation(string projectId, ApiResponse response, string? fallbackUserId, string? fallbackBotId)
        {
            Conversation conversation = ReadConversationBody(projectId, response, fallbackUserId, fallbackBotId);
            conversation.ApiBaseUri = Options.BaseUri;
            return conversation;
        }

        private static Conversation ReadConversationBody(string projectId, ApiResponse response, string? fallbackUserId, string? fallbackBotId)
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
            var conversation = new Conversation(
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
            // A read must name the conversation ({} or an envelope without data does not); a start's answer need not.
            if (fallbackUserId is null && conversation.Id is null && conversation.RoomId is null && conversation.State is null && user is null && bot is null)
            {
                throw JelouJson.InvalidResponse(response, "no conversation in the answer");
            }
            return conversation;
        }

        private Uri IntegrationUri(string projectId) =>
            JelouUris.Combine(Options.BaseUri, "v1/external-support/" + JelouUris.Segment(projectId, nameof(projectId)));

        /// <summary>A management API call, with the credential; <paramref name="bodySecrets"/> are the credentials the body carries (see <see cref="CarriedSecrets"/>).</summary>
        private Task<ApiResponse> SendManagementAsync(JelouOperation operation, Idempotency idempotency, HttpMethod method, Uri uri, byte[]? body, IJelouTrace? trace, CancellationToken cancellationToken, TimeSpan? timeout, IReadOnlyList<SecureString>? bodySecrets = null)
        {
            JelouCredential credential = Options.Credential
                ?? throw new InvalidOperationException("This client only sends agent replies: it has no API key or client credential for the management API.");
            IReadOnlyList<SecureString> secrets = bodySecrets is null || bodySecrets.Count == 0 ? credential.Secrets : credential.Secrets.Concat(bodySecrets).ToList();
            return _transport.SendAsync(operation, idempotency, method, uri, body, credential.Apply, trace, cancellationToken, timeout, secrets);
        }

        /// <summary>
        /// Asks Jelou to issue a signing secret (create, regenerate). Whatever goes wrong once the secret has arrived, in the
        /// answer's body or while it was still being read, fails with the secret and what the answer named in
        /// <see cref="JelouApiException.Integration"/>; the answer's bytes are wiped either way.
        /// </summary>
        private async Task<ExternalSupportIntegration> IssueAsync(string projectId, JelouOperation operation, Uri uri, byte[]? body, IJelouTrace? trace, CancellationToken cancellationToken, TimeSpan? timeout, IReadOnlyList<SecureString>? bodySecrets = null)
        {
            ApiResponse? response = null;
            try
            {
                try
                {
                    response = await SendManagementAsync(operation, Idempotency.NotIdempotent, HttpMethod.Post, uri, body, trace, cancellationToken, timeout, bodySecrets).ConfigureAwait(false);
                }
                catch (JelouApiException ex) when (ex.PartialAnswer != null)
                {
                    throw Salvaged(projectId, ex, ex.PartialAnswer, operation);
                }
                try
                {
                    return ReadIntegration(projectId, response, issuedBy: operation);
                }
                catch (JelouApiException ex)
                {
                    ex.RequestUri = uri;
                    throw Salvaged(projectId, ex, response, operation);
                }
            }
            // Any failure but the API's and the transport's own (a library of the module's that fails to load as the answer
            // comes in or is read): the request may have been carried out, and the secret issued with nobody to hold it. No
            // salvage, which would read the answer the same way.
            catch (Exception ex) when (!(ex is JelouApiException || ex is OperationCanceledException))
            {
                string why = ex.Message.TrimEnd('.');
                throw response is null
                    ? new JelouApiException(JelouErrorKind.OutcomeUnknown, $"POST {uri.GetLeftPart(UriPartial.Path)} failed before its answer was read ({why}): whether it was carried out is unknown.",
                        innerException: ex, operation: operation) { RequestUri = uri }
                    : new JelouApiException(JelouErrorKind.InvalidResponse, $"The Jelou API answered {response.StatusText}, but the answer could not be read ({why}).",
                        response.StatusCode, requestId: response.RequestId, innerException: ex, operation: operation) { RequestUri = uri };
            }
            finally
            {
                response?.ClearBody();
            }
        }

        private JelouApiException Salvaged(string projectId, JelouApiException failure, ApiResponse answer, JelouOperation issuedBy)
        {
            try
            {
                (SecureString? secret, Dictionary<string, string> members) = JelouJson.Salvage(answer, "signingSecret");
                if (secret is null) return failure;
                ExternalSupportIntegration integration = Integration(projectId, name => members.TryGetValue(name, out string? value) ? value : null, secret, issuedBy);
                return failure.WithIntegration(integration, failure.Message + " The signing secret did arrive before that: it is kept with the error.");
            }
            finally
            {
                answer.ClearBody();
                failure.PartialAnswer = null;
            }
        }

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

        /// <summary>An integration answer; <paramref name="issuedBy"/> is the create or rotation whose answer must carry the secret.</summary>
        private ExternalSupportIntegration ReadIntegration(string projectId, ApiResponse response, JelouOperation issuedBy = JelouOperation.None)
        {
            bool secretExpected = issuedBy != JelouOperation.None;
            using JsonDocument document = JelouJson.Parse(response);
            JsonElement root = document.RootElement;
            JsonElement data = JelouJson.Unwrap(root, response);
            if ((root.TryGetProperty("statusMessage", out _) || root.TryGetProperty("status", out _)) && !root.TryGetProperty("data", out _))
            {
                throw JelouJson.InvalidResponse(response, "an envelope without data");
            }
            // Only a create or a rotation issues a secret; a read or an update that carried one would show an object saying
            // "store it now" that is in no list (the API never sends it there: jelou-api.md §4.2, §4.3).
            SecureString? secret = secretExpected ? JelouJson.ReadSecret(response, "signingSecret") : null;
            if (secret is null && secretExpected)
            {
                throw JelouJson.InvalidResponse(response, "no signingSecret in the answer");
            }

            // A malformed member fails the whole answer; with a secret in hand, IssueAsync still hands the secret over.
            ExternalSupportIntegration integration = Integration(projectId, name => JelouJson.GetString(data, name, response), secret, issuedBy);
            if (integration.Id is null && integration.BrainId is null && integration.WebhookUrl is null && integration.AuthType is null && secret is null && integration.CreatedAt is null)
            {
                throw JelouJson.InvalidResponse(response, "an object naming none of the integration's members");
            }
            return integration;
        }

        /// <summary>
        /// The integration from its members' text (<paramref name="member"/> by wire name; dates as ISO 8601 or epoch
        /// milliseconds). The answer of a create or rotation (<paramref name="issuedBy"/>) without its time (a rotation's
        /// enveloped answer has none; a broken one may have lost it) is dated when it arrived, the best record there is.
        /// </summary>
        private ExternalSupportIntegration Integration(string projectId, Func<string, string?> member, SecureString? secret, JelouOperation issuedBy)
        {
            DateTimeOffset answered = DateTimeOffset.UtcNow;
            DateTimeOffset? Date(string name)
            {
                try { return JelouJson.ParseDate(member(name)); }
                catch (JelouApiException) { return null; }
            }
            return new ExternalSupportIntegration(
                projectId,
                member("id") ?? member("_id"),
                member("brainId"),
                member("webhookUrl"),
                member("authType"),
                secret,
                Date("createdAt") ?? (issuedBy == JelouOperation.CreateIntegration ? answered : (DateTimeOffset?)null),
                Date("updatedAt"),
                Date("regeneratedAt") ?? (issuedBy == JelouOperation.RegenerateSecret ? answered : (DateTimeOffset?)null))
            {
                ApiBaseUri = Options.BaseUri,
            };
        }

        public void Dispose() => _transport.Dispose();
    }
}
