using System;
using System.Collections.Generic;
using System.Management.Automation;

namespace JelouPS.Infrastructure
{
    /// <summary>
    /// Whether a command's -Verbose and -Debug lines would be shown, decided once per command the way PowerShell decides
    /// for WriteVerbose and WriteDebug (MshCommandRuntime): a bound -Verbose or -Debug wins (-Debug turns verbose lines on
    /// too), else $VerbosePreference and $DebugPreference as the command sees them. A line nobody would see is not built.
    /// </summary>
    internal sealed class TraceListeners
    {
        private TraceListeners(bool verbose, bool debug)
        {
            Verbose = verbose;
            Debug = debug;
        }

        internal bool Verbose { get; }
        internal bool Debug { get; }
        internal bool Any => Verbose || Debug;

        /// <param name="bound">The command's bound parameters (with $PSDefaultParameterValues applied, as PowerShell binds them).</param>
        /// <param name="preference">Reads a preference variable by name in the command's scope.</param>
        internal static TraceListeners Of(IDictionary<string, object> bound, Func<string, object?> preference)
        {
            bool? debugFlag = Flag(bound, "Debug");
            bool debug = debugFlag ?? Shown(preference("DebugPreference"));
            bool verbose = Flag(bound, "Verbose") ?? (debugFlag == true || Shown(preference("VerbosePreference")));
            return new TraceListeners(verbose, debug);
        }

        private static bool? Flag(IDictionary<string, object> bound, string name) =>
            bound.TryGetValue(name, out object? value) ? LanguagePrimitives.IsTrue(value) : (bool?)null;

        // Unset is the default, SilentlyContinue. A value PowerShell cannot read as a preference fails the write itself:
        // counted as shown, so that error still comes.
        private static bool Shown(object? preference)
        {
            if (preference is null) return false;
            if (!LanguagePrimitives.TryConvertTo(preference, out ActionPreference value)) return true;
            return value != ActionPreference.SilentlyContinue && value != ActionPreference.Ignore;
        }
    }
}
