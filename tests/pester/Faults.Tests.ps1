# The module against a faulty network and a faulty API (the emulator's faults): every signing secret Jelou issued
# reaches the user's vault and works, nothing unsafe is sent twice, and each send and retry is a -Verbose line.
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-Module (Join-Path $PSScriptRoot '../modules/Microsoft.PowerShell.SecretManagement') -Force
    Reset-StandInSecretStore
    Register-StandInVault -Name FaultVault
    $Emulator = Start-JelouEmulator -EmulatorDll $EmulatorDll
    Connect-Jelou -ApiKey $Emulator.ApiKey -BaseUri $Emulator.GatewayUri -ChatbotUri $Emulator.ChatbotUri -TimeoutSec 5

    function Add-Fault([hashtable] $Fault) { Invoke-JelouEmulatorControl $Emulator 'faults' -Method POST -Body $Fault | Out-Null }
    # Answers now what a fault's long delayMs holds back: the test decides when, rather than guessing a delay long enough.
    function Invoke-Release { Invoke-JelouEmulatorControl $Emulator 'faults/release' -Method POST | Out-Null }
    # Runs $Script (given this session's connection as $Context, then $Arguments) in another runspace of this process, with
    # this module and this one's stand-in vaults (real vaults are the user's, in any runspace). Once $Ready holds, this
    # runspace does $Meanwhile; then what the emulator holds back is let go. Returns both runspaces' output (Other, Here).
    function Invoke-Beside([string] $Script, [object[]] $Arguments, [scriptblock] $Ready, [string] $Awaited, [scriptblock] $Meanwhile) {
        $other = [powershell]::Create()
        $null = $other.AddScript("Import-Module '$(Join-Path $ModulePath 'JelouPS.psd1')'").AddStatement().
            AddScript('param($SecretManagement) Import-Module -ModuleInfo $SecretManagement').AddArgument((Get-Module Microsoft.PowerShell.SecretManagement)).AddStatement().
            AddScript($Script).AddArgument((Get-JelouContext))
        foreach ($argument in $Arguments) { $null = $other.AddArgument($argument) }
        $running = $other.BeginInvoke()
        try {
            $deadline = [DateTime]::UtcNow.AddSeconds(30)
            while (-not (& $Ready)) {
                if ([DateTime]::UtcNow -gt $deadline) { throw "$Awaited did not happen within 30 s." }
                [System.Threading.Thread]::Sleep(20)
            }
            $here = & $Meanwhile
            Invoke-Release
            [pscustomobject]@{ Other = $other.EndInvoke($running); Here = $here }
        }
        finally {
            Invoke-Release
            $other.Dispose()
        }
    }
    function Get-Arrivals([string] $Method, [string] $PathEnd) {
        @(Invoke-JelouEmulatorControl $Emulator 'requests' | Where-Object { $_.method -eq $Method -and $_.path -like "*$PathEnd" }).Count
    }
    # The stored secret works: Jelou accepts a reply signed with it.
    function Assert-StoredSecretWorks([string] $ProjectId) {
        $conversation = Start-JelouConversation $ProjectId -BotId b -UserId u -Confirm:$false
        $receipt = $conversation | Send-JelouSupportMessage 'signed with the stored secret' -Vault FaultVault -Confirm:$false
        $receipt.StatusCode | Should -Be 200
    }
}

AfterAll {
    Disconnect-Jelou
    $Emulator | Stop-JelouEmulator
}

Describe 'A signing secret that arrived is never lost' {
    It 'stores the secret of a create whose answer is <Mangle>, and reports the failure with the integration' -ForEach @(
        @{ Mangle = 'CutAfterSecret'; ErrorId = 'JelouInvalidResponse' }
        @{ Mangle = 'ResetAfterSecret'; ErrorId = 'JelouConnectionFailed' }
        @{ Mangle = 'TrailingBytes'; ErrorId = 'JelouInvalidResponse' }
        @{ Mangle = 'ArrayRoot'; ErrorId = 'JelouInvalidResponse' }
        @{ Mangle = 'OversizedAfterSecret'; ErrorId = 'JelouInvalidResponse' }
    ) {
        $projectId = New-TestProjectId
        Add-Fault @{ method = 'POST'; pathContains = $projectId; mangle = $Mangle }

        $created = New-JelouExternalSupport $projectId https://crm.example.com/j -Vault FaultVault -ErrorVariable failed -ErrorAction SilentlyContinue

        $created.ProjectId | Should -Be $projectId
        $created.SecretVault | Should -Be 'FaultVault'
        $failed.Count | Should -Be 1
        $failed[0].FullyQualifiedErrorId | Should -Be "$ErrorId,JelouPS.Commands.NewJelouExternalSupportCommand"
        $failed[0].TargetObject | Should -Be $created
        $failed[0].ErrorDetails.Message | Should -Match 'The signing secret did arrive'
        Get-Arrivals 'POST' $projectId | Should -Be 1
        Assert-StoredSecretWorks $projectId
    }

    It 'stores the secret of a rotation whose connection resets after it, under $ErrorActionPreference = ''Stop''' {
        $projectId = New-TestProjectId
        New-JelouExternalSupport $projectId https://crm.example.com/j -Vault FaultVault | Out-Null
        Add-Fault @{ method = 'POST'; pathContains = "$projectId/secret"; mangle = 'ResetAfterSecret' }

        $caught = & { $ErrorActionPreference = 'Stop'; try { Reset-JelouExternalSupportSecret $projectId -Vault FaultVault -Force | Out-Null } catch { $_ } }

        $caught.FullyQualifiedErrorId | Should -Be 'JelouConnectionFailed,JelouPS.Commands.ResetJelouExternalSupportSecretCommand'
        $caught.TargetObject.SecretVault | Should -Be 'FaultVault'
        Assert-StoredSecretWorks $projectId
    }
}

Describe 'A signing secret the session holds, quoted by an error answer to another call' {
    It 'is redacted: <Case>' -TestCases @(
        @{ Case = 'a rotation refused with the current secret in its message'; Method = 'POST'; Path = 'secret'; Status = 409; Command = { [CmdletBinding()] param($p) Reset-JelouExternalSupportSecret $p -Force -TimeoutSec 1 } }
        @{ Case = 'a read whose 500 dumps the project''s record'; Method = 'GET'; Path = ''; Status = 500; Command = { [CmdletBinding()] param($p) Get-JelouExternalSupport $p -TimeoutSec 1 } }
    ) {
        $projectId = New-TestProjectId
        $created = New-JelouExternalSupport $projectId https://crm.example.com/j -WarningAction SilentlyContinue
        $secret = [System.Net.NetworkCredential]::new('', $created.SigningSecret).Password
        $body = @{ message = "refused: signingSecret=$secret for $projectId" } | ConvertTo-Json -Compress
        Add-Fault @{ method = $Method; pathContains = "$projectId/$Path".TrimEnd('/'); status = $Status; body = $body; count = 5 }

        # -TimeoutSec 1 leaves no time to retry the read's 500.
        & $Command $projectId -ErrorVariable failed -ErrorAction SilentlyContinue | Out-Null

        "$($failed[0])" | Should -BeLike "*refused: signingSecret=REDACTED for $projectId*"
        ($failed | Out-String) + $failed[0].Exception.ApiMessage + $failed[0].ErrorDetails.Message | Should -Not -BeLike "*$secret*"
    }
}

Describe 'Another project''s signing secret, dumped by an error answer about one project' {
    It 'is redacted in a session that holds a few hundred secrets or fewer' {
        # A fresh process: this one's session may hold more than that, after the suites before it.
        $read, $dumped = (New-TestProjectId), (New-TestProjectId)
        $script = @"
Import-Module '$(Join-Path $ModulePath 'JelouPS.psd1')'
Connect-Jelou -ApiKey '$($Emulator.ApiKey)' -BaseUri '$($Emulator.GatewayUri)' -TimeoutSec 1
`$made = New-JelouExternalSupport '$read', '$dumped' https://crm.example.com/j -WarningAction SilentlyContinue
`$secret = [System.Net.NetworkCredential]::new('', `$made[1].SigningSecret).Password
`$fault = @{ method = 'GET'; pathContains = '$read'; status = 500; count = 5; body = (@{ message = "dump $dumped `$secret" } | ConvertTo-Json -Compress) } | ConvertTo-Json -Compress
Invoke-RestMethod '$($Emulator.BaseAddress)_emulator/faults' -Method Post -Body `$fault -ContentType application/json | Out-Null
Get-JelouExternalSupport '$read' -ErrorVariable failed -ErrorAction SilentlyContinue
"MESSAGE `$(`$failed[0].Exception.Message)"
"SHOWN `$((`$failed | Out-String).Contains(`$secret) -or `$failed[0].Exception.ApiMessage.Contains(`$secret))"
"@
        $run = Invoke-Redirected '-Command', $script

        $run.ExitCode | Should -Be 0 -Because $run.Text
        $run.Text | Should -BeLike "*MESSAGE *dump $dumped REDACTED*" -Because $run.Text
        $run.Text | Should -BeLike '*SHOWN False*' -Because $run.Text
    }
}

Describe 'A rotation that brought back no secret' {
    It 'is recorded, and the secret kept from before is not saved as if current' {
        $projectId = New-TestProjectId
        New-JelouExternalSupport $projectId https://crm.example.com/j | Out-Null
        Add-Fault @{ method = 'POST'; pathContains = "$projectId/secret"; mangle = 'HtmlBody' }

        Reset-JelouExternalSupportSecret $projectId -Force -ErrorVariable failed -ErrorAction SilentlyContinue | Out-Null
        $JelouUnsavedIntegrations | Where-Object ProjectId -eq $projectId | Save-JelouSigningSecret -Vault FaultVault -ErrorVariable refused -ErrorAction SilentlyContinue

        $failed[0].FullyQualifiedErrorId | Should -BeLike 'JelouInvalidResponse,*'
        ($JelouUnknownOutcomes | Where-Object ProjectId -eq $projectId).Command | Should -Be 'Reset-JelouExternalSupportSecret'
        $refused[0].FullyQualifiedErrorId | Should -BeLike 'JelouSecretMayBeReplaced,*'
        $refused[0].ErrorDetails.RecommendedAction | Should -Match "Reset-JelouExternalSupportSecret '$projectId'"
        ($JelouUnsavedIntegrations | Where-Object ProjectId -eq $projectId).SecretLocation | Should -Be 'may be dead: possibly rotated since' -Because 'its view must not say "store it now" while Save refuses it'
        Get-StandInSecret -Vault FaultVault -Name "Jelou-$projectId" | Should -BeNullOrEmpty

        # Rotating again settles it: the new secret is the one kept, and it is saved.
        Reset-JelouExternalSupportSecret $projectId -Force | Save-JelouSigningSecret -Vault FaultVault
        Assert-StoredSecretWorks $projectId
    }

    It 'makes a reply signed with the vault''s copy warn that it may no longer work' {
        $projectId = New-TestProjectId
        New-JelouExternalSupport $projectId https://crm.example.com/j -Vault FaultVault | Out-Null
        $conversation = Start-JelouConversation $projectId -BotId b -UserId u -Confirm:$false
        Add-Fault @{ method = 'POST'; pathContains = "$projectId/secret"; mangle = 'HtmlBody' }
        Reset-JelouExternalSupportSecret $projectId -Force -Vault FaultVault -ErrorAction SilentlyContinue | Out-Null

        $conversation | Send-JelouSupportMessage 'hi' -Vault FaultVault -Confirm:$false -WarningVariable doubted -WarningAction SilentlyContinue -ErrorAction SilentlyContinue | Out-Null

        "$doubted" | Should -BeLike "A rotation of $projectId sent at * brought back no secret: the signing secret of $projectId read from vault 'FaultVault'* may no longer work*Reset-JelouExternalSupportSecret '$projectId'*"
    }
}

Describe 'A create or rotation whose answer never came' {
    It 'stays recorded when a read finds the integration, with a warning to get a secret, and a retried create says the same; a rotation settles it' {
        $projectId = New-TestProjectId
        Add-Fault @{ method = 'POST'; pathContains = $projectId; mangle = 'Intact'; closeWithoutAnswer = $true }
        New-JelouExternalSupport $projectId https://crm.example.com/j -ErrorAction SilentlyContinue | Out-Null

        $found = Get-JelouExternalSupport $projectId -WarningVariable warned -WarningAction SilentlyContinue
        New-JelouExternalSupport $projectId https://crm.example.com/j -ErrorVariable conflict -ErrorAction SilentlyContinue

        $found.ProjectId | Should -Be $projectId
        "$warned" | Should -Match "New-JelouExternalSupport sent at .* brought back no secret: that create was most likely carried out, and its signing secret never arrived\. Get one you hold with Reset-JelouExternalSupportSecret '$projectId'"
        ($JelouUnknownOutcomes | Where-Object ProjectId -eq $projectId).Command | Should -Be 'New-JelouExternalSupport'
        $conflict[0].FullyQualifiedErrorId | Should -BeLike 'JelouConflict,*'
        $conflict[0].ErrorDetails.RecommendedAction | Should -Match "its signing secret never arrived\. Get one you hold with Reset-JelouExternalSupportSecret '$projectId'"

        Reset-JelouExternalSupportSecret $projectId -Force | Out-Null
        $JelouUnknownOutcomes | Where-Object ProjectId -eq $projectId | Should -BeNullOrEmpty
    }

    It 'gives advice that repeats the command''s -Vault and -SecretName, in the error, the record, the read''s warning and the retried create''s error' {
        $projectId = New-TestProjectId
        Add-Fault @{ method = 'POST'; pathContains = $projectId; mangle = 'Intact'; closeWithoutAnswer = $true }
        New-JelouExternalSupport $projectId https://crm.example.com/j -Vault FaultVault -SecretName "crm-$projectId" -ErrorVariable lost -ErrorAction SilentlyContinue | Out-Null

        Get-JelouExternalSupport $projectId -WarningVariable warned -WarningAction SilentlyContinue | Out-Null
        New-JelouExternalSupport $projectId https://crm.example.com/j -ErrorVariable conflict -ErrorAction SilentlyContinue

        $again = "Reset-JelouExternalSupportSecret '$projectId' -Force -Vault 'FaultVault' -SecretName 'crm-$projectId'"
        $lost[0].FullyQualifiedErrorId | Should -BeLike 'JelouOutcomeUnknown,*'
        $lost[0].ErrorDetails.RecommendedAction | Should -BeLike "*Reset-JelouExternalSupportSecret '$projectId' -Force -Vault 'FaultVault' -SecretName 'crm-$projectId'*"
        ($JelouUnknownOutcomes | Where-Object ProjectId -eq $projectId).Check | Should -BeLike "*-Vault 'FaultVault' -SecretName 'crm-$projectId'*"
        "$warned" | Should -BeLike "*$again;*"
        $conflict[0].ErrorDetails.RecommendedAction | Should -BeLike "*$again."
        "$lost $warned $($conflict[0].ErrorDetails.RecommendedAction)" | Should -Not -BeLike '*<vault>*'
    }

    It 'quotes an id holding a typographic apostrophe so that its advice, pasted, names that project' {
        $projectId = "o$([char]0x2019)brien-$(New-TestProjectId)"
        Add-Fault @{ method = 'POST'; pathContains = ($projectId -split '-', 2)[1]; mangle = 'Intact'; closeWithoutAnswer = $true }
        New-JelouExternalSupport $projectId https://crm.example.com/j -ErrorVariable lost -ErrorAction SilentlyContinue | Out-Null

        $line = [regex]::Match($lost[0].ErrorDetails.RecommendedAction, 'Reset-JelouExternalSupportSecret .*? -Force').Value
        $tokens = $errors = $null
        $ast = [System.Management.Automation.Language.Parser]::ParseInput($line, [ref] $tokens, [ref] $errors)

        $errors | Should -BeNullOrEmpty
        $ast.EndBlock.Statements[0].PipelineElements[0].CommandElements[1].Value | Should -BeExactly $projectId
    }

    It 'gives the same advice when the answer came but brought no secret (200 with an empty object)' {
        $projectId = New-TestProjectId
        Add-Fault @{ method = 'POST'; pathContains = $projectId; mangle = 'EmptyObject' }
        New-JelouExternalSupport $projectId https://crm.example.com/j -Vault FaultVault -ErrorVariable lost -ErrorAction SilentlyContinue | Out-Null

        Get-JelouExternalSupport $projectId -WarningVariable warned -WarningAction SilentlyContinue | Out-Null

        $lost[0].ErrorDetails.RecommendedAction | Should -BeLike "Check with Get-JelouExternalSupport '$projectId'*Reset-JelouExternalSupportSecret '$projectId' -Force -Vault 'FaultVault'.*"
        ($JelouUnknownOutcomes | Where-Object ProjectId -eq $projectId).Check | Should -Be $lost[0].ErrorDetails.RecommendedAction
        "$warned" | Should -BeLike "* brought back no secret: that create was most likely carried out*"
    }

    It 'says when the create was sent, not when it was given up: the integration it made is not older' {
        $projectId = New-TestProjectId
        # Jelou creates it, then answers too late for the command's time limit.
        Add-Fault @{ method = 'POST'; pathContains = $projectId; mangle = 'Intact'; delayMs = 3000 }
        New-JelouExternalSupport $projectId https://crm.example.com/j -TimeoutSec 1 -ErrorAction SilentlyContinue | Out-Null

        $integration = Get-JelouExternalSupport $projectId -WarningVariable warned -WarningAction SilentlyContinue
        $outcome = $JelouUnknownOutcomes | Where-Object ProjectId -eq $projectId

        $outcome.At | Should -BeLessOrEqual $integration.CreatedAt.AddMilliseconds(50)
        "$warned" | Should -BeLike "The integration of $projectId exists (created $($integration.CreatedAt.ToString('u')) by Jelou's clock), and New-JelouExternalSupport sent at $($outcome.At.ToString('u')) brought back no secret*"
    }

    It 'is settled by a read that finds the integration older than the create: that create changed nothing' {
        $projectId = New-TestProjectId
        Add-Fault @{ method = 'POST'; pathContains = $projectId; mangle = 'Intact'; closeWithoutAnswer = $true }
        New-JelouExternalSupport $projectId https://crm.example.com/j -ErrorAction SilentlyContinue | Out-Null
        # The read's answer as the API gives it, but created two hours ago.
        $answer = Invoke-RestMethod "$($Emulator.GatewayUri)/v1/external-support/$projectId" -Headers @{ 'x-api-key' = $Emulator.ApiKey }
        $answer.data.createdAt = [DateTimeOffset]::UtcNow.AddHours(-2).ToString('o')
        Add-Fault @{ method = 'GET'; pathContains = $projectId; status = 200; body = ($answer | ConvertTo-Json -Depth 5 -Compress) }

        Get-JelouExternalSupport $projectId -WarningVariable warned -WarningAction SilentlyContinue | Out-Null

        $warned | Should -BeNullOrEmpty
        $JelouUnknownOutcomes | Where-Object ProjectId -eq $projectId | Should -BeNullOrEmpty
    }

    It 'is settled by a read that finds no integration: the create did not take' {
        $projectId = New-TestProjectId
        Add-Fault @{ method = 'POST'; pathContains = $projectId; closeWithoutAnswer = $true }
        New-JelouExternalSupport $projectId https://crm.example.com/j -ErrorAction SilentlyContinue | Out-Null
        ($JelouUnknownOutcomes | Where-Object ProjectId -eq $projectId).Command | Should -Be 'New-JelouExternalSupport'

        Get-JelouExternalSupport $projectId -ErrorAction SilentlyContinue

        $JelouUnknownOutcomes | Where-Object ProjectId -eq $projectId | Should -BeNullOrEmpty
    }
}

Describe 'Nothing unsafe is sent twice' {
    It 'sends a rotation whose connection closes unanswered once, and records it as an unknown outcome' {
        $projectId = New-TestProjectId
        New-JelouExternalSupport $projectId https://crm.example.com/j -Vault FaultVault | Out-Null
        Add-Fault @{ method = 'POST'; pathContains = "$projectId/secret"; mangle = 'Intact'; closeWithoutAnswer = $true }

        $verbose = Reset-JelouExternalSupportSecret $projectId -Force -ErrorVariable failed -ErrorAction SilentlyContinue -Verbose 4>&1

        Get-Arrivals 'POST' "$projectId/secret/regenerate" | Should -Be 1
        @($verbose | Where-Object { "$_" -like "POST *$projectId/secret/regenerate*" -and "$_" -notmatch 'answered' }).Count | Should -Be 1
        $failed[0].FullyQualifiedErrorId | Should -Be 'JelouOutcomeUnknown,JelouPS.Commands.ResetJelouExternalSupportSecretCommand'
        $failed[0].ErrorDetails.RecommendedAction | Should -Match "Reset-JelouExternalSupportSecret '$projectId' -Force"
        ($JelouUnknownOutcomes | Where-Object ProjectId -eq $projectId).Command | Should -Be 'Reset-JelouExternalSupportSecret'
    }

    It 'retries a delete whose connection closes, each send a -Verbose line' {
        $projectId = New-TestProjectId
        New-JelouExternalSupport $projectId https://crm.example.com/j | Out-Null
        Add-Fault @{ method = 'DELETE'; pathContains = $projectId; closeWithoutAnswer = $true }

        $verbose = Remove-JelouExternalSupport $projectId -Force -Verbose 4>&1

        Get-Arrivals 'DELETE' $projectId | Should -Be 2
        @($verbose | Where-Object { "$_" -like "DELETE *$projectId*" -and "$_" -notmatch 'answered|; ' }).Count | Should -Be 2
        @($verbose | Where-Object { "$_" -match 'the connection broke; retry 1 of 3' }).Count | Should -Be 1
    }

    It 'counts a delete as done when its answer was lost and its retry finds nothing, and removes the stored secret' {
        $projectId = New-TestProjectId
        New-JelouExternalSupport $projectId https://crm.example.com/j -Vault FaultVault | Out-Null
        Add-Fault @{ method = 'DELETE'; pathContains = $projectId; mangle = 'Intact'; status = 502; retryAfter = '0' }

        Remove-JelouExternalSupport $projectId -Vault FaultVault -Force -ErrorVariable failed -ErrorAction SilentlyContinue

        $failed.Count | Should -Be 0
        Get-Arrivals 'DELETE' $projectId | Should -Be 2
        Get-StandInSecret -Vault FaultVault -Name "Jelou-$projectId" | Should -BeNullOrEmpty
    }

    It 'says nothing was sent when the connection is refused' {
        $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
        $listener.Start(); $port = $listener.LocalEndpoint.Port; $listener.Stop()
        $closed = Connect-Jelou -ApiKey $Emulator.ApiKey -BaseUri "http://127.0.0.1:$port/jelouapi" -MaximumRetryCount 0 -PassThru
        Connect-Jelou -ApiKey $Emulator.ApiKey -BaseUri $Emulator.GatewayUri -ChatbotUri $Emulator.ChatbotUri -TimeoutSec 5

        New-JelouExternalSupport (New-TestProjectId) https://crm.example.com/j -Context $closed -ErrorVariable failed -ErrorAction SilentlyContinue

        $failed[0].FullyQualifiedErrorId | Should -BeLike 'JelouConnectionFailed,*'
        $failed[0].ErrorDetails.Message | Should -Match 'Nothing was sent'
        $failed[0].ErrorDetails.Message | Should -Not -Match 'may have issued'
    }
}

Describe 'One connection from many threads' {
    It 'serves ForEach-Object -Parallel and a thread job at the same time, each with its own -ThrottleLimit' {
        $context = Get-JelouContext
        $modulePath = Join-Path $ModulePath 'JelouPS.psd1'
        $ids = 1..24 | ForEach-Object { New-TestProjectId }
        Invoke-JelouEmulatorControl $Emulator 'latency' -Method PUT -Body @{ ms = 20 } | Out-Null
        try {
            $job = Start-ThreadJob {
                param($context, $ids, $modulePath)
                Import-Module $modulePath
                $ids | New-JelouExternalSupport -WebhookUrl https://crm.example.com/j -Context $context -ThrottleLimit 4
            } -ArgumentList $context, $ids[0..11], $modulePath
            $parallel = $ids[12..23] | ForEach-Object -ThrottleLimit 3 -Parallel {
                Import-Module $using:modulePath
                $_ | New-JelouExternalSupport -WebhookUrl https://crm.example.com/j -Context $using:context -ThrottleLimit 2
            }
            $threaded = $job | Wait-Job | Receive-Job
            $job | Remove-Job
        }
        finally {
            Invoke-JelouEmulatorControl $Emulator 'latency' -Method PUT -Body @{ ms = 0 } | Out-Null
        }

        $threaded.ProjectId | Should -Be $ids[0..11]
        @($parallel).Count | Should -Be 12
        foreach ($id in $ids) {
            Get-Arrivals 'POST' $id | Should -Be 1
            $JelouUnsavedIntegrations.ProjectId | Should -Contain $id
        }
        # Each kept secret is its project's: a reply signed with it is accepted.
        $kept = $JelouUnsavedIntegrations | Where-Object ProjectId -eq $ids[5]
        $conversation = Start-JelouConversation $ids[5] -BotId b -UserId u -Confirm:$false
        ($conversation | Send-JelouSupportMessage 'from a thread job' -SigningSecret $kept.SigningSecret -Confirm:$false).StatusCode | Should -Be 200
    }
}

Describe 'Creates, rotations and deletes of one project at once' {
    BeforeAll {
        # How many of the project's kept secrets Jelou accepts a reply signed with.
        function Get-LiveKeptCount([string] $ProjectId) {
            $conversation = Start-JelouConversation $ProjectId -BotId b -UserId "u-$([guid]::NewGuid().ToString('N'))" -Confirm:$false
            @($JelouUnsavedIntegrations | Where-Object ProjectId -EQ $ProjectId | ForEach-Object {
                    $conversation | Send-JelouSupportMessage 'which one is live?' -SigningSecret $_.SigningSecret -Confirm:$false -ErrorAction SilentlyContinue
                }).Count
        }

        # Another runspace rotates a slow project and $projectId with -ThrottleLimit 2, the slow one's answer held back: the
        # answer for $projectId arrives at once and waits to be settled, in input order. Once it arrived (kept until stored),
        # this runspace does $Meanwhile (which sees $projectId). Returns the projects and the other runspace's output.
        function Invoke-RotationBehindSlowInput([scriptblock] $Meanwhile) {
            $slow = New-TestProjectId
            $projectId = New-TestProjectId
            New-JelouExternalSupport $slow https://crm.example.com/j -Vault FaultVault | Out-Null
            New-JelouExternalSupport $projectId https://crm.example.com/j -Vault FaultVault | Out-Null
            Add-Fault @{ method = 'POST'; pathContains = "$slow/secret"; mangle = 'Intact'; delayMs = 600000 }
            $beside = Invoke-Beside 'param($Context, $Ids) Reset-JelouExternalSupportSecret $Ids -ThrottleLimit 2 -Force -Vault FaultVault -Context $Context 3>&1' (, @($slow, $projectId)) `
                -Ready { $JelouUnsavedIntegrations | Where-Object ProjectId -EQ $projectId } -Awaited 'The rotation' -Meanwhile $Meanwhile
            [pscustomobject]@{ Slow = $slow; ProjectId = $projectId; Output = $beside.Other }
        }
    }

    # A clean delete forgets what crossing left in the process's lists, which the other test files read.
    AfterEach {
        Remove-JelouExternalSupport $projectId -Force -ErrorAction SilentlyContinue
    }

    It 'keeps both secrets of two rotations that crossed in two runspaces, and says which one is live is unknown' {
        $projectId = New-TestProjectId
        New-JelouExternalSupport $projectId https://crm.example.com/j | Out-Null
        # The other runspace's rotation is answered 2 s late: this one's, sent meanwhile, is carried out after it and answers first.
        Add-Fault @{ method = 'POST'; pathContains = "$projectId/secret"; mangle = 'Intact'; delayMs = 2000 }
        $beside = Invoke-Beside 'param($Context, $ProjectId) Reset-JelouExternalSupportSecret $ProjectId -Force -Context $Context 3>&1' $projectId `
            -Ready { (Get-Arrivals 'POST' "$projectId/secret/regenerate") -ge 1 } -Awaited 'The first rotation' `
            -Meanwhile { Reset-JelouExternalSupportSecret $projectId -Force 3>&1 }
        $rotated = @($beside.Here; $beside.Other) | Where-Object ProjectId -EQ $projectId
        $crossed = @($beside.Here; $beside.Other) | Where-Object { $_ -is [System.Management.Automation.WarningRecord] }

        $rotated.Count | Should -Be 2
        @($crossed | Where-Object { "$_" -like '*in flight at the same time*which signing secret is live is unknown*' }).Count | Should -Be 2
        @($JelouUnsavedIntegrations | Where-Object ProjectId -EQ $projectId).Count | Should -Be 2
        Get-LiveKeptCount $projectId | Should -Be 1
        # Nor is either stored as if it were the live one.
        $JelouUnsavedIntegrations | Where-Object ProjectId -EQ $projectId | Save-JelouSigningSecret -Vault FaultVault -ErrorVariable refused -ErrorAction SilentlyContinue
        @($refused).Count | Should -Be 2
        $refused | ForEach-Object { $_.FullyQualifiedErrorId | Should -BeLike 'JelouSecretMayBeReplaced,*' }
        $refused[0].ErrorDetails.RecommendedAction | Should -BeLike "*Reset-JelouExternalSupportSecret '$projectId' -Force -Vault 'FaultVault'.*" -Because 'the advice repeats the command''s vault'
        Get-SecretInfo -Vault FaultVault -Name "Jelou-$projectId" | Should -BeNullOrEmpty
        # With -Force, one is stored (the one the caller vouches for); a second of the project in one command never is.
        $JelouUnsavedIntegrations | Where-Object ProjectId -EQ $projectId | Save-JelouSigningSecret -Vault FaultVault -Force -ErrorVariable second -ErrorAction SilentlyContinue
        @($second).Count | Should -Be 1
        "$($second[0])" | Should -BeLike '*already stored a signing secret*'
        $second[0].ErrorDetails.RecommendedAction | Should -BeLike "*Save-JelouSigningSecret -Force -Vault 'FaultVault';*"
        @($JelouUnsavedIntegrations | Where-Object ProjectId -EQ $projectId | Where-Object SecretVault).Count | Should -Be 1
    }

    It 'sends the creates, rotations and deletes of a project that comes twice in one command one after the other, with -ThrottleLimit' {
        $projectId = New-TestProjectId
        # Each first request of the project is answered late: sent together, the second would reach Jelou before that answer.
        function Invoke-Twice([string] $Method, [string] $PathEnd, [scriptblock] $Command, [int] $Count = 2) {
            Add-Fault @{ method = $Method; pathContains = $projectId; mangle = 'Intact'; delayMs = 500 }
            Invoke-JelouEmulatorControl $Emulator 'requests' -Method DELETE | Out-Null
            $output = & $Command 3>&1 2>&1
            $sent = @(Invoke-JelouEmulatorControl $Emulator 'requests' | Where-Object { $_.method -eq $Method -and $_.path -like "*$PathEnd" } | ForEach-Object { [DateTimeOffset] $_.receivedAt })
            $sent.Count | Should -Be $Count
            if ($Count -eq 2) { ($sent[1] - $sent[0]).TotalMilliseconds | Should -BeGreaterOrEqual 500 -Because 'the second is sent once the first is answered' }
            $output | Where-Object { $_ -is [System.Management.Automation.WarningRecord] } | Should -BeNullOrEmpty -Because 'nothing crossed'
            $output | Where-Object { $_ -isnot [System.Management.Automation.WarningRecord] }
        }

        # As one at a time: the second is decided once the first stored its secret, which it does not replace without -Force.
        $created, $refused = Invoke-Twice 'POST' $projectId -Count 1 { $projectId, $projectId | New-JelouExternalSupport -WebhookUrl https://crm.example.com/j -Vault FaultVault -ThrottleLimit 2 -ErrorAction Continue }
        $created.ProjectId | Should -Be $projectId
        $refused.FullyQualifiedErrorId | Should -BeLike 'JelouSecretExists,*'
        $created.SecretLocation | Should -Be "Jelou-$projectId in vault FaultVault"

        $rotated = Invoke-Twice 'POST' "$projectId/secret/regenerate" { $projectId, $projectId | Reset-JelouExternalSupportSecret -Force -Vault FaultVault -ThrottleLimit 2 -ErrorAction Continue }
        $rotated.SecretLocation | Should -Be 'dead: Jelou no longer accepts it', "Jelou-$projectId in vault FaultVault"
        Assert-StoredSecretWorks $projectId
        $JelouUnsavedIntegrations | Where-Object ProjectId -EQ $projectId | Should -BeNullOrEmpty

        $missing = Invoke-Twice 'DELETE' $projectId { $projectId, $projectId | Remove-JelouExternalSupport -Force -Vault FaultVault -ThrottleLimit 2 -ErrorAction Continue }
        $missing.FullyQualifiedErrorId | Should -BeLike 'JelouNotFound,*'
        Get-SecretInfo -Vault FaultVault -Name "Jelou-$projectId" | Should -BeNullOrEmpty
    }

    It 'decides a project''s second rotation in one command once the first is done, as one at a time: <Case>' -ForEach @(
        @{ Case = 'a stop on the first one''s output sends no second'; Sent = 1 }
        @{ Case = 'a failed vault write of the first one issues no second'; Sent = 1 }
        @{ Case = 'the second one''s warning names the copy the first one stored'; Sent = 2 }
    ) {
        $projectId = New-TestProjectId
        Register-StandInVault -Name OneAtATime -Force
        New-JelouExternalSupport $projectId https://crm.example.com/j -Vault OneAtATime | Out-Null
        Invoke-JelouEmulatorControl $Emulator 'requests' -Method DELETE | Out-Null
        # The first rotation is answered late: the second row is read, and would be decided, while it is in flight.
        Add-Fault @{ method = 'POST'; pathContains = "$projectId/secret"; mangle = 'Intact'; delayMs = 500 }
        $rotate = @{ Force = $true; Vault = 'OneAtATime'; ThrottleLimit = 4 }

        switch -Wildcard ($Case) {
            'a stop*' {
                { $projectId, $projectId | Reset-JelouExternalSupportSecret @rotate | ForEach-Object { throw 'downstream failure' } } | Should -Throw 'downstream failure'
                Get-Secret -Vault OneAtATime -Name "Jelou-$projectId" | Should -Not -BeNullOrEmpty
            }
            'a failed*' {
                Set-StandInVaultBehavior -Name OneAtATime -FailWrites
                $projectId, $projectId | Reset-JelouExternalSupportSecret @rotate -ErrorVariable failed -ErrorAction SilentlyContinue | Out-Null
                $failed.FullyQualifiedErrorId | ForEach-Object { ($_ -split ',')[0] } | Should -Be 'JelouVaultWriteFailed', 'JelouVaultUnavailable'
                "$($failed[1])" | Should -BeLike '*Nothing was sent to Jelou.*'
                @($JelouUnsavedIntegrations | Where-Object ProjectId -EQ $projectId).SecretLocation | Should -Be 'in SigningSecret only: store it now'
            }
            'the second*' {
                $rows = 'Alpha', 'Beta' | ForEach-Object { [pscustomobject]@{ ProjectId = $projectId; SecretName = "$_-$projectId" } }
                $rows | Reset-JelouExternalSupportSecret @rotate -WarningVariable warned -WarningAction SilentlyContinue | Out-Null
                "$($warned[1])" | Should -BeLike "*also holds 'Alpha-$projectId', 'Jelou-$projectId', signing secrets of $projectId*those copies no longer work (remove them with Remove-Secret)."
            }
        }
        @(Invoke-JelouEmulatorControl $Emulator 'requests' | Where-Object { $_.method -eq 'POST' -and $_.path -like "*$projectId/secret/regenerate" }).Count | Should -Be $Sent
    }

    It 'says what an input says before its request in input order, and under Stop ends the command before any later request, as one at a time: <Case>' -ForEach @(
        @{ Case = 'a project named again after a failed one' }
        @{ Case = 'an error before a request' }
        @{ Case = 'a warning before a request' }
    ) {
        $first, $second, $third = 1..3 | ForEach-Object { New-TestProjectId }
        $projectId = $first
        Register-StandInVault -Name InTurn -Force
        # The first input's request is answered late: the later inputs are read while it is in flight.
        Add-Fault @{ method = 'POST'; pathContains = $first; mangle = 'Intact'; delayMs = 800 }
        switch -Wildcard ($Case) {
            'a project*' {
                $first, $second | New-JelouExternalSupport -WebhookUrl https://crm.example.com/j -Vault InTurn | Out-Null
                Add-Fault @{ method = 'POST'; pathContains = "$first/secret"; mangle = 'Intact'; delayMs = 800 }
                Add-Fault @{ method = 'POST'; pathContains = "$second/secret"; status = 403; body = '{"message":"Forbidden"}' }
                Invoke-JelouEmulatorControl $Emulator 'requests' -Method DELETE | Out-Null
                { $first, $second, $first | Reset-JelouExternalSupportSecret -Force -Vault InTurn -ThrottleLimit 4 -ErrorAction Stop } | Should -Throw -ErrorId 'JelouForbidden,*'
                @(Invoke-JelouEmulatorControl $Emulator 'requests' | Where-Object { $_.method -eq 'POST' -and $_.path -like "*$first/secret/regenerate" }).Count | Should -Be 1
            }
            'an error*' {
                Set-Secret -Vault InTurn -Name "Jelou-$second" -Secret 'whsec-by-hand' -Metadata @{ Note = 'not a project''s' }
                { $first, $second, $third | New-JelouExternalSupport -WebhookUrl https://crm.example.com/j -Vault InTurn -ThrottleLimit 4 -ErrorAction Stop } | Should -Throw -ErrorId 'JelouSecretExists,*'
                @(Invoke-JelouEmulatorControl $Emulator 'requests' | Where-Object { $_.method -eq 'POST' -and $_.path -match [regex]::Escape($third) }).Count | Should -Be 0
                Get-Secret -Vault InTurn -Name "Jelou-$first" | Should -Not -BeNullOrEmpty -Because 'the input before it was done first'
            }
            'a warning*' {
                $first, $second | New-JelouExternalSupport -WebhookUrl https://crm.example.com/j -Vault InTurn | Out-Null
                Add-Fault @{ method = 'POST'; pathContains = "$first/secret"; mangle = 'Intact'; delayMs = 800 }
                # A second copy of the project under another name: the rotation warns that it goes dead.
                $rows = [pscustomobject]@{ ProjectId = $first }, [pscustomobject]@{ ProjectId = $second; SecretName = "Other-$second" }, [pscustomobject]@{ ProjectId = $third }
                $said = $rows | Reset-JelouExternalSupportSecret -Force -Vault InTurn -ThrottleLimit 4 -ErrorAction SilentlyContinue 3>&1
                $said[0].ProjectId | Should -Be $first
                $said[1] | Should -BeOfType System.Management.Automation.WarningRecord
                "$($said[1])" | Should -BeLike "*'Jelou-$second'*"
            }
        }
    }

    It 'advises a rotation, not a save, for a vault copy that two crossed rotations left dead' {
        $projectId = New-TestProjectId
        New-JelouExternalSupport $projectId https://crm.example.com/j -Vault FaultVault | Out-Null
        Add-Fault @{ method = 'POST'; pathContains = "$projectId/secret"; mangle = 'Intact'; delayMs = 2000 }
        $null = Invoke-Beside 'param($Context, $ProjectId) Reset-JelouExternalSupportSecret $ProjectId -Force -Context $Context 3>$null' $projectId `
            -Ready { (Get-Arrivals 'POST' "$projectId/secret/regenerate") -ge 1 } -Awaited 'The first rotation' `
            -Meanwhile { Reset-JelouExternalSupportSecret $projectId -Force 3>$null }
        $conversation = Start-JelouConversation $projectId -BotId b -UserId u -Confirm:$false

        $conversation | Send-JelouSupportMessage 'hi' -Vault FaultVault -Confirm:$false -ErrorVariable refused -ErrorAction SilentlyContinue

        $refused[0].FullyQualifiedErrorId | Should -BeLike 'JelouSecretReplaced,*'
        "$($refused[0])" | Should -BeLike "*which of the secrets this session holds is live is unknown: rotate once more, alone*Reset-JelouExternalSupportSecret '$projectId' -Force -Vault 'FaultVault'*"
        "$($refused[0])" | Should -Not -BeLike '*Save-JelouSigningSecret*'
    }

    It 'counts a create as crossing nothing once the create beside it turns out refused (409)' {
        $projectId = New-TestProjectId
        # The other runspace's create is answered 409, two seconds late: this one's, sent meanwhile, creates the integration,
        # and its delivery waits for that answer before it says anything about crossing.
        Add-Fault @{ method = 'POST'; pathContains = $projectId; status = 409; body = '{"message":"An integration already exists for this project"}'; delayMs = 2000 }
        $beside = Invoke-Beside 'param($Context, $ProjectId) New-JelouExternalSupport $ProjectId https://crm.example.com/j -Context $Context 2>$null' $projectId `
            -Ready { (Get-Arrivals 'POST' $projectId) -ge 1 } -Awaited 'The refused create' `
            -Meanwhile { New-JelouExternalSupport $projectId https://crm.example.com/j 3>&1 | Where-Object { $_ -is [System.Management.Automation.WarningRecord] } }

        $beside.Here | Should -BeNullOrEmpty
        $JelouUnsavedIntegrations | Where-Object ProjectId -EQ $projectId | Save-JelouSigningSecret -Vault FaultVault -ErrorVariable refused -ErrorAction SilentlyContinue
        $refused | Should -BeNullOrEmpty
        Assert-StoredSecretWorks $projectId
        $JelouUnsavedIntegrations | Where-Object ProjectId -EQ $projectId | Should -BeNullOrEmpty
    }

    It 'records a delete as done once the create beside it turns out refused (409)' {
        $projectId = New-TestProjectId
        $created = New-JelouExternalSupport $projectId https://crm.example.com/j
        Add-Fault @{ method = 'POST'; pathContains = $projectId; status = 409; body = '{"message":"An integration already exists for this project"}'; delayMs = 2000 }
        $beside = Invoke-Beside 'param($Context, $ProjectId) New-JelouExternalSupport $ProjectId https://crm.example.com/j -Context $Context 2>$null' $projectId `
            -Ready { (Get-Arrivals 'POST' $projectId) -ge 2 } -Awaited 'The refused create' `
            -Meanwhile { Remove-JelouExternalSupport $projectId -Force 3>&1 }

        $beside.Here | Should -BeNullOrEmpty -Because 'the create beside it changed nothing'
        $created.SecretLocation | Should -Be 'dead: Jelou no longer accepts it'
        $JelouUnsavedIntegrations | Where-Object ProjectId -EQ $projectId | Should -BeNullOrEmpty
    }

    It 'keeps the record of a rotation whose answer was lost when a crossing rotation''s answer arrives after it' {
        $projectId = New-TestProjectId
        New-JelouExternalSupport $projectId https://crm.example.com/j | Out-Null
        Add-Fault @{ method = 'POST'; pathContains = "$projectId/secret"; mangle = 'Intact'; delayMs = 600000 }
        Add-Fault @{ method = 'POST'; pathContains = "$projectId/secret"; mangle = 'Intact'; resetAfterBytes = 0 }
        # Once the other runspace's rotation reached Jelou (its answer held back), this one's answer is lost.
        $null = Invoke-Beside 'param($Context, $ProjectId) Reset-JelouExternalSupportSecret $ProjectId -Force -Context $Context 3>$null' $projectId `
            -Ready { (Get-Arrivals 'POST' "$projectId/secret/regenerate") -ge 1 } -Awaited 'The first rotation' `
            -Meanwhile { Reset-JelouExternalSupportSecret $projectId -Force -ErrorAction SilentlyContinue | Out-Null }

        @($JelouUnknownOutcomes | Where-Object ProjectId -EQ $projectId).Count | Should -Be 1
        $JelouUnsavedIntegrations | Where-Object ProjectId -EQ $projectId | Save-JelouSigningSecret -Vault FaultVault -ErrorVariable refused -ErrorAction SilentlyContinue
        $refused.FullyQualifiedErrorId | Should -BeLike 'JelouSecretMayBeReplaced,*'
    }

    It 'never stores a secret over a newer one that another runspace stored while it waited its turn to be settled' {
        # Its secret arrived (kept until stored): rotate again here, and store the newer one first.
        $run = Invoke-RotationBehindSlowInput { Reset-JelouExternalSupportSecret $projectId -Force -Vault FaultVault | Out-Null }
        $projectId = $run.ProjectId

        Assert-StoredSecretWorks $projectId
        @($run.Output | Where-Object { $_ -is [System.Management.Automation.WarningRecord] } | Where-Object Message -Like "*newer signing secret for $projectId*not stored as 'Jelou-$projectId'*").Count | Should -Be 1
        ($run.Output | Where-Object ProjectId -EQ $projectId).SecretLocation | Should -Be 'dead: Jelou no longer accepts it'
        Assert-StoredSecretWorks $run.Slow
    }

    It 'never stores a secret over one another process put in the vault while it waited its turn to be settled (issued <When>)' -ForEach @(
        @{ When = 'later'; Metadata = @{ RegeneratedAt = [DateTime]::UtcNow.AddMinutes(5) } }
        @{ When = 'earlier, by another clock'; Metadata = @{ RegeneratedAt = [DateTime]::UtcNow.AddMinutes(-5) } }
        @{ When = 'at a time its metadata does not say'; Metadata = @{ IntegrationId = 'from-another-process' } }
    ) {
        # What a second job in another process would leave: the project's secret, put there by hand.
        $run = Invoke-RotationBehindSlowInput {
            Set-Secret -Vault FaultVault -Name "Jelou-$projectId" -Secret 'whsec-from-another-process' -Metadata (@{ ProjectId = $projectId } + $Metadata)
        }
        $projectId = $run.ProjectId

        Get-Secret -Vault FaultVault -Name "Jelou-$projectId" -AsPlainText | Should -Be 'whsec-from-another-process'
        @($run.Output | Where-Object { $_ -is [System.Management.Automation.WarningRecord] } | Where-Object Message -Like "*'Jelou-$projectId'*was replaced while this command ran, and not by this session*Rotate once more*").Count | Should -Be 1
        # Not lost if it is the live one after all: the session keeps it.
        ($JelouUnsavedIntegrations | Where-Object ProjectId -EQ $projectId).SecretLocation | Should -Be 'in SigningSecret only: store it now'
    }

    It 'leaves a secret another process stored while the project was being deleted' {
        $projectId = New-TestProjectId
        New-JelouExternalSupport $projectId https://crm.example.com/j -Vault FaultVault | Out-Null
        Add-Fault @{ method = 'DELETE'; pathContains = $projectId; mangle = 'Intact'; delayMs = 600000 }
        # Once the delete reached Jelou, what another process creating the project again would leave.
        $output = (Invoke-Beside 'param($Context, $ProjectId) Remove-JelouExternalSupport $ProjectId -Force -Vault FaultVault -Context $Context 3>&1' $projectId `
                -Ready { (Get-Arrivals 'DELETE' $projectId) -ge 1 } -Awaited 'The delete' `
                -Meanwhile { Set-Secret -Vault FaultVault -Name "Jelou-$projectId" -Secret 'whsec-of-a-new-integration' -Metadata @{ ProjectId = $projectId; CreatedAt = [DateTime]::UtcNow.AddMinutes(1) } }).Other

        Get-Secret -Vault FaultVault -Name "Jelou-$projectId" -AsPlainText | Should -Be 'whsec-of-a-new-integration'
        "$output" | Should -BeLike "*'Jelou-$projectId' in vault 'FaultVault'* was replaced while the integration of $projectId was deleted*left in place*"
    }

    It 'stores a rotation over the secret it replaces even when that one''s metadata was written on a clock ahead' {
        $projectId = New-TestProjectId
        New-JelouExternalSupport $projectId https://crm.example.com/j -Vault FaultVault | Out-Null
        # As if the last rotation ran on a machine whose clock was an hour fast.
        Set-SecretInfo -Vault FaultVault -Name "Jelou-$projectId" -Metadata @{ ProjectId = $projectId; RegeneratedAt = [DateTime]::UtcNow.AddHours(1) }

        Reset-JelouExternalSupportSecret $projectId -Force -Vault FaultVault -WarningVariable warned | Out-Null

        Assert-StoredSecretWorks $projectId
        $warned | Should -BeNullOrEmpty
    }

    It 'keeps the secret of a create carried out while a delete of the project was in flight, and leaves the vault alone' {
        $projectId = New-TestProjectId
        New-JelouExternalSupport $projectId https://crm.example.com/j -Vault FaultVault | Out-Null
        # Its answer comes 3 s late: the create's delivery waits for it to say whether the two crossed (see AwaitCrossing).
        Add-Fault @{ method = 'DELETE'; pathContains = $projectId; mangle = 'Intact'; delayMs = 3000 }
        # Once Jelou has deleted it (its answer still held back), the project is created again.
        $beside = Invoke-Beside 'param($Context, $ProjectId) Remove-JelouExternalSupport $ProjectId -Force -Vault FaultVault -Context $Context 3>&1' $projectId `
            -Ready { (Invoke-WebRequest ([uri]::new($Emulator.BaseAddress, "_emulator/integrations/$projectId")) -SkipHttpErrorCheck).StatusCode -eq 404 } -Awaited 'The delete' `
            -Meanwhile { New-JelouExternalSupport $projectId https://crm.example.com/again -Vault FaultVault -Force 3>&1 | Where-Object { $_ -is [System.Management.Automation.WarningRecord] } }
        $created = $beside.Here
        $warnings = $beside.Other

        "$created" | Should -BeLike '*in flight at the same time*Rotate once more*If that answers JelouNotFound, a delete was carried out last*'
        "$warnings" | Should -BeLike "*at about the same time as this delete*may have an integration again*vault 'FaultVault'* keeps 'Jelou-$projectId'*"
        @($JelouUnsavedIntegrations | Where-Object ProjectId -EQ $projectId).Count | Should -Be 1
        Get-LiveKeptCount $projectId | Should -Be 1
        # The vault still holds the new integration's secret: the delete removed nothing from it.
        Assert-StoredSecretWorks $projectId
    }
}

Describe 'Rotations without -Vault whose output a later command fails on' {
    It 'name every rotated project''s dead vault copy, and say the object was handed on' {
        $projects = 1..2 | ForEach-Object { New-TestProjectId }
        # The second rotation is answered after 300 ms: it is in flight when the command after fails on the first one's output.
        Add-Fault @{ method = 'POST'; pathContains = "$($projects[1])/secret"; mangle = 'Intact'; delayMs = 300 }
        $script = @"
Import-Module '$(Join-Path $ModulePath 'JelouPS.psd1')'
Import-Module '$(Join-Path $PSScriptRoot '../modules/Microsoft.PowerShell.SecretManagement')'
Register-StandInVault -Name RotateVault
Connect-Jelou -ApiKey '$($Emulator.ApiKey)' -BaseUri '$($Emulator.GatewayUri)' -ChatbotUri '$($Emulator.ChatbotUri)'
'$($projects -join "','")' | New-JelouExternalSupport -WebhookUrl https://crm.example.com/j -Vault RotateVault | Out-Null
try { '$($projects -join "','")' | Reset-JelouExternalSupportSecret -Force -ThrottleLimit 2 | ForEach-Object { throw 'downstream failure' } } catch { "CAUGHT `$_" }
"KEPT `$((`$JelouUnsavedIntegrations.ProjectId | Sort-Object) -join ',')"
"@
        $run = Invoke-Redirected '-Command', $script

        $run.ExitCode | Should -Be 0 -Because $run.Text
        $run.Text | Should -Match 'CAUGHT downstream failure' -Because $run.Text
        $run.Text | Should -Match "KEPT $(($projects | Sort-Object) -join ',')" -Because $run.Text
        $run.Text | Should -Match "signing secret of $($projects[0]), which the command after this one got, but failed before it was done with it" -Because $run.Text
        $run.Text | Should -Match "signing secret of $($projects[1]), before it was stored or handed on" -Because $run.Text
        foreach ($project in $projects) {
            $run.Text | Should -Match "earlier signing secret of $project as 'Jelou-$project' in vault 'RotateVault': it no longer works" -Because $run.Text
            # The caller has no output to pipe: the advice stores it from the session's list.
            $run.Text | Should -Match ([regex]::Escape("Store the new one in its place by running `$JelouUnsavedIntegrations | Where-Object ProjectId -eq '$project' | Save-JelouSigningSecret -Vault 'RotateVault' -SecretName 'Jelou-$project'")) -Because $run.Text
        }
        $run.Text | Should -Not -Match "piping this command's output" -Because $run.Text
    }
}

Describe 'A rotation whose output the next command stored and then failed on, and one with copies in two vaults' {
    It 'says nothing false of a secret the next command stored, and its advice for two dead copies stores both' {
        $stored, $twice = (New-TestProjectId), (New-TestProjectId)
        $script = @"
Import-Module '$(Join-Path $ModulePath 'JelouPS.psd1')'
Import-Module '$(Join-Path $PSScriptRoot '../modules/Microsoft.PowerShell.SecretManagement')'
Register-StandInVault -Name V1; Register-StandInVault -Name V2
Connect-Jelou -ApiKey '$($Emulator.ApiKey)' -BaseUri '$($Emulator.GatewayUri)' -ChatbotUri '$($Emulator.ChatbotUri)'
New-JelouExternalSupport '$stored' https://crm.example.com/j -Vault V1 | Out-Null
try { Reset-JelouExternalSupportSecret '$stored' -Force | Save-JelouSigningSecret -Vault V1 -PassThru | ForEach-Object { throw 'after the save' } } catch { "CAUGHT `$_" }
New-JelouExternalSupport '$twice' https://crm.example.com/j -Vault V1 | Out-Null
Reset-JelouExternalSupportSecret '$twice' -Vault V2 -Force -WarningAction SilentlyContinue | Out-Null
try { Reset-JelouExternalSupportSecret '$twice' -Force | ForEach-Object { throw 'downstream' } } catch { "CAUGHT `$_" }
`$new = `$JelouUnsavedIntegrations | Where-Object ProjectId -eq '$twice'; `$new | Save-JelouSigningSecret -Vault 'V1' -SecretName 'Jelou-$twice'; `$new | Save-JelouSigningSecret -Vault 'V2' -SecretName 'Jelou-$twice'
`$c = Start-JelouConversation '$twice' -BotId b -UserId u -Confirm:`$false
"BOTH `$((`$c | Send-JelouSupportMessage 'from V1' -Vault V1 -Confirm:`$false).StatusCode) `$((`$c | Send-JelouSupportMessage 'from V2' -Vault V2 -Confirm:`$false).StatusCode)"
"@
        $run = Invoke-Redirected '-Command', $script

        $run.ExitCode | Should -Be 0 -Because $run.Text
        $run.Text | Should -Match 'CAUGHT after the save' -Because $run.Text
        $run.Text | Should -Not -Match "signing secret of $stored, which the command after" -Because "Save-JelouSigningSecret stored it: $($run.Text)"
        $run.Text | Should -Not -Match "earlier signing secret of $stored" -Because "the vault holds the new one: $($run.Text)"
        $run.Text | Should -Match "as 'Jelou-$twice' in vault 'V1' and 'Jelou-$twice' in vault 'V2': they no longer work" -Because $run.Text
        $run.Text | Should -Match ([regex]::Escape("`$new = `$JelouUnsavedIntegrations | Where-Object ProjectId -eq '$twice'; `$new | Save-JelouSigningSecret -Vault 'V1'")) -Because $run.Text
        $run.Text | Should -Match 'BOTH 200 200' -Because "replies signed from either vault are accepted: $($run.Text)"
    }
}
