using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Runtime.ExceptionServices;
using System.Threading;
using System.Threading.Tasks;

namespace JelouPS.Infrastructure
{
    /// <summary>
    /// Runs the client's async calls from a cmdlet: one cancellation source per command (Ctrl+C cancels it), and a window
    /// of calls in flight (one by default; up to -ThrottleLimit). Calls continue on the thread pool and only queue typed records
    /// (their -Verbose and -Debug lines, and that they ended); the pipeline thread writes those, and settles each call,
    /// output, errors and vault writes alike, in input order. Every error goes through <see cref="ErrorMapper"/>, named
    /// after the <see cref="Item"/> the call was about.
    /// </summary>
    public abstract class JelouCmdletBase : PSCmdlet, IDisposable
    {
        private readonly CancellationTokenSource _cancel = new CancellationTokenSource();
        private readonly BlockingCollection<Record> _records = new BlockingCollection<Record>();
        private readonly Queue<Call> _window = new Queue<Call>();
        // The last call in the window of each order key (see Submit): a call of the same key submitted while it is there waits.
        private readonly Dictionary<string, Call> _lastOfKey = new Dictionary<string, Call>(StringComparer.Ordinal);
        // Calls started and not yet settled: what -ThrottleLimit bounds. A call waiting for one of its key is not counted. Also
        // counted up where the one before a waiting call succeeds, on the thread pool.
        private int _running;
        private readonly Stopwatch _clock = new Stopwatch();
        private IJelouTrace? _trace;
        private TraceListeners? _listening;
        private Exception? _writeFailure;
        private readonly DiagnosticLines _lines;
        private string? _settling;
        private int _settled;
        private int _failed;
        private TimeSpan _progressShown;
        private List<string>? _unseenChanges;
        private List<string>? _unseenMaybe;
        private Stopwatch? _strandedFor;

        private protected JelouCmdletBase() => _lines = new DiagnosticLines(this);

        /// <summary>When set, errors are collected here instead of written, so that every input is tried first.</summary>
        internal List<ErrorRecord>? DeferredErrors { get; set; }

        /// <summary>Cancelled by Ctrl+C (StopProcessing).</summary>
        internal CancellationToken CancelToken => _cancel.Token;

        /// <summary>What the input being handled is, for error messages ("Project 'p1'"): while a call settles, the one it was about.</summary>
        internal string? Item => _settling ?? CurrentItem;

        /// <summary>What the current input is, for error messages; null when the message says it already.</summary>
        internal virtual string? CurrentItem => null;

        /// <summary>How many calls may be in flight at once.</summary>
        internal virtual int Concurrency => 1;

        /// <summary>How many inputs the command will handle, when known in advance (for progress).</summary>
        internal virtual int? ExpectedCount => null;

        protected override void StopProcessing() => _cancel.Cancel();

        /// <summary>
        /// Sets $JelouUnsavedIntegrations and $JelouUnknownOutcomes in the caller's runspace; commands that override this call it
        /// before anything but their checks of the command line.
        /// </summary>
        protected override void BeginProcessing() => SessionVariables.Show(this);

        /// <summary>
        /// The issuer of a command that receives or stores signing secrets (New-, Reset-, Save-), which the command opens at
        /// its beginning; what it has to say once every input is done is said at the end.
        /// </summary>
        private protected SecretIssuer? Issuer { get; set; }

        /// <summary>Settles every call still in flight, then lets the issuer end; commands that override this call it first.</summary>
        protected override void EndProcessing()
        {
            Pump(room: 0);
            if (_progressShown > TimeSpan.Zero) WriteProgress(new ProgressRecord(ProgressId, MyInvocation.MyCommand.Name, "Done") { RecordType = ProgressRecordType.Completed });
            Issuer?.End();
        }

        /// <summary>
        /// Starts <paramref name="call"/> for one input, once the window has room; the pipeline thread settles it later, in
        /// input order: <paramref name="onSuccess"/> gets its result. A failure is reported (see <see cref="WriteJelouError"/>),
        /// after <paramref name="salvage"/> has acted on what it still carries and named the error's target.
        /// <paramref name="onStranded"/> gets a result that arrived when the pipeline could no longer take it (a stop, a failed
        /// write): it must keep what cannot be lost. With a window of one, the call is settled before this returns.
        /// </summary>
        /// <param name="orderKey">
        /// What the call changes, when calls that change the same thing must reach Jelou in input order (replies to one room;
        /// creates, updates, rotations and deletes of one project): submitted while the one before it of the same key is in
        /// the window, such a call waits, not counted against -ThrottleLimit, until that one and every input after it have
        /// succeeded, also while the pipeline thread is away (a receiver feeding replies waits for its next delivery); when one
        /// of them failed, until every input before it is settled, as it would be sent one at a time: their errors written (an
        /// error that ends the command, under -ErrorAction Stop, ends it unsent). Calls of other keys go on beside it. Null
        /// when order does not matter.
        /// </param>
        internal void Submit<T>(object? target, Func<IJelouTrace?, CancellationToken, Task<T>> call, Action<T> onSuccess, Action<T>? onStranded = null, Func<Exception, object?>? salvage = null, string? orderKey = null)
        {
            MakeRoom();
            _listening ??= TraceListeners.Of(MyInvocation.BoundParameters, name => SessionState.PSVariable.GetValue(name));
            // Nobody listens: no line is built or queued (the header descriptions alone are kilobytes a call).
            IJelouTrace? trace = _listening.Any ? _trace ??= new QueuedTrace(_records, _listening) : null;
            if (!_clock.IsRunning) _clock.Start();
            Call? before = orderKey != null && _lastOfKey.TryGetValue(orderKey, out Call? last) ? last : null;
            TaskCompletionSource<bool>? gate = before is null ? null : new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            Task<T> task = gate != null
                ? gate.Task.ContinueWith(opened => opened.IsCanceled ? Task.FromCanceled<T>(new CancellationToken(canceled: true)) : call(trace, _cancel.Token),
                    CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default).Unwrap()
                : Concurrency <= 1 && trace is null && OnPlainThread ? Start(call, trace)
                : Task.Run(() => call(trace, _cancel.Token));
            task.ContinueWith(_ => _records.Add(Record.Ended), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            string? item = Item;
            var queued = new Call(task, stranded => Settle(task, target, item, onSuccess, onStranded, salvage, stranded), running: gate is null, orderKey, gate);
            if (queued.Counted) Interlocked.Increment(ref _running);
            if (before != null) StartWhenAnswered(queued, _window.SkipWhile(call => call != before).ToArray());
            if (orderKey != null) _lastOfKey[orderKey] = queued;
            _window.Enqueue(queued);
            if (Concurrency <= 1) Pump(room: 0);
        }

        /// <summary>
        /// Starts a call on the pipeline thread, up to its first wait (a window of one waits for it anyway): no hop to the
        /// thread pool and back. Only when nobody listens (a -Verbose line the call writes before a synchronous part that
        /// blocks, such as a proxy lookup, would wait behind it) and <see cref="OnPlainThread"/>.
        /// </summary>
        private Task<T> Start<T>(Func<IJelouTrace?, CancellationToken, Task<T>> call, IJelouTrace? trace)
        {
            try
            {
                return call(trace, _cancel.Token);
            }
            catch (Exception ex)
            {
                return Task.FromException<T>(ex);
            }
        }

        /// <summary>
        /// The pipeline thread has no SynchronizationContext and no TaskScheduler of its own, so nothing the call awaits or
        /// schedules can be queued to this thread while it waits (a GUI host; a host running the pipeline in a task on its
        /// own scheduler, where .NET Framework's HttpClientHandler queues its setup with Task.Factory.StartNew).
        /// </summary>
        private static bool OnPlainThread => SynchronizationContext.Current is null && TaskScheduler.Current == TaskScheduler.Default;

        /// <inheritdoc cref="Submit{T}"/>
        internal void Submit(object? target, Func<IJelouTrace?, CancellationToken, Task> call, Action onSuccess, string? orderKey = null) =>
            Submit<bool>(target, async (trace, token) =>
            {
                await call(trace, token).ConfigureAwait(false);
                return true;
            }, _ => onSuccess(), orderKey: orderKey);

        /// <summary>
        /// Settles calls in flight, in input order, until one more can start (what <see cref="Submit"/> does first); all of
        /// them when one of order key <paramref name="settling"/> is among them: an input that must be decided, once one of its
        /// key is in flight, as with -ThrottleLimit 1 (every input before it done: secrets stored, output and errors written)
        /// calls this before it decides anything. If the command stops on what it settles, nothing of that input is sent.
        /// </summary>
        internal void MakeRoom(string? settling = null)
        {
            if (settling != null && _lastOfKey.ContainsKey(settling)) Pump(room: 0);
            else Pump(room: Concurrency - 1, waiting: WaitingCalls);
        }

        // How many calls may wait for one of their order key beside those running: enough that a run of replies to one room
        // does not hold back the other rooms', few enough that input is not read far ahead of what is sent.
        private int WaitingCalls => 4 * Concurrency;

        /// <summary>
        /// Writes the calls' records and settles the calls that ended, in input order, until at most <paramref name="room"/>
        /// are running and <paramref name="waiting"/> more are in the window. A call waiting for its order key starts once it
        /// is first in the window. A write can throw (the pipeline stopped, -Verbose:Stop, an Inquire answered Halt): then
        /// every call left is still waited for and its result stranded, so nothing issued is lost, and the failure is raised
        /// after; a call still waiting for its key is never sent.
        /// </summary>
        private void Pump(int room, int waiting = 0)
        {
            for (StartWaitingHead(); _window.Count > 0 && (_writeFailure != null || _running > room || _window.Count > room + waiting); StartWaitingHead())
            {
                Call head = _window.Peek();
                if (head.Task.IsCompleted)
                {
                    // Its -Verbose lines were all queued before it ended: they come before what it settles into.
                    while (_records.TryTake(out Record queued)) Write(queued);
                    _window.Dequeue();
                    if (head.Counted) Interlocked.Decrement(ref _running);
                    head.Settle(_writeFailure != null);
                    // Its result is not held past its settling.
                    if (head.OrderKey != null && _lastOfKey.TryGetValue(head.OrderKey, out Call? last) && last == head) _lastOfKey.Remove(head.OrderKey);
                    ShowProgress();
                    continue;
                }
                Write(_writeFailure is null ? _records.Take() : TakeStranded());
            }
            while (_records.TryTake(out Record record)) Write(record);
            if (_writeFailure != null)
            {
                TellUnseenChanges();
                ExceptionDispatchInfo.Capture(_writeFailure).Throw();
            }
        }

        // Starts a call waiting for its order key once the one before it of its key and every input after that one succeeded,
        // unless the command has stopped meanwhile; an input refused before its request among them leaves it to wait its turn.
        private void StartWhenAnswered(Call waiting, Call[] ahead)
        {
            if (ahead.Any(call => !call.Waiting && !call.Counted)) return;
            Task.WhenAll(ahead.Select(call => call.Task)).ContinueWith(_ =>
            {
                if (ahead.All(call => call.Task.Status == TaskStatus.RanToCompletion) && MayStart && waiting.Open(go: true)) Interlocked.Increment(ref _running);
            }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        // A call still waiting for its order key that is first in the window (the one before it failed): every input before it
        // is settled, so it starts, as it would one at a time; or, once nothing more may start, it ends unsent.
        private void StartWaitingHead()
        {
            if (_window.Count > 0 && _window.Peek().Waiting && _window.Peek().Open(go: MayStart)) Interlocked.Increment(ref _running);
        }

        // Nothing has stopped the command (the pipeline taking no more output, an error under Stop, Ctrl+C); read from the
        // thread pool too.
        private bool MayStart => Volatile.Read(ref _writeFailure) is null && !_cancel.IsCancellationRequested;

        /// <summary>
        /// Says which changes were carried out, or may have been, after the pipeline stopped taking output (Select-Object
        /// -First with -ThrottleLimit, a failed write, another command's error): requests already in flight were answered, or
        /// lost their answer, and nobody saw it. Without this, rerunning the rows not output would send them twice.
        /// </summary>
        private void TellUnseenChanges()
        {
            if (_unseenChanges is null && _unseenMaybe is null) return;
            string done = _unseenChanges is null ? ""
                : (_unseenChanges.Count == 1 ? "1 was carried out, its output not written: " : $"{_unseenChanges.Count} were carried out, their output not written: ") +
                  string.Join("; ", _unseenChanges) + (_unseenChanges.Count == 1 ? ". Do not send it again." : ". Do not send them again.");
            string maybe = _unseenMaybe is null ? ""
                : $"{_unseenMaybe.Count} failed in a way that may have been carried out: {string.Join("; ", _unseenMaybe)}. Check before sending them again.";
            WarnLate($"{MyInvocation.MyCommand.Name} stopped before writing the outcome of requests it had sent. " + (done + " " + maybe).Trim());
            _unseenChanges = null;
            _unseenMaybe = null;
        }

        // Whether the command changes something at Jelou (it asks ShouldProcess), so that a result nobody saw is worth saying.
        private bool MakesChanges => Declared.SupportsShouldProcess;

        private CmdletAttribute Declared => (CmdletAttribute)Attribute.GetCustomAttribute(GetType(), typeof(CmdletAttribute));

        /// <summary>
        /// The next record while calls are waited for only to strand their results (the pipeline takes no more output): a
        /// change's calls get <see cref="LeftBehindWait"/>, a read's none, and then they are cancelled (each gets the
        /// transport's few seconds for an answer already coming), as Ctrl+C would.
        /// </summary>
        private Record TakeStranded()
        {
            if (!_cancel.IsCancellationRequested)
            {
                _strandedFor ??= Stopwatch.StartNew();
                TimeSpan left = StrandedWait - _strandedFor.Elapsed;
                if (left > TimeSpan.Zero && _records.TryTake(out Record record, left)) return record;
                _cancel.Cancel();
            }
            return _records.Take();
        }

        // How long calls are waited for when their results can only be stranded: a read's are worth nothing then.
        private TimeSpan StrandedWait => MakesChanges ? LeftBehindWait : TimeSpan.Zero;

        private void Write(Record record)
        {
            if (record.Kind == RecordKind.Ended || _writeFailure != null) return;
            try
            {
                Trace(record.Text!, record.Kind == RecordKind.Debug);
            }
            catch (Exception ex)
            {
                _writeFailure = ex;
            }
        }

        private void Settle<T>(Task<T> task, object? target, string? item, Action<T> onSuccess, Action<T>? onStranded, Func<Exception, object?>? salvage, bool stranded)
        {
            Exception? failure = task.IsFaulted ? task.Exception!.GetBaseException() : null;
            if (stranded)
            {
                // Nothing can be written: keep what cannot be lost, quietly.
                try
                {
                    string what = item ?? target?.ToString() ?? "";
                    if (task.Status == TaskStatus.RanToCompletion)
                    {
                        if (MakesChanges) (_unseenChanges ??= new List<string>()).Add(what);
                        onStranded?.Invoke(task.Result);
                    }
                    else if (failure != null && !(failure is OperationCanceledException))
                    {
                        if (MakesChanges && JelouSession.Flight.MayHaveActed(failure)) (_unseenMaybe ??= new List<string>()).Add(what);
                        salvage?.Invoke(failure);
                    }
                }
                catch (Exception)
                {
                }
                return;
            }
            _settling = item;
            try
            {
                if (task.Status == TaskStatus.RanToCompletion)
                {
                    _settled++;
                    onSuccess(task.Result);
                    return;
                }
                if (failure is null || (failure is OperationCanceledException && _cancel.IsCancellationRequested)) throw new PipelineStoppedException();
                _settled++;
                _failed++;
                object? errorTarget = salvage is null ? target : salvage(failure);
                WriteJelouError(failure, ErrorMapper.From(failure, errorTarget, Item));
            }
            catch (Exception ex)
            {
                _writeFailure ??= ex;
            }
            finally
            {
                _settling = null;
            }
        }

        private const int ProgressId = 0x4A50;

        /// <summary>Count, rate and (when the total is known) time left, on runs longer than a second, at most 4 times a second.</summary>
        private void ShowProgress()
        {
            TimeSpan elapsed = _clock.Elapsed;
            // One slow call is not a run: progress starts with the second input.
            if (_writeFailure != null || _settled < 2 || elapsed < TimeSpan.FromSeconds(1) || elapsed - _progressShown < TimeSpan.FromMilliseconds(250)) return;
            _progressShown = elapsed;
            double rate = _settled / elapsed.TotalSeconds;
            var progress = new ProgressRecord(ProgressId, MyInvocation.MyCommand.Name,
                string.Format(CultureInfo.InvariantCulture, "{0} done ({1} failed), {2:0.#} per second", _settled, _failed, rate)
                + (Concurrency > 1 ? string.Format(CultureInfo.InvariantCulture, ", {0} in flight", _running) : ""));
            if (ExpectedCount is int total && total > 0)
            {
                progress.PercentComplete = Math.Min(100, _settled * 100 / total);
                if (rate > 0) progress.SecondsRemaining = (int)Math.Ceiling(Math.Max(0, total - _settled) / rate);
            }
            try
            {
                WriteProgress(progress);
            }
            catch (Exception ex)
            {
                _writeFailure ??= ex;
            }
        }

        /// <summary>Writes a diagnostic line to -Verbose (or -Debug), or leaves it out where the host cannot ask (see <see cref="DiagnosticLines"/>).</summary>
        internal void Trace(string text, bool debug = false) => _lines.Trace(text, debug);

        /// <inheritdoc cref="DiagnosticLines.WarnLate"/>
        /// <param name="always">Said on the host even where the caller silenced warnings: a signing secret nobody holds yet.</param>
        internal void WarnLate(string warning, bool always = false) => _lines.WarnLate(warning, WarningsShown, always);

        /// <summary>Writes a warning; in a host that cannot ask under -Debug, the host has shown the line before failing to ask.</summary>
        /// <param name="about">
        /// The issued integrations the warning is about, already written: under -WarningAction Stop (a strict CI script) the
        /// error that ends the command carries them as its TargetObject. PowerShell's own would carry nothing (it is recorded
        /// before WriteWarning throws, so it cannot be caught and replaced), and a script whose assignment lost the output
        /// ($i = New-...) could not get them back from its catch.
        /// </param>
        internal void Warn(string text, object? about = null)
        {
            if (about != null && DiagnosticLines.Preference(this, "WarningAction", "WarningPreference") == ActionPreference.Stop)
            {
                ThrowTerminatingError(ErrorMapper.StoppedByWarning(text, about));
            }
            InTurn(() => _lines.Warn(text), "WarningAction", "WarningPreference");
        }

        /// <summary>
        /// Writes what an input says before its request (an error, a warning: <paramref name="write"/>) in its turn, after
        /// what the calls still in flight settle into, as with -ThrottleLimit 1. Where it may end the command (its
        /// -<paramref name="parameter"/> or $<paramref name="variable"/> is Stop or Inquire), those are settled first and it
        /// is written now, so that it ends the command before this input's request and any later one; else it waits its turn
        /// in the window.
        /// </summary>
        private void InTurn(Action write, string parameter, string variable)
        {
            if (_settling is null && _window.Count > 0)
            {
                ActionPreference? preference = DiagnosticLines.Preference(this, parameter, variable);
                if (preference == ActionPreference.Stop || preference == ActionPreference.Inquire)
                {
                    Pump(room: 0);
                }
                else
                {
                    _window.Enqueue(new Call(Task.CompletedTask, stranded =>
                    {
                        if (stranded) return;
                        try
                        {
                            write();
                        }
                        catch (Exception ex)
                        {
                            _writeFailure ??= ex;
                        }
                    }));
                    return;
                }
            }
            write();
        }

        /// <summary>
        /// Runs the checks made before any request (arguments, and reading from a vault); a failure is reported
        /// for this input and false returned.
        /// </summary>
        /// <param name="item">What the error's message names first; the command's Item when null.</param>
        internal bool TryValidate(object? target, Action validate, string? item = null)
        {
            try
            {
                validate();
                return true;
            }
            catch (Exception ex) when (ex is ArgumentException || ex is VaultException)
            {
                WriteJelouError(ex, ErrorMapper.From(ex, target, item ?? Item));
                return false;
            }
        }

        /// <summary>
        /// Reports a failure for one input. Failures that doom every later input (bad credentials) end
        /// the command; the rest are non-terminating, so a pipeline of projects goes on.
        /// </summary>
        internal void WriteJelouError(Exception exception, ErrorRecord record)
        {
            record = Advised(record);
            if (ErrorMapper.IsFatal(exception))
            {
                if (_settling is null) Pump(room: 0);
                ThrowTerminatingError(record);
            }
            // An input refused before its request (a bad value, a vault that cannot take it).
            InTurn(() => Report(record), "ErrorAction", "ErrorActionPreference");
        }

        /// <summary>
        /// Writes a non-terminating error (held back while <see cref="DeferredErrors"/> collects them). Under -ErrorAction (or
        /// $ErrorActionPreference) Inquire where the host cannot ask (pwsh -NonInteractive, a runbook), the error ends the command
        /// itself, as Stop would: PowerShell's refusal to ask would end it carrying nothing of the error (a vault's failure to
        /// store an issued secret, with the integration).
        /// </summary>
        internal void Report(ErrorRecord record)
        {
            if (DeferredErrors != null)
            {
                DeferredErrors.Add(record);
                return;
            }
            try
            {
                WriteError(record);
            }
            catch (Exception ex) when (!(ex is PipelineStoppedException) && !(ex is ActionPreferenceStopException)
                && DiagnosticLines.Preference(this, "ErrorAction", "ErrorActionPreference") == ActionPreference.Inquire)
            {
                ThrowTerminatingError(record);
            }
        }

        /// <summary>
        /// ShouldProcess, with what unattended runs need. <paramref name="force"/> is the value of a -Force switch that
        /// answers the confirmation in advance, as Az's destructive cmdlets do (null when the cmdlet has none); -WhatIf
        /// (or $WhatIfPreference) still only describes. A prompt the host cannot show (pwsh -NonInteractive, a runbook, a closed standard input)
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
                // The calls in flight are settled first: their results (and secrets) reach the caller before the command ends.
                Pump(room: 0);
                bool confirmOn = MyInvocation.BoundParameters.TryGetValue("Confirm", out object? confirm) && LanguagePrimitives.IsTrue(confirm);
                string how = force is null ? "-Confirm:$false" : confirmOn ? "-Force without -Confirm" : "-Force (or -Confirm:$false)";
                ThrowTerminatingError(ErrorMapper.Create(ErrorMapper.ConfirmationRequired,
                    new InvalidOperationException($"{MyInvocation.MyCommand.Name} asks for confirmation before it changes {target}{WhyAsked(confirmOn)}, and this host cannot ask ({DiagnosticLines.CannotAskReason(ex)}). Use {how} to confirm in advance.", ex),
                    target, advice: $"Confirm in advance with {how}: in a script or runbook, that is the answer to the prompt."));
                return false;
            }
        }

        // " (-Confirm is on)", or " ($ConfirmPreference is Medium, and this change's impact is Medium)"; "" when neither asked.
        private string WhyAsked(bool confirmOn)
        {
            if (confirmOn) return " (-Confirm is on)";
            ConfirmImpact impact = Declared.ConfirmImpact;
            object? setting = SessionState.PSVariable.GetValue("ConfirmPreference");
            return LanguagePrimitives.TryConvertTo(setting, out ConfirmImpact preference) && preference != ConfirmImpact.None && impact >= preference
                ? $" ($ConfirmPreference is {preference}, and this change's impact is {impact})"
                : "";
        }

        /// <summary>Whether this command's warnings are shown (its -WarningAction, else $WarningPreference, is not SilentlyContinue or Ignore).</summary>
        internal bool WarningsShown
        {
            get
            {
                object? setting = MyInvocation.BoundParameters.TryGetValue("WarningAction", out object? given) ? given : SessionState.PSVariable.GetValue("WarningPreference");
                return !(LanguagePrimitives.TryConvertTo(setting, out ActionPreference preference) && (preference == ActionPreference.SilentlyContinue || preference == ActionPreference.Ignore));
            }
        }

        private bool WhatIfInEffect =>
            MyInvocation.BoundParameters.TryGetValue("WhatIf", out object? whatIf)
                ? LanguagePrimitives.IsTrue(whatIf)
                : LanguagePrimitives.IsTrue(SessionState.PSVariable.GetValue("WhatIfPreference"));

        public void Dispose()
        {
            try
            {
                SettleLeftBehind();
            }
            finally
            {
                Release();
                _cancel.Dispose();
                _records.Dispose();
                GC.SuppressFinalize(this);
            }
        }

        /// <summary>
        /// How long calls whose results can only be stranded are waited for before they are cancelled (see
        /// <see cref="SettleLeftBehind"/>, <see cref="TakeStranded"/>). Settable for tests, which shorten it in a collection run alone.
        /// </summary>
        internal static TimeSpan LeftBehindWait { get; set; } = TimeSpan.FromSeconds(10);

        /// <summary>
        /// Calls still in flight when PowerShell disposes the command without ending it (another command's error, or a
        /// binding error under $ErrorActionPreference = 'Stop', ended the pipeline): each is waited for and settled as
        /// stranded (a secret stored in the vault, or kept and said; a change said) before the caller's catch block runs.
        /// Nothing can be written as output then, but the warning stream still takes lines. Ctrl+C no longer reaches a
        /// command being disposed: after <see cref="LeftBehindWait"/> (at once for a read) the calls are cancelled, which
        /// gives each the transport's few seconds for an answer already coming, and records the rest as of unknown outcome.
        /// </summary>
        private void SettleLeftBehind()
        {
            if (_window.Count == 0) return;
            // As after a failed write: Pump strands every call left (see TakeStranded), says what became of them, and raises this.
            var ended = new PipelineStoppedException();
            _writeFailure ??= ended;
            try
            {
                Pump(room: 0);
            }
            catch (PipelineStoppedException raised) when (ReferenceEquals(raised, ended))
            {
            }
        }

        /// <summary>The record as this command reports it: its advice fitted to how the command was called.</summary>
        private ErrorRecord Advised(ErrorRecord record) => OnOtherConnection ? ErrorMapper.WithContext(record) : record;

        /// <summary>Whether the command works over a -Context other than the session's connection, which advice must name.</summary>
        internal virtual bool OnOtherConnection => false;

        /// <summary>What a warning that advises commands adds on another connection (see <see cref="ErrorMapper.SameContext"/>); "" otherwise.</summary>
        internal string SameContextNote => OnOtherConnection ? " " + ErrorMapper.SameContext : "";

        /// <summary>Drops what a command holds (signing keys), when PowerShell disposes it.</summary>
        private protected virtual void Release() { }

        private enum RecordKind
        {
            Verbose,
            Debug,
            Ended,
        }

        /// <summary>What a call running on the thread pool hands the pipeline thread.</summary>
        private readonly struct Record
        {
            internal static readonly Record Ended = new Record(RecordKind.Ended, null);

            internal Record(RecordKind kind, string? text)
            {
                Kind = kind;
                Text = text;
            }

            internal RecordKind Kind { get; }
            internal string? Text { get; }
        }

        /// <summary>A call in the window: its task, and how the pipeline thread settles it (or strands its result).</summary>
        private sealed class Call
        {
            private readonly TaskCompletionSource<bool>? _gate;

            /// <param name="running">The call has started (a request), rather than waiting for its key or being an error in its turn.</param>
            internal Call(Task task, Action<bool> settle, bool running = false, string? orderKey = null, TaskCompletionSource<bool>? gate = null)
            {
                Task = task;
                Settle = settle;
                _state = gate != null ? WaitingState : running ? StartedState : NotStartedState;
                OrderKey = orderKey;
                _gate = gate;
            }

            internal Task Task { get; }
            internal Action<bool> Settle { get; }
            internal string? OrderKey { get; }

            // Waiting for its order key, started (a request: counted among those running), or not (an error in its turn, or
            // ended unsent). Set once from waiting, by whichever of the pipeline thread and the thread pool comes first.
            private const int WaitingState = 0, StartedState = 1, NotStartedState = 2;
            private int _state;

            /// <summary>Whether the call waits for its order key: not started, nor ended unsent.</summary>
            internal bool Waiting => Volatile.Read(ref _state) == WaitingState;

            /// <summary>Whether the call is counted among those running (see _running): it started.</summary>
            internal bool Counted => Volatile.Read(ref _state) == StartedState;

            /// <summary>
            /// Lets a waiting call start (<paramref name="go"/>), or ends it unsent; true when it started now (the caller counts
            /// it as running). The pipeline thread and the thread pool (the call before it succeeding) may both try: the first
            /// decides.
            /// </summary>
            internal bool Open(bool go)
            {
                if (Interlocked.CompareExchange(ref _state, go ? StartedState : NotStartedState, WaitingState) != WaitingState) return false;
                if (go) _gate!.SetResult(true);
                else _gate!.SetCanceled();
                return go;
            }
        }

        private sealed class QueuedTrace : IJelouTrace
        {
            private readonly BlockingCollection<Record> _records;
            private readonly TraceListeners _listening;

            public QueuedTrace(BlockingCollection<Record> records, TraceListeners listening)
            {
                _records = records;
                _listening = listening;
            }

            public void Verbose(string message)
            {
                if (_listening.Verbose) _records.TryAdd(new Record(RecordKind.Verbose, message));
            }

            public void Debug(string message)
            {
                if (_listening.Debug) _records.TryAdd(new Record(RecordKind.Debug, message));
            }
        }
    }
}
