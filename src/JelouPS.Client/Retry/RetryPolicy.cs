using System;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using JelouPS.Http;

namespace JelouPS.Retry
{
    /// <summary>
    /// Which failed sends are sent again, and how long to wait first. As Azure.Core's retry policy: 3 retries by default,
    /// exponential backoff with jitter from a first delay of 0.8 s up to 1 minute, and a server's Retry-After (seconds or an
    /// HTTP-date) instead when it gives one. The caller keeps every wait within the call's time budget.
    /// </summary>
    internal sealed class RetryPolicy
    {
        internal static readonly TimeSpan MaxDelay = TimeSpan.FromMinutes(1);

        /// <summary>No retries: for sends whose failure the user must see as it is (a test event to their own receiver).</summary>
        internal static readonly RetryPolicy None = new RetryPolicy(0, TimeSpan.Zero);

        private readonly Func<TimeSpan, CancellationToken, Task> _delay;
        private readonly Func<double>? _unitRandom;

        /// <summary>A policy of <paramref name="maxRetries"/> retries, the first after about <paramref name="firstDelay"/>.</summary>
        /// <param name="maxRetries">How many times a send may be sent again; 0 for none.</param>
        /// <param name="firstDelay">The backoff before the first retry.</param>
        /// <param name="delay">How a wait is waited; tests pass one that returns at once and records the wait.</param>
        /// <param name="unitRandom">The jitter's source of numbers in [0, 1); tests pass a fixed one.</param>
        internal RetryPolicy(int maxRetries, TimeSpan firstDelay, Func<TimeSpan, CancellationToken, Task>? delay = null, Func<double>? unitRandom = null)
        {
            MaxRetries = maxRetries;
            FirstDelay = firstDelay;
            _delay = delay ?? Task.Delay;
            _unitRandom = unitRandom;
        }

        internal int MaxRetries { get; }

        internal TimeSpan FirstDelay { get; }

        /// <summary>
        /// Whether <paramref name="failure"/> may be sent again. A 429 for any request: the API refused it, nothing was done.
        /// 408, 500, 502, 503, 504 and a broken connection for idempotent requests (Azure.Core's retriable statuses), but not
        /// an update or delete whose answer broke off after a success status. Any
        /// other request only when none of it left. Never a failed TLS handshake: an untrusted certificate or a port that
        /// speaks plain http fails the same way each time, and the waits would only delay the error that says so.
        /// </summary>
        internal static bool MayRetry(JelouApiException failure, Idempotency idempotency)
        {
            if (ConnectFailures.IsTlsFailure(failure)) return false;
            if (failure.NothingSent) return true;
            if (failure.StatusCode == (HttpStatusCode)429) return true;
            if (idempotency != Idempotency.Idempotent) return false;
            // A change Jelou answered with a success is done: sent again, a delete would find nothing and say so.
            if (failure.AnsweredSuccess && failure.Operation != JelouOperation.GetIntegration && failure.Operation != JelouOperation.GetConversation) return false;
            if (failure.Kind == JelouErrorKind.ConnectionFailed) return true;
            switch ((int?)failure.StatusCode)
            {
                case 408:
                case 500:
                case 502:
                case 503:
                case 504:
                    return true;
                default:
                    return false;
            }
        }

        /// <summary>
        /// Whether the attempt that ended in <paramref name="failure"/> may still have been carried out: no answer (a broken
        /// connection, a timeout) or a server or gateway failure (500, 502, 504) may come after the request acted, and a
        /// success status whose answer then broke off or could not be read did act; a refusal (408, 429, 503) or a request
        /// that never left did nothing.
        /// </summary>
        internal static bool MayHaveActed(JelouApiException failure) =>
            !failure.NothingSent && (failure.StatusCode is null || failure.AnsweredSuccess || failure.StatusCode == HttpStatusCode.InternalServerError
                || failure.StatusCode == HttpStatusCode.BadGateway || failure.StatusCode == HttpStatusCode.GatewayTimeout);

        /// <summary>The wait before retry number <paramref name="retry"/> (1 for the first): the server's Retry-After, else backoff.</summary>
        internal TimeSpan DelayBefore(int retry, TimeSpan? retryAfter) =>
            retryAfter ?? Backoff.Delay(retry, FirstDelay, MaxDelay, _unitRandom);

        internal Task WaitAsync(TimeSpan wait, CancellationToken cancellationToken) => _delay(wait, cancellationToken);
    }
}
