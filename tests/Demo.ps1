<#
    The main job, end to end, against the local Jelou emulator: connect, create an integration,
    receive its one-time signing secret without printing it, read, update and remove the integration.
    Run it with: dotnet tool restore && dotnet pwsh ./build.ps1 -Task Demo
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $EmulatorDll
)
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $ModulePath 'JelouPS.psd1')
Import-Module (Join-Path $PSScriptRoot 'JelouEmulator.psm1')

function Write-Step([string] $Text) { Write-Host "`n== $Text" -ForegroundColor Cyan }

$emulator = Start-JelouEmulator -EmulatorDll $EmulatorDll
try {
    Write-Step "Started the local Jelou emulator at $($emulator.BaseAddress)"

    Write-Step 'Connect-Jelou (the API key is a SecureString from here on)'
    Connect-Jelou -ApiKey $emulator.ApiKey -BaseUri $emulator.GatewayUri -ChatbotUri $emulator.ChatbotUri -PassThru | Format-List | Out-Host

    Write-Step 'New-JelouExternalSupport: Jelou will post events to our webhook with a bearer token'
    $integration = New-JelouExternalSupport -ProjectId demo-project -WebhookUrl https://crm.example.com/jelou `
        -AuthType bearer -WebhookAuthorization 'demo-webhook-token' -Confirm:$false
    $integration | Format-List | Out-Host
    Write-Host ("The one-time signing secret arrived as a SecureString of {0} characters and was not printed." -f $integration.SigningSecret.Length)
    Write-Host 'Store it now, e.g.: $integration.SigningSecret | Set-Secret -Name Jelou-demo-project -Vault MyVault'

    Write-Step 'Get-JelouExternalSupport: the API never returns the secret again'
    Get-JelouExternalSupport demo-project | Out-Host

    Write-Step 'Set-JelouExternalSupport: only the webhook URL is sent'
    Set-JelouExternalSupport demo-project -WebhookUrl https://crm.example.com/jelou-v2 -Confirm:$false | Out-Host

    Write-Step 'A failure is an ErrorRecord with a stable ErrorId'
    Get-JelouExternalSupport no-such-project -ErrorAction SilentlyContinue -ErrorVariable failure
    Write-Host "$($failure[0].FullyQualifiedErrorId) [$($failure[0].CategoryInfo.Category)]: $($failure[0].ErrorDetails.Message)"

    Write-Step 'Remove-JelouExternalSupport'
    Get-JelouExternalSupport demo-project | Remove-JelouExternalSupport -Confirm:$false -Verbose
}
finally {
    Disconnect-Jelou
    $emulator | Stop-JelouEmulator
    Write-Step 'Stopped the emulator'
}
