# The signing secret's life in a SecretManagement vault, against the stand-in SecretManagement module
# (tests/modules) and the emulator: stored on create, never lost, rotated, never overwritten by accident.
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    $StandIn = Join-Path $PSScriptRoot '../modules/Microsoft.PowerShell.SecretManagement'
    Import-Module $StandIn -Force
    $Emulator = Start-JelouEmulator -EmulatorDll $EmulatorDll
    Connect-Jelou -ApiKey $Emulator.ApiKey -BaseUri $Emulator.GatewayUri -ChatbotUri $Emulator.ChatbotUri

    function Get-StoredPlainText([string] $Vault, [string] $Name) {
        ConvertTo-PlainText (Get-StandInSecret -Vault $Vault -Name $Name).Secret
    }
    function Get-CreateRequestCount([string] $ProjectId) {
        @(Invoke-JelouEmulatorControl $Emulator 'requests' | Where-Object { $_.method -eq 'POST' -and $_.path -match [regex]::Escape($ProjectId) }).Count
    }
}

AfterAll {
    Disconnect-Jelou
    $Emulator | Stop-JelouEmulator
}

Describe 'New-JelouExternalSupport -Vault' {
    BeforeEach {
        Reset-StandInSecretStore
        Register-StandInVault -Name TestVault -DefaultVault
    }

    It 'stores the secret as a SecureString named Jelou-<ProjectId>, with metadata' {
        $projectId = New-TestProjectId

        $i = New-JelouExternalSupport $projectId https://crm.example.com/jelou -Vault TestVault

        $stored = Get-StandInSecret -Vault TestVault -Name "Jelou-$projectId"
        $stored.Secret | Should -BeOfType [securestring]
        ConvertTo-PlainText $stored.Secret | Should -Be (ConvertTo-PlainText $i.SigningSecret)
        $stored.Metadata.ProjectId | Should -Be $projectId
        $stored.Metadata.IntegrationId | Should -Be $i.Id
        $stored.Metadata.WebhookUrl | Should -Be 'https://crm.example.com/jelou'
        $stored.Metadata.CreatedAt | Should -BeOfType [datetime]
        $i.SecretVault | Should -Be 'TestVault'
        $i.SecretName | Should -Be "Jelou-$projectId"
    }

    It 'uses -SecretName when given' {
        $projectId = New-TestProjectId
        $i = New-JelouExternalSupport $projectId https://crm.example.com/jelou -Vault TestVault -SecretName CrmSigning
        Get-StoredPlainText TestVault CrmSigning | Should -Be (ConvertTo-PlainText $i.SigningSecret)
    }

    It 'lets users pipe the SigningSecret into Set-Secret themselves' {
        $i = New-JelouExternalSupport (New-TestProjectId) https://crm.example.com/jelou
        $i.SigningSecret | Set-Secret -Name ByHand -Vault TestVault
        (Get-StandInSecret -Vault TestVault -Name ByHand).Secret | Should -BeOfType [securestring]
        Get-StoredPlainText TestVault ByHand | Should -Be (ConvertTo-PlainText $i.SigningSecret)
    }

    It 'fails before creating anything when the vault does not exist' {
        $projectId = New-TestProjectId
        { New-JelouExternalSupport $projectId https://crm.example.com/jelou -Vault NoSuchVault -ErrorAction Stop } |
            Should -Throw -ErrorId 'JelouVaultNotFound,JelouPS.Commands.NewJelouExternalSupportCommand'
        Get-CreateRequestCount $projectId | Should -Be 0
    }

    It 'fails before creating anything when the vault is locked' {
        Set-StandInVaultBehavior -Name TestVault -Locked
        $projectId = New-TestProjectId
        { New-JelouExternalSupport $projectId https://crm.example.com/jelou -Vault TestVault -ErrorAction Stop } |
            Should -Throw -ErrorId 'JelouVaultUnavailable,JelouPS.Commands.NewJelouExternalSupportCommand'
        Get-CreateRequestCount $projectId | Should -Be 0
    }

    It 'fails before creating anything when SecretManagement is not installed' {
        Remove-Module Microsoft.PowerShell.SecretManagement -Force
        try {
            $projectId = New-TestProjectId
            { New-JelouExternalSupport $projectId https://crm.example.com/jelou -Vault TestVault -ErrorAction Stop } |
                Should -Throw -ErrorId 'JelouSecretManagementMissing,JelouPS.Commands.NewJelouExternalSupportCommand'
            Get-CreateRequestCount $projectId | Should -Be 0
        }
        finally {
            Import-Module $StandIn -Force
        }
    }

    It 'leaves only its own error in $Error when SecretManagement is not installed, not PowerShell''s failed lookup' {
        Remove-Module Microsoft.PowerShell.SecretManagement -Force
        try {
            $Error.Clear()
            try { New-JelouExternalSupport (New-TestProjectId) https://crm.example.com/jelou -Vault TestVault } catch { }

            @($Error | ForEach-Object { if ($_ -is [System.Management.Automation.ErrorRecord]) { $_.FullyQualifiedErrorId } else { $_.GetType().Name } }) |
                Should -Be @('JelouSecretManagementMissing,JelouPS.Commands.NewJelouExternalSupportCommand')
        }
        finally {
            Import-Module $StandIn -Force
        }
    }

    It 'says SecretManagement is not imported, and how to import it, where it is installed but autoloading is off' {
        $savedPath = $env:PSModulePath
        $env:PSModulePath = (Split-Path $StandIn) + [IO.Path]::PathSeparator + $savedPath
        Remove-Module Microsoft.PowerShell.SecretManagement -Force
        $global:PSModuleAutoLoadingPreference = 'None'
        try {
            $projectId = New-TestProjectId
            $failed = try { New-JelouExternalSupport $projectId https://crm.example.com/jelou -Vault TestVault } catch { $_ }

            $failed.FullyQualifiedErrorId | Should -Be 'JelouSecretManagementMissing,JelouPS.Commands.NewJelouExternalSupportCommand'
            $failed.Exception.Message | Should -BeLike "*installed but not imported, and `$PSModuleAutoLoadingPreference is 'None'*"
            $failed.ErrorDetails.RecommendedAction | Should -Be 'Import-Module Microsoft.PowerShell.SecretManagement, then run the command again.'
            Get-CreateRequestCount $projectId | Should -Be 0
            # Of a secret just issued, which lives only in this session: never run the command again (a rotation would kill it).
            $runspace = [runspacefactory]::CreateRunspace()
            $runspace.Open()
            $ps = [powershell]::Create($runspace)
            $null = $ps.AddScript("Set-Variable PSModuleAutoLoadingPreference None -Scope Global; `$env:PSModulePath = '$($env:PSModulePath -replace "'", "''")'; " +
                "Import-Module '$(Join-Path $ModulePath 'JelouPS.psd1')'; Connect-Jelou -ApiKey '$($Emulator.ApiKey)' -BaseUri '$($Emulator.GatewayUri)'; " +
                "New-JelouExternalSupport '$(New-TestProjectId)' https://crm.example.com/jelou 3>&1 | Where-Object { `$_ -is [System.Management.Automation.WarningRecord] }")
            $warned = "$($ps.Invoke())"
            $ps.Dispose(); $runspace.Dispose()
            $warned | Should -BeLike '*No vault can be used here yet: Import-Module Microsoft.PowerShell.SecretManagement (*), then Save-JelouSigningSecret -Vault <vault> in this session.*'
        }
        finally {
            Remove-Variable PSModuleAutoLoadingPreference -Scope Global
            $env:PSModulePath = $savedPath
            Import-Module $StandIn -Force
        }
    }

    It 'says SecretManagement is installed but could not be imported, with PowerShell''s reason, where it fails to load' {
        $damaged = Join-Path $TestDrive 'damaged/Microsoft.PowerShell.SecretManagement'
        $null = New-Item -ItemType Directory $damaged -Force
        Set-Content (Join-Path $damaged 'Microsoft.PowerShell.SecretManagement.psm1') 'throw "Could not load file or assembly (access denied)"'
        Set-Content (Join-Path $damaged 'Microsoft.PowerShell.SecretManagement.psd1') "@{ RootModule = 'Microsoft.PowerShell.SecretManagement.psm1'; ModuleVersion = '1.1.2'; GUID = '$([guid]::NewGuid())'; FunctionsToExport = @('Get-SecretVault') }"
        $savedPath = $env:PSModulePath
        $env:PSModulePath = (Split-Path $damaged) + [IO.Path]::PathSeparator + $savedPath
        Remove-Module Microsoft.PowerShell.SecretManagement -Force
        try {
            $projectId = New-TestProjectId
            $failed = try { New-JelouExternalSupport $projectId https://crm.example.com/jelou -Vault TestVault } catch { $_ }

            $failed.FullyQualifiedErrorId | Should -Be 'JelouSecretManagementMissing,JelouPS.Commands.NewJelouExternalSupportCommand'
            $failed.Exception.Message | Should -BeLike '*installed but could not be imported*'
            $failed.Exception.InnerException.Message | Should -BeLike "*module 'Microsoft.PowerShell.SecretManagement' could not be loaded*"
            $failed.ErrorDetails.RecommendedAction | Should -BeLike 'Import-Module Microsoft.PowerShell.SecretManagement shows why;*-Reinstall*'
            Get-CreateRequestCount $projectId | Should -Be 0
        }
        finally {
            $env:PSModulePath = $savedPath
            Import-Module $StandIn -Force
        }
    }

    It 'leaves the caller''s $PSDefaultParameterValues for common variables to its own commands, not to the vault calls it makes' {
        $PSDefaultParameterValues = @{ '*:ErrorVariable' = 'problem'; '*:OutVariable' = 'last' }

        $stored = New-JelouExternalSupport (New-TestProjectId) https://crm.example.com/jelou -Vault TestVault
        $storedLast = @($last)
        Set-StandInVaultBehavior -Name TestVault -FailWrites
        $unstored = New-JelouExternalSupport (New-TestProjectId) https://crm.example.com/jelou -Vault TestVault -ErrorAction SilentlyContinue -WarningAction SilentlyContinue
        # Before Should, which the same defaults give -OutVariable and -ErrorVariable.
        $unstoredLast, $unstoredProblem = @($last), @($problem)

        $storedLast | Should -HaveCount 1
        [object]::ReferenceEquals($storedLast[0], $stored) | Should -BeTrue -Because 'the read-back of the stored secret is not output'
        $unstoredLast | Should -HaveCount 1
        [object]::ReferenceEquals($unstoredLast[0], $unstored) | Should -BeTrue
        @($unstoredProblem.FullyQualifiedErrorId) | Should -Be @('JelouVaultWriteFailed,JelouPS.Commands.NewJelouExternalSupportCommand')
    }

    It 'refuses to overwrite an existing secret unless -Force, and says so before any API call' {
        $projectId = New-TestProjectId
        Set-Secret -Name "Jelou-$projectId" -Secret 'older-secret' -Vault TestVault

        New-JelouExternalSupport $projectId https://crm.example.com/jelou -Vault TestVault -ErrorVariable refused -ErrorAction SilentlyContinue |
            Should -BeNullOrEmpty
        $refused[0].FullyQualifiedErrorId | Should -Be 'JelouSecretExists,JelouPS.Commands.NewJelouExternalSupportCommand'
        $refused[0].Exception.Message | Should -Match '-Force'
        Get-CreateRequestCount $projectId | Should -Be 0

        $i = New-JelouExternalSupport $projectId https://crm.example.com/jelou -Vault TestVault -Force
        Get-StoredPlainText TestVault "Jelou-$projectId" | Should -Be (ConvertTo-PlainText $i.SigningSecret)
    }

    It 'still emits the integration with its secret when the vault write fails, and says how to store it' {
        Set-StandInVaultBehavior -Name TestVault -FailWrites
        $projectId = New-TestProjectId

        $i = New-JelouExternalSupport $projectId 'https://fn.example.net/api/jelou?code=pester-function-key' -Vault TestVault -ErrorVariable failed -ErrorAction SilentlyContinue

        $i.ProjectId | Should -Be $projectId
        ConvertTo-PlainText $i.SigningSecret | Should -Match '^[0-9a-f]{64}$'
        $failed.Count | Should -Be 1
        $failed[0].FullyQualifiedErrorId | Should -Be 'JelouVaultWriteFailed,JelouPS.Commands.NewJelouExternalSupportCommand'
        $failed[0].CategoryInfo.Category | Should -Be 'WriteError'
        $failed[0].TargetObject | Should -Be $i
        $failed[0].TargetObject.PSObject.TypeNames[0] | Should -Be 'JelouPS.ExternalSupportIntegration#IssuedSecret' -Because 'the target is shown as New- shows it: where the secret is'
        $failed[0].CategoryInfo.TargetType | Should -Be 'ExternalSupportIntegration'
        "$($failed[0].CategoryInfo) $($failed[0].TargetObject) $i" | Should -Not -Match 'pester-function-key' -Because (
            'NormalView (Windows PowerShell 5.1''s default) and Get-Error show the target as text, and the query holds the function''s key')
        $byHand = "`$JelouUnsavedIntegrations | Where-Object ProjectId -eq '$projectId' | Save-JelouSigningSecret -Vault 'TestVault' -SecretName 'Jelou-$projectId'"
        $failed[0].ErrorDetails.RecommendedAction | Should -BeLike "*$byHand*"
        $failed[0].Exception.InnerException.ErrorRecord.FullyQualifiedErrorId | Should -BeLike 'SetSecretInvalidOperation,*' -Because "the vault's own error is kept"

        # The suggested line works, as written, once the vault is healthy again.
        Set-StandInVaultBehavior -Name TestVault
        Invoke-Expression $byHand
        Get-StoredPlainText TestVault "Jelou-$projectId" | Should -Be (ConvertTo-PlainText $i.SigningSecret)
        $JelouUnsavedIntegrations.ProjectId | Should -Not -Contain $projectId
    }

    It 'says where a stored secret is without breaking a word at 80 columns, in its own view and in a read''s' {
        Register-StandInVault -Name ContosoKeyVault
        $projectId = New-TestProjectId

        $i = New-JelouExternalSupport $projectId https://crm.example.com/jelou -Vault ContosoKeyVault
        [JelouPS.ExternalSupportIntegration] $unwrapped = $i

        foreach ($shown in ($i | Out-String -Width 80), ($unwrapped | Out-String -Width 80)) {
            $shown | Should -Match "(?m)\bJelou-$projectId\r?$"
            $shown | Should -Match '(?m)^\s+in vault ContosoKeyVault\r?$' -Because 'a table cuts a long cell at its width, mid-word: the line breaks before "in vault"'
        }
    }

    It 'stores without metadata, with a warning, in a vault that keeps none' {
        Register-StandInVault -Name PlainVault -NoMetadataSupport
        $projectId = New-TestProjectId

        $i = New-JelouExternalSupport $projectId https://crm.example.com/jelou -Vault PlainVault -WarningVariable warned -WarningAction SilentlyContinue

        Get-StoredPlainText PlainVault "Jelou-$projectId" | Should -Be (ConvertTo-PlainText $i.SigningSecret)
        $warned.Count | Should -Be 1
        "$($warned[0])" | Should -Match 'without their project id'
    }

    It 'creates 20 projects from a CSV into one vault, every secret stored and matching' {
        $ids = 1..20 | ForEach-Object { New-TestProjectId }
        $csv = Join-Path $TestDrive 'bulk.csv'
        $ids | ForEach-Object { [pscustomobject]@{ ProjectId = $_ } } | Export-Csv $csv -NoTypeInformation

        $created = Import-Csv $csv | New-JelouExternalSupport -WebhookUrl https://crm.example.com/jelou -Vault TestVault

        $created.Count | Should -Be 20
        foreach ($i in $created) {
            Get-StoredPlainText TestVault "Jelou-$($i.ProjectId)" | Should -Be (ConvertTo-PlainText $i.SigningSecret)
        }
    }

    It 'loses no secret when the vault starts failing halfway through a bulk create' {
        Set-StandInVaultBehavior -Name TestVault -FailWritesAfter 5
        $ids = 1..8 | ForEach-Object { New-TestProjectId }

        $created = $ids | ForEach-Object { [pscustomobject]@{ ProjectId = $_ } } |
            New-JelouExternalSupport -WebhookUrl https://crm.example.com/jelou -Vault TestVault -ErrorVariable failed -ErrorAction SilentlyContinue

        $created.Count | Should -Be 6 -Because 'the sixth secret could not be stored, so no more are issued'
        $failed[0].TargetObject.ProjectId | Should -Be $ids[5]
        foreach ($i in $created) { ConvertTo-PlainText $i.SigningSecret | Should -Match '^[0-9a-f]{64}$' }
        foreach ($i in $created[0..4]) { Get-StoredPlainText TestVault "Jelou-$($i.ProjectId)" | Should -Be (ConvertTo-PlainText $i.SigningSecret) }
        $JelouUnsavedIntegrations.ProjectId | Should -Contain $ids[5]
    }

    It 'refuses one -SecretName for several projects rather than overwrite one with another' {
        $first, $second = (New-TestProjectId), (New-TestProjectId)

        $created = $first, $second | ForEach-Object { [pscustomobject]@{ ProjectId = $_ } } |
            New-JelouExternalSupport -WebhookUrl https://crm.example.com/jelou -Vault TestVault -SecretName Shared -Force -ErrorVariable failed -ErrorAction SilentlyContinue

        $created.ProjectId | Should -Be $first
        $failed[0].FullyQualifiedErrorId | Should -Be 'JelouInvalidArgument,JelouPS.Commands.NewJelouExternalSupportCommand'
        Get-CreateRequestCount $second | Should -Be 0
        Get-StoredPlainText TestVault Shared | Should -Be (ConvertTo-PlainText $created.SigningSecret)
    }

    It 'completes -Vault with the registered vaults' {
        Register-StandInVault -Name 'Team Vault'
        $line = 'New-JelouExternalSupport -Vault '
        $completions = (TabExpansion2 $line $line.Length).CompletionMatches.CompletionText
        $completions | Should -Contain 'TestVault'
        $completions | Should -Contain "'Team Vault'"
    }

    It 'completes -Vault by invariant case, in tr-TR too' {
        Register-StandInVault -Name 'Istanbul'
        $culture = [Threading.Thread]::CurrentThread.CurrentCulture
        try {
            [Threading.Thread]::CurrentThread.CurrentCulture = 'tr-TR'
            $line = 'New-JelouExternalSupport -Vault is'
            $completions = (TabExpansion2 $line $line.Length).CompletionMatches.CompletionText
        }
        finally {
            [Threading.Thread]::CurrentThread.CurrentCulture = $culture
        }
        $completions | Should -Contain 'Istanbul'
    }
}

Describe 'Reset-JelouExternalSupportSecret' {
    BeforeEach {
        Reset-StandInSecretStore
        Register-StandInVault -Name TestVault -DefaultVault
    }

    It 'replaces the secret in the vault with the new one' {
        $projectId = New-TestProjectId
        $old = New-JelouExternalSupport $projectId https://crm.example.com/jelou -Vault TestVault

        $new = Reset-JelouExternalSupportSecret $projectId -Vault TestVault -Confirm:$false

        $new.ProjectId | Should -Be $projectId
        ConvertTo-PlainText $new.SigningSecret | Should -Not -Be (ConvertTo-PlainText $old.SigningSecret)
        Get-StoredPlainText TestVault "Jelou-$projectId" | Should -Be (ConvertTo-PlainText $new.SigningSecret)
        (Get-StandInSecret -Vault TestVault -Name "Jelou-$projectId").Metadata.RegeneratedAt | Should -Not -BeNullOrEmpty
    }

    It 'does not regenerate when the vault is unusable: the old secret stays alive' {
        $projectId = New-TestProjectId
        New-JelouExternalSupport $projectId https://crm.example.com/jelou | Out-Null
        Set-StandInVaultBehavior -Name TestVault -Locked

        { Reset-JelouExternalSupportSecret $projectId -Vault TestVault -Confirm:$false -ErrorAction Stop } |
            Should -Throw -ErrorId 'JelouVaultUnavailable,JelouPS.Commands.ResetJelouExternalSupportSecretCommand'
        $Error[0].ErrorDetails.RecommendedAction | Should -BeLike "Test-SecretVault -Name 'TestVault'*Unlock-SecretVault -Name 'TestVault'*"
        @(Invoke-JelouEmulatorControl $Emulator 'requests' | Where-Object path -Match "$projectId/secret/regenerate").Count | Should -Be 0
    }

    It 'emits the new secret and a JelouVaultWriteFailed error when the vault write fails' {
        $projectId = New-TestProjectId
        New-JelouExternalSupport $projectId https://crm.example.com/jelou -Vault TestVault | Out-Null
        Set-StandInVaultBehavior -Name TestVault -FailWrites

        $new = Reset-JelouExternalSupportSecret $projectId -Vault TestVault -Confirm:$false -ErrorVariable failed -ErrorAction SilentlyContinue

        ConvertTo-PlainText $new.SigningSecret | Should -Match '^[0-9a-f]{64}$'
        $failed[0].FullyQualifiedErrorId | Should -Be 'JelouVaultWriteFailed,JelouPS.Commands.ResetJelouExternalSupportSecretCommand'
    }

    It 'without -Vault, warns of the copy it left dead where this session stored it, which replies then refuse to sign with' {
        $projectId = New-TestProjectId
        New-JelouExternalSupport $projectId https://crm.example.com/jelou -Vault TestVault | Out-Null
        $conversation = Start-JelouConversation $projectId -BotId b -UserId u -Confirm:$false

        $new = Reset-JelouExternalSupportSecret $projectId -Force -WarningVariable left -WarningAction SilentlyContinue
        $conversation | Send-JelouSupportMessage 'signed with the dead one?' -Vault TestVault -Confirm:$false -ErrorVariable refused -ErrorAction SilentlyContinue
        $sent = @(Invoke-JelouEmulatorControl $Emulator 'agent-messages' | Where-Object text -EQ 'signed with the dead one?').Count

        "$left" | Should -BeLike "*stored an earlier signing secret of $projectId as 'Jelou-$projectId' in vault 'TestVault'*no longer works*Save-JelouSigningSecret -Vault 'TestVault' -SecretName 'Jelou-$projectId'*"
        $refused.FullyQualifiedErrorId | Should -BeLike 'JelouSecretReplaced,*'
        $refused.CategoryInfo.Category | Should -Be 'InvalidData'
        "$refused" | Should -BeLike "*'Jelou-$projectId' in vault 'TestVault'*Jelou has replaced since*"
        $sent | Should -Be 0 -Because 'the session knows that secret is dead: nothing is sent'
        # The advice, as written, puts the live one there.
        $JelouUnsavedIntegrations | Where-Object ProjectId -eq $projectId | Save-JelouSigningSecret -Vault 'TestVault' -SecretName "Jelou-$projectId"
        Get-StoredPlainText TestVault "Jelou-$projectId" | Should -Be (ConvertTo-PlainText $new.SigningSecret)
        ($conversation | Send-JelouSupportMessage 'signed with the live one' -Vault TestVault -Confirm:$false).StatusCode | Should -Be 200
    }

    It 'into another vault, says how to put the new secret where the dead copy is, and replies say where the live one is' {
        Register-StandInVault -Name Other
        $projectId = New-TestProjectId
        New-JelouExternalSupport $projectId https://crm.example.com/jelou -Vault TestVault | Out-Null
        $conversation = Start-JelouConversation $projectId -BotId b -UserId u -Confirm:$false

        $new = Reset-JelouExternalSupportSecret $projectId -Force -Vault Other -WarningVariable left -WarningAction SilentlyContinue
        $conversation | Send-JelouSupportMessage 'dead?' -Vault TestVault -Confirm:$false -ErrorVariable refused -ErrorAction SilentlyContinue

        "$left" | Should -BeLike "*'Jelou-$projectId' in vault 'TestVault'*piping this command's output to Save-JelouSigningSecret -Vault 'TestVault' -SecretName 'Jelou-$projectId'*"
        "$refused" | Should -BeLike "*The live one is 'Jelou-$projectId' in vault 'Other'*-Vault 'Other'*"
        # The warning's advice, as written, stores it there.
        $new | Save-JelouSigningSecret -Vault TestVault -SecretName "Jelou-$projectId"
        ($conversation | Send-JelouSupportMessage 'live' -Vault TestVault -Confirm:$false).StatusCode | Should -Be 200

        # Once the integration is deleted, no secret is live: the dead copy is to be removed.
        Remove-JelouExternalSupport $projectId -Force -Vault Other -WarningVariable stays -WarningAction SilentlyContinue
        $conversation | Send-JelouSupportMessage 'after the delete' -Vault TestVault -Confirm:$false -ErrorVariable gone -ErrorAction SilentlyContinue
        "$stays" | Should -BeLike "*stored the signing secret of $projectId as 'Jelou-$projectId' in vault 'TestVault', and -Vault named another*Remove-Secret -Name 'Jelou-$projectId' -Vault 'TestVault'*"
        "$gone" | Should -BeLike "*holds no live one*Remove-Secret -Name 'Jelou-$projectId' -Vault 'TestVault'*"
    }

    It 'is high impact: -WhatIf regenerates nothing' {
        $projectId = New-TestProjectId
        New-JelouExternalSupport $projectId https://crm.example.com/jelou | Out-Null
        Reset-JelouExternalSupportSecret $projectId -WhatIf
        @(Invoke-JelouEmulatorControl $Emulator 'requests' | Where-Object path -Match "$projectId/secret/regenerate").Count | Should -Be 0
        (Get-Command Reset-JelouExternalSupportSecret).ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false)[0].ConfirmImpact | Should -Be 'High'
    }
}

Describe 'Reading secrets back' {
    BeforeEach {
        Reset-StandInSecretStore
        Register-StandInVault -Name TestVault -DefaultVault
    }

    It 'signs with a stored copy with <Case> without it, as Jelou issued it, warning once with the command that mends the vault''s copy' -ForEach @(
        # As Set-Secret from a file read with Get-Content -Raw stores it; as an env file's value docker keeps.
        @{ Case = 'a line break after it'; Before = ''; After = "`n"; Said = 'has a space or line break around it (a copy read from a file often does)' }
        @{ Case = 'quotation marks around it and a line break'; Before = '"'; After = "`"`r`n"; Said = 'has quotation marks around it and a space or line break (an env file*' }
        @{ Case = 'a closing quotation mark alone'; Before = ''; After = '"'; Said = 'has a quotation mark at its end (an env file*' }
        @{ Case = 'a byte order mark before it'; Before = [string][char]0xFEFF; After = "`n"; Said = 'has a byte order mark (U+FEFF, which does not show) around it*' }
        @{ Case = 'reversed and curly quotation marks around it'; Before = [string][char]0x201F; After = [string][char]0x201D; Said = 'has quotation marks around it (an env file*' }
        @{ Case = 'half-width corner brackets around it'; Before = [string][char]0xFF62; After = [string][char]0xFF63; Said = 'has quotation marks around it (an env file*' }
        @{ Case = 'ornamental quotation marks outside the BMP around it'; Before = [char]::ConvertFromUtf32(0x1F676); After = [char]::ConvertFromUtf32(0x1F677); Said = 'has quotation marks around it (an env file*' }
    ) {
        $projectId = New-TestProjectId
        $integration = New-JelouExternalSupport $projectId https://crm.example.com/jelou -WarningAction SilentlyContinue
        $conversation = Start-JelouConversation $projectId -BotId b1 -UserId u1 -Confirm:$false
        Set-Secret -Name "Jelou-$projectId" -Secret ($Before + (ConvertTo-PlainText $integration.SigningSecret) + $After) -Vault TestVault

        # Two replies in one command: the copy is read, and warned of, once.
        $receipts = $conversation, $conversation | Send-JelouSupportMessage 'hi' -Vault TestVault -Confirm:$false -WarningVariable warned -WarningAction SilentlyContinue

        $receipts.StatusCode | Should -Be @(200, 200)
        $warned | Should -HaveCount 1
        "$warned" | Should -BeLike "The signing secret of $projectId in vault 'TestVault'* ('Jelou-$projectId') $Said*: replies are signed without them. Store it there without them, and its metadata: Set-Secret -Name 'Jelou-$projectId' -Vault 'TestVault' -Secret (ConvertTo-SecureString ((Get-Secret *) -replace *) -AsPlainText -Force) -Metadata (Get-SecretInfo -Name 'Jelou-$projectId' -Vault 'TestVault').Metadata"
        "$warned" | Should -Not -BeLike "*$(ConvertTo-PlainText $integration.SigningSecret)*"

        # The command runs as written, and keeps what names the secret's project.
        $metadata = (Get-SecretInfo -Name "Jelou-$projectId" -Vault TestVault).Metadata
        Invoke-Expression ("$warned" -replace '^.*, and its metadata: ', '')
        (Get-SecretInfo -Name "Jelou-$projectId" -Vault TestVault).Metadata.ProjectId | Should -Be $metadata.ProjectId
        (Get-SecretInfo -Name "Jelou-$projectId" -Vault TestVault).Type | Should -Be 'SecureString' -Because 'the module stores a SecureString, and reads one back'
        ($conversation | Send-JelouSupportMessage 'hi again' -Vault TestVault -Confirm:$false -WarningVariable again).StatusCode | Should -Be 200
        $again | Should -BeNullOrEmpty
    }

    It 'refuses a stored copy that no signing secret Jelou issues is, before any request: <Case>' -TestCases @(
        # Taking the quotes off would not leave the secret.
        @{ Case = 'a whole env line'; Copy = { param($secret) 'JELOU_SIGNING_SECRET="' + $secret + '"' }; Problem = 'has a quotation mark inside' }
        # A delivery's X-Jelou-Signature value from a request log.
        @{ Case = 'a signature'; Copy = { param($secret) Get-JelouWebhookSignature -Payload '{}' -SigningSecret $secret }; Problem = 'is a signature (sha256= and 64 hex digits*' }
    ) {
        $projectId = New-TestProjectId
        $integration = New-JelouExternalSupport $projectId https://crm.example.com/jelou -WarningAction SilentlyContinue
        $conversation = Start-JelouConversation $projectId -BotId b1 -UserId u1 -Confirm:$false
        Set-Secret -Name "Jelou-$projectId" -Secret (& $Copy (ConvertTo-PlainText $integration.SigningSecret)) -Vault TestVault
        $before = @(Invoke-JelouEmulatorControl $Emulator 'agent-messages').Count

        $conversation | Send-JelouSupportMessage 'hi' -Vault TestVault -Confirm:$false -ErrorVariable refused -ErrorAction SilentlyContinue

        $refused | Should -HaveCount 1
        $refused[0].FullyQualifiedErrorId | Should -BeLike 'JelouVaultReadFailed,*'
        $refused[0].Exception.Message | Should -BeLike "*'Jelou-$projectId' in vault 'TestVault'*, read as the signing secret of project '$projectId', $Problem*"
        $refused[0].ErrorDetails.RecommendedAction | Should -BeLike "Store the project's signing secret there as Jelou issued it, or get a new one: Reset-JelouExternalSupportSecret '$projectId' -Force -Vault 'TestVault'*"
        @(Invoke-JelouEmulatorControl $Emulator 'agent-messages').Count | Should -Be $before
    }

    It 'gives a command that mends a PSCredential copy (a login item) with something around its password, keeping its user name' {
        $projectId = New-TestProjectId
        $integration = New-JelouExternalSupport $projectId https://crm.example.com/jelou -WarningAction SilentlyContinue
        $conversation = Start-JelouConversation $projectId -BotId b1 -UserId u1 -Confirm:$false
        $padded = ConvertTo-SecureString ('"' + (ConvertTo-PlainText $integration.SigningSecret) + "`"`n") -AsPlainText -Force
        Set-Secret -Name "Jelou-$projectId" -Secret ([pscredential]::new('jelou', $padded)) -Vault TestVault

        ($conversation | Send-JelouSupportMessage 'hi' -Vault TestVault -Confirm:$false -WarningVariable warned -WarningAction SilentlyContinue).StatusCode | Should -Be 200

        # Get-Secret -AsPlainText leaves a PSCredential as it is: -replace made it "System.Management.Automation.PSCredential",
        # which the command then stored in the secret's place.
        # One statement, as every other such command: a line pasted from its Set-Secret on runs whole.
        ("$warned" -replace '^.*, and its metadata: ', '') | Should -BeLike 'Set-Secret *'
        Invoke-Expression ("$warned" -replace '^.*, and its metadata: ', '')
        $mended = Get-Secret -Name "Jelou-$projectId" -Vault TestVault
        $mended.UserName | Should -Be 'jelou'
        $mended.GetNetworkCredential().Password | Should -BeExactly (ConvertTo-PlainText $integration.SigningSecret)
        ($conversation | Send-JelouSupportMessage 'hi again' -Vault TestVault -Confirm:$false).StatusCode | Should -Be 200
    }

    It 'says so when the vault holds the name with spaces around it, which a trimmed -SecretName cannot name, and how to rename it' {
        $projectId = New-TestProjectId
        $integration = New-JelouExternalSupport $projectId https://crm.example.com/jelou -WarningAction SilentlyContinue
        $conversation = Start-JelouConversation $projectId -BotId b1 -UserId u1 -Confirm:$false
        # Stored by hand, as a vault that takes any name keeps it.
        Set-Secret -Name 'crm signing ' -Secret $integration.SigningSecret -Vault TestVault

        $conversation | Send-JelouSupportMessage 'hi' -Vault TestVault -SecretName 'crm signing ' -Confirm:$false -ErrorVariable refused -ErrorAction SilentlyContinue

        $refused[0].FullyQualifiedErrorId | Should -BeLike 'JelouVaultReadFailed,*'
        $refused[0].Exception.Message | Should -BeLike "*has no secret named 'crm signing'. It has 'crm signing ', with spaces or characters that do not show around the name: -SecretName is trimmed of them*"
        # The line it gives stores it where the trimmed name finds it.
        Invoke-Expression ($refused[0].Exception.Message -replace '^.*\((Set-Secret .*)\)\.$', '$1')
        ($conversation | Send-JelouSupportMessage 'hi' -Vault TestVault -SecretName 'crm signing' -Confirm:$false).StatusCode | Should -Be 200
    }

    It 'connects with an API key straight from Get-Secret' {
        Set-Secret -Name JelouApiKey -Secret $Emulator.ApiKey -Vault TestVault
        Connect-Jelou -ApiKey (Get-Secret JelouApiKey -Vault TestVault) -BaseUri $Emulator.GatewayUri -ChatbotUri $Emulator.ChatbotUri
        { Get-JelouExternalSupport (New-TestProjectId) -ErrorAction Stop } | Should -Throw -ErrorId 'JelouNotFound,*'
    }
}

Describe 'Vault names, checked before anything is created or rotated' {
    BeforeEach {
        Reset-StandInSecretStore
        Register-StandInVault -Name TestVault -DefaultVault
        Register-SecretVault -Name KV -ModuleName Az.KeyVault -VaultParameters @{ AZKVaultName = 'my-kv'; SubscriptionId = 'sub' }
    }

    It 'stores acme_prod in Key Vault under a default name Key Vault takes, and says which' {
        $projectId = 'acme_prod_' + [guid]::NewGuid().ToString('N').Substring(0, 6)

        $i = New-JelouExternalSupport -ProjectId $projectId -WebhookUrl https://crm.example.com/jelou -Vault KV -WarningVariable warned -WarningAction SilentlyContinue

        $i.SecretName | Should -Match '^Jelou-acme-prod-[0-9a-z]{6}--[0-9a-f]{8}$'
        $i.SecretVault | Should -Be 'KV'
        Get-StoredPlainText KV $i.SecretName | Should -Be (ConvertTo-PlainText $i.SigningSecret)
        "$warned" | Should -Match ([regex]::Escape("goes in as '$($i.SecretName)'"))
        # Send-JelouSupportMessage -Vault finds it under the same name.
        (Get-SecretInfo -Vault KV).Name | Should -Be $i.SecretName
        # A rotation replaces it there without saying so again.
        $r = Reset-JelouExternalSupportSecret $projectId -Force -Vault KV -WarningVariable again -WarningAction SilentlyContinue
        $r.SecretName | Should -Be $i.SecretName
        "$again" | Should -Not -Match 'goes in as'
    }

    It 'gives projects that differ only where Key Vault is strict names of their own' {
        $suffix = [guid]::NewGuid().ToString('N').Substring(0, 6)
        $created = "acme_prod$suffix", "acme.prod$suffix" | New-JelouExternalSupport -WebhookUrl https://crm.example.com/jelou -Vault KV -WarningAction SilentlyContinue

        $created.Count | Should -Be 2
        $created[0].SecretName | Should -Not -Be $created[1].SecretName
        foreach ($i in $created) { Get-StoredPlainText KV $i.SecretName | Should -Be (ConvertTo-PlainText $i.SigningSecret) }
    }

    It 'refuses a -SecretName the vault cannot take, naming the rule, before any request (<Command>)' -TestCases @(
        @{ Command = 'New-JelouExternalSupport'; Call = { param($p) New-JelouExternalSupport $p https://crm.example.com/jelou -Vault KV -SecretName 'Jelou_p' -ErrorAction Stop } }
        @{ Command = 'Reset-JelouExternalSupportSecret'; Call = { param($p) Reset-JelouExternalSupportSecret $p -Vault KV -SecretName 'Jelou_p' -Force -ErrorAction Stop } }
    ) {
        $projectId = New-TestProjectId
        if ($Command -like 'Reset*') { $old = New-JelouExternalSupport $projectId https://crm.example.com/jelou }
        Invoke-JelouEmulatorControl $Emulator 'requests' -Method DELETE | Out-Null

        $failure = { & $Call $projectId } | Should -Throw -PassThru

        $failure.FullyQualifiedErrorId | Should -BeLike 'JelouInvalidArgument,*'
        $failure.Exception.Message | Should -BeLike "*-SecretName 'Jelou_p' cannot name a signing secret in vault 'KV' (Az.KeyVault): it has '_'. *"
        $failure.Exception.Message | Should -Match "letters, digits and '-' only"
        @(Invoke-JelouEmulatorControl $Emulator 'requests').Count | Should -Be 0 -Because 'nothing may be created or rotated'
    }

    It 'refuses wildcard characters in a name for any vault' {
        $projectId = New-TestProjectId
        New-JelouExternalSupport $projectId https://crm.example.com/jelou -Vault TestVault -SecretName 'Jelou-[p]' -ErrorVariable refused -ErrorAction SilentlyContinue
        $refused[0].FullyQualifiedErrorId | Should -BeLike 'JelouInvalidArgument,*'
        Get-CreateRequestCount $projectId | Should -Be 0
    }

    It 'never overwrites a secret whose metadata names another project, even with -Force' {
        $owner = New-JelouExternalSupport (New-TestProjectId) https://crm.example.com/jelou -Vault TestVault -SecretName Shared
        $projectId = New-TestProjectId

        New-JelouExternalSupport $projectId https://crm.example.com/jelou -Vault TestVault -SecretName Shared -Force -ErrorVariable refused -ErrorAction SilentlyContinue

        $refused[0].FullyQualifiedErrorId | Should -BeLike 'JelouSecretExists,*'
        $refused[0].Exception.Message | Should -Match "signing secret of project '$($owner.ProjectId)'"
        Get-CreateRequestCount $projectId | Should -Be 0
        Get-StoredPlainText TestVault Shared | Should -Be (ConvertTo-PlainText $owner.SigningSecret)
    }
}

Describe 'Vault writes do only what the user agreed to' {
    BeforeEach {
        Reset-StandInSecretStore
        Register-StandInVault -Name TestVault -DefaultVault
    }

    It 'stores, and says so only once it is stored, when the caller has $WhatIfPreference and passes -WhatIf:$false' {
        $projectId = New-TestProjectId

        $i = & { $WhatIfPreference = $true; New-JelouExternalSupport $projectId https://crm.example.com/jelou -Vault TestVault -WhatIf:$false }

        $i.SecretVault | Should -Be 'TestVault'
        Get-StoredPlainText TestVault "Jelou-$projectId" | Should -Be (ConvertTo-PlainText $i.SigningSecret)
    }

    It 'does not prompt again for the vault write when the caller''s $ConfirmPreference is Low (<Command>)' -TestCases @(
        @{ Command = 'New'; Call = { param($p) New-JelouExternalSupport $p https://crm.example.com/jelou -Vault TestVault -Confirm:$false } }
        @{ Command = 'Reset'; Call = { param($p) Reset-JelouExternalSupportSecret $p -Vault TestVault -Force } }
    ) {
        $projectId = New-TestProjectId
        if ($Command -eq 'Reset') { New-JelouExternalSupport $projectId https://crm.example.com/jelou | Out-Null }

        # This suite runs in pwsh -NonInteractive: a second prompt would fail.
        $i = & { $ConfirmPreference = 'Low'; & $Call $projectId }

        $i.SecretVault | Should -Be 'TestVault'
        Get-StoredPlainText TestVault "Jelou-$projectId" | Should -Be (ConvertTo-PlainText $i.SigningSecret)
    }

    It 'replaces the project''s secret in a rotation whatever the caller''s $PSDefaultParameterValues say of Set-Secret and Get-Secret' {
        $projectId = New-TestProjectId
        New-JelouExternalSupport $projectId https://crm.example.com/jelou -Vault TestVault | Out-Null

        $i = & {
            $PSDefaultParameterValues = @{ 'Set-Secret:NoClobber' = $true; 'Get-Secret:AsPlainText' = $true }
            Reset-JelouExternalSupportSecret $projectId -Vault TestVault -Force
        }

        $i.SecretVault | Should -Be 'TestVault'
        Get-StoredPlainText TestVault "Jelou-$projectId" | Should -Be (ConvertTo-PlainText $i.SigningSecret)
    }

    It 'stores in a vault that keeps no metadata, and finds the default vault, whatever the caller''s defaults for Set-Secret -Metadata and Get-SecretVault -Name' {
        Register-StandInVault -Name NoMetadata -ModuleName Az.KeyVault -DefaultVault:$false
        $intoKeyVault, $intoDefault = (New-TestProjectId), (New-TestProjectId)

        $i, $j = & {
            $PSDefaultParameterValues = @{ 'Set-Secret:Metadata' = @{ Owner = 'someone' }; 'Get-SecretVault:Name' = 'NoMetadata' }
            New-JelouExternalSupport $intoKeyVault https://crm.example.com/jelou -Vault NoMetadata -WarningAction SilentlyContinue
            New-JelouExternalSupport $intoDefault https://crm.example.com/jelou -SecretName "Crm-$intoDefault"
        }

        $i.SecretVault | Should -Be 'NoMetadata'
        Get-StoredPlainText NoMetadata $i.SecretName | Should -Be (ConvertTo-PlainText $i.SigningSecret)
        $j.SecretVault | Should -Be 'TestVault'
        Get-StoredPlainText TestVault "Crm-$intoDefault" | Should -Be (ConvertTo-PlainText $j.SigningSecret)
    }

    It 'reads every write back: a vault that reports success but stores nothing is a JelouVaultWriteFailed' {
        Set-StandInVaultBehavior -Name TestVault -DropWrites
        $projectId = New-TestProjectId

        $i = New-JelouExternalSupport $projectId https://crm.example.com/jelou -Vault TestVault -ErrorVariable failed -ErrorAction SilentlyContinue

        $i.SecretVault | Should -BeNullOrEmpty -Because 'it was not stored'
        $i.SecretLocation | Should -Be 'in SigningSecret only: store it now'
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'JelouVaultWriteFailed,*'
        $failed[0].Exception.Message | Should -Match 'Set-Secret reported success, but vault .* does not hold the new secret'
        $JelouUnsavedIntegrations.ProjectId | Should -Contain $projectId
    }

    It 'tries a failing write again with backoff, one -Verbose line a retry, and stores it' {
        Set-StandInVaultBehavior -Name TestVault -FailNextWrites 2
        $projectId = New-TestProjectId

        $i = New-JelouExternalSupport $projectId https://crm.example.com/jelou -Vault TestVault -Verbose 4>&1 |
            Tee-Object -Variable all | Where-Object { $_ -is [JelouPS.ExternalSupportIntegration] }

        $i.SecretVault | Should -Be 'TestVault'
        Get-StoredPlainText TestVault "Jelou-$projectId" | Should -Be (ConvertTo-PlainText $i.SigningSecret)
        $retries = @($all | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and $_.Message -match 'did not take' })
        $retries.Count | Should -Be 2
        $retries[0].Message | Should -Match 'attempt 1 of 3'
    }

    It 'writes the wait before a retry with a decimal point in any culture' {
        Set-StandInVaultBehavior -Name TestVault -FailNextWrites 1
        $culture = [Threading.Thread]::CurrentThread.CurrentCulture
        try {
            [Threading.Thread]::CurrentThread.CurrentCulture = 'de-DE'
            $retry = New-JelouExternalSupport (New-TestProjectId) https://crm.example.com/jelou -Vault TestVault -Verbose 4>&1 |
                Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and $_.Message -match 'did not take' }
        }
        finally {
            [Threading.Thread]::CurrentThread.CurrentCulture = $culture
        }
        $retry.Message | Should -Match 'Trying again in \d+(\.\d+)? s\.$'
    }

    It 'leaves nothing in $Error when a retried write succeeds, so a runbook checking $Error sees a success' {
        Set-StandInVaultBehavior -Name TestVault -FailNextWrites 1
        $Error.Clear()

        $i = New-JelouExternalSupport (New-TestProjectId) https://crm.example.com/jelou -Vault TestVault -ErrorAction Stop

        $i.SecretVault | Should -Be 'TestVault'
        $Error.Count | Should -Be 0
    }

    It 'keeps the vault''s full record of a rotated secret: project, integration, webhook URL, creation and rotation times' {
        $projectId = New-TestProjectId
        $created = New-JelouExternalSupport $projectId https://crm.example.com/jelou?token=x -Vault TestVault

        $rotated = Reset-JelouExternalSupportSecret $projectId -Vault TestVault -Force

        $metadata = (Get-StandInSecret -Vault TestVault -Name "Jelou-$projectId").Metadata
        $metadata.ProjectId | Should -Be $projectId
        $metadata.IntegrationId | Should -Be $created.Id
        $metadata.WebhookUrl | Should -Be 'https://crm.example.com/jelou' -Because 'a query string may carry a token'
        $metadata.CreatedAt | Should -Be $created.CreatedAt.UtcDateTime
        $metadata.RegeneratedAt | Should -Be $rotated.SecretRegeneratedAt.UtcDateTime
    }

    It 'shows the new secret''s location and rotation time in Reset''s default view' {
        $projectId = New-TestProjectId
        New-JelouExternalSupport $projectId https://crm.example.com/jelou | Out-Null

        $rotated = Reset-JelouExternalSupportSecret $projectId -Vault TestVault -Force

        $wide = $rotated | Out-String -Width 200
        # Broken before "in vault" when longer than the 80-column width (a view cannot know a wider one).
        $wide | Should -Match "$([regex]::Escape($projectId))\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ\s+Jelou-$([regex]::Escape($projectId))\s+in vault TestVault"
        $narrow = $rotated | Out-String -Width 80
        @($narrow -split '\r?\n' | Where-Object Length -gt 80) | Should -BeNullOrEmpty
        $narrow | Should -Not -Match '…' -Because 'the location wraps in an 80-column terminal rather than being cut'
        ($narrow -replace '\s+') | Should -Match ([regex]::Escape("Jelou-${projectId}invaultTestVault"))
    }
}

Describe 'A secret never stays only in an object nobody kept' {
    BeforeEach {
        Reset-StandInSecretStore
        Register-StandInVault -Name TestVault -DefaultVault
    }

    It 'keeps every secret issued without a vault for the session, and Save-JelouSigningSecret stores them' {
        $projectId = New-TestProjectId
        New-JelouExternalSupport $projectId https://crm.example.com/jelou | Out-Null
        $JelouUnsavedIntegrations.ProjectId | Should -Contain $projectId

        $saved = Save-JelouSigningSecret -Vault TestVault -PassThru

        $saved.ProjectId | Should -Contain $projectId
        $kept = $saved | Where-Object ProjectId -eq $projectId
        Get-StoredPlainText TestVault "Jelou-$projectId" | Should -Be (ConvertTo-PlainText $kept.SigningSecret)
        (Get-StandInSecret -Vault TestVault -Name "Jelou-$projectId").Metadata.IntegrationId | Should -Be $kept.Id
        $kept.SecretLocation | Should -Be "Jelou-$projectId in vault TestVault"
        $JelouUnsavedIntegrations.ProjectId | Should -Not -Contain $projectId
    }

    It 'forgets a kept secret once Jelou has replaced it: a rotation supersedes it' {
        $projectId = New-TestProjectId
        New-JelouExternalSupport $projectId https://crm.example.com/jelou | Out-Null
        $rotated = Reset-JelouExternalSupportSecret $projectId -Force

        $kept = @($JelouUnsavedIntegrations | Where-Object ProjectId -eq $projectId)
        $kept.Count | Should -Be 1 -Because 'the first secret stopped working when the second was issued'
        ConvertTo-PlainText $kept[0].SigningSecret | Should -Be (ConvertTo-PlainText $rotated.SigningSecret)
    }

    It 'stores a copy of an integration that carries its secret (<Copy>)' -ForEach @(
        @{ Copy = 'Select-Object *'; Make = { param($i) $i | Select-Object * } }
        @{ Copy = 'Import-Clixml'; Make = { param($i) $path = Join-Path $TestDrive 'i.xml'; $i | Export-Clixml $path; Import-Clixml $path } }
    ) {
        $projectId = New-TestProjectId
        $issued = New-JelouExternalSupport $projectId https://crm.example.com/jelou

        $saved = & $Make $issued | Save-JelouSigningSecret -Vault TestVault -PassThru

        # The copy is the integration the session holds: stored, it leaves $JelouUnsavedIntegrations.
        $saved | Should -Be $issued
        Get-StoredPlainText TestVault "Jelou-$projectId" | Should -Be (ConvertTo-PlainText $issued.SigningSecret)
        (Get-StandInSecret -Vault TestVault -Name "Jelou-$projectId").Metadata.IntegrationId | Should -Be $issued.Id
        $JelouUnsavedIntegrations.ProjectId | Should -Not -Contain $projectId
    }

    It 'refuses a CSV row whose SigningSecret is the text Export-Csv writes for a SecureString, -Force or not, and the vault keeps its secret' {
        # An integration another session created and stored; its export, without the secret, is all this one has.
        $projectId = New-TestProjectId
        Set-Secret -Name "Jelou-$projectId" -Secret (ConvertTo-SecureString 'whsec-live-one-0001' -AsPlainText -Force) -Vault TestVault -Metadata @{ ProjectId = $projectId; ApiBaseUri = "$($Emulator.GatewayUri)" }
        $path = Join-Path $TestDrive 'exported.csv'
        [pscustomobject]@{ ProjectId = $projectId; SigningSecret = (ConvertTo-SecureString 'whsec-live-one-0001' -AsPlainText -Force) } | Export-Csv $path

        # And what other ways to text write in the cell: a type name in brackets, a deserialized one; an object's text.
        $row = Import-Csv $path
        $cells = $row.SigningSecret, '[System.Security.SecureString]', 'Deserialized.System.Security.SecureString', '@{Length=64}', '{"Length":64}'
        $rows = foreach ($cell in $cells) { [pscustomobject]@{ ProjectId = $projectId; SigningSecret = $cell } }

        $rows | Save-JelouSigningSecret -Vault TestVault -Force -ErrorVariable refused -ErrorAction SilentlyContinue

        $refused.Count | Should -Be $cells.Count
        "$($refused[0])" | Should -BeLike "*SigningSecret of the copy of project '$projectId' is a type name (such as System.Security.SecureString, which Export-Csv writes for a SecureString), not a secret*Nothing was stored*"
        "$($refused[3])" | Should -BeLike "*is an object written as text*not a secret*"
        Get-StoredPlainText TestVault "Jelou-$projectId" | Should -Be 'whsec-live-one-0001'
    }

    It 'reads the dates of a copy in the culture they were written in: a deserialized one''s invariant, a CSV cell''s this session''s' {
        $projectId = New-TestProjectId
        $culture = [Threading.Thread]::CurrentThread.CurrentCulture
        try {
            [Threading.Thread]::CurrentThread.CurrentCulture = 'de-DE'
            # Receive-Job gives a DateTimeOffset of a job's integration back as its invariant text; Export-Csv writes this culture's.
            $received = [pscustomobject]@{ ProjectId = "$projectId-job"; SigningSecret = 'whsec-from-a-job-0001'; CreatedAt = '05/01/2026 10:00:00 +00:00' }
            $received.PSObject.TypeNames.Insert(0, 'Deserialized.JelouPS.ExternalSupportIntegration')
            $cell = [pscustomobject]@{ ProjectId = "$projectId-csv"; SigningSecret = 'whsec-from-a-file-0001'; CreatedAt = '01.05.2026 10:00:00 +00:00' }

            $received, $cell | Save-JelouSigningSecret -Vault TestVault -WarningAction SilentlyContinue | Out-Null
        }
        finally {
            [Threading.Thread]::CurrentThread.CurrentCulture = $culture
        }

        foreach ($name in "Jelou-$projectId-job", "Jelou-$projectId-csv") {
            ([DateTimeOffset](Get-StandInSecret -Vault TestVault -Name $name).Metadata.CreatedAt).UtcDateTime | Should -Be ([datetime]'2026-05-01T10:00:00') -Because "$name was issued on the 1st of May"
        }
    }

    It 'says where the session stored a secret that a delete without -Vault leaves behind' {
        $projectId = New-TestProjectId
        New-JelouExternalSupport $projectId https://crm.example.com/jelou -Vault TestVault | Out-Null

        Remove-JelouExternalSupport $projectId -Force -WarningVariable left -WarningAction SilentlyContinue

        "$left" | Should -BeLike "*stored the signing secret of $projectId as 'Jelou-$projectId' in vault 'TestVault'*no longer works*Remove-Secret -Name 'Jelou-$projectId' -Vault 'TestVault'*"
        Get-StandInSecret -Vault TestVault -Name "Jelou-$projectId" | Should -Not -BeNullOrEmpty -Because 'without -Vault, no vault is touched'
    }

    It 'refuses an object that is not an integration without quoting it, and takes a copy whose secret is plain text' {
        $projectId = New-TestProjectId

        { Save-JelouSigningSecret -InputObject ([pscustomobject]@{ ProjectId = $projectId; Token = 'whsec-never-shown' }) -Vault TestVault -ErrorAction Stop } |
            Should -Throw -ExpectedMessage '*carries no SigningSecret*' -Because 'PowerShell''s own conversion error would quote the object'
        $Error[0] | Out-String | Should -Not -Match 'whsec-never-shown'
        $saved = [pscustomobject]@{ ProjectId = $projectId; SigningSecret = 'whsec-from-a-plain-text-export' } | Save-JelouSigningSecret -Vault TestVault -PassThru

        $saved.SecretLocation | Should -Be "Jelou-$projectId in vault TestVault"
        Get-StoredPlainText TestVault "Jelou-$projectId" | Should -Be 'whsec-from-a-plain-text-export'
    }

    It 'stores the secret of a copy with <Case> without them, and says so' -ForEach @(
        @{ Case = 'its line break'; Secret = "whsec-from-a-file-0002`r`n"; Around = 'has a space or line break around it (a copy read from a file often does)' }
        @{ Case = 'quotation marks'; Secret = "$([char]0x201C)whsec-from-a-file-0002$([char]0x201D)"; Around = 'has quotation marks around it (an env file that docker --env-file reads, or a spreadsheet cell, may keep them)' }
    ) {
        $projectId = New-TestProjectId

        $saved = [pscustomobject]@{ ProjectId = $projectId; SigningSecret = $Secret } |
            Save-JelouSigningSecret -Vault TestVault -PassThru -WarningVariable warned -WarningAction SilentlyContinue

        $saved.SecretLocation | Should -Be "Jelou-$projectId in vault TestVault"
        Get-StoredPlainText TestVault "Jelou-$projectId" | Should -BeExactly 'whsec-from-a-file-0002'
        "$warned" | Should -Be "The SigningSecret of the copy of project '$projectId' $Around`: it is taken without them, as Jelou issued it."
    }

    It 'says nothing of a copy of the same secret under another name, which still works' {
        $projectId = New-TestProjectId
        $issued = New-JelouExternalSupport $projectId https://crm.example.com/jelou -WarningAction SilentlyContinue
        $issued | Save-JelouSigningSecret -Vault TestVault -SecretName "First-$projectId"

        $issued | Save-JelouSigningSecret -Vault TestVault -SecretName "Second-$projectId" -WarningVariable warned

        $warned | Should -BeNullOrEmpty
        Get-StoredPlainText TestVault "First-$projectId" | Should -Be (Get-StoredPlainText TestVault "Second-$projectId")
    }

    It 'refuses a copy whose secret no issued secret looks like, -Force or not, and the vault keeps the live one: <Case>' -ForEach @(
        @{ Case = 'a SecureString of a line break'; Secret = { ConvertTo-SecureString "`r`n" -AsPlainText -Force }; Message = '*is blank*Nothing was stored*' }
        @{ Case = 'a zero-width space inside'; Secret = { "whsec-live$([char]0x200B)-0003`n" }; Message = '*has spaces, control, invisible or half characters*Nothing was stored*' }
    ) {
        $projectId = New-TestProjectId
        $issued = New-JelouExternalSupport $projectId https://crm.example.com/jelou -Vault TestVault
        $copy = $issued | Select-Object *
        $copy.SigningSecret = & $Secret

        $copy | Save-JelouSigningSecret -Vault TestVault -Force -ErrorVariable refused -ErrorAction SilentlyContinue

        $refused.Count | Should -Be 1
        $refused[0].FullyQualifiedErrorId | Should -Be 'JelouInvalidArgument,JelouPS.Commands.SaveJelouSigningSecretCommand'
        "$($refused[0])" | Should -BeLike $Message
        Get-StoredPlainText TestVault "Jelou-$projectId" | Should -Be (ConvertTo-PlainText $issued.SigningSecret)
    }

    It 'takes a copy''s ProjectId as -ProjectId takes one: a number as its text, one with a line break or a direction mark refused unshown' {
        $number = Get-Random -Minimum 100000000 -Maximum 999999999
        $saved = '{"ProjectId": ' + $number + ', "SigningSecret": "whsec-from-json-0005"}' | ConvertFrom-Json | Save-JelouSigningSecret -Vault TestVault -PassThru -WarningAction SilentlyContinue

        [pscustomobject]@{ ProjectId = "abc`nWARNING: forged"; SigningSecret = 'whsec-forged-0006' }, [pscustomobject]@{ ProjectId = "p$([char]0x202E)gnirts"; SigningSecret = 'whsec-forged-0007' } |
            Save-JelouSigningSecret -Vault TestVault -Force -ErrorVariable refused -ErrorAction SilentlyContinue -WarningVariable warned -WarningAction SilentlyContinue

        $saved.ProjectId | Should -Be "$number"
        $refused.Count | Should -Be 2
        $refused | ForEach-Object { $_.FullyQualifiedErrorId | Should -Be 'JelouInvalidArgument,JelouPS.Commands.SaveJelouSigningSecretCommand' }
        "$refused" | Should -Not -Match "`n|$([char]0x202E)"
        $warned | Should -BeNullOrEmpty
        (Get-SecretInfo -Vault TestVault).Name | Where-Object { $_ -like '*forged*' -or $_ -like '*gnirts*' } | Should -BeNullOrEmpty
    }

    It 'names a refused CSV row by its project, never holding the row (whose secret is plain text) as the error''s target' {
        $path = Join-Path $TestDrive 'blank-id.csv'
        "ProjectId,SigningSecret`n ,whsec-row-secret-0004`n" | Set-Content $path

        Import-Csv $path | Save-JelouSigningSecret -Vault TestVault -Force -ErrorVariable refused -ErrorAction SilentlyContinue

        $refused.Count | Should -Be 1
        $refused[0].TargetObject | Should -BeNullOrEmpty
        ($refused[0] | Format-List * -Force | Out-String) + ($refused[0].CategoryInfo | Out-String) + ($refused[0] | Get-Error | Out-String) | Should -Not -Match 'whsec-row-secret'
    }

    It 'refuses a copy whose secret is empty, as a blank CSV cell gives it' {
        { [pscustomobject]@{ ProjectId = New-TestProjectId; SigningSecret = ' ' } | Save-JelouSigningSecret -Vault TestVault -ErrorAction Stop } |
            Should -Throw -ExpectedMessage '*not empty*'
    }

    It 'wants -Force for a copy of a secret the session never received once it saw the integration deleted' {
        $projectId = New-TestProjectId
        New-JelouExternalSupport $projectId https://crm.example.com/jelou | Out-Null
        Remove-JelouExternalSupport $projectId -Force
        $foreign = [pscustomobject]@{ ProjectId = $projectId; SigningSecret = (ConvertTo-SecureString 'whsec-of-unknown-age' -AsPlainText -Force) }

        $foreign | Save-JelouSigningSecret -Vault TestVault -ErrorVariable unknown -ErrorAction SilentlyContinue

        $unknown.FullyQualifiedErrorId | Should -BeLike 'JelouSecretMayBeReplaced,*'
        "$unknown" | Should -BeLike '*saw the integration of*deleted*'
        Get-StandInSecret -Vault TestVault -Name "Jelou-$projectId" | Should -BeNullOrEmpty
    }

    It 'says a copy of a secret the session never received may not be the live one, and stores it with -Force' {
        $projectId = New-TestProjectId
        New-JelouExternalSupport $projectId https://crm.example.com/jelou | Out-Null
        # As Receive-Job would bring it from another process that rotated the project.
        $foreign = [pscustomobject]@{ ProjectId = $projectId; SigningSecret = (ConvertTo-SecureString 'whsec-from-another-process' -AsPlainText -Force) }

        $foreign | Save-JelouSigningSecret -Vault TestVault -ErrorVariable unknown -ErrorAction SilentlyContinue
        $unknown.FullyQualifiedErrorId | Should -BeLike 'JelouSecretMayBeReplaced,*'
        "$unknown" | Should -BeLike '*received another signing secret*which is live is unknown*'
        Get-StandInSecret -Vault TestVault -Name "Jelou-$projectId" | Should -BeNullOrEmpty

        $foreign | Save-JelouSigningSecret -Vault TestVault -Force | Out-Null
        Get-StoredPlainText TestVault "Jelou-$projectId" | Should -Be 'whsec-from-another-process'
    }

    It 'after a copy of a later secret from elsewhere, stores the session''s own only with -Force, the copy stored or not (<Forced>)' -ForEach @(
        @{ Forced = $false }
        @{ Forced = $true }
    ) {
        $projectId = New-TestProjectId
        New-JelouExternalSupport $projectId https://crm.example.com/jelou | Out-Null
        # Another process (a scheduled job) rotates the project, as the API answers anyone with the key.
        $rotated = Invoke-RestMethod "$($Emulator.GatewayUri)/v1/external-support/$projectId/secret/regenerate" -Method Post -Headers @{ 'x-api-key' = $Emulator.ApiKey }
        $copy = [pscustomobject]@{ ProjectId = $projectId; SigningSecret = (ConvertTo-SecureString $rotated.data.signingSecret -AsPlainText -Force); SecretRegeneratedAt = [DateTimeOffset]::UtcNow.AddSeconds(1) }

        $own = $JelouUnsavedIntegrations | Where-Object ProjectId -eq $projectId
        $copy | Save-JelouSigningSecret -Vault TestVault -Force:$Forced -ErrorAction SilentlyContinue | Out-Null
        Save-JelouSigningSecret -Vault TestVault -ErrorVariable refused -ErrorAction SilentlyContinue

        if ($Forced) {
            Save-JelouSigningSecret -Vault TestVault -Force -ErrorAction SilentlyContinue
            # Stored on the caller's word and issued later: it is the live one, and the session's own is dead.
            $own.SecretLocation | Should -Be 'dead: Jelou no longer accepts it'
            $JelouUnsavedIntegrations.ProjectId | Should -Not -Contain $projectId
            Get-StoredPlainText TestVault "Jelou-$projectId" | Should -Be $rotated.data.signingSecret -Because 'the dead one must not replace the copy, -Force or not'
        }
        else {
            $refused.FullyQualifiedErrorId | Should -BeLike 'JelouSecretMayBeReplaced,*'
            "$refused" | Should -BeLike "*A copy of a later signing secret of $projectId*another process probably rotated the project*"
            $own.SecretLocation | Should -Be 'may be dead: possibly rotated since'
        }
        # The doubted secret would stay in $JelouUnsavedIntegrations for the tests that save all of it.
        Remove-JelouExternalSupport $projectId -Force -WarningAction SilentlyContinue
    }

    It 'refuses, -Force or not, a copy issued before the one it holds as live' {
        $projectId = New-TestProjectId
        New-JelouExternalSupport $projectId https://crm.example.com/jelou | Out-Null
        # Another process rotates twice: B, then C. Only C is live.
        $uri = "$($Emulator.GatewayUri)/v1/external-support/$projectId/secret/regenerate"
        $b, $c = 1, 2 | ForEach-Object {
            $answer = Invoke-RestMethod $uri -Method Post -Headers @{ 'x-api-key' = $Emulator.ApiKey }
            [pscustomobject]@{ ProjectId = $projectId; SigningSecret = (ConvertTo-SecureString $answer.data.signingSecret -AsPlainText -Force); SecretRegeneratedAt = [DateTimeOffset]::UtcNow.AddSeconds($_) }
        }
        Register-StandInVault -Name Second

        $c | Save-JelouSigningSecret -Vault TestVault -Force
        $b | Save-JelouSigningSecret -Vault Second -Force -ErrorVariable older -ErrorAction SilentlyContinue

        "$older" | Should -BeLike "*issued*before the one this session holds as live*was not stored (-Force or not)*"
        Get-StandInSecret -Vault Second -Name "Jelou-$projectId" | Should -BeNullOrEmpty
        Remove-JelouExternalSupport $projectId -Force -WarningAction SilentlyContinue
    }

    It 'stores the live secret of those a background job received, from Receive-Job, as the job''s warning says' {
        $projectId = New-TestProjectId
        # The job created the integration, then rotated it: both come back, and the later one is live.
        $received = Start-Job {
            Import-Module $using:ModulePath
            Connect-Jelou -ApiKey $using:Emulator.ApiKey -BaseUri $using:Emulator.GatewayUri -ChatbotUri $using:Emulator.ChatbotUri
            New-JelouExternalSupport $using:projectId https://crm.example.com/jelou
            Reset-JelouExternalSupportSecret $using:projectId -Force
        } | Receive-Job -Wait -AutoRemoveJob -WarningVariable jobWarnings -WarningAction SilentlyContinue

        # The job's own list ended with its process: the warning must not send the user there.
        "$jobWarnings" | Should -BeLike "*runs in a background job or remote session*Give -Vault here, in the job*from a job, `$job.ChildJobs*.Output | Save-JelouSigningSecret -Vault <vault> (it stays there after Receive-Job has shown it*"

        $saved = $received | Save-JelouSigningSecret -Vault TestVault -PassThru
        # In the other order, the rotation is still the one stored: its time is not earlier, and rotating follows creating.
        Register-StandInVault -Name Reversed
        $received[1], $received[0] | Save-JelouSigningSecret -Vault Reversed -ErrorAction SilentlyContinue | Out-Null

        $saved[-1].SecretLocation | Should -Be "Jelou-$projectId in vault TestVault"
        # The copy that was stored says so too.
        $received[1].SecretLocation | Should -Be "Jelou-$projectId in vault Reversed"
        Get-StoredPlainText Reversed "Jelou-$projectId" | Should -Be (Get-StoredPlainText TestVault "Jelou-$projectId")
        $conversation = Start-JelouConversation $projectId -BotId b -UserId u -Confirm:$false
        ($conversation | Send-JelouSupportMessage 'signed with what the job received' -Vault TestVault -Confirm:$false).StatusCode | Should -Be 200
    }

    It 'refuses a copy the session knows was replaced, even with -Force (<Copy>), and says so of an object that carries no secret' -ForEach @(
        @{ Copy = 'Select-Object *'; Make = { param($i) $i | Select-Object * } }
        # A SecureString of its own: recognised by its value.
        @{ Copy = 'Import-Clixml'; Make = { param($i) $path = Join-Path $TestDrive 'dead.xml'; $i | Export-Clixml $path; Import-Clixml $path } }
    ) {
        $projectId = New-TestProjectId
        $first = New-JelouExternalSupport $projectId https://crm.example.com/jelou
        $copy = & $Make $first
        Reset-JelouExternalSupportSecret $projectId -Force | Out-Null

        $copy | Save-JelouSigningSecret -Vault TestVault -ErrorVariable stale -ErrorAction SilentlyContinue
        $copy | Save-JelouSigningSecret -Vault TestVault -Force -ErrorVariable forced -ErrorAction SilentlyContinue
        Get-JelouExternalSupport $projectId | Select-Object * | Save-JelouSigningSecret -Vault TestVault -ErrorVariable other -ErrorAction SilentlyContinue

        "$stale" | Should -BeLike '*newer signing secret*no longer works*'
        "$forced" | Should -BeLike '*newer signing secret*no longer works*' -Because '-Force vouches for a secret of unknown age, not for one Jelou replaced'
        "$other" | Should -BeLike "*The copy of project '$projectId' carries no SigningSecret: only the answers of New-JelouExternalSupport and Reset-JelouExternalSupportSecret*"
        Get-StandInSecret -Vault TestVault -Name "Jelou-$projectId" | Should -BeNullOrEmpty
    }

    It 'uses SecretManagement''s default vault for -SecretName without -Vault' {
        $projectId = New-TestProjectId
        $i = New-JelouExternalSupport $projectId https://crm.example.com/jelou -SecretName "Crm-$projectId"
        $i.SecretVault | Should -Be 'TestVault'
        Get-StoredPlainText TestVault "Crm-$projectId" | Should -Be (ConvertTo-PlainText $i.SigningSecret)
    }

    It 'fails before any request for -SecretName without -Vault when there is no default vault' {
        Reset-StandInSecretStore
        Register-StandInVault -Name NotDefault -DefaultVault:$false
        $projectId = New-TestProjectId

        { New-JelouExternalSupport $projectId https://crm.example.com/jelou -SecretName "Crm-$projectId" -ErrorAction Stop } |
            Should -Throw -ErrorId 'JelouVaultNotFound,JelouPS.Commands.NewJelouExternalSupportCommand'
        Get-CreateRequestCount $projectId | Should -Be 0
    }

    It 'leaves the integration recoverable in a runbook with $ErrorActionPreference = ''Stop'' when the vault write fails' {
        Set-StandInVaultBehavior -Name TestVault -FailWrites
        $projectId = New-TestProjectId

        $caught = & {
            $ErrorActionPreference = 'Stop'
            try { $i = New-JelouExternalSupport $projectId https://crm.example.com/jelou -Vault TestVault; 'not reached' }
            catch { $_ }
        }

        $caught.FullyQualifiedErrorId | Should -BeLike 'JelouVaultWriteFailed,*'
        $caught.ErrorDetails.Message | Should -Match '\$JelouUnsavedIntegrations'
        $caught.ErrorDetails.RecommendedAction | Should -BeLike '*catch this error and run Save-JelouSigningSecret -Vault <another vault>: without input it stores every secret still in no vault*'
        $caught.ErrorDetails.RecommendedAction | Should -BeLike "*If this process has ended since, the secret ended with it: get a new one with Reset-JelouExternalSupportSecret '$projectId' -Force -Vault 'TestVault' -SecretName 'Jelou-$projectId'."
        $caught.TargetObject.ProjectId | Should -Be $projectId
        Set-StandInVaultBehavior -Name TestVault
        Save-JelouSigningSecret -Vault TestVault
        Get-StoredPlainText TestVault "Jelou-$projectId" | Should -Be (ConvertTo-PlainText $caught.TargetObject.SigningSecret)
    }

    It 'refuses to save an integration that carries no secret' {
        $projectId = New-TestProjectId
        New-JelouExternalSupport $projectId https://crm.example.com/jelou | Out-Null
        Get-JelouExternalSupport $projectId | Save-JelouSigningSecret -Vault TestVault -ErrorVariable refused -ErrorAction SilentlyContinue
        $refused[0].FullyQualifiedErrorId | Should -Be 'JelouInvalidArgument,JelouPS.Commands.SaveJelouSigningSecretCommand'
        Get-StandInSecret -Vault TestVault -Name "Jelou-$projectId" | Should -BeNullOrEmpty
    }
}

Describe 'Signing secrets kept in other shapes' {
    BeforeAll {
        Reset-StandInSecretStore
        Register-StandInVault -Name Shapes -DefaultVault
        $Receiver = Start-TestWebhookReceiver
        $ProjectId = New-TestProjectId
        $Integration = New-JelouExternalSupport $ProjectId $Receiver.Url
        $Conversation = Start-JelouConversation $ProjectId -BotId bot-s -UserId user-s -Confirm:$false
        Receive-TestWebhook $Receiver | Out-Null
    }

    AfterAll { $Receiver | Stop-TestWebhookReceiver }

    It 'signs a reply with the password of a PSCredential secret (KeePass, LastPass, 1Password login items)' {
        Set-Secret -Name Login -Secret ([pscredential]::new('jelou', $Integration.SigningSecret)) -Vault Shapes

        $receipt = $Conversation | Send-JelouSupportMessage 'from a login item' -Vault Shapes -SecretName Login -Confirm:$false

        $receipt.StatusCode | Should -Be 200
    }

    It 'names the vault in its advice when -SecretName names no secret there' {
        $Conversation | Send-JelouSupportMessage 'hi' -Vault Shapes -SecretName NoSuchName -Confirm:$false -ErrorVariable refused -ErrorAction SilentlyContinue

        $refused[0].FullyQualifiedErrorId | Should -Be 'JelouVaultReadFailed,JelouPS.Commands.SendJelouSupportMessageCommand'
        $refused[0].ErrorDetails.RecommendedAction | Should -BeLike "Check -SecretName (Get-SecretInfo -Vault 'Shapes' lists the names)*"
    }

    It 'asks for -SecretName, not to check one, when the vault holds no secret of the project and none was given' {
        $Conversation | Send-JelouSupportMessage 'hi' -Vault Shapes -Confirm:$false -ErrorVariable refused -ErrorAction SilentlyContinue

        $refused[0].FullyQualifiedErrorId | Should -Be 'JelouVaultReadFailed,JelouPS.Commands.SendJelouSupportMessageCommand'
        $refused[0].ErrorDetails.RecommendedAction | Should -BeLike "Give -SecretName, the name of the project's signing secret in the vault (Get-SecretInfo -Vault 'Shapes' lists the names)*"
    }

    It 'names the shapes it reads when the secret is a hashtable' {
        Set-Secret -Name Table -Secret @{ signingSecret = 'x' } -Vault Shapes

        $Conversation | Send-JelouSupportMessage 'hi' -Vault Shapes -SecretName Table -Confirm:$false -ErrorVariable refused -ErrorAction SilentlyContinue

        $refused[0].FullyQualifiedErrorId | Should -Be 'JelouVaultReadFailed,JelouPS.Commands.SendJelouSupportMessageCommand'
        $refused[0].Exception.Message | Should -Match 'is a Hashtable; a signing secret is read from a SecureString, a string or a PSCredential'
    }
}

Describe 'A vault that gives a secret by name but cannot list them (Key Vault with Get and not List)' {
    BeforeAll {
        Reset-StandInSecretStore
        Register-StandInVault -Name GetOnly -ModuleName Az.KeyVault -DefaultVault
        $Receiver = Start-TestWebhookReceiver
        $ProjectId = New-TestProjectId
        $Integration = New-JelouExternalSupport $ProjectId $Receiver.Url -WarningAction SilentlyContinue
        Set-Secret -Name "Jelou-$ProjectId" -SecureStringSecret $Integration.SigningSecret -Vault GetOnly
        Set-Secret -Name crm-reply -SecureStringSecret $Integration.SigningSecret -Vault GetOnly
        Set-StandInVaultBehavior -Name GetOnly -DenyList
        $Conversation = Start-JelouConversation $ProjectId -BotId bot-g -UserId user-g -Confirm:$false
        Receive-TestWebhook $Receiver | Out-Null
    }

    AfterAll { $Receiver | Stop-TestWebhookReceiver }

    It 'signs a reply with the secret read by <Case>' -TestCases @(
        @{ Case = 'its -SecretName'; Named = @{ SecretName = 'crm-reply' } }
        @{ Case = 'the project''s default name'; Named = @{} }
    ) {
        { Get-SecretInfo -Vault GetOnly -ErrorAction Stop } | Should -Throw '*Unable to get secret information*' -Because 'the vault refuses listing'

        $receipt = $Conversation | Send-JelouSupportMessage 'read by name' -Vault GetOnly @Named -Confirm:$false

        $receipt.StatusCode | Should -Be 200
    }

    It 'says why when the name holds no secret: the vault could not list, and nothing is under that name' {
        $Conversation | Send-JelouSupportMessage 'missing' -Vault GetOnly -SecretName no-such-secret -Confirm:$false -ErrorVariable refused -ErrorAction SilentlyContinue

        $refused[0].FullyQualifiedErrorId | Should -BeLike 'JelouVaultReadFailed,*'
        "$($refused[0])" | Should -BeLike "*could not list its secrets (*Unable to get secret information*), so the signing secret was looked for by name, and it has no secret named 'no-such-secret'.*"
    }

    It 'signs no reply of project P1 with what Jelou-P1 gives where it gives project p1''s secret too: it cannot list to tell whose it is' {
        # The vault compares names without letter case; p1's default name is Jelou-p1, P1's is hashed.
        $upper = $ProjectId.ToUpperInvariant()
        $before = @(Invoke-JelouEmulatorControl $Emulator 'agent-messages').Count

        Send-JelouSupportMessage -ProjectId $upper -RoomId r -BotId b -UserId u -Text hi -Vault GetOnly -SecretName "Jelou-$upper" -Confirm:$false -ErrorVariable refused -ErrorAction SilentlyContinue

        $refused[0].FullyQualifiedErrorId | Should -Be 'JelouInvalidArgument,JelouPS.Commands.SendJelouSupportMessageCommand'
        "$($refused[0])" | Should -BeLike "*Vault 'GetOnly' (Az.KeyVault) gives the same secret for 'Jelou-$upper' as for 'Jelou-$ProjectId', project '$ProjectId''s default name*not used as the signing secret of project '$upper'*"
        @(Invoke-JelouEmulatorControl $Emulator 'agent-messages').Count | Should -Be $before
    }

    It 'says that it could not list, and why, where a create must find where the project''s secret is, and ends the command creating nothing' {
        $projects = 1..3 | ForEach-Object { New-TestProjectId }

        # Every row would fail alike: one error, whatever -ErrorAction says, as for a vault that cannot be opened.
        $refused = { $projects | New-JelouExternalSupport -WebhookUrl https://crm.example.com/jelou -Vault GetOnly -ErrorAction SilentlyContinue } |
            Should -Throw -ErrorId 'JelouVaultUnavailable,JelouPS.Commands.NewJelouExternalSupportCommand' -PassThru

        # Test-SecretVault passes there: the reason is the extension's own, which SecretManagement's message leaves out.
        "$refused" | Should -BeLike "*Vault 'GetOnly' (Az.KeyVault) could not list its secrets: Unable to get secret information from vault GetOnly (Operation returned an invalid status code 'Forbidden')*"
        $refused.ErrorDetails.RecommendedAction | Should -BeLike '*let the identity list its secrets (Azure Key Vault: the List permission)*'
        $refused.ErrorDetails.RecommendedAction | Should -Not -BeLike '*Test-SecretVault*'
        $projects | ForEach-Object { Get-CreateRequestCount $_ | Should -Be 0 }
    }

    It 'ends <Command> at its first listing as well, before any request' -ForEach @(
        @{ Command = 'Reset-JelouExternalSupportSecret'; Method = 'POST' }
        @{ Command = 'Remove-JelouExternalSupport'; Method = 'DELETE' }
        @{ Command = 'Save-JelouSigningSecret'; Method = $null }
    ) {
        Invoke-JelouEmulatorControl $Emulator 'requests' -Method DELETE | Out-Null
        $given = if ($Method) { $ProjectId, $ProjectId } else { $Integration, $Integration }

        { $given | & $Command -Force -Vault GetOnly -ErrorAction SilentlyContinue } | Should -Throw -ErrorId "JelouVaultUnavailable,*"

        @(Invoke-JelouEmulatorControl $Emulator 'requests' | Where-Object path -Like "*$ProjectId*").Count | Should -Be 0
    }
}

Describe 'A vault that stops listing its secrets during a command' {
    BeforeAll {
        Reset-StandInSecretStore
        Register-StandInVault -Name Flaky
    }

    It 'fails only the inputs it could not list for, once it has listed for one, and goes on' {
        $projects = 1..3 | ForEach-Object { New-TestProjectId }

        $created = $projects | ForEach-Object { if ($_ -eq $projects[1]) { Set-StandInVaultBehavior -Name Flaky -DenyList }; $_ } |
            New-JelouExternalSupport -WebhookUrl https://crm.example.com/jelou -Vault Flaky -ErrorVariable failed -ErrorAction SilentlyContinue

        $created.ProjectId | Should -Be $projects[0]
        $failed.FullyQualifiedErrorId | Should -Be 'JelouVaultUnavailable,JelouPS.Commands.NewJelouExternalSupportCommand', 'JelouVaultUnavailable,JelouPS.Commands.NewJelouExternalSupportCommand'
        $failed.TargetObject | Should -Be $projects[1], $projects[2]
        $projects[1], $projects[2] | ForEach-Object { Get-CreateRequestCount $_ | Should -Be 0 }
    }
}

Describe 'Whose secret is under a name' {
    BeforeEach {
        Reset-StandInSecretStore
        Register-StandInVault -Name TestVault -DefaultVault
        Register-SecretVault -Name KV -ModuleName Az.KeyVault -VaultParameters @{ AZKVaultName = 'my-kv'; SubscriptionId = 'sub' }
    }

    It 'never lets a project take another project''s default name as -SecretName, even with -Force' {
        $projectId, $other = (New-TestProjectId), (New-TestProjectId)
        New-JelouExternalSupport $projectId https://crm.example.com/jelou | Out-Null
        Set-Secret -Name "Jelou-$other" -Secret 'the-other-projects-secret' -Vault KV     # stored by another run

        Reset-JelouExternalSupportSecret $projectId -Vault KV -SecretName "Jelou-$other" -Force -ErrorVariable refused -ErrorAction SilentlyContinue
        New-JelouExternalSupport (New-TestProjectId) https://crm.example.com/jelou -Vault KV -SecretName "Jelou-$other-new" -Force -ErrorVariable refusedNew -ErrorAction SilentlyContinue

        $refused[0].FullyQualifiedErrorId | Should -Be 'JelouInvalidArgument,JelouPS.Commands.ResetJelouExternalSupportSecretCommand'
        $refused[0].Exception.Message | Should -Match "the name JelouPS gives the signing secret of project '$other'"
        $refusedNew[0].FullyQualifiedErrorId | Should -Be 'JelouInvalidArgument,JelouPS.Commands.NewJelouExternalSupportCommand'
        Get-CreateRequestCount "$other-new" | Should -Be 0
        @(Invoke-JelouEmulatorControl $Emulator 'requests' | Where-Object path -Match "$projectId/secret/regenerate").Count | Should -Be 0
        (Get-StandInSecret -Vault KV -Name "Jelou-$other").Secret | Should -Be 'the-other-projects-secret'
    }

    It 'takes the project''s default name typed in another letter case as that name, and refuses another project''s default name typed so' {
        # SecretStore, Key Vault and the Credential Manager compare names without letter case: 'jelou-P1' finds 'Jelou-p1'.
        $projectId = New-TestProjectId
        New-JelouExternalSupport $projectId https://crm.example.com/jelou -Vault TestVault | Out-Null
        $conversation = Start-JelouConversation $projectId -BotId b -UserId u -Confirm:$false
        $typed = "jelou-$($projectId.ToUpperInvariant())"

        ($conversation | Send-JelouSupportMessage 'signed with the secret typed otherwise' -Vault TestVault -SecretName $typed -Confirm:$false).StatusCode | Should -Be 200
        $rotated = Reset-JelouExternalSupportSecret $projectId -Vault TestVault -SecretName $typed -Force
        $new = New-TestProjectId
        New-JelouExternalSupport $new https://crm.example.com/jelou -Vault TestVault -SecretName "JELOU-$($new.ToUpperInvariant())" | Out-Null
        # A project whose id is upper case has a hashed default name: 'jelou-p1' is project p1's, not P1's.
        $upper = (New-TestProjectId).ToUpperInvariant()
        New-JelouExternalSupport $upper https://crm.example.com/jelou -Vault TestVault -SecretName "jelou-$($upper.ToLowerInvariant())" -ErrorVariable refused -ErrorAction SilentlyContinue

        Get-StoredPlainText TestVault "Jelou-$projectId" | Should -Be (ConvertTo-PlainText $rotated.SigningSecret)
        @(Get-SecretInfo -Name * -Vault TestVault).Name | Sort-Object | Should -Be (@("Jelou-$projectId", "Jelou-$new") | Sort-Object)
        $refused[0].FullyQualifiedErrorId | Should -Be 'JelouInvalidArgument,JelouPS.Commands.NewJelouExternalSupportCommand'
        "$refused" | Should -BeLike "*of project '$($upper.ToLowerInvariant())', so it cannot hold the signing secret of project '$upper' (the letter case of a project id counts).*"
        Get-CreateRequestCount $upper | Should -Be 0
    }

    It '<Command> -Force, which a runbook needs for the prompt, never replaces or removes a secret nothing tells the owner of' -TestCases @(
        @{ Command = 'Reset' }, @{ Command = 'Remove' }
    ) {
        $projectId = New-TestProjectId
        New-JelouExternalSupport $projectId https://crm.example.com/jelou -Vault TestVault | Out-Null
        Set-Secret -Name CrmWebhookToken -Secret 'crm-token' -Vault TestVault     # the CRM's own secret, in the same vault
        $row = [pscustomobject]@{ ProjectId = $projectId; SecretName = 'CrmWebhookToken' }     # a spreadsheet's wrong column

        switch ($Command) {
            'Reset' { $row | Reset-JelouExternalSupportSecret -Vault TestVault -Force -ErrorVariable refused -ErrorAction SilentlyContinue }
            'Remove' { $row | Remove-JelouExternalSupport -Vault TestVault -Force -ErrorVariable refused -ErrorAction SilentlyContinue }
        }

        $refused[0].FullyQualifiedErrorId | Should -BeLike 'JelouSecretExists,*'
        $refused[0].Exception.Message | Should -Match '-Force only answers the prompt'
        (Get-StandInSecret -Vault TestVault -Name CrmWebhookToken).Secret | Should -BeExactly 'crm-token'
        Get-JelouExternalSupport $projectId | Should -Not -BeNullOrEmpty
    }

    It 'rotates into a hand-named secret of a vault without metadata the way the refusal says' {
        $projectId = New-TestProjectId
        $created = New-JelouExternalSupport $projectId https://crm.example.com/jelou
        $created.SigningSecret | Set-Secret -Name "crm-signing-$projectId" -Vault KV     # stored by hand, no metadata
        Reset-JelouExternalSupportSecret $projectId -Vault KV -SecretName "crm-signing-$projectId" -Force -ErrorVariable refused -ErrorAction SilentlyContinue
        $refused[0].ErrorDetails.RecommendedAction | Should -Match 'Reset-JelouExternalSupportSecret .* -Force \| Save-JelouSigningSecret -Vault .* -SecretName .* -Force'

        $rotated = Reset-JelouExternalSupportSecret $projectId -Force | Save-JelouSigningSecret -Vault KV -SecretName "crm-signing-$projectId" -Force -PassThru -WarningAction SilentlyContinue

        Get-StoredPlainText KV "crm-signing-$projectId" | Should -Be (ConvertTo-PlainText $rotated.SigningSecret)
    }

    It 'never replaces a project''s secret from another server, whose metadata says so' {
        $projectId = New-TestProjectId
        New-JelouExternalSupport $projectId https://crm.example.com/jelou -Vault TestVault | Out-Null
        # Another server (a staging gateway, say) has projects of its own, whatever their ids; refused before any request.
        $staging = Connect-Jelou -ApiKey $Emulator.ApiKey -BaseUri https://gateway-staging.example.com/jelouapi -PassThru
        Connect-Jelou -ApiKey $Emulator.ApiKey -BaseUri $Emulator.GatewayUri -ChatbotUri $Emulator.ChatbotUri

        Reset-JelouExternalSupportSecret $projectId -Vault TestVault -Force -Context $staging -ErrorVariable refused -ErrorAction SilentlyContinue

        $refused[0].FullyQualifiedErrorId | Should -BeLike 'JelouSecretExists,*'
        $refused[0].Exception.Message | Should -Match "project '$projectId' on http://127\.0\.0\.1:"
    }

    It 'keeps apart ids that differ only in case in what the session remembers' {
        $lower = 'keys-' + [guid]::NewGuid().ToString('N').Substring(0, 8)
        $first = New-JelouExternalSupport $lower https://crm.example.com/jelou -Vault TestVault
        New-JelouExternalSupport $lower.ToUpperInvariant() https://crm.example.com/jelou -Vault TestVault | Out-Null

        $rotated = Reset-JelouExternalSupportSecret $lower -Vault TestVault -Force

        $rotated.SecretName | Should -Be $first.SecretName
        Get-StoredPlainText TestVault $first.SecretName | Should -Be (ConvertTo-PlainText $rotated.SigningSecret)
    }

    It 'stores by hand where a failed create meant to, although nothing is there yet' {
        Set-StandInVaultBehavior -Name TestVault -FailWrites
        $projectId = New-TestProjectId
        $i = New-JelouExternalSupport $projectId https://crm.example.com/jelou -Vault TestVault -SecretName "CrmSigning-$projectId" -ErrorAction SilentlyContinue
        Set-StandInVaultBehavior -Name TestVault

        $JelouUnsavedIntegrations | Where-Object ProjectId -eq $projectId | Save-JelouSigningSecret -Vault TestVault

        Get-StoredPlainText TestVault "CrmSigning-$projectId" | Should -Be (ConvertTo-PlainText $i.SigningSecret)
    }

    It 'reads a reply''s secret where a rotation put it' {
        $receiver = Start-TestWebhookReceiver
        try {
            $projectId = New-TestProjectId
            $created = New-JelouExternalSupport $projectId $receiver.Url
            $created.SigningSecret | Set-Secret -Name "Crm-$projectId" -Vault TestVault -Metadata @{ ProjectId = $projectId; ApiBaseUri = "$($Emulator.GatewayUri)" }
            Reset-JelouExternalSupportSecret $projectId -Vault TestVault -Force | Out-Null
            $conversation = Start-JelouConversation $projectId -BotId b -UserId u -Confirm:$false
            Receive-TestWebhook $receiver | Out-Null

            ($conversation | Send-JelouSupportMessage 'hi' -Vault TestVault -Confirm:$false).StatusCode | Should -Be 200
        }
        finally { $receiver | Stop-TestWebhookReceiver }
    }

    It 'gives ids that differ only in case names of their own, so -Force never reaches the other''s' {
        $lower = 'case-' + [guid]::NewGuid().ToString('N').Substring(0, 8)
        $upper = $lower.ToUpperInvariant()
        $first = New-JelouExternalSupport $lower https://crm.example.com/jelou -Vault KV -WarningAction SilentlyContinue

        $second = New-JelouExternalSupport $upper https://crm.example.com/jelou -Vault KV -Force -WarningAction SilentlyContinue

        $second.SecretName | Should -Not -Be $first.SecretName
        $second.SecretName | Should -Match "^Jelou-$upper--[0-9a-f]{8}$"
        Get-StoredPlainText KV $first.SecretName | Should -Be (ConvertTo-PlainText $first.SigningSecret)
        Get-StoredPlainText KV $second.SecretName | Should -Be (ConvertTo-PlainText $second.SigningSecret)
    }

    It 'rotates the secret where it is stored, under the name the project''s metadata has, and removes it from there' {
        $projectId = New-TestProjectId
        $created = New-JelouExternalSupport $projectId https://crm.example.com/jelou
        # Stored by hand, as a receiver's team might: only the metadata says whose it is.
        $created.SigningSecret | Set-Secret -Name "Crm-Receiver-$projectId" -Vault TestVault -Metadata @{ ProjectId = $projectId; ApiBaseUri = "$($Emulator.GatewayUri)" }

        $rotated = Reset-JelouExternalSupportSecret $projectId -Vault TestVault -Force

        $rotated.SecretName | Should -Be "Crm-Receiver-$projectId"
        Get-StoredPlainText TestVault "Crm-Receiver-$projectId" | Should -Be (ConvertTo-PlainText $rotated.SigningSecret)
        Get-StandInSecret -Vault TestVault -Name "Jelou-$projectId" | Should -BeNullOrEmpty

        Remove-JelouExternalSupport $projectId -Vault TestVault -Force
        Get-StandInSecret -Vault TestVault -Name "Crm-Receiver-$projectId" | Should -BeNullOrEmpty
    }

    It 'stores by hand where a failed rotation meant to, with no -SecretName' {
        $projectId = New-TestProjectId
        New-JelouExternalSupport $projectId https://crm.example.com/jelou -Vault TestVault -SecretName "Custom-$projectId" | Out-Null
        Set-StandInVaultBehavior -Name TestVault -FailWrites
        $rotated = Reset-JelouExternalSupportSecret $projectId -Vault TestVault -Force -ErrorAction SilentlyContinue
        Set-StandInVaultBehavior -Name TestVault

        $JelouUnsavedIntegrations | Where-Object ProjectId -eq $projectId | Save-JelouSigningSecret -Vault TestVault

        Get-StoredPlainText TestVault "Custom-$projectId" | Should -Be (ConvertTo-PlainText $rotated.SigningSecret)
        Get-StandInSecret -Vault TestVault -Name "Jelou-$projectId" | Should -BeNullOrEmpty
    }

    It 'issues no more secrets once the vault fails in a batch, so none lives only in memory' {
        Set-StandInVaultBehavior -Name TestVault -FailWritesAfter 2
        $ids = 1..5 | ForEach-Object { New-TestProjectId }

        $created = $ids | ForEach-Object { [pscustomobject]@{ ProjectId = $_ } } |
            New-JelouExternalSupport -WebhookUrl https://crm.example.com/jelou -Vault TestVault -ErrorVariable failed -ErrorAction SilentlyContinue

        $created.ProjectId | Should -Be $ids[0..2]
        ($failed | ForEach-Object { $_.FullyQualifiedErrorId -replace ',.*' }) | Should -Be 'JelouVaultWriteFailed', 'JelouVaultUnavailable', 'JelouVaultUnavailable'
        $failed[1].Exception.Message | Should -Match "Storing the signing secret of $($ids[2]) in vault 'TestVault'.* failed"
        # A vault that refused the name works, and would refuse the same name again: the advice says what to change.
        $failed[1].ErrorDetails.RecommendedAction | Should -Match "The error for $($ids[2]) says why.*if it refused the secret's name.*-SecretName the vault takes.*once it works"
        foreach ($id in $ids[3..4]) { Get-CreateRequestCount $id | Should -Be 0 }
    }

    It 'keeps the vault''s record of the integration when a rotation cannot read it back' {
        $projectId = New-TestProjectId
        $created = New-JelouExternalSupport $projectId https://crm.example.com/jelou -Vault TestVault
        Invoke-JelouEmulatorControl $Emulator 'faults' -Method POST -Body @{ method = 'GET'; pathContains = $projectId; status = 503; retryAfter = '0'; count = 4 } | Out-Null

        Reset-JelouExternalSupportSecret $projectId -Vault TestVault -Force -WarningVariable warned -WarningAction SilentlyContinue | Out-Null

        $metadata = (Get-StandInSecret -Vault TestVault -Name "Jelou-$projectId").Metadata
        $metadata.IntegrationId | Should -Be $created.Id
        $metadata.WebhookUrl | Should -Be 'https://crm.example.com/jelou'
        $metadata.RegeneratedAt | Should -Not -BeNullOrEmpty
        "$warned" | Should -Match "Reading back the integration's id and webhook URL after the rotation of $projectId failed"
    }

    It 'tries every kept secret before reporting, even with $ErrorActionPreference = ''Stop''' {
        $owner = New-JelouExternalSupport (New-TestProjectId) https://crm.example.com/jelou -Vault TestVault
        $blocked, $fine = (New-TestProjectId), (New-TestProjectId)
        $blocked, $fine | New-JelouExternalSupport -WebhookUrl https://crm.example.com/jelou | Out-Null
        # Another project's secret already sits under the blocked project's default name.
        Set-Secret -Name "Jelou-$blocked" -Secret 'x' -Vault TestVault -Metadata @{ ProjectId = $owner.ProjectId; ApiBaseUri = "$($Emulator.GatewayUri)" }

        $caught = & { $ErrorActionPreference = 'Stop'; try { Save-JelouSigningSecret -Vault TestVault } catch { $_ } }

        $caught.FullyQualifiedErrorId | Should -BeLike 'JelouSecretExists,*'
        Get-StandInSecret -Vault TestVault -Name "Jelou-$fine" | Should -Not -BeNullOrEmpty
    }

    It 'remembers which project it stored a name for, where the vault keeps no metadata, and never gives it to another' {
        $first, $second = (New-TestProjectId), (New-TestProjectId)
        $kept = New-JelouExternalSupport $first https://crm.example.com/jelou -Vault KV -SecretName Team-Secret -WarningAction SilentlyContinue

        New-JelouExternalSupport $second https://crm.example.com/jelou -Vault KV -SecretName Team-Secret -Force -ErrorVariable refused -ErrorAction SilentlyContinue -WarningAction SilentlyContinue

        $refused[0].FullyQualifiedErrorId | Should -BeLike 'JelouSecretExists,*'
        $refused[0].Exception.Message | Should -Match "the signing secret of project '$first'"
        Get-CreateRequestCount $second | Should -Be 0
        Get-StoredPlainText KV Team-Secret | Should -Be (ConvertTo-PlainText $kept.SigningSecret)
    }

    It 'never saves a secret Jelou has replaced since' {
        $projectId = New-TestProjectId
        $old = New-JelouExternalSupport $projectId https://crm.example.com/jelou
        $live = Reset-JelouExternalSupportSecret $projectId -Vault TestVault -Force

        $old | Save-JelouSigningSecret -Vault TestVault -ErrorVariable refused -ErrorAction SilentlyContinue

        $refused[0].FullyQualifiedErrorId | Should -Be 'JelouInvalidArgument,JelouPS.Commands.SaveJelouSigningSecretCommand'
        $refused[0].Exception.Message | Should -Match 'newer signing secret'
        Get-StoredPlainText TestVault "Jelou-$projectId" | Should -Be (ConvertTo-PlainText $live.SigningSecret)
    }

    It 'stores a rotated secret by hand, as the error says, after the rotation''s own write failed' {
        $projectId = New-TestProjectId
        New-JelouExternalSupport $projectId https://crm.example.com/jelou -Vault TestVault | Out-Null
        Set-StandInVaultBehavior -Name TestVault -FailWrites

        $rotated = Reset-JelouExternalSupportSecret $projectId -Vault TestVault -Force -ErrorVariable failed -ErrorAction SilentlyContinue
        Set-StandInVaultBehavior -Name TestVault

        $failed[0].Exception.Message | Should -Match 'still holds the secret that was there before'
        $byHand = "`$JelouUnsavedIntegrations | Where-Object ProjectId -eq '$projectId' | Save-JelouSigningSecret -Vault 'TestVault' -SecretName 'Jelou-$projectId'"
        $failed[0].ErrorDetails.RecommendedAction | Should -BeLike "*$byHand*"
        Invoke-Expression $byHand
        Get-StoredPlainText TestVault "Jelou-$projectId" | Should -Be (ConvertTo-PlainText $rotated.SigningSecret)
    }

    It 'counts a write that stored the secret and then reported an error as stored' {
        Set-StandInVaultBehavior -Name TestVault -FailAfterWrite
        $projectId = New-TestProjectId

        $i = New-JelouExternalSupport $projectId https://crm.example.com/jelou -Vault TestVault -ErrorVariable failed -ErrorAction SilentlyContinue

        $failed.Count | Should -Be 0
        $i.SecretVault | Should -Be 'TestVault'
        Get-StoredPlainText TestVault "Jelou-$projectId" | Should -Be (ConvertTo-PlainText $i.SigningSecret)
    }

    It 'does not ask a vault that keeps no metadata to keep it (SecretManagement would write, fail and remove)' {
        Clear-StandInCallLog
        $i = New-JelouExternalSupport (New-TestProjectId) https://crm.example.com/jelou -Vault KV -WarningVariable warned -WarningAction SilentlyContinue
        # One write, which kept the secret: metadata given would have made SecretManagement remove it, and a second write.
        @(Get-StandInCallLog Set-Secret).Count | Should -Be 1
        Get-StoredPlainText KV $i.SecretName | Should -Be (ConvertTo-PlainText $i.SigningSecret)
        "$warned" | Should -Match 'keeps no metadata'
    }

    It 'uses the default vault for the rows that name a secret, and only those, and names the others at the end' {
        Register-StandInVault -Name Other -DefaultVault:$false
        $named, $blank, $spaces = (New-TestProjectId), (New-TestProjectId), (New-TestProjectId)
        # The runspace has been told already that a secret is in no vault: that warning is said once.
        New-JelouExternalSupport (New-TestProjectId) https://crm.example.com/jelou -WarningAction SilentlyContinue | Out-Null

        # A blank row before the named one: what the command did is known only at its end.
        $created = "ProjectId,SecretName`n$blank,`n$named,Crm-$named`n$spaces,   " | ConvertFrom-Csv |
            New-JelouExternalSupport -WebhookUrl https://crm.example.com/jelou -WarningVariable warned -WarningAction SilentlyContinue

        ($created | Where-Object ProjectId -eq $named).SecretVault | Should -Be 'TestVault'
        ($created | Where-Object ProjectId -eq $blank).SecretVault | Should -BeNullOrEmpty
        $JelouUnsavedIntegrations.ProjectId | Should -Contain $blank
        $summary = @($warned | Where-Object { "$_" -match ' in no vault: ' })
        $summary.Count | Should -Be 1
        "$summary" | Should -BeLike "2 rows of this command had no SecretName, so their secrets are in no vault: $blank, $spaces. Rows that name one are for vault 'TestVault'*Save-JelouSigningSecret -Vault 'TestVault'*"
        # What it advises stores them.
        Save-JelouSigningSecret -Vault TestVault | Out-Null
        Get-StandInSecret -Vault TestVault -Name "Jelou-$spaces" | Should -Not -BeNullOrEmpty
    }

    It 'under -WarningAction Stop, ends with the rows left in no vault as the TargetObject of its error' {
        $named, $blank = (New-TestProjectId), (New-TestProjectId)
        New-JelouExternalSupport (New-TestProjectId) https://crm.example.com/jelou -WarningAction SilentlyContinue | Out-Null

        $caught = $null
        try { $created = "ProjectId,SecretName`n$blank,`n$named,Crm-$named" | ConvertFrom-Csv | New-JelouExternalSupport -WebhookUrl https://crm.example.com/jelou -WarningAction Stop }
        catch { $caught = $_ }

        $created | Should -BeNullOrEmpty -Because 'the error took the assignment'
        $caught.FullyQualifiedErrorId | Should -Be 'ActionPreferenceStop,JelouPS.Commands.NewJelouExternalSupportCommand'
        @($caught.TargetObject).ProjectId | Should -Be @($blank)
        ConvertTo-PlainText @($caught.TargetObject)[0].SigningSecret | Should -Be (ConvertTo-PlainText ($JelouUnsavedIntegrations | Where-Object ProjectId -eq $blank).SigningSecret)
        $caught.TargetObject | Save-JelouSigningSecret -Vault TestVault | Out-Null
        Get-StandInSecret -Vault TestVault -Name "Jelou-$blank" | Should -Not -BeNullOrEmpty
    }

    It 'names the rows left in no vault also when the vault failed the others, and issues nothing once it failed (-ThrottleLimit)' {
        Set-StandInVaultBehavior -Name TestVault -FailWrites
        $ids = 1..8 | ForEach-Object { New-TestProjectId }
        # Two in flight at a time: the first row's write fails while the next ones are being sent.
        $rows = $ids | ForEach-Object { [pscustomobject]@{ ProjectId = $_; SecretName = if ($_ -in $ids[0], $ids[2]) { "Crm-$_" } else { '' } } }

        $created = $rows | New-JelouExternalSupport -WebhookUrl https://crm.example.com/jelou -ThrottleLimit 2 -ErrorVariable failed -ErrorAction SilentlyContinue -WarningVariable warned -WarningAction SilentlyContinue

        # The rows sent before the first failure settled: its own and the one beside it; no request after it is known.
        $sent = @($ids | Where-Object { (Get-CreateRequestCount $_) -gt 0 })
        $sent | Should -Be @($ids[0], $ids[1])
        @($failed | Where-Object { $_.FullyQualifiedErrorId -like 'JelouVaultUnavailable,*' }).TargetObject | Should -Be $ids[2..7]
        $summary = @($warned | Where-Object { "$_" -match ' in no vault: ' })
        $summary.Count | Should -Be 1 -Because 'one warning names every row left in no vault, however many vault errors came before'
        "$summary" | Should -BeLike "1 row of this command had no SecretName, so its secret is in no vault: $($ids[1]). Rows that name one are for vault 'TestVault'*"
        @($created).Count | Should -Be 2
    }

    It 'names the rows left in no vault before the vault error that ends the command under -ErrorAction Stop' {
        Set-StandInVaultBehavior -Name TestVault -FailWrites
        $blank, $named = (New-TestProjectId), (New-TestProjectId)
        $rows = [pscustomobject]@{ ProjectId = $blank; SecretName = '' }, [pscustomobject]@{ ProjectId = $named; SecretName = "Crm-$named" }

        $failure = { $rows | New-JelouExternalSupport -WebhookUrl https://crm.example.com/jelou -ErrorAction Stop -WarningVariable script:warned -WarningAction SilentlyContinue } | Should -Throw -PassThru

        $failure.FullyQualifiedErrorId | Should -BeLike 'JelouVaultWriteFailed,*'
        "$(@($script:warned | Where-Object { "$_" -match 'in no vault: ' }))" | Should -BeLike "1 row of this command had no SecretName, so its secret is in no vault: $blank.*"
        $JelouUnsavedIntegrations.ProjectId | Should -Contain $blank
    }

    It 'says nothing more at the end when no row went to a vault' {
        $created = "ProjectId,SecretName`n$(New-TestProjectId),`n$(New-TestProjectId)," | ConvertFrom-Csv |
            New-JelouExternalSupport -WebhookUrl https://crm.example.com/jelou -WarningVariable warned -WarningAction SilentlyContinue
        @($created).Count | Should -Be 2
        @($warned | Where-Object { "$_" -match 'in no vault: ' }).Count | Should -Be 0
    }

    It 'says no -Vault was given when Save has neither a vault nor a default' {
        Reset-StandInSecretStore
        Register-StandInVault -Name NotDefault -DefaultVault:$false
        { Save-JelouSigningSecret -ErrorAction Stop } | Should -Throw '*No -Vault was given, and SecretManagement has no default vault*'
    }

    It 'refuses to remove another project''s secret with the same ErrorId as everywhere' {
        $owner = New-JelouExternalSupport (New-TestProjectId) https://crm.example.com/jelou -Vault TestVault -SecretName Shared
        $projectId = New-TestProjectId
        New-JelouExternalSupport $projectId https://crm.example.com/jelou | Out-Null

        Remove-JelouExternalSupport $projectId -Vault TestVault -SecretName Shared -Force -ErrorVariable refused -ErrorAction SilentlyContinue

        $refused[0].FullyQualifiedErrorId | Should -Be 'JelouSecretExists,JelouPS.Commands.RemoveJelouExternalSupportCommand'
        Get-StoredPlainText TestVault Shared | Should -Be (ConvertTo-PlainText $owner.SigningSecret)
    }

    It 'reads each row''s secret from the default vault when the rows name them' {
        $receiver = Start-TestWebhookReceiver
        try {
            $projectId = New-TestProjectId
            New-JelouExternalSupport $projectId $receiver.Url -Vault TestVault -SecretName "Reply-$projectId" | Out-Null
            $conversation = Start-JelouConversation $projectId -BotId b -UserId u -Confirm:$false
            Receive-TestWebhook $receiver | Out-Null
            $row = $conversation | Select-Object ProjectId, RoomId, BotId, UserId, @{ n = 'SecretName'; e = { "Reply-$projectId" } }

            $receipt = $row | Send-JelouSupportMessage 'hi' -Confirm:$false

            $receipt.StatusCode | Should -Be 200
        }
        finally { $receiver | Stop-TestWebhookReceiver }
    }

    It '<Command> leaves the Jelou- name of the id in capitals alone, though the vault finds it by the lower-case name' -TestCases @(
        @{ Command = 'New' }, @{ Command = 'Reset' }, @{ Command = 'Remove' }, @{ Command = 'Save' }
    ) {
        $lower = 'case-' + [guid]::NewGuid().ToString('N').Substring(0, 8)
        $upper = $lower.ToUpperInvariant()
        $issued = New-JelouExternalSupport $lower https://crm.example.com/jelou
        # Project UPPER's secret, stored by hand (or by a JelouPS that did not hash ids with capitals) in a vault with no metadata.
        Set-Secret -Name "Jelou-$upper" -Secret 'upper-secret' -Vault KV

        switch ($Command) {
            'New' { New-JelouExternalSupport $lower https://crm.example.com/jelou -Vault KV -Force -ErrorVariable refused -ErrorAction SilentlyContinue }
            'Reset' { Reset-JelouExternalSupportSecret $lower -Vault KV -Force -ErrorVariable refused -ErrorAction SilentlyContinue }
            'Remove' { Remove-JelouExternalSupport $lower -Vault KV -Force -ErrorVariable refused -ErrorAction SilentlyContinue }
            'Save' { $issued | Save-JelouSigningSecret -Vault KV -Force -ErrorVariable refused -ErrorAction SilentlyContinue }
        }

        $refused[0].FullyQualifiedErrorId | Should -BeLike 'JelouSecretExists,*'
        $refused[0].Exception.Message | Should -Match "default name of project '$upper'"
        (Get-StandInSecret -Vault KV -Name "Jelou-$upper").Secret | Should -BeExactly 'upper-secret'
    }

    It 'finds the project''s own secret whether -BaseUri ends in a slash or uses the /platform prefix' {
        $projectId = New-TestProjectId
        New-JelouExternalSupport $projectId https://crm.example.com/jelou -Vault TestVault | Out-Null
        $slash = Connect-Jelou -ApiKey $Emulator.ApiKey -BaseUri "$($Emulator.GatewayUri)/" -PassThru
        $platform = Connect-Jelou -ApiKey $Emulator.ApiKey -BaseUri ([uri]::new($Emulator.BaseAddress, 'platform')) -PassThru
        Connect-Jelou -ApiKey $Emulator.ApiKey -BaseUri $Emulator.GatewayUri -ChatbotUri $Emulator.ChatbotUri

        $rotated = Reset-JelouExternalSupportSecret $projectId -Vault TestVault -Force -Context $slash
        Get-StoredPlainText TestVault "Jelou-$projectId" | Should -Be (ConvertTo-PlainText $rotated.SigningSecret)
        Reset-JelouExternalSupportSecret $projectId -Vault TestVault -Force -Context $platform -WhatIf -ErrorVariable refused -ErrorAction SilentlyContinue
        $refused | Should -BeNullOrEmpty
    }

    It 'signs no reply with a secret whose metadata names another project' {
        $projectId = New-TestProjectId
        Set-Secret -Name "Jelou-$projectId" -Secret 'the-other-projects' -Vault TestVault -Metadata @{ ProjectId = "$projectId-other"; ApiBaseUri = "$($Emulator.GatewayUri)" }
        $before = @(Invoke-JelouEmulatorControl $Emulator 'requests').Count

        Send-JelouSupportMessage -ProjectId $projectId -RoomId r -BotId b -UserId u -Text hi -Vault TestVault -Confirm:$false -ErrorVariable refused -ErrorAction SilentlyContinue

        $refused[0].FullyQualifiedErrorId | Should -BeLike 'JelouInvalidArgument,*'
        $refused[0].Exception.Message | Should -Match "project '$projectId-other'"
        @(Invoke-JelouEmulatorControl $Emulator 'requests').Count | Should -Be $before
    }

    It 'removes every copy of the project''s secret with the integration, and only those' {
        $projectId = New-TestProjectId
        New-JelouExternalSupport $projectId https://crm.example.com/jelou -Vault TestVault -SecretName "A-$projectId" | Out-Null
        Set-Secret -Name "B-$projectId" -Secret 'b' -Vault TestVault -Metadata @{ ProjectId = $projectId; ApiBaseUri = "$($Emulator.GatewayUri)" }
        Set-Secret -Name "Jelou-$projectId" -Secret 'c' -Vault TestVault
        Set-Secret -Name "Else-$projectId" -Secret 'else' -Vault TestVault

        Remove-JelouExternalSupport $projectId -Vault TestVault -Force

        @(Get-SecretInfo -Vault TestVault -Name "*$projectId").Name | Should -Be @("Else-$projectId")
    }

    It 'says which copies of the project''s secret a rotation into another name leaves dead' {
        $projectId = New-TestProjectId
        New-JelouExternalSupport $projectId https://crm.example.com/jelou -Vault TestVault | Out-Null

        Reset-JelouExternalSupportSecret $projectId -Vault TestVault -SecretName "$projectId-rotated" -Force -WarningVariable warned -WarningAction SilentlyContinue | Out-Null

        "$warned" | Should -Match "also holds 'Jelou-$projectId'.*no longer works"
    }

    It 'signs a reply with the newest of the project''s secrets by their metadata' {
        $receiver = Start-TestWebhookReceiver
        try {
            $projectId = New-TestProjectId
            New-JelouExternalSupport $projectId $receiver.Url -Vault TestVault | Out-Null
            $rotated = Reset-JelouExternalSupportSecret $projectId -Force
            # Stored by another tool: only its metadata says it is newer than what this session stored.
            $rotated.SigningSecret | Set-Secret -Name "$projectId-rotated" -Vault TestVault -Metadata @{ ProjectId = $projectId; ApiBaseUri = "$($Emulator.GatewayUri)"; RegeneratedAt = $rotated.SecretRegeneratedAt.UtcDateTime }
            $conversation = Start-JelouConversation $projectId -BotId b -UserId u -Confirm:$false
            Receive-TestWebhook $receiver | Out-Null

            ($conversation | Send-JelouSupportMessage 'hi' -Vault TestVault -Confirm:$false).StatusCode | Should -Be 200
        }
        finally { $receiver | Stop-TestWebhookReceiver }
    }

    It 'refuses to sign with one of two secrets of the project when nothing tells which is the newest, and what to do' {
        $projectId = New-TestProjectId
        $created = New-JelouExternalSupport $projectId https://crm.example.com/jelou -WarningAction SilentlyContinue
        # Two copies stored by hand, under the default name and by another tool: neither says when it was issued.
        $created.SigningSecret | Set-Secret -Name "Jelou-$projectId" -Vault TestVault
        $created.SigningSecret | Set-Secret -Name "$projectId-copy" -Vault TestVault -Metadata @{ ProjectId = $projectId; ApiBaseUri = "$($Emulator.GatewayUri)" }
        $conversation = Start-JelouConversation $projectId -BotId b -UserId u -Confirm:$false

        $conversation | Send-JelouSupportMessage 'hi' -Vault TestVault -Confirm:$false -ErrorVariable refused -ErrorAction SilentlyContinue

        $refused[0].FullyQualifiedErrorId | Should -BeLike 'JelouInvalidArgument,*'
        $refused[0].Exception.Message | Should -BeLike "*2 secrets in vault 'TestVault' * are signing secrets of project '$projectId' (*), and nothing tells which is the newest: remove those that no longer work (Remove-Secret), or give -SecretName the one to read."
        # The reply names the project first; the reason does not again (it said "For project ..., ... of project ...").
        $refused[0].Exception.Message | Should -Not -BeLike '*For project*' 
    }

    It 'finds the plain Jelou-<id> name of an id with capitals, which an earlier version or a person stored' {
        $projectId = 'Plain-' + [guid]::NewGuid().ToString('N').Substring(0, 8)
        $created = New-JelouExternalSupport $projectId https://crm.example.com/jelou
        $created.SigningSecret | Set-Secret -Name "Jelou-$projectId" -Vault KV

        Remove-JelouExternalSupport $projectId -Vault KV -Force -WarningVariable warned

        $warned | Should -BeNullOrEmpty
        Get-SecretInfo -Vault KV -Name "Jelou-$projectId" | Should -BeNullOrEmpty
    }

    It 'treats localhost and 127.0.0.1 as one server' {
        $projectId = New-TestProjectId
        New-JelouExternalSupport $projectId https://crm.example.com/jelou -Vault TestVault | Out-Null
        $localhost = Connect-Jelou -ApiKey $Emulator.ApiKey -BaseUri "http://localhost:$($Emulator.BaseAddress.Port)/jelouapi" -PassThru
        Connect-Jelou -ApiKey $Emulator.ApiKey -BaseUri $Emulator.GatewayUri -ChatbotUri $Emulator.ChatbotUri

        Reset-JelouExternalSupportSecret $projectId -Vault TestVault -Force -Context $localhost -WhatIf -ErrorVariable refused -ErrorAction SilentlyContinue

        $refused | Should -BeNullOrEmpty
    }

    It 'saves over an undated copy of the project''s secret it did not store only with -Force' {
        $projectId = New-TestProjectId
        $issued = New-JelouExternalSupport $projectId https://crm.example.com/jelou
        Set-Secret -Name "Jelou-$projectId" -Secret 'maybe-newer' -Vault KV     # another session's rotation, for all anyone can tell

        $issued | Save-JelouSigningSecret -Vault KV -ErrorVariable refused -ErrorAction SilentlyContinue -WarningAction SilentlyContinue
        (Get-StandInSecret -Vault KV -Name "Jelou-$projectId").Secret | Should -BeExactly 'maybe-newer'
        $refused[0].Exception.Message | Should -Match 'nothing tells whether it is older or newer'

        $issued | Save-JelouSigningSecret -Vault KV -Force -WarningAction SilentlyContinue
        Get-StoredPlainText KV "Jelou-$projectId" | Should -Be (ConvertTo-PlainText $issued.SigningSecret)
    }

    It 'takes a bare ProjectId tag, as other tools write, for no proof that a secret is the project''s' {
        $projectId = New-TestProjectId
        New-JelouExternalSupport $projectId https://crm.example.com/jelou -Vault TestVault | Out-Null
        Set-Secret -Name "gcp-$projectId" -Secret 'gcp-key' -Vault TestVault -Metadata @{ ProjectId = $projectId; Owner = 'terraform' }

        $rotated = Reset-JelouExternalSupportSecret $projectId -Vault TestVault -Force -WarningVariable warned
        Remove-JelouExternalSupport $projectId -Vault TestVault -Force

        $rotated.SecretName | Should -Be "Jelou-$projectId"
        $warned | Should -BeNullOrEmpty
        (Get-StandInSecret -Vault TestVault -Name "gcp-$projectId").Secret | Should -BeExactly 'gcp-key'
    }

    It 'never saves over a copy whose metadata dates it later, also when the date is ISO 8601 text' {
        $projectId = New-TestProjectId
        $issued = New-JelouExternalSupport $projectId https://crm.example.com/jelou
        Set-Secret -Name "Jelou-$projectId" -Secret 'live-newer' -Vault TestVault -Metadata @{ ProjectId = $projectId; ApiBaseUri = "$($Emulator.GatewayUri)"; RegeneratedAt = '2099-01-01T00:00:00Z' }

        $issued | Save-JelouSigningSecret -Vault TestVault -Force -ErrorVariable refused -ErrorAction SilentlyContinue

        $refused[0].Exception.Message | Should -Match 'newer signing secret'
        (Get-StandInSecret -Vault TestVault -Name "Jelou-$projectId").Secret | Should -BeExactly 'live-newer'
    }

    It 'says once a command that a vault keeps no metadata' {
        $rows = 1..3 | ForEach-Object { [pscustomobject]@{ ProjectId = New-TestProjectId; WebhookUrl = 'https://crm.example.com/jelou' } }

        $rows | New-JelouExternalSupport -Vault KV -WarningVariable warned -WarningAction SilentlyContinue | Out-Null

        @($warned | Where-Object { "$_" -match 'keeps no metadata' }).Count | Should -Be 1
    }

    It 'says with a warning that an id with capitals gets a hashed default name' {
        $projectId = 'Caps-' + [guid]::NewGuid().ToString('N').Substring(0, 8)
        $created = New-JelouExternalSupport $projectId https://crm.example.com/jelou -Vault TestVault -WarningVariable warned -WarningAction SilentlyContinue
        "$warned" | Should -Match ([regex]::Escape($created.SecretName))
    }
}

Describe 'Secrets issued in other runspaces' {
    BeforeAll {
        Reset-StandInSecretStore
        Register-StandInVault -Name TestVault -DefaultVault
    }

    It 'keeps a secret issued in ForEach-Object -Parallel for the session that started it' -Skip:($PSVersionTable.PSVersion.Major -lt 7) {
        $context = Get-JelouContext
        $projectId = New-TestProjectId
        $modulePath = Join-Path $ModulePath 'JelouPS.psd1'

        $projectId | ForEach-Object -Parallel {
            Import-Module $using:modulePath
            New-JelouExternalSupport $_ https://crm.example.com/jelou -Context $using:context | Out-Null
        }

        $JelouUnsavedIntegrations.ProjectId | Should -Contain $projectId
        $JelouUnsavedIntegrations | Where-Object ProjectId -eq $projectId | Save-JelouSigningSecret -Vault TestVault
        Get-StandInSecret -Vault TestVault -Name "Jelou-$projectId" | Should -Not -BeNullOrEmpty
    }

    It 'shows the list in a runspace whose creates all ran in ForEach-Object -Parallel once any JelouPS command runs there' -Skip:($PSVersionTable.PSVersion.Major -lt 7) {
        $projectId = New-TestProjectId
        $runspace = [powershell]::Create()
        try {
            # A script whose only JelouPS command of its own only looks.
            $null = $runspace.AddScript({
                param($modulePath, $emulator, $projectId)
                Import-Module $modulePath
                $projectId | ForEach-Object -Parallel {
                    Import-Module $using:modulePath
                    Connect-Jelou -ApiKey $using:emulator.ApiKey -BaseUri $using:emulator.GatewayUri -ChatbotUri $using:emulator.ChatbotUri
                    New-JelouExternalSupport $_ https://crm.example.com/jelou -WarningAction SilentlyContinue | Out-Null
                }
                Get-JelouContext | Out-Null
                @($global:JelouUnsavedIntegrations | Where-Object ProjectId -eq $projectId).Count
                $null -ne $global:JelouUnknownOutcomes
            }).AddArgument((Join-Path $ModulePath 'JelouPS.psd1')).AddArgument($Emulator).AddArgument($projectId)
            $kept, $unknownShown = $runspace.Invoke()

            $runspace.Streams.Error | Should -BeNullOrEmpty
            $kept | Should -Be 1
            $unknownShown | Should -BeTrue
        }
        finally {
            $runspace.Dispose()
        }
        $JelouUnsavedIntegrations | Where-Object ProjectId -eq $projectId | Save-JelouSigningSecret -Vault TestVault
    }
}

Describe 'A command that stores or removes the secrets of many projects takes what the vault holds when it reaches each one' {
    BeforeEach {
        Reset-StandInSecretStore
        Register-StandInVault -Name BulkVault
        $projects = 1..4 | ForEach-Object { New-TestProjectId }

        # Rows for $First's secret under 'shared', and a row more, before which (while the first row's request is in flight,
        # with -ThrottleLimit 2) this session empties the name and stores $Other's secret there.
        function Get-RowsWhileNameIsTaken([string] $First, [string] $Other) {
            New-JelouExternalSupport $First https://crm.example.com/jelou -Vault BulkVault -SecretName shared | Out-Null
            foreach ($id in $First, 'missing-project') {
                if ($id -ne $First) {
                    Remove-Secret -Name shared -Vault BulkVault
                    New-JelouExternalSupport $Other https://crm.example.com/jelou -Vault BulkVault -SecretName shared | Out-Null
                }
                [pscustomobject]@{ ProjectId = $id; SecretName = 'shared' }
            }
        }
    }

    It 'never replaces another project''s secret that this session stored under the name while a rotation was in flight' {
        $first, $other = $projects[0..1]

        Get-RowsWhileNameIsTaken $first $other |
            Reset-JelouExternalSupportSecret -Force -Vault BulkVault -ThrottleLimit 2 -ErrorVariable problems -ErrorAction SilentlyContinue -WarningAction SilentlyContinue | Out-Null

        (Get-SecretInfo -Vault BulkVault -Name shared).Metadata.ProjectId | Should -Be $other
        $refused = @($problems | Where-Object { "$_" -like "*now holds the signing secret of project '$other'*never replaced*" })
        $refused | Should -HaveCount 1
        $refused[0].FullyQualifiedErrorId | Should -BeLike 'JelouSecretExists,*'
        $refused[0].TargetObject.ProjectId | Should -Be $first
        $refused[0].ErrorDetails.RecommendedAction | Should -BeLike "*-SecretName <another name>*Leave 'shared' as it is*"
        $JelouUnsavedIntegrations.ProjectId | Should -Contain $first
    }

    It 'takes for the project''s only what the vault holds when it reaches the project: another process put another project''s secret in its copy meanwhile' {
        $first, $second, $third = $projects[0..2]
        $first, $second, $third | ForEach-Object { New-JelouExternalSupport $_ https://crm.example.com/jelou -Vault BulkVault } | Out-Null
        Set-Secret -Name crm -Vault BulkVault -Secret (Get-Secret "Jelou-$second" -Vault BulkVault) -Metadata (Get-SecretInfo "Jelou-$second" -Vault BulkVault).Metadata
        $rotationsBefore = @(Invoke-JelouEmulatorControl $Emulator 'requests' | Where-Object { $_.path -like "*$second/secret*" }).Count

        # Before the second rotation, 'crm' (a copy of the second project's secret when the command began) gets the third's.
        $first, $second | ForEach-Object {
            if ($_ -eq $second) { Set-Secret -Name crm -Vault BulkVault -Secret (Get-Secret "Jelou-$third" -Vault BulkVault) -Metadata (Get-SecretInfo "Jelou-$third" -Vault BulkVault).Metadata }
            $_
        } | Reset-JelouExternalSupportSecret -Force -Vault BulkVault -ErrorVariable problems -ErrorAction SilentlyContinue -WarningVariable warned -WarningAction SilentlyContinue | Out-Null

        $problems | Should -BeNullOrEmpty
        $warned | Where-Object { "$_" -like "*'crm'*" } | Should -BeNullOrEmpty -Because 'the third project''s secret is no copy of the second''s to remove'
        @(Invoke-JelouEmulatorControl $Emulator 'requests' | Where-Object { $_.path -like "*$second/secret*" }).Count | Should -Be ($rotationsBefore + 1)
        (Get-SecretInfo -Vault BulkVault -Name crm).Metadata.ProjectId | Should -Be $third
    }

    It 'never removes another project''s secret that this session stored under a name while a delete was in flight' {
        $first, $other = $projects[0..1]

        Get-RowsWhileNameIsTaken $first $other |
            Remove-JelouExternalSupport -Force -Vault BulkVault -ThrottleLimit 2 -ErrorAction SilentlyContinue -WarningVariable warned -WarningAction SilentlyContinue

        (Get-SecretInfo -Vault BulkVault -Name shared).Metadata.ProjectId | Should -Be $other
        @($warned | Where-Object { "$_" -like "*'shared'*now holds the signing secret of project '$other'*never removed*" }) | Should -HaveCount 1
    }
}
