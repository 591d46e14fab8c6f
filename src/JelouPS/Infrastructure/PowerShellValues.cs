using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using System.Text;
using System.Text.RegularExpressions;
using JelouPS.Json;

namespace JelouPS.Infrastructure
{
    /// <summary>PowerShell values as the plain .NET values the client serialises, and payloads as bytes.</summary>
    internal static class PowerShellValues
    {
        /// <summary>An optional value bound from a CSV column: a cell left empty means "not given".</summary>
        internal static string? Given(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

        /// <summary>
        /// Whether the caller's $PSDefaultParameterValues gives <paramref name="cmdlet"/>'s <paramref name="parameter"/> the value
        /// <paramref name="value"/> (a key "Command:Parameter", either part a wildcard pattern; a script block's value counts as
        /// given): a profile's '*:Vault' binds wherever the command line does not name the parameter.
        /// </summary>
        internal static bool FromDefaults(PSCmdlet cmdlet, string parameter, string value)
        {
            if (!(cmdlet.SessionState.PSVariable.GetValue("PSDefaultParameterValues") is IDictionary defaults)) return false;
            if (defaults.Contains("Disabled") && LanguagePrimitives.IsTrue(defaults["Disabled"])) return false;
            foreach (DictionaryEntry entry in defaults)
            {
                if (!(entry.Key is string key)) continue;
                int colon = key.LastIndexOf(':');
                if (colon <= 0) continue;
                string command = key.Substring(0, colon).Trim(), name = key.Substring(colon + 1).Trim();
                object? given = entry.Value is PSObject wrapped ? wrapped.BaseObject : entry.Value;
                if (WildcardPattern.Get(command, WildcardOptions.IgnoreCase).IsMatch(cmdlet.MyInvocation.MyCommand.Name)
                    && WildcardPattern.Get(name, WildcardOptions.IgnoreCase).IsMatch(parameter)
                    && (given is ScriptBlock || string.Equals(given?.ToString()?.Trim(), value, StringComparison.OrdinalIgnoreCase)))
                {
                    return true;
                }
            }
            return false;
        }

        /// <summary>
        /// Why <paramref name="text"/>, given as a secret, is none: what a conversion to text writes in place of an object, as
        /// Export-Csv does in a secret's cell: a .NET type name as .NET writes it (System.Security.SecureString,
        /// System.Object[], List`1[...], Deserialized.…; SecureString or PSCredential alone; quoted or in brackets), or an
        /// object's text (@{Length=64}, {"Length":64}); or an Azure Key Vault reference left unresolved in an app setting.
        /// Null when it may be a secret: one that only looks alike (a GUID in braces, system.prod.key) is taken. The text is
        /// never shown: it may be one after all.
        /// </summary>
        internal static string? PlaceholderSecret(string text, string subject)
        {
            string value = text.Trim().Trim('"', '\'', '\u201C', '\u201D', '\u2018', '\u2019').Trim();
            if (value.Length > 2 && value[0] == '[' && value[value.Length - 1] == ']') value = value.Substring(1, value.Length - 2);
            if (KeyVaultReference.IsMatch(value))
            {
                return $"{subject} is an Azure Key Vault reference (@Microsoft.KeyVault(...)) that was not resolved: App Service and Azure Functions leave its text in an " +
                    "app setting whose secret the app cannot read. Check the reference's status in the app's environment variables (Configuration), and that the app's identity may read the secret.";
            }
            string? what = TypeNameText.IsMatch(value) ? "a type name (such as System.Security.SecureString, which Export-Csv writes for a SecureString)"
                : ObjectText.IsMatch(value) ? "an object written as text (such as @{Length=64}, as a secret's cell reads after ConvertTo-Json)"
                : null;
            return what is null ? null
                : $"{subject} is {what}, not a secret: the value was written out without its secret. " +
                  "Pass the SecureString itself (the object as emitted, Import-Clixml, Receive-Job), or read the secret from where it is stored.";
        }

        // An app setting's Key Vault reference (learn.microsoft.com, "Use Key Vault references as app settings"), whose text
        // is the setting's value while it cannot be resolved.
        private static readonly Regex KeyVaultReference = new Regex(@"^@Microsoft\.KeyVault\(.*\)$", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase | RegexOptions.Singleline);

        // Namespaces and types as .NET names them (capitalised): a secret in lower case that only looks alike is taken.
        private static readonly Regex TypeNameText = new Regex(@"^(?:(?:Deserialized\.)?(?:System|Microsoft)(?:\.[A-Z]\w*)+(?:`\d+\[.*\])?(?:\[\])?|SecureString|PSCredential)$", RegexOptions.CultureInvariant);

        // PowerShell's text of an object or hashtable (@{Name=value; ...}), or a JSON object ({"name": ...}).
        private static readonly Regex ObjectText = new Regex(@"^(?:@\{[^=]*=.*|\{\s*""[^""]*""\s*:.*)\}$", RegexOptions.CultureInvariant | RegexOptions.Singleline);

        /// <summary>The value under <paramref name="key"/> (a vault's metadata, say), unwrapped from its PSObject; null when absent.</summary>
        internal static object? Entry(IDictionary? dictionary, string key) =>
            dictionary != null && dictionary.Contains(key) ? (dictionary[key] is PSObject wrapped ? wrapped.BaseObject : dictionary[key]) : null;

        /// <summary>
        /// A time as vaults and deserialized objects give it back: a DateTimeOffset, a DateTime (zone-less is UTC), or text
        /// (ISO 8601, or a DateTimeOffset's ToString, as serialization gives one back); null for anything else.
        /// <paramref name="deserialized"/>: the value is a property of a deserialized object, whose text is invariant.
        /// </summary>
        internal static DateTimeOffset? Time(object? value, bool deserialized = false)
        {
            // Export-Clixml writes a DateTimeOffset as a property bag (Receive-Job of a job, as its text).
            if (value is PSObject bag && !(bag.BaseObject is DateTimeOffset) && !(bag.BaseObject is DateTime) && bag.Properties["UtcDateTime"]?.Value is DateTime utc) value = utc;
            switch (value is PSObject wrapped ? wrapped.BaseObject : value)
            {
                case DateTimeOffset time:
                    return time;
                case DateTime time:
                    return new DateTimeOffset(time.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(time, DateTimeKind.Utc) : time.ToUniversalTime());
                case string text:
                    // A DateTimeOffset that came back as its text: from serialization (Receive-Job) in the invariant culture,
                    // from Export-Csv in the writer's, taken to be this session's (in de-DE, 01.05.2026 is the 1st of May; in
                    // th-TH, 2569 is 2026). ISO 8601 reads the same in any.
                    foreach (CultureInfo culture in deserialized ? new[] { CultureInfo.InvariantCulture, CultureInfo.CurrentCulture } : new[] { CultureInfo.CurrentCulture, CultureInfo.InvariantCulture })
                    {
                        if (DateTimeOffset.TryParse(text, culture, DateTimeStyles.AssumeUniversal, out DateTimeOffset time)) return time;
                    }
                    return null;
                default:
                    return null;
            }
        }

        /// <summary>
        /// -Metadata as the JSON object the API documents: a dictionary ([ordered]@{} keeps its order) or an object such
        /// as ConvertFrom-Json gives. Text (JSON not yet parsed), numbers and arrays are refused with a hint.
        /// </summary>
        internal static object ToMetadata(object value)
        {
            object unwrapped = value is PSObject wrapped && !(wrapped.BaseObject is PSCustomObject) ? wrapped.BaseObject : value;
            bool isObject = unwrapped is IDictionary || (unwrapped is PSObject custom && custom.BaseObject is PSCustomObject);
            if (!isObject)
            {
                string hint = unwrapped is string
                    ? "Text is not an object: if it is JSON, pass (ConvertFrom-Json $text) or a hashtable such as @{ ticketId = 'T-1' }."
                    : unwrapped is IEnumerable
                        ? "A list is not an object: pass one hashtable or object, e.g. @{ ticketId = 'T-1' }."
                        : "Pass a hashtable or an object, e.g. @{ ticketId = 'T-1' }.";
                throw new ArgumentException($"-Metadata must be a JSON object (a hashtable or an object), not a value of type {Describe(unwrapped)}. {hint}");
            }
            return ToPlain(value)!;
        }

        /// <summary>Whether a value made by <see cref="ToPlain"/> holds a hashtable's members, whose order is PowerShell's, not the caller's.</summary>
        internal static bool ContainsUnordered(object? plain) => plain switch
        {
            UnorderedMembers _ => true,
            KeyValuePair<string, object?> member => ContainsUnordered(member.Value),
            string _ => false,
            IEnumerable items => items.Cast<object?>().Any(ContainsUnordered),
            _ => false,
        };

        /// <summary>The members of a hashtable (@{}) of more than one key, in the order PowerShell enumerates them, which is no order the caller chose.</summary>
        private sealed class UnorderedMembers : List<KeyValuePair<string, object?>>
        {
        }

        /// <summary>Whether a value made by <see cref="ToPlain"/> holds a DateTime anywhere.</summary>
        internal static bool ContainsDates(object? plain) => Leaves(plain).Any(leaf => leaf is DateTime || leaf is DateTimeOffset);

        /// <summary>
        /// A warning when a value made by <see cref="ToPlain"/> holds numbers JSON.stringify does not write as they are (see
        /// <see cref="JavaScriptJson.Inexact"/>), naming the first three; null when it holds none.
        /// </summary>
        internal static string? InexactNumbers(object? plain, string consequence)
        {
            var inexact = new List<string>();
            foreach (object? leaf in Leaves(plain))
            {
                if (JavaScriptJson.Inexact(leaf) is string sent) inexact.Add($"{Shortened(Convert.ToString(leaf, CultureInfo.InvariantCulture)!)} as {Shortened(sent)}");
            }
            if (inexact.Count == 0) return null;
            return $"JSON numbers are JavaScript's doubles: {string.Join(", ", inexact.Take(3))}{(inexact.Count > 3 ? $" and {inexact.Count - 3} more" : "")}. {consequence}";
        }

        // A number's text as a line shows it: 10^400 is not 401 digits of warning.
        private static string Shortened(string number) => number.Length <= 32 ? number : $"{number.Substring(0, 12)}...{number.Substring(number.Length - 8)} ({number.Length} characters)";

        // The values a value made by ToPlain holds, at any depth (an object's member values, a list's items).
        private static IEnumerable<object?> Leaves(object? plain)
        {
            switch (plain)
            {
                case string _:
                case null:
                    yield return plain;
                    break;
                case KeyValuePair<string, object?> member:
                    foreach (object? leaf in Leaves(member.Value)) yield return leaf;
                    break;
                case IEnumerable items:
                    foreach (object? item in items)
                    {
                        foreach (object? leaf in Leaves(item)) yield return leaf;
                    }
                    break;
                default:
                    yield return plain;
                    break;
            }
        }

        private static string Describe(object value) => value is string ? "string" : value is IEnumerable ? "list" : value.GetType().Name;

        /// <summary>
        /// Unwraps PSObjects all the way down: dictionaries keep their order, [pscustomobject]s become their
        /// properties in order, lists become lists. (A plain @{} has no order of its own; use [ordered]@{}.)
        /// </summary>
        internal static object? ToPlain(object? value, int depth = 0)
        {
            // As deep as the JSON may nest, and no deeper (a value may refer to itself): the serializer refuses what is left
            // unconverted here, saying where it is.
            if (depth > JavaScriptJson.MaxDepth) return value;
            // What a command that returned nothing leaves in @{ a = (Get-Thing) }: ConvertTo-Json sends it as null too.
            if (ReferenceEquals(value, System.Management.Automation.Internal.AutomationNull.Value)) return null;
            if (value is PSObject wrapped)
            {
                if (wrapped.BaseObject is PSCustomObject)
                {
                    var members = new List<KeyValuePair<string, object?>>();
                    foreach (PSPropertyInfo property in wrapped.Properties)
                    {
                        object? propertyValue;
                        try
                        {
                            propertyValue = property.Value;
                        }
                        catch (GetValueException ex)
                        {
                            // A script property that throws: the serializer refuses its failure, saying where, rather than
                            // sending null unseen.
                            propertyValue = ex.InnerException ?? ex;
                        }
                        members.Add(new KeyValuePair<string, object?>(property.Name, ToPlain(propertyValue, depth + 1)));
                    }
                    return members;
                }
                value = wrapped.BaseObject;
            }
            switch (value)
            {
                case null:
                case string _:
                    return value;
                case System.Xml.XmlNode _:
                    // Left whole, for the serializer to refuse, saying where: as a list it would be its child nodes.
                    return value;
                case IDictionary dictionary:
                    // A Hashtable itself, not one that keeps its order (PowerShell 7.3's OrderedHashtable, from ConvertFrom-Json -AsHashtable).
                    var entries = dictionary.GetType() == typeof(Hashtable) && dictionary.Count > 1 ? new UnorderedMembers() : new List<KeyValuePair<string, object?>>();
                    foreach (DictionaryEntry entry in dictionary)
                    {
                        entries.Add(new KeyValuePair<string, object?>(JavaScriptJson.KeyText(ToPlain(entry.Key, depth + 1)), ToPlain(entry.Value, depth + 1)));
                    }
                    return entries;
                case IEnumerable sequence:
                    var items = new List<object?>();
                    foreach (object? item in sequence) items.Add(ToPlain(item, depth + 1));
                    return items;
                default:
                    return value;
            }
        }
    }

    /// <summary>Lets a payload parameter take the body as received: a string (sent as UTF-8) or the raw bytes.</summary>
    internal sealed class PayloadTransformationAttribute : ArgumentTransformationAttribute
    {
        public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
        {
            object? value = inputData is PSObject wrapped ? wrapped.BaseObject : inputData;
            switch (value)
            {
                case byte[] bytes:
                    return bytes;
                case string text:
                    return new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(text);
                case object[] items when Array.TrueForAll(items, i => (i is PSObject p ? p.BaseObject : i) is byte):
                    return Array.ConvertAll(items, i => (byte)(i is PSObject p ? p.BaseObject : i));
                // A host's request object (a dictionary, or an object with members) is left as it is: it does not bind here,
                // so a pipeline of them binds to -Request where a cmdlet has one.
                case IDictionary _:
                case PSCustomObject _:
                case object other when !(other is IConvertible || other is Array):
                    return inputData;
                // $bytes | ConvertFrom-JelouWebhookEvent: PowerShell sends an array down the pipeline item by item.
                case byte _:
                    throw new ArgumentTransformationMetadataException("The payload is a single byte: PowerShell sent a byte array down the pipeline one byte at a time. Give the body with -Payload $bytes, or pipe it whole: ,$bytes | ...");
                default:
                    throw new ArgumentTransformationMetadataException("The payload must be the body as a string or as a byte array, exactly as received or sent.");
            }
        }
    }
}
