# The default views of every output type, rendered from real objects as an 80-column terminal shows them:
# no line wider, no header cut, ids whole, one date format, nothing secret.
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    $Emulator = Start-JelouEmulator -EmulatorDll $EmulatorDll
    Connect-Jelou -ApiKey $Emulator.ApiKey -BaseUri $Emulator.GatewayUri -ChatbotUri $Emulator.ChatbotUri
    $Receiver = Start-TestWebhookReceiver
    $WebhookToken = 'views-webhook-token'
    # Its query holds a key, as an Azure Function's ?code= does: views show the URL without it.
    $FunctionKey = 'views-function-key-0123'
    $LongUrl = "https://crm.example.com/integrations/jelou/webhooks/customer-support/production/v2/receive?code=$FunctionKey"

    $projectId = New-TestProjectId
    $issued = New-JelouExternalSupport $projectId $Receiver.Url -AuthType bearer -WebhookAuthorization $WebhookToken
    $Secret = ConvertTo-PlainText $issued.SigningSecret
    $longProject = New-TestProjectId
    New-JelouExternalSupport $longProject $LongUrl | Out-Null

    $conversation = Start-JelouConversation $projectId -BotId views-bot -UserId views-user -Confirm:$false
    $started = ConvertFrom-JelouWebhookEvent -Payload (Receive-TestWebhook $Receiver).Body
    $UserText = 'Where is my order?'
    Invoke-JelouEmulatorControl $Emulator "conversations/$projectId/$($conversation.Id)/user-message" -Method POST -Body @{ text = $UserText } | Out-Null
    $message = ConvertFrom-JelouWebhookEvent -Payload (Receive-TestWebhook $Receiver).Body
    $receipt = $message | Send-JelouSupportMessage -Text 'On its way' -SigningSecret $issued.SigningSecret -Confirm:$false
    Close-JelouConversation $projectId -BotId views-bot -UserId views-user -Confirm:$false
    $closed = ConvertFrom-JelouWebhookEvent -Payload (Receive-TestWebhook $Receiver).Body
    $media = ConvertFrom-JelouWebhookEvent -Payload '{"event_type":"message","timestamp":1700000000000,"project_id":"p","value":{"type":"image","content":{"url":"https://cdn.example.com/a.png","caption":"my screen"}}}'
    $unknown = ConvertFrom-JelouWebhookEvent -Payload '{"event":"bot.paused","timestamp":1700000000000,"project_id":"p"}'
    $Caption = 'Here is a screenshot of the checkout page where the payment button does nothing after I enter my card details twice'
    $captioned = ConvertFrom-JelouWebhookEvent -Payload (@{ event_type = 'message'; timestamp = 1700000000000; project_id = 'p'; value = @{ type = 'image'; content = @{ url = 'https://cdn.example.com/a.png'; caption = $Caption } } } | ConvertTo-Json -Depth 4)

    $refused = Send-JelouTestEvent http://127.0.0.1:1/hook -SigningSecret $issued.SigningSecret -Confirm:$false -ErrorAction SilentlyContinue
    $notFound = Send-JelouTestEvent "$($Emulator.BaseAddress)no/such/hook" -SigningSecret $issued.SigningSecret -EventType conversation.start -Confirm:$false -ErrorAction SilentlyContinue

    $rotated = New-TestProjectId
    New-JelouExternalSupport $rotated https://crm.example.com/jelou | Out-Null
    Invoke-JelouEmulatorControl $Emulator 'faults' -Method POST -Body @{ method = 'POST'; pathContains = "$rotated/secret"; mangle = 'Intact'; closeWithoutAnswer = $true } | Out-Null
    Reset-JelouExternalSupportSecret $rotated -Force -ErrorAction SilentlyContinue | Out-Null

    # Each output type (and the issued-secret view of an integration) with what its default view must show whole.
    $Outputs = @{
        Issued       = @{ Object = $issued; Table = 'ProjectId', 'SecretIssuedAt', 'SecretLocation'; Whole = $projectId, 'in SigningSecret only: store it now' }
        Integration  = @{ Object = $projectId, $longProject | Get-JelouExternalSupport; Table = 'ProjectId', 'AuthType', 'WebhookUrl'; Whole = $projectId, $longProject, ($LongUrl.Split('?')[0] + '?…') }
        Context      = @{ Object = Get-JelouContext; Whole = $Emulator.GatewayUri }
        Conversation = @{ Object = Get-JelouConversation $projectId $conversation.Id; Table = 'Id', 'State', 'StartAt', 'UserId'; Whole = $conversation.Id, 'views-user' }
        Receipt      = @{ Object = $receipt; Table = 'MessageId', 'Type', 'StatusCode', 'SentAt'; Whole = $receipt.MessageId }
        TestResult   = @{ Object = $refused, $notFound; Table = 'EventType', 'Succeeded', 'StatusCode', 'Latency(ms)', 'Error'; Whole = $refused.Error, $notFound.Error }
        Events       = @{ Object = $started, $message, $media, $closed, $unknown; Table = 'Timestamp', 'EventName', 'UserId', 'Text'; Whole = $UserText, '[image] my screen', 'views-user' }
        Unknown      = @{ Object = @($JelouUnknownOutcomes); Whole = $rotated, 'Reset-JelouExternalSupportSecret' }
    }

    # The header line is the one above the dashes; each label must be whole, over dashes as long as itself.
    function Get-TableHeader([string] $Text) {
        $lines = $Text -split '\r?\n'
        $at = [array]::FindIndex($lines, [Predicate[string]] { param($l) $l -match '^-+( +-+)*\s*$' })
        if ($at -lt 1) { return $null }
        $labels = @($lines[$at - 1].Trim() -split '\s+')
        $dashes = @($lines[$at].Trim() -split '\s+')
        $labels.Count | Should -Be $dashes.Count -Because "each column's label is on the header line, not wrapped over several: $Text"
        for ($i = 0; $i -lt $labels.Count; $i++) { $dashes[$i].Length | Should -BeGreaterOrEqual $labels[$i].Length }
        $labels
    }
}

AfterAll {
    $Receiver | Stop-TestWebhookReceiver
    Disconnect-Jelou
    $Emulator | Stop-JelouEmulator
}

Describe 'Views in an 80-column terminal' {
    It 'renders <_> in no line wider than 80 (by default, as a table and as a list), ids and values whole, and nothing secret' -ForEach 'Issued', 'Integration', 'Context', 'Conversation', 'Receipt', 'TestResult', 'Events', 'Unknown' {
        $output = $Outputs[$_]
        $default = $output.Object | Out-String -Width 80
        $table = $output.Object | Format-Table | Out-String -Width 80
        Get-TableHeader $table | Should -Not -BeNullOrEmpty -Because 'Format-Table has whole headers, over dashes as long'
        foreach ($text in $default, $table, ($output.Object | Format-List | Out-String -Width 80)) {
            @($text -split '\r?\n' | Where-Object Length -GT 80) | Should -BeNullOrEmpty
            $text | Should -Not -Match ([regex]::Escape($Secret))
            $text | Should -Not -Match ([regex]::Escape($Emulator.ApiKey))
            $text | Should -Not -Match $WebhookToken
            $text | Should -Not -Match $FunctionKey
        }
        # A wrapped value continues on the next line in its column: whole once the layout's spaces are gone.
        $joined = $default -replace '\s'
        foreach ($whole in $output.Whole) { $joined | Should -Match ([regex]::Escape(($whole -replace '\s'))) }
        if ($output.Table) { Get-TableHeader $default | Should -Be $output.Table }
    }

    It 'breaks <Case> between words in a list, not mid-word' -TestCases @(
        @{ Case = 'what to check of an unknown outcome'; Object = { @($JelouUnknownOutcomes)[0] }; Sentence = { @($JelouUnknownOutcomes)[0].Check } }
        @{ Case = 'a message''s caption'; Object = { $captioned }; Sentence = { $Caption } }
    ) {
        $text = & $Object | Format-List | Out-String -Width 80
        $sentence = & $Sentence

        $words = @($text -split '\s+')
        $sentence.Length | Should -BeGreaterThan 80
        foreach ($word in $sentence -split ' ') { $words | Should -Contain $word }
        @($text -split '\r?\n' | Where-Object Length -GT 80) | Should -BeNullOrEmpty
    }

    It 'shows a test event''s latency in milliseconds in the list as in the table' {
        $list = $notFound | Format-List | Out-String -Width 80

        $list | Should -Match "(?m)^Latency\(ms\) : $([math]::Round($notFound.Latency.TotalMilliseconds))\s*$"
    }

    It 'keeps integrations that were read and ones just issued in one table, in either order, each issued secret saying where it is' {
        $read = Get-JelouExternalSupport $longProject

        $readFirst = @($read; $issued) | Out-String -Width 80
        $issuedFirst = @($issued; $read) | Out-String -Width 80

        foreach ($text in $readFirst, $issuedFirst) {
            @([regex]::Matches($text, '(?m)^-+ ')).Count | Should -Be 1 -Because "one table: $text"
            $text | Should -Not -Match 'SigningSecret\s*:' -Because 'nothing falls out of the table as a list of every property'
            ($text -replace '\s') | Should -Match ([regex]::Escape('inSigningSecretonly:storeitnow'))
            $text | Should -Match ([regex]::Escape($longProject))
        }
        Get-TableHeader $readFirst | Should -Be 'ProjectId', 'AuthType', 'WebhookUrl'
        Get-TableHeader $issuedFirst | Should -Be 'ProjectId', 'SecretIssuedAt', 'SecretLocation'
        ($issuedFirst -replace '\s') | Should -Match ([regex]::Escape("nosecrethere:$($read.AuthType)$($read.WebhookUrl.ToString().Split('?')[0])?…")) -Because 'a read in the issued table still shows its settings'
    }

    It 'shows what an object has under Set-StrictMode -Version Latest, also when it lacks properties the views read' {
        $partial = [pscustomobject]@{ PSTypeName = 'JelouPS.ExternalSupportIntegration'; ProjectId = 'p-partial'; AuthType = 'no_auth'; WebhookUrl = 'https://crm.example.com/partial' }

        $text = & {
            Set-StrictMode -Version Latest
            $partial | Out-String -Width 80
            $partial | Format-List | Out-String -Width 80
            @($issued; $partial) | Out-String -Width 80
        }

        ($text -join "`n") -replace '\s' | Should -Match ([regex]::Escape('https://crm.example.com/partial'))
        ($text -join "`n") -replace '\s' | Should -Match ([regex]::Escape('p-partialnosecrethere:no_authhttps://crm.example.com/partial'))
    }

    It 'shows a 24-hex conversation id on one line, uncut' {
        $Outputs.Conversation.Object | Out-String -Width 80 | Should -Match "(?m)^$($conversation.Id) +closed +\d"
    }

    It 'shows every date of <_> as UTC ISO 8601, one way' -ForEach 'Issued', 'Integration', 'Context', 'Conversation', 'Receipt', 'Events', 'Unknown' {
        $text = ($Outputs[$_].Object | Out-String -Width 80) + ($Outputs[$_].Object | Format-List | Out-String -Width 80)
        $dates = [regex]::Matches($text, '\d{4}-\d\d-\d\d\S*( \S+)?')
        $dates.Count | Should -BeGreaterThan 0
        $dates.Value | Should -Match '^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$'
        $text | Should -Not -Match '\d+/\d+/\d{4}|[+-]\d\d:\d\d\b' -Because 'no date is left to the culture or shown with an offset'
    }

    It 'shows the dates of <_> one way after a round trip through Export-Clixml, as a job''s or remoting''s output makes' -ForEach 'Issued', 'Integration', 'Conversation', 'Receipt', 'Events' {
        # Depth 1 is what jobs and remoting use: a DateTimeOffset arrives as its text, which PowerShell writes in the
        # invariant culture whatever the session's (here one that puts the day first). Depth 2 (Export-Clixml's own): as a property bag.
        $culture = [cultureinfo]::CurrentCulture
        try {
            [cultureinfo]::CurrentCulture = 'en-GB'
            foreach ($depth in 1, 2) {
                $path = Join-Path $TestDrive "$_-$depth.xml"
                $Outputs[$_].Object | Export-Clixml -LiteralPath $path -Depth $depth
                $text = (Import-Clixml -LiteralPath $path | Format-Table | Out-String -Width 80) + (Import-Clixml -LiteralPath $path | Format-List | Out-String -Width 80)

                $text | Should -Match '\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ' -Because "depth $depth"
                $text | Should -Not -Match '\d{1,2}/\d{1,2}/\d{4}|[+-]\d\d:\d\d\b' -Because "no date is shown in another format (depth $depth)"
                foreach ($original in @($Outputs[$_].Object)) {
                    foreach ($date in $original.PSObject.Properties | Where-Object { $_.Value -is [DateTimeOffset] }) {
                        $text | Should -Match ([regex]::Escape($date.Value.UtcDateTime.ToString('u'))) -Because "$($date.Name) is the same instant (depth $depth)"
                    }
                }
            }
        }
        finally { [cultureinfo]::CurrentCulture = $culture }
    }

    It 'keeps neither the secret nor where it was out of the file the docs'' Export-Clixml recipe writes' {
        $path = Join-Path $TestDrive 'integration.xml'

        $issued | Select-Object * -ExcludeProperty SigningSecret, SecretLocation | Export-Clixml $path

        Get-Content -Raw $path | Should -Not -Match 'SigningSecret|store it now'
        (Import-Clixml $path | Out-String -Width 80) + (Import-Clixml $path | Format-List | Out-String -Width 80) | Should -Not -Match 'store it now'
    }

    It 'shows the UTC time of the instant itself, whatever offset the value carries' {
        $object = [pscustomobject]@{ SentAt = [DateTimeOffset]::new(2026, 1, 2, 3, 4, 5, [timespan]::FromHours(-5)) }
        $object.PSObject.TypeNames.Insert(0, 'JelouPS.SupportMessageReceipt')
        $object | Out-String | Should -Match '2026-01-02 08:04:05Z'
    }

    It 'shows the control characters an end user sent in printable form, so none reaches the terminal, and keeps the event''s own text as it arrived' {
        # Clear the line, retitle the window (OSC ... BEL), a C1 CSI, a carriage return that would hide "hi".
        $payload = '{"event_type":"message","timestamp":1700000000000,"contact":{"id":"u\u001b[2Kx","name":"Eve\u009b2J"},"value":{"type":"text","content":{"body":"hi \u001b]0;pwned\u0007\rfake\r\nsecond line"}}}'
        $hostile = ConvertFrom-JelouWebhookEvent -Payload $payload

        # Line ends as on Linux, so that only what the views wrote is checked on Windows too.
        $shown = (($hostile | Format-Table | Out-String -Width 80) + ($hostile | Format-List | Out-String -Width 80)) -replace "`r`n", "`n"

        $shown | Should -Not -Match '[\x00-\x08\x0B-\x1F\x7F-\x9F]'
        $shown | Should -Match ([regex]::Escape('hi `e]0;pwned`a`rfake'))
        $shown | Should -Match '(?m)^ +second line$' -Because 'a line break in a message is one in the view'
        $shown | Should -Match ([regex]::Escape('u`e[2Kx'))
        $shown | Should -Match ([regex]::Escape('Eve`u{009B}2J'))
        $hostile.Text | Should -Be "hi $([char]27)]0;pwned$([char]7)`rfake`r`nsecond line"
    }

    It 'shows a tab an end user sent as `t, so that it cannot push a column past 80, and "$event" as the views do' {
        $payload = '{"event_type":"message","timestamp":1700000000000,"contact":{"id":"u\u001b[2Jx"},"value":{"id":"m1","type":"text","content":{"body":"order\t12345\tqty\t3\tprice\t9.99\tstatus\tshipped"}}}'
        $tabbed = ConvertFrom-JelouWebhookEvent -Payload $payload

        # As a terminal shows a line: a tab runs to the next stop of eight columns.
        function Get-TerminalWidth([string] $Line) {
            $column = 0
            foreach ($c in $Line.ToCharArray()) { $column = if ($c -eq "`t") { ($column - $column % 8) + 8 } else { $column + 1 } }
            $column
        }
        foreach ($shown in ($tabbed | Format-Table | Out-String -Width 80), ($tabbed | Format-List | Out-String -Width 80)) {
            $shown | Should -Not -Match '\t' -Because 'a terminal expands a tab to its next tab stop, past the column'
            $shown -split '\r?\n' | Where-Object { (Get-TerminalWidth $_) -gt 80 } | Should -BeNullOrEmpty
            $shown | Should -Match ([regex]::Escape('order`t12345`tqty'))
        }
        # An id that differs from another only by an invisible character shows it; a message keeps a family emoji's joiners.
        $lookalike = ConvertFrom-JelouWebhookEvent -Payload '{"event_type":"message","timestamp":1700000000000,"contact":{"id":"u1\u200b"},"value":{"id":"m1","type":"text","content":{"body":"family \ud83d\udc68\u200d\ud83d\udc69"}}}'
        $lookalike | Format-Table | Out-String -Width 80 | Should -Match ([regex]::Escape('u1`u{200B}'))
        $lookalike | Format-List | Out-String -Width 80 | Should -Match ([regex]::Escape("family $([char]::ConvertFromUtf32(0x1F468))$([char]0x200D)"))
        # String interpolation and Write-Host print ToString: no escape sequence there either.
        "$tabbed" | Should -BeExactly 'message m1 from u`e[2Jx: order`t12345`tqty`t3`tprice`t9.99`tstatus`tshipped'
        $tabbed.Text | Should -BeExactly "order`t12345`tqty`t3`tprice`t9.99`tstatus`tshipped"
    }

    It 'shows no key of a webhook URL and no control character in PowerShell''s own list of an object shown after another type''s output, and the object keeps them' {
        $keyedIssued = New-JelouExternalSupport (New-TestProjectId) $LongUrl -WarningAction SilentlyContinue
        $keyedSet = Set-JelouExternalSupport $longProject -WebhookUrl $LongUrl -Confirm:$false
        $keyedTest = Send-JelouTestEvent "http://127.0.0.1:1/hook?code=$FunctionKey" -SigningSecret $issued.SigningSecret -Confirm:$false -ErrorAction SilentlyContinue
        foreach ($object in $keyedIssued, ($longProject | Get-JelouExternalSupport), $keyedSet, $keyedTest) {
            # Get-Date's view is not the object's: PowerShell lists the object's properties itself, with no view of ours.
            $text = & { Get-Date; $object } | Out-String -Width 200
            $text | Should -Match "(?m)^(ProjectId|EventType) +: $($object.ProjectId)$($object.EventType)\s*$" -Because 'the object is shown, as a list'
            $text | Should -Not -Match $FunctionKey
            "$($object.WebhookUrl)" | Should -Match $FunctionKey
        }
        # An end user's escape sequences (clear the screen, retitle the window), and a server's, after another JelouPS object.
        $hostile = "hi $([char]27)[2J$([char]27)]0;owned$([char]7) there"
        $event = ConvertFrom-JelouWebhookEvent -Payload (@{ event_type = 'message'; timestamp = 1767323045000; project_id = 'p1'; value = @{ id = 'm1'; type = 'text'; content = @{ body = $hostile } } } | ConvertTo-Json -Depth 5)
        $oddProject = New-TestProjectId
        Invoke-JelouEmulatorControl $Emulator 'faults' -Method POST -Body @{ method = 'GET'; pathContains = $oddProject; status = 200; body = (@{ statusMessage = 'success'; status = 1; data = @{ id = "id$([char]27)]0;pwn$([char]7)"; brainId = $oddProject; webhookUrl = 'https://crm.example.com/j'; authType = 'no_auth' } } | ConvertTo-Json) } | Out-Null
        $odd = Get-JelouExternalSupport $oddProject
        # Nested: an end user's name in a conversation, a value in an event's metadata.
        $started = ConvertFrom-JelouWebhookEvent -Payload (@{ event = 'conversation.start'; timestamp = 1767323045000; project_id = 'p1'; metadata = @{ crm = @{ note = $hostile } } } | ConvertTo-Json -Depth 5)
        Invoke-JelouEmulatorControl $Emulator 'faults' -Method POST -Body @{ method = 'GET'; pathContains = 'conversations/odd-conversation'; status = 200; body = (@{ statusMessage = 'success'; status = 1; data = @{ id = 'odd-conversation'; roomId = 'r1'; state = 'active'; user = @{ id = 'u1'; names = $hostile }; bot = @{ id = 'b1'; name = 'B' } } } | ConvertTo-Json -Depth 5) } | Out-Null
        $named = Get-JelouConversation $oddProject odd-conversation
        foreach ($text in (& { Get-JelouContext; $event } | Out-String -Width 200), (& { Get-Date; $odd } | Out-String -Width 200), ($odd | Format-List | Out-String -Width 200), ($odd | Format-Table | Out-String -Width 200),
            (& { Get-Date; $started } | Out-String -Width 200), (& { Get-Date; $named } | Out-String -Width 200)) {
            $text | Should -Match '(?m)^(MessageId +: m1|ProjectId +: pester-|ProjectId|pester-|EventName +: conversation\.start|Id +: odd-conversation)' -Because "the object is shown: $text"
            $text | Should -Not -Match '[\x07\x1b]' -Because 'no escape sequence reaches the terminal'
        }
        $event.Text | Should -BeExactly $hostile
        $named.User.Names | Should -BeExactly $hostile
        $odd.Id | Should -Match '\x1b'
    }

    It 'shows why a test event failed, and the text a user wrote' {
        $Outputs.TestResult.Object | Out-String -Width 80 | Should -Match '(?m)^message +False +\d+ +Could not reach'
        # Laid out at the screen's width (80 here), the reason breaks between words, not where the column ends.
        $width = $Host.UI.RawUI.BufferSize.Width
        $refused = $Outputs.TestResult.Object[0]
        $rows = @($refused | Out-String -Width $width) -split '\r?\n' | Select-Object -Skip 3 | Where-Object { $_.Trim() }
        ($rows | ForEach-Object { $_.Substring(50).Trim() }) -join ' ' | Should -BeExactly $refused.Error
        $rows | ForEach-Object { $_.Length | Should -BeLessThan $width }
        $Outputs.Events.Object | Out-String -Width 80 | Should -Match "(?m)^\S+ \S+ +message +views-user +$([regex]::Escape($UserText))"
        # A long message breaks between words too (the other columns take 57).
        $body = 'Hola, quisiera saber por favor cuánto cuesta el envío a Guayaquil, muchas gracias por todo'
        $long = ConvertFrom-JelouWebhookEvent -Payload (@{ event_type = 'message'; timestamp = 1767323045000; project_id = 'p1'; value = @{ id = 'm1'; type = 'text'; content = @{ body = $body } } } | ConvertTo-Json -Depth 5)
        $rows = @($long | Out-String -Width $width) -split '\r?\n' | Select-Object -Skip 3 | Where-Object { $_.Trim() }
        ($rows | ForEach-Object { $_.Substring(57).Trim() }) -join ' ' | Should -BeExactly $body
        $rows | ForEach-Object { $_.Length | Should -BeLessThan $width }
    }

    It 'keeps an event''s metadata numbers as sent: whole numbers whole, ids of 17 digits and more to the last digit' {
        $payload = '{"event":"conversation.start","timestamp":1700000000000,"project_id":"p","metadata":{"attempt":1,"ratio":2.5,"waId":12345678901234567,"huge":123456789012345678901234567890,"list":[1,2]}}'
        $event = ConvertFrom-JelouWebhookEvent -Payload $payload

        $event.Metadata.attempt | Should -BeOfType [long]
        $event.Metadata.waId | Should -Be 12345678901234567
        "$($event.Metadata.huge)" | Should -Be '123456789012345678901234567890'
        $event.Metadata.ratio | Should -Be 2.5
        $event | Format-List | Out-String -Width 200 | Should -Match ([regex]::Escape('{"attempt":1,"ratio":2.5,"waId":12345678901234567,"huge":123456789012345678901234567890,"list":[1,2]}'))
        # The view's ConvertTo-Json takes none of the caller's defaults for it.
        $PSDefaultParameterValues = @{ 'ConvertTo-Json:AsArray' = $true; 'ConvertTo-Json:Depth' = 1 }
        $event | Format-List | Out-String -Width 200 | Should -Match 'Metadata +: \{"attempt":1,'
    }

    It 'shows the raw payload of an event of a type JelouPS does not know, also after a round trip through Export-Clixml' {
        $event = ConvertFrom-JelouWebhookEvent -Payload '{"event":"bot.paused","timestamp":1700000000000,"project_id":"p","reason":"views-unknown-event"}'
        $path = Join-Path $TestDrive 'unknown-event.xml'
        $event | Export-Clixml -LiteralPath $path

        $event | Format-List | Out-String -Width 200 | Should -Match 'RawPayload +: .*views-unknown-event'
        Import-Clixml -LiteralPath $path | Format-List | Out-String -Width 200 | Should -Match 'RawPayload +: .*views-unknown-event'
    }
}
