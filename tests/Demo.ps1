<#
    The main job, end to end, against the local Jelou emulator: connect, create an integration whose
    one-time signing secret goes straight into a vault (when SecretManagement is there) without being
    printed, then the support loop: start a conversation, receive Jelou's signed events with
    Receive-JelouWebhookEvent (running beside the demo as an auto-responder that answers the user with a
    signed reply, holding only the signing secret); finally rotate the secret and clean up.
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

# The demo's own lines fit an 80-column terminal: a longer one wraps at a space, its next lines indented.
function Format-Wrapped([string] $Text, [string] $Indent = '   ') {
    $lines = [System.Collections.Generic.List[string]]::new()
    while ($Text.Length -gt 80) {
        $cut = $Text.LastIndexOf(' ', 80)
        if ($cut -le $Indent.Length) { break }
        $lines.Add($Text.Substring(0, $cut))
        $Text = $Indent + $Text.Substring($cut + 1)
    }
    $lines.Add($Text)
    $lines -join [Environment]::NewLine
}
function Write-Step([string] $Text) { Write-Host ("`n" + (Format-Wrapped "== $Text")) -ForegroundColor Cyan }
function Write-Note([string] $Text) { Write-Host (Format-Wrapped $Text) }

$emulator = Start-JelouEmulator -EmulatorDll $EmulatorDll
try {
    Write-Step "Started the local Jelou emulator at $($emulator.BaseAddress)"

    Write-Step 'Connect-Jelou (the API key is a SecureString from here on)'
    Connect-Jelou -ApiKey $emulator.ApiKey -BaseUri $emulator.GatewayUri -ChatbotUri $emulator.ChatbotUri -PassThru | Format-List | Out-Host

    $probe = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    $probe.Start(); $port = $probe.LocalEndpoint.Port; $probe.Stop()
    $webhookUrl = "http://localhost:$port/jelou"

    $vault = Get-Command Get-SecretVault -ErrorAction Ignore | ForEach-Object { Get-SecretVault -ErrorAction Ignore } | Select-Object -First 1
    $storage = if ($vault) { @{ Vault = $vault.Name } } else { @{} }
    Write-Step ('New-JelouExternalSupport: Jelou will post events to our webhook with a bearer token' + $(if ($vault) { "; the secret goes to vault '$($vault.Name)'" } else { ' (no SecretManagement vault here: the secret stays in the object)' }))
    $integration = New-JelouExternalSupport -ProjectId demo-project -WebhookUrl $webhookUrl `
        -AuthType bearer -WebhookAuthorization 'demo-webhook-token' @storage -Confirm:$false -WarningVariable said -WarningAction SilentlyContinue
    $integration | Out-Host
    # Its warnings, wrapped to the demo's 80 columns (without a vault: where the secret lives until it is stored).
    $said | ForEach-Object { Write-Host (Format-Wrapped "WARNING: $_") -ForegroundColor Yellow }
    Write-Note ("The one-time signing secret arrived as a SecureString of {0} characters and was not printed." -f $integration.SigningSecret.Length)
    if (-not $vault) {
        Write-Note "Until it is in a vault, the session keeps it too: `$JelouUnsavedIntegrations holds $(@($JelouUnsavedIntegrations).Count) integration(s)."
    }

    Write-Step 'Get-JelouExternalSupport: the API never returns the secret again'
    Get-JelouExternalSupport demo-project | Out-Host

    # The receiver runs beside the demo, as it would on its own machine: it holds only the signing secret and the webhook token.
    Write-Step "Receive-JelouWebhookEvent listens at $webhookUrl and answers each message event, signed"
    $receiver = [powershell]::Create()
    $null = $receiver.AddScript("Import-Module '$(Join-Path $ModulePath 'JelouPS.psd1')'").AddStatement().AddScript({
        param($Port, $Secret, $ChatbotUri)
        Receive-JelouWebhookEvent -Port $Port -Path /jelou -SigningSecret $Secret -AuthType bearer -WebhookAuthorization 'demo-webhook-token' -Count 3 -TimeoutSec 60 |
            ForEach-Object {
                $_
                if ($_.EventType -eq 'message') { $_ | Send-JelouSupportMessage -Text 'It ships today!' -SigningSecret $Secret -ChatbotUri $ChatbotUri | Out-Null }
            }
    }.ToString()).AddParameter('Port', $port).AddParameter('Secret', $integration.SigningSecret).AddParameter('ChatbotUri', $emulator.ChatbotUri)
    $received = [System.Management.Automation.PSDataCollection[psobject]]::new()
    $running = $receiver.BeginInvoke([System.Management.Automation.PSDataCollection[psobject]]::new(), $received)
    function Wait-Received([int] $Count) {
        $deadline = [DateTime]::UtcNow.AddSeconds(30)
        while ($received.Count -lt $Count -and -not $running.IsCompleted -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 20 }
        if ($received.Count -lt $Count) { throw "The receiver got $($received.Count) of $Count events: $($receiver.Streams.Error | Out-String)" }
        $received[$Count - 1]
    }
    $deadline = [DateTime]::UtcNow.AddSeconds(30)
    while ([DateTime]::UtcNow -lt $deadline) {
        $client = [System.Net.Sockets.TcpClient]::new()
        try { $client.Connect('localhost', $port); break } catch { Start-Sleep -Milliseconds 20 } finally { $client.Dispose() }
    }

    Write-Step 'Start-JelouConversation: Jelou sends a signed conversation.start event to our webhook'
    $conversation = Start-JelouConversation demo-project -BotId demo-bot -UserId demo-user -InitialMessage 'An agent will be with you shortly' `
        -Metadata ([ordered]@{ ticketId = 'T-12345' }) -AssignmentType queue -AssignmentTarget SUPPORT -Confirm:$false
    $conversation | Out-Host
    $started = Wait-Received 1
    Write-Note "Received $($started.EventName) for room $($started.RoomId), ticket $($started.Metadata.ticketId): bearer token and signature verified, answered 200."

    Write-Step 'The end user writes; the receiver verifies the message event and answers, signed over exactly the bytes sent'
    Invoke-JelouEmulatorControl $emulator "conversations/demo-project/$($conversation.Id)/user-message" -Method POST -Body @{ text = 'Where is my order?' } | Out-Null
    $message = Wait-Received 2
    Write-Note "User $($message.UserId) says: $($message.Text)"
    $deadline = [DateTime]::UtcNow.AddSeconds(30)
    while (-not ($accepted = Invoke-JelouEmulatorControl $emulator 'agent-messages' | Where-Object text -eq 'It ships today!') -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 20 }
    if (-not $accepted) { throw "The receiver's reply did not reach Jelou within 30 s: $($receiver.Streams.Error | Out-String)" }
    Write-Note "Jelou verified the reply's signature and delivered: '$($accepted.text)'"

    Write-Step 'Close-JelouConversation'
    Get-JelouConversation demo-project $conversation.Id | Close-JelouConversation -RedirectText 'Thanks for contacting us!' -Confirm:$false
    $closed = Wait-Received 3
    Get-JelouConversation demo-project $conversation.Id | Format-List | Out-Host
    if (-not $running.AsyncWaitHandle.WaitOne([TimeSpan]::FromSeconds(10))) { throw 'The receiver did not stop after its 3 events.' }
    $free = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, $port)
    $free.Start(); $free.Stop()
    Write-Note "Received $($closed.EventName) ($($closed.Reason)); the receiver stopped after its 3 events, and port $port is free again."

    Write-Step 'A failure is an ErrorRecord with a stable ErrorId'
    Get-JelouExternalSupport no-such-project -ErrorAction SilentlyContinue -ErrorVariable failure
    Write-Note "$($failure[0].FullyQualifiedErrorId) [$($failure[0].CategoryInfo.Category)]: $($failure[0].ErrorDetails.Message)"

    Write-Step 'Reset-JelouExternalSupportSecret -Force (unattended): the old secret dies at once; the new one replaces it'
    $rotated = Reset-JelouExternalSupportSecret demo-project @storage -Force
    $rotated | Out-Host
    Write-Note ("New secret: a SecureString of {0} characters; the earlier one is dropped from `$JelouUnsavedIntegrations, which now holds {1}." -f $rotated.SigningSecret.Length, @($JelouUnsavedIntegrations).Count)

    Write-Step 'Remove-JelouExternalSupport -Force'
    Get-JelouExternalSupport demo-project | Remove-JelouExternalSupport -Force -Verbose
}
finally {
    if ($receiver) { $receiver.Stop(); $receiver.Dispose() }
    Disconnect-Jelou
    $emulator | Stop-JelouEmulator
    Write-Step 'Stopped the emulator'
}
