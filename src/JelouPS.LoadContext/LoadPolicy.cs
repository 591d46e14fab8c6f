using System;
using System.Collections.Generic;
using System.Linq;
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
        /// Whether the default context's Resolving event is ours to answer: only for the client (and then only with
        /// a shipped copy that <see cref="Satisfies"/> the request). Every other name is left to PowerShell and other modules.
        /// </summary>
        internal static bool AnswersDefaultContext(AssemblyName requested) =>
            string.Equals(requested.Name, EntryPoint, StringComparison.OrdinalIgnoreCase);

        /// <summary>
        /// The file in dependencies/ that answers <paramref name="requested"/>, or null to leave it to the default context,
        /// i.e. the runtime: a name the module ships (<paramref name="shipped"/>, its list of dependencies/), matched in any
        /// letter case as .NET matches names, its file named as the list spells it; not a runtime-provided name, not a
        /// satellite (culture) assembly. Whether that copy <see cref="Satisfies"/> the request is read from the file itself.
        /// </summary>
        internal static string? ShippedFileName(AssemblyName requested, IEnumerable<string> shipped) =>
            string.IsNullOrEmpty(requested.CultureName)
            && requested.Name is string name
            && !RuntimeProvided.Contains(name)
            && shipped.FirstOrDefault(file => string.Equals(file, name, StringComparison.OrdinalIgnoreCase)) is string file
                ? file + ".dll"
                : null;

        /// <summary>
        /// Whether the shipped copy, named <paramref name="shipped"/>, answers the request: the assembly asked for (a file
        /// can hold another), at least the version asked for, and the publisher's key asked for, if any (as the Windows
        /// PowerShell 5.1 resolver also checks).
        /// </summary>
        internal static bool Satisfies(AssemblyName requested, AssemblyName shipped) =>
            string.Equals(requested.Name, shipped.Name, StringComparison.OrdinalIgnoreCase)
            && shipped.Version != null
            && (requested.Version is null || shipped.Version >= requested.Version)
            && SameKeyWhenAsked(requested.GetPublicKeyToken(), shipped.GetPublicKeyToken());

        private static bool SameKeyWhenAsked(byte[]? wanted, byte[]? shipped) =>
            wanted is null || wanted.Length == 0 || (shipped != null && wanted.AsSpan().SequenceEqual(shipped));
    }
}
