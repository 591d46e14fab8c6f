using System;
using System.Management.Automation;
using System.Management.Automation.Host;

namespace JelouPS.Infrastructure
{
    /// <summary>
    /// A command's -Verbose, -Debug and warning lines. -Debug on a compiled cmdlet makes PowerShell ask before each verbose
    /// line unless -Verbose is given too (and, on Windows PowerShell 5.1, before each debug line), and a host that cannot
    /// ask (pwsh -NonInteractive, a runbook, a console whose standard input is closed) throws once it has shown the line:
    /// the lines are diagnostics, so the kind that asks is left out from then on, with a warning, rather than fail a
    /// command that may already have issued a secret or changed something. The other kind is still written; each kind
    /// left out is warned of once.
    /// </summary>
    internal sealed class DiagnosticLines
    {
        private readonly PSCmdlet _cmdlet;
        private bool _verboseUnavailable;
        private bool _debugUnavailable;

        internal DiagnosticLines(PSCmdlet cmdlet) => _cmdlet = cmdlet;

        internal void Trace(string text, bool debug = false)
        {
            if (debug ? _debugUnavailable : _verboseUnavailable) return;
            try
            {
                if (debug) _cmdlet.WriteDebug(text);
                else _cmdlet.WriteVerbose(text);
            }
            catch (Exception ex) when (IsPromptFailure(ex))
            {
                if (debug) _debugUnavailable = true;
                else _verboseUnavailable = true;
                string kind = debug ? "debug" : "verbose";
                string note = _cmdlet.MyInvocation.BoundParameters.TryGetValue("Debug", out object? given) && LanguagePrimitives.IsTrue(given)
                    ? $"-Debug makes PowerShell ask before each {kind} line, and this host cannot ask: those lines are left out. " +
                      "Set $DebugPreference = 'Continue' and $VerbosePreference = 'Continue' instead of -Debug (on PowerShell 7, adding -Verbose to -Debug also works)."
                    : $"PowerShell asks before each {kind} line here (${(debug ? "Debug" : "Verbose")}Preference is Inquire), and this host cannot ask: " +
                      "those lines are left out. Use 'Continue' instead of 'Inquire' to see them.";
                // Only about diagnostics: a -WarningAction of Stop must not end a command that may have issued a secret (once
                // PowerShell stops on a warning, the command fails even if the exception is caught), so the host shows it.
                if (WarningsStop) WriteOnHost(note);
                else Warn(note);
            }
        }

        /// <summary>Writes a warning; under -Debug it asks too, and in a host that cannot ask the host has shown the line before asking.</summary>
        internal void Warn(string text)
        {
            try
            {
                _cmdlet.WriteWarning(text);
            }
            catch (Exception ex) when (IsPromptFailure(ex))
            {
            }
        }

        /// <summary>
        /// A warning for what must be said once output may no longer be taken (Select-Object -First took what it wanted, a
        /// write failed, the command is being disposed after another command's error): the warning stream, which transcripts
        /// record, while it takes lines; else the host itself (Ctrl+C stops every stream). Where the
        /// caller silenced warnings, only what <paramref name="always"/> must be said is, on the host. A host that cannot
        /// print loses nothing: what matters is recorded elsewhere.
        /// </summary>
        internal void WarnLate(string text, bool warningsShown, bool always)
        {
            // Under Stop or Inquire the stream would end the command (or ask) with the line written, and it has ended already.
            if (!(WarningPreference is ActionPreference.Stop or ActionPreference.Inquire))
            {
                try
                {
                    Warn(text);
                    if (warningsShown || !always) return;
                }
                catch (PipelineStoppedException)
                {
                }
            }
            if (warningsShown || always) WriteOnHost(text);
        }

        private bool WarningsStop => WarningPreference == ActionPreference.Stop;

        private ActionPreference? WarningPreference => Preference(_cmdlet, "WarningAction", "WarningPreference");

        /// <summary>The command's -ErrorAction (or the like), else the caller's preference variable; null when neither reads as one.</summary>
        internal static ActionPreference? Preference(PSCmdlet cmdlet, string parameter, string variable) =>
            (cmdlet.MyInvocation.BoundParameters.TryGetValue(parameter, out object? action) ? action : cmdlet.SessionState.PSVariable.GetValue(variable)) is object value
            && LanguagePrimitives.TryConvertTo(value, out ActionPreference preference) ? preference : (ActionPreference?)null;

        private void WriteOnHost(string text)
        {
            try
            {
                _cmdlet.Host.UI.WriteWarningLine(text);
            }
            catch (Exception ex) when (ex is HostException || ex is NotImplementedException || ex is PipelineStoppedException)
            {
            }
        }

        // A host that cannot ask throws from its prompt: PSInvalidOperationException (pwsh -NonInteractive), HostException
        // or NotImplementedException (a host without a UI), NullReferenceException (the console host reading an answer
        // from a closed standard input, as a CI runner or scheduler starts pwsh). A stop, or an answer or preference that
        // stops the command (ActionPreferenceStopException), is no failure to ask.
        private static bool IsPromptFailure(Exception ex) =>
            ex is PSInvalidOperationException || ex is HostException || ex is NotImplementedException || ex is NullReferenceException;

        /// <summary>Why the host could not ask, for a message: its own words, except where it only failed to read an answer.</summary>
        internal static string CannotAskReason(Exception ex)
        {
            if (ex is NullReferenceException) return "no answer could be read: standard input is closed";
            // A runspace without a host (ForEach-Object -Parallel, a thread job) quotes the whole prompt after its reason,
            // over several lines: the reason alone, in one, for logs read line by line.
            string reason = ex.Message;
            int quoted = reason.IndexOf(" The host was attempting", StringComparison.Ordinal);
            if (quoted > 0) reason = reason.Substring(0, quoted);
            int lineBreak = reason.IndexOfAny(new[] { '\r', '\n' });
            if (lineBreak > 0) reason = reason.Substring(0, lineBreak);
            return reason.Trim().TrimEnd('.');
        }
    }
}
