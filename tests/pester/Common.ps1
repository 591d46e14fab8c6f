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

# Runs a fresh PowerShell (the one running the tests) as CI runners and schedulers start one: stdout and stderr
# redirected, standard input closed, and without NO_COLOR, so it must see the redirection itself; -NonInteractive
# unless -Interactive. Returns the exit code and everything it wrote, as bytes and as text with each ESC shown as
# <ESC>: a raw one in a failure message would break the suite's NUnit report.
function Invoke-Redirected([string[]] $Arguments, [switch] $Interactive) {
    $self = [Environment]::ProcessPath
    $start = [System.Diagnostics.ProcessStartInfo]::new($self)
    if ([IO.Path]::GetFileNameWithoutExtension($self) -eq 'dotnet') { $start.ArgumentList.Add((Join-Path $PSHOME 'pwsh.dll')) }
    foreach ($argument in @('-NoProfile') + @(if (-not $Interactive) { '-NonInteractive' }) + $Arguments) { $start.ArgumentList.Add($argument) }
    $start.RedirectStandardInput = $true
    $start.RedirectStandardOutput = $true
    $start.RedirectStandardError = $true
    $start.Environment.Remove('NO_COLOR') | Out-Null
    $process = [System.Diagnostics.Process]::Start($start)
    $process.StandardInput.Close()
    $stderr = [IO.MemoryStream]::new()
    $copying = $process.StandardError.BaseStream.CopyToAsync($stderr)
    $stdout = [IO.MemoryStream]::new()
    $process.StandardOutput.BaseStream.CopyTo($stdout)
    $copying.Wait()
    $process.WaitForExit()
    $bytes = $stdout.ToArray() + $stderr.ToArray()
    [pscustomobject]@{ ExitCode = $process.ExitCode; Bytes = $bytes; Text = [Text.Encoding]::UTF8.GetString($bytes) -replace [char]27, '<ESC>' }
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
