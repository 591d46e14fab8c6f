using System;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using JelouPS.Webhooks;
using Xunit;

namespace JelouPS.Tests.Client
{
    /// <summary>
    /// The front passes on only the answers the receiver gave: .NET's managed HttpListener answers 200 by itself to the
    /// requests it holds when it closes, and a 200 nobody wrote an event for would lose that event for good.
    /// </summary>
    public sealed class ReceiverFrontTests : IDisposable
    {
        private readonly CancellationTokenSource _timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        private readonly TcpListener _inner = new TcpListener(IPAddress.Loopback, 0);
        private readonly ReceiverFront _front;
        private readonly int _port = JelouWebhookListener.FreeLoopbackPort();
        private (string Sender, int Status, string Problem)? _refusal;

        public ReceiverFrontTests()
        {
            _inner.Start();
            _front = new ReceiverFront(null, TimeSpan.FromSeconds(10), (sender, status, problem) => _refusal = (sender, status, problem));
            _front.Bind(null, _port);
            _front.Start(((IPEndPoint)_inner.LocalEndpoint).Port, "127.0.0.1");
        }

        // Sends a request through the front while a stand-in for the listener answers it with the given status line,
        // after doing to the request what the receiver does; returns what the sender got.
        private async Task<string> ExchangeAsync(string statusLine, Action<RelayedRequest?> receiver)
        {
            using var sender = new TcpClient();
            await sender.ConnectAsync(IPAddress.Loopback, _port, _timeout.Token);
            await sender.GetStream().WriteAsync(Encoding.ASCII.GetBytes("POST /jelou HTTP/1.1\r\nHost: localhost\r\nContent-Length: 2\r\n\r\n{}"), _timeout.Token);
            using (TcpClient listenerSide = await _inner.AcceptTcpClientAsync(_timeout.Token))
            {
                // As the listener does, the request is read before it is answered, and found by its relay id.
                RelayedRequest? relayed = await ReadHeadAsync(listenerSide.GetStream());
                receiver(relayed);
                if (statusLine.Length > 0) await listenerSide.GetStream().WriteAsync(Encoding.ASCII.GetBytes($"{statusLine}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"), _timeout.Token);
            }
            return await new StreamReader(sender.GetStream(), Encoding.ASCII).ReadToEndAsync(_timeout.Token);
        }

        // Reads a request head as the listener does; the request the front passed on, found by the relay id it added.
        private async Task<RelayedRequest?> ReadHeadAsync(Stream stream)
        {
            var reader = new StreamReader(stream, Encoding.ASCII);
            string? relayId = null;
            string? line;
            while ((line = await reader.ReadLineAsync(_timeout.Token))!.Length > 0)
            {
                if (line.StartsWith(ReceiverFront.RelayHeader + ": ", StringComparison.Ordinal)) relayId = line.Substring(ReceiverFront.RelayHeader.Length + 2);
            }
            return _front.Find(relayId);
        }

        [Fact]
        public async Task A_200_the_receiver_gave_passes_through()
        {
            string answer = await ExchangeAsync("HTTP/1.1 200 OK", relayed =>
            {
                relayed!.Acknowledge();
                relayed.Answer();
            });

            Assert.StartsWith("HTTP/1.1 200 OK", answer);
            Assert.Null(_refusal);
        }

        [Fact]
        public async Task A_200_the_receiver_did_not_give_goes_out_as_503()
        {
            Assert.StartsWith("HTTP/1.1 503", await ExchangeAsync("HTTP/1.1 200 OK", relayed => relayed!.Answer()));
            Assert.StartsWith("HTTP/1.1 503", await ExchangeAsync("HTTP/1.1 200 OK", _ => { }));
            // However it is written.
            Assert.StartsWith("HTTP/1.1 503", await ExchangeAsync("HTTP/1.1 200", _ => { }));
        }

        [Theory]
        [InlineData("")]
        [InlineData("HTTP/1.1 100 Continue\r\n")]
        [InlineData("not HTTP")]
        public async Task No_final_answer_goes_out_as_503_unless_the_receiver_acknowledged_the_event(string statusLine)
        {
            Assert.StartsWith("HTTP/1.1 503", await ExchangeAsync(statusLine, _ => { }));
            Assert.Null(_refusal);
        }

        [Fact]
        public async Task The_receivers_own_refusal_passes_through_and_is_not_reported_twice()
        {
            RelayedRequest? refused = null;
            Assert.StartsWith("HTTP/1.1 404 Not Found", await ExchangeAsync("HTTP/1.1 404 Not Found", relayed => (refused = relayed)!.Answer()));
            Assert.Null(_refusal);
            Assert.True(refused!.ClaimReport());
        }

        [Fact]
        public async Task An_answer_to_a_request_the_receiver_never_read_is_reported_as_the_frameworks()
        {
            Assert.StartsWith("HTTP/1.1 400 Bad Request", await ExchangeAsync("HTTP/1.1 400 Bad Request", _ => { }));
            Assert.Equal(400, _refusal!.Value.Status);
            Assert.Matches(@"^127\.0\.0\.1:\d+$", _refusal.Value.Sender);
            Assert.Contains(".NET's HTTP listener refused it", _refusal.Value.Problem);
        }

        [Fact]
        public async Task A_request_the_framework_answered_and_still_handed_over_is_reported_once()
        {
            // .NET's managed listener answers a POST of no length 411 itself, then hands it to the receiver as well.
            RelayedRequest? both = null;
            Assert.StartsWith("HTTP/1.1 411", await ExchangeAsync("HTTP/1.1 411 Length Required", relayed => both = relayed));
            Assert.Contains("no Content-Length", _refusal!.Value.Problem);
            Assert.False(both!.ClaimReport());
        }

        [Fact]
        public void The_head_passes_on_byte_for_byte_but_for_Host_and_Connection()
        {
            byte[] head = Encoding.Latin1.GetBytes("POST /jelou?x=1 HTTP/1.1\r\nhost: a.example\r\nX-Jelou-Signature: abc\r\nCONNECTION: keep-alive\r\nx-jeloups-relay: forged\r\nX-Raw: \u00ff\u0080\r\n\r\n");

            byte[]? rewritten = ReceiverFront.Rewrite(head, head.Length, "127.0.0.1:5000", "r1", out bool continueExpected);

            // A sender's own relay id is taken out: only the front names relays.
            Assert.Equal("POST /jelou?x=1 HTTP/1.1\r\nX-Jelou-Signature: abc\r\nX-Raw: \u00ff\u0080\r\nHost: 127.0.0.1:5000\r\nX-JelouPS-Relay: r1\r\nConnection: close\r\n\r\n", Encoding.Latin1.GetString(rewritten!));
            Assert.False(continueExpected);
        }

        [Fact]
        public void An_absolute_form_target_is_passed_on_as_its_path_and_query()
        {
            byte[] head = Encoding.Latin1.GetBytes("POST https://crm.example.com/jelou?x=1 HTTP/1.1\r\nHost: crm.example.com\r\n\r\n");

            Assert.Equal("POST /jelou?x=1 HTTP/1.1\r\nHost: 127.0.0.1:5000\r\nX-JelouPS-Relay: r1\r\nConnection: close\r\n\r\n", Encoding.Latin1.GetString(ReceiverFront.Rewrite(head, head.Length, "127.0.0.1:5000", "r1", out _)!));
        }

        // RFC 9112 §2.2: a server ignores at least one empty line before the request line; a line of blanks is no empty line.
        [Theory]
        [InlineData("\r\n", false)]
        [InlineData("\r\n\r\n\r\n", false)]
        [InlineData(" \r\n", true)]
        public void Empty_lines_before_the_request_line_are_ignored(string before, bool refused)
        {
            byte[] head = Encoding.Latin1.GetBytes(before + "POST /jelou HTTP/1.1\r\nHost: crm.example.com\r\n\r\n");

            byte[]? rewritten = ReceiverFront.Rewrite(head, head.Length, "127.0.0.1:5000", "r1", out _);

            Assert.Equal(refused, rewritten is null);
            if (!refused) Assert.StartsWith("POST /jelou HTTP/1.1\r\nHost: 127.0.0.1:5000\r\n", Encoding.Latin1.GetString(rewritten!));
        }

        [Theory]
        [InlineData("Transfer-Encoding: gzip\r\n", true)]
        [InlineData("Transfer-Encoding: gzip, chunked\r\n", true)]
        [InlineData("Transfer-Encoding: chunked\r\nContent-Length: 2\r\n", true)]
        [InlineData("Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n", true)]
        [InlineData("Transfer-Encoding: Chunked\r\n", false)]
        [InlineData("Content-Length: 2\r\nContent-Length: 2\r\n", false)]
        [InlineData("Host: crm.example.com\r\n", true)]
        public void A_head_that_could_be_read_two_ways_is_refused_and_a_plain_one_passes(string headers, bool refused)
        {
            byte[] head = Encoding.Latin1.GetBytes($"POST /jelou HTTP/1.1\r\nHost: crm.example.com\r\n{headers}\r\n");

            Assert.Equal(refused, ReceiverFront.Rewrite(head, head.Length, "127.0.0.1:5000", "r1", out _) is null);
        }

        /// <summary>
        /// A signature or credential on several lines is passed on as one line, its values joined as HTTP joins a repeated
        /// header, so that the listener reads what ConvertFrom-JelouWebhookEvent reads: a proxy's repeat of the same value is
        /// that value, and values that differ verify as none (JelouSignature.Verify, WebhookCredential.IsPresentedBy).
        /// </summary>
        [Theory]
        [InlineData("X-Jelou-Signature: sha256=0a\r\nx-jelou-signature:  sha256=0a\r\n", "X-Jelou-Signature: sha256=0a\r\n")]
        [InlineData("Authorization: Bearer a\r\nAuthorization: Bearer a\r\n", "Authorization: Bearer a\r\n")]
        [InlineData("X-Jelou-Signature: sha256=0a, sha256=0a\r\nX-Jelou-Signature: sha256=0A\r\n", "X-Jelou-Signature: sha256=0a, sha256=0a, sha256=0A\r\n")]
        [InlineData("X-Jelou-Signature: sha256=00\r\nx-jelou-signature: sha256=01\r\n", "X-Jelou-Signature: sha256=00, sha256=01\r\n")]
        [InlineData("Authorization: Bearer a\r\nAUTHORIZATION: Bearer b\r\n", "Authorization: Bearer a, Bearer b\r\n")]
        [InlineData("X-API-Key: a\r\nContent-Type: application/json\r\nX-API-Key: b\r\n", "X-API-Key: a, b\r\nContent-Type: application/json\r\n")]
        public void A_signature_or_credential_on_several_lines_is_passed_on_as_one_line_of_its_values(string headers, string passed)
        {
            byte[] head = Encoding.Latin1.GetBytes($"POST /jelou HTTP/1.1\r\nHost: crm.example.com\r\n{headers}\r\n");

            Assert.Equal($"POST /jelou HTTP/1.1\r\n{passed}Host: 127.0.0.1:5000\r\nX-JelouPS-Relay: r1\r\nConnection: close\r\n\r\n",
                Encoding.Latin1.GetString(ReceiverFront.Rewrite(head, head.Length, "127.0.0.1:5000", "r1", out _)!));
        }

        [Theory]
        [InlineData("HTTP/1.1", "100-continue", true)]
        [InlineData("HTTP/1.1", " 100-Continue ", true)]
        [InlineData("HTTP/1.0", "100-continue", false)]
        public void Expect_100_continue_is_answered_by_the_front_not_passed_on(string version, string expect, bool answered)
        {
            byte[] head = Encoding.Latin1.GetBytes($"POST /jelou {version}\r\nHost: crm.example.com\r\nExpect:{expect}\r\n\r\n");

            byte[]? rewritten = ReceiverFront.Rewrite(head, head.Length, "127.0.0.1:5000", "r1", out bool continueExpected);

            Assert.Equal(answered, continueExpected);
            Assert.DoesNotContain("Expect", Encoding.Latin1.GetString(rewritten!));
        }

        [Fact]
        public async Task A_sender_waiting_for_100_Continue_gets_it_and_then_only_the_receivers_answer()
        {
            using var sender = new TcpClient();
            await sender.ConnectAsync(IPAddress.Loopback, _port, _timeout.Token);
            NetworkStream stream = sender.GetStream();
            await stream.WriteAsync(Encoding.ASCII.GetBytes("POST /jelou HTTP/1.1\r\nHost: localhost\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n"), _timeout.Token);
            var reader = new StreamReader(stream, Encoding.ASCII);
            Assert.Equal("HTTP/1.1 100 Continue", await reader.ReadLineAsync(_timeout.Token));
            Assert.Equal("", await reader.ReadLineAsync(_timeout.Token));
            await stream.WriteAsync(Encoding.ASCII.GetBytes("{}"), _timeout.Token);

            using TcpClient listenerSide = await _inner.AcceptTcpClientAsync(_timeout.Token);
            var forwarded = new StreamReader(listenerSide.GetStream(), Encoding.ASCII);
            string? line;
            string? relayId = null;
            while ((line = await forwarded.ReadLineAsync(_timeout.Token))!.Length > 0)
            {
                Assert.DoesNotContain("Expect", line);
                if (line.StartsWith(ReceiverFront.RelayHeader, StringComparison.Ordinal)) relayId = line.Substring(ReceiverFront.RelayHeader.Length + 2);
            }
            var body = new char[2];
            Assert.Equal(2, await forwarded.ReadBlockAsync(body, _timeout.Token));
            Assert.Equal("{}", new string(body));
            _front.Find(relayId)!.Acknowledge();
            _front.Find(relayId)!.Answer();
            await listenerSide.GetStream().WriteAsync(Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"), _timeout.Token);
            listenerSide.Close();

            Assert.StartsWith("HTTP/1.1 200 OK", await reader.ReadToEndAsync(_timeout.Token));
            Assert.Null(_refusal);
        }

        [Fact]
        public async Task An_empty_line_sent_before_the_request_line_is_skipped_not_taken_for_the_end_of_the_head()
        {
            using var sender = new TcpClient();
            await sender.ConnectAsync(IPAddress.Loopback, _port, _timeout.Token);
            await sender.GetStream().WriteAsync(Encoding.ASCII.GetBytes("\r\nPOST /jelou HTTP/1.1\r\nHost: localhost\r\nContent-Length: 2\r\n\r\n{}"), _timeout.Token);

            using TcpClient listenerSide = await _inner.AcceptTcpClientAsync(_timeout.Token);
            var forwarded = new StreamReader(listenerSide.GetStream(), Encoding.ASCII);

            Assert.Equal("POST /jelou HTTP/1.1", await forwarded.ReadLineAsync(_timeout.Token));
            Assert.Null(_refusal);
        }

        public void Dispose()
        {
            _front.Dispose();
            _inner.Stop();
            _timeout.Dispose();
        }
    }
}
