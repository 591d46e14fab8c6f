using System;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using System.Text;

namespace JelouPS.Infrastructure
{
    /// <summary>PowerShell values as the plain .NET values the client serialises, and payloads as bytes.</summary>
    internal static class PowerShellValues
    {
        /// <summary>An optional value bound from a CSV column: a cell left empty means "not given".</summary>
        internal static string? Given(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

        /// <summary>
        /// Unwraps PSObjects all the way down: dictionaries keep their order, [pscustomobject]s become their
        /// properties in order, lists become lists. (A plain @{} has no order of its own; use [ordered]@{}.)
        /// </summary>
        internal static object? ToPlain(object? value, int depth = 0)
        {
            if (depth > 64) throw new ArgumentException("The value nests deeper than 64 levels (or refers to itself).");
            if (value is PSObject wrapped)
            {
                if (wrapped.BaseObject is PSCustomObject)
                {
                    var members = new List<KeyValuePair<string, object?>>();
                    foreach (PSPropertyInfo property in wrapped.Properties)
                    {
                        members.Add(new KeyValuePair<string, object?>(property.Name, ToPlain(property.Value, depth + 1)));
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
                case IDictionary dictionary:
                    var entries = new List<KeyValuePair<string, object?>>();
                    foreach (DictionaryEntry entry in dictionary)
                    {
                        entries.Add(new KeyValuePair<string, object?>(Convert.ToString(ToPlain(entry.Key, depth + 1), System.Globalization.CultureInfo.InvariantCulture) ?? "", ToPlain(entry.Value, depth + 1)));
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
                default:
                    throw new ArgumentTransformationMetadataException("The payload must be the body as a string or as a byte array, exactly as received or sent.");
            }
        }
    }
}
