@{
    RootModule             = 'JelouPS.dll'
    ModuleVersion          = '0.4.22'
    GUID                   = 'e179a416-2602-4e94-84b6-3754c10ebd6b'
    Author                 = 'JelouPS contributors'
    CompanyName            = 'JelouPS'
    Copyright              = '(c) 2026 JelouPS contributors. MIT License.'
    Description            = 'Manage Jelou External Support integrations from PowerShell: create and rotate integrations, keep the one-time signing secret in a SecretManagement vault, and get typed objects and clear errors back.'
    CompatiblePSEditions   = @('Desktop', 'Core')
    PowerShellVersion      = '5.1'
    DotNetFrameworkVersion = '4.7.2'
    FormatsToProcess       = @('JelouPS.Format.ps1xml')
    NestedModules          = @('JelouPS.VersionGuard.dll')
    CmdletsToExport        = @(
        'Connect-Jelou'
        'Disconnect-Jelou'
        'Get-JelouContext'
        'New-JelouExternalSupport'
        'Get-JelouExternalSupport'
        'Set-JelouExternalSupport'
        'Remove-JelouExternalSupport'
        'Reset-JelouExternalSupportSecret'
        'Save-JelouSigningSecret'
        'Start-JelouConversation'
        'Close-JelouConversation'
        'Get-JelouConversation'
        'Send-JelouSupportMessage'
        'Get-JelouWebhookSignature'
        'Test-JelouWebhookSignature'
        'ConvertFrom-JelouWebhookEvent'
        'Send-JelouTestEvent'
        'Receive-JelouWebhookEvent'
    )
    FunctionsToExport      = @()
    AliasesToExport        = @()
    VariablesToExport      = @()
    PrivateData            = @{
        PSData = @{
            # build.ps1 adds PSIncludes_Cmdlet, PSCmdlet_/PSCommand_<name> for each cmdlet above and
            # PSEdition_<edition> for each compatible edition, so searches by command name find JelouPS.
            Tags         = @('Jelou', 'ExternalSupport', 'Webhook', 'HMAC', 'SecretManagement', 'API', 'Windows', 'Linux', 'MacOS')
            LicenseUri   = 'https://github.com/jelouPS/JelouPS/blob/main/LICENSE'
            ProjectUri   = 'https://github.com/jelouPS/JelouPS'
            # build.ps1 fills this from the CHANGELOG.md section of ModuleVersion.
            ReleaseNotes = ''
        }
    }
}
