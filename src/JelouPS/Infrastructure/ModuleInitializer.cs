using System;
using System.IO;
using System.Management.Automation;
using System.Reflection;
using System.Runtime.InteropServices;

namespace JelouPS.Infrastructure
{
    /// <summary>
    /// Windows PowerShell 5.1 (.NET Framework) has no System.Text.Json; the module ships it and its
    /// shims in dependencies/, loaded from there when one of the module's own assemblies asks.
    /// PowerShell 7 takes them from its runtime, which must be .NET 8 (PowerShell 7.4) or later.
    /// </summary>
    public sealed class ModuleInitializer : IModuleAssemblyInitializer, IModuleAssemblyCleanup
    {
        private static readonly string ModuleFolder = Path.GetDirectoryName(typeof(ModuleInitializer).Assembly.Location) ?? ".";

        private static readonly string DependencyFolder = Path.Combine(ModuleFolder, "dependencies");

        private static bool OnNetFramework =>
            RuntimeInformation.FrameworkDescription.StartsWith(".NET Framework", StringComparison.Ordinal);

        public void OnImport()
        {
            if (OnNetFramework)
            {
                AppDomain.CurrentDomain.AssemblyResolve += ResolveDependency;
            }
            else if (Environment.Version.Major < 8)
            {
                throw new PlatformNotSupportedException(
                    $"JelouPS needs PowerShell 7.4 or later (or Windows PowerShell 5.1); this PowerShell runs on .NET {Environment.Version}, whose System.Text.Json is too old.");
            }
        }

        public void OnRemove(PSModuleInfo module)
        {
            if (OnNetFramework) AppDomain.CurrentDomain.AssemblyResolve -= ResolveDependency;
        }

        private static Assembly? ResolveDependency(object? sender, ResolveEventArgs args)
        {
            // Answer only our own assemblies (and our dependencies asking for theirs): another module's
            // request for a different System.Text.Json is not ours to satisfy.
            string? requester = args.RequestingAssembly?.Location;
            if (requester != null && !requester.StartsWith(ModuleFolder, StringComparison.OrdinalIgnoreCase)) return null;
            string path = Path.Combine(DependencyFolder, new AssemblyName(args.Name).Name + ".dll");
            return File.Exists(path) ? Assembly.LoadFrom(path) : null;
        }
    }
}
