using System;
using System.IO;
using System.Management.Automation;
using System.Reflection;

namespace JelouPS.VersionGuard
{
    /// <summary>
    /// Runs when JelouPS.psd1 loads its nested module, before its root module, JelouPS.dll. A process holds one
    /// JelouPS.dll and cannot unload it: while another version is loaded (an update installed beside the one in use,
    /// autoloaded in a new runspace or by Get-Help), the import cannot work, and .NET would say only "Assembly with same
    /// name is already loaded". This says which version is loaded, where from, and what to do, as JelouVersionConflict
    /// (ErrorMapper's table lists it; JelouPS.dll cannot be referenced from here, as it is the assembly in conflict).
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
                if (name.Name != "JelouPS" || name.Version == mine) continue;
                string folder = Path.GetDirectoryName(loaded.Location) ?? "";
                string message =
                    $"JelouPS {name.Version.ToString(3)} is loaded in this PowerShell process (from {folder}), and .NET cannot load JelouPS {mine.ToString(3)} beside it. " +
                    $"To go on with {name.Version.ToString(3)} here, import it by version: Import-Module JelouPS -RequiredVersion {name.Version.ToString(3)}, " +
                    $"or by its folder: Import-Module '{folder.Replace("'", "''")}' (also in ForEach-Object -Parallel blocks and thread jobs). " +
                    $"To use {mine.ToString(3)}, start a new PowerShell session, after storing what $JelouUnsavedIntegrations holds: Save-JelouSigningSecret -Vault <vault>.";
                var conflict = new InvalidOperationException(message);
                throw new RuntimeException(message, conflict, new ErrorRecord(conflict, ErrorId, ErrorCategory.ResourceUnavailable, mine.ToString(3)));
            }
        }
    }
}
