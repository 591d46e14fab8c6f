using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Text;
using JelouPS.Emulator;
using JelouPS.Security;
using JelouPS.Webhooks;
using Xunit;

namespace JelouPS.Tests
{
    /// <summary>
    /// -Proxy, -ProxyCredential, -ProxyUseDefaultCredentials and -NoProxy on Connect-Jelou and Send-JelouTestEvent, through the
    /// tests' forward proxy. The emulator sits at a loopback port that refuses connections and that only the proxy routes to
    /// it (.NET sends loopback requests through a given proxy), so a command that reaches it went through the proxy.
    /// </summary>
    public sealed class ProxyCmdletTests : HostedTest
    {
        private const string ProxyUser = "proxy-user";
        private const string ProxyPassword = "proxy-pass-Kw3";

        private readonly ForwardProxy _proxy = ForwardProxy.Start();

        public ProxyCmdletTests(EmulatorFixture fixture) : base(fixture, connect: false) { }

        public override void Dispose()
        {
            _proxy.Dispose();
            base.Dispose();
        }

        private static string BasicValue => Convert.ToBase64String(Encoding.UTF8.GetBytes(ProxyUser + ":" + ProxyPassword));

        private Dictionary<string, object> Variables(ForwardProxy? proxy = null) => new Dictionary<string, object>
        {
            ["key"] = EmulatorOptions.DefaultApiKey,
            ["proxy"] = (proxy ?? _proxy).Address,
            ["hidden"] = _proxy.Hide(Emulator.GatewayUri),
            ["credential"] = new PSCredential(ProxyUser, SecureStrings.FromString(ProxyPassword)),
        };

        private static void AssertNoProxySecret(Invocation result)
        {
            string text = result.AllText();
            Assert.DoesNotContain(ProxyPassword, text);
            Assert.DoesNotContain(BasicValue, text);
        }

        [Fact]
        public void Commands_go_through_the_connections_proxy_with_its_credential_which_no_stream_shows()
        {
            _proxy.RequireBasic(ProxyUser, ProxyPassword);

            Invocation result = Host.Invoke(
                "$VerbosePreference = $DebugPreference = 'Continue'\n" +
                "Connect-Jelou -ApiKey $key -BaseUri $hidden -Proxy $proxy -ProxyCredential $credential -PassThru\n" +
                "New-JelouExternalSupport p-proxied https://crm.example.com/jelou -Confirm:$false\n" +
                "Get-JelouContext", Variables());

            result.ThrowIfFailed();
            var context = Assert.IsType<JelouContext>(result.Output.Last().BaseObject);
            Assert.Equal(_proxy.Address.GetLeftPart(UriPartial.Authority), context.Proxy);
            Assert.Contains(result.Verbose, line => line.Contains("proxy: " + context.Proxy));
            Assert.Equal("Basic " + BasicValue, _proxy.Requests.Last().ProxyAuthorization);
            Assert.Equal("POST", _proxy.Requests.Last().Method);
            Assert.NotEmpty(result.Debug);
            AssertNoProxySecret(result);
        }

        [Theory]
        [InlineData("", "Default")]
        [InlineData("-NoProxy", "None")]
        public void The_context_shows_which_proxy_it_uses(string parameters, string shown)
        {
            Invocation result = Host.Invoke($"Connect-Jelou -ApiKey k -BaseUri https://gateway.example.test/jelouapi {parameters} -PassThru");

            var context = Assert.IsType<JelouContext>(result.ThrowIfFailed().Output.Single().BaseObject);
            Assert.Equal(shown, context.Proxy);
            Assert.Equal(shown, context.Client.Options.Proxy.ToString());
        }

        [Theory]
        [InlineData("-NoProxy -Proxy $proxy", "-NoProxy goes direct")]
        [InlineData("-NoProxy -ProxyUseDefaultCredentials", "-NoProxy goes direct")]
        [InlineData("-ProxyCredential $credential", "give -Proxy too")]
        [InlineData("-ProxyUseDefaultCredentials", "give -Proxy too")]
        [InlineData("-Proxy $proxy -ProxyCredential $credential -ProxyUseDefaultCredentials", "conflict")]
        public void Conflicting_proxy_parameters_are_refused_before_anything_is_set(string parameters, string message)
        {
            Invocation connect = Host.Invoke($"Connect-Jelou -ApiKey $key -BaseUri $hidden {parameters}", Variables());
            Invocation test = Host.Invoke($"Send-JelouTestEvent $hidden -SigningSecret s -Confirm:$false {parameters}", Variables());

            Assert.Equal("JelouInvalidArgument,JelouPS.Commands.ConnectJelouCommand", connect.Terminating?.FullyQualifiedErrorId);
            Assert.Contains(message, connect.Terminating!.Exception.Message);
            Assert.Equal("JelouInvalidArgument,JelouPS.Commands.SendJelouTestEventCommand", test.Terminating?.FullyQualifiedErrorId);
            Assert.Empty(Host.Invoke("Get-JelouContext").Output);
            Assert.Empty(_proxy.Requests);
        }

        [Fact]
        public void A_proxy_uri_with_a_password_fails_at_binding_without_echoing_it()
        {
            // The client's tests cover every rule of the address; this one checks that binding applies it.
            Invocation result = Host.Invoke("Connect-Jelou -ApiKey k -Proxy $args[0]", null, $"http://{ProxyUser}:{ProxyPassword}@proxy.example.test:3128");

            var error = Assert.IsAssignableFrom<ParameterBindingException>(result.Terminating?.Exception);
            Assert.Contains("give them with -ProxyCredential", error.Message);
            AssertNoProxySecret(result);
        }

        [Fact]
        public void A_407_is_the_proxys_error_and_ends_the_pipeline_as_bad_credentials_do()
        {
            _proxy.RequireBasic(ProxyUser, ProxyPassword);
            Host.Invoke("Connect-Jelou -ApiKey $key -BaseUri $hidden -Proxy $proxy", Variables()).ThrowIfFailed();

            Invocation result = Host.Invoke("'p1', 'p2' | Get-JelouExternalSupport");

            ErrorRecord error = result.Terminating!;
            Assert.Equal("JelouProxyAuthenticationRequired,JelouPS.Commands.GetJelouExternalSupportCommand", error.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.AuthenticationError, error.CategoryInfo.Category);
            Assert.StartsWith($"Project 'p1': The proxy {_proxy.Address.GetLeftPart(UriPartial.Authority)} answered 407", error.ErrorDetails.Message);
            Assert.Contains("-ProxyCredential", error.ErrorDetails.RecommendedAction);
            Assert.Contains("the proxy's log", error.ErrorDetails.RecommendedAction);
            Assert.Single(_proxy.Requests);
        }

        [Fact]
        public void An_unreachable_proxy_is_named_and_the_advice_is_about_the_proxy()
        {
            var closed = new Uri(_proxy.Address.GetLeftPart(UriPartial.Authority));
            _proxy.Dispose();
            Host.Invoke("Connect-Jelou -ApiKey k -BaseUri https://gateway.example.test/jelouapi -Proxy $args[0]", null, closed).ThrowIfFailed();

            Invocation result = Host.Invoke("Get-JelouExternalSupport p1");

            ErrorRecord error = result.SingleError();
            Assert.Equal("JelouProxyError,JelouPS.Commands.GetJelouExternalSupportCommand", error.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.ConnectionError, error.CategoryInfo.Category);
            Assert.StartsWith($"Project 'p1': Could not reach the proxy {closed.GetLeftPart(UriPartial.Authority)} for https://gateway.example.test: ", error.ErrorDetails.Message);
            Assert.Contains("-Proxy", error.ErrorDetails.RecommendedAction);
            // The request never reached Jelou: no "may have issued a secret" warning belongs to it.
            Assert.DoesNotContain("may have issued", error.ErrorDetails.Message);
        }

        [Fact]
        public void Test_events_use_their_own_proxy_parameters_else_the_connections_proxy()
        {
            using ForwardProxy other = ForwardProxy.Start();
            Dictionary<string, object> variables = Variables();
            var hook = new Uri((Uri)variables["hidden"], "/hooks/jelou");
            other.Route($"127.0.0.1:{hook.Port}", Emulator.BaseAddress);
            variables["other"] = other.Address;
            variables["hook"] = hook;
            Host.Invoke("Connect-Jelou -ApiKey $key -BaseUri $hidden -Proxy $proxy", variables).ThrowIfFailed();

            WebhookTestResult Send(string parameters) => (WebhookTestResult)Host.Invoke(
                $"Send-JelouTestEvent $hook -SigningSecret s -Confirm:$false -ErrorAction SilentlyContinue {parameters}", variables).Output.Single().BaseObject;

            // The emulator answers 404 to a webhook path: that answer came back through whichever proxy carried the event.
            Assert.Equal(404, Send("").StatusCode);
            Assert.Equal(new[] { "POST " + hook }, _proxy.Requests.Select(r => r.Method + " " + r.Target));
            Assert.Equal(404, Send("-Proxy $other").StatusCode);
            Assert.Single(other.Requests);
            WebhookTestResult direct = Send("-NoProxy");
            Assert.Null(direct.StatusCode);
            Assert.Contains("Could not reach", direct.Error);
            Assert.Single(_proxy.Requests);
            Assert.Single(other.Requests);
        }

        [Fact]
        public void A_proxy_that_refuses_a_test_event_is_the_proxys_error_not_the_receivers()
        {
            _proxy.RequireBasic(ProxyUser, ProxyPassword);

            Invocation result = Host.Invoke("Send-JelouTestEvent $hidden -SigningSecret s -Confirm:$false -Proxy $proxy", Variables());

            Assert.Empty(result.Output);
            Assert.Equal("JelouProxyAuthenticationRequired,JelouPS.Commands.SendJelouTestEventCommand", result.Terminating?.FullyQualifiedErrorId);
        }

        [Fact]
        public void Both_commands_offer_the_four_proxy_parameters()
        {
            foreach (string command in new[] { "Connect-Jelou", "Send-JelouTestEvent" })
            {
                var parameters = (Dictionary<string, ParameterMetadata>)Host.Invoke("(Get-Command $args[0]).Parameters", null, command).ThrowIfFailed().Output.Single().BaseObject;
                Assert.All(new[] { "Proxy", "ProxyCredential", "ProxyUseDefaultCredentials", "NoProxy" }, name => Assert.Contains(name, parameters.Keys));
            }
        }
    }
}
