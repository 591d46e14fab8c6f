using System;
using System.IO;
using System.Management.Automation;
using System.Reflection;

namespace JelouPS.VersionGuard
{
    /// <summary>
    /// Runs when JelouPS.psd1 loads its nested module, before its root module, JelouPS.dll. A process holds one
    /// JelouPS.dll in the default load context, where PowerShell loads modules, and cannot unload it: while another
    /// version is loaded there (an update installed beside the one in use, autoloaded in a new runspace or by Get-Help),
    /// the import cannot work, and .NET would say only "Assembly with same name is already loaded". This says which
    /// version is loaded, where from, and what to do, as JelouVersionConflict (ErrorMapper's table lists it; JelouPS.dll
    /// cannot be referenced from here, as it is the assembly in conflict).
    /// </summary>
    public sealed class VersionGuard : IModuleAssemblyInitializer
    {
        private const string ErrorId = "JelouVersionConflict";

        public void OnImport()
        {
            Version mine = typeof(VersionGuard).Assembly.GetName().Version;
            foreach (Assembly loaded in AppDomain.CurrentDomain.GetAssemblies())
            {
                AssemblyName name = loaded.GetName();
                if (name.Name != "JelouPS" || name.Version == mine || !InDefaultContext(loaded)) continue;
                throw Conflict(name.Version.ToString(3), Path.GetDirectoryName(loaded.Location) ?? "", mine.ToString(3));
            }
        }

        private static RuntimeException Conflict(string inUse, string folder, string mine)
        {
            string manifest = Path.Combine(folder, "JelouPS.psd1").Replace("'", "''");
            string message =
                $"JelouPS {inUse} is loaded in this PowerShell process (from {folder}), and .NET cannot load JelouPS {mine} beside it. " +
                $"To go on with {inUse} here, import it by version: Import-Module JelouPS -RequiredVersion {inUse}, or by its manifest: Import-Module '{manifest}' " +
                "(also in ForEach-Object -Parallel blocks and thread jobs). " +
                $"To use {mine}, start a new PowerShell session, after storing what $JelouUnsavedIntegrations holds (with {inUse} imported: Save-JelouSigningSecret -Vault <vault>).";
            var conflict = new InvalidOperationException(message);
            return new RuntimeException(message, conflict, new ErrorRecord(conflict, ErrorId, ErrorCategory.ResourceUnavailable, mine));
        }

        // On .NET (PowerShell 7), only the default context holds what PowerShell imports: a copy loaded elsewhere
        // (Assembly.LoadFile, to read its version; another module's context) blocks nothing. Read through reflection, as
        // netstandard2.0 has no AssemblyLoadContext; .NET Framework has none, and every copy counts there.
        private static readonly Type? LoadContextType = Type.GetType("System.Runtime.Loader.AssemblyLoadContext, System.Runtime.Loader", throwOnError: false);

        private static bool InDefaultContext(Assembly assembly)
        {
            if (LoadContextType is null) return true;
            object? context = LoadContextType.GetMethod("GetLoadContext", new[] { typeof(Assembly) })?.Invoke(null, new object[] { assembly });
            object? defaultContext = LoadContextType.GetProperty("Default")?.GetValue(null);
            return context is null || defaultContext is null || ReferenceEquals(context, defaultContext);
        }
    }
}
