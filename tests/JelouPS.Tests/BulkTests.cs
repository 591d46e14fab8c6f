using System;
using System.Linq;
using System.Management.Automation;
using System.Threading.Tasks;
using JelouPS.Emulator;
using JelouPS.Security;
using Xunit;

namespace JelouPS.Tests
{
    /// <summary>
    /// -ThrottleLimit: several requests in flight over one connection, everything written from the pipeline thread in input
    /// order, one non-terminating error per failed input, and no issued secret lost to a stop.
    /// </summary>
    public sealed class BulkTests : HostedTest
    {
        public BulkTests(EmulatorFixture fixture) : base(fixture) { }

        private static string[] NewIds(string prefix, int count) =>
            Enumerable.Range(0, count).Select(i => $"{prefix}-{i:00}-{Guid.NewGuid():N}".Substring(0, 30)).ToArray();

        private int Arrived(string[] ids) => Emulator.Requests.Count(r => ids.Any(id => r.Path.EndsWith(id, StringComparison.Ordinal)));

        [Fact]
        public async Task Requests_run_up_to_the_throttle_limit_at_once()
        {
            string[] ids = NewIds("window", 12);
            foreach (string id in ids) Emulator.EnqueueFault(new EmulatorFault { PathContains = id, Status = 200, Delay = TimeSpan.FromSeconds(60), Body = "{}" });
            using PowerShell ps = Host.Create("$args[0] | Get-JelouExternalSupport -ThrottleLimit 8", null, (object)ids);
            IAsyncResult running = ps.BeginInvoke();

            // Eight requests reach the server while none has been answered: they are in flight together, and no more.
            await Emulator.WaitForRequestAsync(_ => Arrived(ids) >= 8).WaitAsync(TimeSpan.FromSeconds(20));
            Assert.Equal(8, Arrived(ids));

            var stopwatch = System.Diagnostics.Stopwatch.StartNew();
            ps.Stop();
            Assert.Throws<PipelineStoppedException>(() => ps.EndInvoke(running));
            Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(2), $"Stopping a bulk read took {stopwatch.Elapsed}.");
            Assert.Equal(8, Arrived(ids));
        }

        [Fact]
        public void Output_and_errors_keep_input_order_and_every_failure_is_its_own_error()
        {
            string[] ids = NewIds("order", 16);
            Host.Invoke("$args[0] | New-JelouExternalSupport -WebhookUrl https://crm.example.com/j", null, (object)ids).ThrowIfFailed();
            // The first answers slowest, so completion order is the reverse of input order; every fourth fails.
            for (int i = 0; i < ids.Length; i++)
            {
                Emulator.EnqueueFault(i % 4 == 3
                    ? new EmulatorFault { Method = "GET", PathContains = ids[i], Status = 404, Body = "{\"message\":\"Integration not found\",\"statusMessage\":\"error\",\"status\":0}" }
                    : new EmulatorFault { Method = "GET", PathContains = ids[i], Status = 200, Delay = TimeSpan.FromMilliseconds(20 * (ids.Length - i)),
                        Body = $"{{\"id\":\"i-{i}\",\"brainId\":\"{ids[i]}\",\"webhookUrl\":\"https://crm.example.com/j\",\"authType\":\"no_auth\"}}" });
            }

            Invocation result = Host.Invoke("$args[0] | Get-JelouExternalSupport -ThrottleLimit 8 -ErrorAction Continue", null, (object)ids);

            string[] expected = ids.Where((_, i) => i % 4 != 3).ToArray();
            Assert.Equal(expected, result.Output.Select(o => ((ExternalSupportIntegration)o.BaseObject).ProjectId).ToArray());
            Assert.Equal(ids.Where((_, i) => i % 4 == 3).ToArray(), result.Errors.Select(e => (string)e.TargetObject).ToArray());
            Assert.All(result.Errors, e => Assert.StartsWith($"Project '{e.TargetObject}': ", e.Exception.Message, StringComparison.Ordinal));
            Assert.All(result.Errors, e => Assert.Equal("JelouNotFound,JelouPS.Commands.GetJelouExternalSupportCommand", e.FullyQualifiedErrorId));
        }

        [Fact]
        public void Inputs_refused_before_their_request_keep_their_place_among_the_results()
        {
            string[] ids = NewIds("refused", 6);
            foreach (string id in ids) Emulator.EnqueueFault(new EmulatorFault { Method = "POST", PathContains = id, Mangle = ResponseMangle.Intact, Delay = TimeSpan.FromMilliseconds(200) });
            // Rows 2 and 4 ask for bearer without a credential: refused before any request, while the rows before them are in flight.
            object[] rows = ids.Select((id, i) => (object)new PSObject(new { ProjectId = id, AuthType = i == 2 || i == 4 ? "bearer" : "no_auth" })).ToArray();

            Invocation result = Host.Invoke("$args[0] | New-JelouExternalSupport -WebhookUrl https://crm.example.com/j -ThrottleLimit 4 -ErrorAction Continue 2>&1 | ForEach-Object { if ($_ -is [System.Management.Automation.ErrorRecord]) { 'error ' + $_.TargetObject } else { $_.ProjectId } }", null, (object)rows);

            Assert.Equal(new[] { ids[0], ids[1], "error " + ids[2], ids[3], "error " + ids[4], ids[5] }, result.Output.Select(o => o.BaseObject.ToString()).ToArray());
        }

        [Fact]
        public void Bulk_creates_deliver_every_secret()
        {
            string[] ids = NewIds("bulk", 24);

            Invocation result = Host.Invoke("$args[0] | New-JelouExternalSupport -WebhookUrl https://crm.example.com/j -ThrottleLimit 6", null, (object)ids);

            ExternalSupportIntegration[] created = result.ThrowIfFailed().Output.Select(o => (ExternalSupportIntegration)o.BaseObject).ToArray();
            Assert.Equal(ids, created.Select(i => i.ProjectId).ToArray());
            Assert.All(created, i => Assert.Equal(Emulator.FindIntegration(i.ProjectId)!.SigningSecret, SecureStrings.UseChars(i.SigningSecret!, c => new string(c))));
        }

        [Fact]
        public async Task A_stopped_bulk_create_keeps_every_secret_that_was_issued()
        {
            string[] ids = NewIds("stopbulk", 6);
            // The first three answer after a moment (Ctrl+C lands first); the others never within the grace.
            for (int i = 0; i < ids.Length; i++)
            {
                Emulator.EnqueueFault(new EmulatorFault
                {
                    PathContains = ids[i],
                    Status = 200,
                    Delay = TimeSpan.FromSeconds(i < 3 ? 1 : 60),
                    Body = $"{{\"id\":\"i-{i}\",\"brainId\":\"{ids[i]}\",\"webhookUrl\":\"https://crm.example.com/j\",\"authType\":\"no_auth\",\"signingSecret\":\"secret-{i}\",\"createdAt\":\"2026-11-29T10:00:00Z\"}}",
                });
            }
            using PowerShell ps = Host.Create("$args[0] | New-JelouExternalSupport -WebhookUrl https://crm.example.com/j -ThrottleLimit 6", null, (object)ids);
            IAsyncResult running = ps.BeginInvoke();
            await Emulator.WaitForRequestAsync(_ => Arrived(ids) >= 6).WaitAsync(TimeSpan.FromSeconds(20));

            ps.Stop();
            Assert.Throws<PipelineStoppedException>(() => ps.EndInvoke(running));

            ExternalSupportIntegration[] kept = Host.Invoke("$global:JelouUnsavedIntegrations").Output.Select(o => (ExternalSupportIntegration)o.BaseObject).ToArray();
            for (int i = 0; i < 3; i++)
            {
                ExternalSupportIntegration integration = Assert.Single(kept, k => k.ProjectId == ids[i]);
                Assert.Equal($"secret-{i}", SecureStrings.UseChars(integration.SigningSecret!, c => new string(c)));
            }
            UnknownOutcome[] unknown = Host.Invoke("$global:JelouUnknownOutcomes").Output.Select(o => (UnknownOutcome)o.BaseObject).ToArray();
            Assert.Equal(ids.Skip(3).ToArray(), unknown.Select(u => u.ProjectId).Where(ids.Contains).ToArray());
        }

        [Fact]
        public void A_long_run_shows_progress_with_count_rate_and_time_left_then_completes_it()
        {
            string[] ids = NewIds("progress", 12);
            foreach (string id in ids)
            {
                Emulator.EnqueueFault(new EmulatorFault { Method = "GET", PathContains = id, Status = 200, Delay = TimeSpan.FromMilliseconds(250),
                    Body = $"{{\"id\":\"i\",\"brainId\":\"{id}\",\"webhookUrl\":\"https://crm.example.com/j\",\"authType\":\"no_auth\"}}" });
            }
            using PowerShell ps = Host.Create("Get-JelouExternalSupport -ProjectId $args[0] -ThrottleLimit 2", null, (object)ids);

            Assert.Equal(ids.Length, ps.Invoke().Count);

            ProgressRecord[] progress = ps.Streams.Progress.ToArray();
            Assert.Contains(progress, p => p.RecordType == ProgressRecordType.Processing && p.StatusDescription.Contains(" done (0 failed), ") && p.PercentComplete > 0 && p.SecondsRemaining >= 0);
            Assert.Equal(ProgressRecordType.Completed, progress.Last().RecordType);
            Assert.All(progress, p => Assert.Equal("Get-JelouExternalSupport", p.Activity));
        }

        [Fact]
        public void The_throttle_limit_is_checked()
        {
            Invocation result = Host.Invoke("Get-JelouExternalSupport p1 -ThrottleLimit 0");

            Assert.Equal("ParameterArgumentValidationError,JelouPS.Commands.GetJelouExternalSupportCommand", result.Terminating?.FullyQualifiedErrorId);
        }
    }
}
