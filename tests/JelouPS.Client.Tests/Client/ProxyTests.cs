using System;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Text;
using System.Threading.Tasks;
using JelouPS.Emulator;
using JelouPS.Http;
using JelouPS.Tests.EmulatorContract;
using JelouPS.Webhooks;
using Xunit;
using static JelouPS.Tests.Client.TestClients;

namespace JelouPS.Tests.Client
{
    /// <summary>
    /// Requests through a proxy, against the tests' forward proxy. On .NET a WebProxy with BypassProxyOnLocal off (what
    /// ProxySettings.Through makes, as Invoke-RestMethod -Proxy does) carries loopback targets too, so the emulator is put at a
    /// loopback port that refuses connections and that only the proxy routes to it: a call that succeeds went through the proxy.
    /// An https call asks the proxy for a tunnel; TLS inside it cannot complete against the plain-http emulator, so those tests
    /// check what the proxy was asked and what it answered, not the API's answer.
    /// </summary>
    public sealed class ProxyTests : IClassFixture<EmulatorFixture>, IDisposable
    {
        private const string ProxyUser = "proxy-user";
        private const string ProxyPassword = "proxy-pass-Xq7";
        private static readonly Uri TunnelledBase = new Uri("https://jelou-emulator.test/jelouapi");

        private readonly JelouEmulator _emulator;
        private readonly ForwardProxy _proxy = ForwardProxy.Start();

        public ProxyTests(EmulatorFixture fixture)
        {
            _emulator = fixture.Emulator;
            _emulator.Shape = ResponseShape.Envelope;
        }

        public void Dispose() => _proxy.Dispose();

        private static string BasicValue => "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(ProxyUser + ":" + ProxyPassword));

        // No retries: each test counts what the proxy was asked; RetryTests cover retrying, and the last test here a proxy's part in it.
        private JelouClient Through(ProxySettings proxy, Uri? baseUri = null, int retries = 0) =>
            new JelouClient(new JelouClientOptions(new JelouApiKeyCredential(Secure(EmulatorOptions.DefaultApiKey)))
            {
                BaseUri = baseUri ?? _proxy.Hide(_emulator.GatewayUri),
                Timeout = TimeSpan.FromSeconds(10),
                MaximumRetryCount = retries,
                RetryInterval = TimeSpan.Zero,
                Proxy = proxy,
            });

        private static void AssertNoProxySecret(string text)
        {
            Assert.DoesNotContain(ProxyPassword, text);
            Assert.DoesNotContain(BasicValue.Substring("Basic ".Length), text);
        }

        [Fact]
        public async Task Requests_reach_a_server_only_the_proxy_can_reach()
        {
            Uri hidden = _proxy.Hide(_emulator.GatewayUri);
            string projectId = NewProjectId();
            using JelouClient proxied = Through(ProxySettings.Through(_proxy.Address), hidden);
            using JelouClient direct = Through(ProxySettings.None, hidden);

            ExternalSupportIntegration created = await proxied.CreateExternalSupportAsync(projectId, new ExternalSupportSettings { WebhookUrl = new Uri("https://crm.example.com/jelou") });
            var unreachable = await Assert.ThrowsAsync<JelouApiException>(() => direct.GetExternalSupportAsync(projectId));

            Assert.Equal(projectId, created.ProjectId);
            ProxiedRequest request = Assert.Single(_proxy.Requests);
            Assert.Equal("POST", request.Method);
            Assert.Equal($"{hidden.GetLeftPart(UriPartial.Path)}/v1/external-support/{projectId}", request.Target);
            Assert.Equal(JelouErrorKind.ConnectionFailed, unreachable.Kind);
        }

        [Fact]
        public async Task The_proxy_credential_answers_the_proxys_challenge_and_shows_in_no_trace()
        {
            _proxy.RequireBasic(ProxyUser, ProxyPassword);
            var trace = new RecordingTrace();
            using JelouClient client = Through(ProxySettings.Through(_proxy.Address, new NetworkCredential(ProxyUser, Secure(ProxyPassword))));

            await client.CreateExternalSupportAsync(NewProjectId(), new ExternalSupportSettings { WebhookUrl = new Uri("https://crm.example.com/jelou") }, trace);

            // .NET sends Basic only once challenged: the first try gets 407, the second carries the credential.
            Assert.Equal(new string?[] { null, BasicValue }, _proxy.Requests.Select(r => r.ProxyAuthorization));
            Assert.NotEmpty(trace.Lines);
            AssertNoProxySecret(string.Join("\n", trace.Lines));
        }

        [Theory]
        [InlineData(false, false, "No credential was given.")]
        [InlineData(true, false, "The credential given was refused.")]
        [InlineData(false, true, "The current user's sign-in was offered")]
        public async Task A_407_to_an_http_request_is_the_proxys_and_says_what_it_asks_for(bool wrongCredential, bool currentUser, string signIn)
        {
            _proxy.RequireBasic(ProxyUser, ProxyPassword);
            var credential = wrongCredential ? new NetworkCredential(ProxyUser, Secure("not-" + ProxyPassword)) : null;
            using JelouClient client = Through(ProxySettings.Through(_proxy.Address, credential, currentUser));

            var error = await Assert.ThrowsAsync<JelouApiException>(() => client.GetExternalSupportAsync(NewProjectId()));

            Assert.Equal(JelouErrorKind.ProxyAuthenticationRequired, error.Kind);
            Assert.Equal(HttpStatusCode.ProxyAuthenticationRequired, error.StatusCode);
            Assert.StartsWith($"The proxy {_proxy.Address.GetLeftPart(UriPartial.Authority)} answered 407 (Proxy Authentication Required) to the request for http://127.0.0.1:", error.Message);
            Assert.Contains("(it asks for Basic)", error.Message);
            Assert.Contains(signIn, error.Message);
            Assert.DoesNotContain("Jelou API", error.Message);
            AssertNoProxySecret(error.ToString());
        }

        [Fact]
        public async Task A_407_to_the_tunnel_of_an_https_request_is_the_proxys()
        {
            _proxy.RequireBasic(ProxyUser, ProxyPassword);
            using JelouClient client = Through(ProxySettings.Through(_proxy.Address), TunnelledBase);

            var error = await Assert.ThrowsAsync<JelouApiException>(() => client.GetExternalSupportAsync(NewProjectId()));

            Assert.Equal(JelouErrorKind.ProxyAuthenticationRequired, error.Kind);
            Assert.Equal(HttpStatusCode.ProxyAuthenticationRequired, error.StatusCode);
            Assert.Equal($"The proxy {_proxy.Address.GetLeftPart(UriPartial.Authority)} answered 407 (Proxy Authentication Required) when asked for a tunnel to jelou-emulator.test:443. No credential was given.", error.Message);
            Assert.Equal("CONNECT", Assert.Single(_proxy.Requests).Method);
        }

        [Fact]
        public async Task A_tunnel_the_proxy_refuses_is_the_proxys_failure_with_its_status()
        {
            using JelouClient client = Through(ProxySettings.Through(_proxy.Address), TunnelledBase);

            var error = await Assert.ThrowsAsync<JelouApiException>(() => client.GetExternalSupportAsync(NewProjectId()));

            Assert.Equal(JelouErrorKind.ProxyFailed, error.Kind);
            Assert.Equal(HttpStatusCode.BadGateway, error.StatusCode);
            Assert.Equal($"The proxy {_proxy.Address.GetLeftPart(UriPartial.Authority)} refused a tunnel to jelou-emulator.test:443: it answered 502.", error.Message);
            Assert.Null(error.InnerException);
        }

        [Fact]
        public async Task An_https_request_asks_the_proxy_for_a_tunnel_to_the_api_host_with_the_credential()
        {
            _proxy.RequireBasic(ProxyUser, ProxyPassword);
            _proxy.Route("jelou-emulator.test:443", _emulator.GatewayUri);
            using JelouClient client = Through(ProxySettings.Through(_proxy.Address, new NetworkCredential(ProxyUser, Secure(ProxyPassword))), TunnelledBase);

            // The tunnel opens; TLS inside it fails against the plain-http emulator, which is the server's side, not the proxy's.
            var error = await Assert.ThrowsAsync<JelouApiException>(() => client.GetExternalSupportAsync(NewProjectId()));

            Assert.Equal(new[] { "CONNECT jelou-emulator.test:443", "CONNECT jelou-emulator.test:443" }, _proxy.Requests.Select(r => r.Method + " " + r.Target));
            Assert.Equal(BasicValue, _proxy.Requests.Last().ProxyAuthorization);
            Assert.Equal(JelouErrorKind.ConnectionFailed, error.Kind);
            Assert.StartsWith("Could not reach https://jelou-emulator.test", error.Message);
        }

        [Fact]
        public async Task A_proxy_that_refuses_connections_is_named_not_the_api()
        {
            Uri closed = ClosedPort();
            using JelouClient client = Through(ProxySettings.Through(closed), TunnelledBase);

            var error = await Assert.ThrowsAsync<JelouApiException>(() => client.GetExternalSupportAsync(NewProjectId()));

            Assert.Equal(JelouErrorKind.ProxyFailed, error.Kind);
            Assert.Null(error.StatusCode);
            Assert.StartsWith($"Could not reach the proxy http://127.0.0.1:{closed.Port} for https://jelou-emulator.test: ", error.Message);
            Assert.IsType<SocketException>(error.InnerException);
        }

        [Fact]
        public async Task A_server_error_that_came_through_the_proxy_stays_the_servers()
        {
            string projectId = NewProjectId();
            _emulator.EnqueueFault(new EmulatorFault { PathContains = projectId, Status = 502, Body = "{\"message\":\"upstream down\"}" });
            using JelouClient client = Through(ProxySettings.Through(_proxy.Address));

            var error = await Assert.ThrowsAsync<JelouApiException>(() => client.GetExternalSupportAsync(projectId));

            Assert.Equal(JelouErrorKind.ServerError, error.Kind);
            Assert.StartsWith("The Jelou API answered 502", error.Message);
            Assert.Single(_proxy.Requests);
        }

        [Fact]
        public async Task Test_events_go_through_the_testers_proxy()
        {
            await using WebhookReceiver receiver = await WebhookReceiver.StartAsync();
            Uri hidden = _proxy.Hide(receiver.Url);
            using var tester = new WebhookTester(ProxySettings.Through(_proxy.Address));

            WebhookTestResult result = await tester.SendAsync(new TestEventRequest { WebhookUrl = hidden, SigningSecret = Secure("s") }, TimeSpan.FromSeconds(10));

            Assert.True(result.Succeeded);
            Assert.Equal("POST " + hidden, string.Join(",", _proxy.Requests.Select(r => r.Method + " " + r.Target)));
            Assert.Equal("test-project", (await receiver.NextAsync()).Json.GetProperty("project_id").GetString());
        }

        [Fact]
        public async Task A_proxy_failure_in_a_test_event_is_an_error_not_a_receivers_answer()
        {
            _proxy.RequireBasic(ProxyUser, ProxyPassword);
            using var tester = new WebhookTester(ProxySettings.Through(_proxy.Address));

            var error = await Assert.ThrowsAsync<JelouApiException>(() =>
                tester.SendAsync(new TestEventRequest { WebhookUrl = new Uri("http://127.0.0.1:9/hook"), SigningSecret = Secure("s") }, TimeSpan.FromSeconds(10)));

            Assert.Equal(JelouErrorKind.ProxyAuthenticationRequired, error.Kind);
        }

        [Fact]
        public void The_default_leaves_the_platforms_proxy_on_and_NoProxy_turns_every_proxy_off()
        {
            HttpClientHandler Inner(ProxySettings proxy) =>
                Assert.IsType<HttpClientHandler>(Assert.IsType<ProxyErrorHandler>(HandlerFactory.Create(proxy)).InnerHandler);

            HttpClientHandler platform = Inner(ProxySettings.Default);
            HttpClientHandler none = Inner(ProxySettings.None);
            HttpClientHandler given = Inner(ProxySettings.Through(new Uri("http://proxy.example.test:3128"), useDefaultCredentials: true));

            // UseProxy with no Proxy of its own is what makes HttpClient read HTTPS_PROXY/HTTP_PROXY or the system settings.
            Assert.True(platform.UseProxy);
            Assert.Null(platform.Proxy);
            Assert.False(none.UseProxy);
            Assert.True(given.UseProxy);
            var webProxy = Assert.IsType<WebProxy>(given.Proxy);
            Assert.Equal(new Uri("http://proxy.example.test:3128"), webProxy.Address);
            Assert.False(webProxy.BypassProxyOnLocal);
            Assert.True(webProxy.UseDefaultCredentials);
            Assert.All(new[] { platform, none, given }, handler => Assert.False(handler.AllowAutoRedirect));
        }

        [Fact]
        public void Settings_show_as_Default_None_or_the_proxys_address_only()
        {
            var withCredential = ProxySettings.Through(new Uri("http://proxy.example.test:3128/"), new NetworkCredential(ProxyUser, Secure(ProxyPassword)));

            Assert.Equal("Default", ProxySettings.Default.ToString());
            Assert.Equal("None", ProxySettings.None.ToString());
            Assert.Equal("http://proxy.example.test:3128", withCredential.ToString());
            Assert.Equal(new Uri("http://proxy.example.test:3128"), withCredential.Address);
        }

        [Theory]
        [InlineData("http://proxy-user:proxy-pass-Xq7@proxy.example.test:3128", "-ProxyCredential")]
        [InlineData("http://proxy-user@proxy.example.test:3128", "-ProxyCredential")]
        [InlineData("proxy-user:proxy-pass-Xq7@proxy.example.test:3128", "absolute http:// or https://")]
        [InlineData("socks5://proxy.example.test:1080", "absolute http:// or https://")]
        [InlineData("http://proxy.example.test:3128/proxy-pass-Xq7", "names the proxy only (http://proxy.example.test:3128)")]
        [InlineData("http://proxy.example.test:3128/?key=proxy-pass-Xq7", "no path, query or fragment")]
        [InlineData("http://proxy.example.test:3128/#proxy-pass-Xq7", "no path, query or fragment")]
        public void Bad_proxy_addresses_are_refused_without_repeating_what_may_be_a_password(string address, string expected)
        {
            var error = Assert.Throws<ArgumentException>(() => ProxySettings.Through(new Uri(address, UriKind.RelativeOrAbsolute)));

            Assert.Contains(expected, error.Message);
            Assert.DoesNotContain(ProxyPassword, error.Message);
        }

        [Fact]
        public async Task A_refused_tunnel_is_sent_again_as_nothing_reached_the_server_and_a_407_is_not()
        {
            using JelouClient refused = Through(ProxySettings.Through(_proxy.Address), TunnelledBase, retries: 2);
            await Assert.ThrowsAsync<JelouApiException>(() => refused.CreateExternalSupportAsync(NewProjectId(), new ExternalSupportSettings { WebhookUrl = new Uri("https://crm.example.com/jelou") }));
            int afterRefusals = _proxy.Requests.Count;
            _proxy.RequireBasic(ProxyUser, ProxyPassword);

            var error = await Assert.ThrowsAsync<JelouApiException>(() => refused.GetExternalSupportAsync(NewProjectId()));

            Assert.Equal(3, afterRefusals);
            Assert.Equal(JelouErrorKind.ProxyAuthenticationRequired, error.Kind);
            Assert.Equal(afterRefusals + 1, _proxy.Requests.Count);
        }

        [Fact]
        public void A_credential_and_the_current_users_exclude_each_other() =>
            Assert.Throws<ArgumentException>(() => ProxySettings.Through(_proxy.Address, new NetworkCredential(ProxyUser, Secure(ProxyPassword)), useDefaultCredentials: true));

        private static Uri ClosedPort()
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            int port = ((IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            return new Uri($"http://127.0.0.1:{port}");
        }
    }
}
