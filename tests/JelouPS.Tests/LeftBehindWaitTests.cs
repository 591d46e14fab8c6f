using System;
using System.Linq;
using JelouPS.Emulator;
using JelouPS.Infrastructure;
using Xunit;

namespace JelouPS.Tests
{
    /// <summary>Tests that shorten <see cref="JelouCmdletBase.LeftBehindWait"/>, which every command reads: run alone.</summary>
    [CollectionDefinition(nameof(LeftBehindWaitTests), DisableParallelization = true)]
    public sealed class LeftBehindWaitCollection { }

    /// <summary>
    /// A change still in flight when the pipeline stops taking output (Select-Object -First had enough) is waited for only
    /// so long, then stopped as Ctrl+C would stop it, and recorded: it was waited for to the end of -TimeoutSec.
    /// </summary>
    [Collection(nameof(LeftBehindWaitTests))]
    public sealed class LeftBehindWaitTests : HostedTest
    {
        public LeftBehindWaitTests(EmulatorFixture fixture) : base(fixture) { }

        [Fact]
        public void A_create_left_in_flight_by_Select_Object_First_is_stopped_after_the_wait_and_recorded_as_unknown()
        {
            string fast = "left-fast-" + Guid.NewGuid().ToString("N"), slow = "left-slow-" + Guid.NewGuid().ToString("N");
            // Answered in full, but only after the call's -TimeoutSec: waited for to the end, it would be a create that took.
            Emulator.EnqueueFault(new EmulatorFault { PathContains = slow, Mangle = ResponseMangle.Intact, Delay = TimeSpan.FromSeconds(40) });
            TimeSpan usual = JelouCmdletBase.LeftBehindWait;
            JelouCmdletBase.LeftBehindWait = TimeSpan.FromMilliseconds(300);
            Invocation result;
            try
            {
                result = Host.Invoke("$args | New-JelouExternalSupport -WebhookUrl https://crm.example.com/j -ThrottleLimit 2 -TimeoutSec 60 | Select-Object -First 1", null, fast, slow);
            }
            finally
            {
                JelouCmdletBase.LeftBehindWait = usual;
            }

            Assert.Equal(fast, ((ExternalSupportIntegration)Assert.Single(result.ThrowIfFailed().Output).BaseObject).ProjectId);
            string warning = Assert.Single(result.Warnings, w => w.Contains(slow, StringComparison.Ordinal));
            Assert.Contains("may have been carried out", warning, StringComparison.Ordinal);
            Assert.Contains(Host.Invoke("$global:JelouUnknownOutcomes").Output.Select(o => (UnknownOutcome)o.BaseObject), o => o.ProjectId == slow);
        }
    }
}
