using System;
using System.Globalization;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using JelouPS.Security;
using JelouPS.Webhooks;
using Xunit;

namespace JelouPS.Tests.Client
{
    /// <summary>
    /// With a certificate the receiver takes https only, on the address given, through its TLS front: deliveries come through
    /// with their sender's own address, whatever Host they name; what is not an https request to a path is refused and said why.
    /// </summary>
    public sealed class WebhookTlsListenerTests : IDisposable
    {
        private const string Body = "{\"event\":\"conversation.close\",\"timestamp\":1776134278574,\"project_id\":\"P\",\"room_id\":\"R\",\"reason\":\"closed_by_operator\"}";
        private static readonly X509Certificate2 Certificate = SelfSigned(DateTimeOffset.Now.AddDays(-1), DateTimeOffset.Now.AddDays(30));
        private readonly JelouSigner _signer = new JelouSigner(SecureStrings.FromString("listener-secret"));
        private readonly JelouWebhookListener _listener;
        private readonly HttpClient _trusting = new HttpClient(new HttpClientHandler { ServerCertificateCustomValidationCallback = (message, certificate, chain, errors) => true });
        private readonly CancellationTokenSource _timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        public WebhookTlsListenerTests()
        {
            _listener = new JelouWebhookListener(JelouWebhookListener.FreeLoopbackPort(), "/jelou", IPAddress.Loopback, Certificate);
            _listener.Start();
        }

        private static X509Certificate2 SelfSigned(DateTimeOffset notBefore, DateTimeOffset notAfter, params string[] usages)
        {
            using RSA key = RSA.Create(2048);
            var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            if (usages.Length > 0)
            {
                var oids = new OidCollection();
                foreach (string usage in usages) oids.Add(new Oid(usage));
                request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(oids, critical: false));
            }
            using X509Certificate2 created = request.CreateSelfSigned(notBefore, notAfter);
            return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pfx), null);
        }

        private string Signature => _signer.Sign(Encoding.UTF8.GetBytes(Body));

        private HttpRequestMessage Delivery(Uri url)
        {
            var message = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(Body, Encoding.UTF8, "application/json") };
            message.Headers.TryAddWithoutValidation("X-Jelou-Signature", Signature);
            return message;
        }

        // Takes the next request the listener read and answers a delivery as Receive-JelouWebhookEvent does.
        private async Task<WebhookRequest> TakeAsync()
        {
            WebhookRequest received = await _listener.ReceiveAsync(_timeout.Token);
            if (received.Delivery != null) received.Answer(received.Delivery.Verify(new[] { _signer }, null));
            return received;
        }

        // Sends raw bytes (over TLS unless plain) and reads the answer to its end: the connection carries one request.
        private async Task<string> SendRawAsync(string request, bool plain = false)
        {
            using var tcp = new TcpClient();
            await tcp.ConnectAsync(IPAddress.Loopback, _listener.Url.Port, _timeout.Token);
            Stream stream = tcp.GetStream();
            if (!plain)
            {
                var ssl = new SslStream(stream, false, (sender, certificate, chain, errors) => true);
                await ssl.AuthenticateAsClientAsync("localhost");
                stream = ssl;
            }
            using (stream)
            {
                await stream.WriteAsync(Encoding.Latin1.GetBytes(request), _timeout.Token);
                using var reader = new StreamReader(stream, Encoding.Latin1);
                return await reader.ReadToEndAsync(_timeout.Token);
            }
        }

        [Fact]
        public async Task A_delivery_over_https_is_answered_200_and_names_its_sender_not_the_front()
        {
            Assert.Equal($"https://localhost:{_listener.Url.Port}/jelou", _listener.Url.ToString());
            // One client, two deliveries: each connection carries one request, so the second comes on a new one.
            for (int i = 0; i < 2; i++)
            {
                Task<HttpResponseMessage> sent = _trusting.SendAsync(Delivery(_listener.Url), _timeout.Token);
                WebhookRequest request = await TakeAsync();
                using HttpResponseMessage response = await sent;

                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                Assert.Equal(200, request.StatusCode);
                Assert.Matches(@"^POST /jelou from 127\.0\.0\.1:\d+$", request.ToString());
                Assert.NotEqual(_listener.ListenerPort, int.Parse(request.Remote!.Split(':')[1]));
            }
        }

        [Fact]
        public async Task Any_Host_is_taken_and_the_body_arrives_as_sent()
        {
            string head = $"POST /jelou HTTP/1.1\r\nHost: crm.example.com\r\nConnection: keep-alive\r\nX-Jelou-Signature: {Signature}\r\nContent-Length: {Body.Length}\r\n\r\n";
            Task<string> answer = SendRawAsync(head + Body);
            WebhookRequest request = await TakeAsync();

            Assert.StartsWith("HTTP/1.1 200", await answer);
            Assert.Contains("Connection: close", await answer, StringComparison.OrdinalIgnoreCase);
            Assert.Equal(Body, Encoding.UTF8.GetString(request.Delivery!.Body));
            Assert.Equal(Signature, request.Delivery.Header("X-Jelou-Signature"));
        }

        [Fact]
        public async Task A_TLS_client_that_opens_with_an_alert_is_told_its_handshake_failed_not_that_it_sent_plain_http()
        {
            // What a client limited to TLS 1.0 sends to a server that offers nothing it can speak: a protocol_version alert.
            using var tcp = new TcpClient();
            await tcp.ConnectAsync(IPAddress.Loopback, _listener.Url.Port, _timeout.Token);
            await tcp.GetStream().WriteAsync(new byte[] { 0x15, 0x03, 0x01, 0x00, 0x02, 0x02, 0x46 }, _timeout.Token);
            tcp.Client.Shutdown(SocketShutdown.Send);

            WebhookRequest refused = await _listener.ReceiveAsync(_timeout.Token);

            Assert.Null(refused.Delivery);
            Assert.Contains("TLS handshake failed", refused.Problem);
        }

        [Fact]
        public async Task Plain_http_to_the_https_port_is_answered_400_and_said_why()
        {
            string answer = await SendRawAsync($"POST /jelou HTTP/1.1\r\nHost: localhost\r\nContent-Length: {Body.Length}\r\n\r\n{Body}", plain: true);
            WebhookRequest refused = await _listener.ReceiveAsync(_timeout.Token);

            Assert.StartsWith("HTTP/1.1 400", answer);
            Assert.Null(refused.Delivery);
            Assert.Equal(400, refused.StatusCode);
            Assert.Matches(@"^Connection from 127\.0\.0\.1:\d+$", refused.ToString());
            Assert.Contains("https://", refused.Problem);
        }

        [Fact]
        public async Task A_sender_that_does_not_trust_the_certificate_is_reported()
        {
            using var checking = new HttpClient();
            await Assert.ThrowsAsync<HttpRequestException>(() => checking.SendAsync(Delivery(_listener.Url), _timeout.Token));
            WebhookRequest refused = await _listener.ReceiveAsync(_timeout.Token);

            Assert.Equal(0, refused.StatusCode);
            Assert.Contains("trust the certificate", refused.Problem);
            Assert.EndsWith("Nothing could be answered.", refused.Problem);
        }

        [Theory]
        [InlineData("POST /jelou HTTP/1.1\r\nContent-Length: 0\r\n\r\n", "400")]
        [InlineData("POST ftp://localhost/jelou HTTP/1.1\r\nHost: localhost\r\n\r\n", "400")]
        [InlineData("POST /jelou HTTP/1.1\r\nHost: localhost\r\nX-A: b\r\n c\r\n\r\n", "400")]
        [InlineData("POST /jelou HTTP/1.1\r\nHost : localhost\r\n\r\n", "400")]
        [InlineData("POST /jelou HTTP/1.1\r\nX-A: b\nHost: other\r\n\r\n", "400")]
        [InlineData("POST /jelou HTTP/1.1\r\nHost: localhost\r\nHost: other\r\n\r\n", "400")]
        [InlineData("BIG", "431")]
        public async Task A_request_head_that_cannot_be_passed_on_exactly_is_refused(string head, string status)
        {
            if (head == "BIG") head = "POST /jelou HTTP/1.1\r\nX-Big: " + new string('a', ReceiverFront.MaxHeadBytes) + "\r\n\r\n";
            string answer = await SendRawAsync(head);
            WebhookRequest refused = await _listener.ReceiveAsync(_timeout.Token);

            Assert.StartsWith($"HTTP/1.1 {status}", answer);
            Assert.Equal(int.Parse(status), refused.StatusCode);
            Assert.Null(refused.Delivery);
        }

        [Fact]
        public async Task A_sender_that_breaks_off_mid_body_is_reported_at_once_not_after_the_body_timeout()
        {
            using var tcp = new TcpClient();
            await tcp.ConnectAsync(IPAddress.Loopback, _listener.Url.Port, _timeout.Token);
            var ssl = new SslStream(tcp.GetStream(), false, (sender, certificate, chain, errors) => true);
            await ssl.AuthenticateAsClientAsync("localhost");
            await ssl.WriteAsync(Encoding.ASCII.GetBytes("POST /jelou HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100\r\n\r\n{\"event\""), _timeout.Token);
            await ssl.FlushAsync(_timeout.Token);
            // Once the listener reads its body, the sender resets (a linger of zero sends RST).
            while (_listener.BeingRead == 0) await Task.Delay(10, _timeout.Token);
            tcp.Client.LingerState = new LingerOption(true, 0);
            tcp.Client.Close();

            var clock = System.Diagnostics.Stopwatch.StartNew();
            WebhookRequest refused = await _listener.ReceiveAsync(_timeout.Token);

            Assert.Equal(400, refused.StatusCode);
            Assert.True(clock.Elapsed < JelouWebhookListener.BodyTimeout, $"reported after {clock.Elapsed}");
        }

        [Fact]
        public async Task A_request_straight_to_the_loopback_port_behind_the_front_is_refused_403()
        {
            using var plain = new HttpClient();
            Task<HttpResponseMessage> sent = plain.SendAsync(Delivery(new Uri($"http://127.0.0.1:{_listener.ListenerPort}/jelou")), _timeout.Token);
            WebhookRequest refused = await TakeAsync();
            using HttpResponseMessage response = await sent;

            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            Assert.Null(refused.Delivery);
            Assert.Contains("port of the listener behind the receiver", refused.Problem);
        }

        /// <summary>
        /// A made-up relay id is no relay: the request is answered at once, not held until the receiver stops (when .NET's
        /// listener would answer it 200, a success the receiver never gave).
        /// </summary>
        [Fact]
        public async Task A_request_straight_to_the_port_behind_the_front_with_a_made_up_relay_id_is_answered_403_at_once()
        {
            using var plain = new HttpClient();
            HttpRequestMessage forged = Delivery(new Uri($"http://127.0.0.1:{_listener.ListenerPort}/jelou"));
            forged.Headers.TryAddWithoutValidation(ReceiverFront.RelayHeader, "made-up");
            Task<WebhookRequest> taken = TakeAsync();

            using HttpResponseMessage response = await plain.SendAsync(forged, _timeout.Token);

            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            Assert.False(taken.IsCompleted, "a request with no relay is not reported");
        }

        [Fact]
        public async Task A_delivery_read_but_not_taken_when_the_receiver_stops_is_answered_503_through_the_front()
        {
            Task<HttpResponseMessage> sent = _trusting.SendAsync(Delivery(_listener.Url), _timeout.Token);
            while (_listener.Waiting == 0) await Task.Delay(10, _timeout.Token);

            _listener.Dispose();

            using HttpResponseMessage response = await sent;
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            // Stopped: the port is free again.
            using var again = new JelouWebhookListener(_listener.Url.Port, "/jelou", IPAddress.Loopback, Certificate);
            again.Start();
        }

        [Fact]
        public void Beyond_loopback_http_is_refused_and_a_certificate_must_be_able_to_serve()
        {
            Assert.Equal("address", Assert.Throws<ArgumentException>(() => new JelouWebhookListener(8080, "/", IPAddress.Any, null)).ParamName);
            Assert.Equal("address", Assert.Throws<ArgumentException>(() => new JelouWebhookListener(8080, "/", IPAddress.Parse("192.0.2.1"), null)).ParamName);

            using var publicOnly = X509CertificateLoader.LoadCertificate(Certificate.RawData);
            ArgumentException noKey = Assert.Throws<ArgumentException>(() => new JelouWebhookListener(8080, "/", IPAddress.Any, publicOnly));
            Assert.Equal("certificate", noKey.ParamName);
            Assert.Contains("no private key", noKey.Message);
            using X509Certificate2 expired = SelfSigned(DateTimeOffset.Now.AddDays(-30), DateTimeOffset.Now.AddDays(-1));
            CultureInfo culture = CultureInfo.CurrentCulture;
            try
            {
                // A Buddhist-calendar culture: the date is still Gregorian, in UTC.
                CultureInfo.CurrentCulture = new CultureInfo("th-TH");
                Assert.Contains($"expired on {expired.NotAfter.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)}Z:",
                    Assert.Throws<ArgumentException>(() => new JelouWebhookListener(8080, "/", IPAddress.Any, expired)).Message);
            }
            finally
            {
                CultureInfo.CurrentCulture = culture;
            }
            using X509Certificate2 future = SelfSigned(DateTimeOffset.Now.AddDays(1), DateTimeOffset.Now.AddDays(30));
            Assert.Contains("valid only from", Assert.Throws<ArgumentException>(() => new JelouWebhookListener(8080, "/", IPAddress.Any, future)).Message);
            using X509Certificate2 clientOnly = SelfSigned(DateTimeOffset.Now.AddDays(-1), DateTimeOffset.Now.AddDays(30), "1.3.6.1.5.5.7.3.2");
            Assert.Contains("not for server authentication", Assert.Throws<ArgumentException>(() => new JelouWebhookListener(8080, "/", IPAddress.Any, clientOnly)).Message);
            using X509Certificate2 serverToo = SelfSigned(DateTimeOffset.Now.AddDays(-1), DateTimeOffset.Now.AddDays(30), "1.3.6.1.5.5.7.3.2", "1.3.6.1.5.5.7.3.1");
            using (new JelouWebhookListener(8080, "/", IPAddress.Any, serverToo)) { }
            foreach (string nowhere in new[] { "255.255.255.255", "224.0.0.1", "ff02::1" })
            {
                Assert.Contains("broadcast or multicast", Assert.Throws<ArgumentException>(() => new JelouWebhookListener(8080, "/", IPAddress.Parse(nowhere), Certificate)).Message);
            }
        }

        [Fact]
        public void The_URL_names_the_machine_on_all_addresses_and_any_other_address_as_given()
        {
            using var all = new JelouWebhookListener(8443, "/jelou", IPAddress.Any, Certificate);
            Assert.Equal($"https://{Dns.GetHostName().ToLowerInvariant()}:8443/jelou", all.Url.ToString());
            using var second = new JelouWebhookListener(8443, "/jelou", IPAddress.Parse("127.0.0.2"), Certificate);
            Assert.Equal("https://127.0.0.2:8443/jelou", second.Url.ToString());
            using var v6 = new JelouWebhookListener(8443, "/jelou", IPAddress.IPv6Loopback, Certificate);
            Assert.Equal("https://localhost:8443/jelou", v6.Url.ToString());
            // Over http, a loopback address given is the one listened on, and named as given.
            using var plain = new JelouWebhookListener(8080, "/jelou");
            Assert.Equal("http://localhost:8080/jelou", plain.Url.ToString());
            using var plainV4 = new JelouWebhookListener(8080, "/jelou", IPAddress.Loopback, null);
            Assert.Equal("http://127.0.0.1:8080/jelou", plainV4.Url.ToString());
            using var plainV6 = new JelouWebhookListener(8080, "/jelou", IPAddress.IPv6Loopback, null);
            Assert.Equal("http://[::1]:8080/jelou", plainV6.Url.ToString());
            using var mapped = new JelouWebhookListener(8080, "/jelou", IPAddress.Parse("::ffff:127.0.0.1"), null);
            Assert.Equal("http://127.0.0.1:8080/jelou", mapped.Url.ToString());
        }

        [Fact]
        public async Task On_every_IPv4_and_IPv6_address_an_IPv4_sender_is_named_by_its_IPv4_address()
        {
            using var dual = new JelouWebhookListener(JelouWebhookListener.FreeLoopbackPort(), "/jelou", IPAddress.IPv6Any, Certificate);
            dual.Start();
            Task<HttpResponseMessage> sent = _trusting.SendAsync(Delivery(new Uri($"https://127.0.0.1:{dual.Url.Port}/jelou")), _timeout.Token);
            WebhookRequest request = await dual.ReceiveAsync(_timeout.Token);
            request.Answer(request.Delivery!.Verify(new[] { _signer }, null));
            using HttpResponseMessage response = await sent;

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Matches(@"^POST /jelou from 127\.0\.0\.1:\d+$", request.ToString());
        }

        [Fact]
        public async Task A_connection_that_starts_TLS_and_stalls_is_cut_off_and_said_why_while_deliveries_go_on()
        {
            // Short, yet long enough for a loaded machine to finish a real handshake within it.
            using var listener = new JelouWebhookListener(JelouWebhookListener.FreeLoopbackPort(), "/jelou", IPAddress.Loopback, Certificate, TimeSpan.FromSeconds(1));
            listener.Start();
            using var idle = new TcpClient();
            await idle.ConnectAsync(IPAddress.Loopback, listener.Url.Port, _timeout.Token);
            using var stalled = new TcpClient();
            await stalled.ConnectAsync(IPAddress.Loopback, listener.Url.Port, _timeout.Token);
            await stalled.GetStream().WriteAsync(new byte[] { 0x16, 0x03, 0x01 }, _timeout.Token);

            Task<HttpResponseMessage> sent = _trusting.SendAsync(Delivery(new Uri($"https://localhost:{listener.Url.Port}/jelou")), _timeout.Token);
            WebhookRequest first = await listener.ReceiveAsync(_timeout.Token);
            WebhookRequest second = await listener.ReceiveAsync(_timeout.Token);

            // The delivery is not held up by either; the stalled handshake is reported when cut off, the idle connection never.
            WebhookRequest delivery = first.Delivery != null ? first : second;
            WebhookRequest refused = first.Delivery != null ? second : first;
            delivery.Answer(delivery.Delivery!.Verify(new[] { _signer }, null));
            using HttpResponseMessage response = await sent;
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Contains("did not finish its TLS handshake", refused.Problem);
            Assert.Equal(0, listener.Waiting);
        }

        public void Dispose()
        {
            _listener.Dispose();
            _trusting.Dispose();
            _timeout.Dispose();
        }
    }
}
