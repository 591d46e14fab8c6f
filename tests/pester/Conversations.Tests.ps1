# The whole loop, as a provider runs it: integration -> conversation -> signed event to our receiver ->
# typed event -> signed agent reply that the emulator verifies.
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-Module (Join-Path $PSScriptRoot '../modules/Microsoft.PowerShell.SecretManagement') -Force
    Reset-StandInSecretStore
    Register-StandInVault -Name LoopVault -DefaultVault
    $Emulator = Start-JelouEmulator -EmulatorDll $EmulatorDll
    Connect-Jelou -ApiKey $Emulator.ApiKey -BaseUri $Emulator.GatewayUri -ChatbotUri $Emulator.ChatbotUri
    $Receiver = Start-TestWebhookReceiver
    $ProjectId = New-TestProjectId
    $Integration = New-JelouExternalSupport $ProjectId $Receiver.Url -AuthType bearer -WebhookAuthorization 'receiver-token' -Vault LoopVault
    $Secret = $Integration.SigningSecret

    # A conversation of $ProjectId per user named (a room each), its start event taken.
    function New-TestRoom([string[]] $Users) {
        foreach ($user in $Users) {
            Start-JelouConversation $ProjectId -BotId bot-rooms -UserId "$user-$([guid]::NewGuid().ToString('N').Substring(0, 6))" -Confirm:$false
            Receive-TestWebhook $Receiver | Out-Null
        }
    }

    # Runs $Script with the emulator's request log emptied and every API request taking $Ms to handle; its output.
    function Invoke-WithLatency([int] $Ms, [scriptblock] $Script) {
        Invoke-JelouEmulatorControl $Emulator 'requests' -Method DELETE | Out-Null
        Invoke-JelouEmulatorControl $Emulator 'latency' -Method PUT -Body @{ ms = $Ms } | Out-Null
        try { & $Script }
        finally {
            Invoke-JelouEmulatorControl $Emulator 'faults' -Method DELETE | Out-Null
            Invoke-JelouEmulatorControl $Emulator 'latency' -Method PUT -Body @{ ms = 0 } | Out-Null
        }
    }

    # The replies the emulator received, in order: each with its message id and when it arrived.
    function Get-Reply {
        Invoke-JelouEmulatorControl $Emulator 'requests' | Where-Object path -Like '*external-support/webhook' |
            ForEach-Object { [pscustomobject]@{ MessageId = ($_.body | ConvertFrom-Json).value.id; ArrivedAt = [DateTimeOffset] $_.receivedAt } }
    }
}

AfterAll {
    $Receiver | Stop-TestWebhookReceiver
    Disconnect-Jelou
    $Emulator | Stop-JelouEmulator
}

Describe 'The support loop' {
    It 'starts a conversation, receives its signed event, and answers the user' {
        $conversation = Start-JelouConversation $ProjectId -BotId bot-1 -UserId user-1 -InitialMessage 'Hola' `
            -Metadata ([ordered]@{ ticketId = 'T-1'; customer = [pscustomobject]@{ tier = 'gold'; since = 2019 } }) -AssignmentType queue -AssignmentTarget SUPPORT -Confirm:$false
        $conversation.PSObject.TypeNames[0] | Should -Be 'JelouPS.Conversation'
        $conversation.State | Should -Be 'active'

        $delivery = Receive-TestWebhook $Receiver
        $delivery.Authorization | Should -Be 'Bearer receiver-token'
        Test-JelouWebhookSignature -Payload $delivery.Body -Signature $delivery.Signature -SigningSecret $Secret | Should -BeTrue
        $started = ConvertFrom-JelouWebhookEvent -Payload $delivery.Body -Signature $delivery.Signature -SigningSecret $Secret
        $started | Should -BeOfType ([JelouPS.Webhooks.JelouConversationStartEvent])
        $started.ConversationId | Should -Be $conversation.Id
        $started.Metadata.customer.tier | Should -Be 'gold'

        Invoke-JelouEmulatorControl $Emulator "conversations/$ProjectId/$($conversation.Id)/user-message" -Method POST -Body @{ text = '¿Mi pedido?' } | Out-Null
        $delivery = Receive-TestWebhook $Receiver
        $message = [System.Text.Encoding]::UTF8.GetString($delivery.Body) | ConvertFrom-JelouWebhookEvent -Signature $delivery.Signature -SigningSecret $Secret
        $message.Text | Should -Be '¿Mi pedido?'

        # The event carries everything a reply needs: pipe it.
        $receipt = $message | Send-JelouSupportMessage -Text 'Va en camino 🚚' -Vault LoopVault -Confirm:$false
        $receipt.StatusCode | Should -Be 200
        $sent = Invoke-JelouEmulatorControl $Emulator 'agent-messages' | Where-Object messageId -EQ $receipt.MessageId
        $sent.text | Should -Be 'Va en camino 🚚'

        Get-JelouConversation $ProjectId $conversation.Id | Close-JelouConversation -RedirectText '¡Gracias!' -Confirm:$false
        (Get-JelouConversation $ProjectId $conversation.Id).State | Should -Be 'closed'
        $closed = ConvertFrom-JelouWebhookEvent -Payload (Receive-TestWebhook $Receiver).Body
        $closed.EventName | Should -Be 'conversation.close'
        $closed.RedirectText | Should -Be '¡Gracias!'
    }

    It 'starts one conversation per CSV row' {
        $rows = 1..3 | ForEach-Object { [pscustomobject]@{ ProjectId = $ProjectId; BotId = 'bot-csv'; UserId = "csv-user-$_"; InitialMessage = "Hola $_" } }
        $started = $rows | Start-JelouConversation -Confirm:$false
        $started.UserId | Should -Be @('csv-user-1', 'csv-user-2', 'csv-user-3')
        1..3 | ForEach-Object { Receive-TestWebhook $Receiver | Out-Null }
    }

    It 'takes a CSV row''s blank optional cells as not given, as its help says' {
        $started = "ProjectId,BotId,UserId,InitialMessage,AssignmentType,AssignmentTarget`n$ProjectId,bot-csv,csv-blank,,," | ConvertFrom-Csv | Start-JelouConversation -Confirm:$false

        $started.UserId | Should -Be 'csv-blank'
        (Get-Help Start-JelouConversation -Examples | Out-String) | Should -BeLike '*A blank cell of*an optional column*counts as not given*'
        Receive-TestWebhook $Receiver | Out-Null
    }

    It 'advises by what a 404 may mean: no integration for a start, a conversation closed already for a close' {
        Start-JelouConversation (New-TestProjectId) -BotId bot-404 -UserId user-404 -Confirm:$false -ErrorVariable unknown -ErrorAction SilentlyContinue
        $conversation = Start-JelouConversation $ProjectId -BotId bot-404 -UserId user-404 -Confirm:$false
        Receive-TestWebhook $Receiver | Out-Null
        $conversation | Close-JelouConversation -Confirm:$false
        Receive-TestWebhook $Receiver | Out-Null
        $conversation | Close-JelouConversation -Confirm:$false -ErrorVariable again -ErrorAction SilentlyContinue

        $unknown.FullyQualifiedErrorId | Should -BeLike 'JelouNotFound,*'
        $unknown.ErrorDetails.RecommendedAction | Should -BeLike '*has an integration (Get-JelouExternalSupport)*'
        $again.FullyQualifiedErrorId | Should -BeLike 'JelouNotFound,*'
        $again.ErrorDetails.RecommendedAction | Should -BeLike '*closed already*'
    }

    It 'rejects a tampered event with JelouSignatureMismatch' {
        $body = '{"event_type":"message","project_id":"P"}'
        $signature = Get-JelouWebhookSignature -Payload $body -SigningSecret $Secret
        ConvertFrom-JelouWebhookEvent -Payload ($body -replace 'P', 'Q') -Signature $signature -SigningSecret $Secret -ErrorVariable failed -ErrorAction SilentlyContinue |
            Should -BeNullOrEmpty
        $failed[0].FullyQualifiedErrorId | Should -Be 'JelouSignatureMismatch,JelouPS.Commands.ConvertFromJelouWebhookEventCommand'
        $failed[0].CategoryInfo.Category | Should -Be 'SecurityError'
    }

    It 'sends replies to one room one after another, in input order, beside another room''s, with -ThrottleLimit' {
        $rooms = New-TestRoom order-a, order-b
        # Every request takes 300 ms to handle: replies sent at once would reach the emulator at once, in any order.
        $sent = Invoke-WithLatency 300 { 1..3 | ForEach-Object { $rooms } | Send-JelouSupportMessage 'in order?' -SigningSecret $Secret -ThrottleLimit 8 -Confirm:$false }
        $arrived = @{}
        Get-Reply | ForEach-Object { $arrived[$_.MessageId] = $_.ArrivedAt }
        function Get-ArrivedAt([string] $MessageId) { $arrived[$MessageId] }

        foreach ($room in $rooms) {
            $receipts = @($sent | Where-Object RoomId -EQ $room.RoomId)
            @(Invoke-JelouEmulatorControl $Emulator 'agent-messages' | Where-Object roomId -EQ $room.RoomId).messageId | Should -Be $receipts.MessageId
            foreach ($i in 1, 2) {
                ((Get-ArrivedAt $receipts[$i].MessageId) - (Get-ArrivedAt $receipts[$i - 1].MessageId)).TotalMilliseconds | Should -BeGreaterOrEqual 300 -Because 'the next reply to a room goes once the one before it is answered'
            }
        }
        $first = @($sent | Select-Object -First 3)
        Get-ArrivedAt $first[1].MessageId | Should -BeLessThan (Get-ArrivedAt $first[2].MessageId) -Because 'the other room''s first reply goes beside the first room''s'
    }

    It 'does not hold another room''s reply behind a run of replies to one room, with -ThrottleLimit 2' {
        $rooms = New-TestRoom run-a, run-b
        $sent = @(Invoke-WithLatency 200 { @($rooms[0]) * 6 + $rooms[1] | Send-JelouSupportMessage 'a run' -SigningSecret $Secret -ThrottleLimit 2 -Confirm:$false })
        $arrived = @(Get-Reply)

        $sent.RoomId | Should -Be (@($rooms[0].RoomId) * 6 + $rooms[1].RoomId)
        $arrived[1].MessageId | Should -Be $sent[6].MessageId -Because 'the other room''s reply goes while the first room''s first is answered'
    }

    It 'sends no reply to a room that was waiting for the one before it once the command stopped: <Case>' -TestCases @(
        @{ Case = 'Select-Object -First 1 had enough'; Fault = $null; Run = { param($replies) $replies | Send-JelouSupportMessage 'one of many' -SigningSecret $Secret -ThrottleLimit 8 -Confirm:$false | Select-Object -First 1 } }
        # As one at a time: the first reply's error ends the command, and the next is never sent.
        @{ Case = 'the first reply''s error, under -ErrorAction Stop'; Fault = @{ method = 'POST'; pathContains = 'external-support/webhook'; status = 500; count = 1 }
           Run = { param($replies) try { $replies | Send-JelouSupportMessage 'one of many' -SigningSecret $Secret -ThrottleLimit 8 -Confirm:$false -ErrorAction Stop } catch { } } }
        # The second input, of another room, is refused before any request; the first room's second reply waited behind it.
        @{ Case = 'an earlier input''s refusal, under -ErrorAction Stop'; Fault = $null
           Run = { param($replies)
               $elsewhere = [pscustomobject]@{ ProjectId = $ProjectId; RoomId = 'another-room'; BotId = 'b'; UserId = 'u'; ApiBaseUri = 'https://other.example.com/jelouapi' }
               try { $replies[0], $elsewhere, $replies[1], $replies[2] | Send-JelouSupportMessage 'one of many' -SigningSecret $Secret -ThrottleLimit 8 -Confirm:$false -ErrorAction Stop } catch { } } }
    ) {
        $room = New-TestRoom stop

        Invoke-WithLatency 200 {
            if ($Fault) { Invoke-JelouEmulatorControl $Emulator 'faults' -Method POST -Body $Fault | Out-Null }
            & $Run @($room, $room, $room, $room) | Out-Null
        }

        # After Select-Object -First, the second may have gone already: it started once the first was answered.
        @(Get-Reply).Count | Should -BeIn $(if ($Fault -or $Case -like '*refusal*') { 1 } else { 1, 2 })
    }

    It 'sends a reply that waited for the one before it to its room once that one is answered, without waiting for more input' {
        # A receiver feeding replies: the next delivery may come much later.
        $room = New-TestRoom feed
        $seen = @{}
        $producer = {
            $room
            $room
            # No more input until both replies reached Jelou (10 s at most).
            $deadline = [DateTime]::UtcNow.AddSeconds(10)
            do { $seen.Replies = @(Get-Reply).Count }
            while ($seen.Replies -lt 2 -and [DateTime]::UtcNow -lt $deadline -and -not [Threading.Thread]::Sleep(20))
        }

        $sent = @(Invoke-WithLatency 200 { & $producer | Send-JelouSupportMessage 'fed' -SigningSecret $Secret -ThrottleLimit 4 -Confirm:$false })

        $seen.Replies | Should -Be 2 -Because 'the second reply went while the input waited'
        $sent.Count | Should -Be 2
    }

    It 'reports a reply refused for its signature as the stale secret it is, and sends the next reply' {
        $other = New-TestProjectId
        New-JelouExternalSupport $other $Receiver.Url -AuthType bearer -WebhookAuthorization 'receiver-token' -Vault LoopVault | Out-Null
        $stale = Start-JelouConversation $other -BotId bot-x -UserId user-x -Confirm:$false
        Receive-TestWebhook $Receiver | Out-Null
        $current = Start-JelouConversation $ProjectId -BotId bot-y -UserId user-y -Confirm:$false
        Receive-TestWebhook $Receiver | Out-Null
        Set-Secret -Name "Jelou-$other" -Secret 'a-secret-from-before-a-rotation' -Vault LoopVault

        $sent = $stale, $current | Send-JelouSupportMessage 'hi' -Vault LoopVault -Confirm:$false -ErrorVariable refused -ErrorAction SilentlyContinue

        @($sent).RoomId | Should -Be $current.RoomId -Because 'a refused signature is non-terminating: the next reply still goes'
        $refused.Count | Should -Be 1
        $refused[0].FullyQualifiedErrorId | Should -Be 'JelouSignatureRejected,JelouPS.Commands.SendJelouSupportMessageCommand'
        $refused[0].CategoryInfo.Category | Should -Be 'SecurityError'
        $refused[0].ErrorDetails.Message | Should -BeLike "Reply to room '$($stale.RoomId)' of project '$other':*"
        $refused[0].ErrorDetails.RecommendedAction | Should -Match 'stale'
        $refused[0].ErrorDetails.RecommendedAction | Should -Not -Match 'API key'
    }

    It 'signs with an explicit -SigningSecret where a profile''s default names a vault, as PowerShell drops a default of another parameter set' {
        $conversation = Start-JelouConversation $ProjectId -BotId bot-d -UserId user-d -Confirm:$false
        Receive-TestWebhook $Receiver | Out-Null
        $PSDefaultParameterValues = @{ '*:Vault' = 'NoSuchVault'; 'Send-Jelou*:SecretName' = 'no-such-name' }

        $sent = $conversation | Send-JelouSupportMessage 'signed as given' -SigningSecret $Secret -Confirm:$false
        $defaultsOnly = try { $conversation | Send-JelouSupportMessage 'signed from the vault' -Confirm:$false } catch { $_ }

        $sent.StatusCode | Should -Be 200
        $defaultsOnly.FullyQualifiedErrorId | Should -BeLike 'JelouVaultNotFound,*' -Because 'without -SigningSecret the defaults still apply'
    }
}

Describe 'Signatures' {
    It 'signs an object the way JSON.stringify serialises it' {
        $object = [ordered]@{ b = 1; a = @('x', $true, $null); text = 'ñ "q" /' }
        $fromObject = Get-JelouWebhookSignature -InputObject $object -SigningSecret $Secret
        $fromText = Get-JelouWebhookSignature -Payload '{"b":1,"a":["x",true,null],"text":"ñ \"q\" /"}' -SigningSecret $Secret
        $fromObject | Should -Be $fromText
        $fromObject | Should -Match '^sha256=[0-9a-f]{64}$'
    }

    It 'returns $false, never an error, for malformed signatures' -ForEach @('', 'sha256=', 'zzz', 'sha256=12') {
        Test-JelouWebhookSignature -Payload '{}' -Signature $_ -SigningSecret $Secret -ErrorAction Stop | Should -BeFalse
    }

    It 'takes a header a host gives as a list: its one value when all agree, else no match' {
        $signature = Get-JelouWebhookSignature -Payload '{}' -SigningSecret $Secret
        Test-JelouWebhookSignature -Payload '{}' -Signature @($signature, $signature) -SigningSecret $Secret -ErrorAction Stop | Should -BeTrue
        Test-JelouWebhookSignature -Payload '{}' -Signature @($signature, 'sha256=00') -SigningSecret $Secret -ErrorAction Stop | Should -BeFalse
        Test-JelouWebhookSignature -Payload '{}' -Signature @{ a = 1 } -SigningSecret $Secret -ErrorAction Stop | Should -BeFalse
        # As HttpListener and request objects give a header received twice: joined with commas.
        Test-JelouWebhookSignature -Payload '{}' -Signature "$signature, $signature" -SigningSecret $Secret | Should -BeTrue
        Test-JelouWebhookSignature -Payload '{}' -Signature "$signature, sha256=00" -SigningSecret $Secret | Should -BeFalse
        Test-JelouWebhookSignature -Request @{ RawBody = '{}'; Headers = @{ 'X-Jelou-Signature' = @($signature, $signature) } } -SigningSecret $Secret | Should -BeTrue
    }
}

Describe 'Send-JelouTestEvent' {
    It 'posts a signed sample <_> event with the integration''s auth header and reports status and latency' -ForEach 'message', 'conversation.start', 'conversation.close' {
        $pending = Start-ThreadJob { param($r) Receive-TestWebhook $r } -ArgumentList $Receiver -InitializationScript ([scriptblock]::Create("Import-Module '$PSScriptRoot/../JelouEmulator.psm1'"))
        $result = Send-JelouTestEvent -WebhookUrl $Receiver.Url -SigningSecret $Secret -EventType $_ -AuthType api_key -WebhookAuthorization 'k-1' -ProjectId $ProjectId -Confirm:$false
        # Not Receive-Job -AutoRemoveJob: with a thread job it can fail to find the job it removes (seen once in CI).
        $delivery = $pending | Wait-Job | Receive-Job
        $pending | Remove-Job -Force

        $result.Succeeded | Should -BeTrue
        $result.StatusCode | Should -Be 200
        $result.Latency | Should -BeOfType [timespan]
        $delivery.ApiKey | Should -Be 'k-1'
        $event = ConvertFrom-JelouWebhookEvent -Payload $delivery.Body -Signature $delivery.Signature -SigningSecret $Secret
        $event.EventName | Should -Be $_
        $event.ProjectId | Should -Be $ProjectId
    }
}

Describe 'Starts in flight when the pipeline stops taking output' {
    It 'are named on the host as carried out, with -ThrottleLimit and Select-Object -First' {
        $users = 1..4 | ForEach-Object { "stop-user-$_-$([guid]::NewGuid().ToString('N').Substring(0, 6))" }
        # Each start is answered after 500 ms: the four are in flight when the first answer ends the pipeline.
        Invoke-JelouEmulatorControl $Emulator 'faults' -Method POST -Body @{ method = 'POST'; pathContains = "$ProjectId/conversations/start"; mangle = 'Intact'; delayMs = 500; count = 4 } | Out-Null
        $script = @"
Import-Module '$(Join-Path $ModulePath 'JelouPS.psd1')'
Connect-Jelou -ApiKey '$($Emulator.ApiKey)' -BaseUri '$($Emulator.GatewayUri)' -ChatbotUri '$($Emulator.ChatbotUri)'
`$first = '$($users -join "','")' | ForEach-Object { [pscustomobject]@{ UserId = `$_ } } |
    Start-JelouConversation '$ProjectId' -BotId bot-stop -ThrottleLimit 4 -Confirm:`$false | Select-Object -First 1
"FIRST `$(`$first.UserId)"
"@
        $run = Invoke-Redirected '-Command', $script

        $run.ExitCode | Should -Be 0 -Because $run.Text
        $run.Text | Should -Match "FIRST $($users[0])" -Because $run.Text
        $run.Text | Should -Match 'WARNING: Start-JelouConversation stopped before writing the outcome of requests it had sent\. 3 were carried out, their output not written' -Because $run.Text
        foreach ($user in $users[1..3]) { $run.Text | Should -Match "user '$user'" -Because $run.Text }
        $run.Text | Should -Not -Match "user '$($users[0])'" -Because 'the first one was written'
        $run.Text | Should -Match 'Do not send them again\.' -Because $run.Text
    }
}

Describe 'Starts in flight when the pipeline stops, some of them failed' {
    It 'names those that may have been carried out apart, once, also under -WarningAction Stop' {
        $users = 1..3 | ForEach-Object { "maybe-user-$_-$([guid]::NewGuid().ToString('N').Substring(0, 6))" }
        # One project a row, so that each row meets its own fault whatever order the requests arrive in: the first answers
        # after 300 ms and ends the pipeline; the others fail 500 after 600 ms, which may have acted.
        $projects = $ProjectId, (New-TestProjectId), (New-TestProjectId)
        Invoke-JelouEmulatorControl $Emulator 'faults' -Method POST -Body @{ method = 'POST'; pathContains = "$($projects[0])/conversations/start"; mangle = 'Intact'; delayMs = 300 } | Out-Null
        foreach ($other in $projects[1..2]) {
            Invoke-JelouEmulatorControl $Emulator 'faults' -Method POST -Body @{ method = 'POST'; pathContains = "$other/conversations/start"; status = 500; delayMs = 600; body = '{"message":"boom"}' } | Out-Null
        }
        $rows = (0..2 | ForEach-Object { "[pscustomobject]@{ ProjectId = '$($projects[$_])'; UserId = '$($users[$_])' }" }) -join ', '
        $script = @"
Import-Module '$(Join-Path $ModulePath 'JelouPS.psd1')'
Connect-Jelou -ApiKey '$($Emulator.ApiKey)' -BaseUri '$($Emulator.GatewayUri)' -ChatbotUri '$($Emulator.ChatbotUri)'
`$first = $rows |
    Start-JelouConversation -BotId bot-maybe -ThrottleLimit 4 -Confirm:`$false -WarningAction Stop | Select-Object -First 1
"FIRST `$(`$first.UserId)"
"@
        $run = Invoke-Redirected '-Command', $script

        $run.ExitCode | Should -Be 0 -Because $run.Text
        $run.Text | Should -Match "FIRST $($users[0])" -Because $run.Text
        [regex]::Matches($run.Text, 'Start-JelouConversation stopped before writing the outcome of requests it had sent').Count | Should -Be 1 -Because "it is said once: $($run.Text)"
        $run.Text | Should -Match '2 failed in a way that may have been carried out: ' -Because $run.Text
        foreach ($user in $users[1..2]) { $run.Text | Should -Match "user '$user'" -Because $run.Text }
        $run.Text | Should -Match 'Check before sending them again\.' -Because $run.Text
    }
}

Describe 'Send-JelouTestEvent to a URL whose query holds a key (Azure Functions'' ?code=)' {
    It 'names the path only, in -Verbose, prompts and errors' {
        $said = Send-JelouTestEvent 'http://127.0.0.1:1/api/jelou?code=FUNCTION-KEY-0123' -SigningSecret $Secret -Confirm:$false -Verbose -ErrorVariable failed -ErrorAction SilentlyContinue 4>&1

        @($said | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }) | Should -Not -BeNullOrEmpty
        $failed | Should -HaveCount 1
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'JelouTestEventFailed,*'
        $shown = ($said | Out-String) + ($failed | Out-String) + $failed[0].CategoryInfo.TargetName + ($failed[0].CategoryInfo | Out-String)
        $shown | Should -Match '127\.0\.0\.1:1/api/jelou' -Because 'the path is named'
        $shown | Should -Not -Match 'FUNCTION-KEY-0123'
    }
}
