using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Security;
using System.Threading;
using System.Threading.Tasks;
using JelouPS.Json;
using JelouPS.Retry;
using JelouPS.Security;

namespace JelouPS.Http
{
    /// <summary>
    /// One shared HttpClient per connection, and the single place where a request is sent, retried, timed out, traced and
    /// turned into an <see cref="ApiResponse"/> or a <see cref="JelouApiException"/>. Nothing else sends.
    /// </summary>
    internal sealed class JelouTransport : IDisposable
    {
        /// <summary>Answers are read up to this size and refused beyond it, without buffering the rest.</summary>
        internal const int MaxResponseBytes = 10 * 1024 * 1024;

        // Header values shown in -Debug; every other header is shown as REDACTED (Azure.Core's sanitizer does the same).
        private static readonly HashSet<string> LoggableHeaders = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
        {
            "Accept", "Content-Type", "Content-Length", "User-Agent", "Date", "Server", "x-request-id", "Retry-After",
            "Connection", "Keep-Alive", "Transfer-Encoding", "Content-Encoding",
        };

        private static readonly string UserAgent = BuildUserAgent();

        private readonly Lazy<HttpClient> _http;
        private readonly TimeSpan _timeout;
        private readonly RetryPolicy _retry;

        // Cancelled by Dispose (Disconnect-Jelou), so that a call in flight ends as "closed", not as a timeout.
        private readonly CancellationTokenSource _closed = new CancellationTokenSource();

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

        /// <summary>Other secrets an answer may quote (see <see cref="JelouClientOptions.HeldSecrets"/>).</summary>
        internal Func<Uri, IEnumerable<HeldSecret>>? HeldSecrets { get; set; }

        /// <summary>
        /// How long a create or a rotation in flight may still take once its caller cancels: its answer may be the only copy
        /// of a signing secret, and without it the outcome is unknown. Every other request, and every wait between retries,
        /// ends at once.
        /// </summary>
        internal static readonly TimeSpan DefaultStopGrace = TimeSpan.FromSeconds(3);

        private readonly TimeSpan _stopGrace;

        // peer: who answers, for messages: "The Jelou API", or "The webhook" when testing a receiver.
        internal JelouTransport(TimeSpan timeout, RetryPolicy retry, HttpMessageHandler? handler, ProxySettings proxy, string peer = "The Jelou API", TimeSpan? stopGrace = null)
        {
            _timeout = timeout;
            _stopGrace = stopGrace ?? DefaultStopGrace;
            _retry = retry;
            _peer = peer;
            _http = new Lazy<HttpClient>(() => CreateHttpClient(handler, proxy), LazyThreadSafetyMode.ExecutionAndPublication);
        }

        private static HttpClient CreateHttpClient(HttpMessageHandler? handler, ProxySettings proxy)
        {
            handler ??= HandlerFactory.Create(proxy);
            var http = new HttpClient(handler, disposeHandler: true)
            {
                // Our own linked token times each call, so Ctrl+C, Disconnect-Jelou and a timeout can be told apart.
                Timeout = System.Threading.Timeout.InfiniteTimeSpan,
            };
            http.DefaultRequestHeaders.UserAgent.ParseAdd(UserAgent);
            http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            return http;
        }

        /// <summary>
        /// Sends a request, and again as <see cref="RetryPolicy"/> allows for its <paramref name="idempotency"/>, all within
        /// <paramref name="timeout"/> (the connection's by default), and buffers the answer. Non-2xx answers throw
        /// <see cref="JelouApiException"/>. The request body is wiped once done: it may hold the webhook authorization.
        /// <paramref name="secrets"/> are those the request carries (the credential, a webhook authorization): an error
        /// answer that repeats one has it replaced with REDACTED before any message is built from it.
        /// </summary>
        internal async Task<ApiResponse> SendAsync(
            JelouOperation operation,
            Idempotency idempotency,
            HttpMethod method,
            Uri uri,
            byte[]? jsonBody,
            Action<HttpRequestHeaders>? addHeaders,
            IJelouTrace? trace,
            CancellationToken cancellationToken,
            TimeSpan? timeout = null,
            IReadOnlyList<SecureString>? secrets = null)
        {
            var outgoing = new Outgoing(operation, idempotency, method, uri, jsonBody, addHeaders, secrets);
            TimeSpan budget = timeout ?? _timeout;
            var clock = Stopwatch.StartNew();
            bool mayHaveActed = false;
            // Whether any attempt's request left: a close during the wait before a retry of requests never sent sends nothing.
            bool anySent = false;
            // How each attempt before the last failed, for the error: a timeout after two 503s is not a slow server.
            List<string>? earlier = null;
            try
            {
                for (int attempt = 1; ; attempt++)
                {
                    try
                    {
                        try
                        {
                            return await SendOnceAsync(outgoing, trace, attempt, budget, clock, cancellationToken).ConfigureAwait(false);
                        }
                        catch (JelouApiException failure)
                        {
                            failure.RequestUri = outgoing.Uri;
                            failure.EarlierAttemptMayHaveActed = mayHaveActed;
                            mayHaveActed |= RetryPolicy.MayHaveActed(failure);
                            anySent |= !failure.NothingSent;
                            throw;
                        }
                    }
                    catch (JelouApiException failure) when (attempt <= _retry.MaxRetries && RetryPolicy.MayRetry(failure, idempotency))
                    {
                        TimeSpan wait = _retry.DelayBefore(attempt, failure.RetryAfter);
                        string why = Why(failure);
                        if (clock.Elapsed + wait >= budget)
                        {
                            trace?.Verbose($"{outgoing.Target}: {why}; not retried, since waiting {Durations.Wait(wait, "until ")} would pass the call's {Durations.Seconds(budget)} s.");
                            throw Tried(failure, attempt, earlier, $" Not sent again: waiting {Durations.Wait(wait, "until ")} would pass the call's {Durations.Seconds(budget)} s (-TimeoutSec), of which {Durations.Seconds(clock.Elapsed)} s are spent.");
                        }
                        (earlier ??= new List<string>()).Add(why);
                        trace?.Verbose($"{outgoing.Target}: {why}; retry {attempt} of {_retry.MaxRetries} in {Durations.Seconds(wait)} s.");
                        using var waiting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _closed.Token);
                        try
                        {
                            await _retry.WaitAsync(wait, waiting.Token).ConfigureAwait(false);
                        }
                        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                        {
                            throw Closed(operation, outgoing.Target, mayHaveActed: false, nothingSent: !anySent);
                        }
                    }
                    catch (JelouApiException failure) when (attempt > 1)
                    {
                        throw Tried(failure, attempt, earlier);
                    }
                }
            }
            finally
            {
                if (jsonBody != null) Array.Clear(jsonBody, 0, jsonBody.Length);
            }
        }

        // How an attempt failed, as a retry's -Verbose line and the final error say it.
        private const string Answered = "it answered ";

        private static string Why(JelouApiException failure) =>
            failure.StatusCode is HttpStatusCode status && failure.Kind != JelouErrorKind.ConnectionFailed
                ? Answered + (int)status + (failure.RetryAfter is null ? "" : " with Retry-After")
                : failure.Kind == JelouErrorKind.Timeout ? "it gave no answer in time"
                : failure.NothingSent ? "the request could not be sent" : "the connection broke";

        // The last attempt's failure, saying how many were made and, when the earlier ones failed otherwise, how (the retries
        // are otherwise told only under -Verbose).
        private static JelouApiException Tried(JelouApiException failure, int attempts, List<string>? earlier, string more = "")
        {
            if (attempts == 1 && more.Length == 0) return failure;
            string last = Why(failure);
            string before = "";
            if (earlier != null && earlier.Any(why => why != last))
            {
                // "it answered 503 twice, 502, the connection broke": a status after a status needs no "it answered" again.
                var said = new List<string>();
                string? previous = null;
                foreach (IGrouping<string, string> group in earlier.GroupBy(why => why))
                {
                    bool again = previous != null && previous.StartsWith(Answered, StringComparison.Ordinal) && group.Key.StartsWith(Answered, StringComparison.Ordinal);
                    said.Add((again ? group.Key.Substring(Answered.Length) : group.Key) + (group.Count() == 1 ? "" : group.Count() == 2 ? " twice" : $" {group.Count()} times"));
                    previous = group.Key;
                }
                before = "; before it, " + string.Join(", ", said);
            }
            JelouApiException tried = failure.WithMessage(failure.Message + (attempts == 1 ? "" : $" Tried {attempts} times ({attempts - 1} {(attempts == 2 ? "retry" : "retries")}{before}).") + more);
            // The secret the answer may carry goes on to the client (JelouClient.IssueAsync), and no further.
            tried.PartialAnswer = failure.PartialAnswer;
            return tried;
        }

        private async Task<ApiResponse> SendOnceAsync(Outgoing outgoing, IJelouTrace? trace, int attempt, TimeSpan budget, Stopwatch clock, CancellationToken cancellationToken)
        {
            JelouOperation operation = outgoing.Operation;
            // Closed already (a batch's later inputs after Disconnect-Jelou): certainly not sent, so no secret can be lost.
            if (_closed.IsCancellationRequested) throw Closed(operation, outgoing.Target, mayHaveActed: false, nothingSent: true);
            using var request = new HttpRequestMessage(outgoing.Method, outgoing.Uri);
            // .NET's connection pool silently resends a request whose connection fails before any answer, unless it has
            // begun sending the request's content: every request but a GET gets content (empty when bodiless), so only
            // this loop resends, visibly. The content also tells whether any of the request left. A GET stays bodiless
            // (RFC 9110 §8.6; .NET Framework refuses content on one): it is safe to repeat, so the pool may resend it.
            SentContent? content = outgoing.Method == HttpMethod.Get ? null : new SentContent(outgoing.Body);
            request.Content = content;
            outgoing.AddHeaders?.Invoke(request.Headers);

            if (trace != null)
            {
                string sending = outgoing.Body is null ? outgoing.Target : $"{outgoing.Target} with a JSON body of {Sizes.Bytes(outgoing.Body.Length)}";
                trace.Verbose(attempt == 1 ? sending : $"{sending} (attempt {attempt})");
                trace.Debug("Request headers: " + Describe(_http.Value.DefaultRequestHeaders.Concat(request.Headers), request.Content?.Headers));
            }

            bool notIdempotent = outgoing.Idempotency == Idempotency.NotIdempotent;
            bool issuesSecret = operation.IssuesSecret();
            using var stopped = new CancellationTokenSource();
            using CancellationTokenRegistration stopping = cancellationToken.Register(() =>
            {
                if (issuesSecret) stopped.CancelAfter(_stopGrace);
                else stopped.Cancel();
            });
            using var callSource = CancellationTokenSource.CreateLinkedTokenSource(stopped.Token, _closed.Token);
            callSource.CancelAfter(Max(budget - clock.Elapsed, TimeSpan.FromMilliseconds(1)));
            CancellationToken token = callSource.Token;
            var started = Stopwatch.StartNew();
            HttpResponseMessage? response = null;
            var body = new BodyBuffer();
            // The secrets' plaintexts for the server's text of this answer: made once, and only when some of it is not the usual.
            SecretRedaction? redaction = null, fullRedaction = null;
            byte[]? received = null;
            // What the answer's text is redacted of: a success's, the secrets its request carried (every call builds it for the
            // request id); an error's, also those WithHeld adds.
            SecretRedaction Redaction() => response!.IsSuccessStatusCode ? redaction ??= new SecretRedaction(outgoing.Secrets) : WithHeld();
            // An answer may quote secrets the request did not carry: one a create or rotation issued in an error answer (see
            // JelouClient.IssueAsync), or one the session holds. The redaction keeps its own copy of each plaintext. Built for
            // errors, and for the rare text that is not a usual value (a reason phrase or media type of the server's own).
            SecretRedaction WithHeld()
            {
                if (fullRedaction != null) return fullRedaction;
                List<SecureString> issued = issuesSecret && received != null && !response!.IsSuccessStatusCode ? IssuedIn(received) : new List<SecureString>();
                try
                {
                    List<HeldSecret> held = HeldSecrets?.Invoke(outgoing.Uri)?.ToList() ?? new List<HeldSecret>();
                    return fullRedaction = new SecretRedaction((outgoing.Secrets ?? new SecureString[0]).Concat(issued).Concat(held.Where(h => !h.WholeOnly).Select(h => h.Secret)).ToList(),
                        held.Where(h => h.WholeOnly).Select(h => h.Secret));
                }
                finally
                {
                    issued.ForEach(secret => secret.Dispose());
                }
            }
            try
            {
                try
                {
                    response = await _http.Value.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, token).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is OperationCanceledException || ex is HttpRequestException || ex is IOException || ex is ObjectDisposedException)
                {
                    bool nothingSent = content is null ? LooksUnsent(ex) : !content.Started;
                    bool unknown = notIdempotent && !nothingSent;
                    if (cancellationToken.IsCancellationRequested)
                    {
                        if (unknown) throw new JelouApiException(JelouErrorKind.OutcomeUnknown, $"{outgoing.Target} was stopped before an answer came: whether it was carried out is unknown.", innerException: ex, operation: operation);
                        throw;
                    }
                    if (_closed.IsCancellationRequested) throw Closed(operation, outgoing.Target, unknown, nothingSent);
                    if (ex is OperationCanceledException || ex is ObjectDisposedException)
                    {
                        string late = $"{outgoing.Target} got no answer within {Durations.Seconds(budget)} s";
                        throw unknown
                            ? new JelouApiException(JelouErrorKind.OutcomeUnknown, late + ": whether it was carried out is unknown.", operation: operation)
                            : new JelouApiException(JelouErrorKind.Timeout, late + ". Raise -TimeoutSec if the server is slow.", operation: operation);
                    }
                    string authority = outgoing.Uri.GetLeftPart(UriPartial.Authority);
                    if (nothingSent)
                    {
                        // .NET's words for a TLS handshake with a port that speaks plain http ("Cannot determine the frame
                        // size or a corrupted frame was received") say nothing of the likely cause.
                        string tls = !ConnectFailures.IsTlsFailure(ex) ? ""
                            : outgoing.Uri.IsLoopback ? $" No TLS session could be set up with {authority}: if that port speaks plain http (an emulator, a tunnel's local end), give an http:// address; otherwise its certificate is not trusted here."
                            : $" No TLS session could be set up with {authority}: its certificate is not trusted here.";
                        throw new JelouApiException(JelouErrorKind.ConnectionFailed, $"Could not reach {authority}: {InnermostMessage(ex).TrimEnd('.')}. Nothing was sent.{tls}", innerException: ex, operation: operation, nothingSent: true);
                    }
                    throw new JelouApiException(unknown ? JelouErrorKind.OutcomeUnknown : JelouErrorKind.ConnectionFailed,
                        $"The connection to {authority} broke before an answer came ({InnermostMessage(ex).TrimEnd('.')})" + (unknown ? ": whether the request was carried out is unknown." : "."),
                        innerException: ex, operation: operation);
                }

                string? failure = null;
                JelouErrorKind failureKind = JelouErrorKind.ConnectionFailed;
                Exception? cause = null;
                try
                {
                    await ReadBodyAsync(response, body, token).ConfigureAwait(false);
                }
                catch (ResponseTooLargeException)
                {
                    failureKind = JelouErrorKind.InvalidResponse;
                    failure = $"with a body larger than {MaxResponseBytes / (1024 * 1024)} MB, which was refused";
                }
                catch (Exception ex) when (ex is OperationCanceledException || ex is HttpRequestException || ex is IOException || ex is ObjectDisposedException)
                {
                    cause = ex;
                    if (cancellationToken.IsCancellationRequested)
                    {
                        if (!notIdempotent) throw new OperationCanceledException(cancellationToken);
                        failureKind = JelouErrorKind.OutcomeUnknown;
                        failure = $"but was stopped after {Sizes.Bytes(body.Length)} of the body";
                    }
                    else if (_closed.IsCancellationRequested)
                    {
                        failure = $"but Disconnect-Jelou closed the connection after {Sizes.Bytes(body.Length)} of the body";
                    }
                    else if (token.IsCancellationRequested)
                    {
                        failureKind = JelouErrorKind.Timeout;
                        failure = $"but the body did not end within {Durations.Seconds(budget)} s ({Sizes.Bytes(body.Length)} read)";
                    }
                    else
                    {
                        failure = $"but the connection broke after {Sizes.Bytes(body.Length)} of the body ({InnermostMessage(ex).TrimEnd('.')})";
                    }
                }

                received = body.ToArray();
                var answer = new ApiResponse(
                    operation,
                    response.StatusCode,
                    // The reason phrase and the request id are the server's text: they may repeat a secret or carry escape sequences.
                    PlainReasons.Contains(response.ReasonPhrase ?? "") ? response.ReasonPhrase : ApiError.Shown(response.ReasonPhrase, WithHeld(), ApiError.MaxReasonShown),
                    received,
                    response.Content?.Headers.ContentType?.MediaType is string mediaType && !PlainMediaTypes.Contains(mediaType) ? ApiError.Shown(mediaType, WithHeld()) : response.Content?.Headers.ContentType?.MediaType,
                    // Also a success's: the -Verbose line shows it, and an answer that cannot be read becomes an error that keeps it.
                    FirstHeader(response, "x-request-id") is string requestId ? ApiError.Shown(requestId, Redaction()) : null,
                    ReadRetryAfter(response));
                trace?.Verbose($"{outgoing.Target} answered {answer.StatusText} in {started.ElapsedMilliseconds} ms" + (answer.RequestId is null ? "" : $", request id {answer.RequestId}"));
                trace?.Debug(ApiError.Shown("Response headers: " + Describe(response.Headers, response.Content?.Headers), Redaction())!);
                // An error answer is an error whatever became of its body: what arrived of it still says why.
                if (!answer.IsSuccess)
                {
                    JelouApiException error = ErrorFrom(answer, operation, Redaction(), response.Headers.Location);
                    // Even an error status may come with a secret (a gateway's 500 after the create took): the caller looks. Other
                    // answers are not kept with the error, which lives on in $Error: their bodies may quote what the request sent.
                    if (issuesSecret) error.PartialAnswer = answer;
                    throw error;
                }
                if (failure != null)
                {
                    throw new JelouApiException(failureKind, $"{_peer} answered {answer.StatusText} {failure}.", answer.StatusCode, requestId: answer.RequestId, innerException: cause, operation: operation)
                    {
                        PartialAnswer = issuesSecret ? answer : null,
                    };
                }
                return answer;
            }
            finally
            {
                response?.Dispose();
                body.Clear();
                redaction?.Dispose();
                fullRedaction?.Dispose();
            }
        }

        // The secrets an error answer carries (at the top, in its data), for redaction only: whatever the body holds, this
        // never replaces the error.
        private static List<SecureString> IssuedIn(byte[] body)
        {
            try
            {
                return JelouJson.SalvageAll(body, "signingSecret");
            }
            catch (Exception)
            {
                return new List<SecureString>();
            }
        }

        /// <summary>
        /// Reads the body into <paramref name="body"/>, at most <see cref="MaxResponseBytes"/>. Disposing the response on
        /// cancellation ends a read on runtimes whose streams ignore the token (.NET Framework).
        /// </summary>
        private static async Task ReadBodyAsync(HttpResponseMessage response, BodyBuffer body, CancellationToken token)
        {
            if (response.Content is null) return;
            using CancellationTokenRegistration abort = token.Register(response.Dispose);
            using Stream stream = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
            await body.ReadAsync(stream, response.Content.Headers.ContentLength, token).ConfigureAwait(false);
        }

        // nothingSent: the connection was closed before the request left (a batch's later inputs after Disconnect-Jelou).
        private JelouApiException Closed(JelouOperation operation, string target, bool mayHaveActed, bool nothingSent = false) =>
            new JelouApiException(mayHaveActed ? JelouErrorKind.OutcomeUnknown : JelouErrorKind.ConnectionFailed,
                nothingSent ? $"{target} was not sent: Disconnect-Jelou had closed the connection."
                : $"{target} was cut short: Disconnect-Jelou closed the connection" + (mayHaveActed ? " before an answer came, so whether it was carried out is unknown." : "."),
                operation: operation, nothingSent: nothingSent).AsClosedByCaller();

        // Without content to tell, failures that happen before a request can leave: no connection, or no TLS session.
        private static bool LooksUnsent(Exception ex) => ConnectFailures.Of(ex) != null || ConnectFailures.IsTlsFailure(ex);

        private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

        // location: where a redirect (3xx) points; the handler follows none, as the credential would go along.
        private JelouApiException ErrorFrom(ApiResponse response, JelouOperation operation, SecretRedaction redaction, Uri? location = null)
        {
            JelouErrorKind kind = KindOf(response.StatusCode, operation);
            ApiError error = JelouJson.ReadError(response).ForDisplay(redaction);
            string? apiMessage = error.Description ?? error.Message;
            if (error.Description != null && error.Message != null && error.Message != error.Description)
            {
                apiMessage = error.Message + ": " + error.Description;
            }

            string message = $"{_peer} answered {response.StatusText}";
            if (apiMessage != null) message += ": " + apiMessage.TrimEnd('.') + ".";
            else if (!error.IsJson && response.Body.Length > 0) message += $" with a non-JSON body ({response.ContentType ?? "no content type"}, {Sizes.Bytes(response.Body.Length)}).";
            else message += ".";
            // Field errors the API's message already says in full (each field by name, with its reasons) are not said twice.
            if (JelouApiException.Summarize(error.FieldErrors) is string fields && !Says(apiMessage, error.FieldErrors))
            {
                message += " " + fields.TrimEnd('.') + ".";
            }
            if (response.RetryAfter is TimeSpan wait) message += $" Retry after {Durations.Wait(wait)}.";
            if (JelouApiException.IsRedirectStatus(response.StatusCode) && location != null)
            {
                // Its server and path only: a user name and password, a query string or a fragment could carry a token.
                string to = ApiError.Shown(location.IsAbsoluteUri
                    ? location.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped)
                    : location.OriginalString.Split('?', '#')[0], redaction)!;
                message += $" It redirects to {to}, and redirects are not followed (the credential would go along).";
            }

            // Express answers an unknown route with "Cannot POST /path"; a gateway may name it in its error key.
            bool wrongRoute = !error.IsEnvelope
                || (apiMessage?.StartsWith("Cannot ", StringComparison.Ordinal) ?? false)
                || (error.Key?.IndexOf("route", StringComparison.OrdinalIgnoreCase) ?? -1) >= 0;
            return new JelouApiException(kind, message, response.StatusCode, apiMessage, error.Code, error.Key, error.FieldErrors, response.RequestId, response.RetryAfter,
                operation: operation, isApiError: !wrongRoute);
        }

        private static bool Says(string? message, IReadOnlyDictionary<string, IReadOnlyList<string>> fieldErrors) =>
            message != null && fieldErrors.All(field =>
                message.IndexOf(field.Key, StringComparison.OrdinalIgnoreCase) >= 0
                && field.Value.Count > 0 && field.Value.All(reason => reason.Length > 0 && message.IndexOf(reason, StringComparison.Ordinal) >= 0));

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
            // More seconds than .NET parses is still a number of seconds: far longer than any call may wait.
            if (retryAfter is null && response.Headers.TryGetValues("Retry-After", out IEnumerable<string>? raw)
                && raw.FirstOrDefault()?.Trim() is string text && text.Length > 0 && text.All(c => c >= '0' && c <= '9'))
            {
                return Durations.Unreadable;
            }
            if (retryAfter?.Date is DateTimeOffset date)
            {
                TimeSpan wait = date - DateTimeOffset.UtcNow;
                return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
            }
            return null;
        }

        // The reason phrases servers send with the statuses the API answers with: any other is read as the server's own text.
        private static readonly HashSet<string> PlainReasons = new HashSet<string>(StringComparer.Ordinal)
        {
            "", "OK", "Created", "Accepted", "No Content", "Bad Request", "Unauthorized", "Forbidden", "Not Found", "Conflict", "Unprocessable Entity",
            "Too Many Requests", "Internal Server Error", "Bad Gateway", "Service Unavailable", "Gateway Timeout",
        };

        // Media types messages quote as they are; another is the server's own text, redacted first.
        private static readonly HashSet<string> PlainMediaTypes = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
        {
            "application/json", "application/problem+json", "text/plain", "text/html", "application/xml", "text/xml", "application/octet-stream",
        };

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
            _closed.Cancel();
            if (_http.IsValueCreated) _http.Value.Dispose();
        }

        /// <summary>What one call sends, on every attempt.</summary>
        private sealed class Outgoing
        {
            internal Outgoing(JelouOperation operation, Idempotency idempotency, HttpMethod method, Uri uri, byte[]? body, Action<HttpRequestHeaders>? addHeaders, IReadOnlyList<SecureString>? secrets)
            {
                Operation = operation;
                Idempotency = idempotency;
                Method = method;
                Uri = uri;
                Body = body;
                AddHeaders = addHeaders;
                Secrets = secrets;
            }

            internal JelouOperation Operation { get; }
            internal Idempotency Idempotency { get; }
            internal HttpMethod Method { get; }
            internal Uri Uri { get; }
            internal byte[]? Body { get; }
            internal Action<HttpRequestHeaders>? AddHeaders { get; }
            internal IReadOnlyList<SecureString>? Secrets { get; }

            /// <summary>"POST https://host/path", for messages: no query string, which could carry a token. Made when first needed.</summary>
            internal string Target => _target ??= Method.Method + " " + Uri.GetLeftPart(UriPartial.Path);

            private string? _target;
        }

        /// <summary>A request's body (empty when it has none) that tells whether sending it began.</summary>
        private sealed class SentContent : HttpContent
        {
            private static readonly byte[] Empty = new byte[0];
            private readonly byte[] _bytes;
            private volatile bool _started;

            internal SentContent(byte[]? json)
            {
                _bytes = json ?? Empty;
                if (json != null) Headers.ContentType = new MediaTypeHeaderValue("application/json");
            }

            internal bool Started => _started;

            protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context)
            {
                _started = true;
                return stream.WriteAsync(_bytes, 0, _bytes.Length);
            }

            protected override bool TryComputeLength(out long length)
            {
                length = _bytes.Length;
                return true;
            }
        }

        /// <summary>
        /// A body as it is read, straight into one array when its length is announced (most answers): no chunk and no copy.
        /// Every array it leaves behind is wiped, since answers to create and regenerate hold the secret.
        /// </summary>
        private sealed class BodyBuffer
        {
            private byte[] _bytes = new byte[0];

            internal int Length { get; private set; }

            /// <exception cref="ResponseTooLargeException">The body is larger than <see cref="MaxResponseBytes"/>.</exception>
            internal async Task ReadAsync(Stream stream, long? announced, CancellationToken token)
            {
                // A body announced larger is still read up to the limit: what arrived of it may hold a secret just issued.
                if (announced > MaxResponseBytes) announced = null;
                if (announced is long exact) Grow((int)exact);
                while (announced is null || Length < announced)
                {
                    // One byte beyond the limit is room enough to tell a body too large.
                    if (Length == _bytes.Length) Grow(Math.Min(Math.Max(4096, _bytes.Length * 2), MaxResponseBytes + 1));
                    int read = await stream.ReadAsync(_bytes, Length, _bytes.Length - Length, token).ConfigureAwait(false);
                    if (read == 0) return;
                    Length += read;
                    if (Length > MaxResponseBytes) throw new ResponseTooLargeException();
                }
            }

            private void Grow(int capacity)
            {
                byte[] larger = new byte[capacity];
                Buffer.BlockCopy(_bytes, 0, larger, 0, Length);
                Array.Clear(_bytes, 0, _bytes.Length);
                _bytes = larger;
            }

            /// <summary>The body; the buffer itself, handed over, when the body fills it.</summary>
            internal byte[] ToArray()
            {
                if (Length == _bytes.Length)
                {
                    byte[] whole = _bytes;
                    _bytes = new byte[0];
                    return whole;
                }
                byte[] copy = new byte[Length];
                Buffer.BlockCopy(_bytes, 0, copy, 0, Length);
                return copy;
            }

            internal void Clear() => Array.Clear(_bytes, 0, _bytes.Length);
        }

        private sealed class ResponseTooLargeException : Exception
        {
        }
    }
}
