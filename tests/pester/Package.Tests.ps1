# The package installs as users install it: from a PSResource repository, with Save-PSResource /
# Install-PSResource, and the installed copy imports in a fresh PowerShell with its help. It is found
# by command name as the PowerShell Gallery finds modules, and carries its licence and notices.
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    $PackagePath = $env:JELOUPS_PACKAGE_PATH
    $Repository = 'JelouPSTest' + [guid]::NewGuid().ToString('N')
    Register-PSResourceRepository -Name $Repository -Uri (Split-Path $PackagePath) -Trusted
    $Manifest = Import-PowerShellDataFile (Join-Path $ModulePath 'JelouPS.psd1')
    $Cmdlets = @($Manifest.CmdletsToExport | Sort-Object)

    # The text of each named file in the package, with line ends as in the repository's checkout.
    function Read-PackageFile([string[]] $Name) {
        $zip = [IO.Compression.ZipFile]::OpenRead($PackagePath)
        try {
            $texts = @{}
            foreach ($entry in ($zip.Entries | Where-Object FullName -in $Name)) {
                $reader = [IO.StreamReader]::new($entry.Open())
                try { $texts[$entry.FullName] = $reader.ReadToEnd() -replace '\r\n', "`n" } finally { $reader.Dispose() }
            }
            $texts
        }
        finally { $zip.Dispose() }
    }
}

AfterAll {
    Unregister-PSResourceRepository -Name $Repository
}

Describe 'JelouPS package' {
    It 'is found in the repository with the manifest''s version and tags' {
        $manifest = Import-PowerShellDataFile (Join-Path $ModulePath 'JelouPS.psd1')
        $found = Find-PSResource -Name JelouPS -Repository $Repository
        $found.Version.ToString() | Should -Be $manifest.ModuleVersion
        $found.Tags | Should -Contain 'Jelou'
        Split-Path $PackagePath -Leaf | Should -Be "JelouPS.$($manifest.ModuleVersion).nupkg"
    }

    It 'is found with the release notes of its version from CHANGELOG.md' {
        $notes = Get-ChangelogNote $Manifest.ModuleVersion
        $notes | Should -Not -BeNullOrEmpty
        (Find-PSResource -Name JelouPS -Repository $Repository).ReleaseNotes -replace '\r\n', "`n" | Should -BeExactly $notes
    }

    It 'carries the licence and the third-party notices of the repository' {
        $texts = Read-PackageFile 'LICENSE', 'THIRD-PARTY-NOTICES.txt'
        foreach ($name in 'LICENSE', 'THIRD-PARTY-NOTICES.txt') {
            $texts[$name] | Should -BeExactly ((Get-Content -Raw (Join-Path $PSScriptRoot "../../$name")) -replace '\r\n', "`n") -Because "the package carries $name"
        }
    }

    # The tags PowerShellGet's Publish-Module derived from the manifest, which searches by command
    # name and by edition (on the PowerShell Gallery, too) rely on.
    It 'is tagged with each cmdlet and each compatible edition' {
        $nuspec = [xml](Read-PackageFile 'JelouPS.nuspec')['JelouPS.nuspec']
        $tags = $nuspec.package.metadata.tags -split ' '
        $expected = @('PSModule', 'PSIncludes_Cmdlet') + @($Cmdlets | ForEach-Object { "PSCommand_$_"; "PSCmdlet_$_" }) +
            @($Manifest.CompatiblePSEditions | ForEach-Object { "PSEdition_$_" })
        @($expected | Where-Object { $_ -cnotin $tags }) | Should -BeNullOrEmpty
        @($Manifest.CmdletsToExport) -match '\*' | Should -BeNullOrEmpty -Because 'only listed cmdlets can be tagged'
    }

    It 'is found by the name of each of its cmdlets with Find-PSResource -CommandName' {
        $found = @(Find-PSResource -CommandName $Cmdlets -Repository $Repository)
        @($found | ForEach-Object { $_.ParentResource.Name } | Select-Object -Unique) | Should -Be 'JelouPS'
        @($found | ForEach-Object Names | Sort-Object -Unique) | Should -Be $Cmdlets
        # A local repository reads both the manifest and the tags, so each name comes more than once.
        @($found[0].ParentResource.Includes.Cmdlet | Sort-Object -Unique) | Should -Be $Cmdlets
    }

    It 'is found by the name of each of its cmdlets with Find-Command (PowerShellGet 2)' -Skip:(-not (Get-Module -ListAvailable PowerShellGet | Where-Object Version -lt ([version]'3.0'))) {
        Import-Module PowerShellGet -MaximumVersion 2.99 -ErrorAction Stop
        $v2Repository = 'JelouPSTestV2' + [guid]::NewGuid().ToString('N')
        PowerShellGet\Register-PSRepository -Name $v2Repository -SourceLocation (Split-Path $PackagePath) -InstallationPolicy Trusted
        try { $found = @(PowerShellGet\Find-Command -Name $Cmdlets -Repository $v2Repository) }
        finally { PowerShellGet\Unregister-PSRepository -Name $v2Repository }
        @($found | ForEach-Object ModuleName | Select-Object -Unique) | Should -Be 'JelouPS'
        @($found | ForEach-Object Name | Sort-Object) | Should -Be $Cmdlets
    }

    # A new profile on Linux or macOS may have no data folder yet (here $XDG_DATA_HOME, as a container may set it): .NET
    # then gives PSResourceGet no folder for its list of repositories, and it writes the list into the current folder,
    # where the next session does not look.
    It 'installs with the README''s command, as written, in a new profile, which keeps the repository' -Skip:$IsWindows {
        $readme = Get-Content -Raw (Join-Path $PSScriptRoot '../../README.md')
        $line = @($readme -split '\r?\n' | Where-Object { $_ -like 'dotnet pwsh -c *Install-PSResource JelouPS -Repository JelouPSBuild*' })
        $line.Count | Should -Be 1
        $ast = [System.Management.Automation.Language.Parser]::ParseInput($line[0], [ref]$null, [ref]$null)
        $elements = $ast.Find({ $args[0] -is [System.Management.Automation.Language.CommandAst] }, $true).CommandElements
        $command = $elements[[array]::IndexOf(@($elements.Extent.Text), '-c') + 1].Value
        $clone = New-Item -ItemType Directory (Join-Path $TestDrive 'clone/out')
        Copy-Item $PackagePath $clone
        $newHome = New-Item -ItemType Directory (Join-Path $TestDrive 'home')
        $saved = @{}
        foreach ($name in 'HOME', 'XDG_DATA_HOME', 'XDG_CONFIG_HOME', 'XDG_CACHE_HOME', 'PSModulePath') { $saved[$name] = [Environment]::GetEnvironmentVariable($name) }
        Push-Location (Split-Path $clone)
        try {
            foreach ($name in $saved.Keys) { [Environment]::SetEnvironmentVariable($name, $null) }
            $env:HOME = $newHome.FullName
            $env:XDG_DATA_HOME = Join-Path $newHome 'data'
            Invoke-FreshPwsh $command | Out-Null
            $LASTEXITCODE | Should -Be 0
            $kept = Invoke-FreshPwsh '(Get-PSResourceRepository -Name JelouPSBuild).Uri.LocalPath; (Get-InstalledPSResource -Name JelouPS).Version.ToString()'
            # PSResourceGet installed into ~/.local/share, where PowerShell does not look with this $XDG_DATA_HOME: the
            # README's command for that case, as written, puts it where PowerShell looks.
            $notFound = Invoke-FreshPwsh '[bool](Get-Module -ListAvailable JelouPS)'
            $save = [regex]::Match($readme, '`(Save-PSResource JelouPS [^`]+)`').Groups[1].Value
            Invoke-FreshPwsh $save | Out-Null
            $found = Invoke-FreshPwsh '(Import-Module JelouPS -PassThru).ModuleBase'
        }
        finally {
            Pop-Location
            foreach ($name in $saved.Keys) { [Environment]::SetEnvironmentVariable($name, $saved[$name]) }
        }
        Join-Path (Split-Path $clone) 'PSResourceGet' | Should -Not -Exist
        $kept[0].TrimEnd('/') | Should -Be $clone.FullName
        $kept[1] | Should -Be $Manifest.ModuleVersion
        $notFound | Should -Be 'False'
        $found | Should -BeLike (Join-Path $newHome "data/powershell/Modules/JelouPS/*")
    }

    It 'installs and imports in a fresh PowerShell, with its cmdlets, help and dependencies' {
        $target = Join-Path $TestDrive 'modules'
        New-Item -ItemType Directory $target | Out-Null
        Save-PSResource -Name JelouPS -Repository $Repository -Path $target -TrustRepository

        $installed = Get-ChildItem $target -Recurse -Filter 'JelouPS.psd1' | Select-Object -First 1
        Join-Path $installed.DirectoryName 'dependencies/System.Text.Json.dll' | Should -Exist
        Join-Path $installed.DirectoryName 'en-US/JelouPS.dll-Help.xml' | Should -Exist
        Join-Path $installed.DirectoryName 'LICENSE' | Should -Exist
        Join-Path $installed.DirectoryName 'THIRD-PARTY-NOTICES.txt' | Should -Exist
        $script = "`$env:PSModulePath = '$target' + [IO.Path]::PathSeparator + `$env:PSModulePath; Import-Module JelouPS; " +
            "(Get-Command -Module JelouPS).Count; (Get-Help New-JelouExternalSupport).examples.example.Count; (Get-Module JelouPS).ModuleBase"
        $output = Invoke-FreshPwsh $script
        [int]$output[0] | Should -Be (Get-Command -Module JelouPS).Count
        [int]$output[1] | Should -BeGreaterThan 0
        $output[2] | Should -BeLike "$target*"
    }
}
