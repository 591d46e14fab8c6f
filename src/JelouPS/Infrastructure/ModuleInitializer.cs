using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace JelouPS.Infrastructure
{
    /// <summary>
    /// Keeps the module's dependencies its own. JelouPS.dll (the cmdlets) loads where PowerShell puts it;
    /// JelouPS.Client and the assemblies it needs (System.Text.Json and friends) are in dependencies/.
    /// On PowerShell 7.2+ they load in the module's own AssemblyLoadContext (JelouPS.LoadContext.dll);
    /// on Windows PowerShell 5.1 an AssemblyResolve handler answers only the module's own requests
    /// (<see cref="DesktopResolverPolicy"/>). PowerShell 7.0 and 7.1 (.NET Core 3.1, .NET 5) are refused.
    /// Remove-Module leaves both in place: the assemblies stay loaded (they cannot be unloaded) and other runspaces of the
    /// process may still use the module, whose code paths load what they need on first use.
    /// </summary>
    public sealed class ModuleInitializer : IModuleAssemblyInitializer
    {
        internal const string DependencyFolderName = "dependencies";

        private const string LoadContextAssembly = "JelouPS.LoadContext.dll";

        /// <summary>
        /// What dependencies/ holds, by assembly name (each file is the name and ".dll"): the client and the libraries it
        /// needs. On PowerShell 7 the module's context loads them, but those .NET has itself (JelouPS.LoadContext's
        /// LoadPolicy.RuntimeProvided). The build checks this list against the files it ships.
        /// </summary>
        internal static readonly string[] Dependencies =
        {
            "JelouPS.Client",
            "Microsoft.Bcl.AsyncInterfaces",
            "System.Buffers",
            "System.IO.Pipelines",
            "System.Memory",
            "System.Numerics.Vectors",
            "System.Runtime.CompilerServices.Unsafe",
            "System.Text.Encodings.Web",
            "System.Text.Json",
            "System.Threading.Tasks.Extensions",
        };

        private static readonly string ModuleFolder = Path.GetDirectoryName(typeof(ModuleInitializer).Assembly.Location) ?? ".";

        private static readonly string DependencyFolder = Path.Combine(ModuleFolder, DependencyFolderName);

        private static readonly object Gate = new object();

        private static readonly Dictionary<string, Assembly> Loaded = new Dictionary<string, Assembly>(StringComparer.OrdinalIgnoreCase);

        private static IReadOnlyDictionary<string, ShippedAssembly>? s_shipped;

        private static bool OnNetFramework =>
            RuntimeInformation.FrameworkDescription.StartsWith(".NET Framework", StringComparison.Ordinal);

        public void OnImport()
        {
            if (!OnNetFramework && Environment.Version.Major < 6)
            {
                throw new PlatformNotSupportedException(UnsupportedRuntimeMessage(PowerShellVersion()));
            }
            // Where the module's manifest is not beside JelouPS.dll, this is not the installed module: the tests' runspace
            // imports JelouPS.dll from their own output, where the client is the application's own and nothing is checked.
            bool installed = File.Exists(Path.Combine(ModuleFolder, "JelouPS.psd1"));
            if (installed) ThrowIfIncomplete();
            if (OnNetFramework)
            {
                AppDomain.CurrentDomain.AssemblyResolve -= ResolveDependency;
                AppDomain.CurrentDomain.AssemblyResolve += ResolveDependency;
                return;
            }
            try
            {
                InvokeLoadContext("Register", DependencyFolder, Dependencies, new Func<string, string>(Damaged));
                if (installed) InvokeLoadContext("LoadAll");
                RegisterTypeAccelerators();
            }
            catch (Exception ex) when (LoadProblem(ex) is string problem)
            {
                throw InstallationDamaged(problem, ex);
            }
        }

        /// <summary>
        /// The message for a failure to load what the module ships at import, found in <paramref name="exception"/> or the
        /// exceptions it wraps: <see cref="ShippedCopyProblem"/>, else .NET's words, which name the file (JelouPS.LoadContext.dll);
        /// null when it is no such failure.
        /// </summary>
        private static string? LoadProblem(Exception exception)
        {
            if (ShippedCopyProblem(exception) is string own) return own;
            for (Exception? inner = exception; inner != null; inner = inner.InnerException)
            {
                // .NET names the file in its message, and not always in FileName.
                if (inner is FileLoadException || inner is FileNotFoundException || inner is BadImageFormatException) return Damaged($"an assembly of the module cannot be loaded ({inner.Message.TrimEnd('.')})");
            }
            return null;
        }

        /// <summary>
        /// The load context's words (see <see cref="Damaged"/>) for a copy in dependencies/ it could not hand out, found in
        /// <paramref name="exception"/> or the exceptions it wraps (.NET wraps them in its own "Could not load file or
        /// assembly"); null when there is none.
        /// </summary>
        private static string? ShippedCopyProblem(Exception? exception)
        {
            for (; exception != null; exception = exception.InnerException)
            {
                if (exception is FileLoadException load && load.FileName?.StartsWith(DependencyFolder + Path.DirectorySeparatorChar, StringComparison.Ordinal) == true) return load.Message;
            }
            return null;
        }

        /// <summary>
        /// The import stops, naming what is missing, when the module's folder lacks a file of <see cref="Dependencies"/> (or,
        /// on PowerShell 7, its load context): left alone, .NET would say only "Could not load file or assembly", at import or
        /// at the first use of a library, and on PowerShell 7 a missing library could even be taken, unnoticed, from the
        /// runtime. A few file lookups: no file is read.
        /// </summary>
        private static void ThrowIfIncomplete()
        {
            var missing = new List<string>();
            foreach (string name in Dependencies)
            {
                if (!File.Exists(Path.Combine(DependencyFolder, name + ".dll"))) missing.Add(Path.Combine(DependencyFolderName, name + ".dll"));
            }
            if (!OnNetFramework && !File.Exists(Path.Combine(ModuleFolder, LoadContextAssembly))) missing.Add(LoadContextAssembly);
            if (missing.Count == 0) return;
            string problem = Directory.Exists(DependencyFolder) ? $"{ModuleFolder} lacks {string.Join(", ", missing)}" : $"{ModuleFolder} has no {DependencyFolderName} folder";
            throw InstallationDamaged(Damaged(problem), null);
        }

        /// <summary>The message for a damaged installation: <paramref name="problem"/> says which file and what is wrong with it.</summary>
        internal static string Damaged(string problem)
        {
            string version = typeof(ModuleInitializer).Assembly.GetName().Version?.ToString(3) ?? "";
            return $"JelouPS {version} is damaged: {problem}. Close the PowerShell sessions that imported it (a process keeps the module's " +
                $"assemblies, loaded from {ModuleFolder}), reinstall it (Install-PSResource JelouPS -Version {version} -Reinstall, or " +
                $"Install-Module JelouPS -RequiredVersion {version} -Force; a copy you built, build again), and import it in a new session.";
        }

        // Built here, not by ErrorMapper.Create, whose helpers live in the client: the very assembly that may be missing.
        private static RuntimeException InstallationDamaged(string message, Exception? inner)
        {
            var damaged = new FileLoadException(message, inner);
            return new RuntimeException(message, damaged,
                new ErrorRecord(damaged, ErrorMapper.InstallationDamaged, ErrorMapper.Table[ErrorMapper.InstallationDamaged].Category, ModuleFolder));
        }

        // The .NET version is not named: .NET Core 2.x and 3.x (PowerShell 6 and 7.0) report versions that mislead.
        internal static string UnsupportedRuntimeMessage(string powerShellVersion) =>
            $"JelouPS needs PowerShell 7.2 or later, or Windows PowerShell 5.1; this is PowerShell {powerShellVersion} " +
            "($PSVersionTable.PSVersion), whose .NET is older than .NET 6. Install PowerShell 7.2 or later, or run JelouPS in " +
            "Windows PowerShell 5.1. In Azure Automation, give the runbook the PowerShell 7.2 runtime (or a runtime " +
            "environment with PowerShell 7.2 or later), or PowerShell 5.1.";

        private static string PowerShellVersion()
        {
            try
            {
                if (Runspace.DefaultRunspace?.SessionStateProxy.PSVariable.GetValue("PSVersionTable") is Hashtable table && table["PSVersion"] is object version)
                {
                    return version.ToString();
                }
            }
            catch (Exception)
            {
                // Only the message needs it.
            }
            return "(unknown)";
        }

        // The load context assembly targets .NET 6, which this netstandard2.0 assembly cannot reference.
        private static void InvokeLoadContext(string method, params object[] arguments)
        {
            Assembly loader = Assembly.LoadFrom(Path.Combine(ModuleFolder, LoadContextAssembly));
            MethodInfo entry = loader.GetType("JelouPS.LoadContext.ModuleLoadContext", throwOnError: true)!.GetMethod(method)
                ?? throw new MissingMethodException("JelouPS.LoadContext.ModuleLoadContext", method);
            entry.Invoke(null, arguments);
        }

        /// <summary>
        /// PowerShell 7 resolves type names in scripts only among the default context's assemblies, so the
        /// client's public types ([JelouPS.ExternalSupportIntegration], [JelouPS.JelouApiException], ...)
        /// become type accelerators of their full names, as they were when everything loaded in the default
        /// context. Not inlined: referencing a client type is what loads the client, through the context
        /// registered just before.
        /// </summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        private static void RegisterTypeAccelerators()
        {
            Type? accelerators = typeof(PSObject).Assembly.GetType("System.Management.Automation.TypeAccelerators");
            MethodInfo? add = accelerators?.GetMethod("Add", BindingFlags.Public | BindingFlags.Static, null, new[] { typeof(string), typeof(Type) }, null);
            if (add is null) return;
            foreach (Type type in typeof(ExternalSupportIntegration).Assembly.GetExportedTypes())
            {
                if (type.FullName != null && !type.IsNested) add.Invoke(null, new object[] { type.FullName, type });
            }
        }

        private static Assembly? ResolveDependency(object? sender, ResolveEventArgs args)
        {
            var requested = new AssemblyName(args.Name);
            ShippedAssembly? answer = DesktopResolverPolicy.Decide(requested, args.RequestingAssembly?.Location, ModuleFolder, Shipped());
            if (answer is null) return null;
            lock (Gate)
            {
                if (!Loaded.TryGetValue(answer.Name.Name!, out Assembly? assembly))
                {
                    assembly = Assembly.LoadFrom(answer.Path);
                    Loaded.Add(answer.Name.Name!, assembly);
                }
                return assembly;
            }
        }

        private static IReadOnlyDictionary<string, ShippedAssembly> Shipped()
        {
            lock (Gate)
            {
                if (s_shipped != null) return s_shipped;
                var shipped = new Dictionary<string, ShippedAssembly>(StringComparer.OrdinalIgnoreCase);
                foreach (string path in Directory.GetFiles(DependencyFolder, "*.dll"))
                {
                    AssemblyName name = AssemblyName.GetAssemblyName(path);
                    if (name.Name != null) shipped[name.Name] = new ShippedAssembly(name, path);
                }
                return s_shipped = shipped;
            }
        }
    }
}
