using System;
using System.Collections.Generic;
using System.Collections.Specialized;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using CsCheck;
using JelouPS.Json;
using JelouPS.Security;
using JelouPS.Webhooks;
using Xunit;

namespace JelouPS.Tests.Client
{
    public sealed class JavaScriptJsonTests
    {
        [Theory]
        [InlineData(0.0, "0")]
        [InlineData(100.0, "100")]
        [InlineData(1e20, "100000000000000000000")]
        [InlineData(1e21, "1e+21")]
        [InlineData(1.5e300, "1.5e+300")]
        [InlineData(0.000001, "0.000001")]
        [InlineData(1e-7, "1e-7")]
        [InlineData(1.25e-7, "1.25e-7")]
        [InlineData(123.456, "123.456")]
        [InlineData(0.1 + 0.2, "0.30000000000000004")]
        [InlineData(-2.5, "-2.5")]
        [InlineData(5e-324, "5e-324")]
        [InlineData(1.7976931348623157e308, "1.7976931348623157e+308")]
        [InlineData(double.NaN, "null")]
        [InlineData(double.PositiveInfinity, "null")]
        public void Numbers_are_written_as_JavaScript_writes_them(double value, string expected) =>
            Assert.Equal(expected, JavaScriptJson.Stringify(value));

        [Fact]
        public void Negative_zero_is_written_as_zero() => Assert.Equal("0", JavaScriptJson.Stringify(-0.0));

        [Fact]
        public void Strings_escape_only_what_JSON_stringify_escapes()
        {
            string input = "q\"b\\s/ <>&' é 🔑 \u2028 \u0001\u001f\b\f\n\r\t" + '\ud800' + "x" + '\udc00';
            Assert.Equal("\"q\\\"b\\\\s/ <>&' é 🔑 \u2028 \\u0001\\u001f\\b\\f\\n\\r\\t\\ud800x\\udc00\"", JavaScriptJson.Stringify(input));
        }

        [Fact]
        public void Objects_keep_insertion_order_but_list_array_index_keys_first_as_JavaScript_does()
        {
            var ordered = new OrderedDictionary { ["b"] = 1, ["10"] = 2, ["a"] = new object?[] { true, null, "x" }, ["2"] = 3, ["01"] = 4 };
            Assert.Equal("{\"2\":3,\"10\":2,\"b\":1,\"a\":[true,null,\"x\"],\"01\":4}", JavaScriptJson.Stringify(ordered));
        }

        [Fact]
        public void Dates_keep_their_zone_and_their_precision()
        {
            var zoneless = new DateTime(2026, 1, 15, 10, 30, 0, DateTimeKind.Unspecified);
            var utc = new DateTime(2026, 1, 15, 10, 30, 0, 123, DateTimeKind.Utc);

            // ConvertFrom-Json makes a zone-less DateTime of "2026-01-15T10:30:00": it is not called UTC.
            Assert.Equal("\"2026-01-15T10:30:00.000\"", JavaScriptJson.Stringify(zoneless));
            Assert.Equal("\"2026-01-15T10:30:00.123Z\"", JavaScriptJson.Stringify(utc));
            Assert.Equal("\"2026-01-15T10:30:00.1234567Z\"", JavaScriptJson.Stringify(utc.AddTicks(4567)));
            Assert.Equal("\"2026-01-15T08:30:00.000Z\"", JavaScriptJson.Stringify(new DateTimeOffset(2026, 1, 15, 10, 30, 0, TimeSpan.FromHours(2))));
        }

        [Fact]
        public void Values_with_no_JSON_form_are_refused_with_where_they_are()
        {
            Assert.Throws<ArgumentException>(() => JavaScriptJson.Stringify(new object()));
            var nested = new OrderedDictionary { ["customer"] = new OrderedDictionary { ["ids"] = new object[] { 1, TimeSpan.Zero } } };
            Assert.EndsWith("(at customer.ids[1])", Assert.Throws<ArgumentException>(() => JavaScriptJson.Stringify(nested)).Message, StringComparison.Ordinal);
            var xml = new System.Xml.XmlDocument();
            xml.LoadXml("<r><b>1</b></r>");
            Assert.Contains("An XML Document has no JSON form", Assert.Throws<ArgumentException>(() => JavaScriptJson.Stringify(new object[] { xml })).Message);
            // Objects and lists count as levels, empty or not, as a JSON reader counts them; a long path stays one readable line.
            object tooDeep = new OrderedDictionary();
            for (int i = 0; i < 64; i++) tooDeep = new OrderedDictionary { [new string('k', 500)] = tooDeep };
            string deep = Assert.Throws<ArgumentException>(() => JavaScriptJson.Stringify(tooDeep)).Message;
            Assert.Contains("deeper than 64 levels", deep);
            Assert.True(deep.Length < 400, deep.Length + " characters");
            object allowed = 1;
            for (int i = 0; i < 64; i++) allowed = new object[] { allowed };
            JavaScriptJson.Stringify(allowed);
            var oddKey = new OrderedDictionary { ["my key"] = new Version(1, 0) };
            Assert.EndsWith("(at [\"my key\"])", Assert.Throws<ArgumentException>(() => JavaScriptJson.Stringify(oddKey)).Message, StringComparison.Ordinal);
        }

        [Fact]
        public void Two_keys_of_the_same_text_are_refused_rather_than_one_value_lost()
        {
            var keys = new System.Collections.Hashtable { [1] = "int", ["1"] = "text" };
            string message = Assert.Throws<ArgumentException>(() => JavaScriptJson.Stringify(new OrderedDictionary { ["x"] = keys })).Message;
            Assert.Contains("both the text \"1\"", message);
            Assert.EndsWith("(at x)", message, StringComparison.Ordinal);
            // Keys that differ only in case are two members, as in JavaScript.
            Assert.Equal("{\"a\":1,\"A\":2}", JavaScriptJson.Stringify(new OrderedDictionary(StringComparer.Ordinal) { ["a"] = 1, ["A"] = 2 }));
        }

        [Fact]
        public void Guids_and_URIs_are_written_as_their_text_and_date_keys_as_dates_are()
        {
            var value = new OrderedDictionary
            {
                ["id"] = new Guid("0f8fad5b-d9cb-469f-a165-70867728950e"),
                ["url"] = new Uri("https://crm.example.com/a?b=1"),
                [new DateTime(2024, 1, 2, 3, 4, 5, DateTimeKind.Utc)] = 1,
            };
            Assert.Equal("{\"id\":\"0f8fad5b-d9cb-469f-a165-70867728950e\",\"url\":\"https://crm.example.com/a?b=1\",\"2024-01-02T03:04:05.000Z\":1}", JavaScriptJson.Stringify(value));
            // Other keys as JavaScript's String(key) gives them: numbers as JSON writes them, booleans in lower case.
            Assert.Equal("{\"1e+21\":1,\"0.30000000000000004\":2,\"true\":3,\"NaN\":4}",
                JavaScriptJson.Stringify(new OrderedDictionary { [1e21] = 1, [0.1 + 0.2] = 2, [true] = 3, [double.NaN] = 4 }));
        }

        [Fact]
        public void Decimals_BigIntegers_and_floats_become_the_double_their_text_reads_as()
        {
            // A cast of a decimal or a BigInteger to double can miss the nearest double; JSON.parse of the digits does not.
            Assert.Equal("12345678901234568", JavaScriptJson.Stringify(12345678901234567.89m));
            Assert.Equal("18446744073709552000", JavaScriptJson.Stringify(System.Numerics.BigInteger.Parse("18446744073709551615")));
            Assert.Equal("123456789012345680000", JavaScriptJson.Stringify(System.Numerics.BigInteger.Parse("123456789012345680000")));
            // [float]0.1 is meant as 0.1, not as the float's exact value.
            Assert.Equal("0.1", JavaScriptJson.Stringify(0.1f));
            // Past the double range, JSON.parse reads Infinity, which JSON.stringify writes as null.
            Assert.Equal("[null,null]", JavaScriptJson.Stringify(new[] { System.Numerics.BigInteger.Pow(10, 400), -System.Numerics.BigInteger.Pow(10, 400) }));
            Assert.Equal("null", JavaScriptJson.Inexact(System.Numerics.BigInteger.Pow(10, 400)));
        }

        [Theory]
        [InlineData(9007199254740993L, "9007199254740992")]
        [InlineData(long.MinValue, "-9223372036854776000")]
        [InlineData(9007199254740992L, null)]
        [InlineData(-42L, null)]
        public void Inexact_names_the_whole_numbers_JSON_stringify_does_not_keep_every_digit_of(long value, string? sent) =>
            Assert.Equal(sent, JavaScriptJson.Inexact(value));

        [Fact]
        public void Inexact_names_NaN_infinities_and_decimals_a_double_cannot_hold_and_nothing_else()
        {
            Assert.Equal("null", JavaScriptJson.Inexact(double.NaN));
            Assert.Equal("null", JavaScriptJson.Inexact(float.PositiveInfinity));
            Assert.Equal("12345678901234568", JavaScriptJson.Inexact(12345678901234567.89m));
            Assert.Equal("1.2345678901234568e+29", JavaScriptJson.Inexact(System.Numerics.BigInteger.Parse("123456789012345678901234567890")));
            Assert.Null(JavaScriptJson.Inexact(1.50m));
            Assert.Null(JavaScriptJson.Inexact(0.1));
            Assert.Null(JavaScriptJson.Inexact(9007199254740992UL));
            Assert.Null(JavaScriptJson.Inexact("9007199254740993"));
        }

        // 300 payloads Node generated, stringified and signed (NodeVectors/make-vectors.js): read back into .NET
        // values, our Stringify must give Node's text byte for byte, and our signature Node's. Needs no Node.
        [Fact]
        public void Stringify_and_signatures_match_the_vectors_Node_wrote()
        {
            string file = Path.Combine(AppContext.BaseDirectory, "Client", "NodeVectors", "vectors.json");
            using var document = System.Text.Json.JsonDocument.Parse(File.ReadAllBytes(file));
            int checkedCount = 0;
            foreach (var vector in document.RootElement.EnumerateArray())
            {
                string json = vector.GetProperty("json").GetString()!;
                string secret = vector.GetProperty("secret").GetString()!;
                Assert.Equal(json, JavaScriptJson.Stringify(ReferenceJson.Parse(json)));
                Assert.Equal(vector.GetProperty("signature").GetString(), JelouSignature.Compute(Encoding.UTF8.GetBytes(json), SecureStrings.FromString(secret)));
                checkedCount++;
            }
            Assert.Equal(300, checkedCount);
        }

        // Windows PowerShell's .NET Framework searches for the shortest digits; .NET Core's "R" finds them at once.
        // Both must pick the same digits, or a payload signed under 5.1 and under 7 would differ.
        [Fact]
        public void The_digit_search_used_on_NET_Framework_agrees_with_round_trip_formatting()
        {
            static string Digits(string formatted)
            {
                string mantissa = formatted.Split('E', 'e')[0].Replace(".", "").TrimStart('-');
                return mantissa.TrimStart('0').TrimEnd('0');
            }

            Gen.Double.Where(d => d != 0 && !double.IsNaN(d) && !double.IsInfinity(d)).Sample(d =>
            {
                string searched = JavaScriptJson.SearchShortestRoundTrip(d);
                string roundTrip = d.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
                return double.Parse(searched, System.Globalization.CultureInfo.InvariantCulture) == d && Digits(searched) == Digits(roundTrip);
            }, iter: 20000);
        }

        // Node's own JSON.stringify and createHmac are the reference: for hundreds of generated payloads, what
        // Node makes of our bytes (JSON.parse then JSON.stringify) must be our bytes, and its HMAC our signature.
        [NodeFact]
        public void Stringify_and_signatures_match_Node_for_generated_payloads()
        {
            using var node = NodeReference.Start();
            // Weighted to the characters escaping rules are about: controls, quotes, backslash, surrogates, U+2028, non-ASCII.
            Gen<char> character = Gen.OneOf(
                Gen.Char[(char)0, (char)0x1f], Gen.Char['\ud800', '\udfff'], Gen.Char[' ', '~'], Gen.Char['\u0080', '\uffff'],
                Gen.OneOfConst('"', '\\', '/', '\u2028', '\u2029', '<', '&'));
            Gen<string> text = Gen.OneOf(character.Array[0, 12].Select(c => new string(c)), Gen.String, Gen.Const("ñandú 🔑 \"quoted\" \\ / \u2028"));
            Gen<object?> number = Gen.OneOf(
                Gen.Double.Where(d => !double.IsNaN(d) && !double.IsInfinity(d)).Select(d => (object?)d),
                Gen.Int.Select(i => (object?)i),
                Gen.Long.Select(l => (object?)l),
                Gen.Double[-1e-6, 1e-6].Select(d => (object?)d));
            Gen<object?> leaf = Gen.OneOf(Gen.Bool.Select(_ => (object?)null), Gen.Bool.Select(b => (object?)b), number, text.Select(s => (object?)s));
            Gen<object?> tree = Gen.Recursive<object?>((depth, self) => depth >= 3
                ? leaf
                : Gen.OneOf(
                    leaf,
                    self.List[0, 4].Select(items => (object?)items),
                    Gen.Select(Gen.OneOf(text, Gen.Int[0, 20].Select(i => i.ToString())), self).List[0, 5].Select(members => (object?)members
                        .GroupBy(m => m.Item1).Select(g => new KeyValuePair<string, object?>(g.Key, g.First().Item2)).ToList())));
            Gen<string> secret = Gen.OneOf(Gen.Char['0', 'f'].Array[64].Select(c => new string(c)), Gen.Const("clé-secrète-🔑"), Gen.Char['a', 'z'].Array[1, 40].Select(c => new string(c)));

            Gen.Select(tree, secret).Sample((payload, key) =>
            {
                string ours = JavaScriptJson.Stringify(payload);
                (string theirs, string signature) = node.StringifyAndSign(ours, key);
                return theirs == ours && signature == JelouSignature.Compute(Encoding.UTF8.GetBytes(ours), SecureStrings.FromString(key));
            }, iter: 400, threads: 1);
        }
    }

    /// <summary>Runs only where node is on PATH; elsewhere it shows as skipped, with the reason.</summary>
    public sealed class NodeFactAttribute : FactAttribute
    {
        public NodeFactAttribute()
        {
            if (!NodeReference.IsAvailable) Skip = "node is not on PATH: the live differential test against Node is skipped (the checked-in Node vectors still run).";
        }
    }

    /// <summary>
    /// A JSON reader for Node's output as JavaScript reads it: numbers are doubles, objects keep their order,
    /// and strings may hold lone surrogates (which System.Text.Json refuses to unescape).
    /// </summary>
    internal static class ReferenceJson
    {
        public static object? Parse(string json)
        {
            int position = 0;
            object? value = Value(json, ref position);
            Assert.Equal(json.Length, position);
            return value;
        }

        private static object? Value(string s, ref int i)
        {
            switch (s[i])
            {
                case 'n': i += 4; return null;
                case 't': i += 4; return true;
                case 'f': i += 5; return false;
                case '"': return Text(s, ref i);
                case '[':
                    var items = new List<object?>();
                    i++;
                    while (s[i] != ']')
                    {
                        items.Add(Value(s, ref i));
                        if (s[i] == ',') i++;
                    }
                    i++;
                    return items;
                case '{':
                    var members = new List<KeyValuePair<string, object?>>();
                    i++;
                    while (s[i] != '}')
                    {
                        string key = Text(s, ref i);
                        i++; // ':'
                        members.Add(new KeyValuePair<string, object?>(key, Value(s, ref i)));
                        if (s[i] == ',') i++;
                    }
                    i++;
                    return members;
                default:
                    int start = i;
                    while (i < s.Length && "+-0123456789.eE".IndexOf(s[i]) >= 0) i++;
                    return double.Parse(s.Substring(start, i - start), System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        private static string Text(string s, ref int i)
        {
            var text = new StringBuilder();
            for (i++; s[i] != '"'; i++)
            {
                if (s[i] != '\\') { text.Append(s[i]); continue; }
                char escaped = s[++i];
                switch (escaped)
                {
                    case 'b': text.Append('\b'); break;
                    case 'f': text.Append('\f'); break;
                    case 'n': text.Append('\n'); break;
                    case 'r': text.Append('\r'); break;
                    case 't': text.Append('\t'); break;
                    case 'u': text.Append((char)Convert.ToInt32(s.Substring(i + 1, 4), 16)); i += 4; break;
                    default: text.Append(escaped); break;
                }
            }
            i++;
            return text.ToString();
        }
    }

    /// <summary>A node process that re-serialises and signs, one line in, one line out.</summary>
    internal sealed class NodeReference : IDisposable
    {
        private const string Script = @"
const crypto = require('crypto');
const rl = require('readline').createInterface({ input: process.stdin });
const b64 = s => Buffer.from(s, 'utf8').toString('base64');
const unb64 = s => Buffer.from(s, 'base64').toString('utf8');
rl.on('line', line => {
  const [secret, payload] = line.split(' ').map(unb64);
  const theirs = JSON.stringify(JSON.parse(payload));
  const signature = 'sha256=' + crypto.createHmac('sha256', secret).update(payload, 'utf8').digest('hex');
  process.stdout.write(b64(theirs) + ' ' + signature + '\n');
});";

        public static bool IsAvailable { get; } = Probe();

        private static bool Probe()
        {
            try
            {
                using Process? probe = Process.Start(new ProcessStartInfo("node", "--version") { RedirectStandardOutput = true, UseShellExecute = false });
                return probe != null && probe.WaitForExit(10000) && probe.ExitCode == 0;
            }
            catch (System.ComponentModel.Win32Exception)
            {
                return false;
            }
        }

        private readonly Process _process;
        private readonly string _scriptPath;

        private NodeReference(Process process, string scriptPath)
        {
            _process = process;
            _scriptPath = scriptPath;
        }

        public static NodeReference Start()
        {
            string path = Path.Combine(Path.GetTempPath(), "jelouops-node-" + Guid.NewGuid().ToString("N") + ".js");
            File.WriteAllText(path, Script);
            var info = new ProcessStartInfo("node", path) { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
            return new NodeReference(Process.Start(info)!, path);
        }

        public (string Stringified, string Signature) StringifyAndSign(string payload, string secret)
        {
            string B64(string s) => Convert.ToBase64String(Encoding.UTF8.GetBytes(s));
            _process.StandardInput.WriteLine(B64(secret) + " " + B64(payload));
            _process.StandardInput.Flush();
            string[] answer = (_process.StandardOutput.ReadLine() ?? throw new InvalidOperationException("node stopped answering")).Split(' ');
            return (Encoding.UTF8.GetString(Convert.FromBase64String(answer[0])), answer[1]);
        }

        public void Dispose()
        {
            _process.StandardInput.Close();
            if (!_process.WaitForExit(5000)) _process.Kill();
            _process.Dispose();
            File.Delete(_scriptPath);
        }
    }
}
