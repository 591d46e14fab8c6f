using System;
using System.Collections;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Linq;
using System.Management.Automation;
using System.Security;

namespace JelouPS.Infrastructure
{
    /// <summary>
    /// A SecretManagement vault, reached by calling SecretManagement's commands by name in the caller's
    /// runspace (so the caller's registered vaults, and any stand-in, are found; we never link its
    /// assembly). Secrets travel as SecureString parameters, never in script text. Must be used from the
    /// pipeline thread.
    /// </summary>
    internal sealed class SecretVault
    {
        private const string Module = "Microsoft.PowerShell.SecretManagement";

        private SecretVault(string name) => Name = name;

        public string Name { get; }

        /// <summary>Where a project's signing secret is stored unless -SecretName says otherwise.</summary>
        internal static string DefaultSecretName(string projectId) => "Jelou-" + projectId;

        /// <summary>Checks that SecretManagement is there and the vault exists and is unlocked.</summary>
        internal static SecretVault Open(string name)
        {
            Invoke("Get-SecretVault", new Hashtable { ["Name"] = name }, failure => new VaultException(
                "JelouVaultNotFound", ErrorCategory.ObjectNotFound,
                $"There is no SecretManagement vault named '{name}': {failure} See Get-SecretVault for the registered vaults."));

            Collection<PSObject> test = Invoke("Test-SecretVault", new Hashtable { ["Name"] = name }, failure => Unavailable(name, failure));
            if (!test.Any(result => result?.BaseObject is bool ok && ok))
            {
                throw Unavailable(name, "Test-SecretVault reported a problem.");
            }
            return new SecretVault(name);
        }

        /// <summary>Whether a secret of exactly this name is in the vault.</summary>
        internal bool Contains(string secretName)
        {
            Collection<PSObject> found = Invoke(
                "Get-SecretInfo",
                new Hashtable { ["Name"] = WildcardPattern.Escape(secretName), ["Vault"] = Name },
                failure => Unavailable(Name, failure));
            return found.Any(info => string.Equals(info?.Properties["Name"]?.Value as string, secretName, StringComparison.OrdinalIgnoreCase));
        }

        /// <summary>Reads a secret (a signing secret stored by New-JelouExternalSupport -Vault) as a SecureString.</summary>
        internal SecureString Read(string secretName)
        {
            Collection<PSObject> found = Invoke(
                "Get-Secret",
                new Hashtable { ["Name"] = secretName, ["Vault"] = Name },
                failure => new VaultException("JelouVaultReadFailed", ErrorCategory.ReadError, $"Could not read '{secretName}' from vault '{Name}': {failure}"));
            foreach (PSObject item in found)
            {
                if (item?.BaseObject is SecureString secret) return secret;
            }
            throw new VaultException("JelouVaultReadFailed", ErrorCategory.InvalidData, $"'{secretName}' in vault '{Name}' is not a SecureString secret.");
        }

        /// <summary>
        /// Stores <paramref name="secret"/>. Vaults that keep no metadata get the secret without it, and the
        /// returned text says so (for a warning). Throws <see cref="VaultException"/> when nothing was stored.
        /// </summary>
        internal string? Store(string secretName, SecureString secret, Hashtable metadata, bool overwrite)
        {
            var parameters = new Hashtable
            {
                ["Name"] = secretName,
                ["SecureStringSecret"] = secret,
                ["Vault"] = Name,
                ["Metadata"] = metadata,
            };
            if (!overwrite) parameters["NoClobber"] = true;
            try
            {
                Invoke("Set-Secret", parameters, failure => new VaultException("JelouVaultWriteFailed", ErrorCategory.WriteError, failure));
                return null;
            }
            catch (VaultException ex) when (IsMetadataUnsupported(ex.Message))
            {
                parameters.Remove("Metadata");
                Invoke("Set-Secret", parameters, failure => new VaultException("JelouVaultWriteFailed", ErrorCategory.WriteError, failure));
                return $"Vault '{Name}' keeps no metadata: the secret '{secretName}' was stored without its project id, integration id, webhook URL and creation time.";
            }
        }

        // SecretManagement's own words when a vault extension does not implement metadata.
        private static bool IsMetadataUnsupported(string message) =>
            message.IndexOf("metadata", StringComparison.OrdinalIgnoreCase) >= 0
            && (message.IndexOf("not supported", StringComparison.OrdinalIgnoreCase) >= 0
                || message.IndexOf("does not support", StringComparison.OrdinalIgnoreCase) >= 0);

        private static VaultException Unavailable(string name, string failure) =>
            new VaultException("JelouVaultUnavailable", ErrorCategory.ResourceUnavailable, $"Vault '{name}' cannot be used now: {failure}");

        /// <summary>Runs one SecretManagement command; any error it writes or throws becomes the exception <paramref name="fail"/> makes.</summary>
        private static Collection<PSObject> Invoke(string command, Hashtable parameters, Func<string, VaultException> fail)
        {
            using PowerShell ps = PowerShell.Create(RunspaceMode.CurrentRunspace);
            ps.AddCommand(Module + "\\" + command).AddParameters(parameters).AddParameter("ErrorAction", ActionPreference.Continue);
            Collection<PSObject> results;
            try
            {
                results = ps.Invoke();
            }
            catch (CommandNotFoundException)
            {
                throw new VaultException(
                    "JelouSecretManagementMissing", ErrorCategory.NotInstalled,
                    $"The {Module} module is not installed, so no vault can be used. Install it with: Install-PSResource {Module}");
            }
            catch (RuntimeException ex)
            {
                throw fail(ex.Message);
            }
            if (ps.HadErrors && ps.Streams.Error.Count > 0)
            {
                throw fail(string.Join(" ", ps.Streams.Error.Select(e => e.ToString())));
            }
            return results;
        }
    }

    /// <summary>A vault call failed; carries the ErrorId and category the cmdlet reports it with.</summary>
    internal sealed class VaultException : Exception
    {
        internal VaultException(string errorId, ErrorCategory category, string message) : base(message)
        {
            ErrorId = errorId;
            Category = category;
        }

        public string ErrorId { get; }

        public ErrorCategory Category { get; }
    }
}
