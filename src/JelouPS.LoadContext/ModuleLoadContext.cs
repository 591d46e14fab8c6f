using System;
using System.Collections.Generic;
using System.IO;
using System.Reflection;
using System.Runtime.Loader;

namespace JelouPS.LoadContext
{
    /// <summary>
    /// Called by JelouPS.dll (through reflection, as JelouPS.dll is netstandard2.0) when the module is
    /// imported on PowerShell 7. JelouPS.dll stays in the default context; JelouPS.Client and its
    /// dependencies load in the "JelouPS" context, whatever versions PowerShell or other modules have.
    /// </summary>
    public static class ModuleLoadContext
    {
        private static readonly object Gate = new object();
        private static JelouLoadContext? s_context;
        private static bool s_registered;

        /// <summary>Starts answering the default context for JelouPS.Client. Idempotent.</summary>
        public static void Register(string dependencyFolder)
        {
            lock (Gate)
            {
                s_context ??= new JelouLoadContext(dependencyFolder);
                if (s_registered) return;
                AssemblyLoadContext.Default.Resolving += OnDefaultResolving;
                s_registered = true;
            }
        }

        private static Assembly? OnDefaultResolving(AssemblyLoadContext context, AssemblyName name)
        {
            JelouLoadContext? own = s_context;
            if (own is null || !LoadPolicy.AnswersDefaultContext(name, own.Shipped)) return null;
            return own.LoadFromAssemblyName(name);
        }
    }

    internal sealed class JelouLoadContext : AssemblyLoadContext
    {
        private readonly string _folder;
        private IReadOnlyDictionary<string, Version>? _shipped;

        internal JelouLoadContext(string folder)
            : base("JelouPS", isCollectible: false)
        {
            _folder = folder;
        }

        /// <summary>Name and version of each assembly in dependencies/, read once when first needed.</summary>
        internal IReadOnlyDictionary<string, Version> Shipped => _shipped ??= ReadShipped(_folder);

        protected override Assembly? Load(AssemblyName assemblyName) =>
            LoadPolicy.LoadsPrivately(assemblyName, Shipped)
                ? LoadFromAssemblyPath(Path.Combine(_folder, assemblyName.Name + ".dll"))
                : null;

        private static IReadOnlyDictionary<string, Version> ReadShipped(string folder)
        {
            var shipped = new Dictionary<string, Version>(StringComparer.OrdinalIgnoreCase);
            foreach (string path in Directory.EnumerateFiles(folder, "*.dll"))
            {
                AssemblyName name = AssemblyName.GetAssemblyName(path);
                if (name.Name != null && name.Version != null) shipped[name.Name] = name.Version;
            }
            return shipped;
        }
    }
}
