using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace JelouPS.Infrastructure
{
    /// <summary>Completes -Vault with the caller's registered SecretManagement vaults.</summary>
    public sealed class VaultNameCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            // Case as vault names compare (SecretManagement's are case-insensitive), not as the culture has it: in tr-TR 'is'
            // would not complete 'Istanbul'.
            var pattern = new WildcardPattern((wordToComplete ?? "").Trim('\'', '"') + "*", WildcardOptions.IgnoreCase | WildcardOptions.CultureInvariant);
            using PowerShell ps = PowerShell.Create(RunspaceMode.CurrentRunspace);
            SecretVault.AddCommand(ps, "Get-SecretVault", new Hashtable { ["ErrorAction"] = ActionPreference.Ignore });
            IEnumerable<string> names;
            try
            {
                names = ps.Invoke().Select(v => v.Properties["Name"]?.Value as string).Where(n => n != null).Select(n => n!);
            }
            catch (RuntimeException)
            {
                yield break;
            }
            foreach (string name in names.Where(n => pattern.IsMatch(n)).OrderBy(n => n, StringComparer.OrdinalIgnoreCase))
            {
                string text = name.IndexOfAny(new[] { ' ', '\'', '"', '$', '`' }) >= 0 ? "'" + name.Replace("'", "''") + "'" : name;
                yield return new CompletionResult(text, name, CompletionResultType.ParameterValue, name);
            }
        }
    }
}
