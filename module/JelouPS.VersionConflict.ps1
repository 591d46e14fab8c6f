# Run by JelouPS.VersionGuard.psm1 when another version's JelouPS.dll is loaded in this process: says which, and what to do.
$loaded = 'JelouPS.Infrastructure.ModuleInitializer' -as [type]
$inUse = $loaded.Assembly.GetName().Version
$mine = [System.Reflection.AssemblyName]::GetAssemblyName((Join-Path $PSScriptRoot 'JelouPS.dll')).Version
throw ('JelouPS {0} is loaded in this PowerShell process (from {1}), and .NET cannot load JelouPS {2} beside it. ' +
    'To go on with {0} here, import it by version: Import-Module JelouPS -RequiredVersion {0} (also in ForEach-Object -Parallel blocks and thread jobs). ' +
    'To use {2}, start a new PowerShell session, after storing what $JelouUnsavedIntegrations holds: Save-JelouSigningSecret -Vault <vault>.') -f
    $inUse.ToString(3), (Split-Path $loaded.Assembly.Location), $mine.ToString(3)
