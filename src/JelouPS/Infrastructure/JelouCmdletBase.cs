using System;
using System.Collections.Concurrent;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Runtime.ExceptionServices;
using System.Threading;
using System.Threading.Tasks;

namespace JelouPS.Infrastructure
{
    /// <summary>
    /// Runs the client's async calls from a cmdlet: one cancellation source per command (Ctrl+C cancels it),
    /// and the client's trace lines are written from the pipeline thread only, while the call runs.
    /// </summary>
    public abstract class JelouCmdletBase : PSCmdlet, IDisposable
    {
        private readonly CancellationTokenSource _cancel = new CancellationTokenSource();

        protected override void StopProcessing() => _cancel.Cancel();

        /// <summary>Runs <paramref name="call"/> to completion, pumping its trace lines to -Verbose and -Debug.</summary>
        private T Run<T>(Func<IJelouTrace, CancellationToken, Task<T>> call)
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
                    if (line.Debug) WriteDebug(line.Text);
                    else WriteVerbose(line.Text);
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
                OnResultStranded(result);
                _writeFailure = writeFailure;
                ExceptionDispatchInfo.Capture(writeFailure).Throw();
            }
            return result;
        }

        private Exception? _writeFailure;

        /// <summary>A call succeeded but its result cannot reach the caller: a write failed while it ran.</summary>
        protected virtual void OnResultStranded(object? result)
        {
        }

        /// <summary>Runs <paramref name="call"/> for one input; on failure reports it (see <see cref="WriteJelouError"/>) and returns false.</summary>
        protected bool TryRun<T>(object? target, Func<IJelouTrace, CancellationToken, Task<T>> call, out T result)
        {
            try
            {
                result = Run(call);
                return true;
            }
            // What the pipeline itself threw (a stop, an ActionPreference Stop) is not this input's failure.
            catch (Exception ex) when (!(ex is PipelineStoppedException) && !ReferenceEquals(ex, _writeFailure))
            {
                result = default!;
                WriteJelouError(ex, target);
                return false;
            }
        }

        /// <inheritdoc cref="TryRun{T}"/>
        protected bool TryRun(object? target, Func<IJelouTrace, CancellationToken, Task> call) =>
            TryRun<bool>(target, async (trace, token) =>
            {
                await call(trace, token).ConfigureAwait(false);
                return true;
            }, out _);

        /// <summary>
        /// Runs the checks made before any request (arguments, and reading from a vault); a failure is reported
        /// for this input and false returned.
        /// </summary>
        protected bool TryValidate(object? target, Action validate)
        {
            try
            {
                validate();
                return true;
            }
            catch (Exception ex) when (ex is ArgumentException || ex is VaultException)
            {
                WriteJelouError(ex, target);
                return false;
            }
        }

        /// <summary>
        /// Reports a failure for one input. Failures that doom every later input (bad credentials) end
        /// the command; the rest are non-terminating, so a pipeline of projects goes on.
        /// </summary>
        protected void WriteJelouError(Exception exception, object? target)
        {
            ErrorRecord record = ToErrorRecord(exception, target);
            if (ErrorMapper.IsFatal(exception)) ThrowTerminatingError(record);
            WriteError(record);
        }

        /// <summary>The vault named by -Vault, or null when none was given; ends the command, before any API call, when it cannot be used.</summary>
        internal SecretVault? OpenVault(string? name)
        {
            if (name is null) return null;
            try
            {
                return SecretVault.Open(name);
            }
            catch (VaultException ex)
            {
                ThrowTerminatingError(ErrorMapper.From(ex, name));
                return null;
            }
        }

        /// <summary>The record for a failure; a cmdlet may add advice that only it can give.</summary>
        protected virtual ErrorRecord ToErrorRecord(Exception exception, object? target) => ErrorMapper.From(exception, target);

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

    /// <summary>A cmdlet that talks to the API: resolves -Context, else the runspace's connection.</summary>
    public abstract class JelouApiCmdletBase : JelouCmdletBase
    {
        /// <summary>The connection to use instead of the session's (from Connect-Jelou -PassThru).</summary>
        [Parameter]
        [ValidateNotNull]
        public JelouContext? Context { get; set; }

        protected JelouClient Client { get; private set; } = null!;

        protected override void BeginProcessing()
        {
            JelouContext? context = Context ?? JelouSession.Get(Runspace.DefaultRunspace);
            if (context is null || context.IsClosed) ThrowTerminatingError(ErrorMapper.NotConnected());
            Client = context!.Client;
        }
    }
}
