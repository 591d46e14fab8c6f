# Run by JelouPS.VersionGuard.psm1 (which sets $version) when another version's JelouPS.dll is loaded in this process:
# says which and what to do, as the ErrorId JelouVersionConflict. Properties and operators only, and no cmdlets: the
# message must come out in constrained language mode and in a session state that has no other module.
$assembly = ('JelouPS.Infrastructure.ModuleInitializer' -as [type]).Assembly
$inUse = $assembly.FullName -replace '^[^,]*, Version=(\d+\.\d+\.\d+)\.\d+.*$', '$1'
$folder = $assembly.Location -replace '[\\/][^\\/]*$', ''
$message = ('JelouPS {0} is loaded in this PowerShell process (from {1}), and .NET cannot load JelouPS {2} beside it. ' +
    "To go on with {0} here, import it by version: Import-Module JelouPS -RequiredVersion {0}, or by its folder: Import-Module '{3}' (also in ForEach-Object -Parallel blocks and thread jobs). " +
    'To use {2}, start a new PowerShell session, after storing what $JelouUnsavedIntegrations holds: Save-JelouSigningSecret -Vault <vault>.') -f
    $inUse, $folder, $version, ($folder -replace "'", "''")
try {
    $record = [System.Management.Automation.ErrorRecord]::new([System.InvalidOperationException]::new($message), 'JelouVersionConflict', 'ResourceUnavailable', $version)
}
catch {
    # Constrained language mode creates no such object: the message alone.
    throw $message
}
throw $record
