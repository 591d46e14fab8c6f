# Dot-sourced by every *.Tests.ps1 in BeforeAll: imports the built module and the emulator helpers.
$ModulePath = $env:JELOUPS_MODULE_PATH
$EmulatorDll = $env:JELOUPS_EMULATOR_DLL
if (-not $ModulePath -or -not $EmulatorDll) { throw 'Run the Pester suite through ./build.ps1 -Task Test.' }
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
