using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using JelouPS.Http;
using JelouPS.Retry;
using Xunit;
using static JelouPS.Tests.Client.TestClients;

namespace JelouPS.Tests.Client
{
    /// <summary>
    /// What is sent again, after how long, and what is never sent twice: Azure.Core's defaults, Retry-After honoured,
    /// non-idempotent calls repeated only when the API refused them or none of them left. Waits are recorded, not slept.
    /// </summary>
    public sealed class RetryTests
    {
        private static StubHandler Sequence(params Func<HttpRequestMessage, HttpResponseMessage>[] answers)
        {
            int next = 0;
            return new StubHandler((request, _) =>
            {
                int index = Math.Min(Interlocked.Increment(ref next) - 1, answers.Length - 1);
                return Task.FromResult(answers[index](request));
            });
        }

        /// <summary>A server that takes the whole request (so it has left) and never answers.</summary>
        private static StubHandler Silent(TaskCompletionSource<bool>? arrived = null) => new StubHandler(async (request, token) =>
        {
            if (request.Content != null) await request.Content.ReadAsByteArrayAsync();
            arrived?.TrySetResult(true);
            await Task.Delay(Timeout.Infinite, token);
            throw new InvalidOperationException("unreachable");
        });

        private static string Integration(string projectId) =>
            "{\"id\":\"i1\",\"brainId\":\"" + projectId + "\",\"webhookUrl\":\"https://crm.example.com/jelou\",\"authType\":\"bearer\",\"createdAt\":\"2026-11-29T10:00:00Z\"}";

        [Theory]
        [InlineData(429)]
        [InlineData(408)]
        [InlineData(502)]
        [InlineData(503)]
        [InlineData(504)]
        public async Task A_read_is_retried_after_a_transient_status_with_backoff(int status)
        {
            var delay = new RecordingDelay();
            StubHandler handler = Sequence(_ => Answers.Status(status), _ => Answers.Status(status), _ => Answers.Json(HttpStatusCode.OK, Integration("p1")));
            using JelouClient client = ForStub(handler, retries: 3, delay: delay);
            var trace = new RecordingTrace();

            ExternalSupportIntegration integration = await client.GetExternalSupportAsync("p1", trace);

            Assert.Equal("i1", integration.Id);
            Assert.Equal(3, handler.Requests.Count);
            TimeSpan[] waits = delay.Waits.ToArray();
            Assert.Equal(2, waits.Length);
            // Azure.Core's exponential backoff: 0.8 s, then 1.6 s, each ±20%.
            Assert.InRange(waits[0].TotalSeconds, 0.64, 0.96);
            Assert.InRange(waits[1].TotalSeconds, 1.28, 1.92);
            Assert.Equal(2, trace.Lines.Count(line => line.Contains($"it answered {status}") && line.Contains(" of 3 in ")));
            Assert.Single(trace.Lines, line => line.EndsWith("(attempt 3)", StringComparison.Ordinal));
        }

        [Fact]
        public async Task Retry_After_is_honoured_as_seconds_and_as_an_http_date()
        {
            var delay = new RecordingDelay();
            StubHandler handler = Sequence(
                _ => Answers.Status(429, retryAfter: TimeSpan.FromSeconds(2)),
                _ => Answers.Status(503, retryAt: DateTimeOffset.UtcNow.AddSeconds(5)),
                _ => Answers.Json(HttpStatusCode.OK, Integration("p1")));
            using JelouClient client = ForStub(handler, retries: 3, delay: delay);

            await client.GetExternalSupportAsync("p1");

            TimeSpan[] waits = delay.Waits.ToArray();
            Assert.Equal(TimeSpan.FromSeconds(2), waits[0]);
            Assert.InRange(waits[1].TotalSeconds, 3, 5);
        }

        [Fact]
        public async Task The_last_failure_is_reported_once_the_retries_are_spent()
        {
            var delay = new RecordingDelay();
            StubHandler handler = Sequence(_ => Answers.Status(503));
            using JelouClient client = ForStub(handler, retries: 3, delay: delay);

            var error = await Assert.ThrowsAsync<JelouApiException>(() => client.GetExternalSupportAsync("p1"));

            Assert.Equal(JelouErrorKind.ServerError, error.Kind);
            Assert.Equal(4, handler.Requests.Count);
            Assert.Equal(3, delay.Waits.Count);
            // The retries are said in the message, not only under -Verbose.
            Assert.EndsWith("Tried 4 times (3 retries).", error.Message);
        }

        [Fact]
        public async Task A_last_failure_unlike_the_earlier_ones_says_how_those_failed()
        {
            // Two 503s, then a connection that breaks (or an answer that never comes): the fix is not the network alone.
            int calls = 0;
            var handler = new StubHandler((_, _) => ++calls <= 2 ? Task.FromResult(Answers.Status(503)) : throw new HttpRequestException("Connection reset by peer"));
            using JelouClient client = ForStub(handler, retries: 2, delay: new RecordingDelay());

            var error = await Assert.ThrowsAsync<JelouApiException>(() => client.GetExternalSupportAsync("p1"));

            Assert.Equal(JelouErrorKind.ConnectionFailed, error.Kind);
            Assert.Contains("Tried 3 times (2 retries; before it, it answered 503 twice).", error.Message);
        }

        [Fact]
        public async Task Earlier_statuses_are_said_once_as_answers()
        {
            int calls = 0;
            int[] statuses = { 503, 502, 502 };
            var handler = new StubHandler((_, _) => calls < statuses.Length ? Task.FromResult(Answers.Status(statuses[calls++])) : throw new HttpRequestException("Connection reset by peer"));
            using JelouClient client = ForStub(handler, retries: 3, delay: new RecordingDelay());

            var error = await Assert.ThrowsAsync<JelouApiException>(() => client.GetExternalSupportAsync("p1"));

            Assert.Contains("Tried 4 times (3 retries; before it, it answered 503, 502 twice).", error.Message);
        }

        [Fact]
        public async Task No_retries_when_the_count_is_zero()
        {
            StubHandler handler = Sequence(_ => Answers.Status(429, retryAfter: TimeSpan.FromSeconds(1)));
            using JelouClient client = ForStub(handler, retries: 0, delay: new RecordingDelay());

            var error = await Assert.ThrowsAsync<JelouApiException>(() => client.GetExternalSupportAsync("p1"));

            Assert.Equal(JelouErrorKind.RateLimited, error.Kind);
            Assert.Single(handler.Requests);
        }

        [Fact]
        public async Task A_wait_longer_than_the_calls_time_budget_is_not_waited()
        {
            var delay = new RecordingDelay();
            StubHandler handler = Sequence(_ => Answers.Status(429, retryAfter: TimeSpan.FromSeconds(120)));
            using JelouClient client = ForStub(handler, timeout: TimeSpan.FromSeconds(30), retries: 3, delay: delay);
            var trace = new RecordingTrace();

            var error = await Assert.ThrowsAsync<JelouApiException>(() => client.GetExternalSupportAsync("p1", trace));

            Assert.Equal(JelouErrorKind.RateLimited, error.Kind);
            Assert.Equal(TimeSpan.FromSeconds(120), error.RetryAfter);
            Assert.Empty(delay.Waits);
            Assert.Contains(trace.Lines, line => line.Contains("not retried, since waiting 120 s would pass the call's 30 s"));
            Assert.Contains("Not sent again: waiting 120 s would pass the call's 30 s (-TimeoutSec), of which ", error.Message);
        }

        [Fact]
        public async Task A_Retry_After_too_large_to_parse_is_still_too_long_to_wait()
        {
            var delay = new RecordingDelay();
            StubHandler handler = Sequence(_ =>
            {
                HttpResponseMessage response = Answers.Status(429);
                response.Headers.TryAddWithoutValidation("Retry-After", "99999999999999");
                return response;
            });
            using JelouClient client = ForStub(handler, retries: 3, delay: delay);

            var error = await Assert.ThrowsAsync<JelouApiException>(() => client.GetExternalSupportAsync("p1"));

            Assert.Equal(JelouErrorKind.RateLimited, error.Kind);
            Assert.Single(handler.Requests);
            Assert.Empty(delay.Waits);
            // Not a date 68 years ahead, nor 2147483647 s: the server's number was larger than that.
            Assert.Contains("Retry after more than 68 years.", error.Message, StringComparison.Ordinal);
            Assert.Contains("Not sent again: waiting more than 68 years would pass the call's", error.Message, StringComparison.Ordinal);
        }

        [Fact]
        public async Task A_wait_of_hours_is_said_as_the_time_it_ends()
        {
            StubHandler handler = Sequence(_ => Answers.Status(429, retryAfter: TimeSpan.FromHours(3)));
            using JelouClient client = ForStub(handler, retries: 3, delay: new RecordingDelay());

            var error = await Assert.ThrowsAsync<JelouApiException>(() => client.GetExternalSupportAsync("p1"));

            Assert.Matches(@"Retry after 20\d\d-\d\d-\d\d \d\d:\d\d:\d\dZ\. Not sent again: waiting until 20\d\d-\d\d-\d\d \d\d:\d\d:\d\dZ would pass the call's", error.Message);
        }

        [Fact]
        public async Task A_create_is_sent_again_after_429_but_never_after_a_server_error()
        {
            string secret = "whsec_" + Guid.NewGuid().ToString("N");
            StubHandler refused = Sequence(_ => Answers.Status(429, retryAfter: TimeSpan.Zero), _ => Answers.Json(HttpStatusCode.Created, Answers.Created("p1", secret)));
            using (JelouClient client = ForStub(refused, retries: 3, delay: new RecordingDelay()))
            {
                ExternalSupportIntegration created = await client.CreateExternalSupportAsync("p1", Settings());
                Assert.Equal(secret, Plain(created.SigningSecret!));
                Assert.Equal(2, refused.Requests.Count);
            }

            foreach (int status in new[] { 500, 502, 503, 504, 408 })
            {
                StubHandler failing = Sequence(_ => Answers.Status(status));
                using JelouClient client = ForStub(failing, retries: 3, delay: new RecordingDelay());
                await Assert.ThrowsAsync<JelouApiException>(() => client.CreateExternalSupportAsync("p1", Settings()));
                Assert.Single(failing.Requests);
            }
        }

        [Fact]
        public async Task A_create_that_failed_before_any_byte_left_is_sent_again_and_one_that_left_is_not()
        {
            string secret = "whsec_" + Guid.NewGuid().ToString("N");
            // The stub throws without reading the request's content: nothing of it was sent.
            StubHandler unsent = Sequence(_ => throw new HttpRequestException("Connection refused"), _ => Answers.Json(HttpStatusCode.Created, Answers.Created("p1", secret)));
            using (JelouClient client = ForStub(unsent, retries: 3, delay: new RecordingDelay()))
            {
                ExternalSupportIntegration created = await client.CreateExternalSupportAsync("p1", Settings());
                Assert.Equal(secret, Plain(created.SigningSecret!));
                Assert.Equal(2, unsent.Requests.Count);
            }

            // This one reads the body first, as a real connection sends it, then breaks.
            StubHandler sent = Sequence(request =>
            {
                request.Content!.ReadAsByteArrayAsync().GetAwaiter().GetResult();
                throw new HttpRequestException("The response ended prematurely.");
            });
            using (JelouClient client = ForStub(sent, retries: 3, delay: new RecordingDelay()))
            {
                var error = await Assert.ThrowsAsync<JelouApiException>(() => client.CreateExternalSupportAsync("p1", Settings()));
                Assert.Equal(JelouErrorKind.OutcomeUnknown, error.Kind);
                Assert.Contains("whether the request was carried out is unknown", error.Message);
                Assert.Single(sent.Requests);
            }
        }

        [Fact]
        public async Task A_rotation_has_a_body_so_the_http_stack_cannot_resend_it_silently()
        {
            var lengths = new List<long?>();
            StubHandler handler = Sequence(request =>
            {
                lengths.Add(request.Content?.Headers.ContentLength);
                Assert.Null(request.Content?.Headers.ContentType);
                return Answers.Status(500);
            });
            using JelouClient client = ForStub(handler);

            await Assert.ThrowsAsync<JelouApiException>(() => client.RegenerateSigningSecretAsync("p1"));
            await Assert.ThrowsAsync<JelouApiException>(() => client.DeleteExternalSupportAsync("p1"));

            Assert.Equal(new long?[] { 0, 0 }, lengths);
        }

        [Fact]
        public async Task A_read_is_retried_after_a_broken_connection()
        {
            var delay = new RecordingDelay();
            StubHandler handler = Sequence(_ => throw new HttpRequestException("Connection reset by peer"), _ => Answers.Json(HttpStatusCode.OK, Integration("p1")));
            using JelouClient client = ForStub(handler, retries: 3, delay: delay);
            var trace = new RecordingTrace();

            await client.GetExternalSupportAsync("p1", trace);

            Assert.Equal(2, handler.Requests.Count);
            Assert.Contains(trace.Lines, line => line.Contains("the connection broke; retry 1 of 3"));
        }

        [Fact]
        public async Task A_refused_connection_says_nothing_was_sent()
        {
            int port;
            using (var probe = new TcpListener(IPAddress.Loopback, 0))
            {
                probe.Start();
                port = ((IPEndPoint)probe.LocalEndpoint).Port;
            }
            using var client = new JelouClient(new JelouClientOptions(new JelouApiKeyCredential(Secure("k")))
            {
                BaseUri = new Uri($"http://127.0.0.1:{port}/jelouapi"),
                MaximumRetryCount = 0,
            });

            var error = await Assert.ThrowsAsync<JelouApiException>(() => client.CreateExternalSupportAsync("p1", Settings()));

            Assert.Equal(JelouErrorKind.ConnectionFailed, error.Kind);
            Assert.Contains("Nothing was sent", error.Message);
        }

        [Fact]
        public async Task A_timeout_of_a_create_that_left_is_an_unknown_outcome_and_of_a_read_a_timeout()
        {
            StubHandler silent = Silent();
            using JelouClient client = ForStub(silent, timeout: TimeSpan.FromMilliseconds(300));

            var create = await Assert.ThrowsAsync<JelouApiException>(() => client.CreateExternalSupportAsync("p1", Settings()));
            var read = await Assert.ThrowsAsync<JelouApiException>(() => client.GetExternalSupportAsync("p1"));

            Assert.Equal(JelouErrorKind.OutcomeUnknown, create.Kind);
            Assert.Contains("got no answer within 0.3 s", create.Message);
            Assert.Equal(JelouErrorKind.Timeout, read.Kind);
        }

        [Fact]
        public async Task The_per_call_timeout_overrides_the_connections()
        {
            StubHandler silent = Silent();
            using JelouClient client = ForStub(silent, timeout: TimeSpan.FromMinutes(5));
            var clock = Stopwatch.StartNew();

            var error = await Assert.ThrowsAsync<JelouApiException>(() => client.GetExternalSupportAsync("p1", timeout: TimeSpan.FromMilliseconds(200)));

            Assert.Equal(JelouErrorKind.Timeout, error.Kind);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"took {clock.Elapsed}");
        }

        [Fact]
        public async Task Closing_the_connection_during_a_call_says_so_instead_of_timing_out()
        {
            var arrived = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            StubHandler silent = Silent(arrived);
            JelouClient client = ForStub(silent, timeout: TimeSpan.FromSeconds(30));
            Task<ExternalSupportIntegration> call = client.GetExternalSupportAsync("p1");
            await arrived.Task;
            var clock = Stopwatch.StartNew();

            client.Dispose();
            var error = await Assert.ThrowsAsync<JelouApiException>(() => call);

            Assert.Equal(JelouErrorKind.ConnectionFailed, error.Kind);
            Assert.Contains("Disconnect-Jelou closed the connection", error.Message);
            Assert.True(error.ClosedByCaller);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
        }

        [Fact]
        public async Task A_create_after_the_connection_was_closed_says_it_was_not_sent_so_no_secret_can_be_lost()
        {
            StubHandler silent = Silent();
            JelouClient client = ForStub(silent, timeout: TimeSpan.FromSeconds(30));
            client.Dispose();

            var error = await Assert.ThrowsAsync<JelouApiException>(() => client.CreateExternalSupportAsync("p9", new ExternalSupportSettings { WebhookUrl = new Uri("https://crm.example.com/j") }));

            Assert.Equal(JelouErrorKind.ConnectionFailed, error.Kind);
            Assert.True(error.NothingSent);
            Assert.Contains("was not sent: Disconnect-Jelou had closed the connection", error.Message);
            Assert.Empty(silent.Requests);
        }

        [Fact]
        public async Task A_create_whose_only_attempt_could_not_be_sent_and_whose_retry_wait_is_cut_by_Disconnect_says_it_was_not_sent()
        {
            var refused = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            var handler = new StubHandler((request, _) =>
            {
                refused.TrySetResult(true);
                throw new HttpRequestException("Connection refused", new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.ConnectionRefused));
            });
            JelouClient client = ForStub(handler, retries: 3);
            Task<ExternalSupportIntegration> call = client.CreateExternalSupportAsync("p9", new ExternalSupportSettings { WebhookUrl = new Uri("https://crm.example.com/j") });
            await refused.Task;

            client.Dispose();
            var error = await Assert.ThrowsAsync<JelouApiException>(() => call);

            Assert.Equal(JelouErrorKind.ConnectionFailed, error.Kind);
            Assert.True(error.NothingSent);
            Assert.Contains("was not sent", error.Message);
        }

        [Fact]
        public async Task Cancelling_a_read_ends_it_at_once_and_cancelling_a_retry_wait_too()
        {
            StubHandler silent = Silent();
            using JelouClient reader = ForStub(silent, timeout: TimeSpan.FromMinutes(5));
            using var stop = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
            var clock = Stopwatch.StartNew();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => reader.GetExternalSupportAsync("p1", cancellationToken: stop.Token));
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"read took {clock.Elapsed}");

            // A create waiting out a Retry-After has nothing in flight: it stops at once too (real waits here).
            StubHandler throttled = Sequence(_ => Answers.Status(429, retryAfter: TimeSpan.FromSeconds(60)));
            using var creator = new JelouClient(new JelouClientOptions(new JelouApiKeyCredential(Secure("k")))
            {
                BaseUri = new Uri("https://gateway.example.test/jelouapi"),
                Timeout = TimeSpan.FromMinutes(5),
            }, throttled);
            using var stopWait = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
            clock.Restart();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => creator.CreateExternalSupportAsync("p1", Settings(), cancellationToken: stopWait.Token));
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"wait took {clock.Elapsed}");
            Assert.Single(throttled.Requests);
        }

        [Fact]
        public async Task A_cancelled_create_in_flight_gets_a_grace_for_its_answer()
        {
            string secret = "whsec_" + Guid.NewGuid().ToString("N");
            var answer = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            StubHandler slow = new StubHandler(async (request, token) =>
            {
                await request.Content!.ReadAsByteArrayAsync();
                await answer.Task;
                return Answers.Json(HttpStatusCode.Created, Answers.Created("p1", secret));
            });
            using JelouClient client = ForStub(slow, stopGrace: TimeSpan.FromSeconds(20));
            using var stop = new CancellationTokenSource();

            Task<ExternalSupportIntegration> call = client.CreateExternalSupportAsync("p1", Settings(), cancellationToken: stop.Token);
            stop.Cancel();
            answer.SetResult(true);

            ExternalSupportIntegration created = await call;
            Assert.Equal(secret, Plain(created.SigningSecret!));
        }

        [Fact]
        public async Task A_cancelled_create_with_no_answer_ends_after_the_grace_as_an_unknown_outcome()
        {
            StubHandler silent = Silent();
            using JelouClient client = ForStub(silent, timeout: TimeSpan.FromMinutes(5), stopGrace: TimeSpan.FromMilliseconds(300));
            using var stop = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));
            var clock = Stopwatch.StartNew();

            var error = await Assert.ThrowsAsync<JelouApiException>(() => client.CreateExternalSupportAsync("p1", Settings(), cancellationToken: stop.Token));

            Assert.Equal(JelouErrorKind.OutcomeUnknown, error.Kind);
            Assert.Contains("was stopped before an answer came", error.Message);
            Assert.InRange(clock.Elapsed.TotalSeconds, 0.3, 5);
        }

        [Fact]
        public async Task A_cancelled_conversation_start_in_flight_ends_at_once_as_an_unknown_outcome()
        {
            // Only an answer that may carry a signing secret is worth the grace.
            using JelouClient client = ForStub(Silent(), timeout: TimeSpan.FromMinutes(5), stopGrace: TimeSpan.FromMinutes(1));
            using var stop = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
            var clock = Stopwatch.StartNew();

            var error = await Assert.ThrowsAsync<JelouApiException>(() =>
                client.StartConversationAsync("p1", new StartConversationRequest { BotId = "b", UserId = "u" }, cancellationToken: stop.Token));

            Assert.Equal(JelouErrorKind.OutcomeUnknown, error.Kind);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
        }

        [Theory]
        [InlineData(429, true, true)]
        [InlineData(503, true, false)]
        [InlineData(500, true, false)]
        [InlineData(404, false, false)]
        [InlineData(408, true, false)]
        public void The_policy_retries_by_status_and_idempotency(int status, bool idempotent, bool notIdempotent)
        {
            var failure = new JelouApiException(JelouErrorKind.ServerError, "x", (HttpStatusCode)status);

            Assert.Equal(idempotent, RetryPolicy.MayRetry(failure, Idempotency.Idempotent));
            Assert.Equal(notIdempotent, RetryPolicy.MayRetry(failure, Idempotency.NotIdempotent));
        }

        /// <summary>An answer that broke off after a success status: a read is sent again, a change that was done is not.</summary>
        [Theory]
        [InlineData(JelouOperation.GetIntegration, true)]
        [InlineData(JelouOperation.GetConversation, true)]
        [InlineData(JelouOperation.UpdateIntegration, false)]
        [InlineData(JelouOperation.DeleteIntegration, false)]
        public void A_success_whose_answer_broke_off_is_sent_again_only_for_a_read(JelouOperation operation, bool retried)
        {
            var failure = new JelouApiException(JelouErrorKind.ConnectionFailed, "x", HttpStatusCode.OK, operation: operation);

            Assert.Equal(retried, RetryPolicy.MayRetry(failure, Idempotency.Idempotent));
            Assert.True(RetryPolicy.MayHaveActed(failure));
        }

        [Fact]
        public void Connect_options_are_checked()
        {
            var options = new JelouClientOptions(new JelouApiKeyCredential(Secure("k"))) { MaximumRetryCount = 11 };
            Assert.Throws<ArgumentOutOfRangeException>(() => new JelouClient(options));
            options = new JelouClientOptions(new JelouApiKeyCredential(Secure("k"))) { RetryInterval = TimeSpan.FromMinutes(2) };
            Assert.Throws<ArgumentOutOfRangeException>(() => new JelouClient(options));
        }
    }
}
