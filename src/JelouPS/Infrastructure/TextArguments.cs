using System;
using System.Collections;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using System.Text.RegularExpressions;

namespace JelouPS.Infrastructure
{
    /// <summary>
    /// Trims surrounding whitespace, and the invisible characters spreadsheets and editors leave (byte-order mark, zero-width
    /// space and joiners), from ids, URLs, enum values and names as they are bound, whether given directly or from a pipeline
    /// or CSV row: cells arrive padded ("p10 "), and a padded id would be sent as "p10%20".
    /// </summary>
    internal sealed class TrimmedAttribute : ArgumentTransformationAttribute
    {
        private static readonly char[] Invisible = { '\uFEFF', '\u200B', '\u200C', '\u200D', '\u2060' };

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

        internal static string Trim(string text) => text.Trim().Trim(Invisible).Trim();

        private static bool IsScalar(object value) => value.GetType().IsPrimitive || value is decimal || value is Guid || value is Uri || value is Enum;

        private static object Property(object input, string name)
        {
            if (PSObject.AsPSObject(input).BaseObject is IDictionary dictionary)
            {
                return dictionary.Contains(name) ? Text(dictionary[name]) : "@{" + string.Join("; ", dictionary.Keys.Cast<object>()) + "}";
            }
            PSPropertyInfo? property = PSObject.AsPSObject(input).Properties[name];
            return property is null ? "@{" + PSObject.AsPSObject(input).BaseObject.GetType().Name + "}" : Text(property.Value);
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
        private static readonly Regex WholeObject = new Regex(@"^@\{.*\}$", RegexOptions.Singleline | RegexOptions.CultureInvariant);

        protected override void Validate(object arguments, EngineIntrinsics engineIntrinsics)
        {
            foreach (object? item in arguments is IList list && !(arguments is string) ? list : new[] { arguments })
            {
                string text = (item is PSObject p ? p.BaseObject : item) as string ?? "";
                if (text.Trim().Length == 0) throw new ValidationMetadataException("The id is empty (or only spaces).");
                if (WholeObject.IsMatch(text))
                {
                    throw new ValidationMetadataException(
                        $"'{text}' is a whole input object, not an id: the input has no property of this parameter's name. Rename the column, or pass the id by name.");
                }
            }
        }
    }
}
