BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    $packages = ((& dotnet nuget locals global-packages --list) -replace '^global-packages:\s*', '').Trim()
    $OtherJson = Join-Path $packages 'system.text.json/8.0.5/lib/netstandard2.0/System.Text.Json.dll'
    $Dependencies = Join-Path $ModulePath 'dependencies'
}

Describe 'Dependency isolation on this PowerShell' {
    BeforeAll {
        # A fresh process where System.Text.Json is already loaded twice before JelouPS: the runtime's in the
        # default context, and an older one in another module's context.
        $script = @"
`$ErrorActionPreference = 'Stop'
`$other = [System.Runtime.Loader.AssemblyLoadContext]::new('OtherModule')
`$otherJson = `$other.LoadFromAssemblyPath('$OtherJson')
`$null = [System.Text.Json.JsonDocument]::Parse('{"warm":1}')
Import-Module '$ModulePath/JelouPS.psd1'
`$event = ConvertFrom-JelouWebhookEvent -Payload '{"event":"message","timestamp":1700000000000,"message":{"type":"text","text":"hola"}}'
`$signature = Get-JelouWebhookSignature -InputObject @{ a = 1 } -SigningSecret (ConvertTo-SecureString 'k' -AsPlainText -Force)
`$alc = [System.Runtime.Loader.AssemblyLoadContext]
`$own = `$alc::All | Where-Object Name -eq 'JelouPS'
`$ownJson = @(`$own.Assemblies | Where-Object { `$_.GetName().Name -eq 'System.Text.Json' })
`$defaultJson = @(`$alc::Default.Assemblies | Where-Object { `$_.GetName().Name -eq 'System.Text.Json' })
[pscustomobject]@{
    EventType       = `$event.GetType().FullName
    Signature       = `$signature
    EventContext    = `$alc::GetLoadContext(`$event.GetType().Assembly).Name
    CmdletContext   = `$alc::GetLoadContext((Get-Command New-JelouExternalSupport).ImplementingType.Assembly).Name
    OwnJson         = @(`$ownJson | ForEach-Object Location)
    OwnJsonFile     = @(`$ownJson | ForEach-Object { [Diagnostics.FileVersionInfo]::GetVersionInfo(`$_.Location).FileVersion })
    OwnNames        = @(`$own.Assemblies | ForEach-Object { `$_.GetName().Name })
    DefaultJson     = @(`$defaultJson | ForEach-Object Location)
    OtherJson       = `$otherJson.GetName().Version.ToString()
    TypeByName      = [JelouPS.ExternalSupportIntegration].FullName
    TypeContext     = `$alc::GetLoadContext([JelouPS.ExternalSupportIntegration].Assembly).Name
    EventIsNamed    = `$event -is [JelouPS.Webhooks.JelouMessageEvent]
} | ConvertTo-Json -Compress
"@
        $Result = Invoke-FreshPwsh $script | ConvertFrom-Json
    }

    It 'loads the client and its own System.Text.Json in the JelouPS context, the cmdlets in the default one' {
        $Result.CmdletContext | Should -Be 'Default'
        $Result.EventContext | Should -Be 'JelouPS'
        $Result.OwnJson | Should -Be @((Join-Path $Dependencies 'System.Text.Json.dll'))
        $Result.OwnJsonFile | Should -Be @((Get-Item (Join-Path $Dependencies 'System.Text.Json.dll')).VersionInfo.FileVersion)
    }

    It 'is not changed by the runtime''s System.Text.Json or an older one loaded first' {
        $Result.OtherJson | Should -Be '8.0.0.0'
        @($Result.DefaultJson).Count | Should -Be 1
        $Result.DefaultJson[0] | Should -Not -BeLike "$ModulePath*"
        $Result.EventType | Should -Be 'JelouPS.Webhooks.JelouMessageEvent'
        $Result.Signature | Should -Match '^sha256=[0-9a-f]{64}$'
    }

    It 'leaves the types .NET already has (Span, ValueTask) to the runtime' {
        foreach ($name in 'System.Memory', 'System.Buffers', 'System.Runtime.CompilerServices.Unsafe', 'System.Threading.Tasks.Extensions') {
            $Result.OwnNames | Should -Not -Contain $name
        }
    }

    It 'keeps the output types resolvable by name in scripts' {
        $Result.TypeByName | Should -Be 'JelouPS.ExternalSupportIntegration'
        $Result.TypeContext | Should -Be 'JelouPS'
        $Result.EventIsNamed | Should -BeTrue
    }
}

Describe 'One process, several runspaces' {
    It 'keeps working in this runspace when another removes the module, also on a code path first used after that' {
        $script = @"
`$ErrorActionPreference = 'Stop'
Import-Module '$ModulePath/JelouPS.psd1'
`$other = [powershell]::Create()
`$null = `$other.AddScript("Import-Module '$ModulePath/JelouPS.psd1'; Remove-Module JelouPS").Invoke()
(ConvertFrom-JelouWebhookEvent -Payload '{"event":"conversation.close","timestamp":1700000000000,"project_id":"p1"}').GetType().FullName
"@
        Invoke-FreshPwsh $script 2>&1 | Should -Be 'JelouPS.Webhooks.JelouConversationCloseEvent'
    }
}

Describe 'One JelouPS per process' {
    It 'refuses, in its own words, to import another version while one is loaded, and imports the same version from another folder' {
        $version = (Import-PowerShellDataFile (Join-Path $ModulePath 'JelouPS.psd1')).ModuleVersion
        $same = Join-Path $TestDrive 'same/JelouPS'
        $other = Join-Path $TestDrive 'other/JelouPS'
        foreach ($copy in $same, $other) {
            New-Item -ItemType Directory (Split-Path $copy) | Out-Null
            Copy-Item $ModulePath (Split-Path $copy) -Recurse
        }
        # Another version: its guard, built from this guard's source with that version, and a JelouPS.dll of that version,
        # which the refused import never reaches.
        $source = Join-Path $PSScriptRoot '../../src/JelouPS.VersionGuard/VersionGuard.cs'
        $versioned = (Get-Content -Raw $source) -replace '(?m)^namespace', "[assembly: System.Reflection.AssemblyVersion(""9.8.7.0"")]`nnamespace"
        Remove-Item (Join-Path $other 'JelouPS.VersionGuard.dll'), (Join-Path $other 'JelouPS.dll')
        Add-Type -TypeDefinition $versioned -OutputAssembly (Join-Path $other 'JelouPS.VersionGuard.dll') -OutputType Library -IgnoreWarnings
        Add-Type -TypeDefinition '[assembly: System.Reflection.AssemblyVersion("9.8.7.0")] public static class AnotherJelouPS { }' -OutputAssembly (Join-Path $other 'JelouPS.dll') -OutputType Library
        $script = @"
`$ErrorActionPreference = 'Stop'
# A copy read apart (Assembly.LoadFile, to see its version) blocks nothing: the import goes on.
`$null = [System.Reflection.Assembly]::LoadFile('$other/JelouPS.dll')
Import-Module '$ModulePath/JelouPS.psd1'
try { Import-Module '$other/JelouPS.psd1'; 'imported' } catch { `$_.FullyQualifiedErrorId; `$_.Exception.Message }
Import-Module '$same/JelouPS.psd1' -Force
(Get-Command Get-JelouWebhookSignature).Version.ToString()
# In constrained language mode too: the guard is compiled code.
`$ExecutionContext.SessionState.LanguageMode = 'ConstrainedLanguage'
try { Import-Module '$other/JelouPS.psd1'; 'imported' } catch { `$_.FullyQualifiedErrorId }
"@
        $id, $refusal, $sameVersion, $constrained = Invoke-FreshPwsh $script 2>&1

        $id | Should -Be 'JelouVersionConflict,Microsoft.PowerShell.Commands.ImportModuleCommand'
        $refusal | Should -BeLike "JelouPS $version is loaded in this PowerShell process (from $ModulePath), and .NET cannot load JelouPS 9.8.7 beside it. To go on with $version here, import it by version: Import-Module JelouPS -RequiredVersion $version, or by its manifest: Import-Module '$(Join-Path $ModulePath 'JelouPS.psd1')' *start a new PowerShell session*"
        $sameVersion | Should -Be $version
        $constrained | Should -Be $id
    }
}

Describe 'A damaged installation' {
    BeforeAll {
        $Version = (Import-PowerShellDataFile (Join-Path $ModulePath 'JelouPS.psd1')).ModuleVersion
        $Reinstall = "reinstall it (Install-PSResource JelouPS -Version $Version -Reinstall, or Install-Module JelouPS -RequiredVersion $Version -Force; a copy you built, build again), and import it in a new session."
        # A copy of the built module, damaged by $Damage (given the copy's folder).
        function New-DamagedCopy([string] $Name, [scriptblock] $Damage) {
            $copy = Join-Path $TestDrive "$Name/JelouPS"
            New-Item -ItemType Directory (Split-Path $copy) | Out-Null
            Copy-Item $ModulePath (Split-Path $copy) -Recurse
            & $Damage $copy
            $copy
        }
        # Imports (and runs $Then after) in a fresh process; each line out is an ErrorId, then its message, or what $Then wrote.
        function Invoke-Import([string] $Copy, [string] $Then = '') {
            Invoke-FreshPwsh @"
try { Import-Module '$Copy/JelouPS.psd1' -ErrorAction Stop; 'imported' } catch { `$_.FullyQualifiedErrorId; `$_.Exception.Message }
$Then
"@
        }
    }

    It 'stops the import when a library is missing, naming it, instead of using the runtime''s copy; a complete copy then says the same' {
        $copy = New-DamagedCopy 'missing' { param($c) Remove-Item "$c/dependencies/System.Text.Json.dll" }
        $id, $message, $againId, $again = Invoke-Import $copy "try { Import-Module '$ModulePath/JelouPS.psd1' -ErrorAction Stop; 'imported' } catch { `$_.FullyQualifiedErrorId; `$_.Exception.Message }"
        $id | Should -Be 'JelouInstallationDamaged,Microsoft.PowerShell.Commands.ImportModuleCommand'
        $message | Should -BeLike "JelouPS $Version is damaged: $copy lacks $(Join-Path dependencies System.Text.Json.dll). *$Reinstall"
        # The process keeps the JelouPS.dll it loaded first, from the damaged copy: the message says where it is from.
        $againId | Should -Be $id
        $again | Should -Be $message
    }

    # Each damage, and the problem the error names after "JelouPS <version> is damaged: " (given the damaged copy).
    It 'names <Case> at import' -TestCases @(
        @{ Case = 'a missing dependencies folder'; Damage = { param($c) Remove-Item "$c/dependencies" -Recurse }; Problem = { param($c) "$c has no dependencies folder. " } }
        @{ Case = 'a library that is no assembly'; Damage = { param($c) [IO.File]::WriteAllBytes("$c/dependencies/JelouPS.Client.dll", [byte[]](77, 90, 0, 0, 1, 2, 3)) }
            Problem = { param($c) "$(Join-Path $c dependencies JelouPS.Client.dll) cannot be loaded: *" } }
        @{ Case = 'a library older than the module needs'; Damage = { param($c) Copy-Item $OtherJson "$c/dependencies/System.Text.Json.dll" -Force }
            Problem = { param($c) "$(Join-Path $c dependencies System.Text.Json.dll) holds System.Text.Json, Version=8.0.0.0, *, not the System.Text.Json, Version=10.0.0.0, * asked for. *" } }
        # System.IO.Pipelines loads, at the earliest, while an answer is read: after Jelou issued a secret.
        @{ Case = 'a damaged library that loads only when used'; Damage = { param($c) [IO.File]::WriteAllBytes("$c/dependencies/System.IO.Pipelines.dll", [byte[]]@()) }
            Problem = { param($c) "$(Join-Path $c dependencies System.IO.Pipelines.dll) cannot be loaded: *" } }
        @{ Case = 'a library file holding another assembly'; Damage = { param($c) Copy-Item "$c/dependencies/System.Text.Encodings.Web.dll" "$c/dependencies/System.IO.Pipelines.dll" -Force }
            Problem = { param($c) "$(Join-Path $c dependencies System.IO.Pipelines.dll) holds System.Text.Encodings.Web, *" } }
        @{ Case = 'a damaged load context'; Damage = { param($c) [IO.File]::WriteAllBytes("$c/JelouPS.LoadContext.dll", [byte[]](77, 90, 0, 0)) }
            Problem = { param($c) "an assembly of the module cannot be loaded (*'$(Join-Path $c JelouPS.LoadContext.dll)'*). *" } }
    ) {
        $copy = New-DamagedCopy ($Case -replace '\W', '-') $Damage
        $id, $message = Invoke-Import $copy
        $id | Should -Be 'JelouInstallationDamaged,Microsoft.PowerShell.Commands.ImportModuleCommand'
        $message | Should -BeLike "JelouPS $Version is damaged: $(& $Problem $copy)*$Reinstall"
    }
}
