<#
.SYNOPSIS
    Converts the platyPS (schema 2.0.0) markdown in -MarkdownPath to one MAML help file.
.DESCRIPTION
    Imports the built module, and for every exported cmdlet or function reads <Name>.md and writes
    a command:command entry to -OutputPath (e.g. out/JelouPS/en-US/JelouPS.dll-Help.xml).
    Syntax, parameter types, positions, mandatory flags, aliases, valid values and pipeline input
    come from the live command metadata; synopsis, description, parameter descriptions, default
    values, inputs, outputs, notes, examples and related links come from the markdown.
    Throws (so the build fails) when a command has no markdown file, no synopsis, no description
    or no example, when a parameter has no description, or when the markdown documents a parameter
    the command does not have. Run it in a child PowerShell: it imports a binary module.
.EXAMPLE
    pwsh -NoProfile -File module/help/ConvertTo-JelouMaml.ps1 -ModulePath out/JelouPS -MarkdownPath module/help -OutputPath out/JelouPS/en-US/JelouPS.dll-Help.xml
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $MarkdownPath,
    [Parameter(Mandatory)] [string] $OutputPath
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0

$ns = @{
    Msh     = 'http://msh'
    Maml    = 'http://schemas.microsoft.com/maml/2004/10'
    Command = 'http://schemas.microsoft.com/maml/dev/command/2004/10'
    Dev     = 'http://schemas.microsoft.com/maml/dev/2004/10'
}
$commonParameters = @([System.Management.Automation.Cmdlet]::CommonParameters) + 'UseTransaction'

# --- Markdown reading -------------------------------------------------------------------------

# Splits lines at headings of one level (ignoring headings inside code fences): @{ Title; Lines }.
function Split-Heading([string[]] $Lines, [string] $Marker) {
    $sections = [System.Collections.Generic.List[object]]::new()
    $current = $null; $inFence = $false
    foreach ($line in $Lines) {
        if ($line -match '^\s*(```|~~~)') { $inFence = -not $inFence }
        if (-not $inFence -and $line.StartsWith("$Marker ")) {
            $current = @{ Title = $line.Substring($Marker.Length + 1).Trim(); Lines = [System.Collections.Generic.List[string]]::new() }
            $sections.Add($current)
        }
        elseif ($current) { $current.Lines.Add($line) }
    }
    , $sections
}

# Splits a section body into prose and fenced code blocks: @{ Kind = 'text'|'code'; Lang; Text }.
function Split-Block([string[]] $Lines) {
    $blocks = [System.Collections.Generic.List[object]]::new()
    $buffer = [System.Collections.Generic.List[string]]::new(); $lang = $null
    foreach ($line in $Lines) {
        if ($line -match '^\s*(```|~~~)\s*(\S*)') {
            if ($null -eq $lang) {
                if ($buffer.Count) { $blocks.Add(@{ Kind = 'text'; Text = ($buffer -join "`n").Trim() }) }
                $lang = $Matches[2]
            }
            else {
                $blocks.Add(@{ Kind = 'code'; Lang = $lang; Text = ($buffer -join "`n").Trim("`r", "`n") })
                $lang = $null
            }
            $buffer.Clear()
        }
        else { $buffer.Add($line) }
    }
    if ($null -ne $lang) { throw "An unclosed code fence: $($buffer[0])" }
    if ($buffer.Count) { $blocks.Add(@{ Kind = 'text'; Text = ($buffer -join "`n").Trim() }) }
    , @($blocks | Where-Object { $_.Kind -eq 'code' -or $_.Text })
}

# Prose to MAML paragraphs: blank lines separate paragraphs, each list item is a paragraph of its
# own, soft line breaks become spaces; links become "text (uri)", emphasis and backticks go.
function ConvertTo-Para([string] $Text) {
    $paras = [System.Collections.Generic.List[string]]::new()
    foreach ($line in ($Text -split '\r?\n')) {
        $line = $line.Trim()
        if (-not $line) { $paras.Add(''); continue }
        $line = $line -replace '\[([^\]]+)\]\((https?://[^)]+)\)', '$1 ($2)' -replace '\[([^\]]+)\]\([^)]*\)', '$1'
        $line = $line -replace '\*\*([^*]+)\*\*', '$1' -replace '`([^`]+)`', '$1'
        $startsItem = $line -match '^([-*+]|\d+\.)\s' -or $line.StartsWith('|')
        $last = $paras.Count - 1
        if ($last -lt 0 -or $paras[$last] -eq '' -or $startsItem) { $paras.Add($line) }
        else { $paras[$last] = $paras[$last] + ' ' + $line }
    }
    , @($paras | Where-Object { $_ })
}

function Get-Prose($Blocks) { (@($Blocks | Where-Object Kind -eq 'text' | ForEach-Object Text) -join "`n`n").Trim() }

function Read-Markdown([string] $Path) {
    $lines = Get-Content -LiteralPath $Path -Encoding UTF8
    if ($lines.Count -lt 3 -or $lines[0] -ne '---') { throw "${Path}: no YAML front matter." }
    $end = [array]::IndexOf($lines, '---', 1)
    if ($end -lt 0 -or -not ($lines[1..$end] -match '^schema:\s*2\.0\.0\s*$')) { throw "${Path}: not platyPS schema 2.0.0." }
    $doc = @{}
    foreach ($section in (Split-Heading $lines[($end + 1)..($lines.Count - 1)] '##')) { $doc[$section.Title.ToUpperInvariant()] = $section.Lines }
    $doc
}

# --- MAML writing ------------------------------------------------------------------------------

function Write-Para($Writer, [string] $Element, [string[]] $Paragraphs) {
    $Writer.WriteStartElement('maml', $Element, $ns.Maml)
    foreach ($para in $Paragraphs) { $Writer.WriteElementString('maml', 'para', $ns.Maml, $para) }
    $Writer.WriteEndElement()
}

function Get-TypeName([type] $Type) {
    $underlying = [Nullable]::GetUnderlyingType($Type)
    if ($underlying) { $Type = $underlying }
    $Type.Name
}

function Get-PipelineInput($ParameterInfos) {
    $how = @()
    if ($ParameterInfos | Where-Object ValueFromPipelineByPropertyName) { $how += 'ByPropertyName' }
    if ($ParameterInfos | Where-Object ValueFromPipeline) { $how += 'ByValue' }
    if ($how) { "True ($($how -join ', '))" } else { 'False' }
}

# One command:parameter; $Infos are its CommandParameterInfo in the sets concerned.
function Write-Parameter($Writer, $Infos, $Doc) {
    $info = @($Infos)[0]
    $isSwitch = $info.ParameterType -eq [switch]
    $position = if ($info.Position -ge 0) { "$($info.Position)" } else { 'named' }
    $wildcard = [bool]($info.Attributes | Where-Object { $_ -is [System.Management.Automation.SupportsWildcardsAttribute] })
    $validSet = @($info.Attributes | Where-Object { $_ -is [System.Management.Automation.ValidateSetAttribute] } | ForEach-Object ValidValues)
    $aliases = if ($info.Aliases.Count) { $info.Aliases -join ', ' } else { 'none' }
    $Writer.WriteStartElement('command', 'parameter', $ns.Command)
    $Writer.WriteAttributeString('required', "$([bool]($Infos | Where-Object IsMandatory))".ToLowerInvariant())
    $Writer.WriteAttributeString('variableLength', 'true')
    $Writer.WriteAttributeString('globbing', "$wildcard".ToLowerInvariant())
    $Writer.WriteAttributeString('pipelineInput', (Get-PipelineInput $Infos))
    $Writer.WriteAttributeString('position', $position)
    $Writer.WriteAttributeString('aliases', $aliases)
    $Writer.WriteElementString('maml', 'name', $ns.Maml, $info.Name)
    Write-Para $Writer 'description' $Doc.Description
    if ($validSet) {
        $Writer.WriteStartElement('command', 'parameterValueGroup', $ns.Command)
        foreach ($value in $validSet) {
            $Writer.WriteStartElement('command', 'parameterValue', $ns.Command)
            $Writer.WriteAttributeString('required', 'false'); $Writer.WriteAttributeString('variableLength', 'false')
            $Writer.WriteString($value); $Writer.WriteEndElement()
        }
        $Writer.WriteEndElement()
    }
    elseif (-not $isSwitch) {
        $Writer.WriteStartElement('command', 'parameterValue', $ns.Command)
        $Writer.WriteAttributeString('required', "$(-not $isSwitch)".ToLowerInvariant()); $Writer.WriteAttributeString('variableLength', 'false')
        $Writer.WriteString((Get-TypeName $info.ParameterType)); $Writer.WriteEndElement()
    }
    $Writer.WriteStartElement('dev', 'type', $ns.Dev)
    $Writer.WriteElementString('maml', 'name', $ns.Maml, (Get-TypeName $info.ParameterType))
    $Writer.WriteElementString('maml', 'uri', $ns.Maml, '')
    $Writer.WriteEndElement()
    $default = if ($Doc.Default) { $Doc.Default } elseif ($isSwitch) { 'False' } else { 'None' }
    $Writer.WriteElementString('dev', 'defaultValue', $ns.Dev, $default)
    $Writer.WriteEndElement()
}

# Positional parameters by position, then mandatory ones, then the rest (in declaration order);
# -WhatIf/-Confirm last. Sorting on the original index too keeps it stable on Windows PowerShell.
function Get-OrderedParameter($Parameters) {
    $index = 0
    $keyed = foreach ($p in $Parameters) {
        if ($commonParameters -contains $p.Name) { continue }
        $group = if ($p.Name -in 'WhatIf', 'Confirm') { 3 } elseif ($p.Position -ge 0) { 0 } elseif ($p.IsMandatory) { 1 } else { 2 }
        [pscustomobject]@{ Group = $group; Position = [math]::Max($p.Position, 0); Index = $index++; Info = $p }
    }
    @($keyed | Sort-Object Group, Position, Index | ForEach-Object Info)
}

# Paragraph entries of ### sub-sections (INPUTS, OUTPUTS): @{ Type; Paras }.
function Get-TypeEntry($Lines) {
    foreach ($entry in (Split-Heading $Lines '###')) {
        @{ Type = $entry.Title; Paras = @(ConvertTo-Para (Get-Prose (Split-Block $entry.Lines))) }
    }
}

function Write-TypeList($Writer, [string] $ListName, [string] $ItemName, $Lines) {
    $Writer.WriteStartElement('command', $ListName, $ns.Command)
    foreach ($entry in (Get-TypeEntry $Lines)) {
        $Writer.WriteStartElement('command', $ItemName, $ns.Command)
        $Writer.WriteStartElement('dev', 'type', $ns.Dev)
        $Writer.WriteElementString('maml', 'name', $ns.Maml, $entry.Type)
        $Writer.WriteEndElement()
        Write-Para $Writer 'description' $entry.Paras
        $Writer.WriteEndElement()
    }
    $Writer.WriteEndElement()
}

function Write-Command($Writer, $Command, $Doc, [string] $Path) {
    $synopsis = @(ConvertTo-Para (Get-Prose (Split-Block $Doc['SYNOPSIS'])))
    $description = @(ConvertTo-Para (Get-Prose (Split-Block $Doc['DESCRIPTION'])))
    if (-not $synopsis) { throw "${Path}: ## SYNOPSIS is empty." }
    if (-not $description) { throw "${Path}: ## DESCRIPTION is empty." }

    $paramDocs = @{}
    foreach ($section in (Split-Heading $Doc['PARAMETERS'] '###')) {
        if ($section.Title -eq 'CommonParameters') { continue }
        $name = $section.Title.TrimStart('-')
        if (-not $Command.Parameters.ContainsKey($name)) { throw "${Path}: documents -$name, which $($Command.Name) does not have." }
        $blocks = Split-Block $section.Lines
        $yaml = @{}
        foreach ($line in @($blocks | Where-Object { $_.Kind -eq 'code' -and $_.Lang -eq 'yaml' } | Select-Object -First 1 | ForEach-Object { $_.Text -split '\r?\n' })) {
            if ($line -match '^\s*([^:]+):\s*(.*)$') { $yaml[$Matches[1].Trim()] = $Matches[2].Trim() }
        }
        $default = $yaml['Default value']
        $paramDocs[$name] = @{ Description = @(ConvertTo-Para (Get-Prose $blocks)); Default = $(if ($default -and $default -ne 'None') { $default }) }
    }
    $parameters = @(Get-OrderedParameter ($Command.ParameterSets | ForEach-Object Parameters) | Group-Object Name | ForEach-Object { , @($_.Group) })
    foreach ($group in $parameters) {
        $name = $group[0].Name
        if (-not $paramDocs.ContainsKey($name) -or -not $paramDocs[$name].Description) { throw "${Path}: parameter -$name has no description." }
    }

    $examples = @(foreach ($section in (Split-Heading $Doc['EXAMPLES'] '###')) {
        $blocks = Split-Block $section.Lines
        $code = @($blocks | Where-Object Kind -eq 'code' | ForEach-Object Text) -join "`n`n"
        if (-not $code.Trim()) { throw "${Path}: '$($section.Title)' has no code block." }
        @{ Title = $section.Title; Code = $code; Remarks = @(ConvertTo-Para (Get-Prose $blocks)) }
    })
    if (-not $examples) { throw "${Path}: ## EXAMPLES has no '### Example' with code." }

    $Writer.WriteStartElement('command', 'command', $ns.Command)
    $Writer.WriteAttributeString('xmlns', 'maml', $null, $ns.Maml)
    $Writer.WriteAttributeString('xmlns', 'command', $null, $ns.Command)
    $Writer.WriteAttributeString('xmlns', 'dev', $null, $ns.Dev)
    $Writer.WriteStartElement('command', 'details', $ns.Command)
    $Writer.WriteElementString('command', 'name', $ns.Command, $Command.Name)
    $Writer.WriteElementString('command', 'verb', $ns.Command, $Command.Verb)
    $Writer.WriteElementString('command', 'noun', $ns.Command, $Command.Noun)
    Write-Para $Writer 'description' $synopsis
    $Writer.WriteEndElement()
    Write-Para $Writer 'description' $description

    $Writer.WriteStartElement('command', 'syntax', $ns.Command)
    foreach ($set in @(@($Command.ParameterSets | Where-Object IsDefault) + @($Command.ParameterSets | Where-Object { -not $_.IsDefault }))) {
        $Writer.WriteStartElement('command', 'syntaxItem', $ns.Command)
        $Writer.WriteElementString('maml', 'name', $ns.Maml, $Command.Name)
        foreach ($info in (Get-OrderedParameter $set.Parameters)) { Write-Parameter $Writer $info $paramDocs[$info.Name] }
        $Writer.WriteEndElement()
    }
    $Writer.WriteEndElement()

    $Writer.WriteStartElement('command', 'parameters', $ns.Command)
    foreach ($group in $parameters) { Write-Parameter $Writer $group $paramDocs[$group[0].Name] }
    $Writer.WriteEndElement()

    Write-TypeList $Writer 'inputTypes' 'inputType' $Doc['INPUTS']
    Write-TypeList $Writer 'returnValues' 'returnValue' $Doc['OUTPUTS']
    $notes = @(ConvertTo-Para (Get-Prose (Split-Block $Doc['NOTES'])))
    if ($notes) {
        $Writer.WriteStartElement('maml', 'alertSet', $ns.Maml)
        Write-Para $Writer 'alert' $notes
        $Writer.WriteEndElement()
    }

    $Writer.WriteStartElement('command', 'examples', $ns.Command)
    foreach ($example in $examples) {
        $Writer.WriteStartElement('command', 'example', $ns.Command)
        $Writer.WriteElementString('maml', 'title', $ns.Maml, "-------------------------- $($example.Title) --------------------------")
        $Writer.WriteElementString('dev', 'code', $ns.Dev, $example.Code)
        $Writer.WriteStartElement('dev', 'remarks', $ns.Dev)
        foreach ($para in $example.Remarks) { $Writer.WriteElementString('maml', 'para', $ns.Maml, $para) }
        $Writer.WriteEndElement(); $Writer.WriteEndElement()
    }
    $Writer.WriteEndElement()

    $Writer.WriteStartElement('command', 'relatedLinks', $ns.Command)
    foreach ($line in @($Doc['RELATED LINKS'])) {
        if ($line -notmatch '\[([^\]]+)\]\(([^)]*)\)') { continue }
        $Writer.WriteStartElement('maml', 'navigationLink', $ns.Maml)
        $Writer.WriteElementString('maml', 'linkText', $ns.Maml, $Matches[1])
        $Writer.WriteElementString('maml', 'uri', $ns.Maml, $(if ($Matches[2] -match '^https?://') { $Matches[2] } else { '' }))
        $Writer.WriteEndElement()
    }
    $Writer.WriteEndElement()
    $Writer.WriteEndElement()
}

# --- Main --------------------------------------------------------------------------------------

$manifest = if (Test-Path -LiteralPath $ModulePath -PathType Container) { Get-ChildItem -LiteralPath $ModulePath -Filter '*.psd1' | Select-Object -First 1 -ExpandProperty FullName } else { $ModulePath }
if (-not $manifest) { throw "No module manifest in $ModulePath." }
$module = Import-Module $manifest -PassThru -Force -DisableNameChecking
$commands = @($module.ExportedCommands.Values | Where-Object CommandType -in 'Cmdlet', 'Function' | Sort-Object Name)
if (-not $commands) { throw "Module $($module.Name) exports no command." }

$OutputPath = $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($OutputPath)
$outputDirectory = Split-Path -Parent $OutputPath
if (-not (Test-Path -LiteralPath $outputDirectory)) { $null = New-Item -ItemType Directory -Path $outputDirectory -Force }
$settings = [System.Xml.XmlWriterSettings]@{ Indent = $true; Encoding = [System.Text.UTF8Encoding]::new($false) }
$buffer = [System.IO.MemoryStream]::new()
$writer = [System.Xml.XmlWriter]::Create($buffer, $settings)
$writer.WriteStartDocument()
$writer.WriteStartElement('helpItems', $ns.Msh)
$writer.WriteAttributeString('schema', 'maml')
foreach ($command in $commands) {
    $path = Join-Path $MarkdownPath "$($command.Name).md"
    if (-not (Test-Path -LiteralPath $path)) { throw "$($command.Name) has no help: $path is missing." }
    Write-Command $writer $command (Read-Markdown $path) $path
}
$writer.WriteEndElement()
$writer.WriteEndDocument()
$writer.Dispose()
# Written only once every command converted, so a failure never leaves a partial help file.
[System.IO.File]::WriteAllBytes($OutputPath, $buffer.ToArray())
Write-Host "Wrote help for $($commands.Count) commands of $($module.Name) to $OutputPath"
