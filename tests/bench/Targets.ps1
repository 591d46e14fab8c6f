<#
    Issue 10's speed targets against what this run of ./build.ps1 -Task Bench measured (the *.json in -OutPath), each with
    the statistic it is read from. A figure measured in rounds is read from its median's 95% confidence interval: met when
    the whole interval is within the target, missed when the whole interval is past it, and otherwise too close to call on
    this machine (the true median may lie on either side). Writes targets.md and targets.json to -OutPath.
#>
param([Parameter(Mandatory)] [string] $OutPath)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
. (Join-Path $PSScriptRoot 'BenchSupport.ps1')

function Read-Bench([string] $Name) { Get-Content (Join-Path $OutPath "$Name.json") -Raw | ConvertFrom-Json }
$percall = Read-Bench 'percall'
$overhead = Read-Bench 'overhead'
$import = Read-Bench 'import'
$signature = Read-Bench 'signature'
$core = Read-Bench 'signature-core'

# $Interval: an object with Median, MedianLow95 and MedianHigh95; or a single figure in $Value.
function New-Target([string] $Target, [string] $Statistic, [double] $Limit, [string] $Unit, [switch] $AtLeast, $Interval, $Value) {
    if ($null -eq $Interval -and $null -eq $Value) { throw "Nothing was measured for '$Target': a benchmark's JSON lacks it." }
    $within = if ($AtLeast) { { param($x) $x -ge $Limit } } else { { param($x) $x -le $Limit } }
    if ($Interval) {
        $shown = '{0}{3} [{1}–{2}]' -f $Interval.Median, $Interval.MedianLow95, $Interval.MedianHigh95, $Unit
        $verdict = if ((& $within $Interval.MedianLow95) -and (& $within $Interval.MedianHigh95)) { 'met' }
        elseif (-not (& $within $Interval.MedianLow95) -and -not (& $within $Interval.MedianHigh95)) { 'missed' }
        else { 'too close to call' }
    }
    else {
        $shown = "$Value$Unit"
        $verdict = if (& $within $Value) { 'met' } else { 'missed' }
    }
    [ordered]@{ Target = $Target; Statistic = $Statistic; Measured = $shown; Verdict = $verdict }
}

$targets = @(
    New-Target 'Get-JelouExternalSupport ≤ 0.45x Invoke-RestMethod' 'per call, emulator (percall)' 0.45 'x' -Interval $percall.Ways.GET.'Get-JelouExternalSupport'.VsInvokeRestMethod
    New-Target 'New-JelouExternalSupport ≤ 0.45x Invoke-RestMethod' 'per call, emulator (percall)' 0.45 'x' -Interval $percall.Ways.create.'New-JelouExternalSupport'.VsInvokeRestMethod
    New-Target 'Get-JelouExternalSupport ≤ 1.0x the PowerShell loop' 'per call, emulator (percall)' 1.0 'x' -Interval $percall.Ways.GET.'Get-JelouExternalSupport'.VsPowerShellLoop
    New-Target 'New-JelouExternalSupport ≤ 1.0x the PowerShell loop' 'per call, emulator (percall)' 1.0 'x' -Interval $percall.Ways.create.'New-JelouExternalSupport'.VsPowerShellLoop
    New-Target 'The run pattern ≤ 10 µs a call, -Verbose and -Debug off' "Get-JelouExternalSupport's whole time over a bare cmdlet's, answers from memory (overhead)" 10 ' µs' -Interval $overhead.Ways.GET.'Get-JelouExternalSupport'.MicrosecondsOverBareCmdlet
    New-Target 'Import-Module JelouPS ≤ 20 ms over a trivial module' 'the import alone, in fresh processes taking turns (import)' 20 ' ms' -Interval $import.OverTrivialMilliseconds.'Import-Module JelouPS'.Inside
    New-Target '(not issue 10''s: proposed) the same over a trivial module with a one-view format file' 'as above (import)' 20 ' ms' -Interval $import.OverTrivialWithViewMilliseconds.'Import-Module JelouPS'.Inside
    New-Target 'Signatures by property name ≥ 5x the usual PowerShell HMAC function' '10,000 payloads of 2 KB (signature)' 5 'x' -AtLeast -Value ($signature.Ways | Where-Object Way -EQ 'Test-JelouWebhookSignature, by property name').Speedup
    New-Target "The C# core's verify ≤ 1.5x .NET's one-shot HMAC-SHA256" 'BenchmarkDotNet (signature-core)' 1.5 'x' -Value $core.Verify.VsOneShot
)
$lines = @(
    "### Issue 10's targets in this run"
    ''
    'A figure measured in rounds is read from the 95% confidence interval of its median (in square brackets): met when all of it is within the target, missed when all of it is past, too close to call otherwise.'
    ''
    '| target | read from | measured | verdict |'
    '|---|---|---:|---|'
)
$lines += foreach ($t in $targets) { "| $($t.Target) | $($t.Statistic) | $($t.Measured) | $($t.Verdict) |" }
Write-BenchResult $OutPath 'targets' ([ordered]@{ Machine = $percall.Machine; Targets = $targets }) $lines
