# TEST STAND-IN for Microsoft.PowerShell.SecretManagement 1.1.x. This is NOT Microsoft's module.
#
# It copies the public surface of the real module (commands, parameter sets, parameter names,
# positions, types, mandatory flags, pipeline binding, output property names and type names,
# ErrorIds, error categories and messages) from the module's source (PowerShell/SecretManagement,
# src/code/SecretManagement.cs and src/code/Utils.cs). Each command is laid out like the C# cmdlet
# it stands for, so the order of checks, which errors are terminating and which are not, and what
# is left in the vault afterwards are the same as with the real module.
#
# The real module does not store secrets itself. It calls an extension vault module (usually
# Microsoft.PowerShell.SecretStore) in a separate runspace and then reports what the extension did.
# Here an in-memory extension stands in for that vault. It behaves like SecretStore (its locked
# errors, its metadata type rules, its Remove/Set-SecretInfo errors). A vault registered with
# -NoMetadataSupport behaves like an extension whose Set-Secret has no -Metadata parameter and
# which exports no Set-SecretInfo function.
#
# Known differences from the real module:
#  * These are functions, not cmdlets. FullyQualifiedErrorId therefore ends in ",<command name>"
#    (e.g. "GetSecretNotFound,Get-Secret") where the real one ends in
#    ",Microsoft.PowerShell.SecretManagement.GetSecretCommand". ErrorRecord.ErrorId (from
#    CategoryInfo/FullyQualifiedErrorId before the comma), the category and the message are the same.
#  * Output objects are PSCustomObjects with the real type name first in PSTypeNames. They are not
#    instances of the real .NET types. SecretInformation.Type is a script enum named SecretType
#    (same member names and values as the real enum, so it still compares equal to strings).
#  * Parameters typed SecretInformation/SecretVaultInfo in the real module are [psobject] with a
#    [PSTypeName()] constraint.
#  * Register-SecretVault does not load or check an extension module. It registers an in-memory
#    vault that supports metadata.
#  * An ErrorRecord's TargetObject is $null where the real module puts the cmdlet instance.
#
# Where a script function would differ from a compiled cmdlet in ways callers can see, the stand-in
# behaves like the cmdlet: ShouldProcess reads $WhatIfPreference and $ConfirmPreference from the
# caller's scope (not only the global one), and a ShouldProcess that throws (a prompt the host cannot
# show) ends the command before it writes anything (see Test-ShouldProcess).
#
# Extension vaults registered with a known module name behave like that extension where callers can
# see it (see $script:ExtensionTraits): Az.KeyVault refuses names Azure Key Vault cannot take and keeps
# no metadata.

Set-StrictMode -Version Latest

#region Types

# Same short name as Microsoft.PowerShell.SecretManagement.PasswordRequiredException (which
# derives from InvalidOperationException), so $_.Exception.GetType().Name matches.
class PasswordRequiredException : System.InvalidOperationException {
    PasswordRequiredException([string] $message) : base($message) { }
}

# Same members and values as Microsoft.PowerShell.SecretManagement.SecretType.
enum SecretType {
    Unknown = 0
    ByteArray = 1
    String = 2
    SecureString = 3
    PSCredential = 4
    Hashtable = 5
}

#endregion

#region Constants (strings copied from the real module / SecretStore)

$script:SecretInformationTypeName = 'Microsoft.PowerShell.SecretManagement.SecretInformation'
$script:SecretVaultInfoTypeName = 'Microsoft.PowerShell.SecretManagement.SecretVaultInfo'
$script:CallLogEntryTypeName = 'StandIn.SecretManagement.CallLogEntry'
$script:StandInSecretTypeName = 'StandIn.SecretManagement.StoredSecret'
$script:SecretStoreModuleName = 'Microsoft.PowerShell.SecretStore'

# SecretManagement Utils.NoVaultRegistered (written as a warning when no vault is registered).
$script:NoVaultRegistered = "`n        There are currently no extension vaults registered.`n        At least one vault must be registered before SecretManagement can add or retrieve secrets.`n        You can download SecretManagement extension vault modules from PowerShellGallery.`n        https://aka.ms/SecretManagementVaults`n        "

# SecretStore Utils.PasswordRequiredMessage (what a locked SecretStore throws).
$script:PasswordRequiredMessage = "A valid password is required to access the Microsoft.PowerShell.SecretStore vault.`nUse the Unlock-SecretStore cmdlet to provide the required password to access the store."

$script:InvalidSecretTypeMessage = 'Invalid type. Types supported: byte[], string, SecureString, PSCredential, Hashtable'
$script:InvalidMetadataTypeMessage = 'Microsoft.PowerShell.SecretStore accepts secret metadata only of types: string, int, DateTime'

# What the extension behind a vault does that a caller can see, by the extension's module name.
#  * Az.KeyVault (Az.KeyVault.Extension.psm1): Set-Secret has no -Metadata and there is no
#    Set-SecretInfo; Azure Key Vault refuses names other than 1-127 of 0-9, a-z, A-Z and '-', and
#    the extension lets Set-AzKeyVaultSecret's error escape (the service answers 400 BadParameter).
#  * Microsoft.PowerShell.SecretStore, and any other name: metadata supported, any name.
$script:ExtensionTraits = @{
    'Az.KeyVault' = @{
        SupportsMetadata = $false
        InvalidName      = { param([string] $Name) $Name -cnotmatch '^[0-9a-zA-Z-]{1,127}$' }
        InvalidNameError = "Operation returned an invalid status code 'BadRequest'. The request URI contains an invalid name: {0}. Secret names can contain only 0-9, a-z, A-Z, and -."
    }
}

function Get-ExtensionTraits {
    param([string] $ModuleName)
    if ($script:ExtensionTraits.ContainsKey($ModuleName)) { return $script:ExtensionTraits[$ModuleName] }
    @{ SupportsMetadata = $true; InvalidName = $null; InvalidNameError = $null }
}

#endregion

#region State

function New-VaultTable {
    # Vault names are case-insensitive and enumerate sorted, like RegisteredVaultCache.VaultExtensions.
    , [System.Collections.Generic.SortedDictionary[string, object]]::new([System.StringComparer]::OrdinalIgnoreCase)
}

$script:Vaults = New-VaultTable
$script:DefaultVaultName = ''
$script:CallLog = [System.Collections.Generic.List[object]]::new()
$script:CallSequence = 0

#endregion

#region Helpers: errors, objects, values

function New-StandInErrorRecord {
    param(
        [Parameter(Mandatory)] [System.Exception] $Exception,
        [Parameter(Mandatory)] [string] $ErrorId,
        [Parameter(Mandatory)] [System.Management.Automation.ErrorCategory] $Category,
        [object] $TargetObject = $null
    )
    [System.Management.Automation.ErrorRecord]::new($Exception, $ErrorId, $Category, $TargetObject)
}

function Test-ShouldProcess {
    # $Cmdlet.ShouldProcess as a compiled cmdlet would run it (the real commands are compiled cmdlets).
    # A compiled cmdlet runs in its caller's scope, so it sees the caller's $WhatIfPreference and
    # $ConfirmPreference; a module function sees only the global ones unless they are copied in. And a
    # ShouldProcess that throws (a prompt the host cannot show) ends a compiled cmdlet before it writes
    # anything, where a script statement would fail alone and let the next statement store the secret.
    param([System.Management.Automation.PSCmdlet] $Cmdlet, [string] $Target, [string] $Action)
    $bound = $Cmdlet.MyInvocation.BoundParameters
    if (-not $bound.ContainsKey('WhatIf')) { $WhatIfPreference = $Cmdlet.SessionState.PSVariable.GetValue('WhatIfPreference') }
    if (-not $bound.ContainsKey('Confirm')) { $ConfirmPreference = $Cmdlet.SessionState.PSVariable.GetValue('ConfirmPreference') }
    try {
        $Cmdlet.ShouldProcess($Target, $Action)
    }
    catch {
        $failure = if ($_.Exception.InnerException) { $_.Exception.InnerException } else { $_.Exception }
        $record = if ($failure -is [System.Management.Automation.IContainsErrorRecord]) { $failure.ErrorRecord }
        else { New-StandInErrorRecord -Exception $failure -ErrorId $failure.GetType().Name -Category InvalidOperation }
        $Cmdlet.ThrowTerminatingError($record)
    }
}

function Get-BaseValue {
    # Unwraps a PSObject without enumerating arrays (byte[] must stay byte[]).
    param($Value)
    if ($null -eq $Value) { return $null }
    $base = $Value.psobject.BaseObject
    , $base
}

function Test-IsSupportedSecretValue {
    param($Value)
    ($Value -is [byte[]]) -or ($Value -is [string]) -or ($Value -is [securestring]) -or
    ($Value -is [pscredential]) -or ($Value -is [hashtable])
}

function Get-SecretTypeName {
    param($Value)
    if ($Value -is [byte[]]) { return 'ByteArray' }
    if ($Value -is [string]) { return 'String' }
    if ($Value -is [securestring]) { return 'SecureString' }
    if ($Value -is [pscredential]) { return 'PSCredential' }
    if ($Value -is [hashtable]) { return 'Hashtable' }
    'Unknown'
}

function Copy-SecretValue {
    # A vault keeps its own copy: the caller may dispose or change what it passed in, and each read
    # gets a fresh object, as with a real (serialising) vault.
    param($Value)
    $v = Get-BaseValue $Value
    if ($null -eq $v) { return $null }
    if ($v -is [securestring]) { return $v.Copy() }
    if ($v -is [string]) { return $v }
    if ($v -is [byte[]]) { return , ([byte[]] $v.Clone()) }
    if ($v -is [pscredential]) { return [pscredential]::new($v.UserName, $v.Password.Copy()) }
    if ($v -is [hashtable]) {
        $copy = [hashtable]::new()
        foreach ($key in $v.Keys) { $copy[$key] = Copy-SecretValue $v[$key] }
        return $copy
    }
    , $v
}

function Copy-Metadata {
    param([System.Collections.IDictionary] $Metadata)
    $copy = [hashtable]::new()
    if ($null -ne $Metadata) {
        foreach ($key in $Metadata.Keys) { $copy[$key] = Get-BaseValue $Metadata[$key] }
    }
    $copy
}

function ConvertTo-ReadOnlyDictionary {
    param([System.Collections.IDictionary] $Dictionary)
    $inner = [System.Collections.Generic.Dictionary[string, object]]::new()
    if ($null -ne $Dictionary) {
        foreach ($key in $Dictionary.Keys) { $inner.Add([string] $key, $Dictionary[$key]) }
    }
    , [System.Collections.ObjectModel.ReadOnlyDictionary[string, object]]::new($inner)
}

function ConvertFrom-MetadataDictionary {
    # Utils.ConvertDictToHashtable: SecretInformation.Metadata (IDictionary<string,object>) -> Hashtable.
    param($Metadata)
    $table = [hashtable]::new()
    if ($null -eq $Metadata) { return $table }
    if ($Metadata -is [System.Collections.IDictionary]) {
        foreach ($key in $Metadata.Keys) { $table[$key] = $Metadata[$key] }
    }
    else {
        foreach ($pair in $Metadata) { $table[$pair.Key] = $pair.Value }
    }
    $table
}

function New-SecretInformation {
    param([string] $Name, [string] $Type, [string] $VaultName, $Metadata)
    $info = [pscustomobject]@{
        Name      = $Name
        Type      = [SecretType] $Type
        VaultName = $VaultName
        Metadata  = $Metadata
    }
    $info.PSObject.TypeNames.Insert(0, $script:SecretInformationTypeName)
    $info
}

function New-SecretVaultInfo {
    param([hashtable] $Vault)
    $info = [pscustomobject]@{
        Name            = $Vault.Name
        ModuleName      = $Vault.ModuleName
        ModulePath      = $Vault.ModulePath
        Description     = $Vault.Description
        VaultParameters = ConvertTo-ReadOnlyDictionary $Vault.VaultParameters
        IsDefault       = [string]::Equals($Vault.Name, $script:DefaultVaultName, [System.StringComparison]::OrdinalIgnoreCase)
    }
    $info.PSObject.TypeNames.Insert(0, $script:SecretVaultInfoTypeName)
    $info
}

function New-StandInVault {
    param(
        [string] $Name,
        [string] $ModuleName,
        [string] $ModulePath,
        [string] $Description,
        [hashtable] $VaultParameters,
        [bool] $SupportsMetadata
    )
    @{
        Name              = $Name
        ModuleName        = $ModuleName
        ModulePath        = $ModulePath
        Description       = $Description
        VaultParameters   = $(if ($null -ne $VaultParameters) { $VaultParameters.Clone() } else { @{} })
        SupportsMetadata  = $SupportsMetadata
        Locked            = $false
        DenyList          = $false
        FailWrites        = $false
        FailWritesAfter   = -1
        FailNextWrites    = 0
        DropWrites        = $false
        FailAfterWrite    = $false
        WriteDelaySeconds = 0
        WritesSucceeded   = 0
        WriteFailureStyle = 'ExtensionThrows'
        Secrets           = [System.Collections.Generic.Dictionary[string, object]]::new([System.StringComparer]::OrdinalIgnoreCase)
    }
}

function Get-StandInModulePath {
    param([string] $ModuleName)
    $resolved = Resolve-Path -Path $ModuleName -ErrorAction Ignore
    if ($resolved) {
        $path = $resolved.ProviderPath
        if (Test-Path -LiteralPath $path -PathType Leaf) { $path = Split-Path -Path $path -Parent }
        return $path
    }
    Join-Path -Path (Join-Path -Path $PSScriptRoot -ChildPath 'StandInVaultModules') -ChildPath $ModuleName
}

#endregion

#region Call log

function Add-CallLogEntry {
    param([System.Management.Automation.PSCmdlet] $Cmdlet, [System.Collections.IDictionary] $BoundParameters)
    $script:CallSequence++
    $entry = [pscustomobject]@{
        Sequence         = $script:CallSequence
        Command          = $Cmdlet.MyInvocation.MyCommand.Name
        ParameterSetName = $Cmdlet.ParameterSetName
        ParameterNames   = [System.Collections.Generic.List[string]]::new()
        Name             = [string] $BoundParameters['Name']
    }
    $entry.PSObject.TypeNames.Insert(0, $script:CallLogEntryTypeName)
    foreach ($key in $BoundParameters.Keys) { $entry.ParameterNames.Add([string] $key) }
    $script:CallLog.Add($entry)
    $entry
}

function Update-CallLogEntry {
    # Parameters bound from the pipeline only appear once a record is processed. Names only, never values (but -Name's).
    param($Entry, [System.Management.Automation.PSCmdlet] $Cmdlet, [System.Collections.IDictionary] $BoundParameters)
    if ($null -eq $Entry) { return }
    $Entry.ParameterSetName = $Cmdlet.ParameterSetName
    if ($BoundParameters.ContainsKey('Name')) { $Entry.Name = [string] $BoundParameters['Name'] }
    foreach ($key in $BoundParameters.Keys) {
        if (-not $Entry.ParameterNames.Contains([string] $key)) { $Entry.ParameterNames.Add([string] $key) }
    }
}

#endregion

#region The in-memory extension vault (stands in for the extension module, e.g. SecretStore)
#
# Each Invoke-Ext* returns what SecretManagement's PowerShellInvoker would collect from the
# extension: the output objects, the non-terminating errors the extension wrote, a terminating
# error (exception) if it threw, and whether the command does not exist in the extension.

function New-ExtResult {
    @{
        Output          = [System.Collections.Generic.List[object]]::new()
        Errors          = [System.Collections.Generic.List[System.Management.Automation.ErrorRecord]]::new()
        Terminating     = $null
        CommandNotFound = $false
    }
}

function New-PasswordRequiredException {
    [PasswordRequiredException]::new($script:PasswordRequiredMessage)
}

function New-MethodInvocationFailure {
    # What a .NET method call that throws inside the extension's script becomes.
    param([string] $Method, [int] $ArgumentCount, [System.Exception] $Inner)
    [System.Management.Automation.MethodInvocationException]::new(
        ('Exception calling "{0}" with "{1}" argument(s): "{2}"' -f $Method, $ArgumentCount, $Inner.Message), $Inner)
}

function Test-WriteShouldFail {
    param([hashtable] $Vault)
    if ($Vault.FailWrites) { return $true }
    if ($Vault.FailNextWrites -gt 0) { $Vault.FailNextWrites--; return $true }
    ($Vault.FailWritesAfter -ge 0) -and ($Vault.WritesSucceeded -ge $Vault.FailWritesAfter)
}

function Invoke-ExtGetSecret {
    param([hashtable] $Vault, [string] $Name)
    $r = New-ExtResult
    if ($Vault.Locked) { $r.Terminating = New-PasswordRequiredException; return $r }
    if ($Vault.Secrets.ContainsKey($Name)) {
        $copy = Copy-SecretValue $Vault.Secrets[$Name].Secret
        $r.Output.Add($copy)
    }
    $r
}

function Invoke-ExtGetSecretInfo {
    param([hashtable] $Vault, [string] $Filter)
    $r = New-ExtResult
    if ($Vault.Locked) { $r.Terminating = New-PasswordRequiredException; return $r }
    # Az.KeyVault's Get-SecretInfo lists every secret of the key vault (Get-AzKeyVaultSecret -VaultName), which an identity
    # with the Get permission and not List is refused; its Get-Secret reads one by name and works.
    if ($Vault.DenyList) { $r.Terminating = [System.InvalidOperationException]::new("Operation returned an invalid status code 'Forbidden'"); return $r }
    $pattern = [System.Management.Automation.WildcardPattern]::new($Filter, [System.Management.Automation.WildcardOptions]::IgnoreCase)
    foreach ($entry in $Vault.Secrets.Values) {
        $isMatch = $false
        try { $isMatch = $pattern.IsMatch($entry.Name) }
        catch [System.Management.Automation.WildcardPatternException] { $isMatch = [string]::Equals($entry.Name, $Filter, [System.StringComparison]::OrdinalIgnoreCase) }
        if (-not $isMatch) { continue }
        $metadata = if ($Vault.SupportsMetadata) { ConvertTo-ReadOnlyDictionary $entry.Metadata } else { $null }
        $r.Output.Add((New-SecretInformation -Name $entry.Name -Type (Get-SecretTypeName $entry.Secret) -VaultName $Vault.Name -Metadata $metadata))
    }
    $r
}

function Test-MetadataValues {
    param([System.Collections.IDictionary] $Metadata)
    if ($null -eq $Metadata) { return $true }
    foreach ($key in $Metadata.Keys) {
        $item = Get-BaseValue $Metadata[$key]
        if (-not (($item -is [string]) -or ($item -is [int]) -or ($item -is [datetime]))) { return $false }
    }
    $true
}

function Invoke-ExtSetSecret {
    param([hashtable] $Vault, [string] $Name, $Secret, [hashtable] $Metadata, [bool] $MetadataPassed)
    $r = New-ExtResult
    if ($Vault.Locked) { $r.Terminating = New-PasswordRequiredException; return $r }
    # A remote store (Key Vault, 1Password) answering slowly: the caller's Ctrl+C stops it, as it stops any command.
    if ($Vault.WriteDelaySeconds -gt 0) { Start-Sleep -Seconds $Vault.WriteDelaySeconds }

    if (Test-WriteShouldFail $Vault) {
        if ($Vault.WriteFailureStyle -eq 'ExtensionWritesError') {
            $r.Errors.Add((New-StandInErrorRecord `
                        -Exception ([System.Management.Automation.ItemNotFoundException]::new(
                            "Set-Secret error in vault $($Vault.Name) : The stand-in vault is set to fail writes (simulated vault failure).")) `
                        -ErrorId 'SecretStoreSetSecretFailed' -Category InvalidOperation))
        }
        elseif ($Vault.WriteFailureStyle -eq 'ExtensionQuotesValue') {
            # An extension's validation message that repeats the value it refused; SecretManagement nests it as is.
            $plain = [System.Net.NetworkCredential]::new('', (Get-BaseValue $Secret)).Password
            $r.Terminating = [System.InvalidOperationException]::new(
                "The stand-in vault '$($Vault.Name)' refused the value '$plain' (simulated vault failure).")
        }
        else {
            $r.Terminating = [System.InvalidOperationException]::new(
                "The stand-in vault '$($Vault.Name)' is set to fail writes (simulated vault failure).")
        }
        return $r
    }

    $traits = Get-ExtensionTraits $Vault.ModuleName
    if ($traits.InvalidName -and (& $traits.InvalidName $Name)) {
        $r.Terminating = [System.InvalidOperationException]::new(($traits.InvalidNameError -f $Name))
        return $r
    }

    $value = Get-BaseValue $Secret
    if (-not (Test-IsSupportedSecretValue $value)) {
        $r.Terminating = New-MethodInvocationFailure -Method 'WriteObject' -ArgumentCount 4 `
            -Inner ([System.InvalidOperationException]::new($script:InvalidSecretTypeMessage))
        return $r
    }
    if ($value -is [hashtable]) {
        foreach ($key in $value.Keys) {
            $entryValue = Get-BaseValue $value[$key]
            if ($null -eq $entryValue -or -not (($entryValue -is [byte[]]) -or ($entryValue -is [string]) -or
                    ($entryValue -is [securestring]) -or ($entryValue -is [pscredential]))) {
                $r.Terminating = New-MethodInvocationFailure -Method 'WriteObject' -ArgumentCount 4 `
                    -Inner ([System.ArgumentException]::new(
                        "The object type for $key Hashtable entry is not supported. Supported types are byte[], string, SecureString, PSCredential"))
                return $r
            }
        }
    }

    if ($MetadataPassed -and -not (Test-MetadataValues $Metadata)) {
        $r.Errors.Add((New-StandInErrorRecord `
                    -Exception ([System.Management.Automation.ItemNotFoundException]::new("Set-Secret error in vault $($Vault.Name) : $script:InvalidMetadataTypeMessage")) `
                    -ErrorId 'SecretStoreSetSecretFailed' -Category InvalidOperation))
        return $r
    }

    if ($Vault.DropWrites) { return $r }

    $stored = @{
        Name     = $Name
        Secret   = Copy-SecretValue $value
        Metadata = $(if ($Vault.SupportsMetadata) { Copy-Metadata $Metadata } else { $null })
    }
    [void] $Vault.Secrets.Remove($Name)
    $Vault.Secrets[$Name] = $stored
    $Vault.WritesSucceeded++
    if ($Vault.FailAfterWrite) {
        # A store that took the secret and then failed to answer (a timeout on the way back).
        $r.Terminating = [System.TimeoutException]::new("The stand-in vault '$($Vault.Name)' stored the secret but timed out answering (simulated).")
    }
    $r
}

function Invoke-ExtSetSecretInfo {
    param([hashtable] $Vault, [string] $Name, [hashtable] $Metadata)
    $r = New-ExtResult
    if (-not $Vault.SupportsMetadata) { $r.CommandNotFound = $true; return $r }
    if ($Vault.Locked) { $r.Terminating = New-PasswordRequiredException; return $r }
    if (-not $Vault.Secrets.ContainsKey($Name)) {
        $r.Errors.Add((New-StandInErrorRecord `
                    -Exception ([System.Management.Automation.ItemNotFoundException]::new(
                        "Set-SecretInfo error in vault $($Vault.Name) : Microsoft.PowerShell.SecretStore vault cannot write metadata to $Name because the secret does not exist.")) `
                    -ErrorId 'SecretStoreSetSecretInfoFailed' -Category InvalidOperation))
        return $r
    }
    if (-not (Test-MetadataValues $Metadata)) {
        # SecretStore reports the (empty) read error here, not the metadata type error.
        $r.Errors.Add((New-StandInErrorRecord `
                    -Exception ([System.Management.Automation.ItemNotFoundException]::new(
                        "Set-SecretInfo error in vault $($Vault.Name) : Microsoft.PowerShell.SecretStore vault cannot write metadata to $Name with error message: ")) `
                    -ErrorId 'SecretStoreSetSecretInfoFailed' -Category InvalidOperation))
        return $r
    }
    $Vault.Secrets[$Name].Metadata = Copy-Metadata $Metadata
    $r
}

function Invoke-ExtRemoveSecret {
    param([hashtable] $Vault, [string] $Name)
    $r = New-ExtResult
    if ($Vault.Locked) { $r.Terminating = New-PasswordRequiredException; return $r }
    if (-not $Vault.Secrets.Remove($Name)) {
        $r.Errors.Add((New-StandInErrorRecord `
                    -Exception ([System.Management.Automation.ItemNotFoundException]::new("Remove-Secret error in vault $($Vault.Name) : Secret not found")) `
                    -ErrorId 'SecretStoreRemoveSecretFailed' -Category InvalidOperation))
    }
    $r
}

function Invoke-ExtTestVault {
    param([hashtable] $Vault)
    $r = New-ExtResult
    if ($Vault.Locked) {
        # SecretStore's Test-SecretVault has no try/catch: the failing GetInstance() call is written as
        # an error, then it writes its own error and returns nothing (so the test result is $false).
        $r.Errors.Add((New-StandInErrorRecord `
                    -Exception (New-MethodInvocationFailure -Method 'GetInstance' -ArgumentCount 0 -Inner (New-PasswordRequiredException)) `
                    -ErrorId 'PasswordRequiredException' -Category NotSpecified))
        $r.Errors.Add((New-StandInErrorRecord `
                    -Exception ([Microsoft.PowerShell.Commands.WriteErrorException]::new("Test-SecretVault failed to write secret on vault $($Vault.Name) with error: ")) `
                    -ErrorId 'Microsoft.PowerShell.Commands.WriteErrorException' -Category NotSpecified))
        return $r
    }
    $r.Output.Add($true)
    $r
}

function Invoke-ExtUnlockVault {
    param([hashtable] $Vault, [securestring] $Password)
    $r = New-ExtResult
    $Vault.Locked = $false
    $r
}

#endregion

#region SecretManagement layer (mirrors ExtensionVaultModule.Invoke* and SecretCmdlet in the real module)

function Write-NoVaultWarning {
    # Utils.CheckForRegisteredVaults
    param([System.Management.Automation.PSCmdlet] $Cmdlet)
    if ($script:Vaults.Count -eq 0) { $Cmdlet.WriteWarning($script:NoVaultRegistered) }
}

function Resolve-ExtensionVault {
    # SecretCmdlet.GetExtensionVault: terminating GetSecretVaultNotFound for an unknown vault.
    param([System.Management.Automation.PSCmdlet] $Cmdlet, [string] $Name)
    if ($null -eq $Name -or -not $script:Vaults.ContainsKey($Name)) {
        $Cmdlet.ThrowTerminatingError((New-StandInErrorRecord `
                    -Exception ([System.Management.Automation.PSInvalidOperationException]::new("Vault not found in registry: $Name")) `
                    -ErrorId 'GetSecretVaultNotFound' -Category ObjectNotFound))
    }
    $script:Vaults[$Name]
}

function Stop-WithPasswordRequired {
    # ThrowPasswordRequiredException rethrows the extension's PasswordRequiredException; escaping the
    # cmdlet, PowerShell reports it with the exception's full type name as ErrorId.
    param([System.Management.Automation.PSCmdlet] $Cmdlet, [System.Exception] $Exception)
    $Cmdlet.ThrowTerminatingError((New-StandInErrorRecord -Exception $Exception `
                -ErrorId 'Microsoft.PowerShell.SecretManagement.PasswordRequiredException' -Category NotSpecified))
}

function Write-ExtErrors {
    param([System.Management.Automation.PSCmdlet] $Cmdlet, [hashtable] $Result)
    foreach ($errorRecord in $Result.Errors) { $Cmdlet.WriteError($errorRecord) }
}

function Invoke-SMGetSecret {
    # ExtensionVaultModule.InvokeGetSecret. Returns @{ Value; PasswordRequired } so callers can either
    # rethrow the PasswordRequiredException (most) or catch it (Get-Secret's TryInvokeAndWrite).
    param([System.Management.Automation.PSCmdlet] $Cmdlet, [hashtable] $Vault, [string] $Name)
    $r = Invoke-ExtGetSecret -Vault $Vault -Name $Name
    if ($null -ne $r.Terminating) {
        if ($r.Terminating -is [PasswordRequiredException]) { return @{ Value = $null; PasswordRequired = $r.Terminating } }
        $Cmdlet.WriteError((New-StandInErrorRecord `
                    -Exception ([System.Management.Automation.PSInvalidOperationException]::new(("Unable to get secret {0} from vault {1}" -f $Name, $Vault.Name), $r.Terminating)) `
                    -ErrorId 'GetSecretInvalidOperation' -Category InvalidOperation))
    }
    else {
        Write-ExtErrors $Cmdlet $r
        $Cmdlet.WriteVerbose(("Secret {0} was successfully retrieved from vault {1}." -f $Name, $Vault.Name))
    }
    $value = $null
    if ($r.Output.Count -gt 0) { $value = $r.Output[0] }
    @{ Value = $value; PasswordRequired = $null }
}

function Invoke-SMGetSecretInfo {
    # ExtensionVaultModule.InvokeGetSecretInfo. Returns @{ Infos; PasswordRequired }.
    param([System.Management.Automation.PSCmdlet] $Cmdlet, [hashtable] $Vault, [string] $Filter)
    $r = Invoke-ExtGetSecretInfo -Vault $Vault -Filter $Filter
    if ($null -ne $r.Terminating) {
        if ($r.Terminating -is [PasswordRequiredException]) { return @{ Infos = @(); PasswordRequired = $r.Terminating } }
        $Cmdlet.WriteError((New-StandInErrorRecord `
                    -Exception ([System.Management.Automation.PSInvalidOperationException]::new(("Unable to get secret information from vault {0}" -f $Vault.Name), $r.Terminating)) `
                    -ErrorId 'GetSecretInfoInvalidOperation' -Category InvalidOperation))
    }
    else {
        Write-ExtErrors $Cmdlet $r
        $Cmdlet.WriteVerbose(("Secret information was successfully retrieved from vault {0}." -f $Vault.Name))
    }
    @{ Infos = @($r.Output); PasswordRequired = $null }
}

function Invoke-SMSetSecretMetadata {
    # ExtensionVaultModule.InvokeSetSecretMetadata: returns $true when the extension ran Set-SecretInfo.
    param([System.Management.Automation.PSCmdlet] $Cmdlet, [hashtable] $Vault, [string] $Name, [hashtable] $Metadata)
    $r = Invoke-ExtSetSecretInfo -Vault $Vault -Name $Name -Metadata $Metadata
    if ($null -ne $r.Terminating) {
        if ($r.Terminating -is [PasswordRequiredException]) { Stop-WithPasswordRequired $Cmdlet $r.Terminating }
        $Cmdlet.WriteError((New-StandInErrorRecord `
                    -Exception ([System.Management.Automation.PSInvalidOperationException]::new(("Cannot add secret metadata '{0}' to vault '{1}'" -f $Name, $Vault.Name), $r.Terminating)) `
                    -ErrorId 'SetSecretMetadataInvalidOperation' -Category InvalidOperation))
        return $false
    }
    Write-ExtErrors $Cmdlet $r
    if ($r.CommandNotFound) {
        # Message copied as it is in the real module (including the missing quote after the vault name).
        $Cmdlet.WriteError((New-StandInErrorRecord `
                    -Exception ([System.Management.Automation.PSNotSupportedException]::new(
                        ("Cannot add secret metadata '{0}' to vault '{1}: The vault does not support the Set-SecretInfo function." -f $Name, $Vault.Name))) `
                    -ErrorId 'SetSecretMetadataCommandNotSupported' -Category NotImplemented))
        return $false
    }
    $Cmdlet.WriteVerbose(("Secret metadata '{0}' was successfully added to vault '{1}'." -f $Name, $Vault.Name))
    $true
}

function Invoke-SMRemoveSecret {
    # ExtensionVaultModule.InvokeRemoveSecret
    param([System.Management.Automation.PSCmdlet] $Cmdlet, [hashtable] $Vault, [string] $Name)
    $r = Invoke-ExtRemoveSecret -Vault $Vault -Name $Name
    if ($null -ne $r.Terminating) {
        if ($r.Terminating -is [PasswordRequiredException]) { Stop-WithPasswordRequired $Cmdlet $r.Terminating }
        $Cmdlet.WriteError((New-StandInErrorRecord `
                    -Exception ([System.Management.Automation.PSInvalidOperationException]::new(("Unable to remove secret {0} from vault {1}" -f $Name, $Vault.Name), $r.Terminating)) `
                    -ErrorId 'RemoveSecretInvalidOperation' -Category InvalidOperation))
        return
    }
    Write-ExtErrors $Cmdlet $r
    $Cmdlet.WriteVerbose(("Secret {0} was successfully removed from vault {1}." -f $Name, $Vault.Name))
}

function Invoke-SMSetSecret {
    # ExtensionVaultModule.InvokeSetSecret
    param([System.Management.Automation.PSCmdlet] $Cmdlet, [hashtable] $Vault, [string] $Name, $Secret, [hashtable] $Metadata)

    # Metadata goes to the extension's Set-Secret only if that function has a -Metadata parameter.
    $passMetadata = [bool] $Vault.SupportsMetadata
    $extMetadata = $null
    if ($passMetadata) { $extMetadata = $(if ($null -ne $Metadata) { $Metadata } else { @{} }) }

    $r = Invoke-ExtSetSecret -Vault $Vault -Name $Name -Secret $Secret -Metadata $extMetadata -MetadataPassed $passMetadata
    if ($null -ne $r.Terminating) {
        if ($r.Terminating -is [PasswordRequiredException]) { Stop-WithPasswordRequired $Cmdlet $r.Terminating }
        $Cmdlet.WriteError((New-StandInErrorRecord `
                    -Exception ([System.Management.Automation.PSInvalidOperationException]::new(("Unable to add secret {0} to vault {1}" -f $Name, $Vault.Name), $r.Terminating)) `
                    -ErrorId 'SetSecretInvalidOperation' -Category InvalidOperation))
        return
    }
    Write-ExtErrors $Cmdlet $r

    # Metadata given but not taken by Set-Secret: try the extension's Set-SecretInfo. If that
    # fails, remove the secret again, "since it did not fully write".
    if ($null -ne $Metadata -and $Metadata.Count -gt 0 -and -not $Vault.SupportsMetadata -and
        -not (Invoke-SMSetSecretMetadata -Cmdlet $Cmdlet -Vault $Vault -Name $Name -Metadata $Metadata)) {
        Invoke-SMRemoveSecret -Cmdlet $Cmdlet -Vault $Vault -Name $Name
        return
    }

    $Cmdlet.WriteVerbose(("Secret {0} was successfully added to vault {1}." -f $Name, $Vault.Name))
}

function Test-SMSecretExists {
    # SetSecretCommand.SecretExistsInVault
    param([System.Management.Automation.PSCmdlet] $Cmdlet, [hashtable] $Vault, [string] $Name)
    $got = Invoke-SMGetSecret -Cmdlet $Cmdlet -Vault $Vault -Name $Name
    if ($null -ne $got.PasswordRequired) { Stop-WithPasswordRequired $Cmdlet $got.PasswordRequired }
    $null -ne $got.Value
}

function Get-OtherVaults {
    # All registered vaults except the default, in registry (sorted) order.
    foreach ($vault in @($script:Vaults.Values)) {
        if (-not [string]::Equals($vault.Name, $script:DefaultVaultName, [System.StringComparison]::OrdinalIgnoreCase)) { $vault }
    }
}

#endregion

#region SecretManagement commands

function Register-SecretVault {
    [CmdletBinding(SupportsShouldProcess = $true)]
    [OutputType('Microsoft.PowerShell.SecretManagement.SecretVaultInfo')]
    param(
        [Parameter(Position = 0, Mandatory = $true)]
        [ValidateNotNullOrEmpty()]
        [string] $ModuleName,

        [Parameter(Position = 1)]
        [ValidateNotNullOrEmpty()]
        [string] $Name,

        [Parameter()]
        [hashtable] $VaultParameters = @{},

        [Parameter()]
        [switch] $DefaultVault,

        [Parameter()]
        [switch] $AllowClobber,

        [Parameter()]
        [switch] $PassThru,

        [Parameter()]
        [string] $Description = ''
    )
    begin {
        $null = Add-CallLogEntry $PSCmdlet $PSBoundParameters

        if ($null -ne $VaultParameters -and $VaultParameters.ContainsKey('Verbose')) {
            $PSCmdlet.ThrowTerminatingError((New-StandInErrorRecord `
                        -Exception ([System.Management.Automation.PSInvalidOperationException]::new("The 'Verbose' parameter name is reserved and cannot be used in 'VaultParameters'")) `
                        -ErrorId 'RegisterSecretVaultCommandCannotUseReservedName' -Category InvalidOperation))
        }

        if (-not $PSBoundParameters.ContainsKey('Name')) {
            # The friendly name defaults to the module name.
            $leaf = Split-Path -Path $ModuleName -Leaf
            if ([string]::IsNullOrEmpty($leaf)) {
                $PSCmdlet.ThrowTerminatingError((New-StandInErrorRecord `
                            -Exception ([System.Management.Automation.PSInvalidOperationException]::new("Unable to get friendly name from ModuleName : $ModuleName")) `
                            -ErrorId 'RegisterSecretVaultCommandCannotParseModuleName' -Category InvalidOperation))
            }
            $extension = [System.IO.Path]::GetExtension($leaf)
            if ($extension -eq '.psd1' -or $extension -eq '.psm1') { $leaf = [System.IO.Path]::GetFileNameWithoutExtension($leaf) }
            $Name = $leaf
        }
    }
    end {
        $existingCount = $script:Vaults.Count
        $existing = $null
        if ($script:Vaults.ContainsKey($Name)) {
            if (-not $AllowClobber) {
                $PSCmdlet.ThrowTerminatingError((New-StandInErrorRecord `
                            -Exception ([System.InvalidOperationException]::new('Provided Name for vault is already being used.')) `
                            -ErrorId 'RegisterSecretVaultInvalidVaultName' -Category InvalidArgument))
            }
            $existing = $script:Vaults[$Name]
        }

        if (-not (Test-ShouldProcess $PSCmdlet $Name 'Register module as a SecretManagement extension vault for current user')) { return }

        $moduleLeaf = Split-Path -Path $ModuleName -Leaf
        $moduleExtension = [System.IO.Path]::GetExtension($moduleLeaf)
        if ($moduleExtension -eq '.psd1' -or $moduleExtension -eq '.psm1') { $moduleLeaf = [System.IO.Path]::GetFileNameWithoutExtension($moduleLeaf) }

        $vault = New-StandInVault -Name $Name -ModuleName $moduleLeaf -ModulePath (Get-StandInModulePath $ModuleName) `
            -Description $Description -VaultParameters $VaultParameters -SupportsMetadata (Get-ExtensionTraits $moduleLeaf).SupportsMetadata
        if ($null -ne $existing) {
            # The extension's own store (and the stand-in's failure switches) outlive a re-registration.
            foreach ($key in 'Secrets', 'Locked', 'FailWrites', 'FailWritesAfter', 'FailNextWrites', 'DropWrites', 'FailAfterWrite', 'WriteDelaySeconds', 'WritesSucceeded', 'WriteFailureStyle', 'SupportsMetadata') {
                $vault[$key] = $existing[$key]
            }
            [void] $script:Vaults.Remove($Name)
        }
        $script:Vaults[$Name] = $vault

        # An only registered vault becomes the default, unless -DefaultVault says otherwise.
        $isDefault = if ($PSBoundParameters.ContainsKey('DefaultVault')) { [bool] $DefaultVault } else { $existingCount -eq 0 }
        if ($isDefault) { $script:DefaultVaultName = $Name }

        if ($PassThru) { $PSCmdlet.WriteObject((New-SecretVaultInfo $vault)) }
    }
}

function Unregister-SecretVault {
    [CmdletBinding(SupportsShouldProcess = $true)]
    param(
        [Parameter(ParameterSetName = 'NameParameterSet', Position = 0, Mandatory = $true, ValueFromPipeline = $true)]
        [SupportsWildcards()]
        [ValidateNotNullOrEmpty()]
        [string[]] $Name,

        [Parameter(ParameterSetName = 'SecretVaultParameterSet', Position = 0, Mandatory = $true, ValueFromPipeline = $true, ValueFromPipelineByPropertyName = $true)]
        [ValidateNotNull()]
        [PSTypeName('Microsoft.PowerShell.SecretManagement.SecretVaultInfo')]
        [psobject] $SecretVault
    )
    begin {
        $log = Add-CallLogEntry $PSCmdlet $PSBoundParameters

        function Remove-OneVault([string] $VaultName) {
            if (-not (Test-ShouldProcess $PSCmdlet $VaultName 'Unregister SecretManagement extension vault module for current user')) { return }
            if (-not $script:Vaults.ContainsKey($VaultName)) {
                $PSCmdlet.WriteError((New-StandInErrorRecord `
                            -Exception ([System.Management.Automation.ItemNotFoundException]::new("Unable to find secret vault $VaultName to unregister it.")) `
                            -ErrorId 'UnregisterSecretVaultObjectNotFound' -Category ObjectNotFound))
                return
            }
            $removed = $script:Vaults[$VaultName]
            [void] $script:Vaults.Remove($VaultName)
            if ([string]::Equals($script:DefaultVaultName, $VaultName, [System.StringComparison]::OrdinalIgnoreCase)) { $script:DefaultVaultName = '' }
            $PSCmdlet.WriteVerbose("Removed vault $($removed.Name) from registry.")
        }
    }
    process {
        Update-CallLogEntry $log $PSCmdlet $PSBoundParameters
        $vaultNames = if ($PSCmdlet.ParameterSetName -eq 'SecretVaultParameterSet') { @($SecretVault.Name) } else { $Name }
        foreach ($vaultName in $vaultNames) {
            if ([System.Management.Automation.WildcardPattern]::ContainsWildcardCharacters($vaultName)) {
                $pattern = [System.Management.Automation.WildcardPattern]::new($vaultName, [System.Management.Automation.WildcardOptions]::IgnoreCase)
                foreach ($candidate in @($script:Vaults.Keys)) {
                    if ($pattern.IsMatch($candidate)) { Remove-OneVault $candidate }
                }
                # The real cmdlet returns after the first wildcard name.
                return
            }
            Remove-OneVault $vaultName
        }
    }
}

function Get-SecretVault {
    [CmdletBinding()]
    [OutputType('Microsoft.PowerShell.SecretManagement.SecretVaultInfo')]
    param(
        [Parameter(Position = 0)]
        [SupportsWildcards()]
        [string[]] $Name
    )
    begin { $null = Add-CallLogEntry $PSCmdlet $PSBoundParameters }
    end {
        $names = if ($null -ne $Name) { $Name } else { @('*') }
        foreach ($vaultName in $names) {
            if ([System.Management.Automation.WildcardPattern]::ContainsWildcardCharacters($vaultName)) {
                $pattern = [System.Management.Automation.WildcardPattern]::new($vaultName, [System.Management.Automation.WildcardOptions]::IgnoreCase)
                foreach ($vault in @($script:Vaults.Values)) {
                    if ($pattern.IsMatch($vault.Name)) { $PSCmdlet.WriteObject((New-SecretVaultInfo $vault)) }
                }
            }
            elseif ($script:Vaults.ContainsKey($vaultName)) {
                $PSCmdlet.WriteObject((New-SecretVaultInfo $script:Vaults[$vaultName]))
            }
            else {
                $PSCmdlet.WriteError((New-StandInErrorRecord `
                            -Exception ([System.Management.Automation.ItemNotFoundException]::new("Vault $vaultName does not exist in registry.")) `
                            -ErrorId 'GetSecretVaultNotFound' -Category ObjectNotFound))
            }
        }
    }
}

function Set-SecretVaultDefault {
    [CmdletBinding(SupportsShouldProcess = $true, DefaultParameterSetName = 'NameParameterSet')]
    param(
        [Parameter(ParameterSetName = 'NameParameterSet', Position = 0, Mandatory = $true, ValueFromPipeline = $true)]
        [ValidateNotNullOrEmpty()]
        [string] $Name,

        [Parameter(ParameterSetName = 'SecretVaultParameterSet', Position = 0, Mandatory = $true, ValueFromPipeline = $true, ValueFromPipelineByPropertyName = $true)]
        [ValidateNotNull()]
        [PSTypeName('Microsoft.PowerShell.SecretManagement.SecretVaultInfo')]
        [psobject] $SecretVault,

        [Parameter(ParameterSetName = 'ClearParameterSet')]
        [switch] $ClearDefault
    )
    begin { $log = Add-CallLogEntry $PSCmdlet $PSBoundParameters }
    process { Update-CallLogEntry $log $PSCmdlet $PSBoundParameters }
    end {
        if (-not (Test-ShouldProcess $PSCmdlet $Name 'Set vault as default')) { return }
        $vaultName = switch ($PSCmdlet.ParameterSetName) {
            'NameParameterSet' { $Name }
            'SecretVaultParameterSet' { $SecretVault.Name }
            default { '' }
        }
        if ([string]::IsNullOrEmpty($vaultName)) { $script:DefaultVaultName = ''; return }
        if ($script:Vaults.ContainsKey($vaultName)) { $script:DefaultVaultName = $script:Vaults[$vaultName].Name; return }
        $PSCmdlet.ThrowTerminatingError((New-StandInErrorRecord `
                    -Exception ([System.Management.Automation.ItemNotFoundException]::new('Vault name was not found.')) `
                    -ErrorId 'VaultNotFound' -Category ObjectNotFound))
    }
}

function Test-SecretVault {
    [CmdletBinding()]
    [OutputType([bool])]
    param(
        [Parameter(Position = 0, ValueFromPipeline = $true, ValueFromPipelineByPropertyName = $true)]
        [SupportsWildcards()]
        [string[]] $Name
    )
    begin {
        $log = Add-CallLogEntry $PSCmdlet $PSBoundParameters

        # RunTest: returns $true when the vault exists (and sets $script:LastTestResult).
        function Invoke-OneTest([string] $VaultName) {
            if (-not $script:Vaults.ContainsKey($VaultName)) {
                $PSCmdlet.WriteError((New-StandInErrorRecord `
                            -Exception ([System.Management.Automation.ItemNotFoundException]::new("Vault $VaultName does not exist in registry.")) `
                            -ErrorId 'TestSecretVaultNotFound' -Category ObjectNotFound))
                return @{ Ran = $false; Success = $false }
            }
            $vault = $script:Vaults[$VaultName]
            $r = Invoke-ExtTestVault -Vault $vault
            $success = $false
            if ($null -ne $r.Terminating) {
                if ($r.Terminating -is [PasswordRequiredException]) { Stop-WithPasswordRequired $PSCmdlet $r.Terminating }
                $PSCmdlet.WriteError((New-StandInErrorRecord `
                            -Exception ([System.Management.Automation.PSInvalidOperationException]::new("Unable to run Test-SecretVault on vault $($vault.Name)", $r.Terminating)) `
                            -ErrorId 'TestSecretVaultInvalidOperation' -Category InvalidOperation))
            }
            else {
                Write-ExtErrors $PSCmdlet $r
                foreach ($item in $r.Output) { if ($item -is [bool]) { $success = $item; break } }
            }
            if ($success) { $PSCmdlet.WriteVerbose("Vault $($vault.Name) succeeded validation test") }
            else { $PSCmdlet.WriteVerbose("Vault $($vault.Name) failed validation test") }
            @{ Ran = $true; Success = $success }
        }
    }
    process {
        Update-CallLogEntry $log $PSCmdlet $PSBoundParameters
        $names = if ($null -ne $Name) { $Name } else { @('*') }
        $count = 0
        $result = $true
        foreach ($vaultName in $names) {
            if ([System.Management.Automation.WildcardPattern]::ContainsWildcardCharacters($vaultName)) {
                $pattern = [System.Management.Automation.WildcardPattern]::new($vaultName, [System.Management.Automation.WildcardOptions]::IgnoreCase)
                foreach ($candidate in @($script:Vaults.Keys)) {
                    if ($pattern.IsMatch($candidate)) {
                        $count++
                        $test = Invoke-OneTest $candidate
                        if (-not $test.Success) { $result = $false }
                    }
                }
            }
            else {
                $test = Invoke-OneTest $vaultName
                if ($test.Ran) {
                    $count++
                    if (-not $test.Success) { $result = $false }
                }
            }
        }
        if ($count -gt 0) { $PSCmdlet.WriteObject($result) }
    }
}

function Unlock-SecretVault {
    [CmdletBinding()]
    param(
        [Parameter(Position = 0, Mandatory = $true)]
        [ValidateNotNullOrEmpty()]
        [string] $Name,

        [Parameter(Position = 1, Mandatory = $true)]
        [securestring] $Password
    )
    begin { $null = Add-CallLogEntry $PSCmdlet $PSBoundParameters }
    end {
        $vault = Resolve-ExtensionVault $PSCmdlet $Name
        $null = Invoke-ExtUnlockVault -Vault $vault -Password $Password
        $PSCmdlet.WriteVerbose("Secret vault '$($vault.Name)' was successfully unlocked.")
    }
}

function Get-SecretInfo {
    [CmdletBinding()]
    [OutputType('Microsoft.PowerShell.SecretManagement.SecretInformation')]
    param(
        [Parameter(Position = 0)]
        [SupportsWildcards()]
        [string] $Name,

        [Parameter(Position = 1)]
        [string] $Vault
    )
    begin {
        $null = Add-CallLogEntry $PSCmdlet $PSBoundParameters
        Write-NoVaultWarning $PSCmdlet

        function Write-ExtensionResults([hashtable] $ExtensionVault, [string] $Filter) {
            $found = Invoke-SMGetSecretInfo -Cmdlet $PSCmdlet -Vault $ExtensionVault -Filter $Filter
            if ($null -ne $found.PasswordRequired) {
                $PSCmdlet.WriteError((New-StandInErrorRecord -Exception $found.PasswordRequired -ErrorId 'GetSecretInfoException' -Category InvalidOperation))
                return
            }
            # Each vault's results are sorted by secret name.
            $sorted = [System.Collections.Generic.SortedDictionary[string, object]]::new([System.StringComparer]::OrdinalIgnoreCase)
            foreach ($info in $found.Infos) { $sorted.Add($info.Name, $info) }
            foreach ($info in $sorted.Values) { $PSCmdlet.WriteObject($info) }
        }
    }
    end {
        $filter = if ([string]::IsNullOrEmpty($Name)) { '*' } else { $Name }

        if (-not [string]::IsNullOrEmpty($Vault)) {
            Write-ExtensionResults (Resolve-ExtensionVault $PSCmdlet $Vault) $filter
            return
        }
        if (-not [string]::IsNullOrEmpty($script:DefaultVaultName)) {
            Write-ExtensionResults (Resolve-ExtensionVault $PSCmdlet $script:DefaultVaultName) $filter
        }
        foreach ($other in @(Get-OtherVaults)) { Write-ExtensionResults $other $filter }
    }
}

function Set-SecretInfo {
    [CmdletBinding(SupportsShouldProcess = $true, DefaultParameterSetName = 'NameParameterSet')]
    param(
        [Parameter(Position = 0, Mandatory = $true, ParameterSetName = 'NameParameterSet')]
        [ValidateNotNullOrEmpty()]
        [string] $Name,

        [Parameter(Position = 1, Mandatory = $true, ValueFromPipeline = $true, ParameterSetName = 'NameParameterSet')]
        [Parameter(Position = 0, Mandatory = $true, ParameterSetName = 'InfoParameterSet')]
        [hashtable] $Metadata,

        [Parameter(Position = 2, ParameterSetName = 'NameParameterSet')]
        [string] $Vault,

        [Parameter(Mandatory = $true, ValueFromPipeline = $true, ParameterSetName = 'InfoParameterSet')]
        [PSTypeName('Microsoft.PowerShell.SecretManagement.SecretInformation')]
        [psobject] $InputObject
    )
    begin {
        $log = Add-CallLogEntry $PSCmdlet $PSBoundParameters
        Write-NoVaultWarning $PSCmdlet
    }
    process {
        Update-CallLogEntry $log $PSCmdlet $PSBoundParameters
        if (-not (Test-ShouldProcess $PSCmdlet $Vault 'Write secret metadata to vault and override any existing metadata associated with the secret')) { return }

        $secretName = $Name
        $vaultName = $Vault
        if ($PSCmdlet.ParameterSetName -eq 'InfoParameterSet') {
            $secretName = $InputObject.Name
            $vaultName = $InputObject.VaultName
        }

        if (-not [string]::IsNullOrEmpty($vaultName)) {
            $null = Invoke-SMSetSecretMetadata -Cmdlet $PSCmdlet -Vault (Resolve-ExtensionVault $PSCmdlet $vaultName) -Name $secretName -Metadata $Metadata
            return
        }
        if (-not [string]::IsNullOrEmpty($script:DefaultVaultName)) {
            $null = Invoke-SMSetSecretMetadata -Cmdlet $PSCmdlet -Vault (Resolve-ExtensionVault $PSCmdlet $script:DefaultVaultName) -Name $secretName -Metadata $Metadata
            return
        }
        $PSCmdlet.ThrowTerminatingError((New-StandInErrorRecord `
                    -Exception ([System.Management.Automation.PSInvalidOperationException]::new('Unable to set secret metadata because no vault was provided and there is no default vault designated.')) `
                    -ErrorId 'SetSecretInfoCommandFailNoVault' -Category InvalidOperation))
    }
}

function Get-Secret {
    [CmdletBinding(DefaultParameterSetName = 'NameParameterSet')]
    [OutputType([object])]
    param(
        [Parameter(Position = 0, Mandatory = $true, ValueFromPipeline = $true, ParameterSetName = 'NameParameterSet')]
        [string] $Name,

        [Parameter(Position = 1, ParameterSetName = 'NameParameterSet')]
        [string] $Vault,

        [Parameter(Mandatory = $true, ValueFromPipeline = $true, ParameterSetName = 'InfoParameterSet')]
        [PSTypeName('Microsoft.PowerShell.SecretManagement.SecretInformation')]
        [psobject] $InputObject,

        [Parameter()]
        [switch] $AsPlainText
    )
    begin {
        $log = Add-CallLogEntry $PSCmdlet $PSBoundParameters
        Write-NoVaultWarning $PSCmdlet

        # All string secrets are returned as SecureString, unless -AsPlainText, in which case both
        # string and SecureString secrets are returned as strings. Hashtable values likewise.
        function ConvertTo-ReturnedValue($Item) {
            if (-not $AsPlainText -and $Item -is [string]) {
                return [System.Net.NetworkCredential]::new('', $Item).SecurePassword
            }
            if ($AsPlainText -and $Item -is [securestring]) {
                return [System.Net.NetworkCredential]::new('', $Item).Password
            }
            , $Item
        }

        function Write-SecretValue($Secret) {
            if ($Secret -is [hashtable]) {
                $converted = [hashtable]::new($Secret.Count)
                foreach ($key in $Secret.Keys) { $converted.Add($key, (ConvertTo-ReturnedValue $Secret[$key])) }
                $PSCmdlet.WriteObject($converted)
                return
            }
            $PSCmdlet.WriteObject((ConvertTo-ReturnedValue $Secret))
        }

        # TryInvokeAndWrite: 'Success', 'Failed' (not found) or 'FailedWithTerminatingError'.
        function Invoke-TryGetAndWrite([hashtable] $ExtensionVault, [string] $SecretName) {
            $got = Invoke-SMGetSecret -Cmdlet $PSCmdlet -Vault $ExtensionVault -Name $SecretName
            if ($null -ne $got.PasswordRequired) {
                $PSCmdlet.WriteError((New-StandInErrorRecord -Exception $got.PasswordRequired -ErrorId 'GetSecretException' -Category InvalidOperation))
                return 'FailedWithTerminatingError'
            }
            if ($null -ne $got.Value) {
                Write-SecretValue $got.Value
                return 'Success'
            }
            'Failed'
        }

        function Write-NotFoundError([string] $SecretName) {
            $PSCmdlet.WriteError((New-StandInErrorRecord `
                        -Exception ([System.Management.Automation.ItemNotFoundException]::new("The secret $SecretName was not found.")) `
                        -ErrorId 'GetSecretNotFound' -Category ObjectNotFound))
        }
    }
    process {
        Update-CallLogEntry $log $PSCmdlet $PSBoundParameters
        $secretName = $Name
        $vaultName = $Vault
        if ($PSCmdlet.ParameterSetName -eq 'InfoParameterSet') {
            $secretName = $InputObject.Name
            $vaultName = $InputObject.VaultName
        }

        # Search a single vault.
        if (-not [string]::IsNullOrEmpty($vaultName)) {
            $extensionVault = Resolve-ExtensionVault $PSCmdlet $vaultName
            if ((Invoke-TryGetAndWrite $extensionVault $secretName) -eq 'Failed') { Write-NotFoundError $secretName }
            return
        }

        # First the default vault (only if its Get-SecretInfo lists the name) ...
        if (-not [string]::IsNullOrEmpty($script:DefaultVaultName)) {
            $defaultVault = Resolve-ExtensionVault $PSCmdlet $script:DefaultVaultName
            $info = Invoke-SMGetSecretInfo -Cmdlet $PSCmdlet -Vault $defaultVault -Filter $secretName
            if ($null -ne $info.PasswordRequired) { Stop-WithPasswordRequired $PSCmdlet $info.PasswordRequired }
            if ($info.Infos.Count -gt 0 -and (Invoke-TryGetAndWrite $defaultVault $secretName) -eq 'Success') { return }
        }

        # ... then all other vaults.
        foreach ($other in @(Get-OtherVaults)) {
            if ((Invoke-TryGetAndWrite $other $secretName) -eq 'Success') { return }
        }

        Write-NotFoundError $secretName
    }
}

function Set-Secret {
    [CmdletBinding(SupportsShouldProcess = $true, DefaultParameterSetName = 'SecureStringParameterSet')]
    param(
        [Parameter(ParameterSetName = 'ObjectParameterSet', Position = 0, Mandatory = $true)]
        [Parameter(ParameterSetName = 'SecureStringParameterSet', Position = 0, Mandatory = $true)]
        [ValidateNotNullOrEmpty()]
        [string] $Name,

        [Parameter(Position = 1, Mandatory = $true, ValueFromPipeline = $true, ParameterSetName = 'ObjectParameterSet')]
        [object] $Secret,

        [Parameter(Position = 1, Mandatory = $true, ValueFromPipeline = $true, ParameterSetName = 'SecureStringParameterSet')]
        [securestring] $SecureStringSecret,

        [Parameter(Position = 1, Mandatory = $true, ValueFromPipeline = $true, ParameterSetName = 'SecretInfoParameterSet')]
        [PSTypeName('Microsoft.PowerShell.SecretManagement.SecretInformation')]
        [psobject] $SecretInfo,

        [Parameter(Position = 2, ParameterSetName = 'ObjectParameterSet')]
        [Parameter(Position = 2, ParameterSetName = 'SecureStringParameterSet')]
        [Parameter(ParameterSetName = 'SecretInfoParameterSet', Mandatory = $true)]
        [string] $Vault,

        [Parameter(Position = 3, ParameterSetName = 'ObjectParameterSet')]
        [Parameter(Position = 3, ParameterSetName = 'SecureStringParameterSet')]
        [hashtable] $Metadata,

        [Parameter()]
        [switch] $NoClobber
    )
    begin {
        $log = Add-CallLogEntry $PSCmdlet $PSBoundParameters
        Write-NoVaultWarning $PSCmdlet

        $secretExistsError = 'A secret with name {0} already exists in vault {1}.'

        function Write-OneSecret([hashtable] $ExtensionVault, $SecretToWrite) {
            # With -NoClobber, an existing secret of that name is a terminating error.
            if ($NoClobber -and (Test-SMSecretExists -Cmdlet $PSCmdlet -Vault $ExtensionVault -Name $Name)) {
                $PSCmdlet.ThrowTerminatingError((New-StandInErrorRecord `
                            -Exception ([System.Management.Automation.PSInvalidOperationException]::new(($secretExistsError -f $Name, $ExtensionVault.Name))) `
                            -ErrorId 'SetSecretCommandAlreadyExistsWithNoClobber' -Category ResourceExists))
            }
            Invoke-SMSetSecret -Cmdlet $PSCmdlet -Vault $ExtensionVault -Name $Name -Secret $SecretToWrite -Metadata $Metadata
        }
    }
    process {
        Update-CallLogEntry $log $PSCmdlet $PSBoundParameters
        if (-not (Test-ShouldProcess $PSCmdlet $Vault 'Write secret to vault and override any existing secret of the same name')) { return }

        $secretToWrite = $null
        switch ($PSCmdlet.ParameterSetName) {
            'SecretInfoParameterSet' {
                # Copy a secret (and its metadata) from the vault SecretInfo names into -Vault.
                $sourceVault = Resolve-ExtensionVault $PSCmdlet $SecretInfo.VaultName
                $got = Invoke-SMGetSecret -Cmdlet $PSCmdlet -Vault $sourceVault -Name $SecretInfo.Name
                if ($null -ne $got.PasswordRequired) { Stop-WithPasswordRequired $PSCmdlet $got.PasswordRequired }

                $destinationVault = Resolve-ExtensionVault $PSCmdlet $Vault
                if ($NoClobber -and (Test-SMSecretExists -Cmdlet $PSCmdlet -Vault $destinationVault -Name $SecretInfo.Name)) {
                    # Non-terminating in this parameter set.
                    $PSCmdlet.WriteError((New-StandInErrorRecord `
                                -Exception ([System.Management.Automation.PSInvalidOperationException]::new(($secretExistsError -f $SecretInfo.Name, $destinationVault.Name))) `
                                -ErrorId 'SetSecretCommandAlreadyExistsWithNoClobber' -Category ResourceExists))
                    return
                }
                $metadataCopy = ConvertFrom-MetadataDictionary $SecretInfo.Metadata
                Invoke-SMSetSecret -Cmdlet $PSCmdlet -Vault $destinationVault -Name $SecretInfo.Name -Secret $got.Value -Metadata $metadataCopy
                return
            }
            'SecureStringParameterSet' { $secretToWrite = $SecureStringSecret }
            'ObjectParameterSet' { $secretToWrite = Get-BaseValue $Secret }
        }

        # Add to the given vault ...
        if (-not [string]::IsNullOrEmpty($Vault)) {
            Write-OneSecret (Resolve-ExtensionVault $PSCmdlet $Vault) $secretToWrite
            return
        }
        # ... or to the default vault, if there is one.
        if (-not [string]::IsNullOrEmpty($script:DefaultVaultName)) {
            Write-OneSecret (Resolve-ExtensionVault $PSCmdlet $script:DefaultVaultName) $secretToWrite
            return
        }
        $PSCmdlet.ThrowTerminatingError((New-StandInErrorRecord `
                    -Exception ([System.Management.Automation.PSInvalidOperationException]::new('Unable to set secret because no vault was provided and there is no default vault designated.')) `
                    -ErrorId 'SetSecretCommandFailNoVault' -Category InvalidOperation))
    }
}

function Remove-Secret {
    [CmdletBinding(SupportsShouldProcess = $true)]
    param(
        [Parameter(Position = 0, Mandatory = $true, ValueFromPipeline = $true, ParameterSetName = 'NameParameterSet')]
        [ValidateNotNullOrEmpty()]
        [string] $Name,

        [Parameter(Position = 1, Mandatory = $true, ParameterSetName = 'NameParameterSet')]
        [ValidateNotNullOrEmpty()]
        [string] $Vault,

        [Parameter(Position = 0, Mandatory = $true, ValueFromPipeline = $true, ParameterSetName = 'InfoParameterSet')]
        [PSTypeName('Microsoft.PowerShell.SecretManagement.SecretInformation')]
        [psobject] $InputObject
    )
    begin { $log = Add-CallLogEntry $PSCmdlet $PSBoundParameters }
    process {
        Update-CallLogEntry $log $PSCmdlet $PSBoundParameters
        if (-not (Test-ShouldProcess $PSCmdlet $Vault 'Remove secret by name from vault')) { return }

        $secretName = $Name
        $vaultName = $Vault
        if ($PSCmdlet.ParameterSetName -eq 'InfoParameterSet') {
            $secretName = $InputObject.Name
            $vaultName = $InputObject.VaultName
        }
        Invoke-SMRemoveSecret -Cmdlet $PSCmdlet -Vault (Resolve-ExtensionVault $PSCmdlet $vaultName) -Name $secretName
    }
}

#endregion

#region Stand-in controls (not part of the real module)

function Reset-StandInSecretStore {
    <#
    .SYNOPSIS
    Stand-in only: removes every vault and secret, clears the default vault and the call log.
    #>
    [CmdletBinding()]
    param()
    $script:Vaults = New-VaultTable
    $script:DefaultVaultName = ''
    $script:CallLog.Clear()
    $script:CallSequence = 0
}

function Register-StandInVault {
    <#
    .SYNOPSIS
    Stand-in only: registers an in-memory vault.
    .DESCRIPTION
    Registers a vault the way Register-SecretVault would register an extension vault. By default it
    behaves like Microsoft.PowerShell.SecretStore (metadata supported; metadata values must be
    string, int or DateTime); with -ModuleName of a known extension (Az.KeyVault) it behaves like that
    extension (see $script:ExtensionTraits). -NoMetadataSupport makes it an extension whose Set-Secret has no
    -Metadata parameter and which has no Set-SecretInfo: Set-Secret -Metadata then writes
    SetSecretMetadataCommandNotSupported and removes the secret it just wrote, like the real module.
    As with Register-SecretVault, the first vault registered becomes the default unless
    -DefaultVault:$false is given.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true, Position = 0)]
        [ValidateNotNullOrEmpty()]
        [string] $Name,

        [Parameter()]
        [ValidateNotNullOrEmpty()]
        [string] $ModuleName = $script:SecretStoreModuleName,

        [Parameter()]
        [string] $Description = '',

        [Parameter()]
        [hashtable] $VaultParameters = @{},

        [Parameter()]
        [switch] $DefaultVault,

        [Parameter()]
        [switch] $NoMetadataSupport,

        # Replace a stand-in vault of the same name (its secrets are dropped).
        [Parameter()]
        [switch] $Force
    )
    if ($script:Vaults.ContainsKey($Name)) {
        if (-not $Force) {
            throw [System.InvalidOperationException]::new("A stand-in vault named '$Name' is already registered. Use -Force to replace it.")
        }
        [void] $script:Vaults.Remove($Name)
        if ([string]::Equals($script:DefaultVaultName, $Name, [System.StringComparison]::OrdinalIgnoreCase)) { $script:DefaultVaultName = '' }
    }
    $existingCount = $script:Vaults.Count
    $vault = New-StandInVault -Name $Name -ModuleName $ModuleName -ModulePath (Get-StandInModulePath $ModuleName) `
        -Description $Description -VaultParameters $VaultParameters -SupportsMetadata ((-not $NoMetadataSupport) -and (Get-ExtensionTraits $ModuleName).SupportsMetadata)
    $script:Vaults[$Name] = $vault
    $isDefault = if ($PSBoundParameters.ContainsKey('DefaultVault')) { [bool] $DefaultVault } else { $existingCount -eq 0 }
    if ($isDefault) { $script:DefaultVaultName = $Name }
}

function Set-StandInVaultBehavior {
    <#
    .SYNOPSIS
    Stand-in only: makes a registered vault fail the way a real vault fails.
    .DESCRIPTION
    Each call sets the vault's whole behaviour: whatever is not given is turned off, so
    `Set-StandInVaultBehavior -Name <vault>` alone makes the vault healthy again.
    -Locked: the vault acts like a password-protected SecretStore that is locked (Interaction None).
      Test-SecretVault returns $false and writes SecretStore's two errors (ErrorIds
      'PasswordRequiredException' and 'Microsoft.PowerShell.Commands.WriteErrorException').
      Get-Secret -Vault writes a non-terminating 'GetSecretException'. Get-SecretInfo writes a
      non-terminating 'GetSecretInfoException'. Set-Secret, Set-SecretInfo, Remove-Secret and Get-Secret
      without -Vault (when this is the default vault) stop with a terminating
      'Microsoft.PowerShell.SecretManagement.PasswordRequiredException'. Unlock-SecretVault unlocks it.
    -DenyList: Get-SecretInfo fails (the extension throws "Operation returned an invalid status code 'Forbidden'",
      reported as a non-terminating 'GetSecretInfoInvalidOperation'), while Get-Secret by name works: an Azure Key
      Vault identity with the Get permission and not List, whose extension lists every secret for Get-SecretInfo.
    -FailWrites: every Set-Secret write fails and nothing is stored.
    -FailWritesAfter N: the next N Set-Secret writes succeed, then writes fail. Counting starts at this call.
    -FailNextWrites N: the next N Set-Secret writes fail, then writes succeed again (a vault that is busy or
      throttled for a moment).
    -DropWrites: Set-Secret reports success but stores nothing (a broken or eventually consistent extension).
    -WriteDelaySeconds N: each Set-Secret write waits N seconds first (a slow remote store).
    -FailAfterWrite: Set-Secret stores the secret, then reports SetSecretInvalidOperation (a store that timed out
      answering after it wrote).
    -WriteFailureStyle: how a failing write surfaces. ExtensionThrows (default): non-terminating
      'SetSecretInvalidOperation' ("Unable to add secret <name> to vault <vault>"), as when an
      extension's Set-Secret throws. ExtensionWritesError: the extension's own non-terminating
      'SecretStoreSetSecretFailed' error, which is written before SecretManagement goes on.
      ExtensionQuotesValue: as ExtensionThrows, but the extension's message (nested in SecretManagement's
      error) quotes the value it refused, as some validation messages do.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true, Position = 0)]
        [ValidateNotNullOrEmpty()]
        [string] $Name,

        [Parameter()]
        [switch] $Locked,

        [Parameter()]
        [switch] $DenyList,

        [Parameter()]
        [switch] $FailWrites,

        [Parameter()]
        [ValidateRange(0, [int]::MaxValue)]
        [int] $FailWritesAfter,

        [Parameter()]
        [ValidateRange(0, [int]::MaxValue)]
        [int] $FailNextWrites,

        [Parameter()]
        [switch] $DropWrites,

        [Parameter()]
        [switch] $FailAfterWrite,

        [Parameter()]
        [ValidateRange(0, 3600)]
        [int] $WriteDelaySeconds,

        [Parameter()]
        [ValidateSet('ExtensionThrows', 'ExtensionWritesError', 'ExtensionQuotesValue')]
        [string] $WriteFailureStyle = 'ExtensionThrows'
    )
    if (-not $script:Vaults.ContainsKey($Name)) {
        throw [System.Management.Automation.ItemNotFoundException]::new("No stand-in vault named '$Name' is registered.")
    }
    $vault = $script:Vaults[$Name]
    $vault.Locked = [bool] $Locked
    $vault.DenyList = [bool] $DenyList
    $vault.FailWrites = [bool] $FailWrites
    $vault.FailWritesAfter = $(if ($PSBoundParameters.ContainsKey('FailWritesAfter')) { $FailWritesAfter } else { -1 })
    $vault.FailNextWrites = $FailNextWrites
    $vault.DropWrites = [bool] $DropWrites
    $vault.FailAfterWrite = [bool] $FailAfterWrite
    $vault.WriteDelaySeconds = $WriteDelaySeconds
    $vault.WritesSucceeded = 0
    $vault.WriteFailureStyle = $WriteFailureStyle
}

function Get-StandInSecret {
    <#
    .SYNOPSIS
    Stand-in only: returns the entry a vault holds for a secret name, bypassing locks and conversions.
    .DESCRIPTION
    Returns an object with Vault, Name, SecretType, Secret (a copy, of the type that was stored:
    a SecureString stays a SecureString) and Metadata (a Hashtable copy, or $null for a vault without
    metadata support). Returns nothing when the vault has no such secret.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true, Position = 0)]
        [ValidateNotNullOrEmpty()]
        [string] $Vault,

        [Parameter(Mandatory = $true, Position = 1)]
        [ValidateNotNullOrEmpty()]
        [string] $Name
    )
    if (-not $script:Vaults.ContainsKey($Vault)) {
        throw [System.Management.Automation.ItemNotFoundException]::new("No stand-in vault named '$Vault' is registered.")
    }
    $store = $script:Vaults[$Vault]
    if (-not $store.Secrets.ContainsKey($Name)) { return }
    $entry = $store.Secrets[$Name]
    $metadata = $null
    if ($null -ne $entry.Metadata) { $metadata = Copy-Metadata $entry.Metadata }
    $result = [pscustomobject]@{
        Vault      = $store.Name
        Name       = $entry.Name
        SecretType = Get-SecretTypeName $entry.Secret
        Secret     = Copy-SecretValue $entry.Secret
        Metadata   = $metadata
    }
    $result.PSObject.TypeNames.Insert(0, $script:StandInSecretTypeName)
    $result
}

function Get-StandInCallLog {
    <#
    .SYNOPSIS
    Stand-in only: one entry per SecretManagement command call, oldest first.
    .DESCRIPTION
    Each entry has Sequence, Command, ParameterSetName, ParameterNames (the names of the bound
    parameters, including common parameters and parameters bound from the pipeline) and Name (the
    -Name argument: a secret's or vault's name or wildcard pattern; empty when none). Other
    parameter values are never recorded, because they may be secrets.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Position = 0)]
        [SupportsWildcards()]
        [string] $Command = '*'
    )
    $pattern = [System.Management.Automation.WildcardPattern]::new($Command, [System.Management.Automation.WildcardOptions]::IgnoreCase)
    foreach ($entry in $script:CallLog) {
        if ($pattern.IsMatch($entry.Command)) { $entry }
    }
}

function Clear-StandInCallLog {
    <#
    .SYNOPSIS
    Stand-in only: empties the call log (vaults and secrets are kept).
    #>
    [CmdletBinding()]
    param()
    $script:CallLog.Clear()
    $script:CallSequence = 0
}

#endregion

Export-ModuleMember -Function @(
    'Register-SecretVault', 'Unregister-SecretVault', 'Get-SecretVault', 'Set-SecretVaultDefault',
    'Test-SecretVault', 'Unlock-SecretVault', 'Set-Secret', 'Set-SecretInfo', 'Get-Secret',
    'Get-SecretInfo', 'Remove-Secret',
    'Reset-StandInSecretStore', 'Register-StandInVault', 'Set-StandInVaultBehavior',
    'Get-StandInSecret', 'Get-StandInCallLog', 'Clear-StandInCallLog'
)
