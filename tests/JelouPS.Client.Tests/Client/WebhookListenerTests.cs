using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using JelouPS.Security;
using JelouPS.Webhooks;
using Xunit;

namespace JelouPS.Tests.Client
{
    /// <summary>The local receiver answers each request as Jelou expects (jelou-api.md §5.4) and says what became of it.</summary>
    public sealed class WebhookListenerTests : IDisposable
    {
        private const string Body = "{\"event\":\"conversation.close\",\"timestamp\":1776134278574,\"project_id\":\"P\",\"room_id\":\"R\",\"reason\":\"closed_by_operator\"}";
        private readonly JelouSigner _signer = new JelouSigner(SecureStrings.FromString("listener-secret"));
        private readonly JelouWebhookListener _listener;
        private readonly HttpClient _http = new HttpClient();
        private readonly CancellationTokenSource _timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        public WebhookListenerTests()
        {
            _listener = new JelouWebhookListener(JelouWebhookListener.FreeLoopbackPort(), "/jelou");
            _listener.Start();
        }

        private readonly WebhookCredential _credential = new WebhookCredential("api_key", SecureStrings.FromString("hook-key"));

        // Sends a request while the listener waits for it; a delivery is checked and answered as Receive-JelouWebhookEvent does.
        private async Task<(int Status, WebhookRequest Request, WebhookVerdict? Verdict)> SendAsync(HttpMethod method, string path, string? body, string? signature, string? key = "hook-key")
        {
            var request = new HttpRequestMessage(method, new Uri(_listener.Url, path));
            if (body != null) request.Content = new StringContent(body, Encoding.UTF8, "application/json");
            if (signature != null) request.Headers.TryAddWithoutValidation("X-Jelou-Signature", signature);
            if (key != null) request.Headers.TryAddWithoutValidation("X-API-Key", key);
            Task<HttpResponseMessage> sent = _http.SendAsync(request, _timeout.Token);
            WebhookRequest received = await _listener.ReceiveAsync(_timeout.Token);
            WebhookVerdict? verdict = received.Delivery?.Verify(new[] { _signer }, _credential);
            if (verdict != null) received.Answer(verdict);
            using HttpResponseMessage response = await sent;
            return ((int)response.StatusCode, received, verdict);
        }

        [Fact]
        public async Task A_signed_delivery_is_answered_200_and_its_event_handed_over()
        {
            (int status, WebhookRequest request, WebhookVerdict? verdict) = await SendAsync(HttpMethod.Post, "/jelou", Body, _signer.Sign(Encoding.UTF8.GetBytes(Body)));

            Assert.Equal(200, status);
            Assert.Equal(200, request.StatusCode);
            Assert.Equal("P", request.Delivery!.ClaimedProjectId);
            var closed = Assert.IsType<JelouConversationCloseEvent>(verdict!.Event);
            Assert.Equal("closed_by_operator", closed.Reason);
            // localhost is 127.0.0.1 or ::1, whichever the machine resolves first.
            Assert.Matches(@"^POST /jelou from (127\.0\.0\.1|\[::1\]):\d+$", request.ToString());
        }

        [Theory]
        [InlineData("tampered", 401)]
        [InlineData("unsigned", 401)]
        [InlineData("wrong key", 401)]
        [InlineData("no event", 400)]
        public async Task A_refused_delivery_is_answered_as_Jelou_expects(string what, int expected)
        {
            string body = what == "no event" ? "\"text\"" : Body;
            string? signature = what == "unsigned" ? null : _signer.Sign(Encoding.UTF8.GetBytes(what == "tampered" ? Body + " " : body));

            (int status, _, WebhookVerdict? verdict) = await SendAsync(HttpMethod.Post, "/jelou", body, signature, what == "wrong key" ? "other-key" : "hook-key");

            Assert.Equal(expected, status);
            Assert.Null(verdict!.Event);
        }

        [Theory]
        [InlineData("GET", "/jelou", 405)]
        [InlineData("POST", "/jelou/other", 404)]
        public async Task A_request_that_is_no_delivery_is_answered_and_said_why(string method, string path, int expected)
        {
            (int status, WebhookRequest request, WebhookVerdict? verdict) = await SendAsync(new HttpMethod(method), path, method == "POST" ? Body : null, null);

            Assert.Equal(expected, status);
            Assert.Equal(expected, request.StatusCode);
            Assert.Null(request.Delivery);
            Assert.Null(verdict);
            Assert.NotNull(request.Problem);
        }

        [Fact]
        public async Task A_body_over_the_limit_is_refused_413_unread()
        {
            string big = "{\"x\":\"" + new string('x', JelouWebhookListener.MaxBodyBytes) + "\"}";

            (int status, WebhookRequest request, _) = await SendAsync(HttpMethod.Post, "/jelou", big, "sha256=00");

            Assert.Equal(413, status);
            Assert.Null(request.Delivery);
        }

        [Fact]
        public async Task A_sender_that_stalls_in_its_body_is_cut_off_and_the_next_delivery_still_comes_through()
        {
            using var listener = new JelouWebhookListener(JelouWebhookListener.FreeLoopbackPort(), "/jelou", null, null, TimeSpan.FromMilliseconds(300));
            listener.Start();
            using var stalled = new TcpClient();
            await stalled.ConnectAsync("localhost", listener.Url.Port);
            byte[] head = Encoding.ASCII.GetBytes($"POST /jelou HTTP/1.1\r\nHost: localhost:{listener.Url.Port}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"event\":");
            await stalled.GetStream().WriteAsync(head, 0, head.Length);

            WebhookRequest cut = await listener.ReceiveAsync(_timeout.Token);

            Assert.Equal(408, cut.StatusCode);
            Assert.Null(cut.Delivery);
            Assert.Contains("did not arrive", cut.Problem);
            // The sender is told so, not given a success.
            string? statusLine = await new System.IO.StreamReader(stalled.GetStream()).ReadLineAsync();
            Assert.StartsWith("HTTP/1.1 408", statusLine);
            var request = new HttpRequestMessage(HttpMethod.Post, listener.Url) { Content = new StringContent(Body, Encoding.UTF8, "application/json") };
            request.Headers.TryAddWithoutValidation("X-Jelou-Signature", _signer.Sign(Encoding.UTF8.GetBytes(Body)));
            Task<HttpResponseMessage> sent = _http.SendAsync(request, _timeout.Token);
            WebhookRequest next = await listener.ReceiveAsync(_timeout.Token);
            next.Answer(next.Delivery!.Verify(new[] { _signer }, null));
            Assert.Equal(HttpStatusCode.OK, (await sent).StatusCode);
        }

        [Fact]
        public async Task A_sender_slow_with_its_body_holds_up_only_itself()
        {
            using var stalled = new TcpClient();
            await stalled.ConnectAsync("localhost", _listener.Url.Port);
            byte[] head = Encoding.ASCII.GetBytes($"POST /jelou HTTP/1.1\r\nHost: localhost:{_listener.Url.Port}\r\nContent-Length: 100\r\n\r\n{{");
            await stalled.GetStream().WriteAsync(head, 0, head.Length);

            (int status, WebhookRequest request, _) = await SendAsync(HttpMethod.Post, "/jelou", Body, _signer.Sign(Encoding.UTF8.GetBytes(Body)));

            Assert.Equal(200, status);
            Assert.NotNull(request.Delivery);
        }

        [Fact]
        public async Task A_delivery_read_but_not_taken_when_the_receiver_stops_is_answered_503()
        {
            var request = new HttpRequestMessage(HttpMethod.Post, _listener.Url) { Content = new StringContent(Body, Encoding.UTF8, "application/json") };
            request.Headers.TryAddWithoutValidation("X-Jelou-Signature", _signer.Sign(Encoding.UTF8.GetBytes(Body)));
            Task<HttpResponseMessage> sent = _http.SendAsync(request, _timeout.Token);
            while (_listener.Waiting == 0 && !sent.IsCompleted) await Task.Delay(10, _timeout.Token);

            _listener.Dispose();

            Assert.Equal(HttpStatusCode.ServiceUnavailable, (await sent).StatusCode);
        }

        [Fact]
        public async Task When_it_stops_with_a_burst_read_only_the_deliveries_it_handed_over_were_answered_200()
        {
            var sends = new List<Task<int>>();
            for (int i = 0; i < 12; i++)
            {
                var request = new HttpRequestMessage(HttpMethod.Post, _listener.Url) { Content = new StringContent(Body, Encoding.UTF8, "application/json") };
                request.Headers.TryAddWithoutValidation("X-Jelou-Signature", _signer.Sign(Encoding.UTF8.GetBytes(Body)));
                sends.Add(SendForStatusAsync(request));
            }
            for (int handedOver = 0; handedOver < 3; handedOver++)
            {
                WebhookRequest received = await _listener.ReceiveAsync(_timeout.Token);
                received.Answer(received.Delivery!.Verify(new[] { _signer }, null));
            }
            // All the others have been read and wait to be taken (the framework's own race at close is not this test's).
            while (_listener.Waiting < 9) await Task.Delay(10, _timeout.Token);

            _listener.Dispose();

            int[] statuses = await Task.WhenAll(sends);
            Assert.Equal(3, statuses.Count(status => status == 200));
            Assert.Equal(9, statuses.Count(status => status == 503));
        }

        // The status a send got; 0 when the connection was refused or closed without one.
        private async Task<int> SendForStatusAsync(HttpRequestMessage request)
        {
            try
            {
                using HttpResponseMessage response = await _http.SendAsync(request, _timeout.Token);
                return (int)response.StatusCode;
            }
            catch (HttpRequestException)
            {
                return 0;
            }
        }

        [Fact]
        public async Task Cancelling_the_wait_ends_it_and_disposing_frees_the_port()
        {
            using var stop = new CancellationTokenSource();
            Task<WebhookRequest> waiting = _listener.ReceiveAsync(stop.Token);
            stop.Cancel();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);

            _listener.Dispose();
            using var again = new JelouWebhookListener(_listener.Url.Port, "/jelou");
            again.Start();
        }

        [Fact]
        public async Task A_flood_of_refused_requests_is_answered_but_reported_only_up_to_a_bound_and_a_delivery_still_comes_through()
        {
            for (int i = 0; i < JelouWebhookListener.MaxRefusalsWaiting + 20; i++)
            {
                using HttpResponseMessage refused = await _http.GetAsync(new Uri(_listener.Url, "/nope"), _timeout.Token);
                Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);
            }
            // A refusal is answered before it is handed over: wait until every one was queued or counted.
            while (_listener.Waiting < JelouWebhookListener.MaxRefusalsWaiting || _listener.Unreported < 20) await Task.Delay(10, _timeout.Token);
            var message = new HttpRequestMessage(HttpMethod.Post, _listener.Url) { Content = new StringContent(Body, Encoding.UTF8, "application/json") };
            message.Headers.TryAddWithoutValidation("X-Jelou-Signature", _signer.Sign(Encoding.UTF8.GetBytes(Body)));
            Task<HttpResponseMessage> sent = _http.SendAsync(message, _timeout.Token);

            // The reports waiting are taken first, then the delivery; the ones past the bound were counted, not queued.
            for (int i = 0; i < JelouWebhookListener.MaxRefusalsWaiting; i++) Assert.Null((await _listener.ReceiveAsync(_timeout.Token)).Delivery);
            WebhookRequest delivery = await _listener.ReceiveAsync(_timeout.Token);
            delivery.Answer(delivery.Delivery!.Verify(new[] { _signer }, null));
            using (HttpResponseMessage response = await sent) Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            using (await _http.GetAsync(new Uri(_listener.Url, "/nope"), _timeout.Token)) { }
            WebhookRequest next = await _listener.ReceiveAsync(_timeout.Token);
            Assert.EndsWith("(20 more requests were refused meanwhile, too many to report each.)", next.Problem);
        }

        [Fact]
        public async Task Refused_senders_that_hold_their_connection_open_are_answered_and_reported_without_holding_up_a_delivery()
        {
            var held = new List<TcpClient>();
            try
            {
                for (int i = 0; i < 30; i++)
                {
                    var tcp = new TcpClient();
                    held.Add(tcp);
                    await tcp.ConnectAsync(IPAddress.Loopback, _listener.Url.Port, _timeout.Token);
                    await tcp.GetStream().WriteAsync(Encoding.ASCII.GetBytes("POST /nope HTTP/1.1\r\nHost: localhost\r\nContent-Length: 500\r\n\r\n{"), _timeout.Token);
                }
                // Each is answered with the connection closed, so its unread body is not waited for.
                var answer = new byte[512];
                int read = await held[0].GetStream().ReadAsync(answer, _timeout.Token);
                string head = Encoding.ASCII.GetString(answer, 0, read);
                Assert.StartsWith("HTTP/1.1 404", head);
                Assert.Contains("Connection: close", head, StringComparison.OrdinalIgnoreCase);

                (int status, _, _) = await SendAsyncAfter(30);
                Assert.Equal(200, status);
            }
            finally
            {
                foreach (TcpClient tcp in held) tcp.Dispose();
            }
        }

        [Fact]
        public async Task A_sender_that_closes_before_its_body_is_complete_is_answered_400_and_said_why()
        {
            using var tcp = new TcpClient();
            await tcp.ConnectAsync(IPAddress.Loopback, _listener.Url.Port, _timeout.Token);
            await tcp.GetStream().WriteAsync(Encoding.ASCII.GetBytes("POST /jelou HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100\r\n\r\n{\"event\""), _timeout.Token);
            tcp.Client.Shutdown(SocketShutdown.Send);

            WebhookRequest refused = await _listener.ReceiveAsync(_timeout.Token);

            Assert.Equal(400, refused.StatusCode);
            Assert.Null(refused.Delivery);
            if (!OperatingSystem.IsWindows()) Assert.Contains("ended before the length it announced", refused.Problem);
        }

        [Fact]
        public async Task Over_http_localhost_is_both_loopbacks_and_a_tunnel_may_keep_its_own_Host()
        {
            Assert.Equal($"http://localhost:{_listener.Url.Port}/jelou", _listener.Url.ToString());
            // A client resolving localhost may try ::1 first (Windows does); it must not wait for 127.0.0.1.
            var overV6 = new HttpRequestMessage(HttpMethod.Post, $"http://[::1]:{_listener.Url.Port}/jelou") { Content = new StringContent(Body) };
            overV6.Headers.TryAddWithoutValidation("X-Jelou-Signature", _signer.Sign(Encoding.UTF8.GetBytes(Body)));
            overV6.Headers.TryAddWithoutValidation("X-API-Key", "hook-key");
            // A tunnel (ngrok, cloudflared) passes on its public host name.
            overV6.Headers.Host = "abc123.ngrok-free.app";
            Task<HttpResponseMessage> sent = _http.SendAsync(overV6, _timeout.Token);
            WebhookRequest received = await _listener.ReceiveAsync(_timeout.Token);
            received.Answer(received.Delivery!.Verify(new[] { _signer }, _credential));
            using HttpResponseMessage response = await sent;

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Matches(@"^POST /jelou from \[::1\]:\d+$", received.ToString());
        }

        [Fact]
        public async Task An_https_sender_at_the_http_port_is_reported_with_what_to_change()
        {
            using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true };
            using var tls = new HttpClient(handler);
            Task<HttpResponseMessage> sent = tls.PostAsync($"https://localhost:{_listener.Url.Port}/jelou", new StringContent(Body), _timeout.Token);

            WebhookRequest refused = await _listener.ReceiveAsync(_timeout.Token);

            await Assert.ThrowsAsync<HttpRequestException>(() => sent);
            Assert.Null(refused.Delivery);
            Assert.Equal(0, refused.StatusCode);
            Assert.Matches(@"^Connection from (127\.0\.0\.1|\[::1\]):\d+$", refused.ToString());
            Assert.Contains("must start with http://", refused.Problem);
        }

        [Fact]
        public async Task A_request_that_dotnets_own_listener_refuses_is_reported_too()
        {
            using var tcp = new TcpClient();
            await tcp.ConnectAsync(IPAddress.Loopback, _listener.Url.Port, _timeout.Token);
            await tcp.GetStream().WriteAsync(Encoding.ASCII.GetBytes("POST /jelou HTTP/1.1\r\nHost: localhost\r\nContent-Length: twelve\r\n\r\n{}"), _timeout.Token);
            Task<string> answer = new StreamReader(tcp.GetStream(), Encoding.ASCII).ReadToEndAsync(_timeout.Token);

            WebhookRequest refused = await _listener.ReceiveAsync(_timeout.Token);

            Assert.StartsWith("HTTP/1.1 400", await answer);
            Assert.Equal(400, refused.StatusCode);
            Assert.Null(refused.Delivery);
            Assert.Contains(".NET's HTTP listener refused it", refused.Problem);
            Assert.EndsWith("Answered 400.", refused.Problem);
        }

        [Theory]
        [InlineData("POST /jelou HTTP/1.1\nHost: localhost\nContent-Length: 2\n\n{}", "400", "not one of an HTTP/1.1 or 1.0 request")]
        [InlineData("POST /jelou HTTP/1.1\r\nHost: localhost\nContent-Length: 2\r\n\r\n{}", "400", "not one of an HTTP/1.1 or 1.0 request")]
        [InlineData("post /jelou HTTP/1.1\r\nHost: localhost\r\nContent-Length: 2\r\n\r\n{}", "405", "post is not a delivery")]
        public async Task A_head_with_bare_line_ends_or_a_method_in_lower_case_is_answered_at_once(string raw, string status, string problem)
        {
            using var tcp = new TcpClient();
            await tcp.ConnectAsync(IPAddress.Loopback, _listener.Url.Port, _timeout.Token);
            await tcp.GetStream().WriteAsync(Encoding.ASCII.GetBytes(raw), _timeout.Token);
            string answer = await new StreamReader(tcp.GetStream(), Encoding.ASCII).ReadLineAsync(_timeout.Token) ?? "";

            WebhookRequest refused = await _listener.ReceiveAsync(_timeout.Token);

            Assert.StartsWith($"HTTP/1.1 {status}", answer);
            Assert.Null(refused.Delivery);
            Assert.Contains(problem, refused.Problem);
        }

        // A delivery sent after the given number of refusals were reported: they are taken first.
        private async Task<(int Status, WebhookRequest Request, WebhookVerdict? Verdict)> SendAsyncAfter(int refusals)
        {
            for (int i = 0; i < refusals; i++) Assert.Null((await _listener.ReceiveAsync(_timeout.Token)).Delivery);
            return await SendAsync(HttpMethod.Post, "/jelou", Body, _signer.Sign(Encoding.UTF8.GetBytes(Body)));
        }

        public void Dispose()
        {
            _listener.Dispose();
            _signer.Dispose();
            _http.Dispose();
            _timeout.Dispose();
        }
    }
}
