using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace JelouPS.Secrets
{
    /// <summary>
    /// The secret names a SecretManagement extension vault can take, known by the extension's module name (what
    /// Get-SecretVault shows as ModuleName). SecretManagement itself only refuses an empty name; each extension
    /// passes the name on to its store, which may refuse it after Jelou has issued a secret, so names are checked first.
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
    /// </remarks>
    public sealed class SecretNameRule
    {
        private const string WildcardCharacters = "*?[]";

        private static readonly SecretNameRule Generic = new SecretNameRule("any SecretManagement vault", int.MaxValue, "");

        private static readonly Dictionary<string, SecretNameRule> ByModule = new Dictionary<string, SecretNameRule>(StringComparer.OrdinalIgnoreCase)
        {
            ["Az.KeyVault"] = new SecretNameRule("Azure Key Vault", 127, "", allowed: c => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-',
                allowedText: "letters, digits and '-' only"),
            ["Microsoft.PowerShell.SecretStore"] = new SecretNameRule("SecretStore", int.MaxValue, "", reservedPrefix: "psht:"),
            ["SecretManagement.KeePass"] = new SecretNameRule("KeePass", int.MaxValue, "/"),
            ["SecretManagement.LastPass"] = new SecretNameRule("LastPass", int.MaxValue, "/\\",
                reserved: new Regex(@"^\d+$|\(id: *\d+\)$", RegexOptions.CultureInvariant), reservedText: "a bare number or a name ending in '(id: N)' (LastPass reads those as item ids)"),
            ["SecretManagement.1Password"] = new SecretNameRule("1Password", int.MaxValue, "\""),
            ["SecretManagement.BitWarden"] = new SecretNameRule("Bitwarden", int.MaxValue, "\" \t"),
            ["SecretManagement.Hashicorp.Vault.KV"] = new SecretNameRule("HashiCorp Vault KV", int.MaxValue, "",
                allowed: c => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.',
                allowedText: "letters, digits, '-', '_' and '.' only"),
            ["SecretManagement.JustinGrote.CredMan"] = new SecretNameRule("Windows Credential Manager", 32767 - 8, ""),
            ["Microsoft.PowerShell.CredManStore"] = new SecretNameRule("Windows Credential Manager", 32767 - 5, ""),
        };

        private readonly Func<char, bool>? _allowed;
        private readonly string? _allowedText;
        private readonly string _forbidden;
        private readonly string? _reservedPrefix;
        private readonly Regex? _reserved;
        private readonly string? _reservedText;

        private SecretNameRule(string store, int maxLength, string forbidden, Func<char, bool>? allowed = null, string? allowedText = null,
            string? reservedPrefix = null, Regex? reserved = null, string? reservedText = null)
        {
            Store = store;
            MaxLength = maxLength;
            _forbidden = forbidden;
            _allowed = allowed;
            _allowedText = allowedText;
            _reservedPrefix = reservedPrefix;
            _reserved = reserved;
            _reservedText = reservedText;
        }

        /// <summary>What stores the secrets, e.g. "Azure Key Vault".</summary>
        public string Store { get; }

        /// <summary>The longest name the store takes.</summary>
        public int MaxLength { get; }

        /// <summary>The rule in words, for error messages.</summary>
        public string Description
        {
            get
            {
                var parts = new List<string> { _allowedText ?? "no wildcard characters (* ? [ ]), control characters or surrounding spaces" };
                if (_forbidden.Length > 0) parts.Add("no " + string.Join(" or ", _forbidden.Select(Show)));
                if (MaxLength != int.MaxValue) parts.Add($"at most {MaxLength} characters");
                if (_reservedPrefix != null) parts.Add($"not starting with '{_reservedPrefix}'");
                if (_reservedText != null) parts.Add("not " + _reservedText);
                return string.Join("; ", parts);
            }
        }

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
        public static SecretNameRule For(string? moduleName)
        {
            if (moduleName is null) return Generic;
            if (ByModule.TryGetValue(moduleName, out SecretNameRule? rule)) return rule;
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
            if (name.Length == 0) return "it is empty";
            if (name.Trim().Length != name.Length) return "it starts or ends with a space";
            if (name.Length > MaxLength) return $"it is {name.Length} characters long";
            foreach (char c in name)
            {
                if (!Takes(c)) return $"it has {Show(c)}";
            }
            if (_reservedPrefix != null && name.StartsWith(_reservedPrefix, StringComparison.OrdinalIgnoreCase)) return $"it starts with '{_reservedPrefix}'";
            if (_reserved != null && _reserved.IsMatch(name)) return "it is " + _reservedText;
            return null;
        }

        /// <summary>
        /// The default name for a project's signing secret: "Jelou-&lt;projectId&gt;" when the store takes it; otherwise each
        /// character it cannot take becomes '-', and a short hash of the project id is added so that two projects
        /// (acme_prod, acme-prod) never share a name.
        /// </summary>
        public string Derive(string projectId)
        {
            if (projectId is null) throw new ArgumentNullException(nameof(projectId));
            string plain = "Jelou-" + projectId;
            if (Check(plain) is null) return plain;
            var mapped = new StringBuilder(plain.Length);
            foreach (char c in plain) mapped.Append(Takes(c) ? c : '-');
            string suffix = "-" + Hash(projectId);
            int room = Math.Min(MaxLength, 200) - suffix.Length;
            string derived = mapped.ToString(0, Math.Min(mapped.Length, room)).TrimEnd('-', ' ') + suffix;
            return Check(derived) is null ? derived : "Jelou" + suffix;
        }

        private bool Takes(char c) =>
            (_allowed is null || _allowed(c)) && !char.IsControl(c) && WildcardCharacters.IndexOf(c) < 0 && _forbidden.IndexOf(c) < 0;

        private static string Show(char c) =>
            c == ' ' ? "a space" : c == '\t' ? "a tab" : char.IsControl(c) ? $"control character U+{(int)c:X4}" : $"'{c}'";

        private static string Hash(string projectId)
        {
            using var sha = SHA256.Create();
            byte[] digest = sha.ComputeHash(Encoding.UTF8.GetBytes(projectId));
            return string.Concat(digest.Take(4).Select(b => b.ToString("x2", CultureInfo.InvariantCulture)));
        }
    }
}
