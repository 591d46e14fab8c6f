<#
    Import time, side by side in fresh processes: the wall time of `pwsh -c exit`, of importing a trivial manifest
    module with one function (PowerShell's own module-loading cost), of importing JelouPS, and of importing JelouPS and
    running its first command (Get-JelouContext, which loads the client). The processes take turns, -Rounds times;
    each figure is the median. Writes import.md and import.json to -OutPath. Run by ./build.ps1 -Task Bench.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $OutPath,
    [int] $Rounds = 15
)
$ErrorActionPreference = 'Stop'
. (Join-Path $PSScriptRoot 'BenchSupport.ps1')
$module = (Resolve-Path $ModulePath).Path

$trivial = Join-Path ([IO.Path]::GetTempPath()) "JelouBenchTrivial-$PID/Trivial"
New-Item -ItemType Directory $trivial -Force | Out-Null
Set-Content (Join-Path $trivial 'Trivial.psm1') "function Get-Trivial { 'trivial' }"
Set-Content (Join-Path $trivial 'Trivial.psd1') "@{ RootModule = 'Trivial.psm1'; ModuleVersion = '1.0.0'; GUID = '$([guid]::NewGuid())'; FunctionsToExport = @('Get-Trivial') }"

# The PowerShell running this script, started again (as `dotnet pwsh.dll` when it runs as the .NET tool).
$self = [Environment]::ProcessPath
$prefix = @(if ([IO.Path]::GetFileNameWithoutExtension($self) -eq 'dotnet') { Join-Path $PSHOME 'pwsh.dll' })
$cases = [ordered]@{
    'pwsh -c exit'                          = 'exit'
    'Import-Module (trivial module)'        = "Import-Module '$trivial'"
    'Import-Module JelouPS'                 = "Import-Module '$module'"
    'Import-Module JelouPS; first command'  = "Import-Module '$module'; Get-JelouContext"
}
function Measure-Start([string] $Command) {
    $clock = [Diagnostics.Stopwatch]::StartNew()
    & $self @prefix -NoProfile -NonInteractive -Command $Command | Out-Null
    if ($LASTEXITCODE -ne 0) { throw "'$Command' failed with exit code $LASTEXITCODE." }
    $clock.Elapsed.TotalMilliseconds
}
try {
    foreach ($case in $cases.Values) { Measure-Start $case | Out-Null }   # the disk cache
    $samples = @{}
    for ($round = 1; $round -le $Rounds; $round++) {
        foreach ($name in $cases.Keys) { $samples[$name] += , (Measure-Start $cases[$name]) }
    }
}
finally {
    Remove-Item (Split-Path $trivial) -Recurse -Force
}
$median = [ordered]@{}
foreach ($name in $cases.Keys) { $median[$name] = [math]::Round((Get-Median $samples[$name]), 1) }
$overTrivial = [math]::Round($median['Import-Module JelouPS'] - $median['Import-Module (trivial module)'], 1)

$machine = Get-BenchMachine
Write-BenchResult $OutPath 'import' ([ordered]@{ Machine = $machine; Rounds = $Rounds; MedianMilliseconds = $median; JelouPSOverTrivialMilliseconds = $overTrivial }) @(
    "### Import: median of $Rounds fresh processes each, taking turns"
    ''
    "Machine: $machine"
    ''
    '| process | ms | over the trivial module |'
    '|---|---:|---:|'
    foreach ($name in $cases.Keys) {
        $over = if ($name -eq 'pwsh -c exit') { '' } else { '{0:+0.0;-0.0;0.0}' -f ($median[$name] - $median['Import-Module (trivial module)']) }
        "| $name | $($median[$name]) | $over |"
    }
)
