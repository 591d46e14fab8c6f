# Receive-JelouWebhookEvent end to end: the emulator and Send-JelouTestEvent deliver real signed events to it over HTTP (and HTTPS),
# typed events come out, refused requests are answered 401/400 and written as errors, and stopping frees the port.
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    $Emulator = Start-JelouEmulator -EmulatorDll $EmulatorDll
    Connect-Jelou -ApiKey $Emulator.ApiKey -BaseUri $Emulator.GatewayUri -ChatbotUri $Emulator.ChatbotUri

    function Get-FreePort {
        $probe = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
        $probe.Start()
        try { $probe.LocalEndpoint.Port } finally { $probe.Stop() }
    }

    # Runs a script in its own runspace (as a receiver runs beside the sender), the module and Wait-Listening there; returns a handle.
    function Start-InRunspace([string] $Script, [hashtable] $Arguments) {
        $shell = [powershell]::Create()
        $null = $shell.AddScript("Import-Module '$(Join-Path $ModulePath 'JelouPS.psd1')'; function Wait-Listening { ${function:Wait-Listening} }").AddStatement().AddScript($Script)
        foreach ($name in $Arguments.Keys) { $null = $shell.AddParameter($name, $Arguments[$name]) }
        $output = [System.Management.Automation.PSDataCollection[psobject]]::new()
        [pscustomobject]@{ Shell = $shell; Output = $output; Async = $shell.BeginInvoke([System.Management.Automation.PSDataCollection[psobject]]::new(), $output) }
    }

    # A runspace that, once the receiver listens, posts one test event of the project signed with $Secret; its output is the status code.
    function Start-TestEventSender([int] $Port, [string] $ProjectId) {
        Start-InRunspace @'
param($Port, $Secret, $ProjectId)
Wait-Listening $Port
(Send-JelouTestEvent "http://localhost:$Port/jelou" -SigningSecret $Secret -ProjectId $ProjectId).StatusCode
'@ @{ Port = $Port; Secret = $Secret; ProjectId = $ProjectId }
    }

    # A fresh stand-in vault holding $Secret for the project; returns the stand-in's vaults, which a sender runspace can change.
    function New-ReceiverVault([string] $Name, [string] $ProjectId) {
        Import-Module (Join-Path $PSScriptRoot '../modules/Microsoft.PowerShell.SecretManagement') -Force
        Reset-StandInSecretStore
        Register-StandInVault -Name $Name
        Set-Secret -Name "Jelou-$ProjectId" -Secret $Secret -Vault $Name
        (Get-Module Microsoft.PowerShell.SecretManagement).SessionState.PSVariable.GetValue('Vaults')
    }

    # Sets how soon receivers may read the vault again after a delivery that does not verify (at once, or never within a test,
    # so that no test depends on how fast the machine is; the rule is what is tested); returns what puts it back.
    function Set-RereadAfter([TimeSpan] $Interval) {
        $reread = [JelouPS.Commands.ReceiveJelouWebhookEventCommand].GetProperty('RereadAfter', [System.Reflection.BindingFlags]'NonPublic,Static')
        $before = $reread.GetValue($null)
        $reread.SetValue($null, $Interval)
        { $reread.SetValue($null, $before) }.GetNewClosure()
    }

    # Waits (up to 30 s) until the receiver's port answers, so nothing is sent before it listens.
    function Wait-Listening([int] $Port) {
        $deadline = [DateTime]::UtcNow.AddSeconds(30)
        while ([DateTime]::UtcNow -lt $deadline) {
            $client = [System.Net.Sockets.TcpClient]::new()
            try { $client.Connect('localhost', $Port); return } catch { [System.Threading.Thread]::Sleep(20) } finally { $client.Dispose() }
        }
        throw "Nothing listened on port $Port within 30 s."
    }

    # Its output and errors once it ended; with -MayFail, a terminating error is returned as Failure rather than thrown.
    function Complete-InRunspace($Handle, [switch] $MayFail) {
        if (-not $Handle.Async.AsyncWaitHandle.WaitOne([TimeSpan]::FromSeconds(60))) { $Handle.Shell.Stop(); throw 'The receiver did not end within 60 s.' }
        $failure = $null
        try { $Handle.Shell.EndInvoke($Handle.Async) | Out-Null } catch { if (-not $MayFail) { throw }; $failure = $_ }
        [pscustomobject]@{ Output = @($Handle.Output); Errors = @($Handle.Shell.Streams.Error); Failure = $failure }
    }

    $Secret = ConvertTo-SecureString 'rcv-3f9a1c0d8e7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b2a1f' -AsPlainText -Force
    $Receive = 'param($Port, $Secret, $Count, $Token) Receive-JelouWebhookEvent -Port $Port -Path /jelou -SigningSecret $Secret -Count $Count -AuthType bearer -WebhookAuthorization $Token -TimeoutSec 60'
}

AfterAll {
    Disconnect-Jelou
    $Emulator | Stop-JelouEmulator
}

Describe 'Receive-JelouWebhookEvent' {
    It 'turns a Send-JelouTestEvent delivery into a typed event and answers it 200' {
        $port = Get-FreePort
        $receiver = Start-InRunspace $Receive @{ Port = $port; Secret = $Secret; Count = 1; Token = 'rcv-token' }
        Wait-Listening $port

        $sent = Send-JelouTestEvent "http://localhost:$port/jelou" message -SigningSecret $Secret -AuthType bearer -WebhookAuthorization 'rcv-token' -ProjectId p-rcv

        $sent.StatusCode | Should -Be 200
        $result = Complete-InRunspace $receiver
        $result.Errors | Should -BeNullOrEmpty
        $result.Output.Count | Should -Be 1
        $result.Output[0].PSObject.TypeNames[0] | Should -Be 'JelouPS.Webhooks.JelouMessageEvent'
        $result.Output[0].ProjectId | Should -Be 'p-rcv'
        $result.Output[0].EventType | Should -Be 'message'
    }

    It 'reads a signature or credential on several lines as ConvertFrom-JelouWebhookEvent reads it: the same value repeated is it, two values are refused 401' {
        $port = Get-FreePort
        $receiver = Start-InRunspace $Receive @{ Port = $port; Secret = $Secret; Count = 3; Token = 'rcv-token' }
        Wait-Listening $port
        $body = '{"event":"conversation.close","timestamp":1776134278574,"project_id":"p-rcv","room_id":"r1","reason":"closed_by_operator"}'
        $good = Get-JelouWebhookSignature -Payload $body -SigningSecret $Secret
        function Send-Head([string[]] $Headers) {
            $client = [System.Net.Sockets.TcpClient]::new('localhost', $port)
            try {
                $bytes = [Text.Encoding]::ASCII.GetBytes("POST /jelou HTTP/1.1`r`nHost: localhost:$port`r`n$($Headers -join "`r`n")`r`nContent-Length: $($body.Length)`r`nConnection: close`r`n`r`n$body")
                $client.GetStream().Write($bytes, 0, $bytes.Length)
                ([IO.StreamReader]::new($client.GetStream()).ReadLine() -split ' ')[1]
            }
            finally { $client.Dispose() }
        }
        $sent = @(
            [pscustomobject]@{ Headers = @("X-Jelou-Signature: $good, $good", "X-Jelou-Signature: $good", 'Authorization: Bearer rcv-token'); Answer = '200' }
            [pscustomobject]@{ Headers = @("X-Jelou-Signature: $good", "x-jelou-signature: $($good.ToUpperInvariant())", 'Authorization: Bearer rcv-token', 'authorization: Bearer rcv-token'); Answer = '200' }
            [pscustomobject]@{ Headers = @("X-Jelou-Signature: $good", 'X-Jelou-Signature: sha256=00', 'Authorization: Bearer rcv-token'); Answer = '401' }
            [pscustomobject]@{ Headers = @("X-Jelou-Signature: $good", 'Authorization: Bearer rcv-token', 'Authorization: Bearer other'); Answer = '401' }
            [pscustomobject]@{ Headers = @("X-Jelou-Signature: $good", "X-Jelou-Signature: $good", 'Authorization: Bearer rcv-token'); Answer = '200' }
        )

        @($sent | ForEach-Object { Send-Head $_.Headers }) | Should -Be @($sent.Answer)

        $result = Complete-InRunspace $receiver
        $result.Output.Count | Should -Be 3
        @($result.Errors.FullyQualifiedErrorId | ForEach-Object { ($_ -split ',')[0] }) | Should -Be @('JelouSignatureMismatch', 'JelouWebhookAuthorizationMismatch')
    }

    It 'refuses a changed body, another secret and a wrong credential with 401, and a signed non-event with 400, and goes on' {
        $port = Get-FreePort
        $receiver = Start-InRunspace $Receive @{ Port = $port; Secret = $Secret; Count = 1; Token = 'rcv-token' }
        Wait-Listening $port
        $url = "http://localhost:$port/jelou"
        $body = '{"event":"conversation.close","timestamp":1776134278574,"project_id":"p-rcv","room_id":"r1","reason":"closed_by_operator"}'
        $good = Get-JelouWebhookSignature -Payload $body -SigningSecret $Secret
        function Send-Raw([string] $Body, [string] $Signature, [string] $Authorization = 'Bearer rcv-token') {
            (Invoke-WebRequest $url -Method Post -Body ([Text.Encoding]::UTF8.GetBytes($Body)) -ContentType 'application/json' -SkipHttpErrorCheck `
                -Headers @{ 'X-Jelou-Signature' = $Signature; Authorization = $Authorization }).StatusCode
        }

        # Raw HTTP with no Content-Length (the framework itself answers 411): the receiver goes on.
        $client = [System.Net.Sockets.TcpClient]::new('localhost', $port)
        $bytes = [Text.Encoding]::ASCII.GetBytes("POST /jelou HTTP/1.1`r`nHost: localhost:$port`r`nX-Jelou-Signature: sha256=00`r`nConnection: close`r`n`r`n{}")
        $client.GetStream().Write($bytes, 0, $bytes.Length)
        [IO.StreamReader]::new($client.GetStream()).ReadLine() | Should -Match '^HTTP/1.1 4\d\d '
        $client.Dispose()
        (Invoke-WebRequest $url -Method Get -SkipHttpErrorCheck).StatusCode | Should -Be 405
        (Invoke-WebRequest "http://localhost:$port/other" -Method Post -Body '{}' -SkipHttpErrorCheck).StatusCode | Should -Be 404
        Send-Raw ($body.Replace('operator', 'operatoR')) $good | Should -Be 401
        Send-Raw $body (Get-JelouWebhookSignature -Payload $body -SigningSecret 'another-secret') | Should -Be 401
        # Something on the way put a UTF-8 byte order mark in front of what Jelou signed.
        Send-Raw ([char]0xFEFF + $body) $good | Should -Be 401
        Send-Raw $body $good 'Bearer wrong-token' | Should -Be 401
        Send-Raw '[]' (Get-JelouWebhookSignature -Payload '[]' -SigningSecret $Secret) | Should -Be 400
        # Addressed by IP, as the emulator's and most tools' URLs are, rather than by name.
        $url = "http://127.0.0.1:$port/jelou"
        Send-Raw $body $good | Should -Be 200

        $result = Complete-InRunspace $receiver
        $result.Output.Count | Should -Be 1
        $result.Output[0].Reason | Should -Be 'closed_by_operator'
        $ids = @($result.Errors.FullyQualifiedErrorId | ForEach-Object { ($_ -split ',')[0] })
        $ids | Should -Be @('JelouNotADelivery', 'JelouNotADelivery', 'JelouNotADelivery', 'JelouSignatureMismatch', 'JelouSignatureMismatch', 'JelouSignatureMismatch', 'JelouWebhookAuthorizationMismatch', 'JelouInvalidWebhookEvent')
        $result.Errors[5].Exception.Message | Should -Match 'begins with a UTF-8 byte order mark'
        $result.Errors[5].ErrorDetails.RecommendedAction | Should -Match 'rewrites request bodies'
        $result.Errors[4].ErrorDetails.RecommendedAction | Should -Not -Match 'rewrites request bodies'
        $result.Errors[0].Exception.Message | Should -Match 'no Content-Length'
        $result.Errors[2].Exception.Message | Should -Match '/other is not the path'
        $result.Errors[-1].TargetObject | Should -Match '^POST /jelou from '
        ($result.Errors | Out-String) | Should -Not -Match 'rcv-token|wrong-token'
    }

    It 'takes a delivery whose text Node cut inside an emoji (a lone surrogate escape), keeps that text, refuses one whose key it cut, and goes on' {
        $port = Get-FreePort
        $receiver = Start-InRunspace $Receive @{ Port = $port; Secret = $Secret; Count = 2; Token = 'rcv-token' }
        Wait-Listening $port
        # JSON.stringify({ body: 'cut 😀'.slice(0, 5) }) writes the half emoji as \ud83d; in a key, no member beside it can be looked up.
        $deliveries = @(
            @{ Body = '{"event_type":"message","timestamp":1776134278574,"project_id":"p-rcv","room_id":"r1","value":{"type":"text","content":{"body":"cut \ud83d"}}}'; Status = 200 }
            @{ Body = '{"event_type":"message","project_id":"p-rcv","\ud83d":1}'; Status = 400 }
            @{ Body = '{"event_type":"message","timestamp":1776134278574,"project_id":"p-rcv","room_id":"r1","value":{"type":"text","content":{"body":"next"}}}'; Status = 200 }
        )
        foreach ($delivery in $deliveries) {
            $answer = Invoke-WebRequest "http://localhost:$port/jelou" -Method Post -Body ([Text.Encoding]::UTF8.GetBytes($delivery.Body)) -ContentType 'application/json' -SkipHttpErrorCheck `
                -Headers @{ 'X-Jelou-Signature' = (Get-JelouWebhookSignature -Payload $delivery.Body -SigningSecret $Secret); Authorization = 'Bearer rcv-token' }
            $answer.StatusCode | Should -Be $delivery.Status
        }

        $result = Complete-InRunspace $receiver
        $result.Output.Text | Should -Be @("cut $([char]0xD83D)", 'next')
        $result.Errors.FullyQualifiedErrorId | Should -BeLike 'JelouInvalidWebhookEvent,*'
        $result.Errors[0].ErrorDetails.RecommendedAction | Should -Match 'most likely Jelou''s own'
        $result.Output[0] | Format-Table | Out-String | Should -Match ([regex]::Escape('cut `u{D83D}'))
    }

    It 'listens on both loopbacks, takes a tunnel''s own Host, and tells an https sender at its http port what to change' {
        $port = Get-FreePort
        $receiver = Start-InRunspace $Receive @{ Port = $port; Secret = $Secret; Count = 1; Token = 'rcv-token' }
        Wait-Listening $port

        $https = Send-JelouTestEvent "https://localhost:$port/jelou" -SigningSecret $Secret -SkipCertificateCheck -ErrorAction SilentlyContinue
        $body = '{"event":"conversation.close","timestamp":1776134278574,"project_id":"p-v6","room_id":"r1","reason":"closed_by_operator"}'
        $headers = @{ 'X-Jelou-Signature' = (Get-JelouWebhookSignature -Payload $body -SigningSecret $Secret); Authorization = 'Bearer rcv-token'; Host = 'abc123.ngrok-free.app' }
        $overV6 = Invoke-WebRequest "http://[::1]:$port/jelou" -Method Post -Body $body -ContentType 'application/json' -Headers $headers -SkipHttpErrorCheck

        $https.Succeeded | Should -BeFalse
        $overV6.StatusCode | Should -Be 200
        $result = Complete-InRunspace $receiver
        $result.Output.ProjectId | Should -Be 'p-v6'
        $result.Errors.Count | Should -Be 1
        $result.Errors[0].TargetObject | Should -BeLike 'Connection from *'
        $result.Errors[0].Exception.Message | Should -BeLike '*TLS handshake*must start with http://*'
        $result.Errors[0].ErrorDetails.RecommendedAction | Should -BeLike '*check the URL the sender was given*'
    }

    It 'receives what the emulator delivers for a real integration, and an auto-responder answers the message' {
        $port = Get-FreePort
        $projectId = New-TestProjectId
        $integration = New-JelouExternalSupport $projectId "http://localhost:$port/jelou" -AuthType bearer -WebhookAuthorization 'emu-token'
        $responder = Start-InRunspace @'
param($Port, $Secret, $ChatbotUri)
Receive-JelouWebhookEvent -Port $Port -Path /jelou -SigningSecret $Secret -AuthType bearer -WebhookAuthorization 'emu-token' -Count 2 -TimeoutSec 60 |
    ForEach-Object { $_ } -PipelineVariable event |
    Where-Object EventType -eq message |
    Send-JelouSupportMessage -Text 'On it' -SigningSecret $Secret -ChatbotUri $ChatbotUri |
    ForEach-Object { $event }
'@ @{ Port = $port; Secret = $integration.SigningSecret; ChatbotUri = $Emulator.ChatbotUri }
        Wait-Listening $port

        $conversation = Start-JelouConversation $projectId -BotId bot-1 -UserId user-1 -InitialMessage 'Hola' -Confirm:$false
        Invoke-JelouEmulatorControl $Emulator "conversations/$projectId/$($conversation.Id)/user-message" -Method POST -Body @{ text = '¿Mi pedido?' } | Out-Null

        $result = Complete-InRunspace $responder
        $result.Errors | Should -BeNullOrEmpty
        $result.Output.Count | Should -Be 1
        $result.Output[0].Text | Should -Be '¿Mi pedido?'
        $reply = Invoke-JelouEmulatorControl $Emulator 'agent-messages' | Where-Object { $_.projectId -eq $projectId }
        $reply.text | Should -Be 'On it'
    }

    It 'verifies each delivery with the secret the vault holds for the project it names, and refuses one whose project has none, or that names none' {
        New-ReceiverVault ReceiveVault p-vault | Out-Null
        $port = Get-FreePort
        $sender = Start-InRunspace @'
param($Port, $Secret)
Wait-Listening $Port
$forged = '{"event_type":"message","project_id":"p-forged"}'
(Invoke-WebRequest "http://localhost:$Port/jelou" -Method Post -Body $forged -ContentType application/json -SkipHttpErrorCheck).StatusCode
$unnamed = '{"event":"conversation.start","timestamp":1776134278574}'
$signature = Get-JelouWebhookSignature -Payload $unnamed -SigningSecret $Secret
(Invoke-WebRequest "http://localhost:$Port/jelou" -Method Post -Body $unnamed -ContentType application/json -Headers @{ 'X-Jelou-Signature' = $signature } -SkipHttpErrorCheck).StatusCode
foreach ($project in 'p-unknown', 'p-vault') { (Send-JelouTestEvent "http://localhost:$Port/jelou" -SigningSecret $Secret -ProjectId $project).StatusCode }
'@ @{ Port = $port; Secret = $Secret }

        $events = Receive-JelouWebhookEvent -Port $port -Path /jelou -Vault ReceiveVault -Count 1 -TimeoutSec 30 -ErrorVariable problems -ErrorAction SilentlyContinue

        (Complete-InRunspace $sender).Output | Should -Be @(401, 401, 401, 200)
        @($events).Count | Should -Be 1
        $events.ProjectId | Should -Be 'p-vault'
        # The unsigned delivery never reached the vault: only p-unknown's read failed.
        $problems.FullyQualifiedErrorId | ForEach-Object { ($_ -split ',')[0] } | Should -Be @('JelouSignatureMismatch', 'JelouSignatureMismatch', 'JelouVaultReadFailed', 'JelouSignatureMismatch')
        $problems[1].ErrorDetails.RecommendedAction | Should -BeLike 'It names no project (project_id), so no secret of the vault was tried*'
        # A project the vault had no secret for: its refusal says so, not that the delivery was forged.
        $problems[3].Exception.Message | Should -BeLike "*It names project p-unknown, for which vault 'ReceiveVault' * gave no signing secret when it was last read (the error then said why), so it could not be verified.*"
        $problems[3].Exception.Message | Should -Not -Match 'not signed with this secret'
        $problems[3].ErrorDetails.RecommendedAction | Should -BeLike "Store the project's signing secret in the vault*"
        # Each names the request first, as a console's concise view shows no TargetObject.
        $problems | ForEach-Object { $_.Exception.Message | Should -Match '^POST /jelou from \S+: ' }
        @($problems | Where-Object { $_.Exception.Message -match 'p-forged' }).Count | Should -Be 0
    }

    It 'stops before listening when a -SecretName piped in (an integration''s) names no vault that can be used' {
        Import-Module (Join-Path $PSScriptRoot '../modules/Microsoft.PowerShell.SecretManagement') -Force
        Reset-StandInSecretStore
        $port = Get-FreePort

        { [pscustomobject]@{ SecretName = 'Jelou-p9' } | Receive-JelouWebhookEvent -Port $port -SigningSecret $Secret -TimeoutSec 3 -ErrorAction Stop } |
            Should -Throw -ErrorId 'JelouVaultNotFound,*'
        # Alone, as on the command line: it names a secret of the default vault.
        { [pscustomobject]@{ SecretName = 'Jelou-p9' } | Receive-JelouWebhookEvent -Port $port -TimeoutSec 3 -ErrorAction Stop } |
            Should -Throw -ErrorId 'JelouVaultNotFound,*'
    }

    It 'stops before listening when the vault cannot take -SecretName (<Case>), as every delivery would be refused' -TestCases @(
        @{ Case = 'an extension it does not know, a name with a wildcard character'; Module = 'Contoso.Vault'; Name = 'sig[1]'; Shown = "'sig[1]'"; Rule = 'In any vault, JelouPS uses only names with no wildcard characters (* ? [ ]), control characters or spaces around them: SecretManagement and several extensions look names up as wildcard patterns.' }
        # SecretStore itself holds the name: the rule is said to be JelouPS's.
        @{ Case = 'SecretStore, a name with a wildcard character'; Module = 'Microsoft.PowerShell.SecretStore'; Name = 'sig[1]'; Shown = "'sig[1]'"; Rule = 'In any vault, JelouPS uses only names with no wildcard characters' }
        @{ Case = 'Azure Key Vault, a name longer than it takes, shown cut'; Module = 'Az.KeyVault'; Name = 'sig-' + ('a' * 130); Shown = "'sig-$('a' * 36)$([char]0x2026)' (134 characters)"; Rule = "Azure Key Vault's rule for names: ASCII letters, digits and '-' only; at most 127 characters." }
        @{ Case = 'Azure Key Vault, a name with an underscore'; Module = 'Az.KeyVault'; Name = 'sig_1'; Shown = "'sig_1'"; Rule = "Azure Key Vault's rule for names: ASCII letters, digits and '-' only" }
    ) {
        Import-Module (Join-Path $PSScriptRoot '../modules/Microsoft.PowerShell.SecretManagement') -Force
        Reset-StandInSecretStore
        Register-StandInVault -Name Other -ModuleName $Module
        # Stored by hand: SecretStore, and an unknown extension may, take the name.
        if ($Module -ne 'Az.KeyVault') { Set-Secret -Name $Name -Secret $Secret -Vault Other }
        $port = Get-FreePort

        # Were it to listen, it would end after -TimeoutSec without an error.
        $failure = { Receive-JelouWebhookEvent -Port $port -Vault Other -SecretName $Name -TimeoutSec 30 -ErrorAction Stop } |
            Should -Throw -ErrorId 'JelouInvalidArgument,*' -PassThru

        $failure.TargetObject | Should -Be $Name
        $failure.Exception.Message | Should -BeLike (([WildcardPattern]::Escape("-SecretName $Shown cannot name a signing secret in vault 'Other' ($Module): it ")) + '*' + [WildcardPattern]::Escape(". $Rule") + '*')
        # Every sentence starts as one.
        $failure.Exception.Message -split '(?<=\.) ' | ForEach-Object { $_ | Should -MatchExactly '^[-A-Z]' }
    }

    It 'stops before listening when the vault has no secret of -SecretName, naming one stored with <Case> around the name, in a command that runs as given' -TestCases @(
        @{ Case = 'spaces'; Stored = ' sig '; Shown = "' sig '" }
        @{ Case = 'a zero-width space'; Stored = "sig$([char]0x200B)"; Shown = '"sig$([char]0x200B)"' }
    ) {
        Import-Module (Join-Path $PSScriptRoot '../modules/Microsoft.PowerShell.SecretManagement') -Force
        Reset-StandInSecretStore
        Register-StandInVault -Name Other -ModuleName Contoso.Vault
        Set-Secret -Name $Stored -Secret $Secret -Vault Other
        $port = Get-FreePort

        # Trimmed as a CSV cell is, the name finds nothing: were it to listen, it would refuse every delivery.
        $failure = { Receive-JelouWebhookEvent -Port $port -Vault Other -SecretName $Stored -TimeoutSec 30 -ErrorAction Stop } |
            Should -Throw -ErrorId 'JelouVaultReadFailed,*' -PassThru

        $failure.Exception.Message | Should -BeLike ([WildcardPattern]::Escape("Vault 'Other' (Contoso.Vault) has no secret named 'sig'. It has $Shown, with spaces or characters that do not show around the name") + '*')
        Invoke-Expression ($failure.Exception.Message -replace '^.*\((Set-Secret .*)\)\.$', '$1')
        Get-StandInSecret -Vault Other -Name sig | Should -Not -BeNullOrEmpty
        # Renamed, not copied: two copies of the project's secret would be refused as "nothing tells which is the newest".
        Get-StandInSecret -Vault Other -Name $Stored | Should -BeNullOrEmpty
    }

    It 'listens with a -SecretName a vault that cannot list its secrets gives by name, and verifies with it' {
        New-ReceiverVault GetOnlyVault p-getonly | Out-Null
        # An Azure Key Vault identity with the Get permission and not List.
        Set-StandInVaultBehavior -Name GetOnlyVault -DenyList
        $port = Get-FreePort
        $sender = Start-TestEventSender $port p-getonly

        $events = Receive-JelouWebhookEvent -Port $port -Path /jelou -Vault GetOnlyVault -SecretName Jelou-p-getonly -Count 1 -TimeoutSec 30

        (Complete-InRunspace $sender).Output | Should -Be @(200)
        $events.ProjectId | Should -Be 'p-getonly'
    }

    It 'stops before listening when a vault that cannot list its secrets gives none by -SecretName either' {
        New-ReceiverVault GetOnlyVault p-getonly | Out-Null
        Set-StandInVaultBehavior -Name GetOnlyVault -DenyList
        $port = Get-FreePort

        $stopped = { Receive-JelouWebhookEvent -Port $port -Vault GetOnlyVault -SecretName not-stored -TimeoutSec 30 -ErrorAction Stop } |
            Should -Throw -ErrorId 'JelouVaultReadFailed,*' -PassThru

        # Get-SecretInfo, which the identity may not run, is not the way out.
        $stopped.ErrorDetails.RecommendedAction | Should -BeLike 'Check -SecretName: it must be the exact name, since this vault does not list its secrets to you, or store the secret first with Save-JelouSigningSecret.'
    }

    It 'stops before listening when the secret -SecretName names is a signature, in a vault that <Case>' -TestCases @(
        @{ Case = 'lists its secrets'; DenyList = $false }
        @{ Case = 'cannot list them'; DenyList = $true }
    ) {
        New-ReceiverVault ReceiveVault p-sig | Out-Null
        # A delivery's X-Jelou-Signature copied from a request log where the secret was meant.
        Set-Secret -Name crm-p-sig -Secret (Get-JelouWebhookSignature -Payload '{}' -SigningSecret $Secret) -Vault ReceiveVault
        if ($DenyList) { Set-StandInVaultBehavior -Name ReceiveVault -DenyList }
        $port = Get-FreePort

        $stopped = { Receive-JelouWebhookEvent -Port $port -Vault ReceiveVault -SecretName crm-p-sig -TimeoutSec 5 -ErrorAction Stop } |
            Should -Throw -ErrorId 'JelouVaultReadFailed,*' -PassThru

        "$stopped" | Should -BeLike "'crm-p-sig' in vault 'ReceiveVault'*, the signing secret -SecretName names, is a signature (sha256= and 64 hex digits*"
    }

    It 'listens with -SigningSecret when the vault has no secret of -SecretName, warning that only what it verifies is taken' {
        New-ReceiverVault ReceiveVault p-elsewhere | Out-Null
        $port = Get-FreePort
        $sender = Start-TestEventSender $port p-given

        $events = Receive-JelouWebhookEvent -Port $port -Path /jelou -Vault ReceiveVault -SecretName not-stored-yet -SigningSecret $Secret -Count 1 -TimeoutSec 30 -WarningVariable warned -WarningAction SilentlyContinue

        (Complete-InRunspace $sender).Output | Should -Be @(200)
        $events.ProjectId | Should -Be 'p-given'
        "$warned" | Should -BeLike "Vault 'ReceiveVault' * has no secret named 'not-stored-yet'. Only deliveries -SigningSecret verifies are taken until it is stored there."
    }

    It 'verifies with the project''s secret its default name typed in another letter case names, in a vault that <Case>' -TestCases @(
        @{ Case = 'lists its secrets'; DenyList = $false }
        # An Azure Key Vault identity with the Get permission and not List: the name is read, not looked up.
        @{ Case = 'cannot list them'; DenyList = $true }
    ) {
        New-ReceiverVault ReceiveVault p-case | Out-Null
        if ($DenyList) { Set-StandInVaultBehavior -Name ReceiveVault -DenyList }
        $port = Get-FreePort
        $sender = Start-TestEventSender $port p-case

        $events = Receive-JelouWebhookEvent -Port $port -Path /jelou -Vault ReceiveVault -SecretName jelou-P-CASE -Count 1 -TimeoutSec 30

        (Complete-InRunspace $sender).Output | Should -Be @(200)
        $events.ProjectId | Should -Be 'p-case'
    }

    It 'verifies with the default vault''s secret a -SecretName piped in alone names, as given on the command line' {
        New-ReceiverVault ReceiveVault p-piped | Out-Null
        $port = Get-FreePort
        $sender = Start-TestEventSender $port p-piped

        $events = [pscustomobject]@{ SecretName = 'Jelou-p-piped' } | Receive-JelouWebhookEvent -Port $port -Path /jelou -Count 1 -TimeoutSec 30

        (Complete-InRunspace $sender).Output | Should -Be @(200)
        $events.ProjectId | Should -Be 'p-piped'
    }

    It 'answers 503 while the vault cannot be read, remembering nothing, unless a -SigningSecret verifies it: <Case>' -TestCases @(
        @{ Case = 'the vault alone: the delivery sent again once it is unlocked verifies'; WithSecret = $false; Sent = 2; Answers = @(503, 200); Errors = @('JelouVaultUnavailable') }
        @{ Case = 'with -SigningSecret: accepted at once, the vault not read'; WithSecret = $true; Sent = 1; Answers = @(200); Errors = @() }
    ) {
        # Once the receiver listens, the sender locks the stand-in's vault (this runspace's module state, as a SecretStore's
        # password timeout would), and unlocks it after its first send.
        $vaults = New-ReceiverVault LockedVault p-locked
        $port = Get-FreePort
        $sender = Start-InRunspace @'
param($Port, $Secret, $Vaults, $Sent)
Wait-Listening $Port
$Vaults['LockedVault'].Locked = $true
(Send-JelouTestEvent "http://localhost:$Port/jelou" -SigningSecret $Secret -ProjectId p-locked -ErrorAction SilentlyContinue).StatusCode
$Vaults['LockedVault'].Locked = $false
if ($Sent -gt 1) { (Send-JelouTestEvent "http://localhost:$Port/jelou" -SigningSecret $Secret -ProjectId p-locked).StatusCode }
'@ @{ Port = $port; Secret = $Secret; Vaults = $vaults; Sent = $Sent }

        $given = if ($WithSecret) { @{ SigningSecret = $Secret } } else { @{} }
        $events = Receive-JelouWebhookEvent -Port $port -Path /jelou -Vault LockedVault @given -Count 1 -TimeoutSec 30 -ErrorVariable problems -ErrorAction SilentlyContinue

        (Complete-InRunspace $sender).Output | Should -Be $Answers
        $events.ProjectId | Should -Be 'p-locked'
        @($problems).Count | Should -Be $Errors.Count
        if ($Errors) { $problems.FullyQualifiedErrorId | ForEach-Object { ($_ -split ',')[0] } | Should -Be $Errors -Because 'a delivery the locked vault could not verify is not also a signature mismatch' }
        if ($Errors) { $problems[0].ErrorDetails.RecommendedAction | Should -BeLike '*Unlock-SecretVault*' }
    }

    It 'reads the vault again when a delivery does not verify with the secret read before (another process rotated the project), or answers 503 while it was read too lately: <Case>' -TestCases @(
        @{ Case = 'read again at once'; AtOnce = $true; Answers = @(200, 200) }
        @{ Case = 'read too lately to read again: 503, for Jelou to send it again'; AtOnce = $false; Answers = @(200, 503, 200) }
    ) {
        $vaults = New-ReceiverVault RotatedVault p-rotated
        $newSecret = ConvertTo-SecureString 'whsec-after-rotation-0123' -AsPlainText -Force
        $restore = Set-RereadAfter ($AtOnce ? [TimeSpan]::Zero : [TimeSpan]::FromHours(1))
        try {
            $port = Get-FreePort
            $sender = Start-InRunspace @'
param($Port, $Secret, $NewSecret, $Vaults, $Third)
Wait-Listening $Port
(Send-JelouTestEvent "http://localhost:$Port/jelou" -SigningSecret $Secret -ProjectId p-rotated).StatusCode
# Another process rotates the project and stores the new secret in the vault.
$Vaults['RotatedVault'].Secrets['Jelou-p-rotated'].Secret = $NewSecret
(Send-JelouTestEvent "http://localhost:$Port/jelou" -SigningSecret $NewSecret -ProjectId p-rotated -ErrorAction SilentlyContinue).StatusCode
# The secret read before still verifies until the vault is read again.
if ($Third) { (Send-JelouTestEvent "http://localhost:$Port/jelou" -SigningSecret $Secret -ProjectId p-rotated).StatusCode }
'@ @{ Port = $port; Secret = $Secret; NewSecret = $newSecret; Vaults = $vaults; Third = -not $AtOnce }

            $events = Receive-JelouWebhookEvent -Port $port -Path /jelou -Vault RotatedVault -Count 2 -TimeoutSec 30 -ErrorVariable problems -ErrorAction SilentlyContinue -WarningVariable warned -WarningAction SilentlyContinue
        }
        finally { & $restore }

        (Complete-InRunspace $sender).Output | Should -Be $Answers
        @($events).Count | Should -Be 2
        $problems | Should -BeNullOrEmpty
        @($warned | Where-Object { "$_" -like '*answered 503: it matches no secret the receiver holds, and the vault was read for project p-rotated less than * s ago*' }).Count | Should -Be ($Answers -contains 503 ? 1 : 0)
    }

    It 'lists the vault anew when it reads it again: another process stored the rotated secret under a name of its own' {
        $vaults = New-ReceiverVault RenamedVault unused
        Set-Secret -Name Jelou-p-renamed -Secret $Secret -Vault RenamedVault -Metadata @{ ProjectId = 'p-renamed'; IntegrationId = 'first'; CreatedAt = [DateTime]::UtcNow.AddHours(-1) }
        $newSecret = ConvertTo-SecureString 'whsec-rotated-elsewhere-0123' -AsPlainText -Force
        $restore = Set-RereadAfter ([TimeSpan]::Zero)
        try {
            $port = Get-FreePort
            $sender = Start-InRunspace @'
param($Port, $Secret, $NewSecret, $Vaults)
Wait-Listening $Port
(Send-JelouTestEvent "http://localhost:$Port/jelou" -SigningSecret $Secret -ProjectId p-renamed).StatusCode
# Another process rotates the project and stores the new secret under its own name, the metadata naming the project.
$Vaults['RenamedVault'].Secrets['crm-p-renamed'] = @{ Name = 'crm-p-renamed'; Secret = $NewSecret; Metadata = @{ ProjectId = 'p-renamed'; IntegrationId = 'second'; CreatedAt = [DateTime]::UtcNow } }
(Send-JelouTestEvent "http://localhost:$Port/jelou" -SigningSecret $NewSecret -ProjectId p-renamed -ErrorAction SilentlyContinue).StatusCode
'@ @{ Port = $port; Secret = $Secret; NewSecret = $newSecret; Vaults = $vaults }

            $events = Receive-JelouWebhookEvent -Port $port -Path /jelou -Vault RenamedVault -Count 2 -TimeoutSec 30 -ErrorVariable problems -ErrorAction SilentlyContinue -WarningAction SilentlyContinue
        }
        finally { & $restore }

        (Complete-InRunspace $sender).Output | Should -Be @(200, 200)
        @($events).Count | Should -Be 2
        $problems | Should -BeNullOrEmpty
    }

    It 'reads the vault again at once after this session rotated the project and stored the new secret there' {
        $vaults = New-ReceiverVault SameSessionVault unused
        $projectId = New-TestProjectId
        New-JelouExternalSupport $projectId https://crm.example.com/jelou -Vault SameSessionVault | Out-Null
        $port = Get-FreePort
        $sender = Start-InRunspace @'
param($Port, $Vaults, $ProjectId)
Wait-Listening $Port
$before = $Vaults['SameSessionVault'].Secrets["Jelou-$ProjectId"].Secret
(Send-JelouTestEvent "http://localhost:$Port/jelou" -SigningSecret $before -ProjectId $ProjectId).StatusCode
# The receiver's pipeline rotated the project before answering: the vault holds the new secret.
$after = $Vaults['SameSessionVault'].Secrets["Jelou-$ProjectId"].Secret
(Send-JelouTestEvent "http://localhost:$Port/jelou" -SigningSecret $after -ProjectId $ProjectId -ErrorAction SilentlyContinue).StatusCode
'@ @{ Port = $port; Vaults = $vaults; ProjectId = $projectId }

        $rotated = $false
        # Not read again for the interval: only the secret this session received makes it read at once.
        $restore = Set-RereadAfter ([TimeSpan]::FromHours(1))
        try {
            Receive-JelouWebhookEvent -Port $port -Path /jelou -Vault SameSessionVault -Count 2 -TimeoutSec 30 -ErrorAction SilentlyContinue -WarningAction SilentlyContinue |
                ForEach-Object { if (-not $rotated) { $rotated = $true; Reset-JelouExternalSupportSecret $projectId -Vault SameSessionVault -Force | Out-Null } }
        }
        finally { & $restore }

        (Complete-InRunspace $sender).Output | Should -Be @(200, 200)
    }

    It 'refuses, as its error says, a delivery signed with a secret this session rotated to and left in no vault: the vault''s copy is dead' {
        $vaults = New-ReceiverVault DeadCopyVault unused
        $projectId = New-TestProjectId
        New-JelouExternalSupport $projectId https://crm.example.com/jelou -Vault DeadCopyVault | Out-Null
        $shared = [hashtable]::Synchronized(@{})
        $port = Get-FreePort
        $sender = Start-InRunspace @'
param($Port, $Vaults, $ProjectId, $Shared)
Wait-Listening $Port
(Send-JelouTestEvent "http://localhost:$Port/jelou" -SigningSecret $Vaults['DeadCopyVault'].Secrets["Jelou-$ProjectId"].Secret -ProjectId $ProjectId).StatusCode
(Send-JelouTestEvent "http://localhost:$Port/jelou" -SigningSecret $Shared.Rotated -ProjectId $ProjectId -ErrorAction SilentlyContinue).StatusCode
# One the receiver was given, so that it ends at -Count 2.
(Send-JelouTestEvent "http://localhost:$Port/jelou" -SigningSecret $Shared.Given -ProjectId other).StatusCode
'@ @{ Port = $port; Vaults = $vaults; ProjectId = $projectId; Shared = $shared }
        $shared.Given = $Secret

        $restore = Set-RereadAfter ([TimeSpan]::FromHours(1))
        try {
            Receive-JelouWebhookEvent -Port $port -Path /jelou -Vault DeadCopyVault -SigningSecret $Secret -Count 2 -TimeoutSec 30 -ErrorVariable problems -ErrorAction SilentlyContinue -WarningVariable warned -WarningAction SilentlyContinue |
                ForEach-Object { if (-not $shared.Rotated) { $shared.Rotated = (Reset-JelouExternalSupportSecret $projectId -Force -WarningAction SilentlyContinue).SigningSecret } }
        }
        finally { & $restore }

        (Complete-InRunspace $sender).Output | Should -Be @(200, 401, 200)
        $problems.FullyQualifiedErrorId | ForEach-Object { ($_ -split ',')[0] } | Should -Be @('JelouSecretReplaced') -Because 'one error for the delivery, which says why; a second would call it forged'
        "$($problems[0])" | Should -BeLike '*that Jelou has replaced since*'
        @($warned | Where-Object { "$_" -like '*answered 503*' }).Count | Should -Be 0
    }

    It 'verifies with a secret trimmed when it has a line break at its end, as read with Get-Content -Raw, and says so once: <Case>' -ForEach @(
        @{ Case = 'the vault''s copy'; Project = 'p-newline'; Warning = "The signing secret of p-newline in vault 'NewlineVault'* ('Jelou-p-newline') has a space or line break around it*: deliveries are verified without them. Store it there without them, and its metadata: Set-Secret -Name 'Jelou-p-newline' -Vault 'NewlineVault' *" }
        @{ Case = '-SigningSecret, the second of two'; Project = 'p-padded'; Warning = 'Signing secret 2 of 2 has a space or line break around it (a copy read from a file often does): it is used without them, as Jelou issued it.' }
    ) {
        $plain = [System.Net.NetworkCredential]::new('', $Secret).Password
        if ($Project -eq 'p-newline') {
            New-ReceiverVault NewlineVault p-good | Out-Null
            Set-Secret -Name Jelou-p-newline -Secret "$plain`n" -Vault NewlineVault
            $from = @{ Vault = 'NewlineVault' }
        }
        else { $from = @{ SigningSecret = 'an-old-secret-of-the-project', "$plain`r`n" } }
        $port = Get-FreePort
        $sender = Start-InRunspace @'
param($Port, $Secret, $Project)
Wait-Listening $Port
1..2 | ForEach-Object { (Send-JelouTestEvent "http://localhost:$Port/jelou" -SigningSecret $Secret -ProjectId $Project -ErrorAction SilentlyContinue).StatusCode }
'@ @{ Port = $port; Secret = $Secret; Project = $Project }

        $events = Receive-JelouWebhookEvent -Port $port -Path /jelou @from -Count 2 -TimeoutSec 30 -WarningVariable warned -WarningAction SilentlyContinue -ErrorVariable refused -ErrorAction SilentlyContinue

        (Complete-InRunspace $sender).Output | Should -Be @(200, 200) -Because 'a 401 would lose the deliveries: Jelou does not send a refused one again'
        @($events).Count | Should -Be 2
        $refused | Should -BeNullOrEmpty
        @($warned).Count | Should -Be 1
        "$warned" | Should -BeLike $Warning
        if ($Project -eq 'p-newline') {
            # The command it gives runs as written and stores the copy as Jelou issued it.
            Invoke-Expression ("$warned" -replace '^.*and its metadata: ', '')
            Get-Secret -Name Jelou-p-newline -Vault NewlineVault -AsPlainText | Should -BeExactly $plain
        }
    }

    It 'refuses a delivery whose project''s vault copy is <Case> as the vault''s error, naming the secret, with no warning first' -TestCases @(
        @{ Case = 'blank'; Copy = { '   ' }; Problem = 'is blank' }
        # A delivery's X-Jelou-Signature value stored where its secret was meant: no delivery would verify with it.
        @{ Case = 'a signature'; Copy = { Get-JelouWebhookSignature -Payload '{}' -SigningSecret $Secret }; Problem = 'is a signature (sha256= and 64 hex digits*' }
    ) {
        New-ReceiverVault BlankVault p-good | Out-Null
        Set-Secret -Name Jelou-p-blank -Secret (& $Copy) -Vault BlankVault
        $port = Get-FreePort
        $sender = Start-InRunspace @'
param($Port, $Secret)
Wait-Listening $Port
(Send-JelouTestEvent "http://localhost:$Port/jelou" -SigningSecret $Secret -ProjectId p-blank -ErrorAction SilentlyContinue).StatusCode
'@ @{ Port = $port; Secret = $Secret }

        Receive-JelouWebhookEvent -Port $port -Path /jelou -Vault BlankVault -TimeoutSec 5 -WarningVariable warned -WarningAction SilentlyContinue -ErrorVariable refused -ErrorAction SilentlyContinue | Out-Null

        (Complete-InRunspace $sender).Output | Should -Be 401
        $warned | Should -BeNullOrEmpty
        $refused[0].FullyQualifiedErrorId | Should -BeLike 'JelouVaultReadFailed,*'
        "$($refused[0])" | Should -BeLike "*'Jelou-p-blank' in vault 'BlankVault'*, read as the signing secret of project 'p-blank', $Problem*"
    }

    It 'warns, at a project''s first delivery, that a rotation without an answer may have made the vault''s copy dead' {
        Import-Module (Join-Path $PSScriptRoot '../modules/Microsoft.PowerShell.SecretManagement') -Force
        Reset-StandInSecretStore
        Register-StandInVault -Name DoubtVault
        $projectId = New-TestProjectId
        $created = New-JelouExternalSupport $projectId https://crm.example.com/jelou -Vault DoubtVault
        Invoke-JelouEmulatorControl $Emulator 'faults' -Method POST -Body @{ method = 'POST'; pathContains = "$projectId/secret"; mangle = 'HtmlBody' } | Out-Null
        Reset-JelouExternalSupportSecret $projectId -Force -Vault DoubtVault -ErrorAction SilentlyContinue | Out-Null
        $port = Get-FreePort
        $sender = Start-InRunspace @'
param($Port, $Secret, $ProjectId)
Wait-Listening $Port
(Send-JelouTestEvent "http://localhost:$Port/jelou" -SigningSecret $Secret -ProjectId $ProjectId).StatusCode
'@ @{ Port = $port; Secret = $created.SigningSecret; ProjectId = $projectId }

        Receive-JelouWebhookEvent -Port $port -Path /jelou -Vault DoubtVault -Count 1 -TimeoutSec 30 -WarningVariable doubted -WarningAction SilentlyContinue | Out-Null

        (Complete-InRunspace $sender).Output | Should -Be 200
        "$doubted" | Should -BeLike "A rotation of $projectId sent at * brought back no secret: the signing secret of $projectId read from vault 'DoubtVault'* may no longer work*Reset-JelouExternalSupportSecret '$projectId' -Force -Vault 'DoubtVault'*"
    }

    It 'acknowledges a delivery only once the commands downstream took its event: stopped while they work on it, the sender gets 503' {
        $port = Get-FreePort
        $taken = [System.Threading.ManualResetEventSlim]::new()
        $receiver = Start-InRunspace 'param($Port, $Secret, $Taken) Receive-JelouWebhookEvent -Port $Port -Path /jelou -SigningSecret $Secret | ForEach-Object { $Taken.Set(); Start-Sleep -Seconds 60 }' @{ Port = $port; Secret = $Secret; Taken = $taken }
        Wait-Listening $port
        $body = '{"event":"conversation.close","timestamp":1776134278574,"project_id":"p-slow","room_id":"r1","reason":"closed_by_operator"}'
        $http = [System.Net.Http.HttpClient]::new()
        $request = [System.Net.Http.HttpRequestMessage]::new('POST', "http://localhost:$port/jelou")
        $request.Content = [System.Net.Http.StringContent]::new($body, [Text.Encoding]::UTF8, 'application/json')
        $null = $request.Headers.TryAddWithoutValidation('X-Jelou-Signature', (Get-JelouWebhookSignature -Payload $body -SigningSecret $Secret))
        $sent = $http.SendAsync($request)

        $taken.Wait([TimeSpan]::FromSeconds(30)) | Should -BeTrue
        $sent.IsCompleted | Should -BeFalse
        $receiver.Shell.Stop()

        [int] $sent.GetAwaiter().GetResult().StatusCode | Should -Be 503
        $http.Dispose()
    }

    It 'answers 503 when a command downstream fails on the event or ends the pipeline, and 200 up to -Count' -ForEach @(
        @{ Case = 'a failure downstream'; Downstream = "ForEach-Object { Get-Item '/nonexistent-$([guid]::NewGuid())' -ErrorAction Stop }"; Status = 503; Output = 0 }
        @{ Case = 'Select-Object -First'; Downstream = 'Select-Object -First 1'; Status = 503; Output = 1 }
        @{ Case = '-Count'; Downstream = 'ForEach-Object { $_ }'; Status = 200; Output = 1 }
    ) {
        $port = Get-FreePort
        $receiver = Start-InRunspace "param(`$Port, `$Secret) Receive-JelouWebhookEvent -Port `$Port -Path /jelou -SigningSecret `$Secret -Count 1 -TimeoutSec 60 | $Downstream" @{ Port = $port; Secret = $Secret }
        Wait-Listening $port

        $sent = Send-JelouTestEvent "http://localhost:$port/jelou" -SigningSecret $Secret -ProjectId p-down -ErrorAction SilentlyContinue

        $sent.StatusCode | Should -Be $Status -Because $Case
        $result = Complete-InRunspace $receiver -MayFail
        @($result.Output).Count | Should -Be $Output
        ($null -ne $result.Failure) | Should -Be ($Case -eq 'a failure downstream')
    }

    It 'stops at once when stopped (Ctrl+C) and frees its port' {
        $port = Get-FreePort
        $receiver = Start-InRunspace 'param($Port, $Secret) Receive-JelouWebhookEvent -Port $Port -SigningSecret $Secret' @{ Port = $port; Secret = $Secret }
        Wait-Listening $port

        $clock = [Diagnostics.Stopwatch]::StartNew()
        $receiver.Shell.Stop()
        $clock.Elapsed.TotalSeconds | Should -BeLessThan 2

        $again = Start-InRunspace 'param($Port, $Secret) Receive-JelouWebhookEvent -Port $Port -SigningSecret $Secret -TimeoutSec 1' @{ Port = $port; Secret = $Secret }
        $result = Complete-InRunspace $again
        $result.Errors | Should -BeNullOrEmpty
    }

    It 'refuses, before listening, an empty signing secret (it would verify anything), none at all, and a path with dot segments' {
        { Receive-JelouWebhookEvent -Port (Get-FreePort) -SigningSecret '' -TimeoutSec 5 -ErrorAction Stop } | Should -Throw -ErrorId 'JelouInvalidArgument,*'
        { Receive-JelouWebhookEvent -Port (Get-FreePort) -TimeoutSec 5 -ErrorAction Stop } | Should -Throw -ErrorId 'JelouInvalidArgument,*'
        { Receive-JelouWebhookEvent -Port (Get-FreePort) -Path /../x -SigningSecret s -TimeoutSec 5 -ErrorAction Stop } | Should -Throw '*not a path a receiver takes*'
    }

    It 'takes https only with -Certificate, on every address: a trusting sender is answered 200, plain http and an untrusting sender are refused and said why' {
        $key = [System.Security.Cryptography.RSA]::Create(2048)
        $request = [System.Security.Cryptography.X509Certificates.CertificateRequest]::new('CN=localhost', $key, 'SHA256', [System.Security.Cryptography.RSASignaturePadding]::Pkcs1)
        $selfSigned = $request.CreateSelfSigned([DateTimeOffset]::Now.AddDays(-1), [DateTimeOffset]::Now.AddDays(30))
        $certificate = [System.Security.Cryptography.X509Certificates.X509CertificateLoader]::LoadPkcs12($selfSigned.Export('Pfx'), $null)
        $port = Get-FreePort
        $receiver = Start-InRunspace 'param($Port, $Secret, $Certificate) Receive-JelouWebhookEvent -Port $Port -Path /jelou -IPAddress 0.0.0.0 -Certificate $Certificate -SigningSecret $Secret -Count 1 -TimeoutSec 60' @{ Port = $port; Secret = $Secret; Certificate = $certificate }
        Wait-Listening $port

        $plain = Invoke-WebRequest "http://localhost:$port/jelou" -Method Post -Body '{}' -SkipHttpErrorCheck
        $untrusting = Send-JelouTestEvent "https://localhost:$port/jelou" -SigningSecret $Secret -ErrorAction SilentlyContinue -ErrorVariable untrustingError
        $trusting = Send-JelouTestEvent "https://localhost:$port/jelou" -SigningSecret $Secret -SkipCertificateCheck -ProjectId p-tls

        $plain.StatusCode | Should -Be 400
        $untrusting.Succeeded | Should -BeFalse
        $untrusting.Error | Should -BeLike '*certificate*'
        $untrustingError[0].ErrorDetails.RecommendedAction | Should -BeLike '*-SkipCertificateCheck*'
        "$($untrustingError[0].TargetObject)" | Should -BeLike '*: its certificate was not trusted'
        $trusting.StatusCode | Should -Be 200
        $result = Complete-InRunspace $receiver
        $result.Output.ProjectId | Should -Be 'p-tls'
        $result.Errors.Count | Should -Be 2
        $result.Errors.FullyQualifiedErrorId | Should -Be @('JelouNotADelivery,JelouPS.Commands.ReceiveJelouWebhookEventCommand', 'JelouNotADelivery,JelouPS.Commands.ReceiveJelouWebhookEventCommand')
        $result.Errors[0].Exception.Message | Should -BeLike '*plain http*https://*Answered 400.'
        $result.Errors[0].TargetObject | Should -BeLike 'Connection from 127.0.0.1:*'
        $result.Errors[1].Exception.Message | Should -BeLike '*trust the certificate*'
    }

    It 'refuses, before listening, an address beyond loopback without a certificate, and a certificate without its private key' {
        $noKey = [System.Security.Cryptography.X509Certificates.X509CertificateLoader]::LoadCertificate(
            [System.Security.Cryptography.X509Certificates.CertificateRequest]::new('CN=localhost', [System.Security.Cryptography.ECDsa]::Create(), 'SHA256').CreateSelfSigned([DateTimeOffset]::Now, [DateTimeOffset]::Now.AddDays(1)).RawData)
        $error1 = { Receive-JelouWebhookEvent -Port (Get-FreePort) -IPAddress 0.0.0.0 -SigningSecret $Secret -TimeoutSec 5 -ErrorAction Stop } | Should -Throw -ErrorId 'JelouInvalidArgument,*' -PassThru
        $error1.Exception.Message | Should -BeLike '*plain http*certificate*'
        $error1.Exception.Message | Should -Not -BeLike '*(Parameter*'
        $error1.TargetObject | Should -Be ([System.Net.IPAddress]::Any)
        $error2 = { Receive-JelouWebhookEvent -Port (Get-FreePort) -Certificate $noKey -SigningSecret $Secret -TimeoutSec 5 -ErrorAction Stop } | Should -Throw -ErrorId 'JelouInvalidArgument,*' -PassThru
        $error2.Exception.Message | Should -BeLike '*no private key*'
    }

    It 'stops with JelouInvalidArgument, before listening, when the port is taken' {
        $taken = [System.Net.HttpListener]::new()
        $port = Get-FreePort
        $taken.Prefixes.Add("http://localhost:$port/")
        $taken.Start()
        try {
            { Receive-JelouWebhookEvent -Port $port -SigningSecret $Secret -TimeoutSec 5 -ErrorAction Stop } | Should -Throw -ErrorId 'JelouInvalidArgument,*'
        }
        finally { $taken.Close() }
    }
}
