BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    $Emulator = Start-JelouEmulator -EmulatorDll $EmulatorDll
    Connect-Jelou -ApiKey $Emulator.ApiKey -BaseUri $Emulator.GatewayUri -ChatbotUri $Emulator.ChatbotUri
}

AfterAll {
    Disconnect-Jelou
    $Emulator | Stop-JelouEmulator
}

Describe 'New-JelouExternalSupport' {
    It 'creates an integration and returns its signing secret as a SecureString (<_> shape)' -ForEach 'envelope', 'flat' {
        Invoke-JelouEmulatorControl $Emulator 'shape' -Method PUT -Body @{ shape = $_ } | Out-Null
        $projectId = New-TestProjectId

        $i = New-JelouExternalSupport -ProjectId $projectId -WebhookUrl https://crm.example.com/jelou -AuthType bearer -WebhookAuthorization 'pester-token'

        $i | Should -BeOfType [JelouPS.ExternalSupportIntegration]
        $i.PSObject.TypeNames[0] | Should -Be 'JelouPS.ExternalSupportIntegration#IssuedSecret' -Because 'its default view shows where the secret is'
        $i.ProjectId | Should -Be $projectId
        $i.BrainId | Should -Be $projectId
        $i.WebhookUrl | Should -Be 'https://crm.example.com/jelou'
        $i.AuthType | Should -Be 'bearer'
        $i.CreatedAt | Should -BeOfType [DateTimeOffset]
        $i.SigningSecret | Should -BeOfType [securestring]
        ConvertTo-PlainText $i.SigningSecret | Should -Match '^[0-9a-f]{64}$'
        (Invoke-JelouEmulatorControl $Emulator "integrations/$projectId").authType | Should -Be 'bearer'
    }

    It 'puts its view''s type name, and what hides the URL''s key, on what it writes, not on the integration the session keeps' {
        $projectId = New-TestProjectId

        $i = New-JelouExternalSupport $projectId 'https://fn.example.net/api/jelou?code=pester-function-key' -WarningAction SilentlyContinue

        $i.PSObject.TypeNames[0] | Should -Be 'JelouPS.ExternalSupportIntegration#IssuedSecret'
        $kept = @($JelouUnsavedIntegrations | Where-Object ProjectId -EQ $projectId)[0]
        $kept.PSObject.TypeNames[0] | Should -Be 'JelouPS.ExternalSupportIntegration#IssuedSecret' -Because '$JelouUnsavedIntegrations shows where each secret is'
        [object]::ReferenceEquals($kept.PSObject.BaseObject, $i.PSObject.BaseObject) | Should -BeTrue
        $i.PSObject.Members['PSStandardMembers'] | Should -Not -BeNullOrEmpty -Because 'PowerShell''s own list of it leaves the URL out'
        $fresh = [psobject]::AsPSObject($i.PSObject.BaseObject)
        $because = 'what is added to the integration itself lives in a process-wide table as long as the session keeps it, and ' +
            'every garbage collection scans each such entry: a session that issued 23,000 secrets paid 2.7 times as much per collection'
        $fresh.PSObject.TypeNames[0] | Should -Be 'JelouPS.ExternalSupportIntegration' -Because $because
        $fresh.PSObject.Members['PSStandardMembers'] | Should -Not -BeNullOrEmpty -Because 'what hides the key must hold wherever the integration goes'
    }

    It 'hides the URL''s key from PowerShell''s own list of it in a typed variable, and its view says where the secret is' {
        $i = New-JelouExternalSupport (New-TestProjectId) 'https://fn.example.net/api/jelou?code=pester-function-key' -WarningAction SilentlyContinue

        [JelouPS.ExternalSupportIntegration] $typed = $i
        $listed = & { Get-Date -Date '2026-01-01'; $typed } | Out-String -Width 80
        $shown = $typed | Out-String -Width 80

        $listed | Should -Not -Match 'pester-function-key'
        $listed | Should -Match 'ProjectId'
        $shown | Should -Not -Match 'pester-function-key'
        $shown | Should -Match 'secret in SigningSecret only: store it now' -Because 'the read view''s last column keeps that to one line at 80 columns'
    }

    It 'lets .NET copy what the session keeps' {
        New-JelouExternalSupport (New-TestProjectId) https://crm.example.com/jelou -WarningAction SilentlyContinue | Out-Null

        $copy = [System.Collections.Generic.List[object]]::new($JelouUnsavedIntegrations)

        $copy.Count | Should -Be $JelouUnsavedIntegrations.Count
        $copy[-1].PSObject.TypeNames[0] | Should -Be 'JelouPS.ExternalSupportIntegration#IssuedSecret'
        [System.Linq.Enumerable]::ToArray($JelouUnknownOutcomes).Count | Should -Be $JelouUnknownOutcomes.Count
        [System.Collections.ArrayList]::new($JelouUnsavedIntegrations).Count | Should -Be $JelouUnsavedIntegrations.Count -Because 'ArrayList takes the non-generic ICollection'
    }

    It 'lists what the session keeps as a read-only list whose negative index counts from the end once' {
        New-JelouExternalSupport (New-TestProjectId) https://crm.example.com/jelou -WarningAction SilentlyContinue | Out-Null
        $count = $JelouUnsavedIntegrations.Count

        $JelouUnsavedIntegrations[-1].ProjectId | Should -Be @($JelouUnsavedIntegrations)[$count - 1].ProjectId
        $JelouUnsavedIntegrations[-$count].ProjectId | Should -Be @($JelouUnsavedIntegrations)[0].ProjectId
        $JelouUnsavedIntegrations[-($count + 1)] | Should -BeNullOrEmpty -Because 'past the oldest there is nothing, as with arrays'
        $JelouUnsavedIntegrations[$count] | Should -BeNullOrEmpty
        { $JelouUnsavedIntegrations.Add($null) } | Should -Throw -ExceptionType ([System.Management.Automation.MethodInvocationException])
    }

    It 'sends the documented request' {
        Invoke-JelouEmulatorControl $Emulator 'requests' -Method DELETE | Out-Null
        $projectId = New-TestProjectId

        New-JelouExternalSupport $projectId https://crm.example.com/jelou -AuthType api_key -WebhookAuthorization 'k' | Out-Null

        $request = @(Invoke-JelouEmulatorControl $Emulator 'requests')[-1]
        $request.method | Should -Be 'POST'
        $request.path | Should -Be "/jelouapi/v1/external-support/$projectId"
        $request.authentication | Should -Be 'api-key'
        $request.body | Should -Be '{"webhookUrl":"https://crm.example.com/jelou","authType":"api_key","authorization":"[REDACTED]"}'
    }

    It 'creates one integration per CSV row and reports a failing row without stopping' {
        $taken = New-TestProjectId
        New-JelouExternalSupport $taken https://crm.example.com/a | Out-Null
        $ids = (New-TestProjectId), $taken, (New-TestProjectId)
        $csv = Join-Path $TestDrive 'projects.csv'
        $ids | ForEach-Object { [pscustomobject]@{ ProjectId = $_; Team = 'support' } } | Export-Csv $csv -NoTypeInformation

        $created = Import-Csv $csv | New-JelouExternalSupport -WebhookUrl https://crm.example.com/jelou -ErrorVariable failures -ErrorAction SilentlyContinue

        $created.ProjectId | Should -Be @($ids[0], $ids[2])
        $failures.Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -Be 'JelouConflict,JelouPS.Commands.NewJelouExternalSupportCommand'
        $failures[0].TargetObject | Should -Be $taken
    }

    It 'refuses a plain-http webhook before sending anything' {
        $projectId = New-TestProjectId

        { New-JelouExternalSupport $projectId http://crm.example.com/jelou } | Should -Throw -ErrorId 'ParameterArgumentTransformationError,JelouPS.Commands.NewJelouExternalSupportCommand'

        @(Invoke-JelouEmulatorControl $Emulator 'requests' | Where-Object path -Match $projectId).Count | Should -Be 0
    }
}

Describe 'Output and formatting' {
    BeforeAll {
        $projectId = New-TestProjectId
        $integration = New-JelouExternalSupport $projectId https://crm.example.com/jelou -AuthType basic -WebhookAuthorization 'dXNlcjpwYXNz'
        $secret = ConvertTo-PlainText $integration.SigningSecret
    }

    It 'shows where a new secret is, and when it was issued, by default' {
        $text = $integration | Out-String -Width 80
        $text | Should -Match 'ProjectId\s+SecretIssuedAt\s+SecretLocation'
        $text | Should -Match "$([regex]::Escape($projectId))\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ\s+in SigningSecret only: store it now"
        $text | Should -Not -Match $secret
        @($text -split '\r?\n' | Where-Object Length -gt 80) | Should -BeNullOrEmpty -Because 'the view fits an 80-column terminal'
    }

    It 'shows a table of project, auth type and webhook for a read, without the secret' {
        $text = Get-JelouExternalSupport $projectId | Out-String
        $text | Should -Match 'ProjectId\s+AuthType\s+WebhookUrl'
        $text | Should -Match ([regex]::Escape($projectId))
        $text | Should -Not -Match 'SigningSecret'
        $text | Should -Not -Match $secret
    }

    It 'keeps the secret itself out of the default list view, and Format-List * shows only its type' {
        ($integration | Format-List | Out-String) | Should -Not -Match '(?m)^SigningSecret\s*:'
        $all = $integration | Format-List * | Out-String
        $all | Should -Match 'SigningSecret\s+: System.Security.SecureString'
        $all | Should -Not -Match $secret
    }

    It 'never shows the secret in ToString, ConvertTo-Json or Export-Csv' {
        $integration.ToString() | Should -Be "$projectId -> https://crm.example.com/jelou"
        ($integration | ConvertTo-Json) | Should -Not -Match $secret
        ($integration | ConvertTo-Csv) -join "`n" | Should -Not -Match $secret
    }

    It 'shows the connection without its key' {
        $text = Get-JelouContext | Format-List | Out-String
        $text | Should -Match 'AuthenticationType : ApiKey'
        $text | Should -Not -Match $Emulator.ApiKey
    }
}

Describe 'Get, Set and Remove' {
    It 'acts on a piped integration only over the connection it came from, never on the session''s other API' {
        $sandbox = Start-JelouEmulator -EmulatorDll $EmulatorDll
        try {
            $projectId = New-TestProjectId
            $prod = Get-JelouContext
            New-JelouExternalSupport $projectId https://crm.example.com/prod | Out-Null
            # The sandbox knows the same project id, and is the session's connection from now on.
            Connect-Jelou -ApiKey $sandbox.ApiKey -BaseUri $sandbox.GatewayUri -ChatbotUri $sandbox.ChatbotUri
            New-JelouExternalSupport $projectId https://crm.example.com/sandbox | Out-Null
            $read = Get-JelouExternalSupport $projectId -Context $prod
            $copy = [System.Management.Automation.PSSerializer]::Deserialize([System.Management.Automation.PSSerializer]::Serialize($read))

            $read, $copy | Reset-JelouExternalSupportSecret -Force -ErrorVariable refused -ErrorAction SilentlyContinue

            $read.ApiBaseUri | Should -Be $prod.BaseUri
            @($refused).Count | Should -Be 2
            $refused | ForEach-Object { $_.FullyQualifiedErrorId | Should -Be 'JelouInvalidArgument,JelouPS.Commands.ResetJelouExternalSupportSecretCommand' }
            "$($refused[0])" | Should -BeLike "Project '$projectId': It was read from http://127.0.0.1:*, but this command's connection is http://127.0.0.1:*: nothing was sent."
            $refused[0].ErrorDetails.RecommendedAction | Should -BeLike '*-Context*'
            @(Invoke-JelouEmulatorControl $sandbox 'requests' | Where-Object { $_.method -eq 'POST' -and $_.path -like "*$projectId/secret" }).Count | Should -Be 0

            # A conversation started there is refused here too.
            $conversation = Start-JelouConversation $projectId -BotId b -UserId u -Context $prod -Confirm:$false
            $conversation | Close-JelouConversation -Confirm:$false -ErrorVariable closing -ErrorAction SilentlyContinue
            $closing.FullyQualifiedErrorId | Should -Be 'JelouInvalidArgument,JelouPS.Commands.CloseJelouConversationCommand'
            $conversation | Add-Member RoomId 'room-1' -Force -PassThru | Add-Member BotId 'b' -Force -PassThru | Add-Member UserId 'u' -Force
            $conversation | Send-JelouSupportMessage 'signed for production' -SigningSecret 'not-this-one' -Confirm:$false -ErrorVariable replying -ErrorAction SilentlyContinue
            $replying.FullyQualifiedErrorId | Should -Be 'JelouInvalidArgument,JelouPS.Commands.SendJelouSupportMessageCommand'
            @(Invoke-JelouEmulatorControl $sandbox 'requests' | Where-Object path -Like '*external-support/webhook*').Count | Should -Be 0

            # With the connection it came from it goes through; a blank ApiBaseUri cell counts as not given.
            ($read | Get-JelouExternalSupport -Context $prod).WebhookUrl | Should -Be 'https://crm.example.com/prod'
            ([pscustomobject]@{ ProjectId = $projectId; ApiBaseUri = ' ' } | Get-JelouExternalSupport).WebhookUrl | Should -Be 'https://crm.example.com/sandbox'
        }
        finally {
            Connect-Jelou -ApiKey $Emulator.ApiKey -BaseUri $Emulator.GatewayUri -ChatbotUri $Emulator.ChatbotUri
            $sandbox | Stop-JelouEmulator
        }
    }

    It 'updates a project that comes twice one row after the other with -ThrottleLimit, so that the last row stays' {
        $projectId, $other = (New-TestProjectId), (New-TestProjectId)
        $projectId, $other | New-JelouExternalSupport -WebhookUrl https://crm.example.com/v0 | Out-Null
        # A later row corrects an earlier one; another project's row goes beside them.
        $rows = @(1..3 | ForEach-Object { [pscustomobject]@{ ProjectId = $projectId; WebhookUrl = "https://crm.example.com/v$_" } }) + [pscustomobject]@{ ProjectId = $other; WebhookUrl = 'https://crm.example.com/other' }
        Invoke-JelouEmulatorControl $Emulator 'latency' -Method PUT -Body @{ ms = 300 } | Out-Null
        try {
            $rows | Set-JelouExternalSupport -ThrottleLimit 8 -Confirm:$false | Out-Null
        }
        finally {
            Invoke-JelouEmulatorControl $Emulator 'latency' -Method PUT -Body @{ ms = 0 } | Out-Null
        }
        $updates = @(Invoke-JelouEmulatorControl $Emulator 'requests' | Where-Object method -EQ PATCH)
        $sent = @($updates | Where-Object path -Like "*/$projectId" | ForEach-Object { [DateTimeOffset] $_.receivedAt })

        (Get-JelouExternalSupport $projectId).WebhookUrl | Should -Be 'https://crm.example.com/v3'
        foreach ($i in 1, 2) { ($sent[$i] - $sent[$i - 1]).TotalMilliseconds | Should -BeGreaterOrEqual 300 }
        [DateTimeOffset] ($updates | Where-Object path -Like "*/$other").receivedAt | Should -BeLessThan $sent[1] -Because 'another project''s update goes beside them'
    }

    It 'round-trips an integration and deletes it through the pipeline' {
        $projectId = New-TestProjectId
        New-JelouExternalSupport $projectId https://crm.example.com/v1 | Out-Null

        $updated = Set-JelouExternalSupport $projectId -WebhookUrl https://crm.example.com/v2 -Confirm:$false
        $updated.WebhookUrl | Should -Be 'https://crm.example.com/v2'
        (Get-JelouExternalSupport $projectId).WebhookUrl | Should -Be 'https://crm.example.com/v2'
        (Get-JelouExternalSupport $projectId).SigningSecret | Should -BeNullOrEmpty

        Get-JelouExternalSupport $projectId | Remove-JelouExternalSupport -Confirm:$false

        { Get-JelouExternalSupport $projectId -ErrorAction Stop } | Should -Throw -ErrorId 'JelouNotFound,JelouPS.Commands.GetJelouExternalSupportCommand'
    }

    It 'shows a secret the session saw replaced or deleted as dead' {
        $projectId = New-TestProjectId
        $created = New-JelouExternalSupport $projectId https://crm.example.com/v1
        $created.SecretLocation | Should -Be 'in SigningSecret only: store it now'

        $rotated = Reset-JelouExternalSupportSecret $projectId -Force
        $created.SecretLocation | Should -Be 'dead: Jelou no longer accepts it'
        $rotated.SecretLocation | Should -Be 'in SigningSecret only: store it now'

        Remove-JelouExternalSupport $projectId -Force
        $rotated.SecretLocation | Should -Be 'dead: Jelou no longer accepts it'
    }

    It 'reports an API failure with its status and the API''s own message, once the retries are spent' {
        $projectId = New-TestProjectId
        Invoke-JelouEmulatorControl $Emulator 'faults' -Method POST -Body @{ status = 503; pathContains = $projectId; body = '{"message":"Maintenance window"}'; retryAfter = '0'; count = 4 } | Out-Null

        $verbose = Get-JelouExternalSupport $projectId -ErrorVariable failure -ErrorAction SilentlyContinue -Verbose 4>&1

        @($verbose | Where-Object { "$_" -match 'it answered 503 with Retry-After; retry \d of 3 in 0 s' }).Count | Should -Be 3
        @(Invoke-JelouEmulatorControl $Emulator 'requests' | Where-Object path -like "*$projectId").Count | Should -Be 4

        $failure[0].FullyQualifiedErrorId | Should -Be 'JelouServerError,JelouPS.Commands.GetJelouExternalSupportCommand'
        $failure[0].CategoryInfo.Category | Should -Be 'ResourceUnavailable'
        $failure[0].ErrorDetails.Message | Should -Match '503.*Maintenance window'
        $failure[0].Exception.StatusCode | Should -Be 503
    }

    It 'waits as long as Retry-After asks, then succeeds' {
        $projectId = New-TestProjectId
        New-JelouExternalSupport $projectId https://crm.example.com/v1 | Out-Null
        Invoke-JelouEmulatorControl $Emulator 'faults' -Method POST -Body @{ status = 429; pathContains = $projectId; retryAfter = '1'; body = '{"message":"Too many requests"}' } | Out-Null
        $clock = [Diagnostics.Stopwatch]::StartNew()

        $integration = Get-JelouExternalSupport $projectId

        $integration.WebhookUrl | Should -Be 'https://crm.example.com/v1'
        $clock.Elapsed.TotalSeconds | Should -BeGreaterOrEqual 0.9
    }

    It 'does not retry when the connection says so, and a per-call -TimeoutSec bounds the waits' {
        $projectId = New-TestProjectId
        $noRetry = Connect-Jelou -ApiKey $Emulator.ApiKey -BaseUri $Emulator.GatewayUri -MaximumRetryCount 0 -PassThru
        Connect-Jelou -ApiKey $Emulator.ApiKey -BaseUri $Emulator.GatewayUri -ChatbotUri $Emulator.ChatbotUri
        $noRetry.MaximumRetryCount | Should -Be 0
        Invoke-JelouEmulatorControl $Emulator 'faults' -Method POST -Body @{ status = 503; pathContains = $projectId; count = 2 } | Out-Null
        Get-JelouExternalSupport $projectId -Context $noRetry -ErrorAction SilentlyContinue -ErrorVariable first
        $first[0].FullyQualifiedErrorId | Should -BeLike 'JelouServerError,*'

        Invoke-JelouEmulatorControl $Emulator 'faults' -Method POST -Body @{ status = 429; pathContains = $projectId; retryAfter = '30' } | Out-Null
        $clock = [Diagnostics.Stopwatch]::StartNew()
        Get-JelouExternalSupport $projectId -TimeoutSec 5 -ErrorAction SilentlyContinue -ErrorVariable second
        $clock.Elapsed.TotalSeconds | Should -BeLessThan 5
        $second[0].FullyQualifiedErrorId | Should -BeLike 'JelouRateLimited,*'
        $second[0].ErrorDetails.Message | Should -Match 'Retry after 30 s'
    }
}
