# Input as it arrives from spreadsheets and other tools: padded cells, blank ids, missing columns, JSON text
# where an object belongs, DateTimes made by ConvertFrom-Json. Cleaned or refused before any request.
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-Module (Join-Path $PSScriptRoot '../modules/Microsoft.PowerShell.SecretManagement') -Force
    Reset-StandInSecretStore
    Register-StandInVault -Name TestVault -DefaultVault
    $Emulator = Start-JelouEmulator -EmulatorDll $EmulatorDll
    Connect-Jelou -ApiKey $Emulator.ApiKey -BaseUri $Emulator.GatewayUri -ChatbotUri $Emulator.ChatbotUri

    function Get-Request([string] $ProjectId) {
        @(Invoke-JelouEmulatorControl $Emulator 'requests' | Where-Object { $_.path -match [regex]::Escape($ProjectId) })
    }
}

AfterAll {
    Disconnect-Jelou
    $Emulator | Stop-JelouEmulator
}

Describe 'Padded and blank spreadsheet cells' {
    It 'trims a padded row: the path, the webhook URL and the secret name are clean' {
        $projectId = New-TestProjectId
        $csv = "ProjectId,WebhookUrl,AuthType,SecretName`n$projectId ,https://crm.example.com/jelou ,,"

        $i = $csv | ConvertFrom-Csv | New-JelouExternalSupport -Vault TestVault

        $request = Get-Request $projectId | Select-Object -First 1
        $request.path | Should -Be "/jelouapi/v1/external-support/$projectId"
        $request.body | Should -Be '{"webhookUrl":"https://crm.example.com/jelou"}'
        $i.SecretName | Should -Be "Jelou-$projectId"
        Get-StandInSecret -Vault TestVault -Name "Jelou-$projectId" | Should -Not -BeNullOrEmpty
    }

    It 'trims padded enums and names given directly: ''<Value>''' -TestCases @(
        @{ Value = ' bearer ' }, @{ Value = "bearer`t" }
    ) {
        $projectId = New-TestProjectId
        $i = New-JelouExternalSupport " $projectId " ' https://crm.example.com/jelou' -AuthType $Value -WebhookAuthorization 'padded-enum-token' -Vault ' TestVault ' -SecretName " Crm-$projectId "
        $i.AuthType | Should -Be 'bearer'
        $i.SecretName | Should -Be "Crm-$projectId"
        Get-JelouExternalSupport "$projectId  " | Should -Not -BeNullOrEmpty
    }

    It 'refuses a project id of only spaces, from a row or given directly, before any request' {
        Invoke-JelouEmulatorControl $Emulator 'requests' -Method DELETE | Out-Null

        "ProjectId,WebhookUrl`n   ,https://crm.example.com/jelou" | ConvertFrom-Csv |
            New-JelouExternalSupport -ErrorVariable refused -ErrorAction SilentlyContinue
        { New-JelouExternalSupport '   ' https://crm.example.com/jelou } | Should -Throw -ErrorId 'ParameterArgumentValidationError,*'
        { Get-JelouConversation -ProjectId "`t" -ConversationId c1 } | Should -Throw -ErrorId 'ParameterArgumentValidationError,*'

        $refused[0].FullyQualifiedErrorId | Should -BeLike 'ParameterArgumentValidationError,*'
        @(Invoke-JelouEmulatorControl $Emulator 'requests').Count | Should -Be 0
    }

    It 'refuses a row without a ProjectId column instead of sending the whole row as the id' {
        Invoke-JelouEmulatorControl $Emulator 'requests' -Method DELETE | Out-Null

        "Project,WebhookUrl`np1,https://crm.example.com/jelou" | ConvertFrom-Csv |
            New-JelouExternalSupport -ErrorVariable refused -ErrorAction SilentlyContinue

        "$($refused[0])" | Should -Match 'whole input object'
        @(Invoke-JelouEmulatorControl $Emulator 'requests').Count | Should -Be 0
    }

    It 'says what is wrong with a header that nearly names ProjectId: <Case>' -TestCases @(
        @{ Case = 'a padded name'; Csv = "`"ProjectId `",WebhookUrl`np1,https://crm.example.com/jelou"; Says = "column 'ProjectId ' has spaces or invisible characters around the name: rename it to ProjectId" }
        @{ Case = 'a name spelled otherwise'; Csv = "Project_Id,WebhookUrl`np1,https://crm.example.com/jelou"; Says = "column 'Project_Id' is spelled otherwise: rename it to ProjectId" }
        @{ Case = 'semicolons read as commas'; Csv = "ProjectId;WebhookUrl`np1;https://crm.example.com/jelou"; Says = "separated by ';', so read it with Import-Csv -Delimiter ';'" }
        @{ Case = 'tabs read as commas'; Csv = "ProjectId`tWebhookUrl`np1`thttps://crm.example.com/jelou"; Says = 'separated by tabs, so read it with Import-Csv -Delimiter "`t"' }
        @{ Case = 'commas read as semicolons'; Csv = "ProjectId,WebhookUrl`np1,https://crm.example.com/jelou"; Delimiter = ';'; Says = "separated by ',', so read it without -Delimiter or -UseCulture" }
        @{ Case = 'Excel''s sep= line read as the header'; Csv = "sep=;`nProjectId;WebhookUrl`np1;https://crm.example.com/jelou"; Delimiter = ';'; Says = "Excel writes first to name the file's separator, which Import-Csv takes for the header: skip it, Get-Content <file> | Select-Object -Skip 1 | ConvertFrom-Csv with the -Delimiter it was read with, if any." }
        @{ Case = 'Excel''s sep= line, read as commas'; Csv = "sep=;`nProjectId;WebhookUrl`np1;https://crm.example.com/jelou"; Says = "ConvertFrom-Csv -Delimiter ';'" }
        @{ Case = 'Excel''s sep=, line, read as commas'; Csv = "sep=,`nProjectId,WebhookUrl`np1,https://crm.example.com/jelou"; Says = "ConvertFrom-Csv with the -Delimiter it was read with, if any." }
        @{ Case = 'Excel''s sep= line with a tab'; Csv = "sep=`t`nProjectId`tWebhookUrl`np1`thttps://crm.example.com/jelou"; Says = 'ConvertFrom-Csv -Delimiter "`t"' }
    ) {
        Invoke-JelouEmulatorControl $Emulator 'requests' -Method DELETE | Out-Null

        $Csv | ConvertFrom-Csv -Delimiter $(if ($Delimiter) { $Delimiter } else { ',' }) | New-JelouExternalSupport -ErrorVariable refused -ErrorAction SilentlyContinue

        "$($refused[0])" | Should -Match ([regex]::Escape($Says))
        @(Invoke-JelouEmulatorControl $Emulator 'requests').Count | Should -Be 0
    }

    It 'takes an id that is a number or a GUID from a row''s property, as given directly' {
        $number = Get-Random -Minimum 100000 -Maximum 999999
        $guid = [guid]::NewGuid()

        $created = [pscustomobject]@{ ProjectId = $number; WebhookUrl = 'https://crm.example.com/jelou' }, [pscustomobject]@{ ProjectId = $guid; WebhookUrl = 'https://crm.example.com/jelou' } |
            New-JelouExternalSupport

        $created.ProjectId | Should -Be "$number", "$guid"
        ('[{"ProjectId":' + $number + '}]' | ConvertFrom-Json | Get-JelouExternalSupport).ProjectId | Should -Be "$number"
    }

    It 'refuses a hashtable piped as a row, whose other keys would not bind: <Keys>' -TestCases @(
        @{ Keys = 'no ProjectId'; Row = @{ Project = 'p1' } }
        @{ Keys = 'ProjectId and SecretName'; Row = @{ ProjectId = 'p1'; SecretName = 'S-p1'; AuthType = 'bearer' } }
    ) {
        Invoke-JelouEmulatorControl $Emulator 'requests' -Method DELETE | Out-Null
        $Row | New-JelouExternalSupport -WebhookUrl https://crm.example.com/jelou -ErrorVariable refused -ErrorAction SilentlyContinue
        "$($refused[0])" | Should -Match 'hashtable'
        @(Invoke-JelouEmulatorControl $Emulator 'requests').Count | Should -Be 0
    }

    It 'refuses a -Vault that is a pattern before any request' {
        { New-JelouExternalSupport (New-TestProjectId) https://crm.example.com/jelou -Vault 'Test*' -ErrorAction Stop } | Should -Throw '*is a pattern*'
    }

    It 'trims the invisible characters spreadsheets leave: <Case>' -TestCases @(
        @{ Case = 'a byte-order mark'; Prefix = [string][char]0xFEFF; Suffix = '' }
        @{ Case = 'a zero-width space'; Prefix = ''; Suffix = [string][char]0x200B }
        @{ Case = 'direction marks'; Prefix = [string][char]0x200E; Suffix = [string][char]0x200F }
        @{ Case = 'a soft hyphen'; Prefix = ''; Suffix = [string][char]0x00AD }
    ) {
        $projectId = New-TestProjectId
        New-JelouExternalSupport "$Prefix$projectId$Suffix" https://crm.example.com/jelou | Out-Null
        (Get-Request $projectId)[0].path | Should -Be "/jelouapi/v1/external-support/$projectId"
    }

    It 'refuses an id a spreadsheet or word processor quoted, before any request: <Case>' -TestCases @(
        @{ Case = 'smart quotes'; Open = [string][char]0x201C; Close = [string][char]0x201D }
        @{ Case = 'straight single quotes'; Open = "'"; Close = "'" }
        @{ Case = 'a closing quote alone'; Open = ''; Close = '"' }
    ) {
        $projectId = New-TestProjectId

        "ProjectId,WebhookUrl`n$Open$projectId$Close,https://crm.example.com/jelou" | ConvertFrom-Csv | New-JelouExternalSupport -ErrorVariable refused -ErrorAction SilentlyContinue

        "$($refused[0])" | Should -BeLike '*starts or ends with a quotation mark: leave the quotes out.*'
        Get-Request $projectId | Should -BeNullOrEmpty
    }

    It 'takes a blank WebhookUrl cell as not given in Set-JelouExternalSupport: the row''s other settings still change' {
        $projectId = New-TestProjectId
        New-JelouExternalSupport $projectId https://crm.example.com/jelou -AuthType bearer -WebhookAuthorization 'blank-cell-token' | Out-Null

        $updated = "ProjectId,WebhookUrl,AuthType`n$projectId, ,no_auth" | ConvertFrom-Csv | Set-JelouExternalSupport -Confirm:$false

        $updated.AuthType | Should -Be 'no_auth'
        $updated.WebhookUrl | Should -Be 'https://crm.example.com/jelou'
        (Get-Request $projectId | Where-Object method -eq PATCH).body | Should -Be '{"authType":"no_auth"}'
    }

    It 'still refuses a blank WebhookUrl cell in New-JelouExternalSupport, where the URL is required, before any request' {
        $projectId = New-TestProjectId

        "ProjectId,WebhookUrl,AuthType`n$projectId, ,no_auth" | ConvertFrom-Csv | New-JelouExternalSupport -ErrorVariable refused -ErrorAction SilentlyContinue

        $refused[0].FullyQualifiedErrorId | Should -BeLike 'ParameterArgumentTransformationError,*'
        "$($refused[0])" | Should -Match 'The URL is empty'
        Get-Request $projectId | Should -BeNullOrEmpty
    }

    It 'takes a blank AuthType cell as not given in Send-JelouTestEvent too, and reports a failed delivery as an error' {
        $probe = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
        $probe.Start(); $port = $probe.LocalEndpoint.Port; $probe.Stop()
        $row = "WebhookUrl,AuthType,ProjectId`nhttp://127.0.0.1:$port/hook ,,p1" | ConvertFrom-Csv

        $result = $row | Send-JelouTestEvent -SigningSecret 'test-secret' -TimeoutSec 5 -Confirm:$false -ErrorVariable failed -ErrorAction SilentlyContinue

        $result | Should -Not -BeNullOrEmpty -Because 'the blank AuthType cell bound without error'
        $result.Succeeded | Should -BeFalse -Because 'nothing listens there'
        $failed.Count | Should -Be 1
        $failed[0].FullyQualifiedErrorId | Should -Be 'JelouTestEventFailed,JelouPS.Commands.SendJelouTestEventCommand'
        $failed[0].TargetObject | Should -BeOfType ([JelouPS.Webhooks.WebhookTestResult])
        { $row | Send-JelouTestEvent -SigningSecret 'test-secret' -TimeoutSec 5 -Confirm:$false -ErrorAction Stop } | Should -Throw -ErrorId 'JelouTestEventFailed,*'
    }
}

Describe 'An international webhook host where .NET runs in globalization-invariant mode' {
    It 'is refused where IDNA would map it first, saying why (another host would be registered), and taken composed or in its ASCII form' {
        # Container images often set it; the same CSV then registered 'https://xn--bucher-xyd.example/h' for bücher.example with
        # its accent written apart (NFD), and 'https://xn--oi7cuao.example.com/h' for a full-width crm.example.com.
        $env:DOTNET_SYSTEM_GLOBALIZATION_INVARIANT = '1'
        try {
            $said = Invoke-FreshPwsh ("Import-Module '$(Join-Path $ModulePath 'JelouPS.psd1')'; Connect-Jelou -ApiKey k -BaseUri http://127.0.0.1:9/jelouapi; " +
                "foreach (`$url in 'https://bu$([char]0x308)cher.example/h', 'https://$([char]0xFF43)rm.example.com/h', 'https://b$([char]0xFC)cher.example/h', 'https://xn--bcher-kva.example/h') { " +
                "try { New-JelouExternalSupport p1 `$url -WhatIf } catch { 'E: ' + `$_.Exception.Message } }") 2>&1
        }
        finally {
            Remove-Item Env:DOTNET_SYSTEM_GLOBALIZATION_INVARIANT
        }

        @($said -like 'E: *') | Should -HaveCount 2
        "$said" | Should -Match 'globalization-invariant mode .*Give the host in its ASCII form \(xn--\.\.\.\), or in lower case with composed letters'
        @($said -like 'What if:*xn--bcher-kva.example/h*') | Should -HaveCount 2
    }
}

Describe '-Metadata is a JSON object' {
    BeforeAll {
        $ProjectId = New-TestProjectId
        $receiver = Start-TestWebhookReceiver
        New-JelouExternalSupport $ProjectId $receiver.Url | Out-Null
    }

    AfterAll { $receiver | Stop-TestWebhookReceiver }

    It 'refuses <Case> before the start request, once for the whole command, with a hint' -TestCases @(
        @{ Case = 'JSON text'; Value = '{"ticketId":"T-1"}'; Hint = 'ConvertFrom-Json' }
        @{ Case = 'a number'; Value = 42; Hint = 'hashtable' }
        @{ Case = 'an array'; Value = @(@{ a = 1 }, @{ b = 2 }); Hint = 'one hashtable' }
    ) {
        $before = @(Get-Request "$ProjectId/conversations/start").Count

        $refused = @(try { 'u1', 'u2' | Start-JelouConversation $ProjectId -BotId b1 -Metadata $Value -Confirm:$false } catch { $_ })

        $refused | Should -HaveCount 1
        $refused[0].FullyQualifiedErrorId | Should -Be 'JelouInvalidArgument,JelouPS.Commands.StartJelouConversationCommand'
        $refused[0].Exception.Message | Should -Match $Hint
        @(Get-Request "$ProjectId/conversations/start").Count | Should -Be $before
    }

    It 'sends dates from ConvertFrom-Json as they were: a zone-less time stays zone-less' {
        $metadata = '{"ticketId":"T-9","openedAt":"2026-01-15T10:30:00","closedAt":"2026-01-15T11:00:00Z"}' | ConvertFrom-Json

        Start-JelouConversation $ProjectId -BotId b2 -UserId u2 -Metadata $metadata -Confirm:$false -ErrorAction Stop | Out-Null

        $body = (Get-Request "$ProjectId/conversations/start")[-1].body
        $body | Should -Match '"openedAt":"2026-01-15T10:30:00\.000"'
        $body | Should -Match '"closedAt":"2026-01-15T11:00:00\.000Z"'
    }
}

Describe 'Signing an object that came from ConvertFrom-Json' {
    It 'warns that DateTime values may not be what Jelou signed, and points to the raw body' {
        $body = '{"event":"conversation.start","at":"2026-01-15T10:30:00.000Z"}'
        $object = $body | ConvertFrom-Json

        Get-JelouWebhookSignature -InputObject $object -SigningSecret 's' -WarningVariable warned -WarningAction SilentlyContinue | Out-Null
        Test-JelouWebhookSignature -InputObject $object -Signature 'sha256=00' -SigningSecret 's' -WarningVariable +warned -WarningAction SilentlyContinue | Out-Null

        $warned.Count | Should -Be 2
        "$($warned[0])" | Should -Match 'DateTime'
        "$($warned[0])" | Should -Match '-Payload'
    }

    It 'does not warn for an object without dates' {
        Get-JelouWebhookSignature -InputObject ([ordered]@{ a = 1 }) -SigningSecret 's' -WarningVariable warned | Out-Null
        $warned.Count | Should -Be 0
    }

    It 'warns that a hashtable of several keys is signed in no order the caller chose, at any depth' {
        $nested = [pscustomobject]@{ event = 'message'; data = @{ text = 'hi'; id = 'm-1'; at = 'now' } }

        Get-JelouWebhookSignature -InputObject @{ b = 1; a = 2 } -SigningSecret 's' -WarningVariable warned -WarningAction SilentlyContinue | Out-Null
        Test-JelouWebhookSignature -InputObject $nested -Signature 'sha256=00' -SigningSecret 's' -WarningVariable +warned -WarningAction SilentlyContinue | Out-Null
        Get-JelouWebhookSignature -InputObject ([ordered]@{ b = 1; a = @{ only = 1 }; c = [pscustomobject]@{ y = 1; x = 2 } }) -SigningSecret 's' -WarningVariable +warned -WarningAction SilentlyContinue | Out-Null
        Get-JelouWebhookSignature -InputObject ('{"b":1,"a":2}' | ConvertFrom-Json -AsHashtable) -SigningSecret 's' -WarningVariable +warned -WarningAction SilentlyContinue | Out-Null

        $warned.Count | Should -Be 2 -Because 'an ordered dictionary (ConvertFrom-Json -AsHashtable makes one), a one-key hashtable and an object keep their order'
        "$($warned[0])" | Should -Match 'hashtable \(@\{\}\) of more than one key.*\[ordered\]@\{\}.*-Payload'
    }
}

Describe 'A delivery saved to a file as text and read back' {
    BeforeAll {
        $body = '{"event_type":"message","project_id":"P","room_id":"R","value":{"id":"M","type":"text","content":{"body":"¿Hola?"}}}'
        $signature = Get-JelouWebhookSignature -Payload $body -SigningSecret 'file-secret'
        $utf8 = [Text.Encoding]::UTF8
        # What each tool writes: Windows PowerShell 5.1's Set-Content -Encoding UTF8 (EF BB BF, the text, CRLF) and its Out-File
        # and > (UTF-16 LE: FF FE, the text, CRLF); PowerShell 7's Set-Content (the text and a line break).
        $saved = @{
            'a mark (Set-Content -Encoding utf8BOM -NoNewline)' = [byte[]](0xEF, 0xBB, 0xBF) + $utf8.GetBytes($body)
            'a mark and CRLF (5.1 Set-Content -Encoding UTF8)'  = [byte[]](0xEF, 0xBB, 0xBF) + $utf8.GetBytes("$body`r`n")
            'UTF-16 and CRLF (5.1 Out-File)'                    = [byte[]](0xFF, 0xFE) + [Text.Encoding]::Unicode.GetBytes("$body`r`n")
        }
        foreach ($name in $saved.Keys) { [IO.File]::WriteAllBytes((Join-Path $TestDrive "$($name.Length).json"), [byte[]]$saved[$name]) }
        Set-Content -LiteralPath (Join-Path $TestDrive 'ps7.json') -Value $body
        function Get-SavedPath([string] $Case) { if ($Case -eq 'ps7') { Join-Path $TestDrive 'ps7.json' } else { Join-Path $TestDrive "$($Case.Length).json" } }
    }

    It 'answers $false, warns what was added, and the way it advises reads it back: <Case>' -TestCases @(
        @{ Case = 'a mark (Set-Content -Encoding utf8BOM -NoNewline)'; Said = 'begins with a UTF-8 byte order mark \(EF BB BF\)' }
        @{ Case = 'a mark and CRLF (5.1 Set-Content -Encoding UTF8)'; Said = 'begins with a UTF-8 byte order mark \(EF BB BF\) and ends with a line break' }
        @{ Case = 'UTF-16 and CRLF (5.1 Out-File)'; Said = 'is UTF-16 text \(it begins with FF FE\) and ends with a line break' }
        @{ Case = 'ps7'; Said = 'ends with a line break' }
    ) {
        $path = Get-SavedPath $Case
        $bytes = [IO.File]::ReadAllBytes($path)

        Test-JelouWebhookSignature -Payload $bytes -Signature $signature -SigningSecret 'file-secret' -WarningVariable warned -WarningAction SilentlyContinue | Should -BeFalse

        @($warned).Count | Should -Be 1
        "$warned" | Should -Match "^Result 1: The webhook body $Said, which Jelou does not send or sign: the rest matches the signature\. Saving a body to a file as text adds such things: .*\(Get-Content -Raw -Encoding UTF8 <file>\)\.TrimEnd\(\)"
        Test-JelouWebhookSignature -Payload (Get-Content -LiteralPath $path -Raw -Encoding UTF8).TrimEnd() -Signature $signature -SigningSecret 'file-secret' -WarningVariable warned | Should -BeTrue
        @($warned).Count | Should -Be 0
    }

    It 'names the result each warning is about in a pipeline of stored deliveries, and says nothing of a forged one' {
        $marked = [IO.File]::ReadAllBytes((Get-SavedPath 'a mark and CRLF (5.1 Set-Content -Encoding UTF8)'))
        $forged = [byte[]](0xEF, 0xBB, 0xBF) + $utf8.GetBytes($body.Replace('Hola', 'Hols'))
        $rows = @(
            [pscustomobject]@{ Payload = $utf8.GetBytes($body); Signature = $signature }
            # A .sig file lost: Get-Content's nothing leaves the row without a Signature PowerShell can bind, and no result.
            [pscustomobject]@{ Payload = $marked; Signature = Get-Content -LiteralPath (Join-Path $TestDrive 'lost.sig') -ErrorAction Ignore }
            [pscustomobject]@{ Payload = $forged; Signature = $signature }
            [pscustomobject]@{ Payload = $marked; Signature = $signature }
        )

        $checked = $rows | Test-JelouWebhookSignature -SigningSecret 'file-secret' -WarningVariable warned -WarningAction SilentlyContinue -ErrorVariable unbound -ErrorAction SilentlyContinue

        $unbound.Count | Should -Be 1
        $checked | Should -Be $true, $false, $false
        @($warned).Count | Should -Be 1
        "$warned" | Should -Match '^Result 3: '
    }

    It 'runs help Example 4 as written: the files it names are the ones that fail, and the warning names the right result' {
        $folder = Join-Path $TestDrive 'received'
        $null = New-Item -ItemType Directory $folder
        [IO.File]::WriteAllBytes((Join-Path $folder 'a.json'), $utf8.GetBytes($body)); Set-Content (Join-Path $folder 'a.sig') $signature
        [IO.File]::WriteAllBytes((Join-Path $folder 'b.json'), $utf8.GetBytes($body))
        [IO.File]::WriteAllBytes((Join-Path $folder 'c.json'), [IO.File]::ReadAllBytes((Get-SavedPath 'ps7'))); Set-Content (Join-Path $folder 'c.sig') $signature
        [IO.File]::WriteAllBytes((Join-Path $folder 'd.json'), $utf8.GetBytes($body)); Set-Content (Join-Path $folder 'd.sig') $signature
        # A file that cannot be read (a link to nothing), a folder named like one, and a name PowerShell would take as a pattern.
        $null = New-Item -ItemType SymbolicLink -Path (Join-Path $folder 'b2.json') -Target (Join-Path $TestDrive 'nothing'); Set-Content (Join-Path $folder 'b2.sig') $signature
        $null = New-Item -ItemType Directory (Join-Path $folder 'b3.json')
        [IO.File]::WriteAllBytes((Join-Path $folder 'e[1].json'), $utf8.GetBytes($body)); Set-Content -LiteralPath (Join-Path $folder 'e[1].sig') $signature
        $example = (Get-Help Test-JelouWebhookSignature -Examples).examples.example | Where-Object title -Match 'Example 4'
        $code = $example.code -replace 'Get-Secret -Name Jelou-p1 -Vault MyVault', "'file-secret'" -replace '\./received/', "$folder/"

        Set-Content -LiteralPath (Join-Path $TestDrive 'example4.ps1') -Value $code
        # In a process of its own, as a console runs it: inside Pester's try, the unreadable file's error would end the example.
        $said = Invoke-FreshPwsh ("Import-Module '$(Join-Path $ModulePath 'JelouPS.psd1')'; Set-Location '$TestDrive'; " +
            "& ./example4.ps1 3>&1 2>&1 | ForEach-Object { if (`$_ -is [Management.Automation.WarningRecord]) { 'W: ' + `$_.Message } elseif (`$_ -is [Management.Automation.ErrorRecord]) { 'E: ' + `$_ } else { 'O: ' + `$_ } }")

        @($said -like 'O: *') | Should -Be 'O: Forged or damaged: b.json', 'O: Forged or damaged: c.json'
        @($said -like 'W: *') | Should -Match '^W: Result 3: The webhook body ends with a line break'
        @($said -like 'E: *') | Should -Match 'b2\.json'
    }

    It 'warns with -Request too' {
        $request = [pscustomobject]@{ RawBody = [IO.File]::ReadAllBytes((Get-SavedPath 'UTF-16 and CRLF (5.1 Out-File)')); Headers = @{ 'X-Jelou-Signature' = $signature } }
        Test-JelouWebhookSignature -Request $request -SigningSecret 'file-secret' -WarningVariable warned -WarningAction SilentlyContinue | Should -BeFalse
        "$warned" | Should -Match '^Result 1: The webhook body is UTF-16 text'
    }

    It 'refuses it in ConvertFrom-JelouWebhookEvent saying what was added and what to do, from bytes PowerShell collected as object[] too' {
        $bytes = [IO.File]::ReadAllBytes((Get-SavedPath 'a mark and CRLF (5.1 Set-Content -Encoding UTF8)'))
        # Get-Content -AsByteStream without -Raw collects object[], as $mark + $bytes makes: still the bytes received.
        $rows = @(
            [pscustomobject]@{ Payload = $bytes; Signature = $signature }
            [pscustomobject]@{ Payload = Get-Content -LiteralPath (Get-SavedPath 'a mark and CRLF (5.1 Set-Content -Encoding UTF8)') -AsByteStream; Signature = $signature }
        )
        $rows[1].Payload.GetType() | Should -Be ([object[]])

        $rows | ConvertFrom-JelouWebhookEvent -SigningSecret 'file-secret' -ErrorVariable refused -ErrorAction SilentlyContinue | Should -BeNullOrEmpty

        $refused.Count | Should -Be 2
        for ($i = 0; $i -lt 2; $i++) {
            $refused[$i].FullyQualifiedErrorId | Should -BeLike 'JelouSignatureMismatch,*'
            # Each names its place in the pipeline, in the message a console shows too.
            $refused[$i].TargetObject | Should -Be "input $($i + 1), PSCustomObject request"
            "$($refused[$i])" | Should -Match "^input $($i + 1), PSCustomObject request: The webhook body begins with a UTF-8 byte order mark \(EF BB BF\) and ends with a line break"
            $refused[$i].ErrorDetails.RecommendedAction | Should -Match 'TrimEnd\(\).*rewrites request bodies'
        }
        # So is a List[byte], as Test-JelouWebhookSignature's -Payload takes it.
        $list = [Collections.Generic.List[byte]]::new([byte[]]$bytes)
        [pscustomobject]@{ Payload = $list; Signature = $signature } | ConvertFrom-JelouWebhookEvent -SigningSecret 'file-secret' -ErrorVariable refused -ErrorAction SilentlyContinue
        $refused[0].FullyQualifiedErrorId | Should -BeLike 'JelouSignatureMismatch,*'
        # A list of numbers is a parsed body, not bytes.
        [pscustomobject]@{ Payload = [object[]](123, 34); Signature = $signature } | ConvertFrom-JelouWebhookEvent -SigningSecret 'file-secret' -ErrorVariable refused -ErrorAction SilentlyContinue
        $refused[0].FullyQualifiedErrorId | Should -BeLike 'JelouInvalidArgument,*' 
        [pscustomobject]@{ Payload = [object[]]$utf8.GetBytes($body); Signature = $signature } | ConvertFrom-JelouWebhookEvent -SigningSecret 'file-secret' |
            ForEach-Object Text | Should -Be '¿Hola?'
    }

    It 'reads an unverified body past its mark, and its RawPayload is JSON text ConvertFrom-Json takes' {
        $event = ConvertFrom-JelouWebhookEvent -Payload ([IO.File]::ReadAllBytes((Get-SavedPath 'a mark (Set-Content -Encoding utf8BOM -NoNewline)')))
        $event.Text | Should -Be '¿Hola?'
        $event.RawPayload | Should -BeExactly $body
        ($event.RawPayload | ConvertFrom-Json).room_id | Should -Be 'R'
    }

    It 'refuses an unverified UTF-16 or UTF-32 body saying what it is and how to read it: <Encoding>' -TestCases @(
        @{ Encoding = 'unicode'; Said = 'UTF-16 text \(it begins with FF FE\)' }
        @{ Encoding = 'utf32'; Said = 'UTF-32 text \(it begins with FF FE 00 00\)' }
        @{ Encoding = 'bigendianutf32'; Said = 'UTF-32 text \(it begins with 00 00 FE FF\)' }
    ) {
        $path = Join-Path $TestDrive "$Encoding.json"
        Set-Content -LiteralPath $path -Value $body -Encoding $Encoding

        ConvertFrom-JelouWebhookEvent -Payload ([IO.File]::ReadAllBytes($path)) -ErrorVariable refused -ErrorAction SilentlyContinue

        $refused[0].FullyQualifiedErrorId | Should -BeLike 'JelouInvalidWebhookEvent,*'
        $refused[0].Exception.Message | Should -Match "is $Said, not the UTF-8 Jelou sends"
        $refused[0].ErrorDetails.RecommendedAction | Should -Match 'Get-Content -Raw -Encoding UTF8 <file>\)\.TrimEnd\(\)'
        (ConvertFrom-JelouWebhookEvent -Payload (Get-Content -LiteralPath $path -Raw -Encoding UTF8).TrimEnd()).Text | Should -Be '¿Hola?'
    }

    It 'refuses a body made into bytes as UTF-16 without a mark ([Text.Encoding]::Unicode.GetBytes), saying what it is and how to make it' {
        ConvertFrom-JelouWebhookEvent -Payload ([Text.Encoding]::Unicode.GetBytes($body)) -ErrorVariable refused -ErrorAction SilentlyContinue

        $refused[0].FullyQualifiedErrorId | Should -BeLike 'JelouInvalidWebhookEvent,*'
        $refused[0].Exception.Message | Should -Match 'is UTF-16 text without a byte order mark \(it begins with 7B 00 22 00\), not the UTF-8 Jelou sends'
        $refused[0].ErrorDetails.RecommendedAction | Should -Match '\[Text\.Encoding\]::UTF8\.GetBytes\(\$text\)'
    }
}
