<#
    Get-Help for every exported command of the built module (real synopsis, description, examples
    with code, every parameter described), the about topic, and the markdown-to-MAML converter's
    refusal of incomplete help.
#>
BeforeDiscovery {
    if (-not $env:JELOUPS_MODULE_PATH) { throw 'Run the Pester suite through dotnet pwsh ./build.ps1 -Task Test.' }
    $manifest = Import-PowerShellDataFile (Join-Path $env:JELOUPS_MODULE_PATH 'JelouPS.psd1')
    $commands = @(@($manifest.CmdletsToExport) + @($manifest.FunctionsToExport) | Where-Object { $_ -and $_ -ne '*' } |
        ForEach-Object { @{ Name = $_ } })
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    $CommonParameters = @([System.Management.Automation.Cmdlet]::CommonParameters) + 'UseTransaction'
    $Converter = Join-Path $PSScriptRoot '../../module/help/ConvertTo-JelouMaml.ps1'
    $MarkdownSource = Join-Path $PSScriptRoot '../../module/help'
    $manifest = Import-PowerShellDataFile (Join-Path $ModulePath 'JelouPS.psd1')
    $ManifestCommands = @(@($manifest.CmdletsToExport) + @($manifest.FunctionsToExport) | Where-Object { $_ -and $_ -ne '*' } | Sort-Object)

    function Get-HelpText($Value) { (@($Value | ForEach-Object { if ($_ -is [string]) { $_ } else { $_.Text } }) -join "`n").Trim() }

    # Runs the converter as the build does: in a child PowerShell, which imports the binary module.
    function Invoke-Converter([string] $MarkdownPath, [string] $OutputPath) {
        $self = (Get-Process -Id $PID).Path
        $pwshDll = @(if ([IO.Path]::GetFileNameWithoutExtension($self) -eq 'dotnet') { Join-Path $PSHOME 'pwsh.dll' })
        $output = & $self @pwshDll -NoProfile -NonInteractive -File $Converter -ModulePath $ModulePath `
            -MarkdownPath $MarkdownPath -OutputPath $OutputPath 2>&1
        [pscustomobject]@{ ExitCode = $LASTEXITCODE; Output = ($output | Out-String) }
    }

    # A copy of the markdown in TestDrive; $Edits maps a command name to a scriptblock that edits
    # its markdown text, or to $null to remove its file.
    function New-MarkdownCopy([hashtable] $Edits) {
        $folder = Join-Path $TestDrive ([guid]::NewGuid().ToString('N'))
        $null = New-Item -ItemType Directory $folder
        Copy-Item (Join-Path $MarkdownSource '*.md') $folder
        foreach ($name in $Edits.Keys) {
            $file = Join-Path $folder "$name.md"
            if ($Edits[$name]) { Set-Content -LiteralPath $file -Value (& $Edits[$name] (Get-Content -Raw -LiteralPath $file)) -Encoding UTF8 -NoNewline }
            else { Remove-Item -LiteralPath $file }
        }
        $folder
    }
}

Describe 'Get-Help <Name>' -ForEach $commands {
    BeforeAll {
        $help = Get-Help -Name $Name -Full
        $command = Get-Command -Name $Name -Module JelouPS
    }

    It 'has a written synopsis, not the generated one' {
        $synopsis = Get-HelpText $help.Synopsis
        $synopsis | Should -Not -BeNullOrEmpty
        $synopsis | Should -Not -Match "^\s*$([regex]::Escape($Name))(\s|$)" -Because 'PowerShell shows the syntax as synopsis when there is no help file'
        $synopsis.Length | Should -BeGreaterThan 20
    }

    It 'has a description' {
        Get-HelpText $help.description | Should -Not -BeNullOrEmpty
    }

    It 'has at least one example, each with a title, code and an explanation' {
        $examples = @($help.examples.example)
        $examples.Count | Should -BeGreaterOrEqual 1
        foreach ($example in $examples) {
            $example.title | Should -Match 'Example \d+'
            "$($example.code)".Trim() | Should -Not -BeNullOrEmpty -Because "$($example.title) needs code"
            Get-HelpText $example.remarks | Should -Not -BeNullOrEmpty -Because "$($example.title) needs an explanation"
            # MAML has one code block an example: a second one would show as text, its code out of order.
            Get-HelpText $example.remarks | Should -Not -Match '```' -Because "$($example.title) has one code block"
        }
        $markdown = Get-Content -Raw (Join-Path $MarkdownSource "$Name.md")
        foreach ($section in [regex]::Matches($markdown, '(?ms)^### Example \d+.*?(?=^##)')) {
            [regex]::Matches($section.Value, '(?m)^```powershell').Count | Should -Be 1 -Because "each example of $Name.md has one code block: $($section.Value.Split("`n")[0])"
        }
    }

    It 'shows the text of every code span, none of its backticks left from the markdown' {
        $markdown = Get-Content -Raw (Join-Path $MarkdownSource "$Name.md")
        $text = ($help | Out-String -Width 400) -replace '\s+', ' '
        # A span that holds a backtick (`` `e ``) is written with two; its text, backtick and all, is what Get-Help shows.
        foreach ($span in [regex]::Matches($markdown, '(?<!`)``\s?(.+?)\s?``(?!`)')) {
            if ($span.Value -match '\n') { continue }
            $text | Should -Match ([regex]::Escape($span.Groups[1].Value) + '[^`]') -Because "$($span.Value) shows as $($span.Groups[1].Value)"
        }
        $text | Should -Not -Match '``' -Because 'no code span''s backticks are left'
        # Outside examples' code, a backtick that is left is PowerShell's escape a text shows (`e, `u{200B}, `$), never a
        # span's opening one (a span across a soft line break was left so: `Reset-JelouExternalSupportSecret).
        $prose = (@($help.description) + @($help.parameters.parameter.description) + @($help.examples.example.remarks) | ForEach-Object { Get-HelpText $_ }) -join ' '
        [regex]::Matches($prose, '`(?!u\{[0-9A-Fa-f]+\}|[0abefnrtv`$"](?![A-Za-z])).{0,20}').Value | Should -BeNullOrEmpty -Because 'a markdown backtick was left in the prose'
    }

    It 'keeps prose wrapped before a number ("each is answered" then "200. The price") in its paragraph, as CommonMark does' {
        $markdown = @(Get-Content (Join-Path $MarkdownSource "$Name.md"))
        # Each paragraph of the description, parameters and examples' remarks, whitespace as one space.
        $paragraphs = @(@($help.description) + @($help.parameters.parameter.description) + @($help.examples.example.remarks) | ForEach-Object { $_.Text -replace '\s+', ' ' })
        for ($i = 1; $i -lt $markdown.Count; $i++) {
            if ($markdown[$i] -match '^(\d+)\.\s' -and $Matches[1] -ne '1' -and $markdown[$i - 1].Trim() -and $markdown[$i - 1] -notmatch '^\d+\.\s') {
                $joined = ($markdown[$i - 1].Trim() -split '\s+')[-1] + ' ' + $Matches[1] + '. '
                @($paragraphs | Where-Object { $_.Contains($joined) }) | Should -Not -BeNullOrEmpty -Because "line $($i + 1) of $Name.md goes on in the paragraph of the line before it"
            }
        }
    }

    It 'shows each example''s code whole in an 80-column terminal, where Get-Help indents it by four' {
        foreach ($example in @($help.examples.example)) {
            @("$($example.code)" -split '\r?\n' | Where-Object { $_.Length -gt 76 }) | Should -BeNullOrEmpty -Because "$($example.title) would be cut mid-token"
        }
    }

    It 'shows each example''s title on one line of an 80-column terminal' {
        # Get-Help indents an example's title by four, and lays help out in one column less than the console has: a wider
        # title wraps, its closing dashes on a line of their own.
        foreach ($example in @($help.examples.example)) {
            "    $($example.title)".Length | Should -BeLessOrEqual 79 -Because $example.title
        }
        $shown = Get-Help $Name -Examples | Out-String -Width 79
        $shown | Should -Not -Match '(?m)^\s*-+\s*$' -Because 'no line of dashes alone is left of a wrapped title'
    }

    It 'describes every parameter' {
        $documented = @{}
        foreach ($parameter in @($help.parameters.parameter | Where-Object { $_ })) { $documented[$parameter.name] = Get-HelpText $parameter.description }
        $undescribed = @($command.Parameters.Keys | Where-Object { $CommonParameters -notcontains $_ -and -not $documented[$_] })
        $undescribed | Should -BeNullOrEmpty -Because 'every parameter of the cmdlet needs a description'
    }

    It 'has a markdown page (the online help) that gives each parameter''s type, position, whether it is required and its pipeline input as the command has them' {
        # The MAML help takes these from the live command; the page is written by hand.
        $page = Get-Content -Raw (Join-Path $MarkdownSource "$Name.md")
        $drift = foreach ($parameter in @($help.parameters.parameter | Where-Object { $_ })) {
            $block = [regex]::Match($page, "(?ms)^### -$($parameter.name)\s.*?``````yaml\s*(.*?)``````")
            if (-not $block.Success) { "-$($parameter.name): no yaml block"; continue }
            $yaml = @{}
            foreach ($line in $block.Groups[1].Value -split '\r?\n') { if ($line -match '^([^:]+):\s*(.*)$') { $yaml[$Matches[1].Trim()] = $Matches[2].Trim() } }
            $live = [ordered]@{
                'Type'                  = $parameter.type.name
                'Position'              = (Get-Culture).TextInfo.ToTitleCase("$($parameter.position)")
                'Required'              = (Get-Culture).TextInfo.ToTitleCase("$($parameter.required)")
                'Accept pipeline input' = $parameter.pipelineInput
            }
            foreach ($field in $live.Keys) { if ($yaml[$field] -ne $live[$field]) { "-$($parameter.name) ${field}: the page says '$($yaml[$field])', the command '$($live[$field])'" } }
        }
        $drift | Should -BeNullOrEmpty
    }

    It 'shows the live syntax of every parameter set' {
        @($help.syntax.syntaxItem).Count | Should -Be @($command.ParameterSets).Count
    }
}

Describe 'Get-Help coverage' {
    It 'covers exactly the exported commands' {
        $exported = @((Get-Module JelouPS).ExportedCommands.Values | Where-Object CommandType -in 'Cmdlet', 'Function' | ForEach-Object Name | Sort-Object)
        $exported | Should -Be $ManifestCommands
    }

    It 'ships one well-formed MAML file named after the cmdlet assembly' {
        $maml = Join-Path $ModulePath 'en-US/JelouPS.dll-Help.xml'
        $maml | Should -Exist
        $xml = [xml](Get-Content -Raw -LiteralPath $maml)
        $names = @($xml.helpItems.command | ForEach-Object { $_.details.name } | Sort-Object)
        $names | Should -Be $ManifestCommands
    }
}

Describe 'about_JelouPS' {
    It 'is found by Get-Help and covers the key concepts' {
        $text = Get-Help about_JelouPS | Out-String
        $text | Should -Match 'about_JelouPS'
        foreach ($concept in 'Connect-Jelou', '-Context', '-Vault', '$JelouUnsavedIntegrations', 'JelouNotFound', 'JelouUnauthorized', 'loopback', 'emulator', 'Export-Clixml') {
            $text | Should -BeLikeExactly "*$concept*"
        }
    }

    It 'lists every ErrorId the module can raise, from the error mapper''s one table' {
        $text = Get-Content -Raw (Join-Path $ModulePath 'en-US/about_JelouPS.help.txt') -ErrorAction Stop
        $table = (Get-Module JelouPS).ImplementingAssembly.GetType('JelouPS.Infrastructure.ErrorMapper', $true).
            GetField('Table', [System.Reflection.BindingFlags] 'NonPublic, Static').GetValue($null)
        $table.Count | Should -BeGreaterThan 20
        foreach ($id in $table.Keys) {
            $text | Should -BeLikeExactly "*$id*" -Because "about_JelouPS documents every ErrorId ($id is missing)"
        }
    }

    It 'keeps its lines within the 79 characters an 80-column console shows of Get-Help' {
        $long = @(Get-Content (Join-Path $ModulePath 'en-US/about_JelouPS.help.txt') -ErrorAction Stop | Where-Object { $_.Length -gt 79 })
        $long | Should -BeNullOrEmpty
    }
}

Describe 'ConvertTo-JelouMaml' {
    It 'converts the markdown of every exported command' {
        $output = Join-Path $TestDrive 'ok/JelouPS.dll-Help.xml'
        $run = Invoke-Converter $MarkdownSource $output
        $run.ExitCode | Should -Be 0 -Because $run.Output
        $xml = [xml](Get-Content -Raw -LiteralPath $output)
        $xml.helpItems.schema | Should -Be 'maml'
        @($xml.helpItems.command).Count | Should -Be $ManifestCommands.Count
    }

    Context 'given incomplete markdown' {
        BeforeAll {
            $folder = New-MarkdownCopy @{
                'Get-JelouContext'            = $null
                'Get-JelouExternalSupport'    = { param($md) $md -replace '(?s)(### -Context\r?\n).*?(```yaml)', '$1$2' }
                'Remove-JelouExternalSupport' = { param($md) $md -replace '(?s)(## EXAMPLES\r?\n).*?(## PARAMETERS)', "`$1`n`$2" }
                'Set-JelouExternalSupport'    = { param($md) $md -replace '### CommonParameters', "### -Colour`nNot a parameter.`n`n### CommonParameters" }
                'Get-JelouConversation'       = { param($md) $md -replace '(?m)^online version:.*$', 'online version:' }
            }
            $output = Join-Path $folder 'out/JelouPS.dll-Help.xml'
            $run = Invoke-Converter $folder $output
            # The error view wraps long messages and prefixes the lines with '|'.
            $reported = $run.Output -replace '[\s|]+', ' '
        }

        It 'fails and writes no help file' {
            $run.ExitCode | Should -Not -Be 0
            $output | Should -Not -Exist
        }

        It 'reports that <Case>' -ForEach @(
            @{ Case = 'a command has no markdown file'; Message = 'Get-JelouContext has no help' }
            @{ Case = 'a parameter has no description'; Message = 'parameter -Context has no description' }
            @{ Case = 'a command has no example'; Message = 'Remove-JelouExternalSupport.md: ## EXAMPLES has no' }
            @{ Case = 'a documented parameter does not exist'; Message = 'documents -Colour, which Set-JelouExternalSupport does not have' }
            @{ Case = 'a command has no online version'; Message = "Get-JelouConversation.md: 'online version:' needs" }
        ) {
            $reported | Should -BeLike "*$Message*"
        }
    }
}
