<#
    The main job, end to end, against the local Jelou emulator: connect, create an integration whose
    one-time signing secret goes straight into a vault (when SecretManagement is there) without being
    printed, then the support loop: start a conversation, receive Jelou's signed event on a local
    webhook, verify it, answer the user with a signed reply; finally rotate the secret and clean up.
    Run it with: dotnet tool restore && dotnet pwsh ./build.ps1 -Task Demo
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $EmulatorDll
)
$ErrorActionPreference = 'Stop'
. (Join-Path $PSScriptRoot 'PlainTextWhenRedirected.ps1')
Import-Module (Join-Path $ModulePath 'JelouPS.psd1')
Import-Module (Join-Path $PSScriptRoot 'JelouEmulator.psm1')

function Write-Step([string] $Text) { Write-Host "`n== $Text" -ForegroundColor Cyan }

$emulator = Start-JelouEmulator -EmulatorDll $EmulatorDll
try {
    Write-Step "Started the local Jelou emulator at $($emulator.BaseAddress)"

    Write-Step 'Connect-Jelou (the API key is a SecureString from here on)'
    Connect-Jelou -ApiKey $emulator.ApiKey -BaseUri $emulator.GatewayUri -ChatbotUri $emulator.ChatbotUri -PassThru | Format-List | Out-Host

    $receiver = Start-TestWebhookReceiver
    Write-Step "Our CRM's webhook receiver listens at $($receiver.Url)"

    $vault = Get-Command Get-SecretVault -ErrorAction Ignore | ForEach-Object { Get-SecretVault -ErrorAction Ignore } | Select-Object -First 1
    $storage = if ($vault) { @{ Vault = $vault.Name } } else { @{} }
    Write-Step ('New-JelouExternalSupport: Jelou will post events with a bearer token' + $(if ($vault) { "; the secret goes to vault '$($vault.Name)'" } else { ' (no SecretManagement vault here: the secret stays in the object)' }))
    $integration = New-JelouExternalSupport -ProjectId demo-project -WebhookUrl $receiver.Url `
        -AuthType bearer -WebhookAuthorization 'demo-webhook-token' @storage -Confirm:$false
    $integration | Out-Host
    Write-Host ("The one-time signing secret arrived as a SecureString of {0} characters and was not printed." -f $integration.SigningSecret.Length)
    if (-not $vault) {
        Write-Host "Until it is in a vault, the session keeps it too: `$JelouUnsavedIntegrations holds $(@($JelouUnsavedIntegrations).Count) integration(s)."
        Write-Host 'With a vault: New-JelouExternalSupport ... -Vault MyVault, or later: Save-JelouSigningSecret -Vault MyVault'
    }

    Write-Step 'Get-JelouExternalSupport: the API never returns the secret again'
    Get-JelouExternalSupport demo-project | Out-Host

    Write-Step 'Start-JelouConversation: Jelou sends a signed conversation.start event to our webhook'
    $conversation = Start-JelouConversation demo-project -BotId demo-bot -UserId demo-user -InitialMessage 'An agent will be with you shortly' `
        -Metadata ([ordered]@{ ticketId = 'T-12345' }) -AssignmentType queue -AssignmentTarget SUPPORT -Confirm:$false
    $conversation | Out-Host
    $delivery = Receive-TestWebhook $receiver
    $started = ConvertFrom-JelouWebhookEvent -Payload $delivery.Body -Signature $delivery.Signature -SigningSecret $integration.SigningSecret
    Write-Host "Received $($started.EventName) for room $($started.RoomId): signature verified, auth header '$($delivery.Authorization -replace '\s.*$', ' ***')'."

    Write-Step 'The end user writes; our receiver verifies the signed message event'
    Invoke-JelouEmulatorControl $emulator "conversations/demo-project/$($conversation.Id)/user-message" -Method POST -Body @{ text = 'Where is my order?' } | Out-Null
    $delivery = Receive-TestWebhook $receiver
    $message = ConvertFrom-JelouWebhookEvent -Payload $delivery.Body -Signature $delivery.Signature -SigningSecret $integration.SigningSecret
    Write-Host "User $($message.UserId) says: $($message.Text)"

    Write-Step 'Send-JelouSupportMessage: the agent answers, signed over exactly the bytes sent'
    $message | Send-JelouSupportMessage -Text 'It ships today!' -SigningSecret $integration.SigningSecret -Confirm:$false | Out-Host
    $accepted = Invoke-JelouEmulatorControl $emulator 'agent-messages' | Select-Object -Last 1
    Write-Host "Jelou verified the signature and delivered: '$($accepted.text)'"

    Write-Step 'Close-JelouConversation'
    Get-JelouConversation demo-project $conversation.Id | Close-JelouConversation -RedirectText 'Thanks for contacting us!' -Confirm:$false
    $closed = ConvertFrom-JelouWebhookEvent -Payload (Receive-TestWebhook $receiver).Body
    Get-JelouConversation demo-project $conversation.Id | Format-List | Out-Host
    Write-Host "Received $($closed.EventName) ($($closed.Reason))."

    Write-Step 'A failure is an ErrorRecord with a stable ErrorId'
    Get-JelouExternalSupport no-such-project -ErrorAction SilentlyContinue -ErrorVariable failure
    Write-Host "$($failure[0].FullyQualifiedErrorId) [$($failure[0].CategoryInfo.Category)]: $($failure[0].ErrorDetails.Message)"

    Write-Step 'Reset-JelouExternalSupportSecret -Force (unattended): the old secret dies at once; the new one replaces it'
    $rotated = Reset-JelouExternalSupportSecret demo-project @storage -Force
    $rotated | Out-Host
    Write-Host ("New secret: a SecureString of {0} characters; the earlier one is dropped from `$JelouUnsavedIntegrations, which now holds {1}." -f $rotated.SigningSecret.Length, @($JelouUnsavedIntegrations).Count)

    Write-Step 'Remove-JelouExternalSupport -Force'
    Get-JelouExternalSupport demo-project | Remove-JelouExternalSupport -Force -Verbose
}
finally {
    if ($receiver) { $receiver | Stop-TestWebhookReceiver }
    Disconnect-Jelou
    $emulator | Stop-JelouEmulator
    Write-Step 'Stopped the emulator'
}
