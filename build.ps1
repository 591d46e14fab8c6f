<#
.SYNOPSIS
    Builds, tests and demonstrates JelouPS.
.DESCRIPTION
    Build    assembles an importable module in out/JelouPS (version from JelouPS.psd1, release notes
             from CHANGELOG.md), with LICENSE and THIRD-PARTY-NOTICES.txt.
    Package  builds and writes out/JelouPS.<version>.nupkg, installable with Install-PSResource from out/.
    Test     packages, runs the xunit suites and the Pester suite, and prints "N passed, N failed, N skipped".
    Demo     builds, starts the local Jelou emulator and walks through the main job against it.
    Bench    builds and measures speed and memory side by side (per call, the cmdlets' own work, bulk, import, signatures),
             reads issue 10's targets from them; writes out/bench/.
    Clean    removes out/ and every bin/ and obj/ folder.
    The module is never imported into this process: binary modules cannot be unloaded, so Pester
    and the demo run in a child PowerShell.
.EXAMPLE
    dotnet tool restore && dotnet pwsh ./build.ps1 -Task Test
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Package', 'Test', 'Demo', 'Bench', 'Clean')]
    [string] $Task = 'Build',

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release'
)

$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
Set-StrictMode -Version 3.0

. (Join-Path $PSScriptRoot 'tests/PlainTextWhenRedirected.ps1')

$Root = $PSScriptRoot
$Out = Join-Path $Root 'out'
$ModuleOut = Join-Path $Out 'JelouPS'
$TestResults = Join-Path $Out 'TestResults'
$Version = (Import-PowerShellDataFile (Join-Path $Root 'JelouPS.psd1')).ModuleVersion
$EmulatorDll = Join-Path $Root "src/JelouPS.Emulator/bin/$Configuration/net10.0/JelouPS.Emulator.dll"

function Invoke-Dotnet {
    & dotnet @args
    if ($LASTEXITCODE -ne 0) { throw "dotnet $($args -join ' ') failed with exit code $LASTEXITCODE." }
}

# The PowerShell running this script, started again as a child process.
function Invoke-ChildPwsh {
    $self = [Environment]::ProcessPath
    if ([IO.Path]::GetFileNameWithoutExtension($self) -eq 'dotnet') {
        & $self (Join-Path $PSHOME 'pwsh.dll') -NoProfile -NonInteractive @args
    }
    else {
        & $self -NoProfile -NonInteractive @args
    }
}

# Newer packages carry no licence file, only an SPDX expression in their nuspec. For MIT, the text is
# the MIT License (the same words as JelouPS's own LICENSE) under the package's copyright line.
function Get-LicenceExpressionText([string] $Nuspec, [string] $Id) {
    $metadata = ([xml](Get-Content -Raw $Nuspec)).package.metadata
    $expression = if ($metadata.license -and $metadata.license.type -eq 'expression') { $metadata.license.InnerText }
    if ($expression -ne 'MIT') { throw "Package $Id has neither a licence file nor an MIT licence expression to quote in the notices." }
    $permission = ((Get-Content -Raw (Join-Path $Root 'LICENSE')) -replace '\r\n', "`n") -replace '(?s)^.*?\n(?=Permission is hereby granted)', ''
    "MIT License (the package's licence expression: MIT)`n`n$($metadata.copyright)`n`n$($permission.Trim())"
}

# Lists every assembly in out/JelouPS that JelouPS did not build, with the package it came from and
# that package's own licence text, from the restore's record of src/JelouPS, so the notices follow
# the dependencies. The repository's copy is checked against this one by the tests.
function Write-ThirdPartyNotice([string] $Path) {
    $assets = Get-Content -Raw (Join-Path $Root 'src/JelouPS/obj/project.assets.json') | ConvertFrom-Json -AsHashtable
    $packageFolder = @($assets.packageFolders.Keys)[0]
    $origin = @{}
    foreach ($target in $assets.targets.Values) {
        foreach ($library in $target.GetEnumerator()) {
            if ($library.Value.type -ne 'package' -or -not $library.Value.ContainsKey('runtime')) { continue }
            foreach ($file in $library.Value.runtime.Keys) { $origin[[IO.Path]::GetFileName($file)] = $library.Key }
        }
    }
    $shipped = foreach ($dll in (Get-ChildItem $ModuleOut -Recurse -Filter '*.dll' | Where-Object Name -notlike 'JelouPS*' | Sort-Object Name)) {
        $id = $origin[$dll.Name]
        if (-not $id) { throw "The module ships $($dll.Name), which no package restored for src/JelouPS provides: its notice cannot be written." }
        $library = $assets.libraries[$id]
        $licence = @($library.files | Where-Object { $_ -match '^licen[cs]e(\.txt|\.md)?$' })
        $text = if ($licence) { (Get-Content -Raw (Join-Path $packageFolder $library.path $licence[0])).Trim() -replace '\r\n', "`n" }
        else { Get-LicenceExpressionText (Join-Path $packageFolder $library.path ((($id -split '/')[0]).ToLowerInvariant() + '.nuspec')) $id }
        [pscustomobject]@{
            Assembly = [IO.Path]::GetRelativePath($ModuleOut, $dll.FullName) -replace '\\', '/'
            Package  = ($id -split '/')[0]
            Version  = ($id -split '/')[1]
            Licence  = $text
            Notices  = @($library.files -match '^third-?party-?notices\.txt$') | Select-Object -First 1 |
                ForEach-Object { (Get-Content -Raw (Join-Path $packageFolder $library.path $_)).Trim() -replace '\r\n', "`n" }
        }
    }
    $width = (@($shipped | ForEach-Object Assembly) + 'Assembly' | Measure-Object Length -Maximum).Maximum + 2
    $packageWidth = (@($shipped | ForEach-Object Package) + 'Package' | Measure-Object Length -Maximum).Maximum + 2
    $rule = '-' * 79
    $wrap = { ($args[0] -replace '(.{1,79})(?: +|$)', "`$1`n").TrimEnd() }
    $lines = @(
        'JelouPS third-party notices'
        ''
        'JelouPS ships these assemblies unchanged, as their packages on NuGet carry them; build.ps1'
        'writes this list from what it copies into the module. JelouPS itself is under the MIT License'
        'in LICENSE.'
        ''
        "{0,-$width}{1,-$packageWidth}{2}" -f 'Assembly', 'Package', 'Version'
        foreach ($item in $shipped) { "{0,-$width}{1,-$packageWidth}{2}" -f $item.Assembly, $item.Package, $item.Version }
        $withNotices = @($shipped | Where-Object Notices | ForEach-Object Package)
        if ($withNotices) {
            ''
            & $wrap ("These packages also carry THIRD-PARTY-NOTICES.TXT, the notices of code their authors took " +
                "from other projects, copied at the end of this file: $($withNotices -join ', ').")
        }
        foreach ($group in ($shipped | Group-Object Licence)) {
            ''
            $rule
            & $wrap "The licence of $(@($group.Group | ForEach-Object Package) -join ', '):"
            $rule
            ''
            $group.Name
        }
        foreach ($group in ($shipped | Where-Object Notices | Group-Object Notices)) {
            ''
            $rule
            & $wrap "THIRD-PARTY-NOTICES.TXT of $(@($group.Group | ForEach-Object { "$($_.Package) $($_.Version)" }) -join ', '), as they carry it:"
            $rule
            ''
            $group.Name
        }
    )
    [IO.File]::WriteAllText($Path, ($lines -join "`n") + "`n", [Text.UTF8Encoding]::new($false))
}

# The notes of a version in CHANGELOG.md (Keep a Changelog: a "## [1.2.0] - 2026-01-31" heading),
# without the heading; the link definitions Keep a Changelog puts at the end are not notes.
function Get-ReleaseNote([string] $Version) {
    $changelog = (Get-Content -Raw (Join-Path $Root 'CHANGELOG.md')) -replace '\r\n', "`n"
    $section = [regex]::Match($changelog, '(?ms)^## \[?' + [regex]::Escape($Version) + '\]?(?: - [^\n]*)?\n(.*?)(?=^## |^\[[^\]]+\]: |\z)')
    if (-not $section.Success -or -not $section.Groups[1].Value.Trim()) {
        throw "CHANGELOG.md has no notes for $Version, the ModuleVersion of JelouPS.psd1: add a '## [$Version] - <date>' section."
    }
    $section.Groups[1].Value.Trim()
}

# The static manifest is the source; the built copy gets what is derived from elsewhere: the release
# notes of its version from CHANGELOG.md, and the tags that Find-Command and Find-PSResource -CommandName
# search. PowerShellGet's Publish-Module derived these tags from the manifest; Publish-PSResource copies
# only the manifest's own Tags, and a local repository reads them from the manifest.
function Update-BuiltManifest([string] $Path) {
    $manifest = Import-PowerShellDataFile $Path
    $cmdlets = @($manifest.CmdletsToExport)
    if (-not $cmdlets -or $cmdlets -match '\*') { throw 'JelouPS.psd1 must list its cmdlets in CmdletsToExport: searches by command name find only listed ones.' }
    $tags = @($manifest.PrivateData.PSData.Tags) + 'PSIncludes_Cmdlet' + @($cmdlets | ForEach-Object { "PSCmdlet_$_"; "PSCommand_$_" }) +
        @($manifest.CompatiblePSEditions | ForEach-Object { "PSEdition_$_" }) | Select-Object -Unique
    $quote = { "'" + [System.Management.Automation.Language.CodeGeneration]::EscapeSingleQuotedStringContent($args[0]) + "'" }
    $values = @{
        ReleaseNotes = & $quote (Get-ReleaseNote $manifest.ModuleVersion)
        Tags         = '@(' + (@($tags | ForEach-Object { & $quote $_ }) -join ', ') + ')'
    }

    $text = Get-Content -Raw $Path
    $ast = [System.Management.Automation.Language.Parser]::ParseInput($text, [ref]$null, [ref]$null)
    $keyOf = { if ($args[0].Item1 -is [System.Management.Automation.Language.StringConstantExpressionAst]) { $args[0].Item1.Value } }
    $psData = @($ast.FindAll({ $args[0] -is [System.Management.Automation.Language.HashtableAst] }, $true) | ForEach-Object KeyValuePairs |
        Where-Object { (& $keyOf $_) -eq 'PSData' } | ForEach-Object { $_.Item2.Find({ $args[0] -is [System.Management.Automation.Language.HashtableAst] }, $true) })
    $entries = @($psData | ForEach-Object KeyValuePairs | Where-Object { $values.ContainsKey("$(& $keyOf $_)") })
    if ($entries.Count -ne $values.Count) { throw 'JelouPS.psd1 needs PrivateData.PSData.ReleaseNotes and Tags: the build fills them in.' }
    # From the end, so the offsets of the entries before stay valid.
    foreach ($entry in ($entries | Sort-Object { $_.Item2.Extent.StartOffset } -Descending)) {
        $extent = $entry.Item2.Extent
        $text = $text.Substring(0, $extent.StartOffset) + $values[(& $keyOf $entry)] + $text.Substring($extent.EndOffset)
    }
    # With a byte-order mark: Windows PowerShell reads a manifest without one in the ANSI code page.
    [IO.File]::WriteAllText($Path, $text, [Text.UTF8Encoding]::new($true))
}

# Every reference of what out/JelouPS ships is satisfied on .NET 6 (PowerShell 7.2) and .NET Framework 4.7.2
# (Windows PowerShell 5.1), from their reference assemblies: the .NET 6 targeting pack the SDK restored for
# JelouPS.LoadContext and the .NET Framework 4.7.2 package tests/tools restores.
function Test-ReferenceClosure {
    $packages = (Get-RestoredPackageFolder)
    $assets = Get-Content -Raw (Join-Path $Root 'src/JelouPS.LoadContext/obj/project.assets.json') | ConvertFrom-Json
    $pack = @($assets.project.frameworks.'net6.0'.downloadDependencies | Where-Object name -eq 'Microsoft.NETCore.App.Ref')
    if ($pack.Count -ne 1) { throw 'JelouPS.LoadContext restored no .NET 6 targeting pack.' }
    $packVersion = $pack[0].version -replace '^\[([^,\]]+).*$', '$1'
    $runtimeProvided = Read-NameList 'src/JelouPS.LoadContext/LoadPolicy.cs' 'RuntimeProvided'
    $dependencies = Read-NameList 'src/JelouPS/Infrastructure/ModuleInitializer.cs' 'Dependencies'
    & (Join-Path $Root 'tests/tools/Test-ReferenceClosure.ps1') -ModulePath $ModuleOut -RuntimeProvided $runtimeProvided -ExpectedDependencies $dependencies `
        -NetCoreReferencePath (Join-Path $packages "microsoft.netcore.app.ref/$packVersion/ref/net6.0") `
        -NetFrameworkReferencePath (Join-Path $packages 'microsoft.netframework.referenceassemblies.net472/1.0.3/build/.NETFramework/v4.7.2')
}

# The assembly names a list in the C# source holds (the code's own list, which the build checks against what it ships).
function Read-NameList([string] $Path, [string] $Field) {
    $block = [regex]::Match((Get-Content -Raw (Join-Path $Root $Path)), "(?s)\b$Field\s*=.*?\{(.*?)\};").Groups[1].Value
    $names = @([regex]::Matches($block, '"([^"]+)"') | ForEach-Object { $_.Groups[1].Value })
    if (-not $names) { throw "$Field could not be read from $Path." }
    $names
}

function Get-RestoredPackageFolder {
    Invoke-Dotnet restore (Join-Path $Root 'tests/tools/tools.csproj') --verbosity quiet
    ((& dotnet nuget locals global-packages --list) -replace '^global-packages:\s*', '').Trim()
}

function Invoke-Build {
    Invoke-Dotnet build (Join-Path $Root 'JelouPS.sln') --configuration $Configuration "-p:Version=$Version" --nologo --verbosity quiet
    $bin = Join-Path $Root "src/JelouPS/bin/$Configuration/netstandard2.0"
    if (Test-Path $ModuleOut) { Remove-Item $ModuleOut -Recurse -Force }
    $dependencies = New-Item -ItemType Directory (Join-Path $ModuleOut 'dependencies') -Force
    Copy-Item (Join-Path $Root 'JelouPS.psd1') $ModuleOut
    # module/help holds the help sources; the module ships the MAML made from them.
    Get-ChildItem (Join-Path $Root 'module') -Exclude 'help' | Copy-Item -Destination $ModuleOut -Recurse
    # JelouPS.dll (the cmdlets) loads where PowerShell puts it; the client and everything it needs go
    # to dependencies/, loaded by the module's own context (JelouPS.LoadContext.dll, PowerShell 7) or
    # resolver (Windows PowerShell 5.1).
    Get-ChildItem $bin -Filter '*.dll' | ForEach-Object {
        $target = if ($_.Name -eq 'JelouPS.dll') { $ModuleOut } else { $dependencies }
        Copy-Item $_.FullName $target
    }
    Copy-Item (Join-Path $Root "src/JelouPS.LoadContext/bin/$Configuration/net6.0/JelouPS.LoadContext.dll") $ModuleOut
    # The version guard's assembly name carries the version; the manifest names its file JelouPS.VersionGuard.dll.
    Copy-Item (Join-Path $Root "src/JelouPS.VersionGuard/bin/$Configuration/netstandard2.0/JelouPS.VersionGuard.v$($Version.Replace('.', '_')).dll") (Join-Path $ModuleOut 'JelouPS.VersionGuard.dll')
    Copy-Item (Join-Path $Root 'LICENSE') $ModuleOut
    Test-ReferenceClosure
    Write-ThirdPartyNotice (Join-Path $ModuleOut 'THIRD-PARTY-NOTICES.txt')
    Update-BuiltManifest (Join-Path $ModuleOut 'JelouPS.psd1')
    Invoke-ChildPwsh -File (Join-Path $Root 'module/help/ConvertTo-JelouMaml.ps1') -ModulePath $ModuleOut `
        -MarkdownPath (Join-Path $Root 'module/help') -OutputPath (Join-Path $ModuleOut 'en-US/JelouPS.dll-Help.xml')
    if ($LASTEXITCODE -ne 0) { throw 'Help generation failed: see the warnings above.' }
    Write-Host "Built JelouPS $Version in $ModuleOut"
}

# Publishes out/JelouPS into out/ as a nupkg through a temporary local repository, as the Gallery would
# receive it. In a child process: publishing reads the manifest, and the build never loads the module.
function Invoke-Package {
    Invoke-Build
    Get-ChildItem $Out -Filter 'JelouPS.*.nupkg' | Remove-Item
    $publish = {
        param($ModulePath, $Repository)
        $ErrorActionPreference = 'Stop'
        $name = 'JelouPSBuild' + [guid]::NewGuid().ToString('N')
        # NuGet, under Publish-PSResource, writes NuGet/NuGet.Config into the process's working directory when the user
        # has no configuration folder (a fresh HOME): a folder of its own keeps that out of the repository.
        $work = New-Item -ItemType Directory (Join-Path ([IO.Path]::GetTempPath()) $name)
        [Environment]::CurrentDirectory = $work.FullName
        Register-PSResourceRepository -Name $name -Uri $Repository -Trusted
        try { Publish-PSResource -Path $ModulePath -Repository $name -SkipDependenciesCheck }
        finally {
            Unregister-PSResourceRepository -Name $name
            [Environment]::CurrentDirectory = [IO.Path]::GetTempPath()
            Remove-Item $work -Recurse -Force
        }
    }
    $quote = { "'" + ($args[0] -replace "'", "''") + "'" }
    Invoke-ChildPwsh -Command "& { $publish } $(& $quote $ModuleOut) $(& $quote $Out)"
    if ($LASTEXITCODE -ne 0) { throw "Publish-PSResource failed with exit code $LASTEXITCODE." }
    $package = Join-Path $Out "JelouPS.$Version.nupkg"
    if (-not (Test-Path $package)) { throw "Publishing wrote no $package." }
    Write-Host "Packaged $package"
}

function Get-PesterModulePath {
    Invoke-Dotnet restore (Join-Path $Root 'tests/tools/tools.csproj') --verbosity quiet
    $packages = (& dotnet nuget locals global-packages --list) -replace '^global-packages:\s*', ''
    $pester = Join-Path $packages.Trim() 'pester/5.7.1/tools/Pester.psd1'
    if (-not (Test-Path $pester)) { throw "Pester 5.7.1 was restored but $pester is missing." }
    $pester
}

# Counts from a VSTest .trx file; a missing file means the run itself broke, which counts as a failure.
function Read-TrxCounts([string] $Path) {
    if (-not (Test-Path $Path)) { return [pscustomobject]@{ Passed = 0; Failed = 1; Skipped = 0 } }
    $counters = ([xml](Get-Content -Raw $Path)).TestRun.ResultSummary.Counters
    [pscustomobject]@{
        Passed  = [int]$counters.passed
        Failed  = [int]$counters.failed + [int]$counters.error + [int]$counters.timeout + [int]$counters.aborted
        Skipped = [int]$counters.notExecuted
    }
}

# Counts written by tests/Invoke-PesterSuite.ps1; a missing or malformed file means the run broke.
function Read-PesterCounts([string] $Path) {
    $counts = if (Test-Path $Path) { Get-Content -Raw $Path | ConvertFrom-Json }
    if ($counts -and $counts.Passed -is [long] -and $counts.Failed -is [long] -and $counts.Skipped -is [long]) { return $counts }
    [pscustomobject]@{ Passed = 0; Failed = 1; Skipped = 0 }
}

function Invoke-Test {
    Invoke-Package
    $pester = Get-PesterModulePath
    if (Test-Path $TestResults) { Remove-Item $TestResults -Recurse -Force }
    $summary = [ordered]@{}

    foreach ($project in 'JelouPS.Client.Tests', 'JelouPS.Tests') {
        & dotnet test (Join-Path $Root "tests/$project") --configuration $Configuration --no-build --nologo `
            --logger "trx;LogFileName=$project.trx" --logger 'console;verbosity=minimal' --results-directory $TestResults
        $summary[$project] = Read-TrxCounts (Join-Path $TestResults "$project.trx")
    }

    $pesterResult = Join-Path $TestResults 'pester.json'
    Invoke-ChildPwsh -File (Join-Path $Root 'tests/Invoke-PesterSuite.ps1') -PesterPath $pester `
        -ModulePath $ModuleOut -PackagePath (Join-Path $Out "JelouPS.$Version.nupkg") -EmulatorDll $EmulatorDll -ResultPath $pesterResult
    $summary['Pester'] = Read-PesterCounts $pesterResult

    $passed = 0; $failed = 0; $skipped = 0
    foreach ($suite in $summary.GetEnumerator()) {
        Write-Host ("{0,-22} {1,4} passed, {2,3} failed, {3,3} skipped" -f $suite.Key, $suite.Value.Passed, $suite.Value.Failed, $suite.Value.Skipped)
        $passed += $suite.Value.Passed
        $failed += $suite.Value.Failed
        $skipped += $suite.Value.Skipped
    }
    Write-Host "$passed passed, $failed failed, $skipped skipped"
    if ($failed -gt 0) { exit 1 }
}

function Invoke-Demo {
    Invoke-Build
    Invoke-ChildPwsh -File (Join-Path $Root 'tests/Demo.ps1') -ModulePath $ModuleOut -EmulatorDll $EmulatorDll
    if ($LASTEXITCODE -ne 0) { throw "The demo failed with exit code $LASTEXITCODE." }
}

function Invoke-Bench {
    Invoke-Build
    $benchOut = Join-Path $Out 'bench'
    foreach ($bench in 'PerCall', 'Overhead', 'Bulk', 'Import', 'Signature') {
        $arguments = @('-ModulePath', $ModuleOut, '-OutPath', $benchOut)
        if ($bench -in 'PerCall', 'Bulk') { $arguments += '-EmulatorDll', $EmulatorDll }
        Invoke-ChildPwsh -File (Join-Path $Root "tests/bench/$bench.Bench.ps1") @arguments
        if ($LASTEXITCODE -ne 0) { throw "The $bench bench failed with exit code $LASTEXITCODE." }
    }
    # The C# core of signature checking against .NET's one-shot HMAC, with BenchmarkDotNet (not in JelouPS.sln).
    Invoke-Dotnet run --project (Join-Path $Root 'tests/bench/SignatureCore') --configuration Release -- $benchOut
    Invoke-ChildPwsh -File (Join-Path $Root 'tests/bench/Targets.ps1') -OutPath $benchOut
    if ($LASTEXITCODE -ne 0) { throw "Reading the targets failed with exit code $LASTEXITCODE." }
}

function Invoke-Clean {
    if (Test-Path $Out) { Remove-Item $Out -Recurse -Force }
    Get-ChildItem $Root -Directory -Recurse -Include 'bin', 'obj' | Where-Object FullName -notmatch '[\\/]\.git[\\/]' |
        Remove-Item -Recurse -Force
}

& "Invoke-$Task"
