using System;
using System.Collections;
using System.Globalization;
using System.Management.Automation;
using System.Numerics;

namespace JelouPS.Infrastructure
{
    /// <summary>
    /// How an id, enum value or name binds: from text, trimmed of surrounding whitespace and of the invisible format characters
    /// spreadsheets and editors leave (byte-order mark, zero-width spaces and joiners, direction marks, soft hyphens), whether
    /// given directly or from a pipeline or CSV row: cells arrive padded ("p10 "), and a padded id would be sent as "p10%20".
    /// Only text binds (a whole number or a GUID as its invariant text): PowerShell would otherwise make any object into
    /// text ("System.Collections.Hashtable", a script block's code, "a b" from a list) and send that. What is left must be
    /// one line of visible characters (<see cref="Require.LineProblem"/>).
    /// </summary>
    internal sealed class TrimmedAttribute : ArgumentTransformationAttribute
    {
        /// <summary>
        /// For a string[] parameter that takes whole pipeline objects (ValueFromPipeline): the property to take from an object
        /// (PowerShell would otherwise bind the whole row, made into text, before trying the property by name). Its value may
        /// be a list of ids; an object without the property is refused.
        /// </summary>
        public string? FromProperty { get; set; }

        public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
        {
            if (Unwrap(inputData) is IList list && !(list is byte[]) && FromProperty != null)
            {
                var items = new object?[list.Count];
                for (int i = 0; i < list.Count; i++) items[i] = Checked(Text(list[i], FromProperty));
                return items;
            }
            return Checked(Text(inputData, FromProperty));
        }

        internal static string Trim(string text)
        {
            int start = 0, end = text.Length;
            while (start < end && IsBlank(text[start])) start++;
            while (end > start && IsBlank(text[end - 1])) end--;
            return text.Substring(start, end - start);
        }

        /// <summary>
        /// <paramref name="input"/> as trimmed text, or null; with <paramref name="fromProperty"/>, an object's property of that
        /// name. Anything else is refused with a message that says why (the binder names the parameter).
        /// </summary>
        internal static string? Text(object? input, string? fromProperty = null, bool trim = true, bool fractions = false)
        {
            object? value = Unwrap(input);
            // A number typed as an argument (0593, 0x1F, 10kb, 0123n, 1e3) comes wrapped with the text it was typed as, which
            // its wrapper's text is then: as with a [string] parameter, that is the value (0593 must not become 593, another
            // id). Any other wrapper writes the number in the session's culture (sv-SE's minus is U+2212): a whole one is taken
            // in the invariant one below, and a fraction only as free text (a piped 4.5 is no id, but may be a price). In a list
            // (0123, 007) PowerShell makes each a number before any command sees it, as it does for a [string[]] parameter.
            if (input is PSObject typed && value != null && (IsWholeNumber(value) || value is BigInteger || value is decimal || value is double))
            {
                string text = typed.ToString();
                // A wrapped fraction may also be written the way PowerShell formats numbers ("0,3" for 0.1 + 0.2 in de-DE):
                // only text that reads back as the value is what was typed.
                if (text != Convert.ToString(value, CultureInfo.CurrentCulture) && (!(value is double || value is decimal) || ReadsBackAs(text, value)))
                {
                    return trim ? Trim(text) : text;
                }
            }
            switch (value)
            {
                case null:
                case DBNull _:
                    return null;
                case string text:
                    return trim ? Trim(text) : text;
                case double d when fractions && (double.IsNaN(d) || double.IsInfinity(d)):
                case float f when fractions && (float.IsNaN(f) || float.IsInfinity(f)):
                    throw Refused($"{Convert.ToString(value, CultureInfo.InvariantCulture)} is not a number a message can say (a calculation that failed?): give the text to send.");
                case object fraction when fractions && (fraction is double || fraction is float || fraction is decimal):
                    // As [string] makes it, the same on every runtime (0.1 + 0.2 is 0.3, not 0.30000000000000004).
                    return LanguagePrimitives.ConvertTo<string>(value);
                case Guid _:
                case BigInteger _:
                case object number when IsWholeNumber(number):
                    return Convert.ToString(value, CultureInfo.InvariantCulture);
                case IDictionary _ when fromProperty != null:
                    throw Refused($"A hashtable's keys do not bind by name (its other keys would be dropped unseen): pipe [pscustomobject]@{{ {fromProperty} = ... }}, or pass the id by name.");
                case IList list when !(list is byte[]):
                    throw Refused($"A list ({Name(value)} of {list.Count}) is not one value: give one.");
            }
            if (fromProperty != null && !IsScalar(value) && PSObject.AsPSObject(input!).Properties[fromProperty] is PSPropertyInfo property)
            {
                return Text(property.Value);
            }
            throw Refused(fromProperty is null || IsScalar(value)
                ? $"A value of type {Name(value)} is not text: give the value as a string ({(fractions ? "a number" : "a whole number")} or a GUID also binds as its text)."
                : $"The input (of type {Name(value)}) is a whole input object, not an id: it has no {fromProperty} property. " +
                    (NearMiss(input!, fromProperty) ?? $"Rename the column, pipe [pscustomobject]@{{ {fromProperty} = ... }}, or pass the id by name."));
        }

        // What a CSV row with no column of that name most likely got wrong: a header padded with spaces (or a byte-order
        // mark), a file read with the wrong delimiter, which makes the whole header one column, or Excel's "sep=;" first line,
        // which Import-Csv takes for the header.
        private static string? NearMiss(object input, string name)
        {
            foreach (PSPropertyInfo property in PSObject.AsPSObject(input).Properties)
            {
                if (property.Name.TrimStart().StartsWith("sep=", StringComparison.OrdinalIgnoreCase))
                {
                    // "sep=;" read with another delimiter keeps its separator; read with that one, it is cut off, and is the one used.
                    string separator = property.Name.TrimStart().Substring(4);
                    string read = separator.Length == 0 ? "with the -Delimiter it was read with, if any"
                        : separator[0] == '\t' ? "-Delimiter \"`t\"" : $"-Delimiter '{separator.Substring(0, 1).Replace("'", "''")}'";
                    return $"Its header {Require.Show(property.Name)} is the line Excel writes first to name the file's separator, which Import-Csv takes for the header: " +
                        $"skip it, Get-Content <file> | Select-Object -Skip 1 | ConvertFrom-Csv {read}.";
                }
                if (string.Equals(Trim(property.Name), name, StringComparison.OrdinalIgnoreCase))
                {
                    return $"Its column {Require.Show(property.Name)} has spaces or invisible characters around the name: rename it to {name}.";
                }
                if (string.Equals(Trim(property.Name).Replace(" ", "").Replace("_", "").Replace("-", ""), name, StringComparison.OrdinalIgnoreCase))
                {
                    return $"Its column {Require.Show(property.Name)} is spelled otherwise: rename it to {name}.";
                }
                foreach (char delimiter in new[] { ';', '\t', '|', ',' })
                {
                    if (property.Name.IndexOf(delimiter) >= 0 && property.Name.IndexOf(name, StringComparison.OrdinalIgnoreCase) >= 0)
                    {
                        string read = delimiter == ',' ? "read it without -Delimiter or -UseCulture (whose separator here is not a comma)"
                            : $"read it with Import-Csv -Delimiter {(delimiter == '\t' ? "\"`t\"" : $"'{delimiter}'")}";
                        return $"Its one column {Require.Show(property.Name)} is the whole header: the file is separated by {(delimiter == '\t' ? "tabs" : $"'{delimiter}'")}, so {read}.";
                    }
                }
            }
            return null;
        }

        // Whether a wrapper's text is the value written as a number literal (1.50, 1e3), not text PowerShell formatted.
        private static bool ReadsBackAs(string text, object value) =>
            value is double d ? double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double read) && read.Equals(d)
            : decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out decimal exact) && exact == (decimal)value;

        private static string? Checked(string? text) =>
            text != null && Require.LineProblem(text) is string problem ? throw new ArgumentTransformationMetadataException(problem) : text;

        private static object? Unwrap(object? value) => value is PSObject wrapped ? wrapped.BaseObject : value;

        private static ArgumentTransformationMetadataException Refused(string message) => new ArgumentTransformationMetadataException(message);

        private static bool IsBlank(char c) => char.IsWhiteSpace(c) || CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.Format;

        private static bool IsWholeNumber(object value) =>
            value is sbyte || value is byte || value is short || value is ushort || value is int || value is uint || value is long || value is ulong;

        // Values PowerShell makes into text by themselves, which never carry an id property: refused as not text.
        private static bool IsScalar(object value) =>
            value.GetType().IsPrimitive || value is byte[] || value is decimal || value is DateTime || value is DateTimeOffset || value is TimeSpan || value is Enum || value is ScriptBlock;

        private static string Name(object value) => value.GetType().Name;
    }

    /// <summary>
    /// Free text (a message, a caption) binds from text as given, untrimmed: an object would otherwise be sent as its type's
    /// name ("System.Collections.Hashtable"). Any number binds too, fractions included (a reply of a price, -Text $total), as
    /// typed or as [string] makes it; not NaN or an infinity. What text may hold is the client's rule, checked before the request.
    /// </summary>
    internal sealed class FreeTextAttribute : ArgumentTransformationAttribute
    {
        public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData) => TrimmedAttribute.Text(inputData, trim: false, fractions: true);
    }

    /// <summary>An id (project, bot, user, room, conversation, message): <see cref="Require.IdProblem"/>, checked as it binds.</summary>
    internal sealed class ValidateIdAttribute : ValidateArgumentsAttribute
    {
        protected override void Validate(object arguments, EngineIntrinsics engineIntrinsics)
        {
            foreach (object? item in arguments is IList list && !(arguments is string) ? list : new[] { arguments })
            {
                string? id = (item is PSObject p ? p.BaseObject : item) as string;
                if (Require.IdProblem(id) is string problem) throw new ValidationMetadataException(string.IsNullOrWhiteSpace(id) ? problem + " " + BlankRow : problem);
            }
        }

        // The usual source of an empty id: a spreadsheet's empty cell or blank row; the binder's error names the parameter, and
        // so the column. A filter of that column's cells with something visible also leaves out a quoted cell of spaces.
        private const string BlankRow = "From a CSV, an empty cell gives one, as does a blank row (Excel saves a row it left empty as ;;;): fill it in, or leave " +
            "such rows out before this command: ... | Where-Object { $_.<column> -match '\\S' } | ..., where <column> is the parameter named here.";
    }

    /// <summary>
    /// A URL JelouPS sends to or registers, bound from text (trimmed as <see cref="TrimmedAttribute"/> does) or a Uri, and
    /// checked by <see cref="JelouUris"/> as it binds, so a bad URL fails before any request or prompt. Binds the URL as it
    /// is sent (an international host in punycode).
    /// </summary>
    internal sealed class SecureUriAttribute : ArgumentTransformationAttribute
    {
        /// <summary>A base URI (-BaseUri, -ChatbotUri), which the API's paths are appended to.</summary>
        public bool Base { get; set; }

        /// <summary>An optional setting, for which blank text (a CSV row's empty cell) counts as not given: it binds null.</summary>
        public bool BlankIsNotGiven { get; set; }

        public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
        {
            object? value = (inputData is PSObject wrapped ? wrapped.BaseObject : inputData) as Uri ?? (object?)TrimmedAttribute.Text(inputData);
            if (value is null || (BlankIsNotGiven && value is string text && text.Length == 0)) return null;
            return JelouUris.Problem(value, Base, out Uri? uri) is string problem ? throw new ArgumentTransformationMetadataException(problem) : uri;
        }
    }

    /// <summary>
    /// A proxy address (-Proxy), bound from text (trimmed as <see cref="TrimmedAttribute"/> does) or a Uri and checked by
    /// <see cref="ProxySettings.RequireProxyAddress"/> as it binds; a refused one is never repeated, since a password may
    /// have been typed into it.
    /// </summary>
    internal sealed class ProxyUriAttribute : ArgumentTransformationAttribute
    {
        public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
        {
            object? value = (inputData is PSObject wrapped ? wrapped.BaseObject : inputData) as Uri ?? (object?)TrimmedAttribute.Text(inputData);
            if (value is null) return null;
            if (!(value is Uri address) && !Uri.TryCreate((string)value, UriKind.RelativeOrAbsolute, out address!))
            {
                throw new ArgumentTransformationMetadataException(ProxySettings.AddressForm);
            }
            try
            {
                return ProxySettings.RequireProxyAddress(address, "Proxy");
            }
            catch (ArgumentException ex)
            {
                throw new ArgumentTransformationMetadataException(ErrorMapper.WithoutParameterName(ex));
            }
        }
    }
}
