using System;
using System.Management.Automation;
using JelouPS.Security;
using Xunit;

namespace JelouPS.Tests
{
    /// <summary>A secret from another session is never saved over a newer one the vault already holds for the project.</summary>
    public sealed class SaveStalenessTests : HostedTest
    {
        public SaveStalenessTests(EmulatorFixture fixture) : base(fixture, connect: false) { }

        private static ExternalSupportIntegration Issued(string projectId, string secret, DateTimeOffset createdAt) =>
            new ExternalSupportIntegration(projectId, "i-1", projectId, "https://crm.example.com/j", "no_auth", SecureStrings.FromString(secret), createdAt, null, null);

        private string StandIn => System.IO.Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "modules", "Microsoft.PowerShell.SecretManagement");

        [Fact]
        public void The_latest_secret_is_saved_over_the_one_this_session_stored_whatever_their_clocks_say()
        {
            string projectId = "skew-" + Guid.NewGuid().ToString("N");
            Host.Invoke("Import-Module $args[0]; Reset-StandInSecretStore; Register-StandInVault -Name V", null, StandIn).ThrowIfFailed();
            // Created by a server whose clock is an hour ahead; rotated, and dated by this machine's clock on arrival (the
            // envelope's rotation answer has no time).
            ExternalSupportIntegration created = JelouPS.Infrastructure.JelouSession.Arrived(Issued(projectId, "the-first-secret", DateTimeOffset.UtcNow.AddHours(1)));
            Host.Invoke("$args[0] | Save-JelouSigningSecret -Vault V", null, created).ThrowIfFailed();
            var rotated = new ExternalSupportIntegration(projectId, "i-1", projectId, "https://crm.example.com/j", "no_auth", SecureStrings.FromString("the-live-secret"), created.CreatedAt, null, DateTimeOffset.UtcNow);
            JelouPS.Infrastructure.JelouSession.Arrived(rotated);

            Invocation result = Host.Invoke("$args[0] | Save-JelouSigningSecret -Vault V", null, rotated);

            result.ThrowIfFailed();
            Assert.Equal("the-live-secret", Host.Invoke("(Get-StandInSecret -Vault V -Name $args[0]).Secret | ConvertFrom-SecureString -AsPlainText", null, "Jelou-" + projectId).Output[0].BaseObject);
        }

        [Fact]
        public void An_older_secret_is_not_saved_over_the_newer_one_the_vault_holds()
        {
            string projectId = "stale-" + Guid.NewGuid().ToString("N");
            Host.Invoke(
                "Import-Module $args[0]; Reset-StandInSecretStore; Register-StandInVault -Name V; " +
                "Set-Secret -Name \"Jelou-$($args[1])\" -Secret 'the-live-secret' -Vault V -Metadata @{ ProjectId = $args[1]; IntegrationId = 'i-1'; CreatedAt = [datetime]::SpecifyKind([datetime]'2026-06-01', 'Utc') }",
                null, StandIn, projectId).ThrowIfFailed();
            ExternalSupportIntegration older = Issued(projectId, "a-dead-secret", new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

            Invocation result = Host.Invoke("$args[0] | Save-JelouSigningSecret -Vault V", null, older);

            ErrorRecord error = result.SingleError();
            Assert.Equal("JelouSecretExists,JelouPS.Commands.SaveJelouSigningSecretCommand", error.FullyQualifiedErrorId);
            Assert.Contains("newer signing secret", error.Exception.Message); Assert.Contains("holds", error.Exception.Message);
            Assert.Equal("the-live-secret", Host.Invoke("(Get-StandInSecret -Vault V -Name $args[0]).Secret", null, "Jelou-" + projectId).Output[0].BaseObject);
        }
    }
}
