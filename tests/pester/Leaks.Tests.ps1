# Nothing secret reaches any stream, view, serialisation, transcript or the emulator's request log:
# create, rotate and every error path, with every diagnostic stream on.
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-Module (Join-Path $PSScriptRoot '../modules/Microsoft.PowerShell.SecretManagement') -Force
    Reset-StandInSecretStore
    Register-StandInVault -Name LeakVault -DefaultVault
    $Emulator = Start-JelouEmulator -EmulatorDll $EmulatorDll
    $ClientId, $ClientSecret = 'emulator-client', 'emulator-client-secret'
    $WebhookTokens = 'leak-webhook-token-1', 'leak-webhook-token-2'
}

AfterAll {
    Disconnect-Jelou
    $Emulator | Stop-JelouEmulator
}

Describe 'Secrets never leak' {
    BeforeAll {
        $transcript = Join-Path $TestDrive 'transcript.txt'
        $projectId = New-TestProjectId
        $results = [System.Collections.Generic.List[object]]::new()
        $noisy = @{ Verbose = $true; Debug = $true; InformationAction = 'Continue'; ErrorAction = 'Continue'; WarningAction = 'Continue' }
        $fault = {
            param($status, $body, $extra = @{})
            $f = @{ status = $status; body = $body; pathContains = 'leak-fault' }
            foreach ($key in $extra.Keys) { $f[$key] = $extra[$key] }
            Invoke-JelouEmulatorControl $Emulator 'faults' -Method POST -Body $f | Out-Null
        }

        Start-Transcript -Path $transcript | Out-Null
        try {
            $streams = & {
                # A caller's defaults for the common variables collect what the module's own commands write, and nothing
                # of the vault calls the module makes for them (an extension's error quotes the secret below).
                $PSDefaultParameterValues = @{ '*:ErrorVariable' = '+defaultErrors'; '*:OutVariable' = '+defaultOutput'; '*:WarningVariable' = '+defaultWarnings'; '*:InformationVariable' = '+defaultInformation' }
                Connect-Jelou -Credential ([pscredential]::new($ClientId, (ConvertTo-SecureString $ClientSecret -AsPlainText -Force))) -BaseUri $Emulator.GatewayUri -PassThru -Verbose
                Connect-Jelou -ApiKey $Emulator.ApiKey -BaseUri $Emulator.GatewayUri -ChatbotUri $Emulator.ChatbotUri -TimeoutSec 1 -PassThru -Verbose
                New-JelouExternalSupport $projectId https://crm.example.com/j -AuthType bearer -WebhookAuthorization $WebhookTokens[0] -Vault LeakVault @noisy
                Set-JelouExternalSupport $projectId -AuthType api_key -WebhookAuthorization $WebhookTokens[1] -Confirm:$false @noisy
                Reset-JelouExternalSupportSecret $projectId -Vault LeakVault -Confirm:$false @noisy
                New-JelouExternalSupport $projectId https://crm.example.com/j -Vault LeakVault @noisy            # secret exists
                New-JelouExternalSupport $projectId https://crm.example.com/j -Force @noisy                      # 409
                & $fault 422 '{"message":"Invalid","validationError":{"authorization":["bad value"]}}'
                New-JelouExternalSupport 'leak-fault-422' https://crm.example.com/j -AuthType bearer -WebhookAuthorization $WebhookTokens[0] @noisy
                # A read is retried after a 500: this server keeps failing (for this project only, whatever the retries use up).
                & $fault 500 '<html>boom</html>' @{ contentType = 'text/html'; count = 4; pathContains = 'leak-fault-500' }
                Get-JelouExternalSupport 'leak-fault-500' @noisy
                & $fault 200 '{"id":"x","signingSecret":"' @{}
                New-JelouExternalSupport 'leak-fault-truncated' https://crm.example.com/j @noisy
                & $fault 200 '{}' @{ delayMs = 5000 }
                Get-JelouExternalSupport 'leak-fault-timeout' @noisy
                Set-StandInVaultBehavior -Name LeakVault -FailWrites
                Reset-JelouExternalSupportSecret $projectId -Vault LeakVault -Confirm:$false @noisy              # vault write fails
                Set-StandInVaultBehavior -Name LeakVault -FailWrites -WriteFailureStyle ExtensionQuotesValue
                Reset-JelouExternalSupportSecret $projectId -Vault LeakVault -Force @noisy                       # the vault's error quotes the secret
                Set-StandInVaultBehavior -Name LeakVault -FailNextWrites 1 -WriteFailureStyle ExtensionQuotesValue
                Reset-JelouExternalSupportSecret $projectId -Vault LeakVault -Force @noisy                       # so does its retry line
                Set-StandInVaultBehavior -Name LeakVault -FailNextWrites 1
                Reset-JelouExternalSupportSecret $projectId -Vault LeakVault -Force @noisy                       # stored after a retry
                Set-StandInVaultBehavior -Name LeakVault -DropWrites
                Reset-JelouExternalSupportSecret $projectId -Vault LeakVault -Force @noisy                       # the read-back finds nothing
                Set-StandInVaultBehavior -Name LeakVault
                $JelouUnsavedIntegrations | Format-List *
                Save-JelouSigningSecret -Vault LeakVault -PassThru @noisy                                 # the session's unsaved secrets
                Send-JelouTestEvent http://127.0.0.1:1/hook -SigningSecret $WebhookTokens[0] -AuthType bearer -WebhookAuthorization $WebhookTokens[1] -Confirm:$false @noisy
                Remove-JelouExternalSupport $projectId -Vault LeakVault -Force @noisy
                Connect-Jelou -ApiKey 'leak-wrong-api-key' -BaseUri $Emulator.GatewayUri
                try { Get-JelouExternalSupport $projectId @noisy } catch { $_ }                                  # 401 ends the command
                $script:collectedByDefaults = @($defaultErrors) + @($defaultOutput) + @($defaultWarnings) + @($defaultInformation)
            } *>&1
        }
        finally {
            Stop-Transcript | Out-Null
        }

        $objects = @($streams | Where-Object { $_ -is [JelouPS.ExternalSupportIntegration] })
        $errors = @($streams + $collectedByDefaults | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] }) + @($Error | Select-Object -First 20)
        $signingSecrets = $objects | Where-Object SigningSecret | ForEach-Object { ConvertTo-PlainText $_.SigningSecret }
        $secrets = @($Emulator.ApiKey, $ClientSecret, 'leak-wrong-api-key') + $WebhookTokens + $signingSecrets
        $base64 = @($secrets | ForEach-Object { [Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes($_)) }) +
            [Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes("${ClientId}:$ClientSecret"))

        $rendered = [System.Collections.Generic.List[string]]::new()
        $rendered.Add(($streams | Out-String -Width 400))
        $rendered.Add(($collectedByDefaults | Out-String -Width 400))
        foreach ($view in 'NormalView', 'DetailedView', 'ConciseView', 'CategoryView') {
            $ErrorView = $view
            $rendered.Add(($errors | Out-String -Width 400))
        }
        $ErrorView = 'ConciseView'
        foreach ($item in @($objects) + @($errors)) {
            $rendered.Add($item.ToString())
            $rendered.Add(($item | Format-List * -Force | Out-String -Width 400))
            # Exception.Data (ListDictionaryInternal) defeats ConvertTo-Json at depth; go as deep as it allows.
            $json = try { $item | ConvertTo-Json -Depth 4 -WarningAction SilentlyContinue } catch { $item | ConvertTo-Json -Depth 1 -WarningAction SilentlyContinue }
            $rendered.Add($json)
        }
        foreach ($e in $errors) {
            # Get-Error, and every exception of the chain with the records they carry: where a vault's own words are kept.
            $rendered.Add(($e | Get-Error | Out-String -Width 400))
            for ($x = $e.Exception; $x; $x = $x.InnerException) {
                $rendered.Add(($x | Format-List * -Force | Out-String -Width 400)); $rendered.Add("$x")
                if ($x.ErrorRecord) { $rendered.Add(($x.ErrorRecord | Format-List * -Force | Out-String -Width 400)) }
            }
        }
        $rendered.Add([System.Management.Automation.PSSerializer]::Serialize($errors, 6))
        $rendered.Add((Get-Content -Raw $transcript))
        $requestLog = @(Invoke-JelouEmulatorControl $Emulator 'requests')
        $rendered.Add(($requestLog | ConvertTo-Json -Depth 10))
    }

    It 'exercised every path it claims to' {
        @($signingSecrets | Sort-Object -Unique).Count | Should -BeGreaterOrEqual 5   # create, four rotations, and what Save stored of the session
        $ids = $errors.FullyQualifiedErrorId -replace ',.*'
        foreach ($id in 'JelouSecretExists', 'JelouConflict', 'JelouValidationFailed', 'JelouServerError', 'JelouInvalidResponse', 'JelouTimeout', 'JelouVaultWriteFailed', 'JelouTestEventFailed', 'JelouUnauthorized') {
            $ids | Should -Contain $id
        }
        ($rendered -join "`n") | Should -Match 'x-api-key: REDACTED'
        ($rendered -join "`n") | Should -Match 'did not take .* \(attempt 1 of 3\)' -Because 'a vault retry was logged'
    }

    It 'collected with the caller''s default common variables what its commands wrote, and no secret the vault calls read back' {
        @($collectedByDefaults | Where-Object { $_ -is [JelouPS.ExternalSupportIntegration] }).Count | Should -BeGreaterOrEqual 5
        $collectedSecrets = @($collectedByDefaults | Where-Object { $_ -is [securestring] } | ForEach-Object { ConvertTo-PlainText $_ })
        @($collectedSecrets | Where-Object { $_ -in $signingSecrets }) | Should -BeNullOrEmpty
    }

    It 'sent no secret where the API does not expect one (the emulator had nothing to scrub from its log)' {
        $requestLog.Count | Should -BeGreaterThan 5
        @($requestLog | Where-Object secretsRedacted).Count | Should -Be 0
    }

    It 'shows no secret in plain text anywhere' {
        $all = $rendered -join "`n"
        foreach ($secret in $secrets) { $all.Contains($secret) | Should -BeFalse -Because "'$($secret.Substring(0, 4))…' must not appear" }
    }

    It 'shows no secret in base64 anywhere' {
        $all = $rendered -join "`n"
        foreach ($encoded in $base64) { $all.Contains($encoded) | Should -BeFalse }
    }
}
