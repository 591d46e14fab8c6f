using System;
using System.Collections;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using System.Text.RegularExpressions;

namespace JelouPS.Infrastructure
{
    /// <summary>
    /// Trims surrounding whitespace, and the invisible format characters spreadsheets and editors leave (byte-order mark,
    /// zero-width spaces and joiners, direction marks, soft hyphens), from ids, URLs, enum values and names as they are
    /// bound, whether given directly or from a pipeline or CSV row: cells arrive padded ("p10 "), and a padded id would be
    /// sent as "p10%20".
    /// </summary>
    internal sealed class TrimmedAttribute : ArgumentTransformationAttribute
    {
        /// <summary>
        /// For a parameter that takes whole pipeline objects too (ValueFromPipeline): the property to take from an object, so
        /// that a row whose id is a number or a GUID binds its id (PowerShell would otherwise bind the whole row, made into
        /// text, before trying the property). An object without it becomes "@{...}", which <see cref="ValidateIdAttribute"/> refuses.
        /// </summary>
        public string? FromProperty { get; set; }

        public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
        {
            object? value = inputData is PSObject wrapped ? wrapped.BaseObject : inputData;
            switch (value)
            {
                case string text:
                    return Trim(text);
                case IList list when !(value is byte[]):
                    var trimmed = new object?[list.Count];
                    for (int i = 0; i < list.Count; i++)
                    {
                        object? item = list[i] is PSObject p ? p.BaseObject : list[i];
                        trimmed[i] = item is string s ? Trim(s) : list[i];
                    }
                    return trimmed;
                case null:
                    return inputData;
                default:
                    return FromProperty is null || IsScalar(value) ? inputData : Property(inputData!, FromProperty);
            }
        }

        internal static string Trim(string text)
        {
            int start = 0, end = text.Length;
            while (start < end && IsBlank(text[start])) start++;
            while (end > start && IsBlank(text[end - 1])) end--;
            return text.Substring(start, end - start);
        }

        private static bool IsBlank(char c) => char.IsWhiteSpace(c) || CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.Format;

        private static bool IsScalar(object value) => value.GetType().IsPrimitive || value is decimal || value is Guid || value is Uri || value is Enum;

        private static object Property(object input, string name)
        {
            object row = PSObject.AsPSObject(input).BaseObject;
            // Only a row's properties bind by name: a hashtable's other keys (SecretName, AuthType) would be dropped unseen.
            if (row is IDictionary dictionary) return "@{" + string.Join("; ", dictionary.Keys.Cast<object>()) + "} (a hashtable; pipe [pscustomobject]@{...})";
            PSPropertyInfo? property = PSObject.AsPSObject(input).Properties[name];
            return property is null ? "@{" + row.GetType().Name + "}" : Text(property.Value);
        }

        private static string Text(object? value) =>
            Trim(Convert.ToString(value is PSObject p ? p.BaseObject : value, CultureInfo.InvariantCulture) ?? "");
    }

    /// <summary>
    /// An id (project, bot, user, room, conversation, message): not empty once trimmed, and not a whole input object
    /// turned into text, which is what a row without the id's column would bind as ("@{Project=p1}").
    /// </summary>
    internal sealed class ValidateIdAttribute : ValidateArgumentsAttribute
    {
        private static readonly Regex WholeObject = new Regex(@"^@\{.*\}", RegexOptions.Singleline | RegexOptions.CultureInvariant);

        protected override void Validate(object arguments, EngineIntrinsics engineIntrinsics)
        {
            foreach (object? item in arguments is IList list && !(arguments is string) ? list : new[] { arguments })
            {
                string text = (item is PSObject p ? p.BaseObject : item) as string ?? "";
                if (text.Trim().Length == 0) throw new ValidationMetadataException("The id is empty (or only spaces).");
                if (WholeObject.IsMatch(text))
                {
                    throw new ValidationMetadataException(
                        $"'{text}' is a whole input object, not an id: the input has no property of this parameter's name, or is a hashtable. Rename the column, pipe [pscustomobject]@{{...}}, or pass the id by name.");
                }
            }
        }
    }
}
