using System;
using System.Collections.Generic;
using System.IO;
using System.Reflection;

namespace JelouPS.Infrastructure
{
    /// <summary>An assembly JelouPS ships in dependencies/, as its file says it is.</summary>
    internal sealed class ShippedAssembly
    {
        internal ShippedAssembly(AssemblyName name, string path)
        {
            Name = name;
            Path = path;
        }

        internal AssemblyName Name { get; }

        internal string Path { get; }
    }

    /// <summary>
    /// Windows PowerShell 5.1's AssemblyResolve decision, kept pure so it is unit-tested anywhere:
    /// JelouPS answers only requests made by its own assemblies, only for names it ships, only in a
    /// version (and with the public key) it can satisfy. Everything else is another module's business.
    /// </summary>
    internal static class DesktopResolverPolicy
    {
        /// <summary>
        /// The shipped assembly to answer <paramref name="requested"/> with, or null to decline.
        /// </summary>
        /// <param name="requested">What the runtime could not find.</param>
        /// <param name="requesterPath">Location of the assembly that asked; null or empty when unknown (declined).</param>
        /// <param name="moduleFolder">The folder of JelouPS.dll; its own assemblies are there and in dependencies/.</param>
        /// <param name="shipped">The contents of dependencies/, by simple name.</param>
        internal static ShippedAssembly? Decide(AssemblyName requested, string? requesterPath, string moduleFolder, IReadOnlyDictionary<string, ShippedAssembly> shipped)
        {
            if (!IsOwnAssembly(requesterPath, moduleFolder)) return null;
            if (requested.Name is null || !shipped.TryGetValue(requested.Name, out ShippedAssembly? candidate)) return null;
            if (!string.IsNullOrEmpty(requested.CultureName)) return null;
            if (requested.Version != null && (candidate.Name.Version is null || candidate.Name.Version < requested.Version)) return null;
            byte[]? wantedKey = requested.GetPublicKeyToken();
            if (wantedKey != null && wantedKey.Length > 0 && !SameBytes(wantedKey, candidate.Name.GetPublicKeyToken())) return null;
            return candidate;
        }

        /// <summary>True when the file is directly in the module folder or in its dependencies/ (not in a look-alike sibling).</summary>
        internal static bool IsOwnAssembly(string? path, string moduleFolder)
        {
            if (string.IsNullOrEmpty(path)) return false;
            string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
            if (folder is null) return false;
            string root = Path.GetFullPath(moduleFolder).TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar);
            return SamePath(folder, root) || SamePath(folder, Path.Combine(root, ModuleInitializer.DependencyFolderName));
        }

        private static bool SamePath(string a, string b) =>
            string.Equals(a.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar), b, StringComparison.OrdinalIgnoreCase);

        private static bool SameBytes(byte[] a, byte[]? b)
        {
            if (b is null || a.Length != b.Length) return false;
            for (int i = 0; i < a.Length; i++)
            {
                if (a[i] != b[i]) return false;
            }
            return true;
        }
    }
}
