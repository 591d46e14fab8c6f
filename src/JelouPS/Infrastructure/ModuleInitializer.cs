using System;
using System.IO;
using System.Management.Automation;
using System.Reflection;
using System.Runtime.InteropServices;

namespace JelouPS.Infrastructure
{
    /// <summary>
    /// Windows PowerShell 5.1 (.NET Framework) has no System.Text.Json; the module ships it and its
    /// shims in dependencies/, loaded from there on request. PowerShell 7 takes them from its runtime,
    /// so there this does nothing.
    /// </summary>
    public sealed class ModuleInitializer : IModuleAssemblyInitializer, IModuleAssemblyCleanup
    {
        private static readonly string DependencyFolder =
            Path.Combine(Path.GetDirectoryName(typeof(ModuleInitializer).Assembly.Location) ?? ".", "dependencies");

        private static bool OnNetFramework =>
            RuntimeInformation.FrameworkDescription.StartsWith(".NET Framework", StringComparison.Ordinal);

        public void OnImport()
        {
            if (OnNetFramework) AppDomain.CurrentDomain.AssemblyResolve += ResolveDependency;
        }

        public void OnRemove(PSModuleInfo module)
        {
            if (OnNetFramework) AppDomain.CurrentDomain.AssemblyResolve -= ResolveDependency;
        }

        private static Assembly? ResolveDependency(object? sender, ResolveEventArgs args)
        {
            string path = Path.Combine(DependencyFolder, new AssemblyName(args.Name).Name + ".dll");
            return File.Exists(path) ? Assembly.LoadFrom(path) : null;
        }
    }
}
