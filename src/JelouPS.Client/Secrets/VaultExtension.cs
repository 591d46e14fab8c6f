using System;
using System.Collections.Generic;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace JelouPS.Secrets
{
    /// <summary>
    /// What a SecretManagement extension vault does that a caller must know before writing, by the extension's module
    /// name (what Get-SecretVault shows as ModuleName): the secret names it can take, and whether it keeps metadata.
    /// SecretManagement itself only refuses an empty name; each extension passes the name on to its store, which may
    /// refuse it after Jelou has issued a secret, so names are checked first.
    /// </summary>
    /// <remarks>
    /// Sources: Azure Key Vault object names (learn.microsoft.com, "About keys, secrets, and certificates": 1-127 of
    /// 0-9, a-z, A-Z and '-'); SecretStore src/code/Utils.cs (wildcard lookups on write, "psht:" reserved);
    /// SecretManagement.KeePass Get-SecretInfo.ps1 ('-like' lookups, Group/Title paths); SecretManagement.LastPass
    /// and lastpass-cli (last '/' splits the folder, "name (id: N)" and bare ids resolve to ids); SecretManagement.1Password
    /// (the name is quoted into one op command line); SecretManagement.BitWarden (the name goes unquoted into one bw
    /// command line); SecretManagement.Hashicorp.Vault.KV (the name is put in the URL path unescaped, '/' is a sub-path);
    /// Windows Credential Manager (CRED_MAX_GENERIC_TARGET_NAME_LENGTH 32767, less the extension's prefix).
    /// Every vault: no wildcard characters, since SecretManagement and several extensions look names up with them.
    /// Metadata: only extensions whose Set-Secret takes -Metadata or that export Set-SecretInfo keep it (SecretStore,
    /// HashiCorp's); for the others SecretManagement writes the secret, fails the metadata and removes the secret again.
    /// </remarks>
    public sealed class VaultExtension
    {
        private const string WildcardCharacters = "*?[]";

        // An extension this table does not know: the store is unknown, and the rule is what JelouPS keeps to in any vault.
        private static readonly VaultExtension Generic = new VaultExtension(null, int.MaxValue, "", keepsMetadata: true);

        private static readonly Dictionary<string, VaultExtension> ByModule = new Dictionary<string, VaultExtension>(StringComparer.OrdinalIgnoreCase)
        {
            ["Az.KeyVault"] = new VaultExtension("Azure Key Vault", 127, "", keepsMetadata: false, allowed: c => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-',
                allowedText: "ASCII letters, digits and '-' only"),
            ["Microsoft.PowerShell.SecretStore"] = new VaultExtension("SecretStore", int.MaxValue, "", keepsMetadata: true, reservedPrefix: "psht:"),
            ["SecretManagement.KeePass"] = new VaultExtension("KeePass", int.MaxValue, "/", keepsMetadata: false),
            ["SecretManagement.LastPass"] = new VaultExtension("LastPass", int.MaxValue, "/\\", keepsMetadata: false,
                reserved: new Regex(@"^\d+$|\(id: *\d+\)$", RegexOptions.CultureInvariant), reservedText: "a bare number or a name ending in '(id: N)'", reservedReading: "item id"),
            ["SecretManagement.1Password"] = new VaultExtension("1Password", int.MaxValue, "\"", keepsMetadata: false),
            ["SecretManagement.BitWarden"] = new VaultExtension("Bitwarden", int.MaxValue, "\" \t", keepsMetadata: false),
            ["SecretManagement.Hashicorp.Vault.KV"] = new VaultExtension("HashiCorp Vault KV", int.MaxValue, "", keepsMetadata: true,
                allowed: c => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.',
                allowedText: "ASCII letters, digits, '-', '_' and '.' only"),
            ["SecretManagement.JustinGrote.CredMan"] = new VaultExtension("Windows Credential Manager", 32767 - 8, "", keepsMetadata: false),
            ["Microsoft.PowerShell.CredManStore"] = new VaultExtension("Windows Credential Manager", 32767 - 5, "", keepsMetadata: false),
        };

        private readonly Func<char, bool>? _allowed;
        private readonly string? _allowedText;
        private readonly string _forbidden;
        private readonly string? _reservedPrefix;
        private readonly Regex? _reserved;
        private readonly string? _reservedText;
        private readonly string? _reservedReading;

        private VaultExtension(string? store, int maxLength, string forbidden, bool keepsMetadata, Func<char, bool>? allowed = null, string? allowedText = null,
            string? reservedPrefix = null, Regex? reserved = null, string? reservedText = null, string? reservedReading = null)
        {
            Store = store;
            MaxLength = maxLength;
            KeepsMetadata = keepsMetadata;
            _forbidden = forbidden;
            _allowed = allowed;
            _allowedText = allowedText;
            _reservedPrefix = reservedPrefix;
            _reserved = reserved;
            _reservedText = reservedText;
            _reservedReading = reservedReading;
        }

        /// <summary>What stores the secrets, e.g. "Azure Key Vault"; null for an extension this table does not know.</summary>
        public string? Store { get; }

        /// <summary>The longest name the store takes.</summary>
        public int MaxLength { get; }

        /// <summary>Whether the extension keeps SecretManagement metadata (an unknown one is assumed to, and is told by its error if not).</summary>
        public bool KeepsMetadata { get; }

        /// <summary>The store's own rule in words, for error messages; empty for an extension this table does not know.</summary>
        public string Description
        {
            get
            {
                var parts = new List<string>();
                if (_allowedText != null) parts.Add(_allowedText);
                if (_forbidden.Length > 0) parts.Add("no " + Listed(_forbidden.Select(Plural).ToList()));
                if (MaxLength != int.MaxValue) parts.Add($"at most {MaxLength} characters");
                if (_reservedPrefix != null) parts.Add($"not starting with '{_reservedPrefix}'");
                if (_reservedText != null) parts.Add($"not {_reservedText} ({Store} reads those as {_reservedReading}s)");
                return string.Join("; ", parts);
            }
        }

        /// <summary>
        /// The rule <paramref name="name"/> breaks, as a sentence for error messages: the one JelouPS keeps to in every vault
        /// (which a vault may not have: SecretStore holds a name with '[' stored by hand), or the store's own.
        /// </summary>
        public string RuleFor(string name) => Store is null || CommonProblem(name) != null
            ? "In any vault, JelouPS uses only names with no wildcard characters (* ? [ ]), control characters or spaces around them: SecretManagement and several extensions look names up as wildcard patterns."
            : $"{Store}'s rule for names: {Description}.";

        // Forks and look-alikes keep the store's name in theirs (AzureKeyVault.Extension, SecretManagement.KeePass2, ...).
        private static readonly (string Word, string Module)[] ByWord =
        {
            ("KeyVault", "Az.KeyVault"), ("SecretStore", "Microsoft.PowerShell.SecretStore"), ("KeePass", "SecretManagement.KeePass"),
            ("LastPass", "SecretManagement.LastPass"), ("1Password", "SecretManagement.1Password"), ("BitWarden", "SecretManagement.BitWarden"),
            ("Hashicorp", "SecretManagement.Hashicorp.Vault.KV"), ("CredMan", "SecretManagement.JustinGrote.CredMan"),
        };

        /// <summary>
        /// The rule of the extension vault module <paramref name="moduleName"/>: a known module's, else that of the store its
        /// name mentions (a module with KeyVault in its name stores in Azure Key Vault), else the rule every vault shares.
        /// </summary>
        public static VaultExtension For(string? moduleName)
        {
            if (moduleName is null) return Generic;
            if (ByModule.TryGetValue(moduleName, out VaultExtension? rule)) return rule;
            foreach ((string word, string module) in ByWord)
            {
                if (moduleName.IndexOf(word, StringComparison.OrdinalIgnoreCase) >= 0) return ByModule[module];
            }
            return Generic;
        }

        /// <summary>Why the store cannot take <paramref name="name"/>, or null when it can.</summary>
        public string? Check(string name)
        {
            if (name is null) throw new ArgumentNullException(nameof(name));
            return CommonProblem(name) ?? StoreProblem(name);
        }

        // What no vault gets from JelouPS.
        private static string? CommonProblem(string name)
        {
            if (name.Length == 0) return "it is empty";
            if (name.Trim().Length != name.Length) return "it starts or ends with a space";
            foreach (char c in name)
            {
                if (char.IsControl(c) || WildcardCharacters.IndexOf(c) >= 0) return $"it has {Show(c)}";
            }
            return null;
        }

        private string? StoreProblem(string name)
        {
            if (name.Length > MaxLength) return $"it is {name.Length} characters long";
            foreach (char c in name)
            {
                if (!Takes(c)) return $"it has {Show(c)}";
            }
            if (_reservedPrefix != null && name.StartsWith(_reservedPrefix, StringComparison.OrdinalIgnoreCase)) return $"it starts with '{_reservedPrefix}'";
            // The forms themselves are in the rule that follows: said once.
            if (_reserved != null && _reserved.IsMatch(name)) return $"{Store} would read it as an {_reservedReading}";
            return null;
        }

        /// <summary>The start of every name JelouPS gives a project's secret: a name with it is taken to be some project's.</summary>
        public const string Prefix = "Jelou-";

        // The end of a hashed name: "--" and 8 hex digits, which real ids rarely end with. An id that does gets the hash too,
        // so no project's plain name is another's hashed one.
        private const string HashSeparator = "--";
        // Any letter case: a vault that compares names without it may give the name back, or the user type it, in capitals.
        private static readonly Regex HashedEnd = new Regex(HashSeparator + "[0-9a-f]{8}$", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase);

        /// <summary>
        /// The default name for a project's signing secret: "Jelou-&lt;projectId&gt;" when the store takes it; otherwise each
        /// character it cannot take becomes '-', and "--" and a short hash of the project id are added so that two projects
        /// (acme_prod, acme-prod) never share a name. Stores compare names without case, so an id with capitals gets the
        /// hash too (Acme-prod and acme-prod would share "Jelou-acme-prod"), and so does an id that ends like a hash
        /// (acme-prod--05e2089e would otherwise have acme_prod's hashed name).
        /// </summary>
        public string Derive(string projectId)
        {
            if (projectId is null) throw new ArgumentNullException(nameof(projectId));
            string plain = Prefix + projectId;
            if (Check(plain) is null && projectId == projectId.ToLowerInvariant() && !HashedEnd.IsMatch(projectId)) return plain;
            var mapped = new StringBuilder(plain.Length);
            foreach (char c in plain) mapped.Append(Takes(c) ? c : '-');
            string suffix = HashSeparator + Hash(projectId);
            int room = Math.Min(MaxLength, 200) - suffix.Length;
            string derived = mapped.ToString(0, Math.Min(mapped.Length, room)).TrimEnd('-', ' ') + suffix;
            return Check(derived) is null ? derived : "Jelou" + suffix;
        }

        /// <summary>
        /// Whether <paramref name="secretName"/> is a name JelouPS gives <paramref name="projectId"/>: its default name, or the
        /// plain Jelou-&lt;projectId&gt; (stored by hand, or by a version that did not hash ids with capitals). The id is
        /// compared exactly: stores find Jelou-Q5 when asked for Jelou-q5, but it is project Q5's.
        /// </summary>
        public bool IsNameOf(string secretName, string projectId) =>
            SameName(secretName, Derive(projectId)) || (!HashedEnd.IsMatch(projectId) && SameName(secretName, Prefix + projectId));

        /// <summary>Whether <paramref name="secretName"/> has the form of a name JelouPS gives a project (Jelou-...).</summary>
        public static bool IsProjectName(string secretName) => secretName.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase);

        /// <summary>The project a Jelou-&lt;id&gt; name is the plain name of; null for a hashed name, which does not say.</summary>
        public static string? PlainNameOf(string secretName) =>
            IsProjectName(secretName) && !HashedEnd.IsMatch(secretName) ? secretName.Substring(Prefix.Length) : null;

        // The prefix in any case (stores keep or fold it), the id exactly.
        private static bool SameName(string name, string jelouName) =>
            name.Length == jelouName.Length && IsProjectName(name) && string.CompareOrdinal(name, Prefix.Length, jelouName, Prefix.Length, jelouName.Length) == 0;

        private bool Takes(char c) =>
            (_allowed is null || _allowed(c)) && !char.IsControl(c) && WildcardCharacters.IndexOf(c) < 0 && _forbidden.IndexOf(c) < 0;

        private static string Show(char c) =>
            c == ' ' ? "a space" : c == '\t' ? "a tab" : char.IsControl(c) ? $"control character U+{(int)c:X4}" : $"'{c}'";

        private static string Plural(char c) => c == ' ' ? "spaces" : c == '\t' ? "tabs" : Show(c);

        private static string Listed(List<string> items) =>
            items.Count == 1 ? items[0] : string.Join(", ", items.Take(items.Count - 1)) + " or " + items[items.Count - 1];

        private static string Hash(string projectId)
        {
            using var sha = SHA256.Create();
            byte[] digest = sha.ComputeHash(Encoding.UTF8.GetBytes(projectId));
            var hex = new char[8];
            JelouPS.Security.Hex.Write(digest, 4, hex, 0);
            return new string(hex);
        }
    }
}
