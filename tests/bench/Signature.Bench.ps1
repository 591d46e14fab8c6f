<#
    Webhook signatures from PowerShell, side by side in one run: -Count payloads of 2 KB, each with its
    X-Jelou-Signature, verified by the usual hand-written PowerShell HMAC function in a loop (the pattern Q&A
    threads and webhook guides show: New-Object HMACSHA256, set .Key, BitConverter hex), by a faster hand-written
    variant (::new, one object per call), by
    Test-JelouWebhookSignature called once per payload, and by one Test-JelouWebhookSignature fed the deliveries by
    property name (-Payload, -Signature). The ways take turns for -Rounds rounds; each figure is the median, and every
    way must say $true for every delivery. Writes signature.md and signature.json to -OutPath. Run by
    ./build.ps1 -Task Bench.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $OutPath,
    [int] $Count = 10000,
    [int] $Rounds = 3
)
$ErrorActionPreference = 'Stop'
. (Join-Path $PSScriptRoot 'BenchSupport.ps1')
Import-Module (Resolve-Path $ModulePath).Path

$plainSecret = -join ((1..64) | ForEach-Object { '{0:x}' -f (Get-Random -Maximum 16) })
$secret = ConvertTo-SecureString $plainSecret -AsPlainText -Force
$filler = 'x' * 1980
$deliveries = foreach ($i in 1..$Count) {
    $payload = "{`"event_type`":`"message`",`"n`":$i,`"value`":{`"content`":{`"body`":`"$filler`"}}}"
    [pscustomobject]@{ Payload = $payload; Signature = Get-JelouWebhookSignature -Payload $payload -SigningSecret $secret }
}

# The usual hand-written verifier, as Q&A threads and webhook guides write it.
function Test-HmacSignature($Payload, $Signature, $Secret) {
    $hmacsha = New-Object System.Security.Cryptography.HMACSHA256
    $hmacsha.key = [Text.Encoding]::UTF8.GetBytes($Secret)
    $hash = $hmacsha.ComputeHash([Text.Encoding]::UTF8.GetBytes($Payload))
    $expected = 'sha256=' + [BitConverter]::ToString($hash).Replace('-', '').ToLower()
    $expected -eq $Signature
}

# A faster hand-written one: typed parameters, the constructor instead of New-Object.
function Test-HmacSignatureFast([string] $Payload, [string] $Signature, [string] $Secret) {
    $hmac = [System.Security.Cryptography.HMACSHA256]::new([Text.Encoding]::UTF8.GetBytes($Secret))
    $hash = $hmac.ComputeHash([Text.Encoding]::UTF8.GetBytes($Payload))
    ('sha256=' + [BitConverter]::ToString($hash).Replace('-', '').ToLowerInvariant()) -eq $Signature
}

$ways = [ordered]@{
    'hand-written HMAC function, in a loop'                  = { foreach ($d in $deliveries) { Test-HmacSignature $d.Payload $d.Signature $plainSecret } }
    'faster hand-written HMAC function, in a loop'           = { foreach ($d in $deliveries) { Test-HmacSignatureFast $d.Payload $d.Signature $plainSecret } }
    'Test-JelouWebhookSignature, one call per payload'       = { foreach ($d in $deliveries) { Test-JelouWebhookSignature -Payload $d.Payload -Signature $d.Signature -SigningSecret $secret } }
    'Test-JelouWebhookSignature, by property name'           = { $deliveries | Test-JelouWebhookSignature -SigningSecret $secret }
}
$samples = @{}
for ($round = 0; $round -le $Rounds; $round++) {
    foreach ($way in $ways.Keys) {
        $clock = [Diagnostics.Stopwatch]::StartNew()
        $results = & $ways[$way]
        $ms = $clock.Elapsed.TotalMilliseconds
        if (@($results | Where-Object { $_ -ne $true }).Count -or @($results).Count -ne $Count) { throw "$way did not verify every delivery." }
        if ($round -gt 0) { $samples[$way] += , $ms }   # round 0 warms up
    }
}
$handWritten = Get-Median $samples['hand-written HMAC function, in a loop']
$rows = foreach ($way in $ways.Keys) {
    $ms = Get-Median $samples[$way]
    [pscustomobject]@{ Way = $way; Milliseconds = [math]::Round($ms, 1); MicrosecondsPerPayload = [math]::Round($ms * 1000 / $Count, 1); Speedup = [math]::Round($handWritten / $ms, 2) }
}

$machine = Get-BenchMachine
Write-BenchResult $OutPath 'signature' ([ordered]@{ Machine = $machine; Count = $Count; PayloadBytes = $deliveries[0].Payload.Length; Rounds = $Rounds; Ways = @($rows) }) @(
    "### Signatures: $Count payloads of 2 KB, median of $Rounds rounds"
    ''
    "Machine: $machine"
    ''
    '| way | ms | µs per payload | vs hand-written |'
    '|---|---:|---:|---:|'
    $rows | ForEach-Object { "| $($_.Way) | $($_.Milliseconds) | $($_.MicrosecondsPerPayload) | $($_.Speedup)x |" }
)
