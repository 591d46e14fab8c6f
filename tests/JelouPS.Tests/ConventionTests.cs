using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Reflection;
using JelouPS.Commands;
using JelouPS.Infrastructure;
using JelouPS.Webhooks;
using Xunit;

namespace JelouPS.Tests
{
    /// <summary>What every cmdlet owes a PowerShell user, checked over the whole assembly.</summary>
    public sealed class ConventionTests
    {
        private static readonly Type[] Cmdlets = typeof(ConnectJelouCommand).Assembly.GetExportedTypes()
            .Where(t => t.GetCustomAttribute<CmdletAttribute>() != null).ToArray();

        [Fact]
        public void Every_cmdlet_uses_an_approved_verb_and_declares_its_output()
        {
            using PowerShell ps = PowerShell.Create();
            var approved = ps.AddCommand("Get-Verb").Invoke().Select(v => (string)v.Properties["Verb"].Value).ToHashSet();
            Assert.NotEmpty(Cmdlets);
            foreach (Type cmdlet in Cmdlets)
            {
                Assert.Contains(cmdlet.GetCustomAttribute<CmdletAttribute>()!.VerbName, approved);
                Assert.NotEmpty(cmdlet.GetCustomAttributes<OutputTypeAttribute>());
            }
        }

        [Fact]
        public void The_manifest_exports_exactly_the_cmdlets_that_exist()
        {
            string manifest = System.IO.Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "JelouPS.psd1");
            using PowerShell ps = PowerShell.Create();
            var data = (Hashtable)ps.AddCommand("Import-PowerShellDataFile").AddParameter("Path", manifest).Invoke().Single().BaseObject;
            var exported = ((object[])data["CmdletsToExport"]!).Cast<string>().OrderBy(s => s);

            var names = Cmdlets.Select(t => t.GetCustomAttribute<CmdletAttribute>()!).Select(a => a.VerbName + "-" + a.NounName).OrderBy(s => s);
            Assert.Equal(names, exported);
        }

        [Fact]
        public void Cmdlets_that_change_state_support_WhatIf()
        {
            foreach (Type cmdlet in Cmdlets)
            {
                CmdletAttribute attribute = cmdlet.GetCustomAttribute<CmdletAttribute>()!;
                if (attribute.VerbName is "New" or "Set" or "Remove" or "Reset" or "Start" or "Close")
                {
                    Assert.True(attribute.SupportsShouldProcess, cmdlet.Name);
                }
            }
        }
    
        [Fact]
        public void Tab_completion_offers_every_cmdlets_common_parameters()
        {
            // One DontShow parameter makes PowerShell hide all common ones from "-<Tab>" (PowerShell/PowerShell#18472).
            using var host = new PowerShellHost();
            foreach (Type cmdlet in Cmdlets)
            {
                CmdletAttribute attribute = cmdlet.GetCustomAttribute<CmdletAttribute>()!;
                string line = $"{attribute.VerbName}-{attribute.NounName} -";
                var offered = host.Invoke("(TabExpansion2 $args[0] $args[0].Length).CompletionMatches.CompletionText", null, line)
                    .ThrowIfFailed().Output.Select(o => o.ToString()).ToList();
                Assert.Contains("-ErrorAction", offered);
                Assert.Contains("-Verbose", offered);
                if (attribute.SupportsShouldProcess) Assert.Contains("-WhatIf", offered);
            }
        }

        [Fact]
        public void Every_cmdlet_past_its_command_line_checks_shows_the_session_lists_in_its_runspace_whether_it_succeeds_or_not()
        {
            // The no-vault warning points there, and a script whose creates ran in ForEach-Object -Parallel reads them there.
            var calls = new Dictionary<string, string>
            {
                ["Connect-Jelou"] = "Connect-Jelou -ApiKey k -BaseUri https://gateway.example.test/jelouapi",
                ["Disconnect-Jelou"] = "Disconnect-Jelou",
                ["Get-JelouContext"] = "Get-JelouContext",
                ["New-JelouExternalSupport"] = "New-JelouExternalSupport p1 https://crm.example.com/jelou",
                ["Get-JelouExternalSupport"] = "Get-JelouExternalSupport p1",
                ["Set-JelouExternalSupport"] = "Set-JelouExternalSupport p1 -AuthType no_auth",
                ["Remove-JelouExternalSupport"] = "Remove-JelouExternalSupport p1 -Force",
                ["Reset-JelouExternalSupportSecret"] = "Reset-JelouExternalSupportSecret p1 -Force",
                ["Save-JelouSigningSecret"] = "Save-JelouSigningSecret -Vault NoSuchVault",
                ["Start-JelouConversation"] = "Start-JelouConversation p1 -BotId b -UserId u",
                ["Close-JelouConversation"] = "Close-JelouConversation p1 -BotId b -UserId u",
                ["Get-JelouConversation"] = "Get-JelouConversation p1 c1",
                ["Send-JelouSupportMessage"] = "Send-JelouSupportMessage -ProjectId p1 -RoomId r -BotId b -UserId u -Text hi -SigningSecret s -ChatbotUri http://127.0.0.1:9 -TimeoutSec 1",
                ["Get-JelouWebhookSignature"] = "Get-JelouWebhookSignature -Payload x -SigningSecret s",
                ["Test-JelouWebhookSignature"] = "Test-JelouWebhookSignature -Payload x -Signature y -SigningSecret s",
                ["ConvertFrom-JelouWebhookEvent"] = "ConvertFrom-JelouWebhookEvent -Payload '{}'",
                ["Send-JelouTestEvent"] = "Send-JelouTestEvent -WebhookUrl http://127.0.0.1:9/h -SigningSecret s -TimeoutSec 1",
                ["Receive-JelouWebhookEvent"] = "Receive-JelouWebhookEvent -Port 1",
            };
            Assert.Equal(Cmdlets.Select(t => t.GetCustomAttribute<CmdletAttribute>()!).Select(a => a.VerbName + "-" + a.NounName).OrderBy(n => n), calls.Keys.OrderBy(n => n));
            foreach (var (name, call) in calls)
            {
                using var host = new PowerShellHost();
                host.Invoke(call + " -ErrorAction SilentlyContinue -WarningAction SilentlyContinue");
                Assert.True((bool)host.Invoke("$null -ne $global:JelouUnsavedIntegrations -and $null -ne $global:JelouUnknownOutcomes").ThrowIfFailed().Output.Single().BaseObject, name);
            }
        }

        /// <summary>Every parameter of every cmdlet, dynamic ones (-Vault, -SecretName, -Proxy, ...) included.</summary>
        private static IEnumerable<(Type Cmdlet, PropertyInfo Property, ParameterAttribute Parameter)> Parameters() =>
            from cmdlet in Cmdlets
            let dynamic = Activator.CreateInstance(cmdlet) is IDynamicParameters offers ? new[] { offers.GetDynamicParameters()!.GetType() } : Type.EmptyTypes
            from type in dynamic.Prepend(cmdlet)
            from property in type.GetProperties()
            from parameter in property.GetCustomAttributes<ParameterAttribute>()
            select (cmdlet, property, parameter);

        // Text that is the user's own words, sent as given; every other text parameter is an id, URL, enum or name.
        private static readonly string[] FreeText = { "Text", "InitialMessage", "Caption", "RedirectText" };

        // Compared with the received header, never sent: any text will do.
        private const string Signature = "Signature";

        [Fact]
        public void A_parameter_that_binds_from_CSV_rows_never_uses_ValidateSet()
        {
            // A ValidateSet rejects a blank cell at binding, without saying which row; these are checked per input instead.
            var offenders = Parameters()
                .Where(p => p.Parameter.ValueFromPipelineByPropertyName && p.Property.GetCustomAttribute<ValidateSetAttribute>() != null)
                .Select(p => p.Cmdlet.Name + " -" + p.Property.Name);
            Assert.Empty(offenders);
        }

        [Fact]
        public void Every_text_parameter_binds_only_from_text_and_every_id_URL_enum_and_name_is_trimmed()
        {
            // An attribute that takes text only: PowerShell would otherwise send any object made into text.
            Type? Expected(PropertyInfo property) =>
                property.PropertyType == typeof(Uri) ? (property.DeclaringType == typeof(ProxyParameters) ? typeof(ProxyUriAttribute) : typeof(SecureUriAttribute))
                : property.Name == Signature ? null
                : FreeText.Contains(property.Name) ? typeof(FreeTextAttribute)
                : typeof(TrimmedAttribute);
            var offenders = Parameters()
                .Where(p => p.Property.PropertyType == typeof(string) || p.Property.PropertyType == typeof(string[]) || p.Property.PropertyType == typeof(Uri))
                .Where(p => Expected(p.Property) is Type attribute && p.Property.GetCustomAttribute(attribute) is null)
                .Select(p => p.Cmdlet.Name + " -" + p.Property.Name)
                .Distinct();
            Assert.Empty(offenders);
        }

        [Fact]
        public void Every_id_parameter_is_checked_as_an_id()
        {
            string[] ids = { "ProjectId", "BotId", "UserId", "RoomId", "ConversationId", "MessageId" };
            var offenders = Parameters()
                .Where(p => ids.Contains(p.Property.Name) && p.Property.GetCustomAttribute<ValidateIdAttribute>() is null)
                .Select(p => p.Cmdlet.Name + " -" + p.Property.Name)
                .Distinct();
            Assert.Empty(offenders);
        }

        [Fact]
        public void ValidateSet_values_are_the_client_constants()
        {
            string[] Values(Type cmdlet, string parameter) => cmdlet.GetProperty(parameter)!.GetCustomAttribute<ValidateSetAttribute>()!.ValidValues.ToArray();
            Assert.Equal(CloseConversationRequest.RedirectTypes, Values(typeof(CloseJelouConversationCommand), "RedirectType"));
            Assert.Equal(SupportMessage.Types.Where(t => t != SupportMessage.TextType), Values(typeof(SendJelouSupportMessageCommand), "MediaType"));
            Assert.Equal(TestEventRequest.EventTypes, Values(typeof(SendJelouTestEventCommand), "EventType"));
        }

        [Fact]
        public void Shared_parameters_have_one_declaration_each_except_the_payload_ids_of_the_reply_and_test_event_cmdlets()
        {
            // Declared where they are shared; Send-JelouSupportMessage and Send-JelouTestEvent carry their own payload ids
            // (-Text is the reply cmdlet's positional parameter; the test event's ids are optional sample values). The
            // receivers (ConvertFrom- and Receive-JelouWebhookEvent) check the credential an integration is set with, and
            // descend from JelouCmdletBase, not from the API cmdlets: they declare -AuthType and -WebhookAuthorization once more,
            // and so does Test-JelouWebhookSignature, for its -Request, beside the signing cmdlets' -Payload and -InputObject.
            var expected = new Dictionary<string, Type[]>
            {
                ["Vault"] = new[] { typeof(SecretVaultParameters) },
                ["SecretName"] = new[] { typeof(SecretVaultParameters) },
                ["Context"] = new[] { typeof(JelouApiCmdletBase) },
                ["Proxy"] = new[] { typeof(ProxyParameters) },
                ["ProxyCredential"] = new[] { typeof(ProxyParameters) },
                ["ProxyUseDefaultCredentials"] = new[] { typeof(ProxyParameters) },
                ["NoProxy"] = new[] { typeof(ProxyParameters) },
                ["AuthType"] = new[] { typeof(WebhookSettingsCmdletBase), typeof(SendJelouTestEventCommand), typeof(WebhookReceiverCmdletBase), typeof(TestJelouWebhookSignatureCommand) },
                ["WebhookAuthorization"] = new[] { typeof(WebhookSettingsCmdletBase), typeof(SendJelouTestEventCommand), typeof(WebhookReceiverCmdletBase), typeof(TestJelouWebhookSignatureCommand) },
                ["ProjectId"] = new[] { typeof(ProjectCmdletBase), typeof(SendJelouSupportMessageCommand), typeof(SendJelouTestEventCommand) },
                ["BotId"] = new[] { typeof(ConversationCmdletBase), typeof(SendJelouSupportMessageCommand), typeof(SendJelouTestEventCommand) },
                ["UserId"] = new[] { typeof(ConversationCmdletBase), typeof(SendJelouSupportMessageCommand), typeof(SendJelouTestEventCommand) },
            };
            foreach (var (name, declaringTypes) in expected)
            {
                var actual = Parameters().Where(p => p.Property.Name == name).Select(p => p.Property.DeclaringType!).Distinct();
                Assert.Equal(declaringTypes.Select(t => t.Name).OrderBy(n => n), actual.Select(t => t.Name).OrderBy(n => n));
            }
        }
    }
}
