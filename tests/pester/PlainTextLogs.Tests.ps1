# A run whose output goes to a file or a pipe (CI, `> build.log`) writes plain text: no ANSI escape
# sequences from PowerShell's tables, warnings and errors, nor from Pester's report.
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
}

Describe 'Logs of redirected runs' {
    It 'has no escape sequence in the demo''s output' {
        $run = Invoke-Redirected '-File', (Join-Path $PSScriptRoot '../Demo.ps1'), '-ModulePath', $ModulePath, '-EmulatorDll', $EmulatorDll

        $run.ExitCode | Should -Be 0 -Because $run.Text
        $run.Text | Should -Match 'AuthenticationType : ApiKey' -Because 'the demo prints lists and tables'
        $run.Text | Should -Match 'VERBOSE: ' -Because 'it prints verbose lines, which are coloured on a terminal'
        [array]::IndexOf($run.Bytes, [byte]27) | Should -Be -1 -Because $run.Text
        # Its own lines, tables and lists fit an 80-column terminal; a verbose line is PowerShell's to wrap.
        $run.Text -split '\r?\n' | Where-Object { $_.Length -gt 80 -and $_ -notlike 'VERBOSE: *' } | Should -BeNullOrEmpty
    }

    It 'has no escape sequence in the Pester suite''s report, passes and failures alike' {
        $tiny = Join-Path $TestDrive 'Tiny.Tests.ps1'
        Set-Content $tiny @'
Describe 'tiny' {
    It 'passes' { Write-Warning 'a warning'; Get-Item $PSHOME | Format-Table | Out-Host }
    It 'fails' { 1 | Should -Be 2 }
}
'@
        $result = Join-Path $TestDrive 'tiny.json'
        $run = Invoke-Redirected '-File', (Join-Path $PSScriptRoot '../Invoke-PesterSuite.ps1'), '-Path', $tiny, '-ResultPath', $result,
            '-PesterPath', (Join-Path (Get-Module Pester).ModuleBase 'Pester.psd1'), '-ModulePath', $ModulePath,
            '-PackagePath', $env:JELOUPS_PACKAGE_PATH, '-EmulatorDll', $EmulatorDll

        $run.ExitCode | Should -Be 0 -Because $run.Text
        (Get-Content -Raw $result | ConvertFrom-Json).Failed | Should -Be 1
        $run.Text | Should -Match '\[-\] tiny\.fails'
        $run.Text | Should -Match 'WARNING: a warning'
        [array]::IndexOf($run.Bytes, [byte]27) | Should -Be -1 -Because $run.Text
    }
}
