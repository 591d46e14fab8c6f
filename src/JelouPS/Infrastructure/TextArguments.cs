using System;
using System.Collections;
using System.Management.Automation;
using System.Text.RegularExpressions;

namespace JelouPS.Infrastructure
{
    /// <summary>
    /// Trims surrounding whitespace from ids, URLs, enum values and names as they are bound, whether given directly or
    /// from a pipeline or CSV row: spreadsheet cells arrive padded ("p10 "), and a padded id would be sent as "p10%20".
    /// Anything that is not text passes untouched, so binding by property name still gets its chance.
    /// </summary>
    internal sealed class TrimmedAttribute : ArgumentTransformationAttribute
    {
        public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
        {
            object? value = inputData is PSObject wrapped ? wrapped.BaseObject : inputData;
            switch (value)
            {
                case string text:
                    return text.Trim();
                case IList list when !(value is byte[]):
                    var trimmed = new object?[list.Count];
                    for (int i = 0; i < list.Count; i++)
                    {
                        object? item = list[i] is PSObject p ? p.BaseObject : list[i];
                        trimmed[i] = item is string s ? s.Trim() : list[i];
                    }
                    return trimmed;
                default:
                    return inputData;
            }
        }
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
