using System;
using System.Collections;
using System.Linq;
using System.Management.Automation;
using System.Security;
using System.Text.RegularExpressions;
using JelouPS.Emulator;
using JelouPS.Infrastructure;
using JelouPS.Security;
using Xunit;

namespace JelouPS.Tests
{
    public sealed class ExternalSupportCmdletTests : HostedTest
    {
        private const string Namespace = "JelouPS.Commands.";

        public ExternalSupportCmdletTests(EmulatorFixture fixture) : base(fixture) { }

        private static string NewProjectId() => "p-" + Guid.NewGuid().ToString("N").Substring(0, 12);

        private static string Plain(SecureString secret) => SecureStrings.UseChars(secret, chars => new string(chars));

        private int RequestsFor(string projectId) => Emulator.Requests.Count(r => r.Path.Contains(projectId, StringComparison.Ordinal));

        [Theory]
        [InlineData(ResponseShape.Envelope)]
        [InlineData(ResponseShape.Flat)]
        public void New_emits_a_typed_integration_with_the_secret_as_a_SecureString(ResponseShape shape)
        {
            Emulator.Shape = shape;
            string projectId = NewProjectId();

            Invocation result = Host.Invoke(
                "New-JelouExternalSupport -ProjectId $args[0] -WebhookUrl https://crm.example.com/jelou -AuthType bearer -WebhookAuthorization 'hook-token-value' -Verbose -Debug",
                null, projectId);

            result.ThrowIfFailed();
            var integration = Assert.IsType<ExternalSupportIntegration>(Assert.Single(result.Output).BaseObject);
            Assert.Equal(projectId, integration.ProjectId);
            Assert.Equal("bearer", integration.AuthType);
            Assert.Equal(Emulator.FindIntegration(projectId)!.SigningSecret, Plain(integration.SigningSecret!));
            Assert.Equal("hook-token-value", Emulator.FindIntegration(projectId)!.Authorization);
            Assert.Contains(result.Verbose, v => v.StartsWith("POST ", StringComparison.Ordinal) && v.Contains("/v1/external-support/" + projectId)
                && System.Text.RegularExpressions.Regex.IsMatch(v, @" with a JSON body of \d+ bytes\b"));
            Assert.Contains(result.Debug, d => d.Contains("x-api-key: REDACTED"));
            string all = result.AllText();
            Assert.DoesNotContain("hook-token-value", all);
            Assert.DoesNotContain(EmulatorOptions.DefaultApiKey, all);
            Assert.DoesNotContain(Emulator.FindIntegration(projectId)!.SigningSecret, all);
        }

        [Fact]
        public void A_PSCredential_is_registered_for_basic_auth_as_its_user_name_and_password_and_for_another_type_as_its_password()
        {
            string basic = NewProjectId(), bearer = NewProjectId(), changed = NewProjectId(), passwordAlone = NewProjectId();

            Host.Invoke(
                "$c = [pscredential]::new('crmuser', (ConvertTo-SecureString 'pw123456' -AsPlainText -Force)); " +
                "New-JelouExternalSupport $args[0] https://crm.example.com/j -AuthType basic -WebhookAuthorization $c; " +
                "New-JelouExternalSupport $args[1] https://crm.example.com/j -AuthType bearer -WebhookAuthorization $c; " +
                "New-JelouExternalSupport $args[2] https://crm.example.com/j; Set-JelouExternalSupport $args[2] -AuthType BASIC -WebhookAuthorization $c -Confirm:$false; " +
                "New-JelouExternalSupport $args[3] https://crm.example.com/j -AuthType basic -WebhookAuthorization $c.Password",
                null, basic, bearer, changed, passwordAlone).ThrowIfFailed();

            Assert.Equal("crmuser:pw123456", Emulator.FindIntegration(basic)!.Authorization);
            Assert.Equal("pw123456", Emulator.FindIntegration(bearer)!.Authorization);
            Assert.Equal("crmuser:pw123456", Emulator.FindIntegration(changed)!.Authorization);
            Assert.Equal("pw123456", Emulator.FindIntegration(passwordAlone)!.Authorization);
        }

        [Theory]
        // Set- keeps the integration's auth type, which it does not know: which of the two the credential stands for is unknown.
        [InlineData("crmuser", "pw123456", "", "-WebhookAuthorization is a PSCredential (user name 'crmuser'): give -AuthType too.")]
        [InlineData("crm:user", "pw123456", "-AuthType basic", "The user name 'crm:user' of the PSCredential given as -WebhookAuthorization has a ':'")]
        // The joined credential's own check said "-WebhookAuthorization has characters", naming neither part.
        [InlineData("agente-soporte-\u00f1", "pw123456", "-AuthType basic", "The user name 'agente-soporte-\u00f1' of the PSCredential given as -WebhookAuthorization has characters an HTTP header cannot carry")]
        [InlineData("crmuser", "contrase\u00f1a-pw123456", "-AuthType basic", "The password of the PSCredential given as -WebhookAuthorization has characters an HTTP header cannot carry")]
        [InlineData("jos\u00e9", "contrase\u00f1a-pw123456", "-AuthType basic", "The user name 'jos\u00e9' and the password of the PSCredential given as -WebhookAuthorization have characters an HTTP header cannot carry")]
        // The client's own check said "-WebhookAuthorization has characters", not knowing a PSCredential was given; its user name is not sent.
        [InlineData("jos\u00e9", "contrase\u00f1a-pw123456", "-AuthType bearer", "The password of the PSCredential given as -WebhookAuthorization has characters an HTTP header cannot carry (only printable ASCII is allowed: no line breaks, tabs or accented letters): Jelou presents the password to your webhook in a header.")]
        public void A_PSCredential_whose_form_is_unknown_or_cannot_be_basic_is_refused_before_any_request(string userName, string password, string authType, string said)
        {
            string projectId = NewProjectId();
            Host.Invoke("New-JelouExternalSupport $args[0] https://crm.example.com/j -AuthType basic -WebhookAuthorization 'crmuser:old-password'", null, projectId).ThrowIfFailed();

            Invocation result = Host.Invoke(
                $"$c = [pscredential]::new($args[1], (ConvertTo-SecureString $args[2] -AsPlainText -Force)); Set-JelouExternalSupport $args[0] {authType} -WebhookAuthorization $c -Confirm:$false",
                null, projectId, userName, password);

            Assert.Contains(said, result.SingleError().Exception.Message);
            Assert.Equal("crmuser:old-password", Emulator.FindIntegration(projectId)!.Authorization);
            Assert.DoesNotContain("pw123456", result.AllText());
        }

        [Fact]
        public void New_takes_project_ids_and_webhooks_from_csv_rows_and_goes_on_after_a_failure()
        {
            string first = NewProjectId(), taken = NewProjectId(), last = NewProjectId();
            Host.Invoke("New-JelouExternalSupport $args[0] https://crm.example.com/a", null, taken).ThrowIfFailed();

            Invocation result = Host.Invoke(
                "$args[0] | ConvertFrom-Csv | New-JelouExternalSupport",
                null, $"ProjectId,WebhookUrl,AuthType\n{first},https://crm.example.com/1,no_auth\n{taken},https://crm.example.com/2,no_auth\n{last},https://crm.example.com/3,no_auth");

            Assert.Null(result.Terminating);
            Assert.Equal(new[] { first, last }, result.Output.Select(o => ((ExternalSupportIntegration)o.BaseObject).ProjectId));
            ErrorRecord error = result.SingleError();
            Assert.Equal("JelouConflict,JelouPS.Commands.NewJelouExternalSupportCommand", error.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.ResourceExists, error.CategoryInfo.Category);
            Assert.Equal(taken, error.TargetObject);
            Assert.Equal("https://crm.example.com/3", Emulator.FindIntegration(last)!.WebhookUrl);
        }

        [Fact]
        public void A_blank_csv_row_is_refused_saying_how_to_leave_such_rows_out_and_the_next_rows_go_on()
        {
            string first = NewProjectId(), last = NewProjectId();

            Invocation result = Host.Invoke(
                "$args[0] | ConvertFrom-Csv -Delimiter ';' | New-JelouExternalSupport",
                null, $"ProjectId;WebhookUrl\n{first};https://crm.example.com/1\n;\n{last};https://crm.example.com/3");

            Assert.Equal(new[] { first, last }, result.Output.Select(o => ((ExternalSupportIntegration)o.BaseObject).ProjectId));
            ErrorRecord error = result.SingleError();
            Assert.Equal("ParameterArgumentValidationError,JelouPS.Commands.NewJelouExternalSupportCommand", error.FullyQualifiedErrorId);
            Assert.Contains("The id is empty (or only spaces). From a CSV, an empty cell gives one, as does a blank row (Excel saves a row it left empty as ;;;)", error.Exception.Message);
            // The filter it gives, with the column put in, leaves the row out and keeps the others.
            string filter = Regex.Match(error.Exception.Message, @"\| (Where-Object \{.*\}) \|").Groups[1].Value.Replace("<column>", "ProjectId");
            Invocation filtered = Host.Invoke(
                $"$args[0] | ConvertFrom-Csv -Delimiter ';' | {filter} | Get-JelouExternalSupport",
                null, $"ProjectId;WebhookUrl\n{first};https://crm.example.com/1\n\"   \";\n{last};https://crm.example.com/3");
            Assert.Equal(new[] { first, last }, filtered.ThrowIfFailed().Output.Select(o => ((ExternalSupportIntegration)o.BaseObject).ProjectId));
        }

        [Theory]
        [InlineData("-WebhookUrl http://crm.example.com/jelou", "must use https")]
        [InlineData("-WebhookUrl 'not-a-url'", "is not an absolute URL")]
        [InlineData("-WebhookUrl '/jelou'", "is not an absolute URL")]
        [InlineData("-WebhookUrl '\\\\server\\jelou'", "has a backslash")]
        [InlineData("-WebhookUrl 'file:///jelou'", "must use https")]
        [InlineData("-WebhookUrl 'localhost:8080/hook'", "does not start with https://")]
        [InlineData("-WebhookUrl 'https://user:pw@crm.example.com/jelou'", "user name or password")]
        public void Bad_parameters_fail_at_binding_before_any_request(string parameters, string message)
        {
            string projectId = NewProjectId();

            Invocation result = Host.Invoke($"New-JelouExternalSupport -ProjectId $args[0] {parameters}", null, projectId);

            Assert.IsAssignableFrom<ParameterBindingException>(result.Terminating?.Exception);
            Assert.Contains(message, result.Terminating!.Exception.Message);
            Assert.Equal(0, RequestsFor(projectId));
        }

        [Theory]
        [InlineData("-AuthType bearer", "needs the credential")]
        [InlineData("-AuthType no_auth -WebhookAuthorization x", "takes no webhook authorization")]
        [InlineData("-WebhookAuthorization x", "pass -AuthType")]
        [InlineData("-AuthType oauth -WebhookAuthorization x", "is not a valid AuthType")]
        [InlineData("-AuthType bearer -WebhookAuthorization \"a`nb\"", "cannot carry")]
        public void Inconsistent_auth_settings_are_an_InvalidArgument_error_before_any_request(string parameters, string message)
        {
            string projectId = NewProjectId();

            Invocation result = Host.Invoke($"New-JelouExternalSupport $args[0] https://crm.example.com/j {parameters}", null, projectId);

            ErrorRecord error = result.SingleError();
            Assert.Equal("JelouInvalidArgument," + Namespace + "NewJelouExternalSupportCommand", error.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.InvalidArgument, error.CategoryInfo.Category);
            Assert.Contains(message, error.Exception.Message);
            Assert.Equal("Correct what the message names.", error.ErrorDetails.RecommendedAction);
            Assert.Equal(0, RequestsFor(projectId));
        }

        [Fact]
        public void A_secret_issued_into_no_vault_is_said_to_live_only_in_the_session_once_per_runspace()
        {
            string first = NewProjectId(), second = NewProjectId();

            Invocation told = Host.Invoke("New-JelouExternalSupport $args[0] https://crm.example.com/a", null, first).ThrowIfFailed();
            Invocation again = Host.Invoke("New-JelouExternalSupport $args[0] https://crm.example.com/a", null, second).ThrowIfFailed();

            string warning = Assert.Single(told.Warnings);
            Assert.StartsWith($"The signing secret of {first} is in no vault: Jelou shows it only this once", warning, StringComparison.Ordinal);
            Assert.Contains("Save-JelouSigningSecret -Vault <vault> (without input, it stores all $JelouUnsavedIntegrations holds, from any runspace)", warning);
            Assert.Empty(again.Warnings);
        }

        [Fact]
        public void Blank_optional_csv_cells_count_as_not_given()
        {
            string projectId = NewProjectId();

            Invocation result = Host.Invoke("$args[0] | ConvertFrom-Csv | New-JelouExternalSupport", null, $"ProjectId,WebhookUrl,AuthType,SecretName\n{projectId},https://crm.example.com/1,,");

            var integration = (ExternalSupportIntegration)Assert.Single(result.ThrowIfFailed().Output).BaseObject;
            Assert.Equal("{\"webhookUrl\":\"https://crm.example.com/1\"}", Emulator.Requests.Last(r => r.Path.EndsWith(projectId, StringComparison.Ordinal)).Body);
            Assert.Equal("no_auth", integration.AuthType);
        }

        [Fact]
        public void WhatIf_sends_nothing()
        {
            string projectId = NewProjectId();

            Invocation result = Host.Invoke("New-JelouExternalSupport $args[0] https://crm.example.com/j -WhatIf", null, projectId);

            Assert.Empty(result.ThrowIfFailed().Output);
            Assert.Equal(0, RequestsFor(projectId));
        }

        [Fact]
        public void Get_pipes_into_Remove()
        {
            string projectId = NewProjectId();
            Host.Invoke("New-JelouExternalSupport $args[0] https://crm.example.com/j", null, projectId).ThrowIfFailed();

            Host.Invoke("Get-JelouExternalSupport $args[0] | Remove-JelouExternalSupport -Confirm:$false", null, projectId).ThrowIfFailed();

            Assert.Null(Emulator.FindIntegration(projectId));
            Assert.Equal("DELETE", Emulator.Requests.Last().Method);
        }

        [Fact]
        public void Get_returns_no_secret_and_an_unknown_project_is_JelouNotFound()
        {
            string known = NewProjectId(), unknown = NewProjectId();
            Host.Invoke("New-JelouExternalSupport $args[0] https://crm.example.com/j", null, known).ThrowIfFailed();

            Invocation result = Host.Invoke("Get-JelouExternalSupport $args[0], $args[1]", null, unknown, known);

            var integration = (ExternalSupportIntegration)Assert.Single(result.Output).BaseObject;
            Assert.Null(integration.SigningSecret);
            ErrorRecord error = result.SingleError();
            Assert.Equal("JelouNotFound," + Namespace + "GetJelouExternalSupportCommand", error.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);
            Assert.Equal(unknown, error.TargetObject);
            Assert.Contains("404", error.ErrorDetails.Message);
            Assert.NotNull(error.ErrorDetails.RecommendedAction);
            Assert.Equal(System.Net.HttpStatusCode.NotFound, ((JelouApiException)error.Exception).StatusCode);
        }

        [Fact]
        public void Set_sends_only_the_parameters_given()
        {
            string projectId = NewProjectId();
            Host.Invoke("New-JelouExternalSupport $args[0] https://crm.example.com/j -AuthType api_key -WebhookAuthorization k1", null, projectId).ThrowIfFailed();

            Invocation result = Host.Invoke("Set-JelouExternalSupport $args[0] -WebhookAuthorization 'k2-new-value' -Confirm:$false", null, projectId);

            var updated = (ExternalSupportIntegration)Assert.Single(result.ThrowIfFailed().Output).BaseObject;
            Assert.Equal("api_key", updated.AuthType);
            Assert.Equal("{\"authorization\":\"[REDACTED]\"}", Emulator.Requests.Last().Body);
            Assert.Equal("k2-new-value", Emulator.FindIntegration(projectId)!.Authorization);
        }

        [Theory]
        [InlineData("Get-JelouExternalSupport $args[0], $args[1] | Set-JelouExternalSupport -WebhookUrl https://crm.example.com/v2 -Confirm:$false")]
        [InlineData("Get-JelouExternalSupport $args[0], $args[1] | ConvertTo-Csv | ConvertFrom-Csv | Set-JelouExternalSupport -WebhookUrl https://crm.example.com/v2 -Confirm:$false")]
        public void Set_fed_integrations_as_read_sends_their_url_change_without_their_auth_type(string command)
        {
            string withAuth = NewProjectId(), without = NewProjectId();
            Host.Invoke("New-JelouExternalSupport $args[0] https://crm.example.com/j -AuthType bearer -WebhookAuthorization tok-1; New-JelouExternalSupport $args[1] https://crm.example.com/j", null, withAuth, without).ThrowIfFailed();

            Invocation result = Host.Invoke(command, null, withAuth, without);

            Assert.Equal(2, result.ThrowIfFailed().Output.Count);
            Assert.Equal("{\"webhookUrl\":\"https://crm.example.com/v2\"}", Emulator.Requests.Last(r => r.Method == "PATCH" && r.Path.Contains(withAuth)).Body);
            Assert.Equal("bearer", Emulator.FindIntegration(withAuth)!.AuthType);
            Assert.Equal("https://crm.example.com/v2", Emulator.FindIntegration(without)!.WebhookUrl);
        }

        [Theory]
        [InlineData("ProjectId,AuthType,WebhookUrl`n{0},no_auth,https://crm.example.com/new", "-WebhookAuthorization tok-for-other-rows-1", "takes no webhook authorization")]
        [InlineData("ProjectId,AuthType,WebhookUrl`n{0},api_key,https://crm.example.com/new", "", "needs the credential")]
        public void Set_fed_a_csv_row_sends_its_auth_type_as_asked_and_refuses_one_that_cannot_go(string csv, string parameters, string message)
        {
            string projectId = NewProjectId();
            Host.Invoke("New-JelouExternalSupport $args[0] https://crm.example.com/j -AuthType bearer -WebhookAuthorization tok-1", null, projectId).ThrowIfFailed();

            ErrorRecord error = Host.Invoke($"\"{string.Format(csv, projectId)}\" | ConvertFrom-Csv | Set-JelouExternalSupport {parameters} -Confirm:$false", null).SingleError();

            Assert.StartsWith("JelouInvalidArgument,", error.FullyQualifiedErrorId, StringComparison.Ordinal);
            Assert.Contains(message, error.Exception.Message);
            Assert.DoesNotContain(Emulator.Requests, r => r.Method == "PATCH" && r.Path.Contains(projectId));
            Assert.Equal("https://crm.example.com/j", Emulator.FindIntegration(projectId)!.WebhookUrl);
        }

        [Fact]
        public void Set_fed_an_older_read_of_a_no_auth_integration_keeps_the_credential_set_since()
        {
            string projectId = NewProjectId();
            Host.Invoke("New-JelouExternalSupport $args[0] https://crm.example.com/j; $global:snapshot = Get-JelouExternalSupport $args[0]; Set-JelouExternalSupport $args[0] -AuthType bearer -WebhookAuthorization tok-set-since -Confirm:$false", null, projectId).ThrowIfFailed();

            Host.Invoke("$global:snapshot | Set-JelouExternalSupport -WebhookUrl https://crm.example.com/moved -Confirm:$false").ThrowIfFailed();

            Assert.Equal("{\"webhookUrl\":\"https://crm.example.com/moved\"}", Emulator.Requests.Last(r => r.Method == "PATCH" && r.Path.Contains(projectId)).Body);
            Assert.Equal("bearer", Emulator.FindIntegration(projectId)!.AuthType);
            Assert.Equal("tok-set-since", Emulator.FindIntegration(projectId)!.Authorization);
        }

        [Fact]
        public void Set_fed_an_edited_export_sends_the_rows_new_url()
        {
            string projectId = NewProjectId();
            Host.Invoke("New-JelouExternalSupport $args[0] https://crm.example.com/j -AuthType api_key -WebhookAuthorization key-1", null, projectId).ThrowIfFailed();

            Invocation result = Host.Invoke("$rows = Get-JelouExternalSupport $args[0] | ConvertTo-Csv | ConvertFrom-Csv; $rows[0].WebhookUrl = 'https://crm.example.com/edited'; $rows | Set-JelouExternalSupport -Confirm:$false", null, projectId);

            result.ThrowIfFailed();
            Assert.Equal("{\"webhookUrl\":\"https://crm.example.com/edited\"}", Emulator.Requests.Last(r => r.Method == "PATCH" && r.Path.Contains(projectId)).Body);
            Assert.Equal("api_key", Emulator.FindIntegration(projectId)!.AuthType);
        }

        [Fact]
        public void Set_refuses_a_credential_with_its_scheme_even_without_AuthType_before_any_request()
        {
            string projectId = NewProjectId();

            ErrorRecord error = Host.Invoke("Set-JelouExternalSupport $args[0] -WebhookAuthorization 'Bearer tok-new-123' -Confirm:$false", null, projectId).SingleError();

            Assert.Equal("JelouInvalidArgument," + Namespace + "SetJelouExternalSupportCommand", error.FullyQualifiedErrorId);
            Assert.Contains("starts with 'Bearer ', as a whole Authorization header does", error.Exception.Message);
            Assert.Equal(0, RequestsFor(projectId));
        }

        [Fact]
        public void An_error_is_redacted_of_every_held_secret_and_beyond_a_few_hundred_of_its_projects_on_the_API_and_of_all_elsewhere()
        {
            string first = NewProjectId(), second = NewProjectId();
            Host.Invoke("New-JelouExternalSupport $args[0], $args[1] https://crm.example.com/j", null, first, second).ThrowIfFailed();
            Uri api = Emulator.GatewayUri;

            // A session holding up to the limit (this process's may hold more, after other tests): every error is redacted of
            // them all (a 500 on one project may dump another's).
            Assert.True(JelouSession.HeldSecrets(new Uri(api, "jelouapi/v1/external-support/never-created"), allUpTo: int.MaxValue).Count() >= 2);
            Assert.True(JelouSession.HeldSecrets(new Uri(api, $"jelouapi/v1/external-support/{first}"), allUpTo: int.MaxValue).Count() >= 2);

            // Holding more (a bulk run's thousands), a call of the API gets its projects' only, with the connections' keys.
            int OnApi(string path) => JelouSession.HeldSecrets(new Uri(api, path), allUpTo: 0).Count();
            int keys = OnApi("jelouapi/v1/external-support/never-created");
            Assert.InRange(keys, 1, 16);
            Assert.Equal(keys + 1, OnApi($"jelouapi/v1/external-support/{first}"));
            Assert.Equal(keys + 1, OnApi($"jelouapi/v1/external-support/{second}/secret/regenerate"));
            Assert.True(JelouSession.HeldSecrets(new Uri("https://receiver.example.test/hook"), allUpTo: 0).Count() >= 2, "a call elsewhere (a test event) gets every held secret");
        }

        /// <summary>
        /// A server may quote the webhook's credentials in an error of another call (a delivery to the webhook that failed,
        /// when a conversation starts): those the session sent (New-, Set-) or read (Get-) are redacted there as the signing
        /// secret is, also where the session holds so many that only the call's own project's are looked for.
        /// </summary>
        /// <summary>A reply carries only its signature: a chatbot host that quotes the connection's API key is redacted of it all the same.</summary>
        [Fact]
        public void The_connections_api_key_is_redacted_in_an_error_of_a_call_that_did_not_carry_it()
        {
            string projectId = NewProjectId();
            Emulator.EnqueueFault(new EmulatorFault { PathContains = "external-support/webhook", Status = 500, Body = "{\"message\":\"upstream said: key=emulator-api-key\"}" });

            ErrorRecord error = Host.Invoke("Send-JelouSupportMessage -ProjectId $args[0] -RoomId r -BotId b -UserId u -Text hola -SigningSecret 'k-1234567890'", null, projectId).SingleError();

            string shown = error.Exception.Message + error.ErrorDetails?.Message;
            Assert.Contains("upstream said: key=REDACTED", shown);
        }

        [Fact]
        public void The_webhook_credentials_the_session_sent_or_read_are_redacted_in_errors_of_other_calls()
        {
            string projectId = NewProjectId();
            Host.Invoke("New-JelouExternalSupport $args[0] 'https://fn.example.net/api/jelou?code=FNKEY-created-0123' -AuthType bearer -WebhookAuthorization 'tok-created-4567'",
                null, projectId).ThrowIfFailed();
            // A token replaced may still be taken by the receiver while the change propagates: it is held with the new one.
            Host.Invoke("Set-JelouExternalSupport $args[0] -WebhookUrl 'https://fn.example.net/api/jelou?sig=SAS-updated-89ab' -AuthType bearer -WebhookAuthorization 'tok-updated-cdef' -Confirm:$false", null, projectId).ThrowIfFailed();
            // Read back by another client: what a Get- of a new session learns.
            string readProject = NewProjectId();
            using (var other = new System.Net.Http.HttpClient())
            {
                var request = new System.Net.Http.HttpRequestMessage(System.Net.Http.HttpMethod.Post, new Uri(Emulator.GatewayUri, "jelouapi/v1/external-support/" + readProject))
                {
                    Content = new System.Net.Http.StringContent("{\"webhookUrl\":\"https://fn.example.net/api/other?code=FNKEY-read-cdef\",\"authType\":\"no_auth\"}", System.Text.Encoding.UTF8, "application/json"),
                };
                request.Headers.Add("x-api-key", "emulator-api-key");
                Assert.True(other.Send(request).IsSuccessStatusCode);
            }
            Host.Invoke("Get-JelouExternalSupport $args[0]", null, readProject).ThrowIfFailed();
            string[] credentials = { "FNKEY-created-0123", "tok-created-4567", "SAS-updated-89ab", "tok-updated-cdef" };
            string quoted = string.Join(" ", credentials);

            foreach (string project in new[] { projectId, readProject })
            {
                Emulator.EnqueueFault(new EmulatorFault { PathContains = project + "/conversations/start", Status = 422, Body = "{\"message\":\"delivery failed with " + quoted + " FNKEY-read-cdef\"}" });
                ErrorRecord error = Host.Invoke("Start-JelouConversation $args[0] -BotId b -UserId u", null, project).SingleError();

                string shown = error.Exception.Message + error.ErrorDetails?.Message;
                Assert.Contains("delivery failed with REDACTED", shown);
                foreach (string credential in credentials.Append("FNKEY-read-cdef")) Assert.False(shown.Contains(credential, StringComparison.Ordinal), shown);
            }

            // Holding more than a few hundred projects' secrets, a call of the API is redacted of its own project's.
            int OnApi(string project) => JelouSession.HeldSecrets(new Uri(Emulator.GatewayUri, $"jelouapi/v1/external-support/{project}/conversations/start"), allUpTo: 0).Count();
            int keys = OnApi("never-created");
            Assert.Equal(keys + 1 + 4, OnApi(projectId));
            Assert.Equal(keys + 1, OnApi(readProject));
        }

        /// <summary>
        /// A delete Jelou answered 200 whose answer then broke off or came too slowly was carried out: it is done (the vault's
        /// copy goes), not sent again (its retry would find nothing and say "nothing to remove"), and no error.
        /// </summary>
        [Theory]
        [InlineData("cut")]
        [InlineData("slow")]
        public void A_delete_answered_200_whose_answer_was_lost_is_done_and_not_sent_again(string broken)
        {
            string projectId = NewProjectId();
            string standIn = System.IO.Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "modules", "Microsoft.PowerShell.SecretManagement");
            Host.Invoke("Import-Module $args[1]; Register-StandInVault -Name DeleteVault; New-JelouExternalSupport $args[0] https://crm.example.com/j -Vault DeleteVault", null, projectId, standIn).ThrowIfFailed();
            Emulator.EnqueueFault(broken == "cut"
                ? new EmulatorFault { Method = "DELETE", PathContains = projectId, Mangle = ResponseMangle.Intact, ResetAfterBytes = 5, Count = 4 }
                : new EmulatorFault { Method = "DELETE", PathContains = projectId, Mangle = ResponseMangle.Intact, DripBytesPerSecond = 1, Count = 4 });

            Invocation result = Host.Invoke("Remove-JelouExternalSupport $args[0] -Force -Vault DeleteVault -TimeoutSec 2 -Verbose; @(Get-SecretInfo -Vault DeleteVault).Count", null, projectId);

            Assert.Empty(result.Errors);
            Assert.Null(result.Terminating);
            Assert.Equal(1, Emulator.Requests.Count(r => r.Method == "DELETE" && r.Path.Contains(projectId, StringComparison.Ordinal)));
            Assert.Contains(result.Verbose, line => line.Contains("the integration is deleted", StringComparison.Ordinal));
            Assert.Null(Emulator.FindIntegration(projectId));
            Assert.Equal(0, (int)result.Output.Last().BaseObject);
        }

        /// <summary>Reads in flight when Select-Object -First has what it wanted are dropped at once: nothing waits for them.</summary>
        [Fact]
        public void Reads_in_flight_when_the_pipeline_stops_taking_output_are_not_waited_for()
        {
            string[] ids = { NewProjectId(), NewProjectId(), NewProjectId() };
            Host.Invoke("New-JelouExternalSupport $args[0] https://crm.example.com/j -WarningAction SilentlyContinue", null, ids[0]).ThrowIfFailed();
            // The others are answered after a minute, or when the client leaves.
            foreach (string slow in ids.Skip(1)) Emulator.EnqueueFault(new EmulatorFault { Method = "GET", PathContains = slow, Status = 200, Delay = TimeSpan.FromSeconds(60), Body = "{}" });
            var clock = System.Diagnostics.Stopwatch.StartNew();

            Invocation result = Host.Invoke("$args[0] | Get-JelouExternalSupport -ThrottleLimit 4 | Select-Object -First 1", null, (object)ids);

            Assert.Single(result.Output);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"took {clock.Elapsed}: the reads left were waited for");
        }

        [Fact]
        public void Set_with_nothing_to_change_fails_before_any_request()
        {
            string projectId = NewProjectId();

            Invocation result = Host.Invoke("Set-JelouExternalSupport $args[0]", null, projectId);

            ErrorRecord error = result.SingleError();
            Assert.Equal("JelouInvalidArgument," + Namespace + "SetJelouExternalSupportCommand", error.FullyQualifiedErrorId);
            Assert.StartsWith($"Project '{projectId}': Nothing to change", error.ErrorDetails.Message, StringComparison.Ordinal);
            Assert.Equal(0, RequestsFor(projectId));
        }

        [Fact]
        public void Remove_is_high_impact_and_asks_first()
        {
            var remove = typeof(Commands.RemoveJelouExternalSupportCommand).GetCustomAttributes(typeof(CmdletAttribute), false).Cast<CmdletAttribute>().Single();
            Assert.Equal(ConfirmImpact.High, remove.ConfirmImpact);
            string projectId = NewProjectId();
            Host.Invoke("New-JelouExternalSupport $args[0] https://crm.example.com/j", null, projectId).ThrowIfFailed();

            Host.Invoke("Remove-JelouExternalSupport $args[0] -WhatIf", null, projectId).ThrowIfFailed();

            Assert.NotNull(Emulator.FindIntegration(projectId));
        }

        [Fact]
        public void A_401_ends_the_pipeline_with_JelouUnauthorized()
        {
            Host.Invoke("Connect-Jelou -ApiKey 'wrong-key-value' -BaseUri $args[0]", null, Emulator.GatewayUri).ThrowIfFailed();
            string first = NewProjectId(), second = NewProjectId();

            Invocation result = Host.Invoke("$args[0], $args[1] | Get-JelouExternalSupport", null, first, second);

            var error = result.Terminating!;
            Assert.Equal("JelouUnauthorized," + Namespace + "GetJelouExternalSupportCommand", error.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.AuthenticationError, error.CategoryInfo.Category);
            Assert.Equal(0, RequestsFor(second));
            Assert.DoesNotContain("wrong-key-value", result.AllText());
        }

        [Theory]
        [InlineData(500, "{\"message\":\"Database down\"}", "application/json", "JelouServerError", ErrorCategory.ResourceUnavailable)]
        [InlineData(200, "<html>portal</html>", "text/html", "JelouInvalidResponse", ErrorCategory.InvalidResult)]
        [InlineData(422, "{\"message\":\"Invalid\",\"validationError\":{\"webhookUrl\":[\"must be public\"]}}", "application/json", "JelouValidationFailed", ErrorCategory.InvalidArgument)]
        public void Api_failures_become_error_records_with_stable_ids(int status, string body, string contentType, string errorId, ErrorCategory category)
        {
            string projectId = NewProjectId();
            Emulator.EnqueueFault(new EmulatorFault { Status = status, Body = body, ContentType = contentType, PathContains = projectId });

            Invocation result = Host.Invoke("New-JelouExternalSupport $args[0] https://crm.example.com/j", null, projectId);

            ErrorRecord error = result.SingleError();
            Assert.Equal(errorId + "," + Namespace + "NewJelouExternalSupportCommand", error.FullyQualifiedErrorId);
            Assert.Equal(category, error.CategoryInfo.Category);
            Assert.Equal(projectId, error.TargetObject);
            Assert.Contains(status.ToString(), error.ErrorDetails.Message);
            if (status == 422) Assert.Contains("webhookUrl: must be public", error.ErrorDetails.Message);
        }

        [Fact]
        public void A_slow_api_is_JelouTimeout()
        {
            Host.Connect(Emulator, "-TimeoutSec 1");
            string projectId = NewProjectId();
            Emulator.EnqueueFault(new EmulatorFault { Status = 200, Delay = TimeSpan.FromSeconds(30), PathContains = projectId });

            Invocation result = Host.Invoke("Get-JelouExternalSupport $args[0]", null, projectId);

            ErrorRecord error = result.SingleError();
            Assert.Equal("JelouTimeout," + Namespace + "GetJelouExternalSupportCommand", error.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.OperationTimeout, error.CategoryInfo.Category);
        }

        [Fact]
        public void AuthType_completes_its_four_values()
        {
            Invocation result = Host.Invoke("(TabExpansion2 'New-JelouExternalSupport -AuthType ' 35).CompletionMatches.CompletionText");

            Assert.Equal(new[] { "api_key", "basic", "bearer", "no_auth" }, result.ThrowIfFailed().Output.Select(o => o.ToString()).OrderBy(s => s));
        }

        /// <summary>
        /// Disposing a SecureString after use is what .NET advises: the emitted SigningSecret is a copy of the caller's own, so
        /// disposing it costs neither the session's kept secret ($JelouUnsavedIntegrations still stores it), nor a
        /// later rotation's (which redacts every held secret from its error answers), nor that redaction.
        /// </summary>
        [Fact]
        public void Disposing_the_emitted_SigningSecret_loses_nothing_and_leaks_nothing()
        {
            string kept = NewProjectId(), rotated = NewProjectId(), quoted = NewProjectId();
            string standIn = System.IO.Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "modules", "Microsoft.PowerShell.SecretManagement");
            Host.Invoke("Import-Module $args[0]; Register-StandInVault -Name DisposeVault", null, standIn).ThrowIfFailed();
            Host.Invoke("$k = New-JelouExternalSupport $args[0] https://crm.example.com/j -WarningAction SilentlyContinue; $k.SigningSecret.Dispose(); " +
                "$r = New-JelouExternalSupport $args[1] https://crm.example.com/j -Vault DisposeVault; $r.SigningSecret.Dispose(); " +
                "$q = New-JelouExternalSupport $args[2] https://crm.example.com/j -Vault DisposeVault; $q.SigningSecret.Dispose()", null, kept, rotated, quoted).ThrowIfFailed();
            string quotedSecret = Emulator.FindIntegration(quoted)!.SigningSecret!;

            Host.Invoke("Reset-JelouExternalSupportSecret $args[0] -Force -Vault DisposeVault | Out-Null", null, rotated).ThrowIfFailed();
            Emulator.EnqueueFault(new EmulatorFault { Method = "GET", PathContains = rotated, Status = 400, Body = "{\"message\":\"bad " + quotedSecret + "\"}" });
            Invocation rotation = Host.Invoke("Get-JelouExternalSupport $args[0]", null, rotated);
            // Not Save-JelouSigningSecret without input: the list is the whole process's, and other tests run beside this one.
            Invocation save = Host.Invoke("$JelouUnsavedIntegrations | Where-Object ProjectId -eq $args[0] | Save-JelouSigningSecret -Vault DisposeVault; (Get-Secret -Vault DisposeVault -Name \"Jelou-$($args[0])\" -AsPlainText), (Get-Secret -Vault DisposeVault -Name \"Jelou-$($args[1])\" -AsPlainText)", null, kept, rotated);

            Assert.Null(rotation.Terminating);
            ErrorRecord refused = rotation.SingleError();
            Assert.DoesNotContain(quotedSecret, rotation.AllText(), StringComparison.Ordinal);
            Assert.Contains("REDACTED", refused.Exception.Message, StringComparison.Ordinal);
            Assert.Equal(new[] { Emulator.FindIntegration(kept)!.SigningSecret, Emulator.FindIntegration(rotated)!.SigningSecret }, save.ThrowIfFailed().Output.Select(o => o.ToString()));
        }
    }
}
