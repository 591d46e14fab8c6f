# Loaded before JelouPS.dll is imported (nested modules load before the root module). A process holds one JelouPS.dll
# and cannot unload it: while another version is loaded (an update installed beside the one in use, autoloaded in a new
# runspace or by Get-Help), this import cannot work, and .NET would say only "Assembly with same name is already loaded".
# Only type lookups here (build.ps1 writes this module's version and its marker type): PowerShell compiles what a script
# holds, and member access, even where it does not run, would cost every import tens of milliseconds. The error is made
# elsewhere.
$version = '0.0.0'
if ($null -eq ('JelouPS.Loading.ModuleVersion_0_0_0' -as [type]) -and $null -ne ('JelouPS.Infrastructure.ModuleInitializer' -as [type])) {
    . "$PSScriptRoot/JelouPS.VersionConflict.ps1"
}
