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

        $i = New-JelouExternalSupport $projectId https://crm.example.com/jelou -Vault TestVault -ErrorVariable failed -ErrorAction SilentlyContinue

        $i.ProjectId | Should -Be $projectId
        ConvertTo-PlainText $i.SigningSecret | Should -Match '^[0-9a-f]{64}$'
        $failed.Count | Should -Be 1
        $failed[0].FullyQualifiedErrorId | Should -Be 'JelouVaultWriteFailed,JelouPS.Commands.NewJelouExternalSupportCommand'
        $failed[0].CategoryInfo.Category | Should -Be 'WriteError'
        $failed[0].TargetObject | Should -Be $i
        $failed[0].ErrorDetails.RecommendedAction | Should -Match "Set-Secret -Name 'Jelou-$projectId' -Vault 'TestVault'"

        # The suggested line works once the vault is healthy again.
        Set-StandInVaultBehavior -Name TestVault
        $integration = $failed[0].TargetObject
        $integration.SigningSecret | Set-Secret -Name "Jelou-$projectId" -Vault 'TestVault'
        Get-StoredPlainText TestVault "Jelou-$projectId" | Should -Be (ConvertTo-PlainText $i.SigningSecret)
    }

    It 'stores without metadata, with a warning, in a vault that keeps none' {
        Register-StandInVault -Name PlainVault -NoMetadataSupport
        $projectId = New-TestProjectId

        $i = New-JelouExternalSupport $projectId https://crm.example.com/jelou -Vault PlainVault -WarningVariable warned -WarningAction SilentlyContinue

        Get-StoredPlainText PlainVault "Jelou-$projectId" | Should -Be (ConvertTo-PlainText $i.SigningSecret)
        $warned.Count | Should -Be 1
        "$($warned[0])" | Should -Match 'without its project id'
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

        $created.Count | Should -Be 8
        $failed.Count | Should -Be 3
        $failed.TargetObject.ProjectId | Should -Be $ids[5..7]
        foreach ($i in $created) { ConvertTo-PlainText $i.SigningSecret | Should -Match '^[0-9a-f]{64}$' }
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

    It 'connects with an API key straight from Get-Secret' {
        Set-Secret -Name JelouApiKey -Secret $Emulator.ApiKey -Vault TestVault
        Connect-Jelou -ApiKey (Get-Secret JelouApiKey -Vault TestVault) -BaseUri $Emulator.GatewayUri
        { Get-JelouExternalSupport (New-TestProjectId) -ErrorAction Stop } | Should -Throw -ErrorId 'JelouNotFound,*'
    }
}
