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
        /// vault is wanted. The name is -SecretName, else (<paramref name="findExisting"/>: a rotation, a removal, a save)
        /// wherever the project's secret already is, else the default made valid for the vault. Throws ArgumentException for
        /// a -SecretName the vault cannot take, VaultException when the vault cannot be read.
        /// </summary>
        internal SecretSlot? Locate(string projectId, bool findExisting, ExternalSupportIntegration? saving = null)
        {
            SecretVault? vault = Current();
            if (vault is null) return null;
            string defaultName = vault.Extension.Derive(projectId);
            string name = GivenSecretName is null
                ? (findExisting ? WhereStored(vault, projectId, defaultName, saving) : null) ?? defaultName
                : NameFor(vault, projectId);
            return new SecretSlot(vault, name, defaultName, vault.Find(name));
        }

        /// <summary>
        /// The name the project's secret is under in the vault: where this session stored it (or meant to), the default name,
        /// or the one secret whose metadata names the project; null when none is found.
        /// </summary>
        private static string? WhereStored(SecretVault vault, string projectId, string defaultName, ExternalSupportIntegration? saving)
        {
            string? known = JelouSession.KnownName(vault.Name, projectId, saving);
            if (known != null && vault.Find(known) != null) return known;
            if (vault.Find(defaultName) != null) return defaultName;
            string[] tagged = vault.FindByProject(projectId);
            return tagged.Length == 1 ? tagged[0] : null;
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
        internal SecretSlot(SecretVault vault, string name, string defaultName, PSObject? existing)
        {
            Vault = vault;
            Name = name;
            DefaultName = defaultName;
            Existing = existing;
        }

        public SecretVault Vault { get; }
        public string Name { get; }

        /// <summary>The name JelouPS derives for the project.</summary>
        public string DefaultName { get; }

        /// <summary>The secret under the name now, as Get-SecretInfo describes it; null when there is none.</summary>
        public PSObject? Existing { get; }

        /// <summary>The existing secret's own name, as the vault spells it (vaults compare names without case).</summary>
        public string? ExistingName => Existing?.Properties["Name"]?.Value as string ?? (Existing is null ? null : Name);

        /// <summary>The existing secret's metadata, when the vault keeps it.</summary>
        public IDictionary? ExistingMetadata => Existing?.Properties["Metadata"]?.Value as IDictionary;

        /// <summary>The project the existing secret belongs to, by its metadata or by what this session stored there; null when unknown.</summary>
        public string? Owner => Existing is null ? null : Metadata("ProjectId") as string ?? JelouSession.StoredProject(Vault.Name, ExistingName!);

        /// <summary>When the existing secret was issued, by its metadata (rotation, else creation); null when unknown.</summary>
        public DateTimeOffset? ExistingIssuedAt => (Metadata("RegeneratedAt") ?? Metadata("CreatedAt")) is DateTime issued
            ? new DateTimeOffset(issued.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(issued, DateTimeKind.Utc) : issued.ToUniversalTime())
            : (DateTimeOffset?)null;

        /// <summary>
        /// Whether the existing secret is another project's: its metadata or this session says so, or, where nothing can
        /// say, its name is the default name of another project (Jelou-&lt;id&gt;). Such a secret is never replaced or removed.
        /// </summary>
        public bool IsOtherProjects(string projectId) => Existing != null && (Owner is string owner
            ? !string.Equals(owner, projectId, StringComparison.Ordinal)
            : ExistingName!.StartsWith("Jelou-", StringComparison.OrdinalIgnoreCase) && !string.Equals(ExistingName, DefaultName, StringComparison.OrdinalIgnoreCase));

        /// <summary>Why <see cref="IsOtherProjects"/> says so, for messages.</summary>
        public string OtherOwner => Owner is string owner ? $"the signing secret of project '{owner}'" : "another project's default name";

        private object? Metadata(string key) =>
            ExistingMetadata is IDictionary metadata && metadata.Contains(key) ? (metadata[key] is PSObject p ? p.BaseObject : metadata[key]) : null;
    }
}
