BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
}

Describe 'The built module' {
    It 'has a valid manifest that loads in Desktop and Core editions' {
        $manifest = Test-ModuleManifest (Join-Path $ModulePath 'JelouPS.psd1')
        $manifest.CompatiblePSEditions | Should -Be @('Desktop', 'Core')
        $manifest.PowerShellVersion | Should -Be ([version]'5.1')
        $manifest.Author | Should -Not -BeNullOrEmpty
        $manifest.PrivateData.PSData.Tags | Should -Contain 'Jelou'
    }

    It 'exports exactly the cmdlets of the manifest, and nothing else' {
        $module = Get-Module JelouPS
        $declared = (Import-PowerShellDataFile (Join-Path $ModulePath 'JelouPS.psd1')).CmdletsToExport
        @($module.ExportedCmdlets.Keys | Sort-Object) | Should -Be @($declared | Sort-Object)
        $module.ExportedFunctions.Count | Should -Be 0
        $module.ExportedAliases.Count | Should -Be 0
    }

    It 'ships the client and System.Text.Json in dependencies/, not beside the cmdlets' {
        Join-Path $ModulePath 'dependencies/System.Text.Json.dll' | Should -Exist
        Join-Path $ModulePath 'dependencies/JelouPS.Client.dll' | Should -Exist
        Join-Path $ModulePath 'System.Text.Json.dll' | Should -Not -Exist
        Join-Path $ModulePath 'JelouPS.Client.dll' | Should -Not -Exist
        Join-Path $ModulePath 'JelouPS.LoadContext.dll' | Should -Exist
        Join-Path $ModulePath 'System.Management.Automation.dll' | Should -Not -Exist
        Get-ChildItem $ModulePath -Recurse -Filter 'System.Management.Automation.dll' | Should -BeNullOrEmpty
    }

    It 'imports in a fresh process and its cmdlets answer Get-Command' {
        $script = "Import-Module '$ModulePath/JelouPS.psd1'; (Get-Command -Module JelouPS).Count"
        $count = Invoke-FreshPwsh $script
        [int]$count | Should -Be (Get-Command -Module JelouPS).Count
    }
}
