using System;
using System.Linq;
using System.Management.Automation;
using JelouPS.Emulator;
using Xunit;

namespace JelouPS.Tests
{
    public sealed class ConnectionTests : HostedTest
    {

        public ConnectionTests(EmulatorFixture fixture) : base(fixture, connect: false) { }

        [Fact]
        public void A_plain_string_api_key_is_accepted_and_never_shown()
        {
            Invocation result = Host.Invoke("Connect-Jelou -ApiKey 'plain-key-value' -BaseUri https://gateway.example.test/jelouapi -PassThru -Verbose; Get-JelouContext");

            result.ThrowIfFailed();
            Assert.Equal(2, result.Output.Count);
            var context = Assert.IsType<JelouContext>(result.Output[1].BaseObject);
            Assert.Equal("ApiKey", context.AuthenticationType);
            Assert.Equal(new Uri("https://gateway.example.test/jelouapi"), context.BaseUri);
            Assert.Equal(JelouClientOptions.DefaultChatbotUri, context.ChatbotUri);
            Assert.Null(context.ClientId);
            Assert.DoesNotContain("plain-key-value", result.AllText());
        }

        [Fact]
        public void A_connection_that_crossed_into_another_process_is_refused_with_what_to_do_instead()
        {
            // What Start-Job's $using: or Receive-Job gives back: a property bag, without the credential.
            Invocation result = Host.Invoke(
                "Connect-Jelou -ApiKey k -BaseUri https://gateway.example.test/jelouapi; " +
                "$crossed = [System.Management.Automation.PSSerializer]::Deserialize([System.Management.Automation.PSSerializer]::Serialize((Get-JelouContext))); " +
                "Get-JelouExternalSupport p1 -Context $crossed");

            ErrorRecord error = result.Terminating ?? result.SingleError();
            Assert.Equal("ParameterArgumentTransformationError,JelouPS.Commands.GetJelouExternalSupportCommand", error.FullyQualifiedErrorId);
            Assert.Contains("made in another process", error.Exception.Message);
            Assert.Contains("Run Connect-Jelou in the job itself", error.Exception.Message);
        }

        [Fact]
        public void The_default_base_uri_is_the_production_gateway()
        {
            JelouContext context = (JelouContext)Host.Invoke("Connect-Jelou -ApiKey k -PassThru").ThrowIfFailed().Output[0].BaseObject;

            Assert.Equal(new Uri("https://gateway.jelou.ai/jelouapi"), context.BaseUri);
            Assert.Equal(TimeSpan.FromSeconds(30), context.Timeout);
        }

        [Fact]
        public void A_credential_connects_with_client_id_and_secret()
        {
            Invocation result = Host.Invoke(
                "$c = [pscredential]::new('client-7', (ConvertTo-SecureString 'client-secret-value' -AsPlainText -Force)); Connect-Jelou -Credential $c -PassThru");

            var context = Assert.IsType<JelouContext>(result.ThrowIfFailed().Output.Single().BaseObject);
            Assert.Equal("ClientCredential", context.AuthenticationType);
            Assert.Equal("client-7", context.ClientId);
            Assert.DoesNotContain("client-secret-value", result.AllText());
        }

        [Fact]
        public void Client_credentials_given_by_position_connect_with_a_warning_that_says_where_they_go()
        {
            // Connect-Jelou $credential binds to -ApiKey (position 0), which takes a PSCredential's password (a vault's login item
            // may hold the key): the client secret goes as x-api-key and the client id nowhere, and the warning says so.
            Invocation positional = Host.Invoke(
                "$c = [pscredential]::new('client-7', (ConvertTo-SecureString 'client-secret-value' -AsPlainText -Force)); Connect-Jelou $c -PassThru");
            Invocation key = Host.Invoke(
                "$c = [pscredential]::new('client-7', (ConvertTo-SecureString 'api-key-value' -AsPlainText -Force)); Connect-Jelou -ApiKey $c.Password -PassThru");

            Assert.Equal("ApiKey", Assert.IsType<JelouContext>(positional.ThrowIfFailed().Output.Single().BaseObject).AuthenticationType);
            Assert.StartsWith("-ApiKey was given a PSCredential (user name 'client-7'): its password is sent as the API key. If it holds client credentials (a client id and its secret), connect with -Credential instead",
                Assert.Single(positional.Warnings));
            Assert.Empty(key.ThrowIfFailed().Warnings);
            Assert.DoesNotContain("client-secret-value", positional.AllText());
        }

        [Theory]
        [InlineData("-BaseUri http://gateway.example.test/jelouapi")]
        [InlineData("-ChatbotUri http://chatbot.example.test")]
        [InlineData("-BaseUri ftp://gateway.example.test")]
        public void Plain_http_is_refused_unless_loopback(string parameter)
        {
            Invocation result = Host.Invoke($"Connect-Jelou -ApiKey k {parameter}");

            var error = Assert.IsAssignableFrom<ParameterBindingException>(result.Terminating?.Exception);
            Assert.Contains("must use https", error.Message);
            Assert.Empty(Host.Invoke("Get-JelouContext").Output);
        }

        [Theory]
        [InlineData("Connect-Jelou -ApiKey $env:JELOUPS_TEST_UNSET", "'ApiKey'", Unset)]
        [InlineData("Connect-Jelou -ApiKey ''", "The API key", " is empty: check that the variable, pipeline secret or automation variable it came from is set.")]
        [InlineData("Send-JelouTestEvent http://127.0.0.1:1/hook -SigningSecret $env:JELOUPS_TEST_UNSET", "'SigningSecret'", Unset)]
        [InlineData("Connect-Jelou -Credential $env:JELOUPS_TEST_UNSET", "'Credential'", "The credential is $null: an unset variable")]
        [InlineData("Connect-Jelou -Credential ''", "'Credential'", "The credential is blank")]
        [InlineData("Connect-Jelou -Credential ' '", "'Credential'", "The credential is blank")]
        [InlineData("Connect-Jelou -Credential (ConvertTo-SecureString x -AsPlainText -Force)", "'Credential'", "A value of type SecureString is not a credential: give a PSCredential")]
        [InlineData("New-JelouExternalSupport p1 https://crm.example.com/j -AuthType bearer -WebhookAuthorization $env:JELOUPS_TEST_UNSET", "'WebhookAuthorization'", Unset)]
        public void An_unset_or_empty_secret_variable_is_named_as_such(string script, string named, string said)
        {
            // An unset environment variable (a pipeline secret not mapped into the job) is $null; an empty one is "".
            Invocation result = Host.Invoke(script);

            string message = result.Terminating?.Exception.Message ?? string.Join(" ", result.Errors.Select(e => e.Exception.Message));
            Assert.Contains(named, message);
            Assert.Contains(said, message);
        }

        private const string Unset = "The secret is $null: an unset variable or environment variable gives $null";

        [Fact]
        public void Loopback_http_is_accepted()
        {
            Host.Invoke("Connect-Jelou -ApiKey k -BaseUri http://127.0.0.1:1/jelouapi -ChatbotUri http://localhost:1").ThrowIfFailed();
        }

        [Fact]
        public void Without_a_connection_api_cmdlets_say_how_to_connect()
        {
            Invocation result = Host.Invoke("Get-JelouExternalSupport p1");

            var error = result.Terminating!;
            Assert.Equal("JelouNotConnected,JelouPS.Commands.GetJelouExternalSupportCommand", error.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.ConnectionError, error.CategoryInfo.Category);
            Assert.Contains("Connect-Jelou", error.ErrorDetails.Message);
        }

        [Fact]
        public void Disconnect_forgets_the_connection()
        {
            Host.Connect(Emulator);

            Host.Invoke("Disconnect-Jelou").ThrowIfFailed();

            Assert.Empty(Host.Invoke("Get-JelouContext").ThrowIfFailed().Output);
            Assert.Equal("JelouNotConnected,JelouPS.Commands.GetJelouExternalSupportCommand",
                Host.Invoke("Get-JelouExternalSupport p1").Terminating!.FullyQualifiedErrorId);
        }

        [Fact]
        public void A_saved_context_is_refused_after_Disconnect_with_JelouNotConnected()
        {
            Host.Invoke($"$saved = Connect-Jelou -ApiKey '{EmulatorOptions.DefaultApiKey}' -BaseUri $args[0] -PassThru; Disconnect-Jelou", null, Emulator.GatewayUri).ThrowIfFailed();

            Invocation result = Host.Invoke("Get-JelouExternalSupport p1 -Context $saved");

            Assert.Equal("JelouNotConnected,JelouPS.Commands.GetJelouExternalSupportCommand", result.Terminating?.FullyQualifiedErrorId);
            // Not "run Connect-Jelou": the user did, and passed a context that Disconnect-Jelou closed since.
            Assert.Contains("-Context was closed by Disconnect-Jelou", result.Terminating!.ErrorDetails.Message);
            Assert.Contains("-PassThru", result.Terminating.ErrorDetails.RecommendedAction);
        }

        [Theory]
        [InlineData("\"key`nwith-a-line-break\"")]
        [InlineData("'clé'")]
        [InlineData("'   '")]
        public void An_api_key_no_header_can_carry_is_refused_when_connecting(string key)
        {
            Invocation result = Host.Invoke($"Connect-Jelou -ApiKey {key} -BaseUri https://gateway.example.test/jelouapi");

            Assert.Equal("JelouInvalidArgument,JelouPS.Commands.ConnectJelouCommand", result.Terminating?.FullyQualifiedErrorId);
            Assert.DoesNotContain("with-a-line-break", result.AllText());
        }

        [Fact]
        public void Each_runspace_has_its_own_connection()
        {
            using var other = new PowerShellHost();
            Host.Connect(Emulator);

            Assert.Single(Host.Invoke("Get-JelouContext").Output);
            Assert.Empty(other.Invoke("Get-JelouContext").Output);
        }

        [Fact]
        public void A_context_passed_explicitly_is_used_without_a_session_connection()
        {
            using var other = new PowerShellHost();
            object context = Host.Invoke($"Connect-Jelou -ApiKey '{EmulatorOptions.DefaultApiKey}' -BaseUri $args[0] -PassThru", null, Emulator.GatewayUri).ThrowIfFailed().Output[0].BaseObject;
            string projectId = "ctx-" + Guid.NewGuid().ToString("N");

            Invocation result = other.Invoke("New-JelouExternalSupport $args[0] https://crm.example.com/h -Context $args[1]", null, projectId, context);

            Assert.Single(result.ThrowIfFailed().Output);
        }
    }
}
