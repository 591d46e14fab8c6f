# A run whose output goes to a file or a pipe (CI, `> build.log`) writes plain text: no ANSI escape
# sequences from PowerShell's tables, warnings and errors, nor from Pester's report.
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')

    # Runs a script in a fresh PowerShell with stdout and stderr redirected, and without NO_COLOR, so the
    # script must see the redirection itself. Returns everything it wrote, as bytes and as text with each ESC
    # shown as <ESC>: a raw one in a failure message would break the suite's NUnit report.
    function Invoke-Redirected([string[]] $Arguments) {
        $self = [Environment]::ProcessPath
        $start = [System.Diagnostics.ProcessStartInfo]::new($self)
        if ([IO.Path]::GetFileNameWithoutExtension($self) -eq 'dotnet') { $start.ArgumentList.Add((Join-Path $PSHOME 'pwsh.dll')) }
        foreach ($argument in @('-NoProfile', '-NonInteractive') + $Arguments) { $start.ArgumentList.Add($argument) }
        $start.RedirectStandardOutput = $true
        $start.RedirectStandardError = $true
        $start.Environment.Remove('NO_COLOR') | Out-Null
        $process = [System.Diagnostics.Process]::Start($start)
        $stderr = [IO.MemoryStream]::new()
        $copying = $process.StandardError.BaseStream.CopyToAsync($stderr)
        $stdout = [IO.MemoryStream]::new()
        $process.StandardOutput.BaseStream.CopyTo($stdout)
        $copying.Wait()
        $process.WaitForExit()
        $bytes = $stdout.ToArray() + $stderr.ToArray()
        [pscustomobject]@{ ExitCode = $process.ExitCode; Bytes = $bytes; Text = [Text.Encoding]::UTF8.GetString($bytes) -replace [char]27, '<ESC>' }
    }
}

Describe 'Logs of redirected runs' {
    It 'has no escape sequence in the demo''s output' {
        $run = Invoke-Redirected '-File', (Join-Path $PSScriptRoot '../Demo.ps1'), '-ModulePath', $ModulePath, '-EmulatorDll', $EmulatorDll

        $run.ExitCode | Should -Be 0 -Because $run.Text
        $run.Text | Should -Match 'AuthenticationType : ApiKey' -Because 'the demo prints lists and tables'
        $run.Text | Should -Match 'VERBOSE: ' -Because 'it prints verbose lines, which are coloured on a terminal'
        [array]::IndexOf($run.Bytes, [byte]27) | Should -Be -1 -Because $run.Text
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
