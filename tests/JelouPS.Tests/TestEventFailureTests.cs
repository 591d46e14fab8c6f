using System;
using System.Linq;
using System.Management.Automation;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using JelouPS.Emulator;
using Xunit;

namespace JelouPS.Tests
{
    /// <summary>
    /// Send-JelouTestEvent against receivers that fail in the ways receivers do: each failure is JelouTestEventFailed with
    /// advice that fits how it failed, and a 2xx whose answer never ends is a failure, not a success.
    /// </summary>
    public sealed class TestEventFailureTests : HostedTest
    {
        public TestEventFailureTests(EmulatorFixture fixture) : base(fixture, connect: false) { }

        [Theory]
        [InlineData("HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n", 401, "verifies X-Jelou-Signature over the raw body")]
        [InlineData("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n", 403, "whether it expects a credential, which -AuthType and -WebhookAuthorization give")]
        [InlineData("HTTP/1.1 302 Found\r\nLocation: https://crm.example.com/new\r\nContent-Length: 0\r\n\r\n", 302, "the URL that answers itself")]
        [InlineData("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n", 404, "Check the path of -WebhookUrl")]
        [InlineData("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n", 400, "reads the raw body as JSON")]
        [InlineData("HTTP/1.1 408 Request Timeout\r\nContent-Length: 0\r\n\r\n", 408, "read the whole body at once")]
        [InlineData("HTTP/1.1 413 Payload Too Large\r\nContent-Length: 0\r\n\r\n", 413, "bodies of at least 1 MB")]
        [InlineData("HTTP/1.1 429 Too Many Requests\r\nRetry-After: 7\r\nContent-Length: 0\r\n\r\n", 429, "limiting requests")]
        [InlineData("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n", 503, "its own log says why")]
        [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nabc", 200, "a sender waits for the whole answer")]
        public void A_failed_test_event_gets_advice_for_how_it_failed(string answer, int status, string advice)
        {
            using var receiver = new RawReceiver(answer);

            Invocation result = Host.Invoke("Send-JelouTestEvent $args[0] -SigningSecret 'test-secret' -TimeoutSec 1", null, receiver.Url);

            PSObject sent = Assert.Single(result.Output);
            Assert.Equal(status, (int?)sent.Properties["StatusCode"].Value);
            Assert.False((bool)sent.Properties["Succeeded"].Value);
            ErrorRecord error = result.SingleError();
            Assert.Equal("JelouTestEventFailed,JelouPS.Commands.SendJelouTestEventCommand", error.FullyQualifiedErrorId);
            Assert.Contains(advice, error.ErrorDetails.RecommendedAction);
        }

        [Fact]
        public void A_test_event_over_1_MB_answered_413_is_told_to_test_with_a_shorter_text_not_to_raise_the_limit()
        {
            using var receiver = new RawReceiver("HTTP/1.1 413 Payload Too Large\r\nContent-Length: 0\r\n\r\n");

            Invocation result = Host.Invoke("Send-JelouTestEvent $args[0] -SigningSecret 'test-secret' -Text ('x' * 1100000) -TimeoutSec 10", null, receiver.Url);

            Assert.Matches(@"^This test event was 1,1\d\d,\d\d\d bytes, more than the 1 MB a receiver is asked to take: test with a shorter -Text", result.SingleError().ErrorDetails.RecommendedAction);
        }

        /// <summary>A receiver that refuses a body's size may close the connection before reading it: the send then breaks.</summary>
        [Fact]
        public async Task A_test_event_over_1_MB_whose_receiver_breaks_the_connection_while_it_is_sent_is_told_to_test_with_a_shorter_text()
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            string url = $"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/hook";
            Task refusing = Task.Run(async () =>
            {
                using TcpClient client = await listener.AcceptTcpClientAsync();
                NetworkStream stream = client.GetStream();
                var head = new StringBuilder();
                var buffer = new byte[1];
                while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal) && await stream.ReadAsync(buffer) > 0) head.Append((char)buffer[0]);
                // Reset: the sender's write breaks before any answer is read (a 413 written first may or may not be read).
                client.Client.Close(0);
            });
            try
            {
                Invocation result = Host.Invoke("Send-JelouTestEvent $args[0] -SigningSecret 'test-secret' -Text ('x' * 1100000) -TimeoutSec 10", null, url);

                Assert.Matches(@"^This test event was 1,1\d\d,\d\d\d bytes, more than the 1 MB a receiver is asked to take: test with a shorter -Text", result.SingleError().ErrorDetails.RecommendedAction);
            }
            finally
            {
                listener.Stop();
                await refusing.WaitAsync(TimeSpan.FromSeconds(10));
            }
        }

        [Fact]
        public void A_receiver_that_takes_the_event_and_never_answers_is_told_to_answer_first()
        {
            using var receiver = new RawReceiver("");

            Invocation result = Host.Invoke("Send-JelouTestEvent $args[0] -SigningSecret 'test-secret' -TimeoutSec 1", null, receiver.Url);

            Assert.Null(Assert.Single(result.Output).Properties["StatusCode"].Value);
            Assert.StartsWith("The receiver took the event but gave no answer in time", result.SingleError().ErrorDetails.RecommendedAction);
        }

        [Fact]
        public void A_signing_secret_read_with_its_line_break_signs_the_test_event_without_it()
        {
            using var receiver = new RawReceiver("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");

            Invocation result = Host.Invoke("Send-JelouTestEvent $args[0] -SigningSecret \"test-secret`r`n\" -TimeoutSec 5", null, receiver.Url);

            Assert.True((bool)Assert.Single(result.ThrowIfFailed().Output).Properties["Succeeded"].Value);
            Assert.Equal("The signing secret has a space or line break around it (a copy read from a file often does): it is used without them, as Jelou issued it.", Assert.Single(result.Warnings));
            Assert.True(JelouPS.Webhooks.JelouSignature.Verify(System.Text.Encoding.UTF8.GetBytes((string)result.Output[0].Properties["Payload"].Value),
                receiver.Signature, JelouPS.Security.SecureStrings.FromString("test-secret")));
        }

        [Fact]
        public void A_receiver_that_is_not_there_gets_the_usual_advice()
        {
            var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            int port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();

            Invocation result = Host.Invoke("Send-JelouTestEvent $args[0] -SigningSecret 'test-secret' -TimeoutSec 5", null, $"http://127.0.0.1:{port}/hook");

            Assert.Equal("Check that the receiver is running at -WebhookUrl and answers 2xx to a correctly signed event.", result.SingleError().ErrorDetails.RecommendedAction);
        }

        /// <summary>Answers one request with the given bytes, then holds the connection open until disposed (a stalled answer).</summary>
        private sealed class RawReceiver : IDisposable
        {
            private readonly TcpListener _listener = new TcpListener(IPAddress.Loopback, 0);
            private readonly CancellationTokenSource _done = new CancellationTokenSource();

            internal RawReceiver(string answer)
            {
                _listener.Start();
                Url = $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/hook";
                _ = ServeAsync(Encoding.ASCII.GetBytes(answer));
            }

            internal string Url { get; }

            /// <summary>The X-Jelou-Signature of the request answered.</summary>
            internal string? Signature { get; private set; }

            private async Task ServeAsync(byte[] answer)
            {
                using TcpClient client = await _listener.AcceptTcpClientAsync(_done.Token);
                NetworkStream stream = client.GetStream();
                var request = new StringBuilder();
                var buffer = new byte[8192];
                // The whole request: its head, then as many bytes as its Content-Length says.
                while (true)
                {
                    int read = await stream.ReadAsync(buffer, _done.Token);
                    if (read == 0) return;
                    request.Append(Encoding.ASCII.GetString(buffer, 0, read));
                    string text = request.ToString();
                    int headEnd = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
                    if (headEnd < 0) continue;
                    string length = text.Substring(0, headEnd).Split("\r\n").First(line => line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase)).Substring(15).Trim();
                    if (text.Length - headEnd - 4 < int.Parse(length, System.Globalization.CultureInfo.InvariantCulture)) continue;
                    Signature = text.Substring(0, headEnd).Split("\r\n").FirstOrDefault(line => line.StartsWith("X-Jelou-Signature:", StringComparison.OrdinalIgnoreCase))?.Substring(18).Trim();
                    break;
                }
                await stream.WriteAsync(answer, _done.Token);
                try
                {
                    await Task.Delay(Timeout.Infinite, _done.Token);
                }
                catch (OperationCanceledException)
                {
                }
            }

            public void Dispose()
            {
                _done.Cancel();
                _listener.Stop();
            }
        }
    }
}
