using System;
using System.Collections;
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
        private SecretVault? _named;
        private SecretVault? _default;

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
                _named = SecretVault.Open(Vault, GivenSecretName is null ? "No -Vault was given" : "-SecretName was given without -Vault");
            }
            catch (VaultException ex)
            {
                cmdlet.ThrowTerminatingError(ErrorMapper.From(ex, Vault));
            }
        }

        /// <summary>
        /// The vault for the current input, or null when none is wanted. A SecretName from a CSV row without -Vault means
        /// the default vault, for that row only; throws <see cref="VaultException"/> when there is none.
        /// </summary>
        internal SecretVault? Current()
        {
            if (_named != null) return _named;
            if (GivenSecretName is null) return null;
            return _default ??= SecretVault.Open(null, "A SecretName was given without -Vault");
        }

        /// <summary>
        /// Where the project's secret goes in the current input's vault, and what the vault holds there now; null when no
        /// vault is wanted. Throws ArgumentException for a -SecretName the vault cannot take, VaultException when the
        /// vault cannot be read.
        /// </summary>
        internal SecretSlot? Locate(string projectId)
        {
            SecretVault? vault = Current();
            if (vault is null) return null;
            string name = NameFor(vault, projectId);
            return new SecretSlot(vault, name, isDefaultName: name == vault.Extension.Derive(projectId), vault.Find(name));
        }

        /// <summary>
        /// The name for <paramref name="projectId"/>'s secret in <paramref name="vault"/>: -SecretName (checked against the
        /// vault's naming rule: ArgumentException when it cannot take it), or the default made valid for the vault.
        /// </summary>
        internal string NameFor(SecretVault vault, string projectId)
        {
            string? given = GivenSecretName;
            if (given is null) return vault.Extension.Derive(projectId);
            vault.CheckName(given);
            return given;
        }
    }

    /// <summary>A project's secret name in a vault, and the secret the vault holds under it now, if any.</summary>
    internal sealed class SecretSlot
    {
        internal SecretSlot(SecretVault vault, string name, bool isDefaultName, PSObject? existing)
        {
            Vault = vault;
            Name = name;
            IsDefaultName = isDefaultName;
            Existing = existing;
        }

        public SecretVault Vault { get; }
        public string Name { get; }

        /// <summary>The name JelouPS derives for the project (not a -SecretName of the user's choosing).</summary>
        public bool IsDefaultName { get; }

        /// <summary>The secret under the name now, as Get-SecretInfo describes it; null when there is none.</summary>
        public PSObject? Existing { get; }

        /// <summary>The existing secret's own name, as the vault spells it (vaults compare names without case).</summary>
        public string? ExistingName => Existing?.Properties["Name"]?.Value as string;

        /// <summary>The project the existing secret belongs to, by its metadata or by what this session stored there; null when unknown.</summary>
        public string? Owner => Existing is null ? null : Metadata("ProjectId") as string ?? JelouSession.StoredProject(Vault.Name, ExistingName ?? Name);

        /// <summary>When the existing secret was issued, by its metadata (rotation, else creation); null when unknown.</summary>
        public DateTimeOffset? ExistingIssuedAt => (Metadata("RegeneratedAt") ?? Metadata("CreatedAt")) is DateTime issued
            ? new DateTimeOffset(issued.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(issued, DateTimeKind.Utc) : issued.ToUniversalTime())
            : (DateTimeOffset?)null;

        /// <summary>Whether the existing secret is another project's, as its metadata or this session says.</summary>
        public bool IsOtherProjects(string projectId) => Owner is string owner && !string.Equals(owner, projectId, StringComparison.Ordinal);

        /// <summary>
        /// Whether the existing secret is the project's own: its metadata or this session says so, or, where nothing can say,
        /// it has exactly the project's default name.
        /// </summary>
        public bool IsProjects(string projectId) =>
            Owner is string owner ? string.Equals(owner, projectId, StringComparison.Ordinal) : IsDefaultName && string.Equals(ExistingName, Name, StringComparison.Ordinal);

        private object? Metadata(string key) =>
            Existing?.Properties["Metadata"]?.Value is IDictionary metadata && metadata.Contains(key) ? (metadata[key] is PSObject p ? p.BaseObject : metadata[key]) : null;
    }
}
