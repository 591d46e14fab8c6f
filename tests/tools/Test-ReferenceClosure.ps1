<#
.SYNOPSIS
    Checks that every assembly reference of the built module is satisfied on the oldest runtimes it
    supports: PowerShell 7.2 (.NET 6) and Windows PowerShell 5.1 (.NET Framework 4.7.2), read from their
    reference assemblies. Reads metadata only; nothing is loaded. Throws listing what is missing.
.DESCRIPTION
    dependencies/ holds exactly the assemblies ModuleInitializer.Dependencies lists (the import checks they are there).
    On .NET 6, JelouPS.dll and JelouPS.LoadContext.dll load in the default context and everything in
    dependencies/ in the module's own context, except the names JelouPS.LoadContext leaves to the runtime
    (LoadPolicy.RuntimeProvided): those must be in .NET 6 at the version asked for. That context finds an assembly by
    file name, so each file in dependencies/ must be named exactly after the assembly it holds. On .NET Framework,
    JelouPS.dll and all of dependencies/ load; the resolver answers a request only with a shipped version at
    least the one asked for. PowerShell's own assemblies are the host's.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $NetCoreReferencePath,
    [Parameter(Mandatory)] [string] $NetFrameworkReferencePath,
    [Parameter(Mandatory)] [string[]] $RuntimeProvided,
    # What the module expects dependencies/ to hold (ModuleInitializer.Dependencies): it checks at import that each is there.
    [Parameter(Mandatory)] [string[]] $ExpectedDependencies
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0

function Read-AssemblyMetadata([string] $Path) {
    $stream = [IO.File]::OpenRead($Path)
    try {
        $pe = [System.Reflection.PortableExecutable.PEReader]::new($stream)
        if (-not $pe.HasMetadata) { return }
        $reader = [System.Reflection.Metadata.PEReaderExtensions]::GetMetadataReader($pe)
        if (-not $reader.IsAssembly) { return }
        $definition = $reader.GetAssemblyDefinition()
        [pscustomobject]@{
            Name       = $reader.GetString($definition.Name)
            Version    = $definition.Version
            File       = [IO.Path]::GetFileName($Path)
            References = @(foreach ($handle in $reader.AssemblyReferences) {
                    $reference = $reader.GetAssemblyReference($handle)
                    [pscustomobject]@{ Name = $reader.GetString($reference.Name); Version = $reference.Version }
                })
        }
    }
    finally { $stream.Dispose() }
}

function Read-Folder([string[]] $Folders) {
    $map = @{}
    foreach ($folder in $Folders) {
        foreach ($file in (Get-ChildItem $folder -Filter '*.dll' -File)) {
            $assembly = Read-AssemblyMetadata $file.FullName
            if ($assembly) { $map[$assembly.Name] = $assembly }
        }
    }
    $map
}

function Test-Runtime([string] $Runtime, [object[]] $Loaded, [hashtable] $Shipped, [hashtable] $Provided) {
    $problems = foreach ($assembly in $Loaded) {
        foreach ($reference in $assembly.References) {
            if ($reference.Name -match '^(System\.Management\.Automation|Microsoft\.PowerShell\..*|Microsoft\.Management\.Infrastructure)$') { continue }
            $source = if ($Shipped.ContainsKey($reference.Name)) { $Shipped[$reference.Name]; $from = 'the module' }
            elseif ($Provided.ContainsKey($reference.Name)) { $Provided[$reference.Name]; $from = $Runtime }
            if (-not $source) { "$Runtime`: $($assembly.File) needs $($reference.Name) $($reference.Version), which neither the module nor $Runtime has."; continue }
            if ($source.Version -lt $reference.Version) {
                "$Runtime`: $($assembly.File) needs $($reference.Name) $($reference.Version); $from has only $($source.Version)."
            }
        }
    }
    $count = @($Loaded | ForEach-Object References).Count
    Write-Host "References on $Runtime`: $(@($Loaded).Count) assemblies, $count references, $(@($problems).Count) missing."
    $problems
}

$root = Read-Folder $ModulePath
$dependencies = Read-Folder (Join-Path $ModulePath 'dependencies')
$expected = @($ExpectedDependencies | Sort-Object); $shipped = @($dependencies.Keys | Sort-Object)
if ("$expected" -cne "$shipped") {
    throw "dependencies/ holds $($shipped -join ', '), but ModuleInitializer.Dependencies lists $($expected -join ', '): make the list what the build ships."
}
# The module's context finds an assembly by its file name: <name>.dll, exactly (a case-sensitive file system too).
$misnamed = @($dependencies.Values | Where-Object { $_.File -cne "$($_.Name).dll" } | ForEach-Object { "$($_.File) holds $($_.Name)" })
if ($misnamed) { throw "Each file in dependencies/ must be named <assembly name>.dll: $($misnamed -join '; ')." }

# PowerShell 7.2: the module's context holds dependencies/ but the runtime-provided names.
$private = @{}
foreach ($entry in $dependencies.GetEnumerator()) { if ($entry.Key -notin $RuntimeProvided) { $private[$entry.Key] = $entry.Value } }
$netCore = Read-Folder $NetCoreReferencePath
# The module's folder loads in the default context, which sees of dependencies/ only the client (the door into the
# private context): anything else it references must come from .NET itself, e.g. System.Text.Json 6.0 on 7.2.
$core = @(Test-Runtime '.NET 6, default context' @($root.Values) (@{ 'JelouPS.Client' = $private['JelouPS.Client'] } + $root) $netCore) +
    @(Test-Runtime '.NET 6, the module''s context' @($private.Values) ($private + $root) $netCore)

# Windows PowerShell 5.1: JelouPS.dll and dependencies/; the .NET 6 load context is never loaded there.
$desktopLoaded = @($root.Values | Where-Object Name -ne 'JelouPS.LoadContext') + @($dependencies.Values)
$desktopShipped = $dependencies.Clone(); $desktopShipped['JelouPS'] = $root['JelouPS']
$framework = Test-Runtime '.NET Framework 4.7.2' $desktopLoaded $desktopShipped (Read-Folder $NetFrameworkReferencePath, (Join-Path $NetFrameworkReferencePath 'Facades'))

$problems = @($core) + @($framework)
if ($problems) { throw "The module's references are not all satisfied:`n$($problems -join "`n")" }
