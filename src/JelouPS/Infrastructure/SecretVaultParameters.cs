using System;
using System.Collections;
using System.Linq;
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
        /// Where the project's secret (on the API <paramref name="source"/>) goes in the current input's vault, and what the
        /// vault holds there now; null when no vault is wanted. The name is -SecretName, else (<paramref name="findExisting"/>:
        /// a rotation, a removal, a reply, a save) wherever the project's secret already is, else the default made valid for
        /// the vault. Throws ArgumentException for a -SecretName the vault cannot take, VaultException when the vault
        /// cannot be read.
        /// </summary>
        internal SecretSlot? Locate(string projectId, Uri? source, bool findExisting, ExternalSupportIntegration? saving = null)
        {
            SecretVault? vault = Current();
            if (vault is null) return null;
            string defaultName = vault.Extension.Derive(projectId);
            string? known = saving is null ? null : JelouSession.MeantName(saving, vault.Name);
            known ??= JelouSession.StoredName(vault.Name, source, projectId);
            if (GivenSecretName != null)
            {
                string name = NameFor(vault, projectId);
                return new SecretSlot(vault, name, defaultName, known, source, vault.Find(name));
            }
            if (!findExisting) return new SecretSlot(vault, defaultName, defaultName, known, source, vault.Find(defaultName));
            // Where this session put it (or meant to), the default name, or the one secret whose metadata names the project.
            if (known != null)
            {
                PSObject? there = vault.Find(known);
                if (there != null || (saving != null && known == JelouSession.MeantName(saving, vault.Name))) return new SecretSlot(vault, known, defaultName, known, source, there);
            }
            PSObject? atDefault = vault.Find(defaultName);
            if (atDefault is null && vault.Extension.KeepsMetadata)
            {
                PSObject[] tagged = vault.FindByProject(projectId, source);
                if (tagged.Length == 1) return new SecretSlot(vault, (string)tagged[0].Properties["Name"].Value, defaultName, known, source, tagged[0]);
                if (tagged.Length > 1)
                {
                    string names = string.Join(", ", tagged.Select(secret => $"'{secret.Properties["Name"].Value}'"));
                    return new SecretSlot(vault, defaultName, defaultName, known, source, null,
                        $"vault {vault.Display} has no secret named '{defaultName}', and {tagged.Length} secrets whose metadata names project '{projectId}' ({names}): which one is live cannot be told");
                }
            }
            return new SecretSlot(vault, defaultName, defaultName, known, source, atDefault);
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

    /// <summary>Whose the secret already under a name is, as far as anything can tell.</summary>
    internal enum Ownership
    {
        /// <summary>There is no secret under the name.</summary>
        None,
        /// <summary>The project's own: its metadata or this session says so, or it is under the project's default name or where this session put the project's secret.</summary>
        Own,
        /// <summary>Another project's: its metadata or this session says so, or it is under another project's default name (Jelou-&lt;id&gt;). Never replaced or removed.</summary>
        Other,
        /// <summary>Nothing tells whose: replaced or removed only with -Force.</summary>
        Unknown,
    }

    /// <summary>A project's secret name in a vault, and the secret the vault holds under it now, if any.</summary>
    internal sealed class SecretSlot
    {
        internal SecretSlot(SecretVault vault, string name, string defaultName, string? knownName, Uri? source, PSObject? existing, string? ambiguity = null)
        {
            Ambiguity = ambiguity;
            Vault = vault;
            Name = name;
            DefaultName = defaultName;
            KnownName = knownName;
            Source = source;
            Existing = existing;
        }

        public SecretVault Vault { get; }
        public string Name { get; }

        /// <summary>The name JelouPS derives for the project.</summary>
        public string DefaultName { get; }

        /// <summary>Where this session stored the project's secret in the vault (or meant to), if anywhere.</summary>
        public string? KnownName { get; }

        /// <summary>Why the project's secret was not found although the vault may hold it (several secrets name the project); null otherwise.</summary>
        public string? Ambiguity { get; }

        /// <summary>The API the project lives on.</summary>
        public Uri? Source { get; }

        /// <summary>The secret under the name now, as Get-SecretInfo describes it; null when there is none.</summary>
        public PSObject? Existing { get; }

        /// <summary>The existing secret's own name, as the vault spells it (vaults compare names without case).</summary>
        public string? ExistingName => Existing is null ? null : Existing.Properties["Name"]?.Value as string ?? Name;

        /// <summary>The existing secret's metadata, when the vault keeps it.</summary>
        public IDictionary? ExistingMetadata => Existing?.Properties["Metadata"]?.Value as IDictionary;

        /// <summary>Whose the existing secret is, by its metadata (project and API) or by what this session stored there; null when unknown.</summary>
        public SecretOwner? Owner => Existing is null ? null
            : Metadata("ProjectId") is string project ? new SecretOwner(project, Metadata("ApiBaseUri") is string api && Uri.TryCreate(api, UriKind.Absolute, out Uri? uri) ? uri : null)
            : JelouSession.StoredOwner(Vault.Name, ExistingName!);

        /// <summary>When the existing secret was issued, by its metadata (rotation, else creation); null when unknown.</summary>
        public DateTimeOffset? ExistingIssuedAt => (Metadata("RegeneratedAt") ?? Metadata("CreatedAt")) is DateTime issued
            ? new DateTimeOffset(issued.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(issued, DateTimeKind.Utc) : issued.ToUniversalTime())
            : (DateTimeOffset?)null;

        /// <summary>Whose the existing secret is, for <paramref name="projectId"/>.</summary>
        public Ownership OwnershipFor(string projectId)
        {
            if (Existing is null) return Ownership.None;
            if (Owner is SecretOwner owner) return owner.Is(projectId, Source) ? Ownership.Own : Ownership.Other;
            if (IsJelouName(DefaultName) || IsJelouName(Prefix + projectId) || Same(ExistingName, KnownName)) return Ownership.Own;
            return ExistingName!.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase) ? Ownership.Other : Ownership.Unknown;
        }

        /// <summary>Why the existing secret is another project's, for messages.</summary>
        public string OtherOwner => Owner is SecretOwner owner ? $"the signing secret of {owner}" : $"the default name of project '{ExistingName!.Substring(Prefix.Length)}'";

        private const string Prefix = "Jelou-";

        // Jelou-<id> names the project <id>, exactly: vaults find Jelou-Q5 when asked for Jelou-q5, but it is project Q5's.
        private bool IsJelouName(string name) =>
            ExistingName!.Length == name.Length && ExistingName.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase)
            && string.CompareOrdinal(ExistingName, Prefix.Length, name, Prefix.Length, name.Length) == 0;

        private static bool Same(string? first, string? second) => second != null && string.Equals(first, second, StringComparison.OrdinalIgnoreCase);

        private object? Metadata(string key) =>
            ExistingMetadata is IDictionary metadata && metadata.Contains(key) ? (metadata[key] is PSObject p ? p.BaseObject : metadata[key]) : null;
    }
}
