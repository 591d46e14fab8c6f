using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using System.Security;
using JelouPS.Secrets;

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

        /// <summary>
        /// The secret's name in the vault; by default Jelou-&lt;ProjectId&gt;, made valid for the vault. Blank (a CSV cell)
        /// counts as not given: without -Vault, that input uses no vault.
        /// </summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Trimmed]
        public string? SecretName { get; set; }

        /// <summary>-SecretName, unless blank.</summary>
        internal string? GivenSecretName => PowerShellValues.Given(SecretName);

        /// <summary>
        /// The vault (and -SecretName) of this command and input, as advice that runs another command on the same secret
        /// gives them: -Vault 'KV' -SecretName 'crm'; -Vault &lt;vault&gt; when no vault is in use.
        /// </summary>
        internal string AdviceArguments => (_named ?? (GivenSecretName is null ? null : _default)) is SecretVault vault
            ? GivenSecretName is string name ? SecretIssuer.Place(vault.Name, name) : $"-Vault {SecretIssuer.Quote(vault.Name)}"
            : NoVault;

        /// <summary>Advice's placeholder for a vault: the command had none.</summary>
        internal const string NoVault = "-Vault <vault>";

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
        /// Ends the command when the vault <see cref="Open"/> opened cannot take -SecretName, or lists no secret of that name:
        /// for a command that uses one name for all it does (a receiver, whose every delivery it would refuse 401, which Jelou
        /// does not send again), and when what it holds there is no secret any delivery could verify with (blank, a signature).
        /// With <paramref name="fallback"/> (secrets given besides, which verify what they can) a missing secret is warned of
        /// instead. A vault that cannot list its secrets (an identity without List) is read by the name
        /// when it is needed.
        /// </summary>
        internal void StopIfNameUnusable(JelouCmdletBase cmdlet, bool fallback)
        {
            if (_named is null || GivenSecretName is not string name) return;
            try
            {
                _named.CheckName(name);
                // Read by the name, as a vault whose identity may not list (Get and not List) gives it too.
                using SecureString held = _named.ReadIfAny(name, out _) ?? throw _named.Missing(name, given: true);
                // A copy no delivery could verify with (blank, a signature) would have each answered 401, and lost.
                if (JelouPS.Security.SecureStrings.SigningSecretProblem(held) is string problem && JelouPS.Security.SecureStrings.RulesOut(problem))
                {
                    throw Unusable(_named, name, "the signing secret -SecretName names", problem, "<project>");
                }
            }
            catch (ArgumentException ex)
            {
                cmdlet.ThrowTerminatingError(ErrorMapper.From(ex, name));
            }
            catch (VaultException ex) when (ex.CannotReadNow)
            {
                // It can be neither listed nor read now: each delivery reads the name, and says what the vault answered.
            }
            catch (VaultException ex) when (fallback)
            {
                cmdlet.Warn($"{ex.Message} Only deliveries -SigningSecret verifies are taken until it is stored there.");
            }
            catch (VaultException ex)
            {
                cmdlet.ThrowTerminatingError(ErrorMapper.From(ex, name));
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

        // What a copy read from a file may have around a secret (white space, a byte order mark, and quotation marks as SecureStrings.IsQuotationMark
        // knows them), as a PowerShell literal of a -replace pattern. Every mark but the straight ones is written as a \u escape:
        // PowerShell takes curly single quotes for quotes.
        private static readonly string AroundPattern = MendPattern();

        private static string MendPattern()
        {
            static string Escaped(char c) => c == '\'' ? "''" : c < 0x80 ? c.ToString() : "\\u" + ((int)c).ToString("X4", CultureInfo.InvariantCulture);
            var marks = new System.Text.StringBuilder(@"\s\uFEFF\p{Pi}\p{Pf}");
            foreach (char c in JelouPS.Security.SecureStrings.QuotationMarks) marks.Append(Escaped(c));
            // A .NET pattern matches UTF-16 units: a mark outside the BMP is its pair of surrogates.
            string any = $"(?:[{marks}]|{Escaped(JelouPS.Security.SecureStrings.OrnamentHigh)}[{Escaped(JelouPS.Security.SecureStrings.OrnamentLowFirst)}-{Escaped(JelouPS.Security.SecureStrings.OrnamentLowLast)}])+";
            return $"'^{any}|{any}$'";
        }

        /// <summary>
        /// The command that stores the secret named <paramref name="name"/> in <paramref name="vault"/> again without what a copy
        /// read from a file had around it: as a SecureString (what the module stores), or, for a <paramref name="credential"/>,
        /// as a PSCredential of the same user name (Get-Secret -AsPlainText leaves one as it is, which -replace would make
        /// into its type's name, and store that in the secret's place); with its metadata given again where the vault keeps
        /// metadata: Set-Secret alone may drop it, and with it what names the project.
        /// </summary>
        internal static string Mend(SecretVault vault, string name, bool credential)
        {
            string read = $"Get-Secret -Name {SecretIssuer.Quote(name)} -Vault {SecretIssuer.Quote(vault.Name)}";
            string store = $"Set-Secret -Name {SecretIssuer.Quote(name)} -Vault {SecretIssuer.Quote(vault.Name)} -Secret ";
            string metadata = vault.Extension.KeepsMetadata ? $" -Metadata (Get-SecretInfo -Name {SecretIssuer.Quote(name)} -Vault {SecretIssuer.Quote(vault.Name)}).Metadata" : "";
            return credential
                // One statement, as the other is: a line pasted from its Set-Secret on still runs.
                ? $"{store}(& {{ $copy = {read}; [pscredential]::new($copy.UserName, (ConvertTo-SecureString ($copy.GetNetworkCredential().Password -replace {AroundPattern}) -AsPlainText -Force)) }}){metadata}"
                : $"{store}(ConvertTo-SecureString (({read} -AsPlainText) -replace {AroundPattern}) -AsPlainText -Force){metadata}";
        }

        /// <summary>
        /// Reads the project's signing secret (from the API <paramref name="source"/>, null when any) from the current input's
        /// vault, for signing a reply or verifying a delivery: -SecretName, else where the project's secret is (the newest by
        /// metadata, where this session put it, its Jelou- name, or what its metadata says); its other copies do not matter
        /// here, so a given name is not searched past. A vault that gives a secret by name but cannot list its secrets (an
        /// Azure Key Vault identity with the Get permission and not List: its extension's Get-SecretInfo lists them all) is
        /// read by name, -SecretName else the default name, whose owner cannot be checked then. Null when no vault is wanted.
        /// Throws ArgumentException for a secret that is another project's or when several could be it, VaultException when
        /// the vault cannot be read.
        /// </summary>
        /// <param name="doubted">
        /// A warning for the caller to write when a rotation without an answer (or another process's) may have made the secret
        /// dead; null otherwise.
        /// </param>
        /// <param name="verifying">The secret checks deliveries (a receiver) rather than signs replies: what a dead one means is said so.</param>
        /// <param name="warning">
        /// A warning for the caller to write about the copy read: it had something around it (a line break, quotation marks),
        /// and the secret returned is what was inside, with the command that stores it so (<see cref="Mend"/>); or, for a
        /// receiver, it cannot be one Jelou issued. Null otherwise.
        /// </param>
        internal SecureString? ReadSigningSecret(string projectId, Uri? source, out string? doubted, out string? warning, bool verifying = false)
        {
            doubted = null;
            warning = null;
            SecretVault? vault = Current();
            if (vault is null) return null;
            string name;
            SecureString secret;
            bool credential;
            try
            {
                SecretSlot slot = Locate(projectId, source, findExisting: GivenSecretName is null)!;
                if (slot.Ownership == Ownership.Other)
                {
                    throw new ArgumentException($"{SecretIssuer.Quote(slot.ExistingName!)} in vault {slot.Vault.Display} is {slot.OtherOwner}: it is not the signing secret of project '{projectId}'. Give this project's -SecretName.");
                }
                // Said for the project alone: a -SecretName would serve a receiver's every project.
                if (slot.Ambiguity is string ambiguous) throw new ArgumentException($"{ambiguous}: remove those that no longer work (Remove-Secret), or give -SecretName the one to read.");
                name = slot.Name;
                secret = vault.Read(name, out credential, given: GivenSecretName != null);
            }
            catch (VaultException listing) when (listing.ErrorId == ErrorMapper.VaultUnavailable)
            {
                name = NameFor(vault, projectId);
                secret = ReadByName(vault, name, listing, out credential);
                StopIfFolded(vault, name, projectId, secret);
            }
            // A copy stored from a file or a form (a line break, quotation marks around it) is used without them, as -SigningSecret
            // is, and the warning gives the command that mends the vault's copy: a reply signed with it as it is would be refused,
            // and a delivery checked with it lost. A blank one would verify what anyone signs with nothing, a signature nothing Jelou
            // signs: refused. One with something inside that no secret Jelou issues has cannot be mended: a reply is refused, and a
            // receiver warns of it (a delivery checked with it only fails to verify).
            string? problem = JelouPS.Security.SecureStrings.SigningSecretProblem(secret);
            if (problem != null && JelouPS.Security.SecureStrings.IssuedWithin(secret, out string around) is SecureString within)
            {
                secret.Dispose();
                secret = within;
                warning = $"The signing secret of {projectId} in vault {vault.Display} ({SecretIssuer.Quote(name)}) {around}: {(verifying ? "deliveries are verified" : "replies are signed")} without them. " +
                    $"Store it there without them" + (vault.Extension.KeepsMetadata ? ", and its metadata: " : ": ") + Mend(vault, name, credential);
            }
            else if (problem != null && (!verifying || JelouPS.Security.SecureStrings.RulesOut(problem)))
            {
                secret.Dispose();
                throw Unusable(vault, name, $"read as the signing secret of project '{projectId}'", problem, SecretIssuer.Quote(projectId));
            }
            else if (problem != null)
            {
                warning = WebhookParameters.Unlikely(problem, $"The signing secret of {projectId} in vault {vault.Display}");
            }
            if (JelouSession.IsDead(secret))
            {
                throw new VaultException(ErrorMapper.SecretReplaced, $"{SecretIssuer.Quote(name)} in vault {vault.Display} holds a signing secret of project '{projectId}' that Jelou has replaced since (this session saw it rotated, or the integration deleted): " +
                    (verifying ? "Jelou no longer signs deliveries with it, so they would be refused (401). " : "a reply signed with it would be refused. ") +
                    SecretIssuer.WhereLiveIs(source, projectId, vault.Name, name), transient: false);
            }
            if (JelouSession.DoubtAbout(source, projectId) is JelouSession.Doubt doubt)
            {
                doubted = $"{doubt.Why}: the signing secret of {projectId} read from vault {vault.Display} may no longer work" +
                    (verifying ? ", and deliveries Jelou signs with the live one are then refused (401). Rotate" : ". If Jelou refuses the reply (JelouSignatureRejected), rotate") +
                    $" again to hold one you know is live: Reset-JelouExternalSupportSecret {SecretIssuer.Quote(projectId)} -Force {AdviceArguments}.";
            }
            return secret;
        }

        // The error for the copy under <name>, read as <readAs>, that cannot be a signing secret (its problem): what mends it is
        // the secret Jelou issued stored there, or a new one (<project>: as the command's argument).
        private static VaultException Unusable(SecretVault vault, string name, string readAs, string problem, string project) =>
            new VaultException(ErrorMapper.VaultReadFailed, $"{SecretIssuer.Quote(name)} in vault {vault.Display}, {readAs}, {problem}.",
                $"Store the project's signing secret there as Jelou issued it, or get a new one: Reset-JelouExternalSupportSecret {project} -Force {SecretIssuer.Place(vault.Name, name)}.",
                transient: false);

        // A vault that cannot list cannot say whose secret it gave by name. Given Jelou-P1, the plain name of project P1 (whose
        // default name is hashed for this reason), one that compares names without letter case gives Jelou-p1, project p1's:
        // when the lower-case name gives the same secret, nothing tells whose it is, and it is not used.
        private static void StopIfFolded(SecretVault vault, string name, string projectId, SecureString secret)
        {
            if (!(VaultExtension.PlainNameOf(name) is string id) || id == id.ToLowerInvariant()) return;
            string folded = VaultExtension.Prefix + id.ToLowerInvariant();
            using SecureString? other = vault.ReadIfAny(folded, out _);
            if (other is null || !JelouPS.Security.SecureStrings.Equal(other, secret)) return;
            secret.Dispose();
            throw new ArgumentException($"Vault {vault.Display} gives the same secret for {SecretIssuer.Quote(name)} as for {SecretIssuer.Quote(folded)}, project '{id.ToLowerInvariant()}''s default name " +
                $"(it compares names without letter case), and cannot list its secrets to tell whose it is: it is not used as the signing secret of project '{projectId}'. " +
                $"Store this project's secret under its default name {SecretIssuer.Quote(vault.Extension.Derive(projectId))} (and leave -SecretName out), or under a name that does not start with '{VaultExtension.Prefix}' (and give that).");
        }

        // The secret under the name, for a vault that could not list its secrets: when reading fails too (a locked vault), the
        // listing's error says it better.
        private SecureString ReadByName(SecretVault vault, string name, VaultException listing, out bool credential)
        {
            SecureString? secret;
            try
            {
                secret = vault.ReadIfAny(name, out credential);
            }
            catch (VaultException failed) when (failed.CannotReadNow)
            {
                throw listing;
            }
            return secret ?? throw new VaultException(ErrorMapper.VaultReadFailed,
                $"Vault {vault.Display} could not list its secrets ({listing.VaultError?.ToString() ?? "it gave no reason"}), so the signing secret was looked for by name, and it has no secret named '{name}'.",
                (GivenSecretName is null ? "Give -SecretName: the name" : "Check -SecretName: it must be the exact name") +
                $" of the project's signing secret in vault {SecretIssuer.Quote(vault.Name)}; or let the identity list the vault's secrets.", transient: false);
        }

        /// <summary>
        /// <see cref="Locate"/> for a create, rotation, save or removal, which must see what the vault holds. Refused its first
        /// listing of the vault (an identity with Get and not List; locked), the command cannot use it, as when Test-SecretVault
        /// fails at its start: the VaultException ends it, rather than list again and fail for each input. After a listing that
        /// worked, a failure may pass, and only the input fails. (A reply or a receiver reads a secret by name instead.)
        /// </summary>
        internal SecretSlot? LocateToChange(string projectId, Uri? source, bool findExisting, ExternalSupportIntegration? saving = null)
        {
            try
            {
                return Locate(projectId, source, findExisting, saving);
            }
            catch (VaultException listing) when (listing.ErrorId == ErrorMapper.VaultUnavailable && Current() is SecretVault vault && !vault.HasListed)
            {
                throw listing.EndingCommand();
            }
        }

        /// <summary>
        /// Where the project's secret (on the API <paramref name="source"/>) goes in the current input's vault, and what the
        /// vault holds there now; null when no vault is wanted. The name is -SecretName, else (<paramref name="findExisting"/>:
        /// a rotation, a removal, a reply, a save) wherever the project's secret already is, else the default made valid for
        /// the vault. Throws ArgumentException for a -SecretName the vault cannot take or that is another project's name,
        /// VaultException when the vault cannot be read.
        /// </summary>
        internal SecretSlot? Locate(string projectId, Uri? source, bool findExisting, ExternalSupportIntegration? saving = null)
        {
            SecretVault? vault = Current();
            if (vault is null) return null;
            string? meant = saving is null ? null : JelouSession.MeantName(saving, vault.Name);
            string? known = meant ?? JelouSession.StoredName(vault.Name, source, projectId);
            // The known, given, default and plain names are often the same name: each is looked up once.
            var lookedUp = new Dictionary<string, PSObject?>(StringComparer.OrdinalIgnoreCase);
            SecretSlot At(string name)
            {
                if (!lookedUp.TryGetValue(name, out PSObject? existing)) lookedUp[name] = existing = vault.Find(name);
                return new SecretSlot(vault, projectId, source, name, known, existing);
            }
            SecretSlot? given = GivenSecretName is null ? null : At(NameFor(vault, projectId));
            string defaultName = vault.Extension.Derive(projectId);
            if (!findExisting) return given ?? At(defaultName);

            // Every secret that is provably the project's: where this session put it, its default or plain Jelou-<id> name,
            // and those whose metadata names it.
            var found = new List<SecretSlot>();
            void Add(SecretSlot slot)
            {
                if (slot.Ownership == Ownership.Own && !found.Any(f => SecretSlot.Same(f.ExistingName, slot.ExistingName))) found.Add(slot);
            }
            SecretSlot? atKnown = known is null ? null : At(known);
            if (atKnown != null) Add(atKnown);
            SecretSlot atDefault = At(defaultName);
            Add(atDefault);
            string plain = VaultExtension.Prefix + projectId;
            if (!SecretSlot.Same(plain, defaultName) && vault.Extension.Check(plain) is null) Add(At(plain));
            if (vault.Extension.KeepsMetadata)
            {
                foreach (PSObject tagged in vault.FindByProject(projectId, source))
                {
                    Add(new SecretSlot(vault, projectId, source, (string)tagged.Properties["Name"].Value, known, tagged));
                }
            }

            // -SecretName; else where a failed write meant to put this secret; else the newest by metadata; else where this
            // session last put it; else the one found; else the default name.
            SecretSlot? newest = Newest(found);
            SecretSlot primary = given
                ?? (meant != null ? atKnown : null)
                ?? newest
                ?? (atKnown?.Existing != null ? atKnown : null)
                ?? (found.Count == 1 ? found[0] : null)
                ?? atDefault;
            string? ambiguity = given is null && found.Count > 1 && primary == atDefault
                ? $"{found.Count} secrets in vault {vault.Display} are signing secrets of project '{projectId}' ({string.Join(", ", found.Select(f => SecretIssuer.Quote(f.ExistingName!)))}), and nothing tells which is the newest"
                : null;
            return primary.With(found.Where(f => !SecretSlot.Same(f.ExistingName, primary.ExistingName ?? primary.Name)).ToList(), ambiguity);
        }

        // The one secret issued last, when every candidate's metadata says when it was issued.
        private static SecretSlot? Newest(List<SecretSlot> found)
        {
            if (found.Count < 2 || found.Any(f => f.ExistingIssuedAt is null)) return null;
            List<SecretSlot> ordered = found.OrderByDescending(f => f.ExistingIssuedAt).ToList();
            return ordered[0].ExistingIssuedAt > ordered[1].ExistingIssuedAt ? ordered[0] : null;
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
            if (VaultExtension.IsProjectName(given) && !vault.Extension.IsNameOf(given, projectId))
            {
                // The project's default name typed in another letter case ('jelou-P1' for 'Jelou-p1'), by which most vaults find
                // it: that name, spelt as JelouPS stores it, which a vault that tells letter case apart needs.
                string own = vault.Extension.Derive(projectId);
                if (string.Equals(given, own, StringComparison.OrdinalIgnoreCase)) return own;
                string? other = VaultExtension.PlainNameOf(given);
                string whose = other is null ? "another project" : $"project '{other}'";
                throw new ArgumentException($"The secret name '{given}' has the form of the name JelouPS gives the signing secret of {whose}, so it cannot hold the signing secret of project '{projectId}'" +
                    (string.Equals(other, projectId, StringComparison.OrdinalIgnoreCase) ? " (the letter case of a project id counts). " : ". ") +
                    $"Choose a name that does not start with '{VaultExtension.Prefix}', or leave -SecretName out.");
            }
            return given;
        }
    }

    /// <summary>What a name read again just before a write or removal over it holds (<see cref="SecretSlot.Compare"/>).</summary>
    internal enum FoundAgain
    {
        /// <summary>What the slot read, or what this process last stored there: the write or removal goes ahead.</summary>
        Unchanged,
        /// <summary>Another project's secret: never replaced or removed.</summary>
        AnotherProjects,
        /// <summary>A secret of the project another process put there: left, as which is live is unknown.</summary>
        ReplacedElsewhere,
    }

    /// <summary>Whose the secret already under a name is, as far as anything can tell.</summary>
    internal enum Ownership
    {
        /// <summary>There is no secret under the name.</summary>
        None,
        /// <summary>The project's own: its metadata or this session says so, or it has a name JelouPS gives the project, or it is where this session put the project's secret.</summary>
        Own,
        /// <summary>Another project's: its metadata or this session says so, or it has a Jelou- name that is not this project's. Never replaced, removed or read for it.</summary>
        Other,
        /// <summary>Nothing tells whose: only New- and Save- replace it, with -Force.</summary>
        Unknown,
    }

    /// <summary>A project's secret name in a vault, and the secret the vault holds under it now, if any.</summary>
    internal sealed class SecretSlot
    {
        internal SecretSlot(SecretVault vault, string projectId, Uri? source, string name, string? knownName, PSObject? existing)
        {
            Vault = vault;
            ProjectId = projectId;
            Source = source;
            Name = name;
            KnownName = knownName;
            Existing = existing;
        }

        public SecretVault Vault { get; }
        public string ProjectId { get; }

        /// <summary>The API the project lives on.</summary>
        public Uri? Source { get; }

        public string Name { get; }

        /// <summary>The name JelouPS derives for the project in this vault.</summary>
        public string DefaultName => Vault.Extension.Derive(ProjectId);

        /// <summary>Where this session stored the project's secret in the vault (or meant to), if anywhere.</summary>
        public string? KnownName { get; }

        /// <summary>The secret under the name now, as Get-SecretInfo describes it; null when there is none.</summary>
        public PSObject? Existing { get; }

        /// <summary>The vault's secret under the name, read again; null when there is none now.</summary>
        internal SecretSlot? Reread() =>
            Vault.Find(ExistingName ?? Name) is PSObject found ? new SecretSlot(Vault, ProjectId, Source, Name, KnownName, found) : null;

        /// <summary>
        /// What <paramref name="now"/> (the name read again just before a write or removal over it) holds against what this
        /// slot read: another project's secret (stored there meanwhile, by anyone: that this process stored it does not make
        /// it this project's); else a secret that is neither what this slot read nor what this process last stored there
        /// (another process put it there: told by the issue time in the metadata, or the metadata as a whole when neither has
        /// a time; a vault that keeps no metadata cannot tell); else nothing that stops the write.
        /// </summary>
        internal FoundAgain Compare(SecretSlot now)
        {
            if (now.Ownership == Ownership.Other) return FoundAgain.AnotherProjects;
            if (!Vault.Extension.KeepsMetadata || Holds(now)) return FoundAgain.Unchanged;
            return JelouSession.LastStoredHere(Vault.Name, now.ExistingName ?? Name, now.ExistingIssuedAt) ? FoundAgain.Unchanged : FoundAgain.ReplacedElsewhere;
        }

        // Whether both reads found the same secret.
        private bool Holds(SecretSlot now)
        {
            if (Existing is null) return false;
            if (ExistingIssuedAt != null || now.ExistingIssuedAt != null) return ExistingIssuedAt == now.ExistingIssuedAt;
            return MetadataText(ExistingMetadata) == MetadataText(now.ExistingMetadata);
        }

        private static string MetadataText(IDictionary? metadata) =>
            metadata is null ? "" : string.Join("\n", metadata.Keys.Cast<object>().Select(key => $"{key}={Convert.ToString(metadata[key], CultureInfo.InvariantCulture)}").OrderBy(entry => entry, StringComparer.Ordinal));

        /// <summary>The project's other secrets in the vault (its own, by name, metadata or this session): dead copies, or the live one when this is not.</summary>
        public IReadOnlyList<SecretSlot> Others { get; private set; } = Array.Empty<SecretSlot>();

        /// <summary>Why it cannot be told which of the project's secrets is the live one; null when it can.</summary>
        public string? Ambiguity { get; private set; }

        internal SecretSlot With(IReadOnlyList<SecretSlot> others, string? ambiguity)
        {
            Others = others;
            Ambiguity = ambiguity;
            return this;
        }

        /// <summary>The existing secret's own name, as the vault spells it (vaults compare names without case).</summary>
        public string? ExistingName => Existing is null ? null : Existing.Properties["Name"]?.Value as string ?? Name;

        /// <summary>The existing secret's metadata, when the vault keeps it.</summary>
        public IDictionary? ExistingMetadata => Existing?.Properties["Metadata"]?.Value as IDictionary;

        /// <summary>Whose the existing secret is, by its metadata (project and API) or by what this session stored there; null when unknown.</summary>
        public SecretOwner? Owner => Existing is null ? null : SecretOwner.FromMetadata(ExistingMetadata) ?? JelouSession.StoredOwner(Vault.Name, ExistingName!);

        /// <summary>
        /// When the existing secret was issued, by its metadata (rotation, else creation): a DateTime (zone-less is UTC), or
        /// ISO 8601 text, as vaults that keep metadata as JSON return it; null when unknown.
        /// </summary>
        public DateTimeOffset? ExistingIssuedAt =>
            PowerShellValues.Time(PowerShellValues.Entry(ExistingMetadata, "RegeneratedAt") ?? PowerShellValues.Entry(ExistingMetadata, "CreatedAt"));

        /// <summary>Whether this session put the project's secret under this name (or meant to).</summary>
        public bool IsWhereSessionPutIt => Same(ExistingName ?? Name, KnownName);

        /// <summary>Whose the existing secret is.</summary>
        public Ownership Ownership
        {
            get
            {
                if (Existing is null) return Ownership.None;
                if (Owner is SecretOwner owner) return owner.Is(ProjectId, Source) ? Ownership.Own : Ownership.Other;
                if (Vault.Extension.IsNameOf(ExistingName!, ProjectId) || IsWhereSessionPutIt) return Ownership.Own;
                return VaultExtension.IsProjectName(ExistingName!) ? Ownership.Other : Ownership.Unknown;
            }
        }

        /// <summary>What is known of an existing secret of unknown owner, for messages.</summary>
        public string Unclaimed =>
            $"Nothing tells whose secret '{ExistingName}' in vault {Vault.Display} is (no JelouPS metadata names a project, this session did not store it there, and it is not this project's Jelou- name)";

        /// <summary>Why the existing secret is another project's, for messages.</summary>
        public string OtherOwner => Owner is SecretOwner owner ? $"the signing secret of {owner}"
            : VaultExtension.PlainNameOf(ExistingName!) is string other ? $"the default name of project '{other}'"
            : "a name JelouPS gives another project";

        internal static bool Same(string? first, string? second) => first != null && second != null && string.Equals(first, second, StringComparison.OrdinalIgnoreCase);
    }
}
