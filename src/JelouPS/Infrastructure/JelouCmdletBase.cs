using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Runtime.ExceptionServices;
using System.Threading;
using System.Threading.Tasks;

namespace JelouPS.Infrastructure
{
    /// <summary>
    /// Runs the client's async calls from a cmdlet: one cancellation source per command (Ctrl+C cancels it),
    /// and the client's trace lines are written from the pipeline thread only, while the call runs. Every error
    /// goes through <see cref="ErrorMapper"/>, named after <see cref="Item"/>.
    /// </summary>
    public abstract class JelouCmdletBase : PSCmdlet, IDisposable
    {
        private readonly CancellationTokenSource _cancel = new CancellationTokenSource();
        private Exception? _writeFailure;
        private bool _traceUnavailable;

        /// <summary>When set, errors are collected here instead of written, so that every input is tried first.</summary>
        internal List<ErrorRecord>? DeferredErrors { get; set; }

        /// <summary>Cancelled by Ctrl+C (StopProcessing).</summary>
        internal CancellationToken CancelToken => _cancel.Token;

        /// <summary>What the current input is, for error messages ("Project 'p1'"); null when the message says it already.</summary>
        internal virtual string? Item => null;

        protected override void StopProcessing() => _cancel.Cancel();

        /// <summary>Runs <paramref name="call"/> to completion, pumping its trace lines to -Verbose and -Debug.</summary>
        private T Run<T>(Func<IJelouTrace, CancellationToken, Task<T>> call, Action<T>? onStranded)
        {
            using var lines = new BlockingCollection<(bool Debug, string Text)>();
            var trace = new QueuedTrace(lines);
            Task<T> task = Task.Run(() => call(trace, _cancel.Token));
            task.ContinueWith(_ => lines.CompleteAdding(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            Exception? writeFailure = null;
            foreach (var line in lines.GetConsumingEnumerable())
            {
                // A write can throw: the pipeline stopped, -Verbose:Stop, an Inquire answered Halt. Keep draining
                // so the call still completes, and raise the failure only once its result is taken care of.
                if (writeFailure != null) continue;
                try
                {
                    Trace(line.Text, line.Debug);
                }
                catch (Exception ex)
                {
                    writeFailure = ex;
                }
            }
            T result;
            try
            {
                result = task.GetAwaiter().GetResult();
            }
            catch (OperationCanceledException) when (_cancel.IsCancellationRequested)
            {
                throw new PipelineStoppedException();
            }
            if (writeFailure != null)
            {
                onStranded?.Invoke(result);
                _writeFailure = writeFailure;
                ExceptionDispatchInfo.Capture(writeFailure).Throw();
            }
            return result;
        }

        /// <summary>
        /// Writes a diagnostic line to -Verbose (or -Debug). -Debug on a compiled cmdlet asks before each verbose and debug
        /// line (Inquire), and a host that cannot ask (pwsh -NonInteractive, a runbook) throws: the lines are diagnostics, so
        /// they are left out, with one warning, rather than fail a command that may already have issued a secret.
        /// </summary>
        internal void Trace(string text, bool debug = false)
        {
            if (_traceUnavailable) return;
            try
            {
                if (debug) WriteDebug(text);
                else WriteVerbose(text);
            }
            catch (Exception ex) when (IsPromptFailure(ex))
            {
                _traceUnavailable = true;
                const string Notice = "-Debug asks before each verbose, debug and warning line, and this host cannot ask: those lines are left out. " +
                    "Set $DebugPreference = 'Continue' (and $VerbosePreference) instead of -Debug.";
                Warn(Notice);
            }
        }

        /// <summary>Writes a warning; under -Debug it asks too, and in a host that cannot ask the host has shown the line before asking.</summary>
        internal void Warn(string text)
        {
            try
            {
                WriteWarning(text);
            }
            catch (Exception ex) when (IsPromptFailure(ex))
            {
            }
        }

        private static bool IsPromptFailure(Exception ex) => ex is PSInvalidOperationException || ex is HostException || ex is NotImplementedException;

        /// <summary>
        /// Runs <paramref name="call"/> for one input; on failure reports it (see <see cref="WriteJelouError"/>) and returns false.
        /// <paramref name="onStranded"/> gets a result that arrived while a write failed (it cannot reach the caller);
        /// <paramref name="salvage"/> gets the failure first, to act on what it still carries, and names the error's target.
        /// </summary>
        internal bool TryRun<T>(object? target, Func<IJelouTrace, CancellationToken, Task<T>> call, out T result, Action<T>? onStranded = null, Func<Exception, object?>? salvage = null)
        {
            try
            {
                result = Run(call, onStranded);
                return true;
            }
            // What the pipeline itself threw (a stop, an ActionPreference Stop) is not this input's failure.
            catch (Exception ex) when (!(ex is PipelineStoppedException) && !ReferenceEquals(ex, _writeFailure))
            {
                result = default!;
                object? errorTarget = salvage is null ? target : salvage(ex);
                WriteJelouError(ex, ErrorMapper.From(ex, errorTarget, Item));
                return false;
            }
        }

        /// <inheritdoc cref="TryRun{T}"/>
        internal bool TryRun(object? target, Func<IJelouTrace, CancellationToken, Task> call) =>
            TryRun<bool>(target, async (trace, token) =>
            {
                await call(trace, token).ConfigureAwait(false);
                return true;
            }, out _);

        /// <summary>
        /// Runs the checks made before any request (arguments, and reading from a vault); a failure is reported
        /// for this input and false returned.
        /// </summary>
        internal bool TryValidate(object? target, Action validate)
        {
            try
            {
                validate();
                return true;
            }
            catch (Exception ex) when (ex is ArgumentException || ex is VaultException)
            {
                WriteJelouError(ex, ErrorMapper.From(ex, target, Item));
                return false;
            }
        }

        /// <summary>
        /// Reports a failure for one input. Failures that doom every later input (bad credentials) end
        /// the command; the rest are non-terminating, so a pipeline of projects goes on.
        /// </summary>
        internal void WriteJelouError(Exception exception, ErrorRecord record)
        {
            if (ErrorMapper.IsFatal(exception)) ThrowTerminatingError(record);
            if (DeferredErrors != null) DeferredErrors.Add(record);
            else WriteError(record);
        }

        /// <summary>
        /// ShouldProcess, with what unattended runs need. <paramref name="force"/> is the value of a -Force switch that
        /// answers the confirmation in advance, as Az's destructive cmdlets do (null when the cmdlet has none); -WhatIf
        /// (or $WhatIfPreference) still only describes. A prompt the host cannot show (pwsh -NonInteractive, a runbook)
        /// ends the command with an error that says how to confirm in advance.
        /// </summary>
        internal bool Approved(string target, string action, bool? force = null)
        {
            if (force == true && !MyInvocation.BoundParameters.ContainsKey("Confirm") && !WhatIfInEffect) return true;
            try
            {
                return ShouldProcess(target, action);
            }
            catch (Exception ex) when (!(ex is PipelineStoppedException))
            {
                string how = force is null ? "-Confirm:$false" : "-Force (or -Confirm:$false)";
                ThrowTerminatingError(ErrorMapper.Create(ErrorMapper.ConfirmationRequired,
                    new InvalidOperationException($"{MyInvocation.MyCommand.Name} asks for confirmation before it changes {target}, and this host cannot ask ({ex.Message.TrimEnd('.')}). Use {how} to confirm in advance.", ex),
                    target, advice: $"Confirm in advance with {how}: in a script or runbook, that is the answer to the prompt."));
                return false;
            }
        }

        private bool WhatIfInEffect =>
            MyInvocation.BoundParameters.TryGetValue("WhatIf", out object? whatIf)
                ? LanguagePrimitives.IsTrue(whatIf)
                : LanguagePrimitives.IsTrue(SessionState.PSVariable.GetValue("WhatIfPreference"));

        public void Dispose()
        {
            _cancel.Dispose();
            GC.SuppressFinalize(this);
        }

        private sealed class QueuedTrace : IJelouTrace
        {
            private readonly BlockingCollection<(bool, string)> _lines;

            public QueuedTrace(BlockingCollection<(bool, string)> lines) => _lines = lines;

            public void Verbose(string message) => _lines.TryAdd((false, message));

            public void Debug(string message) => _lines.TryAdd((true, message));
        }
    }
}
