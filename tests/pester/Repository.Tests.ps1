# What the repository promises beside the code, as the PowerShell Gallery and a reader meet it: the
# licence and third-party notices, release notes per version, links that lead to files that exist,
# and README commands that run as written from bash and from PowerShell.
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    $RepoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
    $Source = Import-PowerShellDataFile (Join-Path $RepoRoot 'JelouPS.psd1')
    $Built = Import-PowerShellDataFile (Join-Path $ModulePath 'JelouPS.psd1')
    $ProjectUri = $Source.PrivateData.PSData.ProjectUri
    $Cmdlets = @($Source.CmdletsToExport | Sort-Object)

    function Read-Text([string] $Path) { (Get-Content -Raw -LiteralPath $Path) -replace '\r\n', "`n" }

    # The checkout's path of a URL that names a file of this repository on its main branch.
    function Get-RepositoryPath([string] $Uri) {
        $prefix = "$ProjectUri/blob/main/"
        if ($Uri.StartsWith($prefix, [StringComparison]::Ordinal)) { Join-Path $RepoRoot $Uri.Substring($prefix.Length) }
    }
}

Describe 'Licence' {
    It 'is the MIT License of JelouPS contributors, as the manifest says' {
        $licence = Read-Text (Join-Path $RepoRoot 'LICENSE')
        $licence | Should -Match '^MIT License\n\nCopyright \(c\) \d{4} JelouPS contributors\n'
        $licence | Should -Match 'Permission is hereby granted, free of charge'
        $Source.Copyright | Should -Match 'JelouPS contributors\. MIT License\.$'
    }

    It 'is where the manifest''s LicenseUri points, under its ProjectUri' {
        $ProjectUri | Should -Match '^https://github\.com/[^/]+/JelouPS$'
        $Source.PrivateData.PSData.LicenseUri | Should -Be "$ProjectUri/blob/main/LICENSE"
        Get-RepositoryPath $Source.PrivateData.PSData.LicenseUri | Should -Exist
    }

    It 'is shipped in the module' {
        Read-Text (Join-Path $ModulePath 'LICENSE') | Should -BeExactly (Read-Text (Join-Path $RepoRoot 'LICENSE'))
    }
}

Describe 'Third-party notices' {
    BeforeAll {
        $Notices = Read-Text (Join-Path $RepoRoot 'THIRD-PARTY-NOTICES.txt')
        $Shipped = @(Get-ChildItem $ModulePath -Recurse -Filter '*.dll' | Where-Object Name -notlike 'JelouPS*')
    }

    It 'in the repository are those the build writes from what it ships' {
        $Notices | Should -BeExactly (Read-Text (Join-Path $ModulePath 'THIRD-PARTY-NOTICES.txt')) `
            -Because 'a changed dependency changes the notices: copy out/JelouPS/THIRD-PARTY-NOTICES.txt to the repository root'
    }

    It 'name each shipped assembly of others with its package and version' {
        $Shipped.Count | Should -BeGreaterThan 0
        foreach ($dll in $Shipped) {
            $relative = [IO.Path]::GetRelativePath($ModulePath, $dll.FullName) -replace '\\', '/'
            $Notices | Should -Match "(?m)^$([regex]::Escape($relative)) +$([regex]::Escape($dll.BaseName)) +\d+\.\d+\.\d+$"
        }
    }

    It 'give the version of each package the repository pins' {
        $pinned = ([xml](Get-Content -Raw (Join-Path $RepoRoot 'Directory.Packages.props'))).Project.ItemGroup.PackageVersion
        $named = @($pinned | Where-Object { $Notices -match "(?m)^\S+ +$([regex]::Escape($_.Include)) " })
        $named.Include | Should -Contain 'System.Text.Json'
        foreach ($package in $named) { $Notices | Should -Match "(?m) $([regex]::Escape($package.Include)) +$([regex]::Escape($package.Version))$" }
    }

    It 'carry the third-party notices the .NET packages carry themselves, whole' {
        $Notices | Should -Match '(?m)^THIRD-PARTY-NOTICES\.TXT of [^:]*System\.Text\.Json \d+\.\d+\.\d+'
        $Notices | Should -Match '(?m)^License notice for Unicode data$'
        $Notices | Should -Match '(?m)^License notice for zlib-ng$'
    }

    It 'quote the MIT License of the .NET libraries' {
        $Notices | Should -Match "MIT License \(the package's licence expression: MIT\)\n\n© Microsoft Corporation\. All rights reserved\."
        $Notices | Should -Match 'Permission is hereby granted, free of charge'
    }
}

Describe 'Release notes' {
    It 'CHANGELOG.md follows Keep a Changelog, newest first, with a dated section for the manifest''s version' {
        $headings = @(Get-Content (Join-Path $RepoRoot 'CHANGELOG.md') | Where-Object { $_ -match '^#{1,2} ' })
        $headings[0] | Should -Be '# Changelog'
        $versions = @($headings | Select-Object -Skip 1 | Where-Object { $_ -ne '## [Unreleased]' } | ForEach-Object {
            $_ | Should -Match '^## \[\d+\.\d+\.\d+\] - \d{4}-\d{2}-\d{2}$'
            [version]($_ -replace '^## \[([^\]]+)\].*', '$1')
        })
        $versions | Should -Contain ([version]$Source.ModuleVersion)
        $versions | Should -Be @($versions | Sort-Object -Descending)
    }

    It 'of the manifest''s version are the built manifest''s ReleaseNotes' {
        $notes = Get-ChangelogNote $Source.ModuleVersion
        $notes | Should -Match '^### (Added|Changed|Deprecated|Removed|Fixed|Security)\n'
        $Built.PrivateData.PSData.ReleaseNotes -replace '\r\n', "`n" | Should -BeExactly $notes
    }

    It 'leave the rest of the built manifest as the source has it' {
        foreach ($key in $Source.Keys | Where-Object { $_ -ne 'PrivateData' }) {
            $Built[$key] | ConvertTo-Json -Compress | Should -Be ($Source[$key] | ConvertTo-Json -Compress) -Because "the build changes only PSData ($key)"
        }
        $Built.PrivateData.PSData.LicenseUri | Should -Be $Source.PrivateData.PSData.LicenseUri
        @($Source.PrivateData.PSData.Tags | Where-Object { $_ -cnotin $Built.PrivateData.PSData.Tags }) | Should -BeNullOrEmpty
        $manifest = Test-ModuleManifest (Join-Path $ModulePath 'JelouPS.psd1')
        $manifest.ReleaseNotes -replace '\r\n', "`n" | Should -BeExactly (Get-ChangelogNote $Source.ModuleVersion)
    }
}

Describe 'Help links' {
    It 'Get-Help of each cmdlet gives its page in the repository as the online version' {
        foreach ($name in $Cmdlets) {
            $link = @((Get-Help $name).relatedLinks.navigationLink)[0]
            $link.uri | Should -Be "$ProjectUri/blob/main/module/help/$name.md"
            Get-RepositoryPath $link.uri | Should -Exist
        }
    }

    # Get-Help -Online starts xdg-open on Linux: a stand-in on the PATH records what it was asked to open.
    It 'Get-Help -Online opens that page' -Skip:(-not $IsLinux) {
        $bin = New-Item -ItemType Directory (Join-Path $TestDrive 'bin')
        $opened = Join-Path $TestDrive 'opened.txt'
        $opener = Join-Path $bin 'xdg-open'
        Set-Content -LiteralPath $opener -Value "#!/bin/sh`necho `"`$1`" >> '$opened'"
        [IO.File]::SetUnixFileMode($opener, [IO.UnixFileMode] 'UserRead, UserWrite, UserExecute')
        $path = $env:PATH
        try {
            $env:PATH = "$bin$([IO.Path]::PathSeparator)$path"
            $output = Invoke-FreshPwsh "Import-Module '$ModulePath/JelouPS.psd1'; foreach (`$name in '$($Cmdlets -join "','")') { Get-Help `$name -Online }" 2>&1
        }
        finally { $env:PATH = $path }
        # The opener runs apart from Get-Help, which does not wait for it.
        $deadline = [DateTime]::UtcNow.AddSeconds(10)
        while (@(Get-Content -LiteralPath $opened -ErrorAction Ignore).Count -lt $Cmdlets.Count -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 100 }
        @(Get-Content -LiteralPath $opened -ErrorAction Ignore | Sort-Object) | Should -Be @($Cmdlets | ForEach-Object { "$ProjectUri/blob/main/module/help/$_.md" }) -Because "$output"
    }

    It 'between help pages lead to files in the repository' {
        foreach ($page in (Get-ChildItem (Join-Path $RepoRoot 'module/help') -Filter '*.md')) {
            foreach ($link in [regex]::Matches((Get-Content -Raw $page.FullName), '\]\(([^)#\s]+)\)')) {
                $target = $link.Groups[1].Value
                if ($target -notmatch '^https?://') { Join-Path $page.DirectoryName $target | Should -Exist -Because "$($page.Name) links to $target" }
            }
        }
    }
}

Describe 'README commands' {
    BeforeAll {
        $Readme = Read-Text (Join-Path $RepoRoot 'README.md')
        # Lines of the shell code blocks, and inline code, that are commands (comments dropped).
        $ShellLines = @([regex]::Matches($Readme, '(?ms)^```(?:sh|bash|shell|console)\n(.*?)^```') | ForEach-Object { $_.Groups[1].Value -split "`n" } |
            ForEach-Object Trim | Where-Object { $_ -and -not $_.StartsWith('#') })
        $InlineCode = @([regex]::Matches($Readme, '(?<!`)`([^`\n]+)`(?!`)') | ForEach-Object { $_.Groups[1].Value })
        $DotnetCommands = @($ShellLines + $InlineCode | Where-Object { $_ -match '^dotnet\s' } | Select-Object -Unique)
        $BuildScript = Get-Command (Join-Path $RepoRoot 'build.ps1')
        $Tasks = @($BuildScript.Parameters['Task'].Attributes | Where-Object { $_ -is [System.Management.Automation.ValidateSetAttribute] } | ForEach-Object ValidValues)

        function Get-ElementText($Element) {
            if ($Element -is [System.Management.Automation.Language.StringConstantExpressionAst]) { $Element.Value } else { $Element.Extent.Text }
        }

        # Problems with one command line: each dotnet command in it must name what exists, and a
        # build.ps1 call must bind to build.ps1's parameters and tasks.
        function Test-DotnetCommand([string] $Line) {
            $errors = $null
            $ast = [System.Management.Automation.Language.Parser]::ParseInput($Line, [ref]$null, [ref]$errors)
            if ($errors) { return "does not parse in PowerShell: $($errors[0].Message)" }
            foreach ($command in $ast.FindAll({ $args[0] -is [System.Management.Automation.Language.CommandAst] }, $true)) {
                $words = @($command.CommandElements | ForEach-Object { Get-ElementText $_ })
                if ($words[0] -ne 'dotnet') { continue }
                switch ($words[1]) {
                    'tool' { if (-not (Test-Path (Join-Path $RepoRoot '.config/dotnet-tools.json'))) { 'dotnet tool restore has no tool manifest' } }
                    'run' {
                        $project = $words[[array]::IndexOf($words, '--project') + 1]
                        if (-not (Test-Path (Join-Path $RepoRoot $project))) { "dotnet run: no project $project" }
                    }
                    'pwsh' {
                        $index = @(2..($words.Count - 1) | Where-Object { $words[$_] -like '*.ps1' -or $words[$_] -in '-c', '-Command' })[0]
                        if ($null -eq $index) { 'dotnet pwsh runs neither a script nor a command'; continue }
                        if ($words[$index] -in '-c', '-Command') {
                            $inner = [System.Management.Automation.Language.Parser]::ParseInput($words[$index + 1], [ref]$null, [ref]$errors)
                            if ($errors) { "its -c command does not parse: $($errors[0].Message)" }
                            foreach ($name in ($inner.FindAll({ $args[0] -is [System.Management.Automation.Language.CommandAst] }, $true) | ForEach-Object { $_.GetCommandName() })) {
                                if (-not (Get-Command $name -ErrorAction Ignore)) { "its -c command calls $name, which PowerShell does not have" }
                            }
                            continue
                        }
                        if (-not (Test-Path (Join-Path $RepoRoot $words[$index]))) { "no script $($words[$index])"; continue }
                        if ((Split-Path $words[$index] -Leaf) -ne 'build.ps1') { continue }
                        for ($i = $index + 1; $i -lt $words.Count; $i += 2) {
                            $parameter = $BuildScript.Parameters[$words[$i].TrimStart('-')]
                            if (-not $words[$i].StartsWith('-') -or -not $parameter) { "build.ps1 has no parameter $($words[$i])"; continue }
                            $valid = @($parameter.Attributes | Where-Object { $_ -is [System.Management.Automation.ValidateSetAttribute] } | ForEach-Object ValidValues)
                            if ($valid -and $words[$i + 1] -notin $valid) { "build.ps1 has no $($words[$i]) $($words[$i + 1])" }
                        }
                    }
                }
            }
        }
    }

    It 'include the set-up, build and emulator commands' {
        $DotnetCommands -match '^dotnet tool restore && dotnet pwsh \./build\.ps1 -Task Test\b' | Should -Not -BeNullOrEmpty
        $DotnetCommands -match 'dotnet pwsh \./build\.ps1 -Task Build' | Should -Not -BeNullOrEmpty
        $DotnetCommands -match '^dotnet run --project ' | Should -Not -BeNullOrEmpty
    }

    It 'never start build.ps1 bare, which bash cannot run' {
        @($ShellLines + $InlineCode | Where-Object { $_ -match '(^|&&|\|\||;)\s*(\./)?build\.ps1\b' }) | Should -BeNullOrEmpty
    }

    It 'parse in bash' -Skip:(-not (Get-Command bash -ErrorAction Ignore)) {
        foreach ($line in $DotnetCommands) {
            bash -n -c $line 2>&1 | Should -BeNullOrEmpty -Because $line
            $LASTEXITCODE | Should -Be 0 -Because $line
        }
    }

    It 'parse in PowerShell and name scripts, projects, parameters and tasks that exist' {
        @(foreach ($line in $DotnetCommands) { Test-DotnetCommand $line | ForEach-Object { "${line}: $_" } }) | Should -BeNullOrEmpty
    }

    It 'name every task of build.ps1, and no other' {
        $named = @([regex]::Matches($Readme, '-Task (\w+)') | ForEach-Object { $_.Groups[1].Value } | Sort-Object -Unique)
        $named | Should -Be @($Tasks | Sort-Object)
    }
}
