<#
.SYNOPSIS
    Converts platyPS (schema 2.0.0) markdown to the MAML help file of a built module.
.DESCRIPTION
    Imports the module in -ModulePath and, for every exported cmdlet or function, reads
    <MarkdownPath>/<Name>.md and writes one command:command entry to -OutputPath (for example
    out/JelouPS/en-US/JelouPS.dll-Help.xml). Syntax, parameter types, positions, mandatory flags,
    aliases, valid values and pipeline input come from the live command metadata; synopsis,
    description, parameter descriptions, default values, inputs, outputs, notes, examples and
    related links come from the markdown, and the front matter's 'online version:' becomes the first
    related link, which Get-Help -Online opens; its ## SYNTAX section, and its yaml blocks except
    'Default value', are ignored. No module beyond PowerShell itself is needed.

    Throws, listing every problem, when a command has no markdown file, an empty synopsis or
    description, no example with code, or no http(s) 'online version:', when a parameter has no
    description, or when the markdown documents a parameter the command does not have. Nothing is
    written then.
    Run it in a child PowerShell: it imports a binary module, which cannot be unloaded.
.EXAMPLE
    dotnet pwsh -NoProfile -NonInteractive -File module/help/ConvertTo-JelouMaml.ps1 -ModulePath out/JelouPS -MarkdownPath module/help -OutputPath out/JelouPS/en-US/JelouPS.dll-Help.xml
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
    maml    = 'http://schemas.microsoft.com/maml/2004/10'
    command = 'http://schemas.microsoft.com/maml/dev/command/2004/10'
    dev     = 'http://schemas.microsoft.com/maml/dev/2004/10'
}
$commonParameters = @([System.Management.Automation.Cmdlet]::CommonParameters) + 'UseTransaction'
$problems = [System.Collections.Generic.List[string]]::new()

# --- Markdown ----------------------------------------------------------------------------------

# Splits lines at headings of one level ('##', '###'), ignoring code fences: @{ Title; Lines }.
function Split-Heading([string[]] $Lines, [string] $Marker) {
    $current = $null; $inFence = $false
    foreach ($line in $Lines) {
        if ($line -match '^\s*(```|~~~)') { $inFence = -not $inFence }
        if (-not $inFence -and $line.StartsWith("$Marker ")) {
            if ($current) { $current }
            $current = @{ Title = $line.Substring($Marker.Length + 1).Trim(); Lines = [System.Collections.Generic.List[string]]::new() }
        }
        elseif ($current) { $current.Lines.Add($line) }
    }
    if ($current) { $current }
}

# Splits a section into prose and fenced code: @{ Kind = 'text' | 'code'; Lang; Text }.
function Split-Block([string[]] $Lines) {
    $buffer = [System.Collections.Generic.List[string]]::new(); $lang = $null
    foreach ($line in $Lines) {
        if ($line -notmatch '^\s*(```|~~~)\s*(\S*)') { $buffer.Add($line); continue }
        if ($null -eq $lang) {
            $text = ($buffer -join "`n").Trim()
            if ($text) { @{ Kind = 'text'; Lang = ''; Text = $text } }
            $lang = $Matches[2]
        }
        else {
            @{ Kind = 'code'; Lang = $lang; Text = ($buffer -join "`n").Trim("`r", "`n") }
            $lang = $null
        }
        $buffer.Clear()
    }
    if ($null -ne $lang) { throw "An unclosed code fence." }
    $text = ($buffer -join "`n").Trim()
    if ($text) { @{ Kind = 'text'; Lang = ''; Text = $text } }
}

# Prose to paragraphs: blank lines separate them, every list item or table row is one, soft line
# breaks become spaces; links become "text (uri)" or "text", emphasis and backticks are dropped.
# As in CommonMark, a numbered line interrupts a paragraph only as "1." or after another numbered
# item: prose wrapped before "200. The price" goes on.
function ConvertTo-Para([object[]] $Blocks) {
    $paras = [System.Collections.Generic.List[string]]::new()
    $lines = @($Blocks | Where-Object { $_.Kind -eq 'text' } | ForEach-Object { $_.Text -split '\r?\n'; '' })
    foreach ($line in $lines) {
        $line = $line.Trim()
        $last = $paras.Count - 1
        $item = $line -match '^[-*+|]\s' -or ($line -match '^(\d+)\.\s' -and ($Matches[1] -eq '1' -or ($last -ge 0 -and $paras[$last] -match '^\d+\.\s')))
        if (-not $line -or $last -lt 0 -or $paras[$last] -eq '' -or $item) { $paras.Add($line) }
        else { $paras[$last] += ' ' + $line }
    }
    # Inline markup once a paragraph is whole: a link or a code span may run across a soft line break.
    foreach ($para in $paras) {
        if (-not $para) { continue }
        $para = $para -replace '\[([^\]]+)\]\((https?://[^)]+)\)', '$1 ($2)' -replace '\[([^\]]+)\]\([^)]*\)', '$1' -replace '\*\*([^*]+)\*\*', '$1'
        # A code span's text as it is: `x`, and ``x`` for text that holds a backtick (`` `e ``), in one pass so that the
        # backticks a double span keeps do not start another span.
        [regex]::Replace($para, '``\s?(.+?)\s?``|`([^`]+)`', { param($m) if ($m.Groups[1].Success) { $m.Groups[1].Value } else { $m.Groups[2].Value } })
    }
}

function Read-Markdown([string] $Path) {
    $lines = @(Get-Content -LiteralPath $Path -Encoding UTF8)
    $end = if ($lines.Count -gt 2 -and $lines[0] -eq '---') { [array]::IndexOf($lines, '---', 1) } else { -1 }
    if ($end -lt 0 -or -not ($lines[1..$end] -match '^schema:\s*2\.0\.0\s*$')) { throw "${Path}: no platyPS front matter with 'schema: 2.0.0'." }
    $doc = @{ Online = @($lines[1..$end] -match '^online version:' -replace '^online version:\s*', '' | Where-Object { $_ }) }
    foreach ($section in (Split-Heading $lines[$end..($lines.Count - 1)] '##')) {
        try { $doc[$section.Title.ToUpperInvariant()] = @(Split-Block $section.Lines) }
        catch { throw "${Path}: ## $($section.Title): $_" }
    }
    foreach ($name in 'SYNOPSIS', 'DESCRIPTION', 'EXAMPLES', 'PARAMETERS', 'INPUTS', 'OUTPUTS', 'NOTES', 'RELATED LINKS') { if (-not $doc.ContainsKey($name)) { $doc[$name] = @() } }
    $doc
}

# The ### sub-sections of a ## section, re-split from its blocks.
function Get-Subsection($Blocks) {
    $lines = foreach ($block in $Blocks) {
        if ($block.Kind -eq 'code') { '```' + $block.Lang }
        $block.Text -split '\r?\n'
        if ($block.Kind -eq 'code') { '```' }
    }
    foreach ($section in (Split-Heading $lines '###')) { @{ Title = $section.Title; Blocks = @(Split-Block $section.Lines) } }
}

# --- MAML --------------------------------------------------------------------------------------

function Open([string] $Name, [System.Collections.IDictionary] $Attributes = @{}) {
    $prefix, $local = $Name -split ':'
    $writer.WriteStartElement($prefix, $local, $ns[$prefix])
    foreach ($key in $Attributes.Keys) { $writer.WriteAttributeString($key, [string]$Attributes[$key]) }
}
function Close { $writer.WriteEndElement() }
function Leaf([string] $Name, [string] $Text) { Open $Name; if ($Text) { $writer.WriteString($Text) }; Close }
function Paras([string] $Name, [string[]] $Paragraphs) { Open $Name; foreach ($p in $Paragraphs) { Leaf 'maml:para' $p }; Close }

function Get-TypeName([type] $Type) {
    $underlying = [Nullable]::GetUnderlyingType($Type)
    if ($underlying) { $underlying.Name } else { $Type.Name }
}

# Positional parameters by position, then mandatory ones, then the rest in declaration order,
# -WhatIf/-Confirm last; without common parameters. The index keeps the sort stable on 5.1.
function Get-OrderedParameter($Parameters) {
    $index = 0
    $keyed = foreach ($p in $Parameters) {
        if ($commonParameters -contains $p.Name) { continue }
        $group = if ($p.Name -in 'WhatIf', 'Confirm') { 3 } elseif ($p.Position -ge 0) { 0 } elseif ($p.IsMandatory) { 1 } else { 2 }
        [pscustomobject]@{ Group = $group; Position = [math]::Max($p.Position, 0); Index = $index++; Info = $p }
    }
    @($keyed | Sort-Object Group, Position, Index | ForEach-Object Info)
}

# One command:parameter from its CommandParameterInfo in one or more parameter sets.
function Write-Parameter([object[]] $Infos, $Doc) {
    $info = $Infos[0]
    $isSwitch = $info.ParameterType -eq [switch]
    $pipeline = @(if ($Infos | Where-Object ValueFromPipelineByPropertyName) { 'ByPropertyName' }; if ($Infos | Where-Object ValueFromPipeline) { 'ByValue' })
    $validSet = @($info.Attributes | Where-Object { $_ -is [System.Management.Automation.ValidateSetAttribute] } | ForEach-Object ValidValues)
    $wildcard = [bool]($info.Attributes | Where-Object { $_ -is [System.Management.Automation.SupportsWildcardsAttribute] })
    Open 'command:parameter' ([ordered]@{
        required       = "$([bool]($Infos | Where-Object IsMandatory))".ToLowerInvariant()
        variableLength = 'true'
        globbing       = "$wildcard".ToLowerInvariant()
        pipelineInput  = $(if ($pipeline) { "True ($($pipeline -join ', '))" } else { 'False' })
        position       = $(if ($info.Position -ge 0) { "$($info.Position)" } else { 'named' })
        aliases        = $(if ($info.Aliases.Count) { $info.Aliases -join ', ' } else { 'none' })
    })
    Leaf 'maml:name' $info.Name
    Paras 'maml:description' $Doc.Description
    if ($validSet) {
        Open 'command:parameterValueGroup'
        foreach ($value in $validSet) { Open 'command:parameterValue' ([ordered]@{ required = 'false'; variableLength = 'false' }); $writer.WriteString($value); Close }
        Close
    }
    if (-not $isSwitch) { Open 'command:parameterValue' ([ordered]@{ required = 'true'; variableLength = 'false' }); $writer.WriteString((Get-TypeName $info.ParameterType)); Close }
    Open 'dev:type'; Leaf 'maml:name' (Get-TypeName $info.ParameterType); Leaf 'maml:uri' ''; Close
    Leaf 'dev:defaultValue' $(if ($Doc.Default) { $Doc.Default } elseif ($isSwitch) { 'False' } else { 'None' })
    Close
}

function Write-TypeList([string] $ListName, [string] $ItemName, $Blocks) {
    Open "command:$ListName"
    foreach ($entry in (Get-Subsection $Blocks)) {
        Open "command:$ItemName"; Open 'dev:type'; Leaf 'maml:name' $entry.Title; Close
        Paras 'maml:description' @(ConvertTo-Para $entry.Blocks); Close
    }
    Close
}

function Write-Command($Command, $Doc, [string] $Path) {
    $synopsis = @(ConvertTo-Para $Doc['SYNOPSIS'])
    $description = @(ConvertTo-Para $Doc['DESCRIPTION'])
    if (-not $synopsis) { $problems.Add("${Path}: ## SYNOPSIS is empty.") }
    if (-not $description) { $problems.Add("${Path}: ## DESCRIPTION is empty.") }

    $paramDocs = @{}
    foreach ($section in (Get-Subsection $Doc['PARAMETERS'])) {
        $name = $section.Title.TrimStart('-')
        if ($name -eq 'CommonParameters') { continue }
        if (-not $Command.Parameters.ContainsKey($name)) { $problems.Add("${Path}: documents -$name, which $($Command.Name) does not have."); continue }
        $yaml = @($section.Blocks | Where-Object { $_.Kind -eq 'code' -and $_.Lang -eq 'yaml' } | Select-Object -First 1 | ForEach-Object { $_.Text -split '\r?\n' })
        $default = @($yaml -match '^\s*Default value:' -replace '^\s*Default value:\s*', '') | Select-Object -First 1
        $paramDocs[$name] = @{ Description = @(ConvertTo-Para $section.Blocks); Default = $(if ($default -and $default -ne 'None') { $default.Trim() }) }
    }
    $parameters = @(Get-OrderedParameter ($Command.ParameterSets | ForEach-Object Parameters) | Group-Object Name | ForEach-Object { , @($_.Group) })
    foreach ($group in $parameters) {
        if (-not $paramDocs.ContainsKey($group[0].Name) -or -not $paramDocs[$group[0].Name].Description) { $problems.Add("${Path}: parameter -$($group[0].Name) has no description.") }
    }
    $examples = @(foreach ($section in (Get-Subsection $Doc['EXAMPLES'])) {
        $code = @($section.Blocks | Where-Object { $_.Kind -eq 'code' } | ForEach-Object Text) -join "`n`n"
        # Get-Help shows a title between dashes, indented by four, and a console writes 79 columns of 80: longer, it wraps.
        if ($section.Title.Length -gt 69) { $problems.Add("${Path}: '$($section.Title)' is longer than 69 characters.") }
        if ($code.Trim()) { @{ Title = $section.Title; Code = $code; Remarks = @(ConvertTo-Para $section.Blocks) } }
        else { $problems.Add("${Path}: '$($section.Title)' has no code block.") }
    })
    if (-not $examples) { $problems.Add("${Path}: ## EXAMPLES has no '### Example' with code.") }
    $online = $Doc.Online | Select-Object -First 1
    if (-not ($online -match '^https?://' -and [uri]::IsWellFormedUriString($online, 'Absolute'))) { $problems.Add("${Path}: 'online version:' needs the absolute http(s) URL of this page, for Get-Help -Online.") }
    if ($problems.Count) { return }

    Open 'command:command'
    foreach ($prefix in 'maml', 'command', 'dev') { $writer.WriteAttributeString('xmlns', $prefix, $null, $ns[$prefix]) }
    Open 'command:details'
    Leaf 'command:name' $Command.Name; Leaf 'command:verb' $Command.Verb; Leaf 'command:noun' $Command.Noun
    Paras 'maml:description' $synopsis
    Close
    Paras 'maml:description' $description

    Open 'command:syntax'
    foreach ($set in @(@($Command.ParameterSets | Where-Object IsDefault) + @($Command.ParameterSets | Where-Object { -not $_.IsDefault }))) {
        Open 'command:syntaxItem'; Leaf 'maml:name' $Command.Name
        foreach ($info in (Get-OrderedParameter $set.Parameters)) { Write-Parameter @($info) $paramDocs[$info.Name] }
        Close
    }
    Close
    Open 'command:parameters'
    foreach ($group in $parameters) { Write-Parameter $group $paramDocs[$group[0].Name] }
    Close
    Write-TypeList 'inputTypes' 'inputType' $Doc['INPUTS']
    Write-TypeList 'returnValues' 'returnValue' $Doc['OUTPUTS']
    $notes = @(ConvertTo-Para $Doc['NOTES'])
    if ($notes) { Open 'maml:alertSet'; Paras 'maml:alert' $notes; Close }

    Open 'command:examples'
    foreach ($example in $examples) {
        $dashes = '-' * [math]::Max(2, [math]::Floor((72 - $example.Title.Length) / 2))
        Open 'command:example'
        Leaf 'maml:title' "$dashes $($example.Title) $dashes"
        Leaf 'dev:code' $example.Code
        Paras 'dev:remarks' ($example.Remarks + '')
        Close
    }
    Close
    Open 'command:relatedLinks'
    # Get-Help -Online opens the first related link with a URL: platyPS puts the online version there.
    Open 'maml:navigationLink'; Leaf 'maml:linkText' 'Online Version:'; Leaf 'maml:uri' $online; Close
    foreach ($link in [regex]::Matches((@($Doc['RELATED LINKS'] | ForEach-Object Text) -join "`n"), '\[([^\]]+)\]\(([^)]*)\)')) {
        Open 'maml:navigationLink'
        Leaf 'maml:linkText' $link.Groups[1].Value
        Leaf 'maml:uri' $(if ($link.Groups[2].Value -match '^https?://') { $link.Groups[2].Value })
        Close
    }
    Close
    Close
}

# --- Main --------------------------------------------------------------------------------------

$manifest = $ModulePath
if (Test-Path -LiteralPath $ModulePath -PathType Container) { $manifest = @(Get-ChildItem -LiteralPath $ModulePath -Filter '*.psd1')[0].FullName }
$module = Import-Module $manifest -PassThru -Force -DisableNameChecking
# Through Get-Command: only its copies resolve a cmdlet's dynamic parameters (-Vault and -SecretName).
$commands = @($module.ExportedCommands.Values | Where-Object { $_.CommandType -in 'Cmdlet', 'Function' } | Sort-Object Name |
    ForEach-Object { Get-Command -Name $_.Name -Module $module.Name })
if (-not $commands) { throw "Module $($module.Name) exports no command." }

$buffer = [System.IO.MemoryStream]::new()
$writer = [System.Xml.XmlWriter]::Create($buffer, [System.Xml.XmlWriterSettings]@{ Indent = $true; Encoding = [System.Text.UTF8Encoding]::new($false) })
$writer.WriteStartDocument()
$writer.WriteStartElement('helpItems', 'http://msh')
$writer.WriteAttributeString('schema', 'maml')
foreach ($command in $commands) {
    $path = Join-Path $MarkdownPath "$($command.Name).md"
    if (Test-Path -LiteralPath $path) { Write-Command $command (Read-Markdown $path) $path }
    else { $problems.Add("$($command.Name) has no help: $path is missing.") }
}
if ($problems.Count) {
    foreach ($problem in $problems) { Write-Warning $problem }
    throw "The help of $($module.Name) is incomplete: $($problems.Count) problem(s), listed above."
}
$writer.WriteEndElement()
$writer.WriteEndDocument()
$writer.Dispose()

# Written only when every command converted, so a failure never leaves a partial help file.
$OutputPath = $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($OutputPath)
$null = New-Item -ItemType Directory -Path (Split-Path -Parent $OutputPath) -Force
[System.IO.File]::WriteAllBytes($OutputPath, $buffer.ToArray())
Write-Host "Wrote help for $($commands.Count) commands to $([System.IO.Path]::GetRelativePath((Get-Location).Path, $OutputPath))"
