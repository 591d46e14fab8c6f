<#
    Import time, side by side in fresh processes: `pwsh -c exit`, importing a trivial manifest module with one function
    (PowerShell's own module-loading cost), the same with a one-view format file (what PowerShell charges any module that
    has views: each import of one rebuilds the session's whole format table), importing JelouPS, and importing JelouPS and
    running its first command (Get-JelouContext, which loads the client). The processes take turns, in a new random order each round, -Rounds
    times. Two wall times of each: the whole process's, and, inside it, that of the import (and first command) alone,
    which leaves out the start of PowerShell itself (most of a process's time, and most of how much it varies from one
    to the next on a busy host). Each figure is the median. What JelouPS adds over the trivial module is taken round by
    round: the median, its 95% confidence interval and the middle half; and the same over the trivial module with views. Writes import.md and import.json to -OutPath.
    Run by ./build.ps1 -Task Bench.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $OutPath,
    [int] $Rounds = 25
)
$ErrorActionPreference = 'Stop'
. (Join-Path $PSScriptRoot 'BenchSupport.ps1')
$module = (Resolve-Path $ModulePath).Path

$trivialRoot = Join-Path ([IO.Path]::GetTempPath()) "JelouBenchTrivial-$PID"
# A manifest module with one function, and the same with one table view of the object that function returns.
function New-TrivialModule([string] $Name, [switch] $WithView) {
    $folder = New-Item -ItemType Directory (Join-Path $trivialRoot $Name) -Force
    Set-Content (Join-Path $folder "$Name.psm1") "function Get-$Name { [pscustomobject]@{ PSTypeName = 'Trivial.Item'; Name = 'trivial' } }"
    $formats = ''
    if ($WithView) {
        Set-Content (Join-Path $folder "$Name.Format.ps1xml") ('<?xml version="1.0" encoding="utf-8"?><Configuration><ViewDefinitions><View><Name>Trivial.Item</Name>' +
            '<ViewSelectedBy><TypeName>Trivial.Item</TypeName></ViewSelectedBy><TableControl><TableHeaders><TableColumnHeader /></TableHeaders>' +
            '<TableRowEntries><TableRowEntry><TableColumnItems><TableColumnItem><PropertyName>Name</PropertyName></TableColumnItem>' +
            '</TableColumnItems></TableRowEntry></TableRowEntries></TableControl></View></ViewDefinitions></Configuration>')
        $formats = "; FormatsToProcess = @('$Name.Format.ps1xml')"
    }
    Set-Content (Join-Path $folder "$Name.psd1") "@{ RootModule = '$Name.psm1'; ModuleVersion = '1.0.0'; GUID = '$([guid]::NewGuid())'; FunctionsToExport = @('Get-$Name')$formats }"
    $folder.FullName
}
$trivial = New-TrivialModule 'Trivial'
$trivialWithView = New-TrivialModule 'TrivialWithView' -WithView

# The PowerShell running this script, started again (as `dotnet pwsh.dll` when it runs as the .NET tool).
$self = [Environment]::ProcessPath
$prefix = @(if ([IO.Path]::GetFileNameWithoutExtension($self) -eq 'dotnet') { Join-Path $PSHOME 'pwsh.dll' })
$cases = [ordered]@{
    'pwsh -c exit'                          = ''
    'Import-Module (trivial module)'        = "Import-Module '$trivial'"
    'Import-Module (trivial module, a view)' = "Import-Module '$trivialWithView'"
    'Import-Module JelouPS'                 = "Import-Module '$module'"
    'Import-Module JelouPS; first command'  = "Import-Module '$module'; Get-JelouContext | Out-Null"
}
# The process's wall time, and that of the command inside it (its own stopwatch, written as the process's one output).
function Measure-Start([string] $Command) {
    $clock = [Diagnostics.Stopwatch]::StartNew()
    $inside = & $self @prefix -NoProfile -NonInteractive -Command "`$clock = [Diagnostics.Stopwatch]::StartNew(); $Command; `$clock.Elapsed.TotalMilliseconds.ToString([cultureinfo]::InvariantCulture)"
    if ($LASTEXITCODE -ne 0) { throw "'$Command' failed with exit code $LASTEXITCODE." }
    [pscustomobject]@{ Process = $clock.Elapsed.TotalMilliseconds; Inside = [double]::Parse(@($inside)[-1], [cultureinfo]::InvariantCulture) }
}
try {
    foreach ($case in $cases.Values) { Measure-Start $case | Out-Null }   # the disk cache
    $samples = @{}
    for ($round = 1; $round -le $Rounds; $round++) {
        foreach ($name in ($cases.Keys | Get-Random -Shuffle)) { $samples[$name] += , (Measure-Start $cases[$name]) }
    }
}
finally {
    Remove-Item $trivialRoot -Recurse -Force
}
$median = [ordered]@{}
$inside = [ordered]@{}
foreach ($name in $cases.Keys) {
    $median[$name] = [math]::Round((Get-Median $samples[$name].Process), 1)
    $inside[$name] = [math]::Round((Get-Median $samples[$name].Inside), 1)
}
# Taken round by round, against the process of the same round.
function Get-Over([string] $Name, [string] $Baseline, [string] $Part) {
    Get-RoundStatistics @(for ($r = 0; $r -lt $Rounds; $r++) { $samples[$Name][$r].$Part - $samples[$Baseline][$r].$Part }) 1
}
$overTrivial = [ordered]@{}
$overTrivialWithView = [ordered]@{}
foreach ($name in $cases.Keys | Where-Object { $_ -like 'Import-Module JelouPS*' -or $_ -eq 'Import-Module (trivial module, a view)' }) {
    $overTrivial[$name] = [ordered]@{ Process = Get-Over $name 'Import-Module (trivial module)' Process; Inside = Get-Over $name 'Import-Module (trivial module)' Inside }
    if ($name -like 'Import-Module JelouPS*') { $overTrivialWithView[$name] = [ordered]@{ Inside = Get-Over $name 'Import-Module (trivial module, a view)' Inside } }
}
function Format-Over($Statistics) {
    '{0:+0.0;-0.0;0.0} [{1:+0.0;-0.0;0.0} to {2:+0.0;-0.0;0.0}] ({3:+0.0;-0.0;0.0} to {4:+0.0;-0.0;0.0})' -f $Statistics.Median, $Statistics.MedianLow95, $Statistics.MedianHigh95, $Statistics.FirstQuartile, $Statistics.ThirdQuartile
}

$machine = Get-BenchMachine
Write-BenchResult $OutPath 'import' ([ordered]@{ Machine = $machine; Rounds = $Rounds; MedianMilliseconds = $median; MedianMillisecondsInside = $inside; OverTrivialMilliseconds = $overTrivial; OverTrivialWithViewMilliseconds = $overTrivialWithView }) @(
    "### Import: median of $Rounds fresh processes each, taking turns"
    ''
    "Machine: $machine"
    ''
    'The process, and inside it the command alone (without the start of PowerShell). Over a trivial module (without views, and with one): taken round by round, the median, in square brackets its 95% confidence interval, in round brackets the middle half of the rounds.'
    ''
    '| process | process ms | over the trivial module | command ms | over the trivial module | over the trivial module with a view |'
    '|---|---:|---:|---:|---:|---:|'
    foreach ($name in $cases.Keys) {
        $o = $overTrivial[$name]
        $v = $overTrivialWithView[$name]
        $command = if ($cases[$name]) { $inside[$name] } else { '' }
        $overs = if ($o) { "$(Format-Over $o.Process) | $command | $(Format-Over $o.Inside)" } else { " | $command | " }
        "| $name | $($median[$name]) | $overs | $(if ($v) { Format-Over $v.Inside }) |"
    }
)
