#
# TEST STAND-IN - this is NOT Microsoft's Microsoft.PowerShell.SecretManagement module.
#
# A script-module imitation of Microsoft.PowerShell.SecretManagement 1.1.x used by the JelouPS
# tests, because the real module cannot be installed on the build machine. It has the real
# module's name and command names, and the same parameter sets, parameter names, positions, types,
# mandatory flags, pipeline binding, output shapes and ErrorIds (see the .psm1 for the details and
# where they come from). Its vaults live in memory only, and
# it exports extra Reset-/Register-/Set-/Get-StandIn* commands that the tests use to control it.
# Nothing here ever reads or writes a real vault.
#
@{
    RootModule           = 'Microsoft.PowerShell.SecretManagement.psm1'
    ModuleVersion        = '1.1.2'
    # Same GUID as the real module, so `#Requires`/RequiredModules checks that name it still pass.
    GUID                 = 'a5c858f6-4a8e-41f1-b1ee-0ff8f6ad69d3'
    Author               = 'JelouPS tests (stand-in)'
    CompanyName          = 'JelouPS tests'
    Copyright            = 'Test stand-in; not the Microsoft module.'
    Description          = 'TEST STAND-IN for Microsoft.PowerShell.SecretManagement 1.1.x: same commands, parameter sets, output shapes and ErrorIds, with in-memory vaults and switches that make a vault fail like a real one. For tests only.'
    CompatiblePSEditions = @('Desktop', 'Core')
    PowerShellVersion    = '5.1'
    FunctionsToExport    = @(
        # The real module's commands (1.1.x).
        'Register-SecretVault'
        'Unregister-SecretVault'
        'Get-SecretVault'
        'Set-SecretVaultDefault'
        'Test-SecretVault'
        'Unlock-SecretVault'
        'Set-Secret'
        'Set-SecretInfo'
        'Get-Secret'
        'Get-SecretInfo'
        'Remove-Secret'
        # Stand-in controls (not in the real module).
        'Reset-StandInSecretStore'
        'Register-StandInVault'
        'Set-StandInVaultBehavior'
        'Get-StandInSecret'
        'Get-StandInCallLog'
        'Clear-StandInCallLog'
    )
    CmdletsToExport      = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags = @('TestStandIn')
        }
    }
}
