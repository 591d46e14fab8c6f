using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;

namespace JelouPS
{
    /// <summary>
    /// A failed call to Jelou. Carries the HTTP status and the API's own messages; never a secret:
    /// messages are built from the error envelope's text fields only, never from raw bodies.
    /// </summary>
    public sealed class JelouApiException : Exception
    {
        private static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> NoFieldErrors =
            new Dictionary<string, IReadOnlyList<string>>();

        internal JelouApiException(
            JelouErrorKind kind,
            string message,
            HttpStatusCode? statusCode = null,
            string? apiMessage = null,
            string? errorCode = null,
            string? errorKey = null,
            IReadOnlyDictionary<string, IReadOnlyList<string>>? fieldErrors = null,
            string? requestId = null,
            TimeSpan? retryAfter = null,
            Exception? innerException = null,
            JelouOperation operation = JelouOperation.None,
            bool isApiError = false,
            bool nothingSent = false)
            : base(message, innerException)
        {
            NothingSent = nothingSent;
            Kind = kind;
            Operation = operation;
            IsApiError = isApiError;
            StatusCode = statusCode;
            ApiMessage = apiMessage;
            ErrorCode = errorCode;
            ErrorKey = errorKey;
            FieldErrors = fieldErrors ?? NoFieldErrors;
            RequestId = requestId;
            RetryAfter = retryAfter;
        }

        public JelouErrorKind Kind { get; }

        /// <summary>The call that failed.</summary>
        public JelouOperation Operation { get; }

        /// <summary>
        /// Whether the API itself answered about this resource: its error envelope (<c>statusMessage</c>, <c>status</c> or
        /// <c>error</c>), not naming an unknown route. A 404 without it came from something else on the path, usually a
        /// base URI without <c>/jelouapi</c> or <c>/platform</c>.
        /// </summary>
        public bool IsApiError { get; }

        /// <summary>The HTTP status, or null when no response arrived.</summary>
        public HttpStatusCode? StatusCode { get; }

        /// <summary>The API's human-readable message (<c>message</c> or <c>error.description</c>).</summary>
        public string? ApiMessage { get; }

        /// <summary>The API's <c>error.code</c>.</summary>
        public string? ErrorCode { get; }

        /// <summary>The API's <c>error.key</c>.</summary>
        public string? ErrorKey { get; }

        /// <summary>Field name to the API's reasons, from <c>validationError</c>.</summary>
        public IReadOnlyDictionary<string, IReadOnlyList<string>> FieldErrors { get; }

        /// <summary>The <c>x-request-id</c> the API answered with, for support tickets.</summary>
        public string? RequestId { get; }

        /// <summary>How long the API asked us to wait (429/503 <c>Retry-After</c>).</summary>
        public TimeSpan? RetryAfter { get; }

        /// <summary>
        /// What the answer still gave when the call failed after Jelou issued a signing secret (a body cut or malformed after
        /// the secret, a connection reset after it): the integration as far as the answer named it, with the secret.
        /// </summary>
        public ExternalSupportIntegration? Integration { get; private set; }

        /// <summary>Disconnect-Jelou (disposing the client) cut the call short.</summary>
        internal bool ClosedByCaller { get; private set; }

        /// <summary>This failure, marked as cut short by Disconnect-Jelou.</summary>
        internal JelouApiException AsClosedByCaller()
        {
            ClosedByCaller = true;
            return this;
        }

        /// <summary>None of the request left this process (a refused connection, a failed name lookup): it cannot have acted.</summary>
        internal bool NothingSent { get; }

        /// <summary>
        /// An earlier attempt of this call may have been carried out (its answer was lost or was a gateway's error): a retried
        /// DELETE that finds nothing was deleted by it.
        /// </summary>
        internal bool EarlierAttemptMayHaveActed { get; set; }

        /// <summary>
        /// A redirect (301, 302, 303, 307, 308), which the handler does not follow: the credential would go along. 300 and 304
        /// point nowhere to go.
        /// </summary>
        internal bool IsRedirect => IsRedirectStatus(StatusCode);

        /// <summary>
        /// Jelou answered a success status, and the rest of the answer then broke off, came too slowly or could not be read:
        /// the request was carried out.
        /// </summary>
        internal bool AnsweredSuccess => StatusCode is HttpStatusCode status && (int)status >= 200 && (int)status < 300;

        internal static bool IsRedirectStatus(HttpStatusCode? status) =>
            status is HttpStatusCode.MovedPermanently or HttpStatusCode.Found or HttpStatusCode.SeeOther or HttpStatusCode.TemporaryRedirect or (HttpStatusCode)308;

        /// <summary>
        /// The bytes of an answer that failed (an error status, or a body that broke off or was refused while being read), for
        /// what they still say; wiped once read.
        /// </summary>
        internal Http.ApiResponse? PartialAnswer { get; set; }

        /// <summary>Where the failed request went (or was to go): which server's project the failure is about.</summary>
        internal Uri? RequestUri { get; set; }
        /// <summary>Whether a proxy failed, rather than the server: the request never reached it.</summary>
        internal bool IsProxyFailure => Kind == JelouErrorKind.ProxyAuthenticationRequired || Kind == JelouErrorKind.ProxyFailed;

        /// <summary>"webhookUrl: must be https; authType: ..." or null when the API named no field.</summary>
        public string? FieldErrorSummary => Summarize(FieldErrors);

        /// <summary>This failure with <paramref name="message"/> (the item it is about named first), everything else kept.</summary>
        internal JelouApiException WithMessage(string message) =>
            new JelouApiException(Kind, message, StatusCode, ApiMessage, ErrorCode, ErrorKey, FieldErrors, RequestId, RetryAfter, InnerException, Operation, IsApiError, NothingSent)
            {
                Integration = Integration,
                ClosedByCaller = ClosedByCaller,
                EarlierAttemptMayHaveActed = EarlierAttemptMayHaveActed,
                RequestUri = RequestUri,
            };

        /// <summary>This failure, carrying the <paramref name="integration"/> (and its signing secret) the answer still gave.</summary>
        internal JelouApiException WithIntegration(ExternalSupportIntegration integration, string message)
        {
            JelouApiException carried = WithMessage(message);
            carried.Integration = integration;
            return carried;
        }

        internal static string? Summarize(IReadOnlyDictionary<string, IReadOnlyList<string>> fieldErrors) => fieldErrors.Count == 0
            ? null
            : string.Join("; ", fieldErrors.Select(f => f.Key + ": " + string.Join(", ", f.Value)));
    }
}
