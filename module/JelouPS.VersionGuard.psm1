# Loaded before JelouPS.dll (nested modules load before the root module). A process holds one JelouPS.dll and cannot
# unload it: while another version is loaded (an update installed beside the one in use, autoloaded in a new runspace or
# by Get-Help), this import cannot work, and .NET would say only "Assembly with same name is already loaded".
$loaded = 'JelouPS.Infrastructure.ModuleInitializer' -as [type]
if ($null -ne $loaded) {
    $mine = [System.Reflection.AssemblyName]::GetAssemblyName((Join-Path $PSScriptRoot 'JelouPS.dll')).Version
    $inUse = $loaded.Assembly.GetName().Version
    if ($inUse -ne $mine) {
        throw ('JelouPS {0} is loaded in this PowerShell process (from {1}), and .NET cannot load JelouPS {2} beside it. ' +
            'To go on with {0} here, import it by version: Import-Module JelouPS -RequiredVersion {0} (also in ForEach-Object -Parallel blocks and thread jobs). ' +
            'To use {2}, start a new PowerShell session, after storing what $JelouUnsavedIntegrations holds: $JelouUnsavedIntegrations | Save-JelouSigningSecret -Vault <vault>.') -f
            $inUse.ToString(3), (Split-Path $loaded.Assembly.Location), $mine.ToString(3)
    }
}
