# The package installs as users install it: from a PSResource repository, with Save-PSResource /
# Install-PSResource, and the installed copy imports in a fresh PowerShell with its help.
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    $PackagePath = $env:JELOUPS_PACKAGE_PATH
    $Repository = 'JelouPSTest' + [guid]::NewGuid().ToString('N')
    Register-PSResourceRepository -Name $Repository -Uri (Split-Path $PackagePath) -Trusted
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

    It 'installs and imports in a fresh PowerShell, with its cmdlets, help and dependencies' {
        $target = Join-Path $TestDrive 'modules'
        New-Item -ItemType Directory $target | Out-Null
        Save-PSResource -Name JelouPS -Repository $Repository -Path $target -TrustRepository

        $installed = Get-ChildItem $target -Recurse -Filter 'JelouPS.psd1' | Select-Object -First 1
        Join-Path $installed.DirectoryName 'dependencies/System.Text.Json.dll' | Should -Exist
        Join-Path $installed.DirectoryName 'en-US/JelouPS.dll-Help.xml' | Should -Exist
        $script = "`$env:PSModulePath = '$target' + [IO.Path]::PathSeparator + `$env:PSModulePath; Import-Module JelouPS; " +
            "(Get-Command -Module JelouPS).Count; (Get-Help New-JelouExternalSupport).examples.example.Count; (Get-Module JelouPS).ModuleBase"
        $output = Invoke-FreshPwsh $script
        [int]$output[0] | Should -Be (Get-Command -Module JelouPS).Count
        [int]$output[1] | Should -BeGreaterThan 0
        $output[2] | Should -BeLike "$target*"
    }
}
