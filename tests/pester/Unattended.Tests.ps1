# Runbooks and CI jobs: no prompts, -Force for the destructive cmdlets, and the same checks on update as on create.
# This suite runs in pwsh -NonInteractive, as a runbook does: any prompt throws.
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-Module (Join-Path $PSScriptRoot '../modules/Microsoft.PowerShell.SecretManagement') -Force
    $Emulator = Start-JelouEmulator -EmulatorDll $EmulatorDll
    Connect-Jelou -ApiKey $Emulator.ApiKey -BaseUri $Emulator.GatewayUri -ChatbotUri $Emulator.ChatbotUri

    function Get-RequestCount([string] $Method, [string] $ProjectId) {
        @(Invoke-JelouEmulatorControl $Emulator 'requests' | Where-Object { $_.method -eq $Method -and $_.path -match [regex]::Escape($ProjectId) }).Count
    }
}

AfterAll {
    Disconnect-Jelou
    $Emulator | Stop-JelouEmulator
}

Describe '-Force on the destructive cmdlets' {
    BeforeEach {
        $ProjectId = New-TestProjectId
        New-JelouExternalSupport $ProjectId https://crm.example.com/jelou | Out-Null
    }

    It '<Command> without -Force cannot ask here, sends nothing, and says to use -Force' -TestCases @(
        @{ Command = 'Remove-JelouExternalSupport'; Method = 'DELETE' }
        @{ Command = 'Reset-JelouExternalSupportSecret'; Method = 'POST' }
    ) {
        $before = Get-RequestCount $Method $ProjectId

        $failure = { & $Command $ProjectId } | Should -Throw -PassThru

        $failure.FullyQualifiedErrorId | Should -Be "JelouConfirmationRequired,JelouPS.Commands.$($Command -replace '-', '')Command"
        $failure.ErrorDetails.RecommendedAction | Should -Match '-Force'
        $failure.Exception.Message | Should -Match 'Use -Force'     # the one line NormalView and ConciseView show
        Get-RequestCount $Method $ProjectId | Should -Be $before
    }

    It '<Command> without -Force in a runspace of ForEach-Object -Parallel (no host to ask) says why in one line' -TestCases @(
        @{ Command = 'Remove-JelouExternalSupport' }
        @{ Command = 'Reset-JelouExternalSupportSecret' }
    ) {
        $context = Get-JelouContext
        $modulePath = Join-Path $ModulePath 'JelouPS.psd1'
        $failure = 1 | ForEach-Object -Parallel { Import-Module $using:modulePath; try { & $using:Command $using:ProjectId -Context $using:context } catch { $_ } }

        $failure.FullyQualifiedErrorId | Should -BeLike 'JelouConfirmationRequired,*'
        # PowerShell's own text quotes the whole prompt, over several lines: a log line keeps the reason alone.
        $failure.Exception.Message | Should -Not -Match '[\r\n]'
        $failure.Exception.Message | Should -Not -Match 'Are you sure'
        $failure.Exception.Message | Should -Match 'cannot ask \(.+\)\. Use -Force'
    }

    It 'Connect-Jelou -Credential with a user name alone, in a console whose standard input is closed, says so instead of prompting' {
        # As a CI step runs it: interactive as far as PowerShell knows, stdin closed. The prompt would read nothing, and the
        # process would end there with exit code 0, the script's catch and the rest never run.
        $import = "Import-Module '$(Join-Path $ModulePath 'JelouPS.psd1')'"
        $run = Invoke-Redirected -Interactive -Arguments '-Command', "$import; try { Connect-Jelou -Credential 'emulator-client' -BaseUri http://127.0.0.1:1/jelouapi -ErrorAction Stop } catch { 'REFUSED ' + `$_.Exception.Message }; 'done'"

        $run.Text | Should -Match "REFUSED .*The credential is the user name 'emulator-client' alone, so PowerShell would ask for the client secret, and standard input is redirected"
        $run.Text | Should -Match 'done'
        $run.Text | Should -Not -Match 'Password for user'
    }

    It '<Command> -Force does it without a prompt' -TestCases @(
        @{ Command = 'Remove-JelouExternalSupport'; Method = 'DELETE' }
        @{ Command = 'Reset-JelouExternalSupportSecret'; Method = 'POST' }
    ) {
        $before = Get-RequestCount $Method $ProjectId
        & $Command $ProjectId -Force | Out-Null
        Get-RequestCount $Method $ProjectId | Should -Be ($before + 1)
    }

    It '<Command> -Force still honours -WhatIf and $WhatIfPreference' -TestCases @(
        @{ Command = 'Remove-JelouExternalSupport'; Method = 'DELETE' }
        @{ Command = 'Reset-JelouExternalSupportSecret'; Method = 'POST' }
    ) {
        $before = Get-RequestCount $Method $ProjectId
        & $Command $ProjectId -Force -WhatIf
        & { $WhatIfPreference = $true; & $Command $ProjectId -Force }
        Get-RequestCount $Method $ProjectId | Should -Be $before
    }

    It 'says -Confirm:$false, not -Force, where -Force means something else (New-JelouExternalSupport)' {
        $projectId = New-TestProjectId
        $failure = { & { $ConfirmPreference = 'Medium'; New-JelouExternalSupport $projectId https://crm.example.com/jelou } } | Should -Throw -PassThru
        $failure.FullyQualifiedErrorId | Should -BeLike 'JelouConfirmationRequired,*'
        $failure.ErrorDetails.RecommendedAction | Should -Match '-Confirm:\$false'
        $failure.ErrorDetails.RecommendedAction | Should -Not -Match '-Force'
        Get-RequestCount 'POST' $projectId | Should -Be 0
    }
}

Describe 'Remove-JelouExternalSupport -Vault' {
    BeforeEach {
        Reset-StandInSecretStore
        Register-StandInVault -Name TestVault -DefaultVault
        $ProjectId = New-TestProjectId
    }

    It 'removes the stored signing secret once the integration is deleted' {
        New-JelouExternalSupport $ProjectId https://crm.example.com/jelou -Vault TestVault | Out-Null

        Remove-JelouExternalSupport $ProjectId -Vault TestVault -Force

        Get-RequestCount 'DELETE' $ProjectId | Should -Be 1
        Get-StandInSecret -Vault TestVault -Name "Jelou-$ProjectId" | Should -BeNullOrEmpty
    }

    It 'warns when the vault holds no secret of that name, and still deletes' {
        New-JelouExternalSupport $ProjectId https://crm.example.com/jelou | Out-Null
        Remove-JelouExternalSupport $ProjectId -Vault TestVault -Force -WarningVariable warned -WarningAction SilentlyContinue
        Get-RequestCount 'DELETE' $ProjectId | Should -Be 1
        "$warned" | Should -Match "no secret named 'Jelou-$ProjectId'"
    }

    It 'never removes a secret whose metadata names another project, and then deletes nothing' {
        $other = New-JelouExternalSupport (New-TestProjectId) https://crm.example.com/jelou -Vault TestVault -SecretName Shared
        New-JelouExternalSupport $ProjectId https://crm.example.com/jelou | Out-Null

        Remove-JelouExternalSupport $ProjectId -Vault TestVault -SecretName Shared -Force -ErrorVariable refused -ErrorAction SilentlyContinue

        $refused[0].FullyQualifiedErrorId | Should -Be 'JelouSecretExists,JelouPS.Commands.RemoveJelouExternalSupportCommand'
        Get-RequestCount 'DELETE' $ProjectId | Should -Be 0
        ConvertTo-PlainText (Get-StandInSecret -Vault TestVault -Name Shared).Secret | Should -Be (ConvertTo-PlainText $other.SigningSecret)
    }
}

Describe '$VerbosePreference = ''Inquire'' in a host that cannot ask' {
    It 'leaves the verbose lines out with a warning that names the preference, not -Debug' {
        # A runspace without a host: asking fails there as in a runbook (redirecting the verbose stream would not ask at all).
        $runspace = [powershell]::Create()
        try {
            $null = $runspace.AddScript({
                param($modulePath, $emulator, $projectId)
                Import-Module $modulePath
                Connect-Jelou -ApiKey $emulator.ApiKey -BaseUri $emulator.GatewayUri -ChatbotUri $emulator.ChatbotUri
                $VerbosePreference = 'Inquire'
                (New-JelouExternalSupport $projectId https://crm.example.com/jelou -WarningVariable warned -WarningAction SilentlyContinue).ProjectId
                "$warned"
            }).AddArgument((Join-Path $ModulePath 'JelouPS.psd1')).AddArgument($Emulator).AddArgument((New-TestProjectId))
            $created, $warned = $runspace.Invoke()
        }
        finally {
            $runspace.Dispose()
        }
        $created | Should -Not -BeNullOrEmpty
        $warned | Should -Match "asks before each verbose line here \(\`$VerbosePreference is Inquire\).*'Continue' instead of 'Inquire'"
        $warned | Should -Not -Match '-Debug'
    }
}

Describe '-Debug in a host that cannot ask' {
    It 'leaves the verbose lines it would ask about out with a warning, still writes the debug lines, and the call and its secret go through' {
        $projectId = New-TestProjectId
        $lines = New-JelouExternalSupport $projectId https://crm.example.com/jelou -Debug -WarningVariable warned -WarningAction SilentlyContinue 5>&1 4>&1
        ($lines | Where-Object { $_ -is [JelouPS.ExternalSupportIntegration] }).ProjectId | Should -Be $projectId
        "$warned" | Should -Match "ask before each verbose line.*DebugPreference = 'Continue'"
        @($lines | Where-Object { $_ -is [System.Management.Automation.DebugRecord] -and $_.Message -like 'Request headers:*' }).Count | Should -Be 1
        # The host shows the first verbose line before it fails to ask; none comes after.
        @($lines | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Count | Should -BeLessOrEqual 1
    }

    It 'asks nothing with -Verbose given too: every line is written, with no warning' {
        $projectId = New-TestProjectId
        $lines = New-JelouExternalSupport $projectId https://crm.example.com/jelou -Debug -Verbose -WarningVariable warned -WarningAction SilentlyContinue 5>&1 4>&1
        ($lines | Where-Object { $_ -is [JelouPS.ExternalSupportIntegration] }).ProjectId | Should -Be $projectId
        $warned | Should -BeNullOrEmpty
        @($lines | Where-Object { $_ -is [System.Management.Automation.DebugRecord] }).Count | Should -BeGreaterThan 0
        @($lines | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and $_.Message -like '* answered 2*' }).Count | Should -Be 1
    }
}

Describe 'A signing secret''s warning under -Debug in a host that cannot ask (-Debug makes each warning ask)' {
    It 'signs and verifies with a secret read with its line break all the same' {
        $signature = Get-JelouWebhookSignature -Payload 'x' -SigningSecret "abc-secret`n" -Debug

        $signature | Should -Be (Get-JelouWebhookSignature -Payload 'x' -SigningSecret 'abc-secret')
        Test-JelouWebhookSignature -Payload 'x' -Signature $signature -SigningSecret "abc-secret`r`n" -Debug | Should -BeTrue
    }
}

Describe 'A console whose standard input is closed (pwsh started by a CI runner or a scheduler)' {
    It 'cannot ask either: -Debug leaves the verbose lines out and the batch goes on; a confirmation is JelouConfirmationRequired' {
        $projectIds = (New-TestProjectId), (New-TestProjectId), (New-TestProjectId)
        $script = @"
`$ErrorActionPreference = 'Stop'
Import-Module '$(Join-Path $ModulePath 'JelouPS.psd1')'
Connect-Jelou -ApiKey '$($Emulator.ApiKey)' -BaseUri '$($Emulator.GatewayUri)' -ChatbotUri '$($Emulator.ChatbotUri)'
`$created = '$($projectIds[0])', '$($projectIds[1])' | New-JelouExternalSupport -WebhookUrl https://crm.example.com/jelou -Debug
"CREATED `$(`$created.ProjectId -join ',')"
try { Reset-JelouExternalSupportSecret '$($projectIds[0])' } catch { "REFUSED `$(`$_.FullyQualifiedErrorId) `$_" }
`$stopless = New-JelouExternalSupport '$($projectIds[2])' https://crm.example.com/jelou -Debug -WarningAction Stop
"NOT STOPPED `$(`$stopless.ProjectId)"
`$context = Connect-Jelou -ApiKey '$($Emulator.ApiKey)' -BaseUri '$($Emulator.GatewayUri)' -PassThru -Debug
"CONNECTED `$(`$context.BaseUri)"
`$signature = Get-JelouWebhookSignature -InputObject @{ at = [datetime]::UtcNow } -SigningSecret 'closed-stdin-secret' -Debug
"SIGNED `$(`$signature.Length)"
"@
        $run = Invoke-Redirected -Interactive '-Command', $script

        $run.ExitCode | Should -Be 0 -Because $run.Text
        $run.Text | Should -Match "CREATED $($projectIds[0]),$($projectIds[1])" -Because $run.Text
        $run.Text | Should -Match 'ask before each verbose line, and this host cannot ask' -Because $run.Text
        $run.Text | Should -Match 'REFUSED JelouConfirmationRequired,.*cannot ask \(no answer could be read: standard input is closed\)' -Because $run.Text
        $run.Text | Should -Match "CONNECTED $([regex]::Escape($Emulator.GatewayUri))" -Because $run.Text
        $run.Text | Should -Match 'SIGNED 71' -Because $run.Text
        $run.Text | Should -Match "NOT STOPPED $($projectIds[2])" -Because 'the note that lines are left out is no warning for -WarningAction Stop to stop on'
        Get-RequestCount POST "$($projectIds[0])/secret" | Should -Be 0
    }
}

Describe 'A first secret in no vault, in a session without SecretManagement' {
    It 'is said once, on the host when Select-Object -First took the object, with how to get a vault' {
        $first, $second = (New-TestProjectId), (New-TestProjectId)
        $script = @"
Import-Module '$(Join-Path $ModulePath 'JelouPS.psd1')'
Connect-Jelou -ApiKey '$($Emulator.ApiKey)' -BaseUri '$($Emulator.GatewayUri)' -ChatbotUri '$($Emulator.ChatbotUri)'
New-JelouExternalSupport '$first' https://crm.example.com/jelou | Select-Object -First 1 | Out-Null
New-JelouExternalSupport '$second' https://crm.example.com/jelou | Out-Null
"@
        $run = Invoke-Redirected '-Command', $script

        $run.ExitCode | Should -Be 0 -Because $run.Text
        $run.Text | Should -Match "WARNING: The signing secret of $first is in no vault" -Because $run.Text
        $run.Text | Should -Match 'No vault can be used here yet: Install-PSResource Microsoft\.PowerShell\.SecretManagement' -Because $run.Text
        $run.Text | Should -Not -Match "signing secret of $second is in no vault" -Because 'it is said once'

        $silenced = New-TestProjectId
        $quiet = Invoke-Redirected '-Command', ($script -replace [regex]::Escape("'$first' https://crm.example.com/jelou"), "'$silenced' https://crm.example.com/jelou -WarningAction Ignore")
        $quiet.Text | Should -Not -Match "signing secret of $silenced is in no vault" -Because '-WarningAction Ignore holds on the host too'
    }
}

Describe 'A strict CI script ($WarningPreference = ''Stop'') whose create is warned about' {
    It 'gets the integration, secret and all, as the TargetObject of the error that ends the command, which the assignment lost' {
        $projectId = New-TestProjectId
        $script = @"
`$ErrorActionPreference = 'Stop'; `$WarningPreference = 'Stop'
Import-Module '$(Join-Path $ModulePath 'JelouPS.psd1')'
Connect-Jelou -ApiKey '$($Emulator.ApiKey)' -BaseUri '$($Emulator.GatewayUri)' -ChatbotUri '$($Emulator.ChatbotUri)'
try { `$i = New-JelouExternalSupport '$projectId' https://crm.example.com/jelou }
catch {
    "ID=`$(`$_.FullyQualifiedErrorId)"
    "TARGET=`$(`$_.TargetObject.ProjectId) `$(`$_.TargetObject.SigningSecret -is [securestring]) `$(`$_.TargetObject.SigningSecret.Length)"
    "ADVICE=`$(`$_.ErrorDetails.RecommendedAction)"
    "SAID=`$(`$_.Exception.Message)"
}
"ASSIGNED=`$(`$null -ne `$i)"
"@
        $run = Invoke-Redirected '-Command', $script

        $run.ExitCode | Should -Be 0 -Because $run.Text
        $run.Text | Should -Match 'ID=ActionPreferenceStop,JelouPS\.Commands\.NewJelouExternalSupportCommand' -Because $run.Text
        $run.Text | Should -Match "TARGET=$projectId True 64" -Because $run.Text
        $run.Text | Should -Match 'ADVICE=.*in the catch: Save-JelouSigningSecret -Vault <vault> \(without input, it stores every secret that list holds\)' -Because $run.Text
        $run.Text | Should -Match "SAID=The running command stopped because the preference variable `"WarningPreference`" or common parameter is set to Stop: The signing secret of $projectId is in no vault" -Because $run.Text
        $run.Text | Should -Match 'ASSIGNED=False' -Because 'the assignment is what the error took'
    }
}

Describe 'Set-JelouExternalSupport validates as New-JelouExternalSupport does' {
    BeforeAll {
        $ProjectId = New-TestProjectId
        New-JelouExternalSupport $ProjectId https://crm.example.com/jelou -AuthType bearer -WebhookAuthorization 'first-token' | Out-Null
    }

    It 'refuses -AuthType <AuthType> without -WebhookAuthorization before any request' -TestCases @(
        @{ AuthType = 'bearer' }, @{ AuthType = 'basic' }, @{ AuthType = ' api_key ' }
    ) {
        $before = Get-RequestCount 'PATCH' $ProjectId
        Set-JelouExternalSupport $ProjectId -AuthType $AuthType -ErrorVariable refused -ErrorAction SilentlyContinue
        $refused[0].FullyQualifiedErrorId | Should -Be 'JelouInvalidArgument,JelouPS.Commands.SetJelouExternalSupportCommand'
        $refused[0].ErrorDetails.Message | Should -Match "^Project '$ProjectId': Auth type '$($AuthType.Trim())' needs the credential"
        Get-RequestCount 'PATCH' $ProjectId | Should -Be $before
    }

    It 'refuses no_auth with a credential, as New does' {
        Set-JelouExternalSupport $ProjectId -AuthType no_auth -WebhookAuthorization 'x' -ErrorVariable refused -ErrorAction SilentlyContinue
        $refused[0].FullyQualifiedErrorId | Should -Be 'JelouInvalidArgument,JelouPS.Commands.SetJelouExternalSupportCommand'
    }

    It 'takes a new credential alone, keeping the auth type' {
        $updated = Set-JelouExternalSupport $ProjectId -WebhookAuthorization 'second-token' -Confirm:$false
        $updated.AuthType | Should -Be 'bearer'
        (Invoke-JelouEmulatorControl $Emulator "integrations/$ProjectId").hasAuthorization | Should -BeTrue
    }

    It 'updates several projects from CSV rows, each by its own columns' {
        $first, $second = (New-TestProjectId), (New-TestProjectId)
        $first, $second | New-JelouExternalSupport -WebhookUrl https://crm.example.com/old | Out-Null

        $updated = "ProjectId,WebhookUrl`n$first ,https://crm.example.com/new1 `n$second,https://crm.example.com/new2" | ConvertFrom-Csv |
            Set-JelouExternalSupport -Confirm:$false

        $updated.WebhookUrl | Should -Be 'https://crm.example.com/new1', 'https://crm.example.com/new2'
    }
}

Describe 'A pipeline that a binding error ends under $ErrorActionPreference = ''Stop'', with creates in flight' {
    It 'stores every secret Jelou issued in the vault before the caller''s catch block runs, and says which' {
        Reset-StandInSecretStore
        Register-StandInVault -Name Main -DefaultVault
        $ids = 1..6 | ForEach-Object { New-TestProjectId }
        # Each answered after 300 ms: all six are in flight when the blank row (a spreadsheet's empty line) fails to bind.
        foreach ($id in $ids) { Invoke-JelouEmulatorControl $Emulator 'faults' -Method POST -Body @{ method = 'POST'; pathContains = $id; mangle = 'Intact'; delayMs = 300 } | Out-Null }
        $rows = @($ids | ForEach-Object { [pscustomobject]@{ ProjectId = $_ } }) + [pscustomobject]@{ ProjectId = '' } + [pscustomobject]@{ ProjectId = (New-TestProjectId) }
        $storedWhenCaught = $null

        $warned = & {
            $ErrorActionPreference = 'Stop'
            try {
                $rows | New-JelouExternalSupport -WebhookUrl https://crm.example.com/jelou -Vault Main -ThrottleLimit 8 | Out-Null
            }
            catch {
                $script:storedWhenCaught = @(Get-SecretInfo -Vault Main | Where-Object Name -In ($ids | ForEach-Object { "Jelou-$_" })).Count
                $script:caught = $_
            }
        } 3>&1

        $script:caught.FullyQualifiedErrorId | Should -BeLike 'ParameterArgumentValidationError*' -Because 'the blank row ends the pipeline'
        $script:storedWhenCaught | Should -Be 6 -Because 'each secret Jelou issued was stored before the catch block ran'
        foreach ($id in $ids) {
            (ConvertTo-PlainText (Get-Secret "Jelou-$id" -Vault Main)) | Should -Not -BeNullOrEmpty
        }
        "$warned" | Should -BeLike '*New-JelouExternalSupport stopped before writing the outcome of requests it had sent. 6 were carried out, their output not written: *Do not send them again.*'
    }
}

Describe '$ErrorActionPreference Inquire, which this host cannot ask about' {
    It 'ends the command with the error it would have asked about (a failed vault write, with the integration), not the host''s refusal to ask' {
        Reset-StandInSecretStore
        Register-StandInVault -Name InquireVault
        Set-StandInVaultBehavior -Name InquireVault -FailWrites
        $projectId = New-TestProjectId
        function Invoke-Onboarding([string] $ProjectId) {
            $ErrorActionPreference = 'Inquire'
            New-JelouExternalSupport $ProjectId https://crm.example.com/jelou -Vault InquireVault -WarningAction SilentlyContinue
        }

        $failed = try { Invoke-Onboarding $projectId } catch { $_ }

        $failed.FullyQualifiedErrorId | Should -Be 'JelouVaultWriteFailed,JelouPS.Commands.NewJelouExternalSupportCommand'
        $failed.TargetObject.ProjectId | Should -Be $projectId
        $failed.TargetObject.SigningSecret | Should -BeOfType [securestring]
        @($JelouUnsavedIntegrations | Where-Object ProjectId -EQ $projectId) | Should -HaveCount 1
    }

    It 'ends Save-JelouSigningSecret without input (every secret in no vault) the same way, with an integration it could not store' {
        Reset-StandInSecretStore
        Register-StandInVault -Name InquireVault
        Set-StandInVaultBehavior -Name InquireVault -FailWrites
        $null = New-JelouExternalSupport (New-TestProjectId) https://crm.example.com/jelou -WarningAction SilentlyContinue
        function Invoke-Saving {
            $ErrorActionPreference = 'Inquire'
            Save-JelouSigningSecret -Vault InquireVault -WarningAction SilentlyContinue
        }

        $failed = try { Invoke-Saving } catch { $_ }

        $failed.FullyQualifiedErrorId | Should -Be 'JelouVaultWriteFailed,JelouPS.Commands.SaveJelouSigningSecretCommand'
        $JelouUnsavedIntegrations.ProjectId | Should -Contain $failed.TargetObject.ProjectId
    }
}
