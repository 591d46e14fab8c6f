using System;
using System.Linq;
using System.Management.Automation;
using System.Text;
using JelouPS.Emulator;
using JelouPS.Json;
using JelouPS.Security;
using JelouPS.Webhooks;
using Xunit;

namespace JelouPS.Tests
{
    /// <summary>The webhook toolkit through a real runspace: signatures, typed events, conversations and replies.</summary>
    public sealed class WebhookCmdletTests : HostedTest
    {
        private const string Namespace = "JelouPS.Commands.";
        private const string Body = "{\"event_type\":\"message\",\"project_id\":\"P\",\"room_id\":\"R\",\"contact\":{\"id\":\"U\"},\"bot\":{\"id\":\"B\"},\"value\":{\"id\":\"M\",\"type\":\"text\",\"content\":{\"body\":\"hola ñ\"}}}";

        public WebhookCmdletTests(EmulatorFixture fixture) : base(fixture) { }

        private static string Sign(string body, string secret) =>
            JelouSignature.Compute(Encoding.UTF8.GetBytes(body), SecureStrings.FromString(secret));

        [Fact]
        public void Signatures_of_strings_bytes_and_objects_agree_with_the_client()
        {
            Invocation result = Host.Invoke(@"
                Get-JelouWebhookSignature -Payload $args[0] -SigningSecret 'sig-secret'
                Get-JelouWebhookSignature -Payload ([Text.Encoding]::UTF8.GetBytes($args[0])) -SigningSecret 'sig-secret'
                Get-JelouWebhookSignature -InputObject ([ordered]@{ n = 1.5; list = @(1, 'x'); obj = [pscustomobject]@{ z = $null; a = $true } }) -SigningSecret 'sig-secret'",
                null, Body);

            string[] signatures = result.ThrowIfFailed().Output.Select(o => (string)o.BaseObject).ToArray();
            Assert.Equal(Sign(Body, "sig-secret"), signatures[0]);
            Assert.Equal(signatures[0], signatures[1]);
            Assert.Equal(Sign("{\"n\":1.5,\"list\":[1,\"x\"],\"obj\":{\"z\":null,\"a\":true}}", "sig-secret"), signatures[2]);
            Assert.DoesNotContain("sig-secret", result.AllText());
        }

        [Theory]
        [InlineData("good", true)]
        [InlineData("", false)]
        [InlineData("sha256=", false)]
        [InlineData("sha256=not-hex!", false)]
        [InlineData("tampered", false)]
        public void Test_signature_answers_true_or_false_and_never_errors(string signature, bool expected)
        {
            string given = signature == "good" ? Sign(Body, "s") : signature == "tampered" ? Sign(Body + " ", "s") : signature;

            Invocation result = Host.Invoke("Test-JelouWebhookSignature -Payload $args[0] -Signature $args[1] -SigningSecret 's'", null, Body, given);

            Assert.Equal(expected, (bool)Assert.Single(result.ThrowIfFailed().Output).BaseObject);
        }

        [Theory]
        [InlineData("Test-JelouWebhookSignature -Payload $args[0] -Signature $args[1] -SigningSecret \"s`n\"", true)]
        [InlineData("(ConvertFrom-JelouWebhookEvent -Payload $args[0] -Signature $args[1] -SigningSecret ' s').ProjectId", "P")]
        [InlineData("Get-JelouWebhookSignature -Payload $args[0] -SigningSecret \"s`r`n\"", "signature")]
        public void A_signing_secret_read_with_its_line_break_is_used_without_it_and_says_so(string command, object expected)
        {
            Invocation result = Host.Invoke(command, null, Body, Sign(Body, "s"));

            Assert.Equal(expected as string == "signature" ? Sign(Body, "s") : expected, Assert.Single(result.ThrowIfFailed().Output).BaseObject);
            Assert.Equal("The signing secret has a space or line break around it (a copy read from a file often does): it is used without them, as Jelou issued it.", Assert.Single(result.Warnings));
        }

        [Theory]
        [InlineData("Test-JelouWebhookSignature -Payload $args[0] -Signature $args[1] -SigningSecret '\"s\"'", true, "quotation marks around it")]
        [InlineData("(ConvertFrom-JelouWebhookEvent -Payload $args[0] -Signature $args[1] -SigningSecret \"`u{201C}s`u{201D}`n\").ProjectId", "P", "quotation marks around it and a space or line break")]
        [InlineData("Test-JelouWebhookSignature -Payload $args[0] -Signature $args[1] -SigningSecret \"`u{1F676}s`u{1F677}\"", true, "quotation marks around it")]
        // A JSON value dragged across with its closing quote: said to be where it is.
        [InlineData("Test-JelouWebhookSignature -Payload $args[0] -Signature $args[1] -SigningSecret 's\"'", true, "a quotation mark at its end")]
        public void A_signing_secret_in_quotation_marks_is_used_without_them_and_says_so(string command, object expected, string around)
        {
            // docker --env-file keeps the quotes of JELOU_SIGNING_SECRET="..."; a word processor's are curly.
            Invocation result = Host.Invoke(command, null, Body, Sign(Body, "s"));

            Assert.Equal(expected, Assert.Single(result.ThrowIfFailed().Output).BaseObject);
            Assert.Equal($"The signing secret has {around} (an env file that docker --env-file reads, or a spreadsheet cell, may keep them): it is used without them, as Jelou issued it.",
                Assert.Single(result.Warnings));
        }

        [Theory]
        // A whole env line, a JSON value with its comma, a JSON-escaped copy: taking the quotes off would not leave Jelou's
        // secret, so the warning does not say it did.
        [InlineData("JELOU_SIGNING_SECRET=\"s\"")]
        [InlineData("\"s\",")]
        [InlineData("\\\"s\\\"")]
        public void A_signing_secret_with_a_quotation_mark_inside_is_said_to_match_none_not_mended(string secret)
        {
            Invocation result = Host.Invoke("Test-JelouWebhookSignature -Payload $args[0] -Signature $args[1] -SigningSecret $args[2]", null, Body, Sign(Body, "s"), secret);

            Assert.Equal(false, Assert.Single(result.ThrowIfFailed().Output).BaseObject);
            Assert.Equal("The signing secret has a quotation mark inside (a whole line of an env or JSON file copied?), which no signing secret Jelou issues has: copy the secret alone. " +
                "Signatures made with it will most likely match none of Jelou's.", Assert.Single(result.Warnings));
        }

        [Fact]
        public void A_signature_given_as_the_signing_secret_ends_a_verifier_before_it_verifies_or_listens()
        {
            // The delivery's own header value, copied from a request log where the secret was meant.
            string signature = Sign(Body, "s");

            Invocation test = Host.Invoke("Test-JelouWebhookSignature -Payload $args[0] -Signature $args[1] -SigningSecret \" $($args[1])`n\"", null, Body, signature);
            Invocation receive = Host.Invoke("Receive-JelouWebhookEvent -Port 1 -SigningSecret 'good-secret-1', $args[0] -TimeoutSec 1", null, signature);

            Assert.Empty(test.Output);
            Assert.Equal("JelouInvalidArgument,JelouPS.Commands.TestJelouWebhookSignatureCommand", test.Terminating!.FullyQualifiedErrorId);
            Assert.Equal("The signing secret is a signature (sha256= and 64 hex digits, an X-Jelou-Signature header's value), not the signing secret that makes one: copy the signingSecret Jelou issued.",
                test.Terminating.Exception.Message);
            Assert.Empty(receive.Warnings);
            Assert.Equal("JelouInvalidArgument,JelouPS.Commands.ReceiveJelouWebhookEventCommand", receive.Terminating!.FullyQualifiedErrorId);
            Assert.StartsWith("Signing secret 2 of 2 is a signature (sha256= and 64 hex digits", receive.Terminating.Exception.Message);
        }

        [Fact]
        public void A_signing_secret_no_issued_secret_looks_like_draws_a_warning_and_is_used_as_given_and_a_blank_one_only_its_error()
        {
            Invocation inner = Host.Invoke("Test-JelouWebhookSignature -Payload $args[0] -Signature $args[1] -SigningSecret 's s'", null, Body, Sign(Body, "s s"));
            Invocation blank = Host.Invoke("Test-JelouWebhookSignature -Payload $args[0] -Signature $args[1] -SigningSecret ' '", null, Body, Sign(Body, "s"));

            // Trimming would not mend a zero-width space inside: that is what is said, not "trim it".
            Invocation innerAndAround = Host.Invoke("Get-JelouWebhookSignature -Payload $args[0] -SigningSecret \"s`u{200B}s`n\"", null, Body);

            Assert.True((bool)Assert.Single(inner.ThrowIfFailed().Output).BaseObject);
            Assert.StartsWith("The signing secret has spaces, control, invisible or half characters", Assert.Single(inner.Warnings));
            Assert.StartsWith("The signing secret has spaces, control, invisible or half characters", Assert.Single(innerAndAround.Warnings));
            Invocation oneOfTwo = Host.Invoke("Receive-JelouWebhookEvent -Port 1 -SigningSecret ' good-secret-1', '  ' -TimeoutSec 1");

            Assert.Empty(blank.Warnings);
            Assert.Contains("is blank", blank.Terminating!.ToString());
            Assert.Empty(oneOfTwo.Warnings);
            Assert.Equal("JelouInvalidArgument,JelouPS.Commands.ReceiveJelouWebhookEventCommand", oneOfTwo.Terminating!.FullyQualifiedErrorId);
            Assert.StartsWith("Signing secret 2 of 2 is blank", oneOfTwo.Terminating.Exception.Message);
            Assert.Empty(Host.Invoke("Test-JelouWebhookSignature -Payload $args[0] -Signature $args[1] -SigningSecret 's'", null, Body, Sign(Body, "s")).Warnings);
        }

        [Theory]
        [InlineData("-MediaType document -MediaUrl https://cdn.example.com/Q3.XLSX?sig=1 -MimeType ", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "application/pdf")]
        [InlineData("-MediaType audio -MediaUrl https://cdn.example.com/note -MimeType audio/o", "audio/ogg", null)]
        [InlineData("-MediaType image -MimeType ", "image/jpeg", "image/png")]
        public void MimeType_completes_the_media_urls_type_first_then_the_media_types(string parameters, string first, string? alsoOffered)
        {
            string line = "Send-JelouSupportMessage -ProjectId p1 -RoomId r1 -BotId b1 -UserId u1 " + parameters;

            string[] offered = Host.Invoke("(TabExpansion2 $args[0] $args[0].Length).CompletionMatches.CompletionText", null, line)
                .ThrowIfFailed().Output.Select(o => o.ToString()!).ToArray();

            Assert.Equal(first, offered[0]);
            if (alsoOffered != null) Assert.Contains(alsoOffered, offered);
            string mediaType = parameters.Split(' ')[1];
            Assert.All(offered.Skip(1), mime => Assert.True(mediaType == "document" ? !mime.StartsWith("image/") && !mime.StartsWith("audio/") && !mime.StartsWith("video/") : mime.StartsWith(mediaType + "/"), mime));
        }

        [Fact]
        public void Stored_deliveries_are_checked_in_one_pipeline_by_property_name_in_order()
        {
            Invocation result = Host.Invoke(@"
                $deliveries = @(
                    [pscustomobject]@{ Payload = $args[0]; Signature = $args[1] }
                    [pscustomobject]@{ Body = [Text.Encoding]::UTF8.GetBytes($args[0]); Signature = $args[1] }
                    [pscustomobject]@{ Payload = $args[0] + ' '; Signature = $args[1] }
                    [pscustomobject]@{ Payload = $args[0]; Signature = 'sha256=00' }
                )
                $deliveries | Test-JelouWebhookSignature -SigningSecret 's'
                $deliveries | Get-JelouWebhookSignature -SigningSecret 's'",
                null, Body, Sign(Body, "s"));

            object[] output = result.ThrowIfFailed().Output.Select(o => o.BaseObject).ToArray();
            Assert.Equal(new object[] { true, true, false, false }, output.Take(4));
            Assert.Equal(new object[] { Sign(Body, "s"), Sign(Body, "s"), Sign(Body + " ", "s"), Sign(Body, "s") }, output.Skip(4));
        }

        [Theory]
        [InlineData("''")]
        [InlineData("([byte[]]@())")]
        public void An_empty_body_is_simply_not_signed_by_that_secret(string payload)
        {
            Invocation result = Host.Invoke($"Test-JelouWebhookSignature -Payload {payload} -Signature $args[0] -SigningSecret 's'; ConvertFrom-JelouWebhookEvent -Payload {payload} -Signature $args[0] -SigningSecret 's'", null, Sign(Body, "s"));

            Assert.False((bool)Assert.Single(result.Output).BaseObject);
            Assert.Equal("JelouSignatureMismatch," + Namespace + "ConvertFromJelouWebhookEventCommand", result.SingleError().FullyQualifiedErrorId);
        }

        [Fact]
        public void A_verified_body_becomes_a_typed_event_that_pipes_into_a_reply()
        {
            Invocation result = Host.Invoke("$args[0] | ConvertFrom-JelouWebhookEvent -Signature $args[1] -SigningSecret 's'", null, Body, Sign(Body, "s"));

            var message = Assert.IsType<JelouMessageEvent>(Assert.Single(result.ThrowIfFailed().Output).BaseObject);
            Assert.Equal("hola ñ", message.Text);
            Assert.Equal(("P", "R", "U", "B"), (message.ProjectId, message.RoomId, message.UserId, message.BotId));
        }

        [Fact]
        public void A_body_that_does_not_match_its_signature_is_JelouSignatureMismatch()
        {
            Invocation result = Host.Invoke("ConvertFrom-JelouWebhookEvent -Payload $args[0] -Signature $args[1] -SigningSecret 'other'", null, Body, Sign(Body, "s"));

            ErrorRecord error = result.SingleError();
            Assert.Equal("JelouSignatureMismatch," + Namespace + "ConvertFromJelouWebhookEventCommand", error.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.SecurityError, error.CategoryInfo.Category);
            Assert.Empty(result.Output);
        }

        [Fact]
        public void A_body_that_is_not_a_json_object_is_JelouInvalidWebhookEvent()
        {
            Invocation result = Host.Invoke("'<html>' | ConvertFrom-JelouWebhookEvent");

            Assert.Equal("JelouInvalidWebhookEvent," + Namespace + "ConvertFromJelouWebhookEventCommand", result.SingleError().FullyQualifiedErrorId);
        }

        [Fact]
        public void A_byte_array_sent_down_the_pipeline_byte_by_byte_is_refused_with_how_to_pass_it_whole()
        {
            Invocation result = Host.Invoke("$bytes = [Text.Encoding]::UTF8.GetBytes($args[0]); $bytes[0..1] | ConvertFrom-JelouWebhookEvent; (,$bytes | ConvertFrom-JelouWebhookEvent).EventName", null, Body);

            Assert.Equal(2, result.Errors.Length);
            Assert.Contains("one byte at a time. Give the body with -Payload $bytes, or pipe it whole: ,$bytes | ...", result.Errors[0].Exception.Message);
            Assert.Equal("message", Assert.Single(result.Output).ToString());
        }

        /// <summary>
        /// The receiver's own setup refuses each delivery with an error -ErrorVariable collects as an ErrorRecord of category
        /// InvalidArgument (a host's script answers it 500): a terminating error would put only an exception there, and a
        /// binding error ($null) nothing at all, so that the README's script answered 200 and the delivery was lost.
        /// </summary>
        [Theory]
        [InlineData("-Payload $args[0] -Signature 'sha256=00'", "verified against its signing secret")]
        [InlineData("-Payload $args[0] -Signature 'sha256=00' -SigningSecret $null", "-SigningSecret: The secret is $null")]
        [InlineData("-Payload $args[0] -Signature 'sha256=00' -SigningSecret ' '", "is blank")]
        [InlineData("-Request @{ RawBody = $args[0]; Headers = @{} }", "give -SigningSecret")]
        [InlineData("-Request @{ RawBody = $args[0]; Headers = @{} } -SigningSecret 'k-123456' -AuthType bearer -WebhookAuthorization $null", "-WebhookAuthorization: The secret is $null")]
        [InlineData("-Request @{ RawBody = $args[0]; Headers = @{} } -SigningSecret 'k-123456' -WebhookAuthorization 't-1'", "give -AuthType")]
        [InlineData("-Payload $args[0] -SigningSecret 'k-123456' -AuthType bearer -WebhookAuthorization 't-1'", "pass the request with -Request")]
        public void The_receivers_own_setup_refuses_each_delivery_with_an_error_ErrorVariable_collects(string arguments, string message)
        {
            Invocation result = Host.Invoke(
                $"ConvertFrom-JelouWebhookEvent {arguments} -ErrorAction SilentlyContinue -ErrorVariable problem; $problem | ForEach-Object {{ $_.GetType().Name; [string]$_.CategoryInfo.Category; $_.FullyQualifiedErrorId; $_.Exception.Message }}",
                null, Body);

            Assert.Null(result.Terminating);
            Assert.Equal(4, result.Output.Count);
            Assert.Equal(new[] { "ErrorRecord", "InvalidArgument", "JelouInvalidArgument," + Namespace + "ConvertFromJelouWebhookEventCommand" }, result.Output.Take(3).Select(o => o.ToString()));
            Assert.Contains(message, result.Output[3].ToString());
            Assert.DoesNotContain("(Parameter '", result.Output[3].ToString());
        }

        [Fact]
        public void Start_sends_metadata_of_any_nesting_and_only_the_keys_given()
        {
            string projectId = "conv-" + Guid.NewGuid().ToString("N");
            Host.Invoke("New-JelouExternalSupport $args[0] https://crm.example.com/j", null, projectId).ThrowIfFailed();

            Invocation result = Host.Invoke(
                "Start-JelouConversation $args[0] -BotId b1 -UserId u1 -Metadata ([ordered]@{ ticket = 'T-1'; tags = @('a', 'b'); customer = [pscustomobject]@{ tier = 'gold'; years = 3 } }) -Confirm:$false",
                null, projectId);

            var conversation = Assert.IsType<Conversation>(Assert.Single(result.ThrowIfFailed().Output).BaseObject);
            Assert.Equal("u1", conversation.UserId);
            Assert.Equal("{\"botId\":\"b1\",\"userId\":\"u1\",\"metadata\":{\"ticket\":\"T-1\",\"tags\":[\"a\",\"b\"],\"customer\":{\"tier\":\"gold\",\"years\":3}}}",
                Emulator.Requests.Last(r => r.Path.EndsWith("/conversations/start", StringComparison.Ordinal)).Body);
        }

        [Fact]
        public void Start_sends_metadata_values_as_ConvertTo_Json_would_and_warns_of_digits_JSON_loses()
        {
            string projectId = "conv-" + Guid.NewGuid().ToString("N");
            Host.Invoke("New-JelouExternalSupport $args[0] https://crm.example.com/j", null, projectId).ThrowIfFailed();

            // A lookup that finds nothing leaves "no output" in the hashtable: null, not an empty object.
            Invocation result = Host.Invoke(
                "Start-JelouConversation $args[0] -BotId b1 -UserId u1 -Metadata ([ordered]@{ assignee = (Get-ChildItem /no/such/path -ErrorAction Ignore); " +
                "ticket = [guid]'0f8fad5b-d9cb-469f-a165-70867728950e'; waId = [long]9007199254740993; ratio = [float]0.1 }) -Confirm:$false",
                null, projectId);

            result.ThrowIfFailed();
            Assert.Equal("{\"botId\":\"b1\",\"userId\":\"u1\",\"metadata\":{\"assignee\":null,\"ticket\":\"0f8fad5b-d9cb-469f-a165-70867728950e\",\"waId\":9007199254740992,\"ratio\":0.1}}",
                Emulator.Requests.Last(r => r.Path.EndsWith("/conversations/start", StringComparison.Ordinal)).Body);
            Assert.Contains("9007199254740993 as 9007199254740992", Assert.Single(result.Warnings));
        }

        [Theory]
        [InlineData("@{ customer = @{ since = [timespan]::FromDays(3) } }", "TimeSpan has no JSON form", "(at metadata.customer.since)")]
        [InlineData("@{ doc = [xml]'<r><b>1</b></r>' }", "XML Document has no JSON form", "(at metadata.doc)")]
        [InlineData("$o = 1; foreach ($i in 1..64) { $o = [ordered]@{ a = $o } }; $o", "deeper than 64 levels", "(at metadata.a.a.a.")]
        [InlineData("$o = @{}; foreach ($i in 1..63) { $o = [ordered]@{ a = $o } }; $o", "deeper than 64 levels", "(at metadata.a.a.a.")]
        [InlineData("$h = @{}; $h.self = $h; $h", "refers to itself", "(at metadata.self.self.self....self.self.self (64 levels))")]
        [InlineData("[pscustomobject]@{ a = [pscustomobject]@{ c = 1 } | Add-Member -MemberType ScriptProperty -Name b -Value { throw 'boom' } -PassThru }", "could not be read: boom", "(at metadata.a.b)")]
        [InlineData("$h = [ordered]@{}; $h.Add(1, 'a'); $h.Add('1', 'b'); @{ ids = $h }", "both the text \"1\"", "(at metadata.ids)")]
        public void Start_refuses_metadata_with_no_JSON_form_once_before_asking_or_sending_and_says_where(string metadata, string problem, string where)
        {
            int requests = Emulator.Requests.Count;

            // Three CSV-like rows: a mistake on the command line is said once, not for each.
            Invocation result = Host.Invoke($"$m = & {{ {metadata} }}; 'u1', 'u2', 'u3' | ForEach-Object {{ [pscustomobject]@{{ UserId = $_ }} }} | Start-JelouConversation p -BotId b -Metadata $m -Confirm");

            Assert.True(result.Errors.Length == 0, string.Join(" | ", result.Errors.Select(e => e.FullyQualifiedErrorId + ": " + e.Exception.Message)));
            ErrorRecord error = result.Terminating!;
            Assert.Equal("JelouInvalidArgument," + Namespace + "StartJelouConversationCommand", error.FullyQualifiedErrorId);
            Assert.Contains(problem, error.Exception.Message);
            Assert.Contains(where, error.Exception.Message);
            Assert.Equal(requests, Emulator.Requests.Count);
        }

        [Theory]
        [InlineData("-RedirectType text", "A text redirect needs -RedirectText")]
        [InlineData("-RedirectType edge -RedirectText bye", "An edge redirect takes no -RedirectText")]
        public void Close_refuses_a_redirect_that_cannot_be_sent_once_before_asking_or_sending(string redirect, string problem)
        {
            int requests = Emulator.Requests.Count;

            // Three CSV-like rows: a mistake on the command line is said once, not for each.
            Invocation result = Host.Invoke($"'u1', 'u2', 'u3' | ForEach-Object {{ [pscustomobject]@{{ UserId = $_ }} }} | Close-JelouConversation p -BotId b {redirect} -Confirm");

            Assert.Empty(result.Errors);
            ErrorRecord error = result.Terminating!;
            Assert.Equal("JelouInvalidArgument," + Namespace + "CloseJelouConversationCommand", error.FullyQualifiedErrorId);
            Assert.Contains(problem, error.Exception.Message);
            Assert.Equal(requests, Emulator.Requests.Count);
        }

        [Fact]
        public void Metadata_nested_63_levels_deep_is_sent_the_body_being_the_64th()
        {
            Invocation result = Host.Invoke("$o = 1; foreach ($i in 1..63) { $o = [ordered]@{ a = $o } }; Start-JelouConversation p -BotId b -UserId u -Metadata $o -WhatIf");

            Assert.Empty(result.Errors);
            Assert.Null(result.Terminating);
        }

        [Fact]
        public void A_signature_cmdlet_refuses_a_value_with_no_JSON_form_before_warning_about_its_numbers()
        {
            Invocation result = Host.Invoke("Test-JelouWebhookSignature -InputObject ([ordered]@{ n = 9007199254740993; t = [timespan]0 }) -Signature sha256=00 -SigningSecret k -WarningAction Stop");

            Assert.Empty(result.Warnings);
            Assert.Null(result.Terminating);
            Assert.Contains("(at t)", result.SingleError().Exception.Message);
        }

        [Fact]
        public void The_signature_of_an_object_holding_no_output_is_that_of_null_as_Node_signs_it()
        {
            Invocation result = Host.Invoke(
                "(Get-JelouWebhookSignature -InputObject @{ a = (Get-ChildItem /no/such/path -ErrorAction Ignore) } -SigningSecret k) -eq (Get-JelouWebhookSignature -Payload '{\"a\":null}' -SigningSecret k)");

            Assert.True((bool)Assert.Single(result.ThrowIfFailed().Output).BaseObject);
        }

        [Theory]
        [InlineData("-AssignmentType queue", "needs both")]
        [InlineData("-AssignmentTarget x", "needs both")]
        public void Start_checks_the_assignment_before_sending(string parameters, string message)
        {
            Invocation result = Host.Invoke($"Start-JelouConversation p -BotId b -UserId u {parameters} -Confirm:$false");

            ErrorRecord error = result.SingleError();
            Assert.Equal("JelouInvalidArgument," + Namespace + "StartJelouConversationCommand", error.FullyQualifiedErrorId);
            Assert.Contains(message, error.Exception.Message);
        }

        [Theory]
        [InlineData("-Text hi", "-SigningSecret")]
        [InlineData("-Text hi -SigningSecret s -Vault v", "not both")]
        public void A_reply_needs_exactly_one_source_of_the_signing_secret(string parameters, string message)
        {
            Invocation result = Host.Invoke($"Send-JelouSupportMessage -ProjectId p -RoomId r -BotId b -UserId u {parameters}");

            Assert.Equal("JelouInvalidArgument," + Namespace + "SendJelouSupportMessageCommand", result.Terminating?.FullyQualifiedErrorId);
            Assert.Contains(message, result.Terminating!.Exception.Message);
        }

        [Fact]
        public void A_media_reply_with_a_plain_http_url_is_refused_at_binding()
        {
            Invocation result = Host.Invoke("Send-JelouSupportMessage -ProjectId p -RoomId r -BotId b -UserId u -MediaType image -MediaUrl http://cdn.example.com/a.jpg -MimeType image/jpeg -SigningSecret s");

            Assert.IsAssignableFrom<ParameterBindingException>(result.Terminating?.Exception);
        }
    }
}
