# Dot-sourced by every *.Tests.ps1 in BeforeAll: imports the built module and the emulator helpers.
$ModulePath = $env:JELOUPS_MODULE_PATH
$EmulatorDll = $env:JELOUPS_EMULATOR_DLL
if (-not $ModulePath -or -not $EmulatorDll) { throw 'Run the Pester suite through dotnet pwsh ./build.ps1 -Task Test.' }
Import-Module (Join-Path $ModulePath 'JelouPS.psd1') -Force
Import-Module (Join-Path $PSScriptRoot '../JelouEmulator.psm1') -Force

function New-TestProjectId { 'pester-' + [guid]::NewGuid().ToString('N').Substring(0, 10) }

function ConvertTo-PlainText([securestring] $Secure) {
    [System.Net.NetworkCredential]::new('', $Secure).Password
}

# Runs a script in a fresh PowerShell (the one running the tests, started again) and returns its output.
function Invoke-FreshPwsh([string] $Script) {
    $self = [Environment]::ProcessPath
    if ([IO.Path]::GetFileNameWithoutExtension($self) -eq 'dotnet') {
        & $self (Join-Path $PSHOME 'pwsh.dll') -NoProfile -NonInteractive -Command $Script
    }
    else {
        & $self -NoProfile -NonInteractive -Command $Script
    }
}

# The notes of a version in CHANGELOG.md: the lines under its "## [version]" heading, up to the next
# such heading or Keep a Changelog's link definitions, trimmed. Read line by line, independently of
# build.ps1, which copies them into the built manifest.
function Get-ChangelogNote([string] $Version) {
    $lines = @(Get-Content (Join-Path $PSScriptRoot '../../CHANGELOG.md'))
    $heading = "^## \[?$([regex]::Escape($Version))\]?( |$)"
    $start = @(0..($lines.Count - 1) | Where-Object { $lines[$_] -match $heading })
    if (-not $start.Count) { return $null }
    $notes = foreach ($line in ($lines | Select-Object -Skip ($start[0] + 1))) {
        if ($line -match '^## |^\[[^\]]+\]: ') { break }
        $line
    }
    ($notes -join "`n").Trim()
}
