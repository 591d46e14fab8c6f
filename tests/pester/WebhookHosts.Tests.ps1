# One line in every host: ConvertFrom-JelouWebhookEvent -Request and Test-JelouWebhookSignature -Request take the request
# object each webhook host hands its script, shaped here exactly as each host documents or builds it, and find the raw
# body and the headers themselves.
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    $Secret = ConvertTo-SecureString 'a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5b6c7d8e9f0a1b2' -AsPlainText -Force
    # A message event as jelou-api.md §5.1 documents it, with non-ASCII text and a member order JSON.parse keeps.
    $Body = '{"field":"messages","object":"message_event","event_type":"message","timestamp":1776134278574,"project_id":"P1","room_id":"R1","contact":{"id":"U1","name":"Ana"},"conversation":{"id":"C1"},"bot":{"id":"B1","name":"Bot"},"value":{"id":"M1","type":"text","content":{"body":"¿Hola? ñandú"}}}'
    $Signature = Get-JelouWebhookSignature -Payload $Body -SigningSecret $Secret

    # Azure Functions' PowerShell worker, src/Public/HttpContext.cs (Azure/azure-functions-powershell-worker): Headers,
    # Query and Params are Dictionary<string,string> with StringComparer.OrdinalIgnoreCase; Body is the parsed JSON
    # (a Hashtable) for application/json; RawBody is the body as the host read it (a string). The Functions host
    # lower-cases header names (azure-functions-host, GrpcMessageConversionExtensions.cs).
    if (-not ('Microsoft.Azure.Functions.PowerShellWorker.HttpRequestContext' -as [type])) {
        Add-Type -TypeDefinition @'
namespace Microsoft.Azure.Functions.PowerShellWorker
{
    using System;
    using System.Collections.Generic;
    public class HttpRequestContext
    {
        public string Method { get; set; }
        public string Url { get; set; }
        public Dictionary<string, string> Headers { get; set; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        public Dictionary<string, string> Params { get; set; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        public Dictionary<string, string> Query { get; set; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        public object Body { get; set; }
        public object RawBody { get; set; }
    }
}
'@
    }
    function New-FunctionsRequest([string] $RawBody, [hashtable] $Headers) {
        $request = [Microsoft.Azure.Functions.PowerShellWorker.HttpRequestContext]::new()
        $request.Method = 'POST'
        $request.Url = 'https://crm-fn.azurewebsites.net/api/jelou'
        foreach ($name in $Headers.Keys) { $request.Headers[$name.ToLowerInvariant()] = $Headers[$name] }
        $request.RawBody = $RawBody
        $request.Body = $RawBody | ConvertFrom-Json -AsHashtable
        $request
    }

    # Azure Automation, "Start a runbook from a webhook" (Microsoft Learn, automation-webhooks.md): $WebhookData has
    # WebhookName, RequestBody (the body as a string, formatting kept) and RequestHeader (a PSCustomObject whose
    # properties are the headers, names as the caller sent them). PowerShell 7 runbooks may get it as JSON text.
    function New-WebhookData([string] $RequestBody, [hashtable] $Headers) {
        [pscustomobject]@{ WebhookName = 'jelou-events'; RequestBody = $RequestBody; RequestHeader = [pscustomobject]$Headers }
    }

    # Pode, src/Private/PodeServer.ps1 and src/Listener/PodeHttpRequest.cs (Badgerati/Pode): $WebEvent is a Hashtable;
    # its Request has RawBody (the exact bytes), Body (those bytes as UTF-8 text) and Headers (a Hashtable that ignores
    # case, names as sent); $WebEvent.Data is the parsed body.
    function New-PodeWebEvent([byte[]] $RawBody, [hashtable] $Headers) {
        $headerTable = [hashtable]::new([StringComparer]::InvariantCultureIgnoreCase)
        foreach ($name in $Headers.Keys) { $headerTable[$name] = $Headers[$name] }
        $text = [Text.Encoding]::UTF8.GetString($RawBody)
        @{
            Method      = 'post'
            Path        = '/jelou'
            Request     = [pscustomobject]@{ RawBody = $RawBody; Body = $text; Headers = $headerTable; ContentType = 'application/json' }
            Data        = $text | ConvertFrom-Json -AsHashtable
            Parameters  = @{}
            Query       = @{}
        }
    }
    $Utf8 = [Text.UTF8Encoding]::new($false)
}

Describe 'ConvertFrom-JelouWebhookEvent -Request in each host' {
    It 'reads an Azure Functions $Request by its RawBody and lower-cased headers' {
        $request = New-FunctionsRequest $Body @{ 'X-Jelou-Signature' = $Signature; 'Authorization' = 'Bearer fn-token' }

        $event = ConvertFrom-JelouWebhookEvent -Request $request -SigningSecret $Secret -AuthType bearer -WebhookAuthorization 'fn-token'

        $event | Should -BeOfType ([JelouPS.Webhooks.JelouMessageEvent])
        $event.Text | Should -Be '¿Hola? ñandú'
        $event.RawPayload | Should -BeExactly $Body
    }

    It 'reads an Azure Automation $WebhookData object (Windows PowerShell 5.1 runbook)' {
        $data = New-WebhookData $Body @{ 'Host' = 'x.webhook.azure-automation.net'; 'X-Jelou-Signature' = $Signature; 'X-API-Key' = 'aa-key' }

        $event = $data | ConvertFrom-JelouWebhookEvent -SigningSecret $Secret -AuthType api_key -WebhookAuthorization 'aa-key'

        $event.MessageId | Should -Be 'M1'
    }

    It 'reads $WebhookData that a PowerShell 7 runbook got as JSON text, given to -Request; piped, text is a body' {
        $text = New-WebhookData $Body @{ 'X-Jelou-Signature' = $Signature } | ConvertTo-Json -Compress

        (ConvertFrom-JelouWebhookEvent -Request $text -SigningSecret $Secret).Text | Should -Be '¿Hola? ñandú'
        # Piped text is the body received: a body that wraps another delivery is not unwrapped (it would verify other bytes).
        $text | ConvertFrom-JelouWebhookEvent -SigningSecret $Secret -ErrorVariable problem -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $problem[0].FullyQualifiedErrorId | Should -BeLike 'JelouSignatureMismatch,*'
    }

    It 'refuses $WebhookData text that is not JSON (the PowerShell 7 problem) and says what to do' {
        ConvertFrom-JelouWebhookEvent -Request "{WebhookName:x,RequestBody:$Body,RequestHeader:{}}" -SigningSecret $Secret -ErrorVariable problem -ErrorAction SilentlyContinue

        $problem[0].FullyQualifiedErrorId | Should -BeLike 'JelouInvalidArgument,*'
        $problem[0].Exception.Message | Should -Match 'Windows PowerShell 5.1 runbook'
    }

    It 'reads a Pode $WebEvent by its request''s exact bytes' {
        $webEvent = New-PodeWebEvent $Utf8.GetBytes($Body) @{ 'X-Jelou-Signature' = $Signature; 'Authorization' = 'Basic dXNlcjpwYXNz' }

        $event = ConvertFrom-JelouWebhookEvent -Request $webEvent -SigningSecret $Secret -AuthType basic -WebhookAuthorization 'dXNlcjpwYXNz'

        $event.RoomId | Should -Be 'R1'
    }

    It 'expects a PSCredential given for basic auth as its user name and password, as Jelou was given it' {
        $webEvent = New-PodeWebEvent $Utf8.GetBytes($Body) @{ 'X-Jelou-Signature' = $Signature; 'Authorization' = 'Basic dXNlcjpwYXNz' }
        $credential = [pscredential]::new('user', (ConvertTo-SecureString 'pass' -AsPlainText -Force))

        $event = ConvertFrom-JelouWebhookEvent -Request $webEvent -SigningSecret $Secret -AuthType basic -WebhookAuthorization $credential

        $event.RoomId | Should -Be 'R1'
    }

    It 'takes a pipeline of request objects from different hosts, one event each, in order' {
        $requests = @(
            New-FunctionsRequest $Body @{ 'X-Jelou-Signature' = $Signature }
            New-WebhookData $Body @{ 'X-Jelou-Signature' = $Signature }
            New-PodeWebEvent $Utf8.GetBytes($Body) @{ 'X-Jelou-Signature' = $Signature }
        )

        $events = $requests | ConvertFrom-JelouWebhookEvent -SigningSecret $Secret

        @($events).Count | Should -Be 3
        $events.MessageId | Should -Be @('M1', 'M1', 'M1')
    }
}

Describe 'Stored deliveries' {
    It 'pipe in as { Payload; Signature }, as into Test-JelouWebhookSignature, each verified' {
        $stored = @(
            [pscustomobject]@{ Payload = $Body; Signature = $Signature }
            [pscustomobject]@{ Payload = $Body + ' '; Signature = $Signature }
        )

        $stored += [pscustomobject]@{ Payload = $Body; Signature = $null }
        $events = $stored | ConvertFrom-JelouWebhookEvent -SigningSecret $Secret -ErrorVariable problems -ErrorAction SilentlyContinue

        @($events).Count | Should -Be 1
        @($problems).Count | Should -Be 2
        $problems[1].FullyQualifiedErrorId | Should -BeLike 'JelouSignatureMismatch,*'
        $events.MessageId | Should -Be 'M1'
        $problems[0].FullyQualifiedErrorId | Should -BeLike 'JelouSignatureMismatch,*'
    }
}

Describe 'What each host''s request is refused for' {
    It 'refuses a body changed on the way with JelouSignatureMismatch, in every host' {
        $tampered = $Body.Replace('ñandú', 'nandu')
        $requests = @(
            New-FunctionsRequest $tampered @{ 'X-Jelou-Signature' = $Signature }
            New-WebhookData $tampered @{ 'X-Jelou-Signature' = $Signature }
            New-PodeWebEvent $Utf8.GetBytes($tampered) @{ 'X-Jelou-Signature' = $Signature }
        )

        $events = $requests | ConvertFrom-JelouWebhookEvent -SigningSecret $Secret -ErrorVariable problems -ErrorAction SilentlyContinue

        $events | Should -BeNullOrEmpty
        $problems.FullyQualifiedErrorId | ForEach-Object { $_ | Should -BeLike 'JelouSignatureMismatch,*' }
        @($problems).Count | Should -Be 3
        $problems[0].CategoryInfo.Category | Should -Be 'SecurityError'
    }

    It 'refuses a delivery signed with another secret' {
        $other = Get-JelouWebhookSignature -Payload $Body -SigningSecret 'another-projects-secret'

        ConvertFrom-JelouWebhookEvent -Request (New-FunctionsRequest $Body @{ 'X-Jelou-Signature' = $other }) -SigningSecret $Secret -ErrorVariable problem -ErrorAction SilentlyContinue

        $problem[0].FullyQualifiedErrorId | Should -BeLike 'JelouSignatureMismatch,*'
    }

    It 'refuses a wrong or missing webhook credential with JelouWebhookAuthorizationMismatch before the signature, and never shows it' {
        $wrong = New-FunctionsRequest $Body @{ 'X-Jelou-Signature' = $Signature; 'Authorization' = 'Bearer stolen-token' }
        $missing = New-FunctionsRequest $Body @{ 'X-Jelou-Signature' = $Signature }

        $wrong, $missing | ConvertFrom-JelouWebhookEvent -SigningSecret $Secret -AuthType bearer -WebhookAuthorization 'fn-token' -ErrorVariable problems -ErrorAction SilentlyContinue

        @($problems).Count | Should -Be 2
        $problems.FullyQualifiedErrorId | ForEach-Object { $_ | Should -BeLike 'JelouWebhookAuthorizationMismatch,*' }
        $problems[0].CategoryInfo.Category | Should -Be 'SecurityError'
        ($problems | Out-String) | Should -Not -Match 'fn-token|stolen-token'
        ($problems | ForEach-Object TargetObject | ConvertTo-Json -Depth 5) | Should -Not -Match 'fn-token|stolen-token'
        $problems[0].TargetObject | Should -Be 'input 1, Microsoft.Azure.Functions.PowerShellWorker.HttpRequestContext request POST https://crm-fn.azurewebsites.net/api/jelou'
    }

    It 'never names the function key in the URL''s query (?code=) in an error about the request' {
        $keyed = New-FunctionsRequest $Body @{ 'X-Jelou-Signature' = 'sha256=00' }
        $keyed.Url = 'https://crm-fn.azurewebsites.net/api/jelou?code=FUNCTION-KEY-0123'
        $bare = New-FunctionsRequest $Body @{}
        $bare.Url = 'https://user:pa55@crm-fn.azurewebsites.net/api/jelou?code=FUNCTION-KEY-0123'
        $bare.RawBody = $null

        $keyed | ConvertFrom-JelouWebhookEvent -SigningSecret $Secret -ErrorVariable problems -ErrorAction SilentlyContinue
        $bare | ConvertFrom-JelouWebhookEvent -SigningSecret $Secret -ErrorVariable +problems -ErrorAction SilentlyContinue
        Test-JelouWebhookSignature -Request $keyed -SigningSecret $Secret -ErrorVariable +problems -ErrorAction SilentlyContinue | Out-Null

        @($problems).Count | Should -BeGreaterOrEqual 2
        $problems[0].TargetObject | Should -Be 'input 1, Microsoft.Azure.Functions.PowerShellWorker.HttpRequestContext request POST https://crm-fn.azurewebsites.net/api/jelou?…'
        $shown = ($problems | Out-String) + ($problems | ForEach-Object { $_.TargetObject; $_.CategoryInfo.TargetName } | Out-String) + ($problems | ConvertTo-Json -Depth 3 -WarningAction SilentlyContinue)
        $shown | Should -Not -Match 'FUNCTION-KEY-0123|pa55'
    }

    It 'refuses an empty signing secret: with it, anyone could sign' {
        $forged = Get-JelouWebhookSignature -Payload $Body -SigningSecret 'x' -ErrorAction Stop
        { ConvertFrom-JelouWebhookEvent -Request (New-FunctionsRequest $Body @{ 'X-Jelou-Signature' = $forged }) -SigningSecret '' -ErrorAction Stop } | Should -Throw -ErrorId 'JelouInvalidArgument,*'
        { Test-JelouWebhookSignature -Payload $Body -Signature $forged -SigningSecret '' -ErrorAction Stop } | Should -Throw -ErrorId 'JelouInvalidArgument,*'
    }

    It 'refuses a parsed body without the raw one, rather than re-serialising it' {
        $request = New-FunctionsRequest $Body @{ 'X-Jelou-Signature' = $Signature }
        $request.RawBody = $null

        ConvertFrom-JelouWebhookEvent -Request $request -SigningSecret $Secret -ErrorVariable problem -ErrorAction SilentlyContinue

        $problem[0].FullyQualifiedErrorId | Should -BeLike 'JelouInvalidArgument,*'
        $problem[0].Exception.Message | Should -Match 'parsed'
    }

    It 'answers 400 for a signed body that is no event: its error is of category InvalidData' {
        $notAnEvent = '[1,2,3]'
        $request = New-FunctionsRequest $notAnEvent @{ 'X-Jelou-Signature' = (Get-JelouWebhookSignature -Payload $notAnEvent -SigningSecret $Secret) }
        $request.Body = $null

        ConvertFrom-JelouWebhookEvent -Request $request -SigningSecret $Secret -ErrorVariable problem -ErrorAction SilentlyContinue

        $problem[0].FullyQualifiedErrorId | Should -BeLike 'JelouInvalidWebhookEvent,*'
        $problem[0].CategoryInfo.Category | Should -Be 'InvalidData'
        # A raw body is named by its size, not held (nor shown as a bare number).
        ConvertFrom-JelouWebhookEvent -Payload $notAnEvent -ErrorVariable raw -ErrorAction SilentlyContinue
        $raw[0].TargetObject | Should -Be 'payload of 7 bytes'
    }

    It 'verifies piped requests too: without -SigningSecret nothing is converted' {
        { New-FunctionsRequest $Body @{ 'X-Jelou-Signature' = 'sha256=00' } | ConvertFrom-JelouWebhookEvent -ErrorAction Stop } | Should -Throw -ErrorId 'JelouInvalidArgument,*'
    }

    It 'refuses -AuthType with a raw -Payload, which has no headers to check' {
        { ConvertFrom-JelouWebhookEvent -Payload $Body -Signature $Signature -SigningSecret $Secret -AuthType bearer -WebhookAuthorization t -ErrorAction Stop } |
            Should -Throw -ErrorId 'JelouInvalidArgument,*'
    }

    It 'reads odd header shapes as a header of that name: a list of one value, or a Signature beside headers that lack it, and refuses headers given as text' {
        $listed = @{ RawBody = $Body; Headers = @{ 'X-Jelou-Signature' = [System.Collections.Generic.List[string]]@($Signature) } }
        $beside = [pscustomobject]@{ RawBody = $Body; Headers = @{ Host = 'x' }; Signature = $Signature }

        ($listed, $beside | ConvertFrom-JelouWebhookEvent -SigningSecret $Secret).MessageId | Should -Be @('M1', 'M1')
        ConvertFrom-JelouWebhookEvent -Request @{ RawBody = $Body; Headers = "X-Jelou-Signature: $Signature" } -SigningSecret $Secret -ErrorVariable problem -ErrorAction SilentlyContinue
        $problem[0].FullyQualifiedErrorId | Should -BeLike 'JelouInvalidArgument,*'
    }

    It 'refuses a signature given twice, whichever comes first: as a list, or under names that differ only in case' {
        $twice = [System.Collections.Generic.Dictionary[string, string]]::new([StringComparer]::Ordinal)
        $twice['x-jelou-signature'] = 'sha256=00'
        $twice['X-Jelou-Signature'] = $Signature
        $requests = @(
            @{ RawBody = $Body; Headers = @{ 'X-Jelou-Signature' = [System.Collections.Generic.List[string]]@($Signature, 'sha256=00') } }
            @{ RawBody = $Body; Headers = @{ 'X-Jelou-Signature' = [System.Collections.Generic.List[string]]@('sha256=00', $Signature) } }
            @{ RawBody = $Body; Headers = $twice }
        )

        $events = $requests | ConvertFrom-JelouWebhookEvent -SigningSecret $Secret -ErrorVariable refused -ErrorAction SilentlyContinue

        $events | Should -BeNullOrEmpty
        @($refused.FullyQualifiedErrorId | ForEach-Object { ($_ -split ',')[0] }) | Should -Be @('JelouSignatureMismatch', 'JelouSignatureMismatch', 'JelouSignatureMismatch')
    }

    It 'stops before anything when -Request or -AuthType comes without -SigningSecret' {
        { ConvertFrom-JelouWebhookEvent -Request (New-FunctionsRequest $Body @{}) -ErrorAction Stop } | Should -Throw -ErrorId 'JelouInvalidArgument,*'
        { $Body | ConvertFrom-JelouWebhookEvent -AuthType bearer -WebhookAuthorization t -ErrorAction Stop } | Should -Throw -ErrorId 'JelouInvalidArgument,*'
        { $Body | ConvertFrom-JelouWebhookEvent -SigningSecret $Secret -AuthType bearer -ErrorAction Stop } | Should -Throw -ErrorId 'JelouInvalidArgument,*'
    }
}

Describe 'Test-JelouWebhookSignature -Request' {
    It 'is true for a host''s signed request and false for a changed one' {
        Test-JelouWebhookSignature -Request (New-PodeWebEvent $Utf8.GetBytes($Body) @{ 'X-Jelou-Signature' = $Signature }) -SigningSecret $Secret | Should -BeTrue
        Test-JelouWebhookSignature -Request (New-WebhookData ($Body + ' ') @{ 'X-Jelou-Signature' = $Signature }) -SigningSecret $Secret | Should -BeFalse
    }

    It 'is true only when the request also carries the webhook''s credential, when one is expected' {
        $right = New-FunctionsRequest $Body @{ 'X-Jelou-Signature' = $Signature; 'X-API-Key' = 'k-1' }
        $wrong = New-FunctionsRequest $Body @{ 'X-Jelou-Signature' = $Signature; 'X-API-Key' = 'k-2' }

        Test-JelouWebhookSignature -Request $right -SigningSecret $Secret -AuthType api_key -WebhookAuthorization 'k-1' | Should -BeTrue
        Test-JelouWebhookSignature -Request $wrong -SigningSecret $Secret -AuthType api_key -WebhookAuthorization 'k-1' | Should -BeFalse
        { Test-JelouWebhookSignature -Request $right -SigningSecret $Secret -WebhookAuthorization 'k-1' -ErrorAction Stop } | Should -Throw -ErrorId 'JelouInvalidArgument,*'
    }
}

# The README's host scripts, as written: what each answers decides whether Jelou's delivery is lost (a 200 to one that was
# not handled) or refused for what it is.
Describe 'The README''s Azure Function, as written, answers each delivery' {
    BeforeAll {
        $readme = Get-Content -Raw (Join-Path $PSScriptRoot '../../README.md')
        $script = [regex]::Match($readme, '(?s)An Azure Function \(`run\.ps1`.*?```powershell\r?\n(.*?)```').Groups[1].Value
        $script | Should -Match 'ConvertFrom-JelouWebhookEvent -Request \$Request'
        # The worker's own commands and types, as the script uses them.
        $Hosted = $script -replace '(?m)^param\(\$Request, \$TriggerMetadata\)\r?$', ('$0' + "`nclass HttpResponseContext { [object] `$StatusCode }`nfunction Push-OutputBinding(`$Name, `$Value) { `"ANSWER=`$(`$Value.StatusCode)`" }")
        # Run as the worker runs it: in a runspace of its own, not inside a try (as a Pester test is), where an error the
        # script goes on after would end it.
        function Invoke-Function($Request) {
            $shell = [powershell]::Create()
            try {
                $shell.AddScript("Import-Module '$(Join-Path $ModulePath 'JelouPS.psd1')'").AddStatement().AddScript($Hosted).AddParameter('Request', $Request).AddParameter('TriggerMetadata', @{}) | Out-Null
                @($shell.Invoke()) -match '^ANSWER=' -replace '^ANSWER='
            }
            finally { $shell.Dispose() }
        }
        $Start = '{"event":"conversation.start","timestamp":1776134278574,"project_id":"P1","conversation":{"id":"C1"}}'
        $PlainSecret = ConvertTo-PlainText $Secret
    }
    AfterEach {
        Remove-Item env:JELOU_SIGNING_SECRET, env:JELOU_WEBHOOK_TOKEN -ErrorAction SilentlyContinue
    }

    It 'answers <Answer> when <Case>' -ForEach @(
        @{ Case = 'the delivery is good'; SigningSecret = 'set'; Token = 'tok-1234'; Presented = 'tok-1234'; Answer = 'OK' }
        @{ Case = 'the signing secret''s app setting is unset'; SigningSecret = $null; Token = 'tok-1234'; Presented = 'tok-1234'; Answer = 'InternalServerError' }
        @{ Case = 'the signing secret''s app setting is empty'; SigningSecret = ' '; Token = 'tok-1234'; Presented = 'tok-1234'; Answer = 'InternalServerError' }
        @{ Case = 'the token''s app setting is unset'; SigningSecret = 'set'; Token = $null; Presented = 'tok-1234'; Answer = 'InternalServerError' }
        @{ Case = 'the signing secret''s Key Vault reference is unresolved'; SigningSecret = '@Microsoft.KeyVault(SecretUri=https://crm-kv.vault.azure.net/secrets/jelou-signing/)'; Token = 'tok-1234'; Presented = 'tok-1234'; Answer = 'InternalServerError' }
        @{ Case = 'the token''s Key Vault reference is unresolved'; SigningSecret = 'set'; Token = '@Microsoft.KeyVault(VaultName=crm-kv;SecretName=jelou-token)'; Presented = 'tok-1234'; Answer = 'InternalServerError' }
        @{ Case = 'the delivery presents another token'; SigningSecret = 'set'; Token = 'tok-1234'; Presented = 'tok-9999'; Answer = 'Unauthorized' }
        @{ Case = 'the signature does not match'; SigningSecret = 'set'; Token = 'tok-1234'; Presented = 'tok-1234'; Forged = 'sha256=00'; Answer = 'Unauthorized' }
        @{ Case = 'the signed body is no event'; SigningSecret = 'set'; Token = 'tok-1234'; Presented = 'tok-1234'; NoEvent = '[1]'; Answer = 'BadRequest' }
    ) {
        $env:JELOU_SIGNING_SECRET = if ($SigningSecret -eq 'set') { $PlainSecret } else { $SigningSecret }
        $env:JELOU_WEBHOOK_TOKEN = $Token
        $sent = if ($NoEvent) { $NoEvent } else { $Start }
        $signed = if ($Forged) { $Forged } else { Get-JelouWebhookSignature -Payload $sent -SigningSecret $Secret }

        Invoke-Function (New-FunctionsRequest $sent @{ 'X-Jelou-Signature' = $signed; Authorization = "Bearer $Presented" }) | Should -Be $Answer
    }
}
