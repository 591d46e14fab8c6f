#Requires -Version 5.1
# Proves that the test stand-in in tests/modules/Microsoft.PowerShell.SecretManagement behaves like
# the real Microsoft.PowerShell.SecretManagement 1.1.x (parameter sets, pipeline binding, output
# shapes, ErrorIds, what is left in the vault), so tests that use it say something about the real
# module. Expected values are taken from the real module's source (src/code/SecretManagement.cs,
# src/code/Utils.cs) and from SecretStore's extension functions.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../modules/Microsoft.PowerShell.SecretManagement') -Force

    function New-TestSecureString([string] $Text) { ConvertTo-SecureString -String $Text -AsPlainText -Force }
    function ConvertFrom-TestSecureString([securestring] $Secure) { [System.Net.NetworkCredential]::new('', $Secure).Password }

    # One line per parameter of a set: "Name:Type:Position:Mandatory:ByValue:ByPropertyName".
    # A [psobject] parameter with a [PSTypeName()] constraint shows the constrained type's short name.
    function Get-ParameterSetShape([string] $CommandName) {
        $common = [System.Management.Automation.Cmdlet]::CommonParameters + [System.Management.Automation.Cmdlet]::OptionalCommonParameters
        $command = Get-Command -Name "Microsoft.PowerShell.SecretManagement\$CommandName"
        $shape = [ordered]@{}
        foreach ($set in $command.ParameterSets) {
            $shape[$set.Name] = @(
                foreach ($parameter in $set.Parameters) {
                    if ($common -contains $parameter.Name) { continue }
                    $typeName = $parameter.ParameterType.Name
                    $psTypeName = $command.Parameters[$parameter.Name].Attributes |
                        Where-Object { $_ -is [System.Management.Automation.PSTypeNameAttribute] } | Select-Object -First 1
                    if ($psTypeName) { $typeName = ($psTypeName.PSTypeName -split '\.')[-1] }
                    $position = if ($parameter.Position -lt 0) { 'Named' } else { [string] $parameter.Position }
                    '{0}:{1}:{2}:{3}:{4}:{5}' -f $parameter.Name, $typeName, $position, $parameter.IsMandatory,
                        $parameter.ValueFromPipeline, $parameter.ValueFromPipelineByPropertyName
                }
            )
        }
        $shape
    }

    # Runs a command the way JelouPS does: by module-qualified name, in the current runspace, with
    # -ErrorAction Continue, collecting the error stream.
    function Invoke-ByName([string] $CommandName, [hashtable] $Parameters) {
        $ps = [powershell]::Create([System.Management.Automation.RunspaceMode]::CurrentRunspace)
        try {
            [void] $ps.AddCommand("Microsoft.PowerShell.SecretManagement\$CommandName").AddParameters($Parameters).AddParameter('ErrorAction', 'Continue')
            $output = $ps.Invoke()
            [pscustomobject]@{ Output = @($output); Errors = @($ps.Streams.Error); HadErrors = $ps.HadErrors }
        }
        finally { $ps.Dispose() }
    }
}

AfterAll {
    Remove-Module -Name Microsoft.PowerShell.SecretManagement -Force -ErrorAction Ignore
}

Describe 'SecretManagement stand-in: module surface' {

    It 'loads as Microsoft.PowerShell.SecretManagement 1.1.2 with the real commands' {
        $module = Get-Module -Name Microsoft.PowerShell.SecretManagement
        $module | Should -Not -BeNullOrEmpty
        $module.Version | Should -Be ([version] '1.1.2')
        $real = 'Get-Secret', 'Get-SecretInfo', 'Get-SecretVault', 'Register-SecretVault', 'Remove-Secret',
        'Set-Secret', 'Set-SecretInfo', 'Set-SecretVaultDefault', 'Test-SecretVault', 'Unlock-SecretVault', 'Unregister-SecretVault'
        foreach ($name in $real) { $module.ExportedCommands.Keys | Should -Contain $name }
    }

    It 'resolves module-qualified command names (how JelouPS calls it)' {
        Get-Command -Name 'Microsoft.PowerShell.SecretManagement\Set-Secret' | Should -Not -BeNullOrEmpty
        Get-Command -Name 'Microsoft.PowerShell.SecretManagement\Get-SecretVault' | Should -Not -BeNullOrEmpty
    }

    It '<Command> has the default parameter set <Default>' -TestCases @(
        @{ Command = 'Set-Secret'; Default = 'SecureStringParameterSet' }
        @{ Command = 'Get-Secret'; Default = 'NameParameterSet' }
        @{ Command = 'Set-SecretInfo'; Default = 'NameParameterSet' }
        @{ Command = 'Set-SecretVaultDefault'; Default = 'NameParameterSet' }
    ) {
        (Get-Command "Microsoft.PowerShell.SecretManagement\$Command").DefaultParameterSet | Should -Be $Default
    }

    It '<Command> has the parameter sets of the real cmdlet' -TestCases @(
        @{
            Command  = 'Set-Secret'
            Expected = [ordered]@{
                SecureStringParameterSet = 'Name:String:0:True:False:False', 'SecureStringSecret:SecureString:1:True:True:False', 'Vault:String:2:False:False:False', 'Metadata:Hashtable:3:False:False:False', 'NoClobber:SwitchParameter:Named:False:False:False'
                ObjectParameterSet       = 'Name:String:0:True:False:False', 'Secret:Object:1:True:True:False', 'Vault:String:2:False:False:False', 'Metadata:Hashtable:3:False:False:False', 'NoClobber:SwitchParameter:Named:False:False:False'
                SecretInfoParameterSet   = 'SecretInfo:SecretInformation:1:True:True:False', 'Vault:String:Named:True:False:False', 'NoClobber:SwitchParameter:Named:False:False:False'
            }
        }
        @{
            Command  = 'Get-Secret'
            Expected = [ordered]@{
                NameParameterSet = 'Name:String:0:True:True:False', 'Vault:String:1:False:False:False', 'AsPlainText:SwitchParameter:Named:False:False:False'
                InfoParameterSet = 'InputObject:SecretInformation:Named:True:True:False', 'AsPlainText:SwitchParameter:Named:False:False:False'
            }
        }
        @{
            Command  = 'Get-SecretInfo'
            Expected = [ordered]@{ __AllParameterSets = 'Name:String:0:False:False:False', 'Vault:String:1:False:False:False' }
        }
        @{
            Command  = 'Get-SecretVault'
            Expected = [ordered]@{ __AllParameterSets = @('Name:String[]:0:False:False:False') }
        }
        @{
            Command  = 'Test-SecretVault'
            Expected = [ordered]@{ __AllParameterSets = @('Name:String[]:0:False:True:True') }
        }
        @{
            Command  = 'Register-SecretVault'
            Expected = [ordered]@{
                __AllParameterSets = 'ModuleName:String:0:True:False:False', 'Name:String:1:False:False:False', 'VaultParameters:Hashtable:Named:False:False:False', 'DefaultVault:SwitchParameter:Named:False:False:False', 'AllowClobber:SwitchParameter:Named:False:False:False', 'PassThru:SwitchParameter:Named:False:False:False', 'Description:String:Named:False:False:False'
            }
        }
        @{
            Command  = 'Unregister-SecretVault'
            Expected = [ordered]@{
                NameParameterSet        = @('Name:String[]:0:True:True:False')
                SecretVaultParameterSet = @('SecretVault:SecretVaultInfo:0:True:True:True')
            }
        }
        @{
            Command  = 'Remove-Secret'
            Expected = [ordered]@{
                NameParameterSet = 'Name:String:0:True:True:False', 'Vault:String:1:True:False:False'
                InfoParameterSet = @('InputObject:SecretInformation:0:True:True:False')
            }
        }
        @{
            Command  = 'Set-SecretInfo'
            Expected = [ordered]@{
                NameParameterSet = 'Name:String:0:True:False:False', 'Metadata:Hashtable:1:True:True:False', 'Vault:String:2:False:False:False'
                InfoParameterSet = 'Metadata:Hashtable:0:True:False:False', 'InputObject:SecretInformation:Named:True:True:False'
            }
        }
        @{
            Command  = 'Set-SecretVaultDefault'
            Expected = [ordered]@{
                NameParameterSet        = @('Name:String:0:True:True:False')
                SecretVaultParameterSet = @('SecretVault:SecretVaultInfo:0:True:True:True')
                ClearParameterSet       = @('ClearDefault:SwitchParameter:Named:False:False:False')
            }
        }
        @{
            Command  = 'Unlock-SecretVault'
            Expected = [ordered]@{ __AllParameterSets = 'Name:String:0:True:False:False', 'Password:SecureString:1:True:False:False' }
        }
    ) {
        $actual = Get-ParameterSetShape $Command
        @($actual.Keys) | Sort-Object | Should -Be (@($Expected.Keys) | Sort-Object)
        foreach ($setName in $Expected.Keys) {
            $actual[$setName] | Should -Be $Expected[$setName] -Because "parameter set $setName of $Command"
        }
    }

    It '<Command> supports -WhatIf/-Confirm: <ShouldProcess>' -TestCases @(
        @{ Command = 'Set-Secret'; ShouldProcess = $true }
        @{ Command = 'Set-SecretInfo'; ShouldProcess = $true }
        @{ Command = 'Remove-Secret'; ShouldProcess = $true }
        @{ Command = 'Register-SecretVault'; ShouldProcess = $true }
        @{ Command = 'Unregister-SecretVault'; ShouldProcess = $true }
        @{ Command = 'Set-SecretVaultDefault'; ShouldProcess = $true }
        @{ Command = 'Get-Secret'; ShouldProcess = $false }
        @{ Command = 'Get-SecretInfo'; ShouldProcess = $false }
        @{ Command = 'Get-SecretVault'; ShouldProcess = $false }
        @{ Command = 'Test-SecretVault'; ShouldProcess = $false }
        @{ Command = 'Unlock-SecretVault'; ShouldProcess = $false }
    ) {
        $parameters = (Get-Command "Microsoft.PowerShell.SecretManagement\$Command").Parameters
        $parameters.ContainsKey('WhatIf') | Should -Be $ShouldProcess
        $parameters.ContainsKey('Confirm') | Should -Be $ShouldProcess
    }
}

Describe 'SecretManagement stand-in: Set-Secret and Get-Secret' {

    BeforeEach {
        Reset-StandInSecretStore
        Register-StandInVault -Name 'Store'
        Register-StandInVault -Name 'Other'
    }

    It 'stores a piped SecureString as a SecureString (SecureStringParameterSet)' {
        $secure = New-TestSecureString 'piped-secret'
        $secure | Set-Secret -Name 'n' -Vault 'Store'

        $stored = Get-StandInSecret -Vault 'Store' -Name 'n'
        $stored.SecretType | Should -Be 'SecureString'
        $stored.Secret | Should -BeOfType [securestring]
        ConvertFrom-TestSecureString $stored.Secret | Should -Be 'piped-secret'
        (Get-StandInCallLog -Command 'Set-Secret')[-1].ParameterSetName | Should -Be 'SecureStringParameterSet'
    }

    It 'binds -SecureStringSecret positionally and from the pipeline, and strings to -Secret' {
        Set-Secret 'positional' (New-TestSecureString 'p1') 'Store'
        'plain-piped' | Set-Secret -Name 'piped' -Vault 'Store'
        Set-Secret -Name 'plain' -Secret 'plain-text' -Vault 'Store'

        (Get-StandInSecret 'Store' 'positional').SecretType | Should -Be 'SecureString'
        (Get-StandInSecret 'Store' 'piped').Secret | Should -BeExactly 'plain-piped'
        (Get-StandInSecret 'Store' 'plain').Secret | Should -BeOfType [string]
        $sets = (Get-StandInCallLog -Command 'Set-Secret').ParameterSetName
        $sets | Should -Be @('SecureStringParameterSet', 'ObjectParameterSet', 'ObjectParameterSet')
    }

    It 'returns string and SecureString secrets as SecureString by default and as text with -AsPlainText' {
        Set-Secret -Name 'text' -Secret 'plain-value' -Vault 'Store'
        Set-Secret -Name 'secure' -SecureStringSecret (New-TestSecureString 'secure-value') -Vault 'Store'

        $text = Get-Secret -Name 'text' -Vault 'Store'
        $text | Should -BeOfType [securestring]
        ConvertFrom-TestSecureString $text | Should -Be 'plain-value'
        Get-Secret -Name 'secure' -Vault 'Store' | Should -BeOfType [securestring]

        Get-Secret -Name 'text' -Vault 'Store' -AsPlainText | Should -BeExactly 'plain-value'
        Get-Secret -Name 'secure' -Vault 'Store' -AsPlainText | Should -BeExactly 'secure-value'
    }

    It 'round-trips byte[], PSCredential and Hashtable secrets with their types' {
        Set-Secret -Name 'bytes' -Secret ([byte[]] (1, 2, 3)) -Vault 'Store'
        Set-Secret -Name 'cred' -Secret ([pscredential]::new('user', (New-TestSecureString 'pw'))) -Vault 'Store'
        Set-Secret -Name 'table' -Secret @{ Text = 'a'; Secure = (New-TestSecureString 'b') } -Vault 'Store'

        $bytes = Get-Secret -Name 'bytes' -Vault 'Store'
        $bytes.GetType() | Should -Be ([byte[]])
        $bytes | Should -Be @(1, 2, 3)
        (Get-Secret -Name 'cred' -Vault 'Store').UserName | Should -Be 'user'
        $table = Get-Secret -Name 'table' -Vault 'Store'
        $table | Should -BeOfType [hashtable]
        $table.Text | Should -BeOfType [securestring]
        (Get-Secret -Name 'table' -Vault 'Store' -AsPlainText).Secure | Should -BeExactly 'b'
        (Get-SecretInfo -Vault 'Store' | Sort-Object Name).Type.ForEach({ "$_" }) | Should -Be @('ByteArray', 'PSCredential', 'Hashtable')
    }

    It 'keeps its own copy of a SecureString (disposing the caller''s copy does not change the vault)' {
        $secure = New-TestSecureString 'kept'
        Set-Secret -Name 'n' -SecureStringSecret $secure -Vault 'Store'
        $secure.Dispose()
        Get-Secret -Name 'n' -Vault 'Store' -AsPlainText | Should -BeExactly 'kept'
    }

    It 'writes to the default vault when -Vault is omitted; the first registered vault is the default' {
        (Get-SecretVault -Name 'Store').IsDefault | Should -BeTrue
        (Get-SecretVault -Name 'Other').IsDefault | Should -BeFalse

        Set-Secret -Name 'n' -Secret 'v'
        Get-StandInSecret -Vault 'Store' -Name 'n' | Should -Not -BeNullOrEmpty
        Get-StandInSecret -Vault 'Other' -Name 'n' | Should -BeNullOrEmpty

        Set-SecretVaultDefault -Name 'Other'
        Set-Secret -Name 'm' -Secret 'v'
        Get-StandInSecret -Vault 'Other' -Name 'm' | Should -Not -BeNullOrEmpty
    }

    It 'makes a vault registered with -DefaultVault the default' {
        Register-StandInVault -Name 'Third' -DefaultVault
        (Get-SecretVault | Where-Object IsDefault).Name | Should -Be 'Third'
    }

    It 'finds a secret in the default vault first, then in the other vaults' {
        Set-Secret -Name 'same' -Secret 'from-other' -Vault 'Other'
        Get-Secret -Name 'same' -AsPlainText | Should -BeExactly 'from-other'
        Set-Secret -Name 'same' -Secret 'from-default' -Vault 'Store'
        Get-Secret -Name 'same' -AsPlainText | Should -BeExactly 'from-default'
    }

    It 'overwrites an existing secret, replacing its metadata' {
        Set-Secret -Name 'n' -Secret 'old' -Vault 'Store' -Metadata @{ Version = 1 }
        Set-Secret -Name 'n' -Secret 'new' -Vault 'Store'
        Get-Secret -Name 'n' -Vault 'Store' -AsPlainText | Should -BeExactly 'new'
        (Get-SecretInfo -Name 'n' -Vault 'Store').Metadata.Count | Should -Be 0
    }

    It 'stops with SetSecretCommandAlreadyExistsWithNoClobber when -NoClobber meets an existing secret' {
        Set-Secret -Name 'n' -Secret 'first' -Vault 'Store'
        $err = { Set-Secret -Name 'n' -Secret 'second' -Vault 'Store' -NoClobber -ErrorAction SilentlyContinue } | Should -Throw -PassThru

        $err.FullyQualifiedErrorId | Should -BeLike 'SetSecretCommandAlreadyExistsWithNoClobber,*'
        $err.CategoryInfo.Category | Should -Be 'ResourceExists'
        $err.Exception | Should -BeOfType [System.Management.Automation.PSInvalidOperationException]
        $err.Exception.Message | Should -BeExactly 'A secret with name n already exists in vault Store.'
        Get-Secret -Name 'n' -Vault 'Store' -AsPlainText | Should -BeExactly 'first'
    }

    It 'writes a new secret with -NoClobber when none exists' {
        Set-Secret -Name 'fresh' -Secret 'v' -Vault 'Store' -NoClobber
        Get-Secret -Name 'fresh' -Vault 'Store' -AsPlainText | Should -BeExactly 'v'
    }

    It 'stops with GetSecretVaultNotFound for a vault that is not registered (<Command>)' -TestCases @(
        @{ Command = 'Set-Secret'; Call = { Set-Secret -Name 'n' -Secret 'v' -Vault 'Missing' } }
        @{ Command = 'Get-Secret'; Call = { Get-Secret -Name 'n' -Vault 'Missing' } }
        @{ Command = 'Get-SecretInfo'; Call = { Get-SecretInfo -Vault 'Missing' } }
        @{ Command = 'Remove-Secret'; Call = { Remove-Secret -Name 'n' -Vault 'Missing' } }
        @{ Command = 'Set-SecretInfo'; Call = { Set-SecretInfo -Name 'n' -Metadata @{ a = 1 } -Vault 'Missing' } }
    ) {
        $err = $Call | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike 'GetSecretVaultNotFound,*'
        $err.CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $err.Exception.Message | Should -BeExactly 'Vault not found in registry: Missing'
    }

    It 'reports an unknown vault from Get-SecretVault and Test-SecretVault without stopping' {
        $vaults = Get-SecretVault -Name 'Missing' -ErrorAction SilentlyContinue -ErrorVariable getErrors
        $vaults | Should -BeNullOrEmpty
        $getErrors[0].FullyQualifiedErrorId | Should -BeLike 'GetSecretVaultNotFound,*'
        $getErrors[0].Exception | Should -BeOfType [System.Management.Automation.ItemNotFoundException]
        $getErrors[0].Exception.Message | Should -BeExactly 'Vault Missing does not exist in registry.'

        $result = Test-SecretVault -Name 'Missing' -ErrorAction SilentlyContinue -ErrorVariable testErrors
        $result | Should -BeNullOrEmpty
        $testErrors[0].FullyQualifiedErrorId | Should -BeLike 'TestSecretVaultNotFound,*'
    }

    It 'writes a non-terminating GetSecretNotFound for a missing secret' {
        $value = Get-Secret -Name 'absent' -Vault 'Store' -ErrorAction SilentlyContinue -ErrorVariable notFound
        $value | Should -BeNullOrEmpty
        $notFound.Count | Should -Be 1
        $notFound[0].FullyQualifiedErrorId | Should -BeLike 'GetSecretNotFound,*'
        $notFound[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $notFound[0].Exception | Should -BeOfType [System.Management.Automation.ItemNotFoundException]
        $notFound[0].Exception.Message | Should -BeExactly 'The secret absent was not found.'

        { Get-Secret -Name 'absent' -ErrorAction Stop } | Should -Throw -ErrorId 'GetSecretNotFound,*'
    }

    It 'stops with SetSecretCommandFailNoVault when there is no -Vault and no default vault' {
        Set-SecretVaultDefault -ClearDefault
        $err = { Set-Secret -Name 'n' -Secret 'v' } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike 'SetSecretCommandFailNoVault,*'
        $err.Exception.Message | Should -BeExactly 'Unable to set secret because no vault was provided and there is no default vault designated.'
    }

    It 'warns when no vault is registered at all' {
        Reset-StandInSecretStore
        $null = Get-Secret -Name 'n' -WarningVariable warnings -WarningAction SilentlyContinue -ErrorAction SilentlyContinue
        "$warnings" | Should -BeLike '*There are currently no extension vaults registered.*'
    }

    It 'stores nothing with -WhatIf' {
        Set-Secret -Name 'n' -Secret 'v' -Vault 'Store' -WhatIf
        Get-StandInSecret -Vault 'Store' -Name 'n' | Should -BeNullOrEmpty
    }

    It 'reports an unsupported secret type as SetSecretInvalidOperation and stores nothing' {
        Set-Secret -Name 'n' -Secret 42 -Vault 'Store' -ErrorAction SilentlyContinue -ErrorVariable failed
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'SetSecretInvalidOperation,*'
        $failed[0].Exception.Message | Should -BeExactly 'Unable to add secret n to vault Store'
        $failed[0].Exception.InnerException.Message | Should -BeLike '*Invalid type. Types supported: byte`[`], string, SecureString, PSCredential, Hashtable*'
        Get-StandInSecret -Vault 'Store' -Name 'n' | Should -BeNullOrEmpty
    }

    It 'copies a secret between vaults from a piped SecretInformation (SecretInfoParameterSet)' {
        Set-Secret -Name 'n' -Secret 'v' -Vault 'Store' -Metadata @{ Project = 'p' }
        Get-SecretInfo -Name 'n' -Vault 'Store' | Set-Secret -Vault 'Other'
        $copy = Get-StandInSecret -Vault 'Other' -Name 'n'
        $copy.Secret | Should -BeExactly 'v'
        $copy.Metadata.Project | Should -Be 'p'
        (Get-StandInCallLog -Command 'Set-Secret')[-1].ParameterSetName | Should -Be 'SecretInfoParameterSet'
    }

    It 'gets and removes secrets through a piped SecretInformation (InfoParameterSet)' {
        Set-Secret -Name 'n' -Secret 'v' -Vault 'Other'
        Get-SecretInfo -Name 'n' -Vault 'Other' | Get-Secret -AsPlainText | Should -BeExactly 'v'
        Get-SecretInfo -Name 'n' -Vault 'Other' | Remove-Secret
        Get-StandInSecret -Vault 'Other' -Name 'n' | Should -BeNullOrEmpty
    }

    It 'reports removing a missing secret as the vault extension does' {
        Remove-Secret -Name 'absent' -Vault 'Store' -ErrorAction SilentlyContinue -ErrorVariable removeErrors
        $removeErrors[0].FullyQualifiedErrorId | Should -BeLike 'SecretStoreRemoveSecretFailed,*'
    }
}

Describe 'SecretManagement stand-in: output objects and metadata' {

    BeforeEach {
        Reset-StandInSecretStore
        Register-StandInVault -Name 'Store'
        Register-StandInVault -Name 'Plain' -NoMetadataSupport
    }

    It 'returns SecretInformation objects with the real type name and properties' {
        Set-Secret -Name 'n' -SecureStringSecret (New-TestSecureString 'v') -Vault 'Store' -Metadata @{ ProjectId = 'p1'; Count = 2; At = [datetime] '2026-01-02' }
        $info = Get-SecretInfo -Name 'n' -Vault 'Store'

        $info.PSTypeNames[0] | Should -Be 'Microsoft.PowerShell.SecretManagement.SecretInformation'
        @($info.PSObject.Properties.Name) | Should -Be @('Name', 'Type', 'VaultName', 'Metadata')
        $info.Name | Should -Be 'n'
        $info.Type | Should -Be 'SecureString'
        $info.Type.GetType().IsEnum | Should -BeTrue
        [string[]] [enum]::GetNames($info.Type.GetType()) | Should -Be @('Unknown', 'ByteArray', 'String', 'SecureString', 'PSCredential', 'Hashtable')
        $info.VaultName | Should -Be 'Store'
        $info.Metadata | Should -BeOfType ([System.Collections.ObjectModel.ReadOnlyDictionary[string, object]])
        $info.Metadata['ProjectId'] | Should -Be 'p1'
        $info.Metadata['Count'] | Should -Be 2
    }

    It 'returns SecretVaultInfo objects with the real type name and properties' {
        Register-StandInVault -Name 'Described' -Description 'd' -VaultParameters @{ Path = 'x' }
        $vault = Get-SecretVault -Name 'Described'

        $vault.PSTypeNames[0] | Should -Be 'Microsoft.PowerShell.SecretManagement.SecretVaultInfo'
        @($vault.PSObject.Properties.Name) | Should -Be @('Name', 'ModuleName', 'ModulePath', 'Description', 'VaultParameters', 'IsDefault')
        $vault.ModuleName | Should -Be 'Microsoft.PowerShell.SecretStore'
        $vault.Description | Should -Be 'd'
        $vault.VaultParameters['Path'] | Should -Be 'x'
        $vault.IsDefault | Should -BeFalse
    }

    It 'filters Get-SecretInfo by wildcard and escaped names, sorted by name (OrdinalIgnoreCase)' {
        'b', 'a[1]', 'A2' | ForEach-Object { Set-Secret -Name $_ -Secret 'v' -Vault 'Store' }
        (Get-SecretInfo -Vault 'Store').Name | Should -Be @('A2', 'a[1]', 'b')
        (Get-SecretInfo -Name 'a*' -Vault 'Store').Name | Should -Be @('A2', 'a[1]')
        (Get-SecretInfo -Name ([WildcardPattern]::Escape('a[1]')) -Vault 'Store').Name | Should -Be 'a[1]'
    }

    It 'rejects metadata values that are not string, int or DateTime (SecretStore rule)' {
        Set-Secret -Name 'n' -Secret 'v' -Vault 'Store' -Metadata @{ Bad = 1.5 } -ErrorAction SilentlyContinue -ErrorVariable metadataErrors
        $metadataErrors[0].FullyQualifiedErrorId | Should -BeLike 'SecretStoreSetSecretFailed,*'
        $metadataErrors[0].Exception.Message | Should -BeLike '*accepts secret metadata only of types: string, int, DateTime'
        Get-StandInSecret -Vault 'Store' -Name 'n' | Should -BeNullOrEmpty
    }

    It 'rejects -Metadata on a vault without metadata support and leaves no secret behind' {
        Set-Secret -Name 'n' -Secret 'v' -Vault 'Plain' -Metadata @{ ProjectId = 'p1' } -ErrorAction SilentlyContinue -ErrorVariable metadataErrors

        $metadataErrors.Count | Should -Be 1
        $metadataErrors[0].FullyQualifiedErrorId | Should -BeLike 'SetSecretMetadataCommandNotSupported,*'
        $metadataErrors[0].CategoryInfo.Category | Should -Be 'NotImplemented'
        $metadataErrors[0].Exception | Should -BeOfType [System.Management.Automation.PSNotSupportedException]
        $metadataErrors[0].Exception.Message | Should -BeExactly "Cannot add secret metadata 'n' to vault 'Plain: The vault does not support the Set-SecretInfo function."
        Get-StandInSecret -Vault 'Plain' -Name 'n' | Should -BeNullOrEmpty
    }

    It 'also removes an existing secret of that name when -Metadata is rejected (the real module removes what it wrote)' {
        Set-Secret -Name 'n' -Secret 'old' -Vault 'Plain'
        Set-Secret -Name 'n' -Secret 'new' -Vault 'Plain' -Metadata @{ a = 'b' } -ErrorAction SilentlyContinue
        Get-StandInSecret -Vault 'Plain' -Name 'n' | Should -BeNullOrEmpty
    }

    It 'stops before the clean-up when -Metadata is rejected under -ErrorAction Stop (the secret stays, without metadata)' {
        { Set-Secret -Name 'n' -Secret 'v' -Vault 'Plain' -Metadata @{ a = 'b' } -ErrorAction Stop } |
            Should -Throw -ErrorId 'SetSecretMetadataCommandNotSupported,*'
        (Get-StandInSecret -Vault 'Plain' -Name 'n').Secret | Should -BeExactly 'v'
    }

    It 'stores a secret without metadata, or with an empty -Metadata, in a vault without metadata support' {
        Set-Secret -Name 'n' -Secret 'v' -Vault 'Plain'
        Set-Secret -Name 'm' -Secret 'v' -Vault 'Plain' -Metadata @{}
        (Get-SecretInfo -Name 'n' -Vault 'Plain').Metadata | Should -BeNullOrEmpty
        Get-StandInSecret -Vault 'Plain' -Name 'm' | Should -Not -BeNullOrEmpty
    }

    It 'replaces metadata with Set-SecretInfo, and reports vaults and secrets that cannot take it' {
        Set-Secret -Name 'n' -Secret 'v' -Vault 'Store' -Metadata @{ Old = 'x' }
        Set-SecretInfo -Name 'n' -Vault 'Store' -Metadata @{ New = 'y' }
        $metadata = (Get-StandInSecret -Vault 'Store' -Name 'n').Metadata
        $metadata.Keys | Should -Be @('New')

        Set-Secret -Name 'p' -Secret 'v' -Vault 'Plain'
        Set-SecretInfo -Name 'p' -Vault 'Plain' -Metadata @{ a = 'b' } -ErrorAction SilentlyContinue -ErrorVariable notSupported
        $notSupported[0].FullyQualifiedErrorId | Should -BeLike 'SetSecretMetadataCommandNotSupported,*'

        Set-SecretInfo -Name 'absent' -Vault 'Store' -Metadata @{ a = 'b' } -ErrorAction SilentlyContinue -ErrorVariable absent
        $absent[0].FullyQualifiedErrorId | Should -BeLike 'SecretStoreSetSecretInfoFailed,*'
    }
}

Describe 'SecretManagement stand-in: failing vaults' {

    BeforeEach {
        Reset-StandInSecretStore
        Register-StandInVault -Name 'Store'
        Set-Secret -Name 'existing' -Secret 'v' -Vault 'Store'
    }

    Context 'a locked vault' {

        BeforeEach { Set-StandInVaultBehavior -Name 'Store' -Locked }

        It 'makes Test-SecretVault return $false with the errors a locked SecretStore writes' {
            $result = Test-SecretVault -Name 'Store' -ErrorAction SilentlyContinue -ErrorVariable testErrors
            $result | Should -BeFalse
            $result | Should -BeOfType [bool]
            $testErrors.Count | Should -Be 2
            $testErrors[0].FullyQualifiedErrorId | Should -BeLike 'PasswordRequiredException,*'
            $testErrors[0].Exception.Message | Should -BeLike '*A valid password is required to access the Microsoft.PowerShell.SecretStore vault.*'
            $testErrors[1].Exception.Message | Should -BeLike 'Test-SecretVault failed to write secret on vault Store with error:*'
        }

        It 'makes Get-Secret -Vault write a non-terminating GetSecretException (and no not-found error)' {
            $value = Get-Secret -Name 'existing' -Vault 'Store' -ErrorAction SilentlyContinue -ErrorVariable getErrors
            $value | Should -BeNullOrEmpty
            $getErrors.Count | Should -Be 1
            $getErrors[0].FullyQualifiedErrorId | Should -BeLike 'GetSecretException,*'
            $getErrors[0].Exception.GetType().Name | Should -Be 'PasswordRequiredException'
        }

        It 'makes Get-Secret without -Vault stop with PasswordRequiredException when the default vault is locked' {
            $err = { Get-Secret -Name 'existing' -ErrorAction SilentlyContinue } | Should -Throw -PassThru
            $err.FullyQualifiedErrorId | Should -BeLike 'Microsoft.PowerShell.SecretManagement.PasswordRequiredException,*'
        }

        It 'makes Set-Secret stop with PasswordRequiredException and store nothing' {
            $err = { Set-Secret -Name 'new' -Secret 'v' -Vault 'Store' -ErrorAction SilentlyContinue } | Should -Throw -PassThru
            $err.FullyQualifiedErrorId | Should -BeLike 'Microsoft.PowerShell.SecretManagement.PasswordRequiredException,*'
            $err.CategoryInfo.Category | Should -Be 'NotSpecified'
            $err.Exception.Message | Should -BeLike 'A valid password is required*'
            Get-StandInSecret -Vault 'Store' -Name 'new' | Should -BeNullOrEmpty
        }

        It 'makes Get-SecretInfo write a non-terminating GetSecretInfoException' {
            $infos = Get-SecretInfo -Vault 'Store' -ErrorAction SilentlyContinue -ErrorVariable infoErrors
            $infos | Should -BeNullOrEmpty
            $infoErrors[0].FullyQualifiedErrorId | Should -BeLike 'GetSecretInfoException,*'
        }

        It 'is opened again by Unlock-SecretVault' {
            Unlock-SecretVault -Name 'Store' -Password (New-TestSecureString 'any')
            Test-SecretVault -Name 'Store' | Should -BeTrue
            Get-Secret -Name 'existing' -Vault 'Store' -AsPlainText | Should -BeExactly 'v'
        }
    }

    Context 'a vault that refuses listing (-DenyList)' {

        It 'makes Get-SecretInfo write a non-terminating GetSecretInfoInvalidOperation while Get-Secret by name works' {
            Set-StandInVaultBehavior -Name 'Store' -DenyList

            $infos = Get-SecretInfo -Vault 'Store' -ErrorAction SilentlyContinue -ErrorVariable infoErrors

            $infos | Should -BeNullOrEmpty
            $infoErrors.Count | Should -Be 1
            $infoErrors[0].FullyQualifiedErrorId | Should -BeLike 'GetSecretInfoInvalidOperation,*'
            $infoErrors[0].Exception.Message | Should -Be 'Unable to get secret information from vault Store'
            $infoErrors[0].Exception.InnerException.Message | Should -Be "Operation returned an invalid status code 'Forbidden'"
            Get-Secret -Name 'existing' -Vault 'Store' -AsPlainText | Should -BeExactly 'v'
            Test-SecretVault -Name 'Store' | Should -BeTrue
        }
    }

    Context 'a vault whose writes fail' {

        It 'makes Set-Secret write a non-terminating SetSecretInvalidOperation and store nothing (-FailWrites)' {
            Set-StandInVaultBehavior -Name 'Store' -FailWrites
            Set-Secret -Name 'new' -Secret 'v' -Vault 'Store' -ErrorAction SilentlyContinue -ErrorVariable writeErrors

            $writeErrors.Count | Should -Be 1
            $writeErrors[0].FullyQualifiedErrorId | Should -BeLike 'SetSecretInvalidOperation,*'
            $writeErrors[0].CategoryInfo.Category | Should -Be 'InvalidOperation'
            $writeErrors[0].Exception.Message | Should -BeExactly 'Unable to add secret new to vault Store'
            $writeErrors[0].Exception.InnerException | Should -Not -BeNullOrEmpty
            Get-StandInSecret -Vault 'Store' -Name 'new' | Should -BeNullOrEmpty
            { Set-Secret -Name 'new' -Secret 'v' -Vault 'Store' -ErrorAction Stop } | Should -Throw -ErrorId 'SetSecretInvalidOperation,*'
        }

        It 'surfaces the extension''s own error with -WriteFailureStyle ExtensionWritesError' {
            Set-StandInVaultBehavior -Name 'Store' -FailWrites -WriteFailureStyle ExtensionWritesError
            Set-Secret -Name 'new' -Secret 'v' -Vault 'Store' -ErrorAction SilentlyContinue -ErrorVariable writeErrors
            $writeErrors[0].FullyQualifiedErrorId | Should -BeLike 'SecretStoreSetSecretFailed,*'
            Get-StandInSecret -Vault 'Store' -Name 'new' | Should -BeNullOrEmpty
        }

        It 'lets the first N writes succeed and fails the rest (-FailWritesAfter)' {
            Set-StandInVaultBehavior -Name 'Store' -FailWritesAfter 1
            Set-Secret -Name 'first' -Secret 'v' -Vault 'Store'
            Set-Secret -Name 'second' -Secret 'v' -Vault 'Store' -ErrorAction SilentlyContinue -ErrorVariable writeErrors

            Get-StandInSecret -Vault 'Store' -Name 'first' | Should -Not -BeNullOrEmpty
            Get-StandInSecret -Vault 'Store' -Name 'second' | Should -BeNullOrEmpty
            $writeErrors[0].FullyQualifiedErrorId | Should -BeLike 'SetSecretInvalidOperation,*'
        }

        It 'fails the next N writes, then takes writes again (-FailNextWrites)' {
            Set-StandInVaultBehavior -Name 'Store' -FailNextWrites 2
            1..3 | ForEach-Object { Set-Secret -Name "try$_" -Secret 'v' -Vault 'Store' -ErrorAction SilentlyContinue }

            Get-StandInSecret -Vault 'Store' -Name 'try1' | Should -BeNullOrEmpty
            Get-StandInSecret -Vault 'Store' -Name 'try2' | Should -BeNullOrEmpty
            Get-StandInSecret -Vault 'Store' -Name 'try3' | Should -Not -BeNullOrEmpty
        }

        It 'stores the secret and then reports SetSecretInvalidOperation (-FailAfterWrite)' {
            Set-StandInVaultBehavior -Name 'Store' -FailAfterWrite
            Set-Secret -Name 'late' -Secret 'v' -Vault 'Store' -ErrorAction SilentlyContinue -ErrorVariable writeErrors
            $writeErrors[0].FullyQualifiedErrorId | Should -BeLike 'SetSecretInvalidOperation,*'
            (Get-StandInSecret -Vault 'Store' -Name 'late').Secret | Should -Be 'v'
        }

        It 'reports success and stores nothing (-DropWrites)' {
            Set-StandInVaultBehavior -Name 'Store' -DropWrites
            Set-Secret -Name 'dropped' -Secret 'v' -Vault 'Store' -ErrorVariable writeErrors
            $writeErrors.Count | Should -Be 0
            Get-StandInSecret -Vault 'Store' -Name 'dropped' | Should -BeNullOrEmpty
        }

        It 'sets the whole behaviour on each call: -Name alone makes the vault healthy again' {
            Set-StandInVaultBehavior -Name 'Store' -FailWrites -Locked
            Set-StandInVaultBehavior -Name 'Store'
            Set-Secret -Name 'new' -Secret 'v' -Vault 'Store'
            Test-SecretVault -Name 'Store' | Should -BeTrue

            Set-StandInVaultBehavior -Name 'Store' -Locked
            Set-StandInVaultBehavior -Name 'Store' -FailWrites
            Test-SecretVault -Name 'Store' | Should -BeTrue -Because 'the second call did not ask for -Locked'
        }
    }
}

Describe 'SecretManagement stand-in: what a compiled cmdlet does that a script function would not' {
    BeforeEach {
        Reset-StandInSecretStore
        Register-StandInVault -Name 'Store'
    }

    It 'obeys the caller''s own $WhatIfPreference, not only the global one (<Command>)' -TestCases @(
        @{ Command = 'Set-Secret'; Call = { Set-Secret -Name 'preset' -Secret 'new' -Vault 'Store' } }
        @{ Command = 'Remove-Secret'; Call = { Remove-Secret -Name 'preset' -Vault 'Store' } }
    ) {
        Set-Secret -Name 'preset' -Secret 'old' -Vault 'Store'
        & { $WhatIfPreference = $true; & $Call } 6> $null

        (Get-StandInSecret -Vault 'Store' -Name 'preset').Secret | Should -Be 'old'
    }

    It 'takes -WhatIf:$false over the caller''s $WhatIfPreference' {
        & { $WhatIfPreference = $true; Set-Secret -Name 'explicit' -Secret 'v' -Vault 'Store' -WhatIf:$false }
        Get-StandInSecret -Vault 'Store' -Name 'explicit' | Should -Not -BeNullOrEmpty
    }

    It 'asks when the caller''s $ConfirmPreference is Medium, and in a host that cannot ask ends without storing' {
        # This suite runs in pwsh -NonInteractive: the prompt throws, as it does in a runbook.
        $failure = { & { $ConfirmPreference = 'Medium'; Set-Secret -Name 'prompted' -Secret 'v' -Vault 'Store'; 'went on' } } |
            Should -Throw -PassThru
        $failure.Exception.Message | Should -Match 'NonInteractive'
        Get-StandInSecret -Vault 'Store' -Name 'prompted' | Should -BeNullOrEmpty
    }

    It 'does not ask with -Confirm:$false whatever the caller''s $ConfirmPreference' {
        & { $ConfirmPreference = 'Low'; Set-Secret -Name 'quiet' -Secret 'v' -Vault 'Store' -Confirm:$false }
        Get-StandInSecret -Vault 'Store' -Name 'quiet' | Should -Not -BeNullOrEmpty
    }
}

Describe 'SecretManagement stand-in: extension vaults that behave like theirs' {
    BeforeEach {
        Reset-StandInSecretStore
        Register-SecretVault -Name 'KV' -ModuleName 'Az.KeyVault' -VaultParameters @{ AZKVaultName = 'my-kv'; SubscriptionId = 'sub' }
    }

    It 'refuses a name Azure Key Vault cannot take, with the service''s reason inside SetSecretInvalidOperation' {
        Set-Secret -Name 'Jelou-acme_prod' -Secret 'v' -Vault 'KV' -ErrorAction SilentlyContinue -ErrorVariable writeErrors

        $writeErrors[0].FullyQualifiedErrorId | Should -BeLike 'SetSecretInvalidOperation,*'
        $writeErrors[0].Exception.InnerException.Message | Should -Match 'invalid name: Jelou-acme_prod'
        Get-StandInSecret -Vault 'KV' -Name 'Jelou-acme_prod' | Should -BeNullOrEmpty
    }

    It 'takes letters, digits and dashes up to 127 characters' {
        Set-Secret -Name ('J' * 127) -Secret 'v' -Vault 'KV'
        Set-Secret -Name ('J' * 128) -Secret 'v' -Vault 'KV' -ErrorAction SilentlyContinue -ErrorVariable writeErrors
        Get-StandInSecret -Vault 'KV' -Name ('J' * 127) | Should -Not -BeNullOrEmpty
        $writeErrors.Count | Should -Be 1
    }

    It 'keeps no metadata: SetSecretMetadataCommandNotSupported, and the secret written is removed again' {
        Set-Secret -Name 'Jelou-p1' -Secret 'v' -Vault 'KV' -Metadata @{ ProjectId = 'p1' } -ErrorAction SilentlyContinue -ErrorVariable writeErrors

        $writeErrors.FullyQualifiedErrorId | Should -Contain 'SetSecretMetadataCommandNotSupported,Set-Secret'
        Get-StandInSecret -Vault 'KV' -Name 'Jelou-p1' | Should -BeNullOrEmpty
    }
}

Describe 'SecretManagement stand-in: called by name from a host, as JelouPS does' {

    BeforeEach {
        Reset-StandInSecretStore
        Register-StandInVault -Name 'Store'
        Register-StandInVault -Name 'Plain' -NoMetadataSupport
    }

    It 'stores a SecureString passed as -SecureStringSecret with metadata' {
        $result = Invoke-ByName 'Set-Secret' @{
            Name = 'JelouSigningSecret'; SecureStringSecret = (New-TestSecureString 's3cr3t'); Vault = 'Store'
            Metadata = @{ ProjectId = 'p1'; CreatedAt = [datetime]::UtcNow }; NoClobber = $true
        }
        $result.HadErrors | Should -BeFalse
        $stored = Get-StandInSecret -Vault 'Store' -Name 'JelouSigningSecret'
        $stored.SecretType | Should -Be 'SecureString'
        $stored.Metadata.ProjectId | Should -Be 'p1'
    }

    It 'reports a vault without metadata support in words that say so' {
        $result = Invoke-ByName 'Set-Secret' @{
            Name = 'n'; SecureStringSecret = (New-TestSecureString 'v'); Vault = 'Plain'; Metadata = @{ ProjectId = 'p1' }
        }
        $result.HadErrors | Should -BeTrue
        $message = $result.Errors[0].ToString()
        $message | Should -Match 'metadata'
        $message | Should -Match 'does not support'
    }

    It 'throws from Invoke() for a terminating error such as a locked vault' {
        Set-StandInVaultBehavior -Name 'Store' -Locked
        { Invoke-ByName 'Set-Secret' @{ Name = 'n'; SecureStringSecret = (New-TestSecureString 'v'); Vault = 'Store' } } |
            Should -Throw -ExceptionType ([System.Management.Automation.RuntimeException])
    }

    It 'returns $true from Test-SecretVault for a healthy vault and errors for a locked one' {
        (Invoke-ByName 'Test-SecretVault' @{ Name = 'Store' }).Output | Should -Be @($true)
        Set-StandInVaultBehavior -Name 'Store' -Locked
        $locked = Invoke-ByName 'Test-SecretVault' @{ Name = 'Store' }
        $locked.Output | Should -Be @($false)
        $locked.HadErrors | Should -BeTrue
    }
}

Describe 'SecretManagement stand-in: vault registration and test controls' {

    BeforeEach { Reset-StandInSecretStore }

    It 'registers vaults with Register-SecretVault like the real command' {
        $info = Register-SecretVault -ModuleName 'Microsoft.PowerShell.SecretStore' -Name 'Registered' -Description 'x' -PassThru
        $info.PSTypeNames[0] | Should -Be 'Microsoft.PowerShell.SecretManagement.SecretVaultInfo'
        $info.IsDefault | Should -BeTrue
        Register-SecretVault -ModuleName 'Microsoft.PowerShell.SecretStore'
        (Get-SecretVault).Name | Should -Be @('Microsoft.PowerShell.SecretStore', 'Registered')

        $err = { Register-SecretVault -ModuleName 'Microsoft.PowerShell.SecretStore' -Name 'Registered' } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike 'RegisterSecretVaultInvalidVaultName,*'
        $err.Exception.Message | Should -BeExactly 'Provided Name for vault is already being used.'
        { Register-SecretVault -ModuleName 'Microsoft.PowerShell.SecretStore' -Name 'Registered' -AllowClobber } | Should -Not -Throw
    }

    It 'unregisters vaults, reporting unknown ones with UnregisterSecretVaultObjectNotFound' {
        Register-StandInVault -Name 'A'
        Get-SecretVault -Name 'A' | Unregister-SecretVault
        Get-SecretVault | Should -BeNullOrEmpty
        Unregister-SecretVault -Name 'A' -ErrorAction SilentlyContinue -ErrorVariable unregisterErrors
        $unregisterErrors[0].FullyQualifiedErrorId | Should -BeLike 'UnregisterSecretVaultObjectNotFound,*'
    }

    It 'logs each call with its parameter names and -Name, never other values' {
        Register-StandInVault -Name 'Store'
        (New-TestSecureString 'do-not-log-me') | Set-Secret -Name 'n' -Vault 'Store' -Metadata @{ ProjectId = 'also-not' }
        $null = Get-Secret -Name 'n' -Vault 'Store' -AsPlainText

        $log = @(Get-StandInCallLog)
        $log.Command | Should -Be @('Set-Secret', 'Get-Secret')
        $log.Name | Should -Be @('n', 'n')
        $log[0].ParameterNames | Should -Contain 'SecureStringSecret'
        $log[0].ParameterNames | Should -Contain 'Metadata'
        $log[1].ParameterNames | Should -Contain 'AsPlainText'
        ($log | ConvertTo-Json -Depth 5) | Should -Not -Match 'do-not-log-me|also-not'
        @(Get-StandInCallLog -Command 'Get-*').Count | Should -Be 1
    }

    It 'resets vaults, the default vault and the call log' {
        Register-StandInVault -Name 'Store'
        Set-Secret -Name 'n' -Secret 'v'
        Reset-StandInSecretStore
        Get-StandInCallLog | Should -BeNullOrEmpty
        Get-SecretVault | Should -BeNullOrEmpty
        Register-StandInVault -Name 'Again' -DefaultVault:$false
        { Set-Secret -Name 'n' -Secret 'v' } | Should -Throw -ErrorId 'SetSecretCommandFailNoVault,*'
    }

    It 'refuses to register a stand-in vault twice unless -Force (which drops its secrets)' {
        Register-StandInVault -Name 'Store'
        Set-Secret -Name 'n' -Secret 'v' -Vault 'Store'
        { Register-StandInVault -Name 'Store' } | Should -Throw
        Register-StandInVault -Name 'Store' -Force
        Get-StandInSecret -Vault 'Store' -Name 'n' | Should -BeNullOrEmpty
    }
}
