using System;
using System.Collections.Generic;
using System.Reflection;

namespace JelouPS.LoadContext
{
    /// <summary>
    /// Which assembly goes where on PowerShell 7: pure decisions over names and versions, unit-tested.
    /// </summary>
    internal static class LoadPolicy
    {
        /// <summary>The one assembly the default context is answered for: the door into the private context.</summary>
        internal const string EntryPoint = "JelouPS.Client";

        /// <summary>
        /// Packages that exist to give .NET Framework what .NET already has (Span, ValueTask, Vector).
        /// On .NET they come from the runtime, never from dependencies/: a second copy would be a second
        /// Span&lt;T&gt;. The build checks that .NET 6's reference assemblies satisfy every version the shipped
        /// assemblies ask of them.
        /// </summary>
        internal static readonly ISet<string> RuntimeProvided = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
        {
            "System.Buffers",
            "System.Memory",
            "System.Numerics.Vectors",
            "System.Runtime.CompilerServices.Unsafe",
            "System.Threading.Tasks.Extensions",
        };

        /// <summary>
        /// Whether the default context's Resolving event is ours to answer: only for the client, and only
        /// for a version the shipped one satisfies. Every other name is left to PowerShell and other modules.
        /// </summary>
        internal static bool AnswersDefaultContext(AssemblyName requested, IReadOnlyDictionary<string, Version> shipped) =>
            string.Equals(requested.Name, EntryPoint, StringComparison.Ordinal) && Satisfies(requested, shipped);

        /// <summary>
        /// Whether the private context loads the requested assembly from dependencies/ (true) or defers to
        /// the default context, i.e. the runtime (false): only names shipped there, not runtime-provided,
        /// in a version at least the one asked for.
        /// </summary>
        internal static bool LoadsPrivately(AssemblyName requested, IReadOnlyDictionary<string, Version> shipped) =>
            requested.Name is string name && !RuntimeProvided.Contains(name) && Satisfies(requested, shipped);

        private static bool Satisfies(AssemblyName requested, IReadOnlyDictionary<string, Version> shipped) =>
            requested.Name is string name
            && string.IsNullOrEmpty(requested.CultureName)
            && shipped.TryGetValue(name, out Version? version)
            && (requested.Version is null || version >= requested.Version);
    }
}
