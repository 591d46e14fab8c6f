using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace JelouPS.Json
{
    /// <summary>
    /// JSON exactly as JavaScript's <c>JSON.stringify</c> writes it (Jelou signs what its Node code
    /// stringifies): member order kept, no spaces, only <c>"</c>, <c>\</c> and control characters escaped
    /// (lone surrogates as <c>\uXXXX</c>), numbers in ECMAScript's Number-to-String form.
    /// Takes null, booleans, strings, numbers, dictionaries (in their enumeration order) and sequences.
    /// </summary>
    public static class JavaScriptJson
    {
        /// <summary>How deep a value may nest (objects and lists in one another).</summary>
        internal const int MaxDepth = 64;

        /// <summary>One object member, for building payloads whose member order matters.</summary>
        public static KeyValuePair<string, object?> Member(string name, object? value) => new KeyValuePair<string, object?>(name, value);

        /// <summary>The <see cref="Stringify(object?)"/> text as UTF-8, the bytes that are signed and sent.</summary>
        public static byte[] Utf8(object? value) => Encoding.UTF8.GetBytes(Stringify(value));

        /// <exception cref="ArgumentException">A value has no JSON form, two keys of an object are the same text, or the value nests
        /// deeper than 64 levels; the message says where (<c>customer.ids[2]</c>).</exception>
        public static string Stringify(object? value)
        {
            var builder = new StringBuilder();
            try
            {
                Write(builder, value, depth: 0);
            }
            catch (NoJsonForm ex)
            {
                // A value that refers to itself nests 65 levels of the same names: the start and the end say where.
                string path = ex.Path.Count <= 10 ? string.Concat(ex.Path)
                    : string.Concat(ex.Path.GetRange(0, 4)) + "..." + string.Concat(ex.Path.GetRange(ex.Path.Count - 3, 3)) + $" ({ex.Path.Count} levels)";
                // Keys may be long: a message line stays readable.
                if (path.Length > 160) path = path.Substring(0, 80) + "..." + path.Substring(path.Length - 60) + $" ({path.Length} characters)";
                throw new ArgumentException(path.Length == 0 ? ex.Message : $"{ex.Message} (at {path})");
            }
            return builder.ToString();
        }

        /// <summary>
        /// The text JSON.stringify gives <paramref name="number"/> when it is not that number: a whole number whose digits it
        /// does not keep (past 2^53, as a double holds it), a decimal a double cannot hold, NaN or an infinity (null). Null for
        /// a number sent as it is, and for any other value.
        /// </summary>
        internal static string? Inexact(object? number)
        {
            if (!IsNumber(number) && !(number is System.Numerics.BigInteger)) return null;
            string sent = FormatNumber(ToDouble(number!));
            bool exact = number switch
            {
                double d => !double.IsNaN(d) && !double.IsInfinity(d),
                float f => !float.IsNaN(f) && !float.IsInfinity(f),
                decimal d => decimal.TryParse(sent, NumberStyles.Float, CultureInfo.InvariantCulture, out decimal back) && back == d,
                _ => sent == Convert.ToString(number, CultureInfo.InvariantCulture),
            };
            return exact ? null : sent;
        }

        /// <summary>
        /// The text an object's key is sent as: as JavaScript makes a key of that value (String(value)): a number as it writes
        /// numbers, a boolean in lower case, a date as its value is written; anything else as invariant text.
        /// </summary>
        internal static string KeyText(object? key) => key switch
        {
            null => "",
            bool b => b ? "true" : "false",
            DateTimeOffset date => DateText(date),
            DateTime date => DateText(date),
            object number when IsNumber(number) || number is System.Numerics.BigInteger => NumberKey(ToDouble(number)),
            _ => Convert.ToString(key, CultureInfo.InvariantCulture) ?? "",
        };

        // String(n): as JSON writes the number, but NaN and the infinities by name (JSON writes them as null).
        private static string NumberKey(double value) =>
            double.IsNaN(value) ? "NaN" : double.IsPositiveInfinity(value) ? "Infinity" : double.IsNegativeInfinity(value) ? "-Infinity" : FormatNumber(value);

        // JSON.stringify(new Date()) gives ISO 8601 UTC with milliseconds. ConvertFrom-Json makes DateTimes of date strings:
        // a zone-less one stays zone-less rather than being called UTC.
        private static string DateText(DateTimeOffset date) => Iso(date.UtcDateTime) + "Z";

        private static string DateText(DateTime date) => date.Kind == DateTimeKind.Unspecified ? Iso(date) : Iso(date.ToUniversalTime()) + "Z";

        // A double as a reader of the number's text gets it: correctly rounded on .NET Core 3.0 and later, which a cast of a
        // decimal or a BigInteger is not. .NET Framework's parser can be one unit off for 20 digits and more (Windows
        // PowerShell 5.1): -InputObject signatures of such numbers may differ from Node's there.
        private static double ToDouble(object number) => number switch
        {
            decimal d => double.Parse(d.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture),
            // Past the double range .NET reads Infinity, as JSON.parse does; .NET Framework fails to read it.
            System.Numerics.BigInteger big => double.TryParse(big.ToString(CultureInfo.InvariantCulture), NumberStyles.Float, CultureInfo.InvariantCulture, out double read)
                ? read
                : big.Sign < 0 ? double.NegativeInfinity : double.PositiveInfinity,
            // [float]0.1 is meant as 0.1, not as the float's exact value 0.100000001490116...
            float f => double.Parse(f.ToString("R", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture),
            _ => Convert.ToDouble(number, CultureInfo.InvariantCulture),
        };

        /// <summary>A value with no JSON form, with the path to it, filled in as the writer unwinds.</summary>
        private sealed class NoJsonForm : Exception
        {
            internal NoJsonForm(string message) : base(message) { }

            internal List<string> Path { get; } = new List<string>();
        }

        private static void Write(StringBuilder builder, object? value, int depth)
        {
            switch (value)
            {
                case null:
                case DBNull _:
                    builder.Append("null");
                    return;
                case bool b:
                    builder.Append(b ? "true" : "false");
                    return;
                case string s:
                    WriteString(builder, s);
                    return;
                case char c:
                    WriteString(builder, c.ToString());
                    return;
                // As ConvertTo-Json writes them: ids and addresses are text.
                case Guid guid:
                    WriteString(builder, guid.ToString("D"));
                    return;
                case Uri uri:
                    WriteString(builder, uri.OriginalString);
                    return;
                case Enum e:
                    WriteString(builder, e.ToString());
                    return;
                case DateTimeOffset date:
                    WriteString(builder, DateText(date));
                    return;
                case DateTime date:
                    WriteString(builder, DateText(date));
                    return;
                case Exception failure:
                    // What a property that threw left in its place (PowerShell script properties).
                    throw new NoJsonForm($"The value could not be read: {failure.Message}");
                case System.Xml.XmlNode node:
                    // PowerShell and IEnumerable see its child nodes: it would be written as nested empty lists.
                    throw new NoJsonForm($"An XML {node.NodeType} has no JSON form: give its text (its OuterXml) or the values it holds.");
                // Objects and lists count, empty or not, as a JSON reader counts its depth (a value in them is no level).
                case IEnumerable _ when depth >= MaxDepth:
                    throw new NoJsonForm($"The value nests deeper than {MaxDepth} levels (or refers to itself).");
                case IDictionary dictionary:
                    WriteObject(builder, Entries(dictionary), depth);
                    return;
                case IEnumerable<KeyValuePair<string, object?>> members:
                    WriteObject(builder, members, depth);
                    return;
                case IEnumerable sequence:
                    builder.Append('[');
                    int index = 0;
                    foreach (object? item in sequence)
                    {
                        if (index > 0) builder.Append(',');
                        try
                        {
                            Write(builder, item, depth + 1);
                        }
                        catch (NoJsonForm ex)
                        {
                            ex.Path.Insert(0, $"[{index}]");
                            throw;
                        }
                        index++;
                    }
                    builder.Append(']');
                    return;
            }
            if (IsNumber(value) || value is System.Numerics.BigInteger)
            {
                // JSON.parse reads every number as a double; so does this.
                builder.Append(FormatNumber(ToDouble(value)));
                return;
            }
            throw new NoJsonForm($"A {value.GetType().Name} has no JSON form; use a string, number, boolean, dictionary or list.");
        }

        // Milliseconds, as a JavaScript Date has them; finer ticks (ConvertFrom-Json keeps seven digits) are kept, not cut.
        private static string Iso(DateTime time) =>
            time.ToString(time.Ticks % TimeSpan.TicksPerMillisecond == 0 ? "yyyy-MM-dd'T'HH:mm:ss.fff" : "yyyy-MM-dd'T'HH:mm:ss.fffffff", CultureInfo.InvariantCulture);

        private static IEnumerable<KeyValuePair<string, object?>> Entries(IDictionary dictionary)
        {
            foreach (DictionaryEntry entry in dictionary)
            {
                yield return new KeyValuePair<string, object?>(KeyText(entry.Key), entry.Value);
            }
        }

        private static void WriteObject(StringBuilder builder, IEnumerable<KeyValuePair<string, object?>> members, int depth)
        {
            builder.Append('{');
            bool first = true;
            // A JavaScript object lists array-index keys ("0", "7", ...) first, ascending, then the rest in insertion order.
            var all = new List<KeyValuePair<string, object?>>(members);
            var ordered = new List<KeyValuePair<string, object?>>(all.Count);
            var indexKeys = new List<(uint Index, KeyValuePair<string, object?> Member)>();
            foreach (KeyValuePair<string, object?> member in all)
            {
                if (IsArrayIndex(member.Key, out uint index)) indexKeys.Add((index, member));
            }
            indexKeys.Sort((a, b) => a.Index.CompareTo(b.Index));
            foreach (var key in indexKeys) ordered.Add(key.Member);
            foreach (KeyValuePair<string, object?> member in all)
            {
                if (!IsArrayIndex(member.Key, out _)) ordered.Add(member);
            }
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (KeyValuePair<string, object?> member in ordered)
            {
                if (!names.Add(member.Key))
                {
                    // A JavaScript object has each key once: one of the two values would be lost unseen.
                    throw new NoJsonForm($"Two keys of one object are both the text {Quoted(member.Key)} (such as 1 and '1'): a JSON object names each member once.");
                }
                if (!first) builder.Append(',');
                first = false;
                WriteString(builder, member.Key);
                builder.Append(':');
                try
                {
                    Write(builder, member.Value, depth + 1);
                }
                catch (NoJsonForm ex)
                {
                    ex.Path.Insert(0, IsIdentifier(member.Key) ? (depth == 0 ? member.Key : "." + member.Key) : "[" + Quoted(member.Key) + "]");
                    throw;
                }
            }
            builder.Append('}');
        }

        // "R" gives the fewest significant digits that read back as the same double, as JavaScript picks them, on
        // .NET Core 3.0 and later. On .NET Framework (Windows PowerShell) it can give 17 digits where 16 do, so there
        // the digits are searched for.
        private static readonly bool RoundTripIsShortest = !RuntimeInformation.FrameworkDescription.StartsWith(".NET Framework", StringComparison.Ordinal);

        private static string ShortestRoundTrip(double value) =>
            RoundTripIsShortest ? value.ToString("R", CultureInfo.InvariantCulture) : SearchShortestRoundTrip(value);

        /// <summary>The fewest significant digits that read back as <paramref name="value"/>, found by trying each count.</summary>
        internal static string SearchShortestRoundTrip(double value)
        {
            for (int digits = 1; digits < 17; digits++)
            {
                string candidate = value.ToString("E" + (digits - 1), CultureInfo.InvariantCulture);
                if (double.Parse(candidate, CultureInfo.InvariantCulture) == value) return candidate;
            }
            return value.ToString("E16", CultureInfo.InvariantCulture);
        }

        // ECMAScript array index: the canonical decimal form of an integer in [0, 2^32 - 2].
        private static bool IsArrayIndex(string key, out uint index)
        {
            index = 0;
            if (key.Length == 0 || key.Length > 10 || (key.Length > 1 && key[0] == '0')) return false;
            foreach (char c in key)
            {
                if (c < '0' || c > '9') return false;
            }
            return uint.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out index) && index != uint.MaxValue;
        }

        private static string Quoted(string key)
        {
            var builder = new StringBuilder();
            WriteString(builder, key);
            return builder.ToString();
        }

        private static bool IsIdentifier(string key)
        {
            if (key.Length == 0 || char.IsDigit(key[0])) return false;
            foreach (char c in key)
            {
                if (!char.IsLetterOrDigit(c) && c != '_' && c != '$') return false;
            }
            return true;
        }

        private static bool IsNumber(object? value) =>
            value is byte || value is sbyte || value is short || value is ushort || value is int || value is uint
            || value is long || value is ulong || value is float || value is double || value is decimal;

        internal static void WriteString(StringBuilder builder, string value)
        {
            builder.Append('"');
            for (int i = 0; i < value.Length; i++)
            {
                char c = value[i];
                switch (c)
                {
                    case '"': builder.Append("\\\""); break;
                    case '\\': builder.Append("\\\\"); break;
                    case '\b': builder.Append("\\b"); break;
                    case '\f': builder.Append("\\f"); break;
                    case '\n': builder.Append("\\n"); break;
                    case '\r': builder.Append("\\r"); break;
                    case '\t': builder.Append("\\t"); break;
                    default:
                        bool loneHigh = char.IsHighSurrogate(c) && (i + 1 >= value.Length || !char.IsLowSurrogate(value[i + 1]));
                        bool loneLow = char.IsLowSurrogate(c) && (i == 0 || !char.IsHighSurrogate(value[i - 1]));
                        if (c < 0x20 || loneHigh || loneLow)
                        {
                            builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                        }
                        else
                        {
                            builder.Append(c);
                        }
                        break;
                }
            }
            builder.Append('"');
        }

        /// <summary>ECMAScript Number::toString(10): shortest round-trip digits, exponent only outside [1e-7, 1e21).</summary>
        internal static string FormatNumber(double value)
        {
            if (double.IsNaN(value) || double.IsInfinity(value)) return "null";
            if (value == 0) return "0";
            string sign = value < 0 ? "-" : "";
            string r = ShortestRoundTrip(Math.Abs(value));
            int e = r.IndexOfAny(new[] { 'E', 'e' });
            int exponent = e >= 0 ? int.Parse(r.Substring(e + 1), CultureInfo.InvariantCulture) : 0;
            string mantissa = e >= 0 ? r.Substring(0, e) : r;
            int dot = mantissa.IndexOf('.');
            string digits = dot >= 0 ? mantissa.Remove(dot, 1) : mantissa;
            int pointPosition = (dot >= 0 ? dot : mantissa.Length) + exponent;
            int leadingZeros = 0;
            while (leadingZeros < digits.Length - 1 && digits[leadingZeros] == '0') leadingZeros++;
            digits = digits.Substring(leadingZeros).TrimEnd('0');
            pointPosition -= leadingZeros;
            if (digits.Length == 0) return "0";

            int k = digits.Length, n = pointPosition;
            if (k <= n && n <= 21) return sign + digits + new string('0', n - k);
            if (0 < n && n <= 21) return sign + digits.Substring(0, n) + "." + digits.Substring(n);
            if (-6 < n && n <= 0) return sign + "0." + new string('0', -n) + digits;
            string exp = (n - 1 >= 0 ? "+" : "-") + Math.Abs(n - 1).ToString(CultureInfo.InvariantCulture);
            return k == 1 ? sign + digits + "e" + exp : sign + digits[0] + "." + digits.Substring(1) + "e" + exp;
        }
    }
}
