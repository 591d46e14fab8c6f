using System.Management.Automation;

namespace JelouPS.Infrastructure
{
    /// <summary>
    /// -Vault and -SecretName, declared once for every cmdlet that stores, reads or removes a signing secret (New-,
    /// Reset-, Remove-JelouExternalSupport, Save-JelouSigningSecret, Send-JelouSupportMessage). A cmdlet offers them
    /// as its dynamic parameters: they bind, complete and show in Get-Command and Get-Help like any other.
    /// </summary>
    public sealed class SecretVaultParameters
    {
        private SecretVault? _vault;

        /// <summary>The SecretManagement vault; SecretManagement's default vault when only -SecretName is given.</summary>
        [Parameter]
        [Trimmed]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(VaultNameCompleter))]
        public string? Vault { get; set; }

        /// <summary>The secret's name in the vault; by default Jelou-&lt;ProjectId&gt;, made valid for the vault (also for a blank CSV cell).</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Trimmed]
        public string? SecretName { get; set; }

        /// <summary>-SecretName, unless blank.</summary>
        internal string? GivenSecretName => PowerShellValues.Given(SecretName);

        /// <summary>
        /// Opens the vault the command line names (-Vault, or the default vault for -SecretName alone, or with
        /// <paramref name="required"/> for neither), ending the command before any API call when it cannot be used.
        /// </summary>
        internal void Open(JelouCmdletBase cmdlet, bool required = false)
        {
            if (Vault is null && GivenSecretName is null && !required) return;
            try
            {
                _vault = SecretVault.Open(Vault);
            }
            catch (VaultException ex)
            {
                cmdlet.ThrowTerminatingError(ErrorMapper.From(ex, Vault));
            }
        }

        /// <summary>
        /// The vault for the current input, or null when none is wanted. A SecretName from a CSV row without -Vault means
        /// the default vault, opened on first use; throws <see cref="VaultException"/> when there is none.
        /// </summary>
        internal SecretVault? Current()
        {
            if (_vault is null && GivenSecretName != null) _vault = SecretVault.Open(null);
            return _vault;
        }

        /// <summary>
        /// The name for <paramref name="projectId"/>'s secret in <paramref name="vault"/>: -SecretName (checked against the
        /// vault's naming rule: ArgumentException when it cannot take it), or the default made valid for the vault.
        /// </summary>
        internal string NameFor(SecretVault vault, string projectId)
        {
            string? given = GivenSecretName;
            if (given is null) return vault.NameRule.Derive(projectId);
            vault.CheckName(given);
            return given;
        }
    }
}
