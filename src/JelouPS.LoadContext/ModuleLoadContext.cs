using System;
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

        private static Assembly? OnDefaultResolving(AssemblyLoadContext context, AssemblyName name) =>
            LoadPolicy.AnswersDefaultContext(name) ? s_context?.LoadShipped(name) : null;
    }

    internal sealed class JelouLoadContext : AssemblyLoadContext
    {
        private readonly string _folder;

        internal JelouLoadContext(string folder)
            : base("JelouPS", isCollectible: false)
        {
            _folder = folder;
        }

        protected override Assembly? Load(AssemblyName assemblyName) => LoadShipped(assemblyName);

        /// <summary>
        /// The copy in dependencies/ when policy lets it answer and it satisfies the version asked for; otherwise null.
        /// The version is read from the loaded assembly, not from each file's metadata beforehand: reading metadata costs
        /// the import several milliseconds, and a copy that turns out too old is never handed out. Each copy loads once:
        /// asked again (a request this copy did not satisfy, or the default context's, which comes here directly),
        /// LoadFromAssemblyPath returns the assembly already loaded from that file.
        /// </summary>
        internal Assembly? LoadShipped(AssemblyName requested)
        {
            string? file = LoadPolicy.ShippedFileName(requested);
            if (file is null) return null;
            string path = Path.Combine(_folder, file);
            if (!File.Exists(path)) return null;
            Assembly shipped = LoadFromAssemblyPath(path);
            return LoadPolicy.Satisfies(requested, shipped.GetName()) ? shipped : null;
        }
    }
}
