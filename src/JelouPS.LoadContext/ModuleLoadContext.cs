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

        /// <summary>
        /// Starts answering the default context for JelouPS.Client, from <paramref name="dependencyFolder"/>, which holds
        /// the assemblies named in <paramref name="shipped"/> (JelouPS.dll's list); <paramref name="damaged"/> words the
        /// error for a file there that cannot answer ("&lt;path&gt; is missing"), as JelouPS.dll words it at import.
        /// Idempotent: the first call's folder stays, as the JelouPS.dll that makes every call does.
        /// </summary>
        public static void Register(string dependencyFolder, string[] shipped, Func<string, string> damaged)
        {
            lock (Gate)
            {
                s_context ??= new JelouLoadContext(dependencyFolder, shipped, damaged);
                if (s_registered) return;
                AssemblyLoadContext.Default.Resolving += OnDefaultResolving;
                s_registered = true;
            }
        }

        /// <summary>
        /// Loads the client and each shipped assembly it needs, directly or through another, now, each checked against the
        /// version asked for: a damaged copy fails the import, not a command later (a library that loads only once an answer
        /// is read would fail after Jelou had issued a secret). Three small libraries more than an import loads anyway.
        /// </summary>
        public static void LoadAll() => s_context?.LoadClosure(new AssemblyName(LoadPolicy.EntryPoint));

        private static Assembly? OnDefaultResolving(AssemblyLoadContext context, AssemblyName name) =>
            LoadPolicy.AnswersDefaultContext(name) ? s_context?.LoadShipped(name) : null;
    }

    internal sealed class JelouLoadContext : AssemblyLoadContext
    {
        private readonly string _folder;
        private readonly string[] _shipped;
        private readonly Func<string, string> _damaged;

        internal JelouLoadContext(string folder, string[] shipped, Func<string, string> damaged)
            : base("JelouPS", isCollectible: false)
        {
            _folder = folder;
            _shipped = shipped;
            _damaged = damaged;
        }

        protected override Assembly? Load(AssemblyName assemblyName) => LoadShipped(assemblyName);

        /// <summary>
        /// The copy in dependencies/ when policy lets it answer; null for a name the module does not ship. A shipped name is
        /// never left to the runtime: a copy that is missing, unreadable or older than asked for is a damaged installation,
        /// and a FileLoadException says which file (the runtime's copy would hide that on .NET 10, and fail on .NET 6 at
        /// the first use of the library). The version is read from the loaded assembly, not from each file's metadata
        /// beforehand: reading metadata costs the import several milliseconds. Each copy loads once: asked again (the
        /// default context comes here directly), LoadFromAssemblyPath returns the assembly already loaded from that file.
        /// </summary>
        internal Assembly? LoadShipped(AssemblyName requested)
        {
            string? file = LoadPolicy.ShippedFileName(requested, _shipped);
            if (file is null) return null;
            string path = Path.Combine(_folder, file);
            Assembly shipped;
            try
            {
                shipped = LoadFromAssemblyPath(path);
            }
            catch (Exception ex) when (ex is FileNotFoundException || ex is FileLoadException || ex is BadImageFormatException)
            {
                throw new FileLoadException(_damaged(File.Exists(path) ? $"{path} cannot be loaded: {ex.Message.TrimEnd('.')}" : $"{path} is missing"), path, ex);
            }
            AssemblyName name = shipped.GetName();
            return LoadPolicy.Satisfies(requested, name)
                ? shipped
                : throw new FileLoadException(_damaged($"{path} holds {name.FullName}, not the {requested.FullName} asked for"), path);
        }

        /// <summary>Loads <paramref name="root"/> and, through their references, the shipped assemblies it needs (see <see cref="LoadShipped"/>).</summary>
        internal void LoadClosure(AssemblyName root)
        {
            var pending = new Stack<AssemblyName>();
            var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            pending.Push(root);
            while (pending.Count > 0)
            {
                AssemblyName requested = pending.Pop();
                if (requested.Name is null || !seen.Add(requested.Name) || LoadShipped(requested) is not Assembly loaded) continue;
                foreach (AssemblyName reference in loaded.GetReferencedAssemblies()) pending.Push(reference);
            }
        }
    }
}
