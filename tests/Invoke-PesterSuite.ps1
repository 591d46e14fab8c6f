<#
    Runs the Pester suite in this (child) process against the built module, and writes
    {"Passed":N,"Failed":N} to -ResultPath for build.ps1's summary.
#>
param(
    [Parameter(Mandatory)] [string] $PesterPath,
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $PackagePath,
    [Parameter(Mandatory)] [string] $EmulatorDll,
    [Parameter(Mandatory)] [string] $ResultPath,
    # One file or folder of the suite instead of all of it.
    [string[]] $Path = (Join-Path $PSScriptRoot 'pester')
)
$ErrorActionPreference = 'Stop'
. (Join-Path $PSScriptRoot 'PlainTextWhenRedirected.ps1')
Import-Module $PesterPath -Force

# Read by tests/pester/Common.ps1.
$env:JELOUPS_MODULE_PATH = (Resolve-Path $ModulePath).Path
$env:JELOUPS_EMULATOR_DLL = (Resolve-Path $EmulatorDll).Path
$env:JELOUPS_PACKAGE_PATH = (Resolve-Path $PackagePath).Path

$configuration = New-PesterConfiguration
$configuration.Run.Path = $Path
$configuration.Run.PassThru = $true
$configuration.Output.Verbosity = 'Normal'
$configuration.TestResult.Enabled = $true
$configuration.TestResult.OutputFormat = 'NUnitXml'
$configuration.TestResult.OutputPath = [IO.Path]::ChangeExtension($ResultPath, '.xml')
# Anything a test file writes to the output at discovery would come back too: keep only the run.
$result = Invoke-Pester -Configuration $configuration | Where-Object { $_ -is [Pester.Run] } | Select-Object -Last 1
if (-not $result) { throw 'Invoke-Pester returned no run result.' }

# A container that failed to load (syntax error, BeforeAll throw) counts as a failure too.
$failed = $result.FailedCount + $result.FailedBlocksCount + $result.FailedContainersCount
[pscustomobject]@{ Passed = $result.PassedCount; Failed = $failed; Skipped = $result.SkippedCount } | ConvertTo-Json | Set-Content -Path $ResultPath
