using System;
using System.Linq;
using System.Management.Automation;
using JelouPS.Emulator;
using Xunit;

namespace JelouPS.Tests
{
    /// <summary>
    /// The reply endpoint takes no API key (jelou-api.md §2.2, §4.9): an Azure Function or runbook that holds only the
    /// signing secret replies without Connect-Jelou.
    /// </summary>
    public sealed class ReplyWithoutConnectionTests : HostedTest
    {
        public ReplyWithoutConnectionTests(EmulatorFixture fixture) : base(fixture, connect: false) { }

        /// <summary>
        /// An integration and a conversation made through another runspace's connection: the secret as a receiver would
        /// hold it, and the room its event would name.
        /// </summary>
        private (string Secret, string RoomId) Conversation(string projectId)
        {
            using var admin = new PowerShellHost();
            admin.Connect(Emulator);
            admin.Invoke("New-JelouExternalSupport $args[0] https://crm.example.com/j", null, projectId).ThrowIfFailed();
            string roomId = (string)admin.Invoke("(Start-JelouConversation $args[0] -BotId b1 -UserId u1).RoomId", null, projectId).ThrowIfFailed().Output.Single().BaseObject;
            return (Emulator.FindIntegration(projectId)!.SigningSecret, roomId);
        }

        // Also with the line break a secret read with Get-Content -Raw (or an Automation variable) ends in: it is used without it.
        [Theory]
        [InlineData("")]
        [InlineData("\n")]
        public void A_reply_with_only_the_signing_secret_and_ChatbotUri_reaches_Jelou(string around)
        {
            string projectId = "p-" + Guid.NewGuid().ToString("N").Substring(0, 12);
            (string secret, string roomId) = Conversation(projectId);

            Invocation result = Host.Invoke(
                "Send-JelouSupportMessage -ChatbotUri $args[0] -ProjectId $args[1] -RoomId $args[3] -BotId b1 -UserId u1 -Text 'On it' -SigningSecret $args[2]",
                null, Emulator.ChatbotUri, projectId, secret + around, roomId);

            result.ThrowIfFailed();
            Assert.Single(result.Output);
            Assert.Contains(Emulator.AgentMessages, m => m.ProjectId == projectId && m.Text == "On it");
            Assert.Equal(around.Length == 0 ? 0 : 1, result.Warnings.Count(w => w.StartsWith("The signing secret has a space or line break around it", StringComparison.Ordinal)));
        }

        [Fact]
        public void Without_a_connection_or_ChatbotUri_the_reply_goes_to_the_production_host_not_to_an_error()
        {
            Invocation result = Host.Invoke("Send-JelouSupportMessage -ProjectId p1 -RoomId r1 -BotId b1 -UserId u1 -Text hi -SigningSecret s -WhatIf -Verbose");

            Assert.Null(result.Terminating);
            Assert.Empty(result.Errors);
            Assert.Empty(result.Output);
        }

        [Fact]
        public void Without_a_connection_a_conversation_read_from_another_API_is_refused_not_answered_through_production()
        {
            string projectId = "p-" + Guid.NewGuid().ToString("N").Substring(0, 12);
            (string secret, string roomId) = Conversation(projectId);
            // As Start-JelouConversation emits it, read from the emulator (its ApiBaseUri); this runspace never connected.
            var conversation = new System.Collections.Hashtable
            {
                ["ProjectId"] = projectId, ["RoomId"] = roomId, ["BotId"] = "b1", ["UserId"] = "u1", ["ApiBaseUri"] = Emulator.GatewayUri,
            };

            Invocation refused = Host.Invoke("[pscustomobject]$args[0] | Send-JelouSupportMessage 'On it' -SigningSecret $args[1]", null, conversation, secret);
            Invocation chosen = Host.Invoke("[pscustomobject]$args[0] | Send-JelouSupportMessage 'On it' -SigningSecret $args[1] -ChatbotUri $args[2]", null, conversation, secret, Emulator.ChatbotUri);

            ErrorRecord error = refused.SingleError();
            Assert.Equal("JelouInvalidArgument", error.FullyQualifiedErrorId.Split(',')[0]);
            Assert.Contains("production host (https://chatbot.jelou.ai)", error.Exception.Message, StringComparison.Ordinal);
            Assert.Contains("nothing was sent", error.Exception.Message, StringComparison.Ordinal);
            Assert.Contains("-ChatbotUri", error.ErrorDetails!.RecommendedAction, StringComparison.Ordinal);
            Assert.Empty(refused.Output);
            chosen.ThrowIfFailed();
            Assert.Single(chosen.Output);
            Assert.Single(Emulator.AgentMessages, m => m.ProjectId == projectId && m.Text == "On it");
        }

        [Theory]
        // A delivery's signature copied where its secret was meant; a whole env line.
        [InlineData("'sha256=3f9a1c0d8e7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b2a1f'", "The signing secret is a signature (sha256= and 64 hex digits")]
        [InlineData("'JELOU_SIGNING_SECRET=\"s\"'", "The signing secret has a quotation mark inside")]
        public void A_reply_signed_with_what_cannot_be_a_secret_is_refused_before_WhatIf_says_it_would_send(string secret, string message)
        {
            Invocation result = Host.Invoke($"Send-JelouSupportMessage -ProjectId p1 -RoomId r1 -BotId b1 -UserId u1 -Text hi -SigningSecret {secret} -WhatIf");

            ErrorRecord refused = result.SingleError();
            Assert.Equal("JelouInvalidArgument,JelouPS.Commands.SendJelouSupportMessageCommand", refused.FullyQualifiedErrorId);
            Assert.Contains(message, refused.Exception.Message);
        }

        [Theory]
        [InlineData("", "Give the signing secret the reply is signed with: -SigningSecret, or -Vault (and -SecretName) where it is stored.")]
        [InlineData("-SigningSecret s -Vault V", "Give the signing secret with -SigningSecret, or say where it is stored with -Vault (and -SecretName), but not both.")]
        public void A_reply_with_no_secret_or_two_says_which_before_anything_is_sent(string secrets, string message)
        {
            Invocation result = Host.Invoke($"Send-JelouSupportMessage -ProjectId p1 -RoomId r1 -BotId b1 -UserId u1 -Text hi {secrets}");

            Assert.Equal("JelouInvalidArgument", result.Terminating?.FullyQualifiedErrorId.Split(',')[0]);
            Assert.Equal(message, result.Terminating!.Exception.Message);
        }

        [Fact]
        public void A_closed_Context_is_still_refused_as_closed()
        {
            Invocation result = Host.Invoke(
                "$c = Connect-Jelou -ApiKey k -BaseUri $args[0] -ChatbotUri $args[1] -PassThru; Disconnect-Jelou; " +
                "Send-JelouSupportMessage -Context $c -ProjectId p1 -RoomId r1 -BotId b1 -UserId u1 -Text hi -SigningSecret s",
                null, Emulator.GatewayUri, Emulator.ChatbotUri);

            Assert.Equal("JelouNotConnected", result.Terminating?.FullyQualifiedErrorId.Split(',')[0]);
        }
    }
}
