using System;
using System.Linq;
using System.Management.Automation;
using System.Threading.Tasks;
using JelouPS.Emulator;
using JelouPS.Security;
using Xunit;

namespace JelouPS.Tests
{
    /// <summary>Ctrl+C after Jelou has been asked for a secret must not lose the secret.</summary>
    public sealed class StopSafetyTests : HostedTest
    {
        private const string Secret = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

        public StopSafetyTests(EmulatorFixture fixture) : base(fixture) { }

        /// <summary>Runs <paramref name="script"/>, stops it once the slow create is on the wire, and waits for the end.</summary>
        private async Task<Invocation> StopDuringCreate(string script, string projectId)
        {
            // A create answer that takes a while to come: Ctrl+C lands while it is in flight.
            Emulator.EnqueueFault(new EmulatorFault
            {
                PathContains = projectId,
                Status = 200,
                Delay = TimeSpan.FromSeconds(1),
                Body = $"{{\"id\":\"i-1\",\"brainId\":\"{projectId}\",\"webhookUrl\":\"https://crm.example.com/j\",\"authType\":\"no_auth\",\"signingSecret\":\"{Secret}\",\"createdAt\":\"2026-01-15T10:30:00.000Z\"}}",
            });
            using PowerShell ps = Host.Create(script, null, projectId);
            var sent = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            ps.Streams.Verbose.DataAdded += (s, e) =>
            {
                if (ps.Streams.Verbose[e.Index].Message.StartsWith("POST ", StringComparison.Ordinal)) sent.TrySetResult();
            };
            IAsyncResult running = ps.BeginInvoke();
            await sent.Task.WaitAsync(TimeSpan.FromSeconds(10));
            ps.Stop();
            Exception? ended = Record.Exception(() => ps.EndInvoke(running));
            Assert.IsType<PipelineStoppedException>(ended);
            return PowerShellHost.Collect(ps, new System.Collections.ObjectModel.Collection<PSObject>(), null);
        }

        [Fact]
        public async Task A_create_stopped_in_flight_completes_and_keeps_the_secret_for_the_user()
        {
            string projectId = "stop-" + Guid.NewGuid().ToString("N");

            Invocation stopped = await StopDuringCreate("New-JelouExternalSupport $args[0] https://crm.example.com/j -Verbose", projectId);

            Assert.Empty(stopped.Errors);
            ExternalSupportIntegration integration = Kept(projectId);
            Assert.Equal(Secret, SecureStrings.UseChars(integration.SigningSecret!, c => new string(c)));
        }

        [Fact]
        public async Task A_create_stopped_in_flight_with_a_vault_still_stores_the_secret()
        {
            string standIn = System.IO.Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "modules", "Microsoft.PowerShell.SecretManagement");
            Host.Invoke("Import-Module $args[0]; Reset-StandInSecretStore; Register-StandInVault -Name StopVault", null, standIn).ThrowIfFailed();
            string projectId = "stop-vault-" + Guid.NewGuid().ToString("N");

            Invocation stopped = await StopDuringCreate("New-JelouExternalSupport $args[0] https://crm.example.com/j -Vault StopVault -Verbose", projectId);

            string? stored = Host.Invoke("Get-StandInSecret -Vault StopVault -Name $args[0] | ForEach-Object { [Net.NetworkCredential]::new('', $_.Secret).Password }", null, "Jelou-" + projectId)
                .ThrowIfFailed().Output.Select(o => o.BaseObject as string).SingleOrDefault();
            Assert.Equal(Secret, stored);
            Assert.DoesNotContain(Unsaved(), i => i.ProjectId == projectId);
        }

        [Fact]
        public async Task A_stop_before_a_slow_vault_write_ends_within_the_grace_and_keeps_the_secret()
        {
            string standIn = System.IO.Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "modules", "Microsoft.PowerShell.SecretManagement");
            Host.Invoke("Import-Module $args[0]; Reset-StandInSecretStore; Register-StandInVault -Name SlowVault; Set-StandInVaultBehavior -Name SlowVault -WriteDelaySeconds 60", null, standIn).ThrowIfFailed();
            string projectId = "stop-slow-vault-" + Guid.NewGuid().ToString("N");
            using PowerShell ps = Host.Create("New-JelouExternalSupport $args[0] https://crm.example.com/j -Vault SlowVault -Verbose", null, projectId);
            var answered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            ps.Streams.Verbose.DataAdded += (s, e) =>
            {
                if (ps.Streams.Verbose[e.Index].Message.Contains(" answered ", StringComparison.Ordinal)) answered.TrySetResult();
            };
            IAsyncResult running = ps.BeginInvoke();
            try
            {
                await answered.Task.WaitAsync(TimeSpan.FromSeconds(10));
            }
            catch (TimeoutException)
            {
                throw new Xunit.Sdk.XunitException("No answer line: " + string.Join(" | ", ps.Streams.Verbose.Select(v => v.Message)) + " || " + string.Join(" | ", ps.Streams.Error.Select(e => e.ToString())) + " state " + ps.InvocationStateInfo.State);
            }
            var stopwatch = System.Diagnostics.Stopwatch.StartNew();

            ps.Stop();

            Assert.ThrowsAny<Exception>(() => ps.EndInvoke(running));
            // The write of a secret that just arrived gets the grace a create in flight gets, not the vault's 60 s.
            Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(6), $"Stop took {stopwatch.Elapsed}.");
            Assert.Equal(Emulator.FindIntegration(projectId)!.SigningSecret, SecureStrings.UseChars(Kept(projectId).SigningSecret!, c => new string(c)));
        }

        private ExternalSupportIntegration[] Unsaved() =>
            Host.Invoke("$global:JelouUnsavedIntegrations").Output.Where(o => o != null).Select(o => (ExternalSupportIntegration)o.BaseObject).ToArray();

        private ExternalSupportIntegration Kept(string projectId) => Assert.Single(Unsaved(), i => i.ProjectId == projectId);

        [Fact]
        public void A_verbose_preference_of_Stop_does_not_cost_the_secret()
        {
            string projectId = "verbose-stop-" + Guid.NewGuid().ToString("N");

            Invocation result = Host.Invoke("$VerbosePreference = 'Stop'; New-JelouExternalSupport $args[0] https://crm.example.com/j", null, projectId);

            Assert.IsType<ActionPreferenceStopException>(result.Terminating?.Exception);
            Assert.NotNull(Kept(projectId).SigningSecret);
            Assert.NotNull(Emulator.FindIntegration(projectId));
        }

        [Fact]
        public void A_later_command_that_throws_does_not_cost_the_secret()
        {
            string projectId = "downstream-" + Guid.NewGuid().ToString("N");

            Invocation result = Host.Invoke("New-JelouExternalSupport $args[0] https://crm.example.com/j | ForEach-Object { throw 'downstream failure' }", null, projectId);

            Assert.Contains("downstream failure", result.Terminating?.Exception.Message);
            Assert.Equal(Emulator.FindIntegration(projectId)!.SigningSecret, SecureStrings.UseChars(Kept(projectId).SigningSecret!, c => new string(c)));
        }

        [Fact]
        public void Select_Object_First_takes_the_object_and_the_session_still_keeps_its_secret()
        {
            string projectId = "first-" + Guid.NewGuid().ToString("N");

            Invocation result = Host.Invoke("New-JelouExternalSupport $args[0] https://crm.example.com/j | Select-Object -First 1", null, projectId);

            var delivered = (ExternalSupportIntegration)Assert.Single(result.ThrowIfFailed().Output).BaseObject;
            // Stored in no vault, so kept for the session whether or not the caller kept the object.
            Assert.Same(delivered, Kept(projectId));
        }

        [Fact]
        public void A_create_whose_answer_never_came_says_to_check_and_rotate_not_to_retry()
        {
            string projectId = "unknown-" + Guid.NewGuid().ToString("N");
            Host.Connect(Emulator, "-TimeoutSec 1");
            Emulator.EnqueueFault(new EmulatorFault { PathContains = projectId, Status = 200, Delay = TimeSpan.FromSeconds(30) });

            Invocation result = Host.Invoke("New-JelouExternalSupport $args[0] https://crm.example.com/j", null, projectId);

            ErrorRecord error = result.SingleError();
            Assert.Equal("JelouOutcomeUnknown,JelouPS.Commands.NewJelouExternalSupportCommand", error.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.OperationTimeout, error.CategoryInfo.Category);
            Assert.Contains("got no answer within 1 s: whether it was carried out is unknown", error.ErrorDetails.Message);
            Assert.Contains($"Check with Get-JelouExternalSupport '{projectId}'", error.ErrorDetails.RecommendedAction);
            Assert.Contains($"Reset-JelouExternalSupportSecret '{projectId}' -Force", error.ErrorDetails.RecommendedAction);
            UnknownOutcome recorded = Assert.Single(UnknownOutcomes(), o => o.ProjectId == projectId);
            Assert.Equal("New-JelouExternalSupport", recorded.Command);

            // The fault kept the request from the API: finding no integration settles it.
            Host.Invoke("Get-JelouExternalSupport $args[0]", null, projectId);
            Assert.DoesNotContain(UnknownOutcomes(), o => o.ProjectId == projectId);
        }

        private UnknownOutcome[] UnknownOutcomes() =>
            Host.Invoke("$global:JelouUnknownOutcomes").Output.Where(o => o != null).Select(o => (UnknownOutcome)o.BaseObject).ToArray();

        [Fact]
        public async Task A_create_stopped_with_no_answer_ends_after_a_short_grace_and_is_recorded()
        {
            string projectId = "stop-unknown-" + Guid.NewGuid().ToString("N");
            Emulator.EnqueueFault(new EmulatorFault { PathContains = projectId, Status = 200, Delay = TimeSpan.FromSeconds(60) });
            using PowerShell ps = Host.Create("New-JelouExternalSupport $args[0] https://crm.example.com/j -Verbose", null, projectId);
            var sent = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            ps.Streams.Verbose.DataAdded += (s, e) =>
            {
                if (ps.Streams.Verbose[e.Index].Message.StartsWith("POST ", StringComparison.Ordinal)) sent.TrySetResult();
            };
            IAsyncResult running = ps.BeginInvoke();
            await sent.Task.WaitAsync(TimeSpan.FromSeconds(10));
            var stopwatch = System.Diagnostics.Stopwatch.StartNew();

            ps.Stop();

            Assert.Throws<PipelineStoppedException>(() => ps.EndInvoke(running));
            Assert.InRange(stopwatch.Elapsed.TotalSeconds, 2.5, 10);
            UnknownOutcome recorded = Assert.Single(UnknownOutcomes(), o => o.ProjectId == projectId);
            Assert.Contains($"Get-JelouExternalSupport '{projectId}'", recorded.Check);
        }

        [Fact]
        public async Task A_stopped_get_is_abandoned_at_once()
        {
            string projectId = "stop-get-" + Guid.NewGuid().ToString("N");
            Emulator.EnqueueFault(new EmulatorFault { PathContains = projectId, Status = 200, Delay = TimeSpan.FromSeconds(30) });
            using PowerShell ps = Host.Create("Get-JelouExternalSupport $args[0] -Verbose", null, projectId);
            var sent = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            ps.Streams.Verbose.DataAdded += (s, e) => sent.TrySetResult();

            IAsyncResult running = ps.BeginInvoke();
            await sent.Task.WaitAsync(TimeSpan.FromSeconds(10));
            var stopwatch = System.Diagnostics.Stopwatch.StartNew();
            ps.Stop();

            Assert.Throws<PipelineStoppedException>(() => ps.EndInvoke(running));
            Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(1), $"Stop took {stopwatch.Elapsed}.");
            Assert.Empty(ps.Streams.Error);
        }
    }
}
