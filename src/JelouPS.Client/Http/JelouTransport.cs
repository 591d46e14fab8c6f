using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Tasks;
using JelouPS.Json;

namespace JelouPS.Http
{
    /// <summary>
    /// One shared HttpClient per connection, and the single place where a request is sent, timed out,
    /// traced and turned into an <see cref="ApiResponse"/> or a <see cref="JelouApiException"/>.
    /// Retries will wrap <see cref="SendAsync"/>; nothing else sends.
    /// </summary>
    internal sealed class JelouTransport : IDisposable
    {
        private const long MaxResponseBytes = 16 * 1024 * 1024;

        // Header values shown in -Debug; every other header is shown as REDACTED (Azure.Core's sanitizer does the same).
        private static readonly HashSet<string> LoggableHeaders = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
        {
            "Accept", "Content-Type", "Content-Length", "User-Agent", "Date", "Server", "x-request-id", "Retry-After",
        };

        private static readonly string UserAgent = BuildUserAgent();

        private readonly Lazy<HttpClient> _http;
        private readonly TimeSpan _timeout;

        static JelouTransport()
        {
            // Windows PowerShell 5.1 runs on .NET Framework, whose default may still exclude TLS 1.2.
            // Add it without removing what the host chose.
            if (RuntimeInformation.FrameworkDescription.StartsWith(".NET Framework", StringComparison.Ordinal))
            {
                ServicePointManager.SecurityProtocol |= SecurityProtocolType.Tls12;
            }
        }

        private readonly string _peer;

        // peer: who answers, for messages: "The Jelou API", or "The webhook" when testing a receiver.
        internal JelouTransport(TimeSpan timeout, HttpMessageHandler? handler, ProxySettings proxy, string peer = "The Jelou API")
        {
            _timeout = timeout;
            _peer = peer;
            _http = new Lazy<HttpClient>(() => CreateHttpClient(handler, proxy), LazyThreadSafetyMode.ExecutionAndPublication);
        }

        private static HttpClient CreateHttpClient(HttpMessageHandler? handler, ProxySettings proxy)
        {
            handler ??= HandlerFactory.Create(proxy);
            var http = new HttpClient(handler, disposeHandler: true)
            {
                // Our own linked token times each request, so Ctrl+C and timeout can be told apart.
                Timeout = System.Threading.Timeout.InfiniteTimeSpan,
                MaxResponseContentBufferSize = MaxResponseBytes,
            };
            http.DefaultRequestHeaders.UserAgent.ParseAdd(UserAgent);
            http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            return http;
        }

        /// <summary>
        /// Sends one request and buffers the answer. Non-2xx answers throw <see cref="JelouApiException"/>.
        /// The request body is wiped once sent: it may hold the webhook authorization.
        /// </summary>
        internal async Task<ApiResponse> SendAsync(
            JelouOperation operation,
            HttpMethod method,
            Uri uri,
            byte[]? jsonBody,
            Action<HttpRequestHeaders>? addHeaders,
            IJelouTrace? trace,
            CancellationToken cancellationToken,
            TimeSpan? timeout = null)
        {
            TimeSpan limit = timeout ?? _timeout;
            using var request = new HttpRequestMessage(method, uri);
            if (jsonBody != null)
            {
                request.Content = new ByteArrayContent(jsonBody);
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            }
            addHeaders?.Invoke(request.Headers);

            string target = method.Method + " " + uri.GetLeftPart(UriPartial.Path);
            trace?.Verbose(jsonBody is null ? target : $"{target} with a {jsonBody.Length}-byte JSON body");
            trace?.Debug("Request headers: " + Describe(_http.Value.DefaultRequestHeaders.Concat(request.Headers), request.Content?.Headers));

            using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeoutSource.CancelAfter(limit);
            var stopwatch = Stopwatch.StartNew();
            try
            {
                using HttpResponseMessage response = await _http.Value.SendAsync(request, HttpCompletionOption.ResponseContentRead, timeoutSource.Token).ConfigureAwait(false);
                byte[] body = response.Content is null ? new byte[0] : await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
                var answer = new ApiResponse(
                    operation,
                    response.StatusCode,
                    response.ReasonPhrase,
                    body,
                    response.Content?.Headers.ContentType?.MediaType,
                    FirstHeader(response, "x-request-id"),
                    ReadRetryAfter(response));
                trace?.Verbose($"{target} answered {answer.StatusText} in {stopwatch.ElapsedMilliseconds} ms" + (answer.RequestId is null ? "" : $", request id {answer.RequestId}"));
                trace?.Debug("Response headers: " + Describe(response.Headers, response.Content?.Headers));
                if (!answer.IsSuccess)
                {
                    throw ErrorFrom(answer, operation);
                }
                return answer;
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new JelouApiException(
                    JelouErrorKind.Timeout,
                    $"{target} got no answer within {limit.TotalSeconds:0.###} s. Raise -TimeoutSec if the server is slow.",
                    operation: operation);
            }
            catch (HttpRequestException ex)
            {
                throw new JelouApiException(
                    JelouErrorKind.ConnectionFailed,
                    $"Could not reach {uri.GetLeftPart(UriPartial.Authority)}: {InnermostMessage(ex)}",
                    innerException: ex,
                    operation: operation);
            }
            finally
            {
                if (jsonBody != null) Array.Clear(jsonBody, 0, jsonBody.Length);
            }
        }

        private JelouApiException ErrorFrom(ApiResponse response, JelouOperation operation)
        {
            JelouErrorKind kind = KindOf(response.StatusCode, operation);
            ApiError error = JelouJson.ReadError(response);
            string? apiMessage = error.Description ?? error.Message;
            if (error.Description != null && error.Message != null && error.Message != error.Description)
            {
                apiMessage = error.Message + ": " + error.Description;
            }

            string message = $"{_peer} answered {response.StatusText}";
            if (apiMessage != null) message += ": " + apiMessage.TrimEnd('.') + ".";
            else if (!error.IsJson && response.Body.Length > 0) message += $" with a non-JSON body ({response.ContentType ?? "no content type"}, {response.Body.Length} bytes).";
            else message += ".";
            if (JelouApiException.Summarize(error.FieldErrors) is string fields)
            {
                message += " " + fields + ".";
            }
            if (response.RetryAfter is TimeSpan wait)
            {
                message += $" Retry after {wait.TotalSeconds:0} s.";
            }

            // Express answers an unknown route with "Cannot POST /path"; a gateway may name it in its error key.
            bool wrongRoute = !error.IsEnvelope
                || (apiMessage?.StartsWith("Cannot ", StringComparison.Ordinal) ?? false)
                || (error.Key?.IndexOf("route", StringComparison.OrdinalIgnoreCase) ?? -1) >= 0;
            return new JelouApiException(kind, message, response.StatusCode, apiMessage, error.Code, error.Key, error.FieldErrors, response.RequestId, response.RetryAfter,
                operation: operation, isApiError: !wrongRoute);
        }

        private static JelouErrorKind KindOf(HttpStatusCode status, JelouOperation operation)
        {
            int code = (int)status;
            switch (code)
            {
                case 400:
                case 422: return JelouErrorKind.ValidationFailed;
                // The reply endpoint takes no API key: its only credential is the signature.
                case 401: return operation == JelouOperation.SendMessage ? JelouErrorKind.SignatureRejected : JelouErrorKind.Unauthorized;
                case 403: return JelouErrorKind.Forbidden;
                case 404: return JelouErrorKind.NotFound;
                case 409: return JelouErrorKind.Conflict;
                case 429: return JelouErrorKind.RateLimited;
                default: return code >= 500 ? JelouErrorKind.ServerError : JelouErrorKind.UnexpectedStatus;
            }
        }

        private static TimeSpan? ReadRetryAfter(HttpResponseMessage response)
        {
            RetryConditionHeaderValue? retryAfter = response.Headers.RetryAfter;
            if (retryAfter?.Delta is TimeSpan delta) return delta;
            if (retryAfter?.Date is DateTimeOffset date)
            {
                TimeSpan wait = date - DateTimeOffset.UtcNow;
                return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
            }
            return null;
        }

        private static string? FirstHeader(HttpResponseMessage response, string name) =>
            response.Headers.TryGetValues(name, out IEnumerable<string>? values) ? values.FirstOrDefault() : null;

        private static string Describe(IEnumerable<KeyValuePair<string, IEnumerable<string>>> headers, HttpContentHeaders? contentHeaders)
        {
            IEnumerable<KeyValuePair<string, IEnumerable<string>>> all = contentHeaders is null ? headers : headers.Concat(contentHeaders);
            return string.Join(", ", all.Select(h => h.Key + ": " + (LoggableHeaders.Contains(h.Key) ? string.Join(",", h.Value) : "REDACTED")));
        }

        private static string InnermostMessage(Exception ex)
        {
            while (ex.InnerException != null) ex = ex.InnerException;
            return ex.Message;
        }

        private static string BuildUserAgent()
        {
            Assembly assembly = typeof(JelouTransport).Assembly;
            string version = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion?.Split('+')[0]
                ?? assembly.GetName().Version?.ToString() ?? "0.0.0";
            return string.Format(CultureInfo.InvariantCulture, "JelouPS/{0}", version);
        }

        public void Dispose()
        {
            if (_http.IsValueCreated) _http.Value.Dispose();
        }
    }
}
