using System;
using System.Linq;
using System.Management.Automation;
using System.Reflection;
using JelouPS.Emulator;
using JelouPS.Infrastructure;
using Xunit;

namespace JelouPS.Tests
{
    /// <summary>Errors tell the truth about their cause: per cmdlet, per item, with advice that fits the call that failed.</summary>
    public sealed class ErrorRecordTests : HostedTest
    {
        public ErrorRecordTests(EmulatorFixture fixture) : base(fixture) { }

        private static string NewProjectId() => "e-" + Guid.NewGuid().ToString("N").Substring(0, 12);

        private string NewIntegration()
        {
            string projectId = NewProjectId();
            Host.Invoke("New-JelouExternalSupport $args[0] http://127.0.0.1:1/hook", null, projectId).ThrowIfFailed();
            return projectId;
        }

        [Fact]
        public void A_404_from_Get_JelouConversation_is_a_missing_conversation()
        {
            string projectId = NewIntegration();

            ErrorRecord error = Host.Invoke("Get-JelouConversation $args[0] no-such-conversation", null, projectId).SingleError();

            Assert.Equal("JelouNotFound,JelouPS.Commands.GetJelouConversationCommand", error.FullyQualifiedErrorId);
            Assert.StartsWith($"Conversation 'no-such-conversation' of project '{projectId}':", error.ErrorDetails.Message, StringComparison.Ordinal);
            Assert.Contains("no conversation with this id", error.ErrorDetails.RecommendedAction);
            Assert.DoesNotContain("New-JelouExternalSupport", error.ErrorDetails.RecommendedAction);
        }

        [Fact]
        public void A_409_from_Start_JelouConversation_is_an_active_conversation()
        {
            string projectId = NewIntegration();
            Host.Invoke("Start-JelouConversation $args[0] -BotId b1 -UserId u1", null, projectId).ThrowIfFailed();

            ErrorRecord error = Host.Invoke("Start-JelouConversation $args[0] -BotId b1 -UserId u1", null, projectId).SingleError();

            Assert.Equal("JelouConflict,JelouPS.Commands.StartJelouConversationCommand", error.FullyQualifiedErrorId);
            Assert.StartsWith($"Conversation of user 'u1' with bot 'b1' in project '{projectId}':", error.ErrorDetails.Message, StringComparison.Ordinal);
            Assert.Contains("already has an active conversation", error.ErrorDetails.RecommendedAction);
            Assert.Contains("Close-JelouConversation", error.ErrorDetails.RecommendedAction);
            Assert.DoesNotContain("integration", error.ErrorDetails.RecommendedAction);
        }

        [Fact]
        public void A_reply_to_a_closed_conversation_is_advised_to_check_its_state()
        {
            string projectId = NewProjectId();

            ErrorRecord error = Host.Invoke(
                "$i = New-JelouExternalSupport $args[0] http://127.0.0.1:1/hook; $c = Start-JelouConversation $args[0] -BotId b1 -UserId u1; $c | Close-JelouConversation; " +
                "$c | Send-JelouSupportMessage -Text 'after close' -SigningSecret $i.SigningSecret", null, projectId).SingleError();

            Assert.Equal("JelouValidationFailed,JelouPS.Commands.SendJelouSupportMessageCommand", error.FullyQualifiedErrorId);
            Assert.Contains("Get-JelouConversation shows its State): a closed one takes no reply", error.ErrorDetails.RecommendedAction);
        }

        [Fact]
        public void A_server_error_advises_quoting_its_request_id_and_names_it()
        {
            string projectId = NewIntegration();
            var fault = new EmulatorFault { Method = "POST", PathContains = projectId, Status = 500, Body = "{\"message\":\"Internal error\"}" };
            fault.Headers["x-request-id"] = "req-7f3a";
            Emulator.EnqueueFault(fault);

            ErrorRecord error = Host.Invoke("Start-JelouConversation $args[0] -BotId b1 -UserId u1 -Confirm:$false", null, projectId).SingleError();

            Assert.Equal("JelouServerError,JelouPS.Commands.StartJelouConversationCommand", error.FullyQualifiedErrorId);
            // A start that failed there may have been carried out: what to check comes first.
            Assert.StartsWith("Wait a little for its conversation.start event at your webhook", error.ErrorDetails.RecommendedAction, StringComparison.Ordinal);
            // No dedupe is promised: Jelou does not document refusing a second start.
            Assert.DoesNotContain("409", error.ErrorDetails.RecommendedAction);
            Assert.Contains("quote its request id (req-7f3a) to Jelou's support", error.ErrorDetails.RecommendedAction);
        }

        /// <summary>
        /// A change Jelou answered 200 whose answer then broke off or could not be read was carried out: the advice says so,
        /// and not to send it again (a reply would reach the user twice), whatever ErrorId the broken answer has.
        /// </summary>
        [Theory]
        [InlineData("start", "cut", "JelouConnectionFailed", "the conversation was started")]
        [InlineData("start", "html", "JelouInvalidResponse", "the conversation was started")]
        [InlineData("close", "cut", "JelouConnectionFailed", "the conversation was closed")]
        [InlineData("reply", "cut", "JelouConnectionFailed", "the reply was accepted")]
        [InlineData("reply", "slow", "JelouTimeout", "the reply was accepted")]
        [InlineData("update", "cut", "JelouConnectionFailed", "the change was made")]
        public void A_change_answered_200_whose_answer_was_lost_is_said_to_be_carried_out(string call, string broken, string errorId, string done)
        {
            string projectId = NewIntegration();
            var conversation = Host.Invoke("Start-JelouConversation $args[0] -BotId b1 -UserId u1", null, projectId).ThrowIfFailed().Output.Single();
            string secret = Emulator.FindIntegration(projectId)!.SigningSecret;
            Emulator.EnqueueFault(broken switch
            {
                "cut" => new EmulatorFault { Method = call == "update" ? "PATCH" : "POST", PathContains = call == "reply" ? "webhook" : projectId, Mangle = ResponseMangle.Intact, ResetAfterBytes = 5 },
                "slow" => new EmulatorFault { Method = "POST", PathContains = "webhook", Mangle = ResponseMangle.Intact, DripBytesPerSecond = 2 },
                _ => new EmulatorFault { Method = "POST", PathContains = projectId, Status = 200, Body = "<html><body>OK</body></html>", ContentType = "text/html" },
            });
            string script = call switch
            {
                "start" => "Start-JelouConversation $args[0] -BotId b1 -UserId u2",
                "close" => "Close-JelouConversation $args[0] -BotId b1 -UserId u1",
                "update" => "Set-JelouExternalSupport $args[0] -WebhookUrl http://127.0.0.1:2/hook",
                _ => "$args[1] | Send-JelouSupportMessage 'Your refund was approved' -SigningSecret $args[2] -TimeoutSec 2",
            };

            ErrorRecord error = Host.Invoke(script, null, projectId, conversation, secret).SingleError();

            Assert.Equal(errorId, error.FullyQualifiedErrorId.Split(',')[0]);
            Assert.Contains("answered 200", error.ErrorDetails.Message, StringComparison.Ordinal);
            Assert.StartsWith($"Jelou answered 200, so {done}; only the answer", error.ErrorDetails.RecommendedAction, StringComparison.Ordinal);
            Assert.DoesNotContain("Try again", error.ErrorDetails.RecommendedAction, StringComparison.Ordinal);
            Assert.DoesNotContain("-BaseUri", error.ErrorDetails.RecommendedAction, StringComparison.Ordinal);
        }

        [Theory]
        [InlineData("https://gateway.example.com/jelouapi/v1/external-support/x?token=t0ken-never-shown", "https://gateway.example.com/jelouapi/v1/external-support/x")]
        [InlineData("https://admin:t0ken-never-shown@gateway.example.com/x#access_token=t0ken-never-shown", "https://gateway.example.com/x")]
        [InlineData("/login#access_token=t0ken-never-shown", "/login")]
        public void A_redirect_names_where_it_points_without_what_could_carry_a_token_and_advises_the_base_uri(string location, string shown)
        {
            string projectId = NewProjectId();
            var fault = new EmulatorFault { PathContains = projectId, Status = 301 };
            fault.Headers["Location"] = location;
            Emulator.EnqueueFault(fault);

            ErrorRecord error = Host.Invoke("Get-JelouExternalSupport $args[0]", null, projectId).SingleError();

            Assert.Equal("JelouUnexpectedStatus,JelouPS.Commands.GetJelouExternalSupportCommand", error.FullyQualifiedErrorId);
            Assert.Contains($"It redirects to {shown}, and redirects are not followed", error.ErrorDetails.Message);
            Assert.DoesNotContain("t0ken-never-shown", error.ErrorDetails.Message);
            Assert.Contains("Give -BaseUri the address the API answers at", error.ErrorDetails.RecommendedAction);
        }

        [Fact]
        public void A_304_is_no_redirect()
        {
            string projectId = NewProjectId();
            Emulator.EnqueueFault(new EmulatorFault { PathContains = projectId, Status = 304 });

            ErrorRecord error = Host.Invoke("Get-JelouExternalSupport $args[0]", null, projectId).SingleError();

            Assert.Equal("JelouUnexpectedStatus,JelouPS.Commands.GetJelouExternalSupportCommand", error.FullyQualifiedErrorId);
            Assert.DoesNotContain("redirect", error.ErrorDetails.Message + error.ErrorDetails.RecommendedAction, StringComparison.OrdinalIgnoreCase);
        }

        [Fact]
        public void An_error_status_whose_answer_held_a_secret_advises_checking_the_integration()
        {
            string projectId = NewProjectId();
            Emulator.EnqueueFault(new EmulatorFault { Method = "POST", PathContains = projectId, Status = 409, Body = "{\"message\":\"exists\",\"signingSecret\":\"whsec_held_by_a_conflict_0123\"}" });

            Invocation result = Host.Invoke("New-JelouExternalSupport $args[0] http://127.0.0.1:1/hook -WarningAction SilentlyContinue", null, projectId);

            ErrorRecord error = result.SingleError();
            Assert.Equal("JelouConflict,JelouPS.Commands.NewJelouExternalSupportCommand", error.FullyQualifiedErrorId);
            Assert.StartsWith("Jelou answered an error, but its answer held a signing secret: it was delivered as usual", error.ErrorDetails.RecommendedAction, StringComparison.Ordinal);
            Assert.Contains($"Get-JelouExternalSupport '{projectId}'", error.ErrorDetails.RecommendedAction);
        }

        [Fact]
        public void A_404_from_Get_JelouExternalSupport_does_not_tell_you_to_run_it()
        {
            string projectId = NewProjectId();

            ErrorRecord error = Host.Invoke("Get-JelouExternalSupport $args[0]", null, projectId).SingleError();

            Assert.Equal("JelouNotFound,JelouPS.Commands.GetJelouExternalSupportCommand", error.FullyQualifiedErrorId);
            Assert.DoesNotContain("Get-JelouExternalSupport", error.ErrorDetails.RecommendedAction);
            Assert.Contains("New-JelouExternalSupport", error.ErrorDetails.RecommendedAction);
        }

        [Fact]
        public void Advice_of_a_command_given_another_connection_says_to_give_the_commands_it_names_that_connection_too()
        {
            string projectId = NewProjectId();
            const string sameContext = "Give the commands named here the same -Context as this one";
            Host.Invoke("$global:sandbox = Get-JelouContext").ThrowIfFailed();
            string adviceOnSession = Host.Invoke("Get-JelouExternalSupport $args[0] -Context $sandbox", null, projectId).SingleError().ErrorDetails.RecommendedAction;
            // Connecting again makes the session's connection another one (production, say): $sandbox is no longer it.
            Host.Connect(Emulator);

            string advice = Host.Invoke("Get-JelouExternalSupport $args[0] -Context $sandbox", null, projectId).SingleError().ErrorDetails.RecommendedAction;
            string adviceWithout = Host.Invoke("Get-JelouExternalSupport $args[0]", null, projectId).SingleError().ErrorDetails.RecommendedAction;
            string adviceNamingNoCommand = Host.Invoke("Remove-JelouExternalSupport $args[0] -Force -Context $sandbox", null, projectId).SingleError().ErrorDetails.RecommendedAction;

            Assert.Contains("New-JelouExternalSupport", advice);
            Assert.EndsWith(sameContext + ": without it, they use the session's connection.", advice, StringComparison.Ordinal);
            Assert.DoesNotContain(sameContext, adviceWithout);
            Assert.DoesNotContain(sameContext, adviceOnSession);
            Assert.DoesNotContain(sameContext, adviceNamingNoCommand);
            // Bad credentials in the -Context: connecting again as advised would replace the session's connection instead.
            Host.Invoke("$global:badKey = Connect-Jelou -ApiKey wrong-key -BaseUri $sandbox.BaseUri -ChatbotUri $sandbox.ChatbotUri -PassThru").ThrowIfFailed();
            Host.Connect(Emulator);
            string adviceOnBadKey = Host.Invoke("Get-JelouExternalSupport $args[0] -Context $badKey", null, projectId).Terminating!.ErrorDetails.RecommendedAction;
            Assert.Contains("Connect-Jelou", adviceOnBadKey);
            Assert.EndsWith("it also becomes the session's connection, so connect the session again afterwards if it was another.", adviceOnBadKey, StringComparison.Ordinal);
        }

        [Fact]
        public void A_lost_create_on_another_connection_is_recorded_with_advice_that_names_its_context()
        {
            string projectId = NewProjectId();
            Host.Invoke("$global:sandbox = Get-JelouContext").ThrowIfFailed();
            Host.Connect(Emulator);
            Emulator.EnqueueFault(new EmulatorFault { Method = "POST", PathContains = projectId, CloseWithoutAnswer = true, Mangle = ResponseMangle.Intact });

            Host.Invoke("New-JelouExternalSupport $args[0] https://crm.example.com/j -Context $sandbox", null, projectId);

            UnknownOutcome recorded = Host.Invoke("$global:JelouUnknownOutcomes").Output.Select(o => (UnknownOutcome)o.BaseObject).Single(u => u.ProjectId == projectId);
            Assert.Contains("Get-JelouExternalSupport", recorded.Check);
            Assert.EndsWith("Give these commands the -Context New-JelouExternalSupport was given (for " + Emulator.GatewayUri.GetLeftPart(UriPartial.Authority) + "): without it, they use the session's connection.", recorded.Check, StringComparison.Ordinal);
        }

        [Theory]
        [InlineData("--%")]
        [InlineData("o\u2019brien")]
        [InlineData("$(1+1)")]
        [InlineData("a`b")]
        [InlineData("0x10")]
        [InlineData("a,b")]
        public void Advice_names_a_project_as_a_value_PowerShell_parses_back_to_the_id(string projectId)
        {
            string line = $"Reset-JelouExternalSupportSecret {SecretIssuer.Quote(projectId)} -Force -Vault {SecretIssuer.Quote("K\u2019V")}";

            var ast = System.Management.Automation.Language.Parser.ParseInput(line, out _, out System.Management.Automation.Language.ParseError[] errors);

            Assert.Empty(errors);
            var command = (System.Management.Automation.Language.CommandAst)((System.Management.Automation.Language.PipelineAst)ast.EndBlock.Statements[0]).PipelineElements[0];
            Assert.Equal(projectId, command.CommandElements[1].SafeGetValue());
            Assert.Equal("K\u2019V", command.CommandElements[4].SafeGetValue());
        }

        [Fact]
        public void A_failed_TLS_handshake_advises_the_address_or_the_certificate_not_running_again()
        {
            string https = new UriBuilder(Emulator.GatewayUri) { Scheme = "https" }.Uri.AbsoluteUri;
            Host.Invoke("Connect-Jelou -ApiKey $args[0] -BaseUri $args[1]", null, EmulatorOptions.DefaultApiKey, https).ThrowIfFailed();
            try
            {
                ErrorRecord error = Host.Invoke("Get-JelouExternalSupport p1").SingleError();

                Assert.StartsWith("JelouConnectionFailed,", error.FullyQualifiedErrorId, StringComparison.Ordinal);
                Assert.Equal("Nothing was sent, and sending again fails alike: give -BaseUri an http:// address if that port speaks plain http; otherwise make the server's certificate trusted here.", error.ErrorDetails.RecommendedAction);
            }
            finally
            {
                Host.Connect(Emulator);
            }
        }

        [Fact]
        public void A_404_from_Remove_JelouExternalSupport_says_there_is_nothing_to_remove()
        {
            string projectId = NewProjectId();

            ErrorRecord error = Host.Invoke("Remove-JelouExternalSupport $args[0] -Force", null, projectId).SingleError();

            Assert.Equal("JelouNotFound,JelouPS.Commands.RemoveJelouExternalSupportCommand", error.FullyQualifiedErrorId);
            Assert.Contains("nothing to remove", error.ErrorDetails.RecommendedAction);
            Assert.DoesNotContain("New-JelouExternalSupport", error.ErrorDetails.RecommendedAction);
        }

        [Theory]
        [InlineData("Set-JelouExternalSupport $args[0] -AuthType no_auth -Confirm:$false", "PATCH", "SetJelouExternalSupportCommand")]
        [InlineData("Remove-JelouExternalSupport $args[0] -Force", "DELETE", "RemoveJelouExternalSupportCommand")]
        public void A_409_about_an_integration_says_to_read_the_integration_not_a_conversation(string command, string method, string cmdlet)
        {
            string projectId = NewIntegration();
            Emulator.EnqueueFault(new EmulatorFault { Method = method, PathContains = projectId, Status = 409, Body = "{\"message\":\"Integration is being updated\"}" });

            ErrorRecord error = Host.Invoke(command, null, projectId).SingleError();

            Assert.Equal($"JelouConflict,JelouPS.Commands.{cmdlet}", error.FullyQualifiedErrorId);
            Assert.Contains("Get-JelouExternalSupport", error.ErrorDetails.RecommendedAction);
            Assert.DoesNotContain("Conversation", error.ErrorDetails.RecommendedAction);
        }

        [Fact]
        public void A_404_that_is_not_the_APIs_error_body_points_at_the_base_URI()
        {
            string projectId = NewProjectId();
            Emulator.EnqueueFault(new EmulatorFault { PathContains = projectId, Status = 404, Body = "<html><body>Cannot GET</body></html>", ContentType = "text/html" });

            ErrorRecord error = Host.Invoke("Get-JelouExternalSupport $args[0]", null, projectId).SingleError();

            Assert.Equal("JelouNotFound,JelouPS.Commands.GetJelouExternalSupportCommand", error.FullyQualifiedErrorId);
            Assert.Contains("/jelouapi or /platform", error.ErrorDetails.RecommendedAction);
        }

        [Fact]
        public void Every_error_of_a_batch_names_the_project_it_is_about_in_its_message_and_its_exception()
        {
            string first = NewProjectId(), second = NewProjectId();

            Invocation result = Host.Invoke("$args[0], $args[1] | Get-JelouExternalSupport", null, first, second);

            Assert.Equal(new[] { $"Project '{first}':", $"Project '{second}':" },
                result.Errors.Select(e => e.ErrorDetails.Message.Substring(0, e.ErrorDetails.Message.IndexOf(':') + 1)));
            // Runbooks often log $_.Exception.Message alone.
            Assert.All(result.Errors, e => Assert.StartsWith($"Project '{e.TargetObject}': ", e.Exception.Message, StringComparison.Ordinal));
            Assert.All(result.Errors, e => Assert.IsType<JelouApiException>(e.Exception));
            Assert.Equal(new object[] { first, second }, result.Errors.Select(e => e.TargetObject));
        }

        [Fact]
        public void A_create_whose_answer_is_cut_short_before_the_secret_says_a_secret_may_have_been_issued()
        {
            string projectId = NewProjectId();
            Emulator.EnqueueFault(new EmulatorFault { PathContains = projectId, Status = 200, Body = "{\"data\":{\"brainId\":\"" + projectId + "\",\"signingSec" });

            ErrorRecord error = Host.Invoke("New-JelouExternalSupport $args[0] https://crm.example.com/j", null, projectId).SingleError();

            Assert.Equal("JelouInvalidResponse,JelouPS.Commands.NewJelouExternalSupportCommand", error.FullyQualifiedErrorId);
            Assert.Contains("may have issued a signing secret", error.ErrorDetails.Message);
            Assert.Contains($"Reset-JelouExternalSupportSecret '{projectId}' -Force", error.ErrorDetails.RecommendedAction);
        }

        [Fact]
        public void A_create_whose_answer_is_cut_short_after_the_secret_emits_and_keeps_it_and_the_error_carries_it()
        {
            string projectId = NewProjectId();
            Emulator.EnqueueFault(new EmulatorFault { PathContains = projectId, Status = 200, Body = "{\"data\":{\"id\":\"i-9\",\"brainId\":\"" + projectId + "\",\"signingSecret\":\"cut-secret-123\"" });

            Invocation result = Host.Invoke("New-JelouExternalSupport $args[0] https://crm.example.com/j", null, projectId);

            var emitted = (ExternalSupportIntegration)Assert.Single(result.Output).BaseObject;
            Assert.Equal("cut-secret-123", JelouPS.Security.SecureStrings.UseChars(emitted.SigningSecret!, c => new string(c)));
            Assert.Equal("i-9", emitted.Id);
            ErrorRecord error = result.SingleError();
            Assert.Equal("JelouInvalidResponse,JelouPS.Commands.NewJelouExternalSupportCommand", error.FullyQualifiedErrorId);
            Assert.Same(emitted, Assert.IsType<PSObject>(error.TargetObject).BaseObject);
            Assert.Equal("JelouPS.ExternalSupportIntegration#IssuedSecret", ((PSObject)error.TargetObject).TypeNames[0]);
            Assert.Contains("The signing secret did arrive", error.ErrorDetails.Message);
            Assert.DoesNotContain("cut-secret-123", result.AllText());
            Assert.Contains(Host.Invoke("$global:JelouUnsavedIntegrations").Output, o => ReferenceEquals(o.BaseObject, emitted));
        }

        [Fact]
        public void A_404_for_a_route_the_API_does_not_have_points_at_the_base_URI()
        {
            Host.Invoke("Connect-Jelou -ApiKey $args[0] -BaseUri $args[1]", null, EmulatorOptions.DefaultApiKey, Emulator.ChatbotUri).ThrowIfFailed();

            Invocation created = Host.Invoke("New-JelouExternalSupport $args[0] https://crm.example.com/j", null, NewProjectId());
            Invocation read = Host.Invoke("Get-JelouExternalSupport $args[0]", null, NewProjectId());

            foreach (ErrorRecord error in new[] { created.SingleError(), read.SingleError() })
            {
                Assert.Equal(ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);
                Assert.Contains("/jelouapi or /platform", error.ErrorDetails.RecommendedAction);
            }
        }

        [Fact]
        public void A_prompt_the_host_cannot_show_ends_the_command_and_says_how_to_confirm()
        {
            string projectId = NewIntegration();
            int before = Emulator.Requests.Count(r => r.Method == "DELETE");

            Invocation result = Host.Invoke("Remove-JelouExternalSupport $args[0]", null, projectId);

            Assert.Equal("JelouConfirmationRequired,JelouPS.Commands.RemoveJelouExternalSupportCommand", result.Terminating?.FullyQualifiedErrorId);
            Assert.Contains("-Force", result.Terminating!.ErrorDetails.RecommendedAction);
            Assert.Equal(before, Emulator.Requests.Count(r => r.Method == "DELETE"));
        }

        [Fact]
        public void A_prompt_that_only_minus_Confirm_asked_for_says_so_and_to_leave_it_out()
        {
            string projectId = NewIntegration();

            Invocation result = Host.Invoke("Remove-JelouExternalSupport $args[0] -Force -Confirm", null, projectId);

            Assert.Equal("JelouConfirmationRequired,JelouPS.Commands.RemoveJelouExternalSupportCommand", result.Terminating?.FullyQualifiedErrorId);
            Assert.Contains("(-Confirm is on)", result.Terminating!.Exception.Message);
            Assert.Contains("Use -Force without -Confirm", result.Terminating.Exception.Message);
        }

        [Fact]
        public void A_prompt_that_the_confirm_preference_asked_for_names_it_and_the_impact()
        {
            string projectId = NewIntegration();

            Invocation result = Host.Invoke("$ConfirmPreference = 'Medium'; Set-JelouExternalSupport $args[0] -AuthType no_auth", null, projectId);

            Assert.Equal("JelouConfirmationRequired,JelouPS.Commands.SetJelouExternalSupportCommand", result.Terminating?.FullyQualifiedErrorId);
            Assert.Contains("($ConfirmPreference is Medium, and this change's impact is Medium)", result.Terminating!.Exception.Message);
            Assert.Contains("Use -Confirm:$false", result.Terminating.Exception.Message);
        }

        [Fact]
        public void An_error_that_quotes_a_senders_text_writes_its_control_characters_out()
        {
            var exception = new InvalidOperationException("Vault 'V' has no secret named 'Jelou-zz\u202Egnp.exe\u001b[2J'.");

            ErrorRecord record = ErrorMapper.Create(ErrorMapper.VaultReadFailed, exception, "zz", "Project 'zz\u202Egnp.exe'", advice: "Store it as 'a\u0007'.");

            Assert.Equal("Project 'zz`u{202E}gnp.exe': Vault 'V' has no secret named 'Jelou-zz`u{202E}gnp.exe`e[2J'.", record.ErrorDetails.Message);
            Assert.Equal(record.ErrorDetails.Message, record.Exception.Message);
            Assert.Equal("Store it as 'a`a'.", record.ErrorDetails.RecommendedAction);
        }

        [Fact]
        public void An_item_written_out_already_is_not_written_out_again_beside_a_message_that_needs_it()
        {
            // A receiver names a request by its ToString, printable already ("POST /a`e from ..."); the reason beside it
            // quotes what the sender sent raw.
            var exception = new InvalidOperationException("The body is not JSON: '\u001b[2J'.");

            ErrorRecord record = ErrorMapper.Create(ErrorMapper.InvalidWebhookEvent, exception, null, "POST /a`e from 127.0.0.1:5000");

            Assert.Equal("POST /a`e from 127.0.0.1:5000: The body is not JSON: '`e[2J'.", record.ErrorDetails.Message);
        }

        [Fact]
        public void Every_ErrorId_the_mapper_names_is_in_its_one_table_with_a_category()
        {
            string[] ids = typeof(ErrorMapper).GetFields(BindingFlags.NonPublic | BindingFlags.Static)
                .Where(f => f.IsLiteral && f.FieldType == typeof(string)).Select(f => (string)f.GetRawConstantValue()!).ToArray();

            Assert.True(ids.Length >= 25, "the mapper names its ErrorIds as constants");
            Assert.Equal(ids.OrderBy(id => id), ErrorMapper.Table.Keys.OrderBy(id => id));
            Assert.All(ids, id => Assert.StartsWith("Jelou", id, StringComparison.Ordinal));
        }
    }
}
