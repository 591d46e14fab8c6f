using System;
using System.Collections.ObjectModel;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Threading;
using System.Threading.Tasks;
using JelouPS.Infrastructure;
using Xunit;

namespace JelouPS.Tests
{
    /// <summary>
    /// A command with one call in flight starts it on the pipeline thread when that is safe, and hops to the thread pool when
    /// it is not. Each test makes the inline start hang or hold a line back, so that only the hop passes.
    /// </summary>
    public sealed class CallStartTests
    {
        private static readonly TimeSpan Limit = TimeSpan.FromSeconds(20);

        [Fact]
        public void A_GUI_host_whose_pipeline_thread_has_a_SynchronizationContext_gets_its_answer()
        {
            Collection<PSObject>? output = null;
            var thread = new Thread(() =>
            {
                SynchronizationContext.SetSynchronizationContext(new NeverPumpedContext());
                output = Run(CallStart.AwaitsOnCallersContext, useCurrentThread: true);
            }) { IsBackground = true };
            thread.Start();

            Assert.True(thread.Join(Limit), "The call's await was posted to the context of the thread it blocks.");
            Assert.Equal("answered", Assert.Single(output!).BaseObject);
        }

        [Fact]
        public async Task A_host_that_runs_the_pipeline_in_a_task_on_its_own_scheduler_gets_its_answer()
        {
            // The pipeline runs in a task on a scheduler with one thread: work the call queues to TaskScheduler.Current (as .NET
            // Framework's HttpClientHandler queues its setup) can only run once that thread is free.
            Task<Collection<PSObject>> run = Task.Factory.StartNew(() => Run(CallStart.QueuesToCurrentScheduler, useCurrentThread: true),
                CancellationToken.None, TaskCreationOptions.None, new ConcurrentExclusiveSchedulerPair().ExclusiveScheduler);

            Assert.True(await Task.WhenAny(run, Task.Delay(Limit)) == run, "The call's work was queued to the scheduler of the thread it blocks.");
            Assert.Equal("answered", Assert.Single(await run).BaseObject);
        }

        [Fact]
        public void A_verbose_line_written_before_a_synchronous_part_that_blocks_is_shown_while_it_blocks()
        {
            // The call writes its line, then blocks (as a proxy lookup can) until the line is shown: only a call started off the
            // pipeline thread lets that thread write it meanwhile.
            Collection<PSObject> output = Run(CallStart.BlocksUntilItsLineIsShown, useCurrentThread: false, verbose: true);

            Assert.Equal("released by its line", Assert.Single(output).BaseObject);
        }

        private static Collection<PSObject> Run(CallStart mode, bool useCurrentThread, bool verbose = false)
        {
            InitialSessionState state = InitialSessionState.CreateDefault2();
            if (useCurrentThread) state.ThreadOptions = PSThreadOptions.UseCurrentThread;
            state.Commands.Add(new SessionStateCmdletEntry("Test-CallStart", typeof(TestCallStartCommand), null));
            using Runspace runspace = RunspaceFactory.CreateRunspace(state);
            runspace.Open();
            using PowerShell ps = PowerShell.Create();
            ps.Runspace = runspace;
            using var shown = new ManualResetEventSlim();
            ps.Streams.Verbose.DataAdded += (_, _) => shown.Set();
            ps.AddCommand("Test-CallStart").AddParameter("Mode", mode).AddParameter("Shown", shown);
            if (verbose) ps.AddParameter("Verbose");
            return ps.Invoke();
        }

        /// <summary>A context whose queue nobody pumps while a command runs, as a GUI thread's while it waits.</summary>
        private sealed class NeverPumpedContext : SynchronizationContext
        {
            public override void Post(SendOrPostCallback d, object? state) { }

            public override void Send(SendOrPostCallback d, object? state) => throw new InvalidOperationException("A call sent work to the thread it blocks.");
        }
    }

    public enum CallStart
    {
        AwaitsOnCallersContext,
        QueuesToCurrentScheduler,
        BlocksUntilItsLineIsShown,
    }

    /// <summary>A command whose one call starts the way <see cref="CallStart"/> says.</summary>
    [Cmdlet(VerbsDiagnostic.Test, "CallStart")]
    public sealed class TestCallStartCommand : JelouCmdletBase
    {
        [Parameter(Mandatory = true)]
        public CallStart Mode { get; set; }

        [Parameter(Mandatory = true)]
        public ManualResetEventSlim Shown { get; set; } = null!;

        protected override void ProcessRecord() => Submit(null, Call, result => WriteObject(result));

        private async Task<string> Call(IJelouTrace? trace, CancellationToken token)
        {
            switch (Mode)
            {
                case CallStart.AwaitsOnCallersContext:
                    // No ConfigureAwait(false): the continuation goes to whatever context started the call.
                    await Task.Yield();
                    return "answered";
                case CallStart.QueuesToCurrentScheduler:
                    return await Task.Factory.StartNew(() => "answered", token).ConfigureAwait(false);
                default:
                    trace?.Verbose("sending");
                    return Shown.Wait(TimeSpan.FromSeconds(20), token) ? "released by its line" : "its line was held back";
            }
        }
    }
}
