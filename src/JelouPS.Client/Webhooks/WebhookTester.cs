using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Security;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using JelouPS.Http;
using JelouPS.Json;
using JelouPS.Retry;
using JelouPS.Security;

namespace JelouPS.Webhooks
{
    /// <summary>What to put in a sample event, and how to authenticate to the receiver as Jelou would.</summary>
    public sealed class TestEventRequest
    {
        public const string Message = "message";
        public const string ConversationStart = "conversation.start";
        public const string ConversationClose = "conversation.close";

        public static readonly string[] EventTypes = { Message, ConversationStart, ConversationClose };

        public Uri WebhookUrl { get; set; } = null!;
        public string EventType { get; set; } = "message";
        public SecureString SigningSecret { get; set; } = null!;
        public string? AuthType { get; set; }
        public SecureString? Authorization { get; set; }
        public string ProjectId { get; set; } = "test-project";
        public string RoomId { get; set; } = "test-room";
        public string BotId { get; set; } = "test-bot";
        public string UserId { get; set; } = "test-user";
        public string Text { get; set; } = "Hello from Send-JelouTestEvent";

        internal void Validate()
        {
            EventType = Require.OneOf(EventType, EventTypes, nameof(EventType));
            if (SigningSecret is null) throw new ArgumentException("A signing secret is required to sign the event.", nameof(SigningSecret));
            SecureStrings.RequireSigningSecret(SigningSecret, nameof(SigningSecret));
            // The receiver is called as the integration would be: the same URL, auth type and credential rules.
            var integration = new ExternalSupportSettings { WebhookUrl = WebhookUrl, AuthType = AuthType, Authorization = Authorization };
            integration.Validate(creating: true);
            WebhookUrl = integration.WebhookUrl!;
            AuthType = integration.AuthType;
            Require.Id(ProjectId, nameof(ProjectId));
            Require.Id(RoomId, nameof(RoomId));
            Require.Id(BotId, nameof(BotId));
            Require.Id(UserId, nameof(UserId));
            Require.Text(Text, nameof(Text));
        }

        /// <summary>A realistic sample of the documented event, members in the documented order.</summary>
        internal object Sample(DateTimeOffset now)
        {
            string conversationId = Guid.NewGuid().ToString("N").Substring(0, 24);
            long timestamp = now.ToUnixTimeMilliseconds();
            KeyValuePair<string, object?> M(string name, object? value) => JavaScriptJson.Member(name, value);
            if (EventType == "message")
            {
                return new[]
                {
                    M("field", "messages"), M("object", "message_event"), M("event_type", "message"), M("timestamp", timestamp),
                    M("project_id", ProjectId), M("room_id", RoomId),
                    M("contact", new[] { M("id", UserId), M("name", "Test User") }),
                    M("conversation", new[] { M("id", conversationId) }),
                    M("bot", new[] { M("id", BotId), M("name", "Test Bot") }),
                    M("value", new[] { M("id", "test-" + Guid.NewGuid().ToString("N")), M("type", "text"), M("content", new[] { M("body", Text) }) }),
                };
            }
            var head = new List<KeyValuePair<string, object?>>
            {
                M("event", EventType), M("timestamp", timestamp), M("project_id", ProjectId), M("room_id", RoomId),
                M("conversation", new[] { M("id", conversationId) }), M("contact", new[] { M("id", UserId) }), M("bot", new[] { M("id", BotId) }),
            };
            if (EventType == "conversation.start")
            {
                head.Add(M("assignment", new[] { M("type", "queue"), M("target", "SUPPORT") }));
                head.Add(M("metadata", new[] { M("ticketId", "T-12345") }));
            }
            else
            {
                head.Add(M("reason", "closed_by_operator"));
                head.Add(M("redirect_payload", new[] { M("type", "text"), M("text", "Thanks for contacting us") }));
            }
            return head;
        }
    }

    /// <summary>How the receiver answered a test event.</summary>
    public sealed class WebhookTestResult
    {
        internal WebhookTestResult(string eventType, Uri webhookUrl, int? statusCode, TimeSpan latency, string? error, string payload)
        {
            EventType = eventType;
            WebhookUrl = webhookUrl;
            StatusCode = statusCode;
            Latency = latency;
            Error = error;
            Payload = payload;
        }

        public string EventType { get; }
        public Uri WebhookUrl { get; }

        /// <summary>The receiver's HTTP status; null when no answer came.</summary>
        public int? StatusCode { get; }
        /// <summary>
        /// The receiver answered 2xx and its whole answer came in time. A 2xx whose answer then stalled (or ran past the 10 MB
        /// read) is no success: a sender that reads the answer, as HTTP clients do, fails on it (see <see cref="Error"/>).
        /// </summary>
        public bool Succeeded => StatusCode >= 200 && StatusCode <= 299 && Error is null;
        public TimeSpan Latency { get; }

        /// <summary>Why it failed: the receiver's status text, a timeout or a connection error.</summary>
        public string? Error { get; }

        /// <summary>Whether it failed because the receiver's certificate was not trusted (the TLS handshake failed).</summary>
        internal bool CertificateRefused { get; set; }

        /// <summary>How it failed (its kind: no answer in time, a connection refused), for advice; null when it did not.</summary>
        internal JelouApiException? Failure { get; set; }

        /// <summary>The exact JSON body that was signed and sent.</summary>
        public string Payload { get; }

        /// <summary>"message -> https://crm.example.com/jelou: 200 in 12 ms"; what became of it when no status came.</summary>
        // Without the query, which may hold a key (Azure Functions' ?code=): an error names the result by this.
        public override string ToString() => $"{EventType} -> {WebhookUrl.GetLeftPart(UriPartial.Path)}: " + (StatusCode is int status ? $"{status} in {Latency.TotalMilliseconds:0} ms"
            : CertificateRefused ? "its certificate was not trusted" : $"no answer, after {Latency.TotalMilliseconds:0} ms");
    }

    /// <summary>Posts signed sample events to a provider's own webhook, as Jelou would, to test a receiver before going live.</summary>
    public sealed class WebhookTester : IDisposable
    {
        private readonly JelouTransport _transport;

        public WebhookTester() : this(ProxySettings.Default) { }

        /// <summary>A tester whose events go through <paramref name="proxy"/>.</summary>
        public WebhookTester(ProxySettings proxy) : this(proxy ?? throw new ArgumentNullException(nameof(proxy)), null) { }

        /// <summary>
        /// A tester whose events go through <paramref name="proxy"/> and, with <paramref name="skipCertificateCheck"/>, to a
        /// receiver whatever its certificate (self-signed, expired, for another name): only for trying one's own receiver.
        /// </summary>
        public WebhookTester(ProxySettings proxy, bool skipCertificateCheck)
            : this(proxy ?? throw new ArgumentNullException(nameof(proxy)), skipCertificateCheck ? HandlerFactory.Create(proxy, skipCertificateCheck: true) : null) { }

        internal WebhookTester(HttpMessageHandler? handler) : this(ProxySettings.Default, handler) { }

        private WebhookTester(ProxySettings proxy, HttpMessageHandler? handler) =>
            _transport = new JelouTransport(JelouClientOptions.DefaultTimeout, RetryPolicy.None, handler, proxy, peer: "The webhook");

        /// <summary>Other secrets a receiver's answer may quote, redacted in the result (see <see cref="JelouClientOptions.HeldSecrets"/>).</summary>
        internal Func<Uri, IEnumerable<HeldSecret>>? HeldSecrets
        {
            get => _transport.HeldSecrets;
            set => _transport.HeldSecrets = value;
        }

        public async Task<WebhookTestResult> SendAsync(TestEventRequest request, TimeSpan timeout, IJelouTrace? trace = null, CancellationToken cancellationToken = default)
        {
            if (request is null) throw new ArgumentNullException(nameof(request));
            request.Validate();
            string payload = JavaScriptJson.Stringify(request.Sample(DateTimeOffset.UtcNow));
            byte[] body = Encoding.UTF8.GetBytes(payload);
            string signature = JelouSignature.Compute(body, request.SigningSecret);
            // A receiver that refuses the credential may quote it, the signing secret or the request line with its URL's
            // key (Azure Functions' code) in its answer.
            List<SecureString> urlKeys = JelouUris.QueryCredentials(request.WebhookUrl.AbsoluteUri);
            var secrets = new List<SecureString>(urlKeys) { request.SigningSecret };
            if (request.Authorization != null) secrets.Add(request.Authorization);
            var stopwatch = Stopwatch.StartNew();
            try
            {
                ApiResponse response = await _transport.SendAsync(JelouOperation.None, Idempotency.NotIdempotent, HttpMethod.Post, request.WebhookUrl, body, headers => AddHeaders(headers, request, signature),
                    trace, cancellationToken, timeout, secrets).ConfigureAwait(false);
                return new WebhookTestResult(request.EventType, request.WebhookUrl, (int)response.StatusCode, stopwatch.Elapsed, null, payload);
            }
            // A proxy's failure says nothing about the receiver: it is reported as the proxy's error, not as a result.
            catch (JelouApiException ex) when (!ex.IsProxyFailure)
            {
                return new WebhookTestResult(request.EventType, request.WebhookUrl, (int?)ex.StatusCode, stopwatch.Elapsed, ex.Message, payload)
                {
                    CertificateRefused = ConnectFailures.IsTlsFailure(ex),
                    Failure = ex,
                };
            }
            finally
            {
                urlKeys.ForEach(key => key.Dispose());
            }
        }

        // The headers Jelou adds to each delivery (§2.3): the signature, and the integration's auth header.
        private static void AddHeaders(HttpRequestHeaders headers, TestEventRequest request, string signature)
        {
            headers.TryAddWithoutValidation(JelouSignature.HeaderName, signature);
            if (request.AuthType != null) new WebhookCredential(request.AuthType, request.Authorization).AddTo(headers);
        }

        public void Dispose() => _transport.Dispose();
    }
}
