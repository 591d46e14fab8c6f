using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Security;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using JelouPS.Http;
using JelouPS.Security;

namespace JelouPS.Json
{
    /// <summary>
    /// Reading Jelou's two documented answer shapes (flat object, or a <c>{message,statusMessage,status,data}</c>
    /// envelope) and its error body. Messages about a bad body describe its shape, never its content,
    /// because bodies may hold the signing secret.
    /// </summary>
    internal static class JelouJson
    {
        /// <summary>Compact JSON with JavaScript's escaping, the form Jelou's own Node code produces.</summary>
        internal static readonly JsonWriterOptions WriterOptions = new JsonWriterOptions
        {
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            Indented = false,
        };

        /// <summary>
        /// A JSON string's text as JSON.parse gives it, also when it holds a lone surrogate escape (JSON.stringify writes one
        /// for text cut inside an emoji, <c>"cut \ud83d"</c>): that UTF-16 unit is kept, where GetString throws.
        /// </summary>
        internal static string Text(JsonElement value)
        {
            try
            {
                return value.GetString()!;
            }
            catch (InvalidOperationException)
            {
                return Unescape(value.GetRawText());
            }
        }

        // The text of a JSON string token (quotes included) the parser has already checked: only its escapes are undone.
        private static string Unescape(string token)
        {
            var text = new StringBuilder(token.Length);
            for (int i = 1; i < token.Length - 1; i++)
            {
                char c = token[i];
                if (c != '\\')
                {
                    text.Append(c);
                    continue;
                }
                char escaped = token[++i];
                switch (escaped)
                {
                    case 'b': text.Append('\b'); break;
                    case 'f': text.Append('\f'); break;
                    case 'n': text.Append('\n'); break;
                    case 'r': text.Append('\r'); break;
                    case 't': text.Append('\t'); break;
                    case 'u':
                        text.Append((char)int.Parse(token.Substring(i + 1, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture));
                        i += 4;
                        break;
                    default: text.Append(escaped); break;
                }
            }
            return text.ToString();
        }

        /// <summary>Parses a 2xx body; the caller disposes the document.</summary>
        internal static JsonDocument Parse(ApiResponse response)
        {
            if (response.Body.Length == 0)
            {
                throw InvalidResponse(response, "an empty body");
            }
            try
            {
                JsonDocument document = JsonDocument.Parse(Utf8Json(response));
                if (document.RootElement.ValueKind != JsonValueKind.Object)
                {
                    JsonValueKind kind = document.RootElement.ValueKind;
                    document.Dispose();
                    throw InvalidResponse(response, $"a JSON {Describe(kind)} instead of an object");
                }
                return document;
            }
            catch (JsonException)
            {
                throw InvalidResponse(response, "a body that is not valid JSON");
            }
        }

        // The body without a UTF-8 byte order mark: RFC 8259 §8.1 lets a parser ignore one, and some servers send it.
        private static ReadOnlyMemory<byte> Utf8Json(ApiResponse response) => Utf8Json(response.Body);

        /// <summary>
        /// A JSON text's bytes without the UTF-8 byte order mark (EF BB BF) they may begin with: RFC 8259 §8.1 lets a parser
        /// ignore one, some servers send it, and a file saved with one (Windows PowerShell 5.1's Set-Content -Encoding UTF8
        /// writes it) carries it. The same array, from the fourth byte when it has the mark.
        /// </summary>
        internal static ReadOnlyMemory<byte> Utf8Json(byte[] body)
        {
            bool bom = body.Length >= 3 && body[0] == 0xEF && body[1] == 0xBB && body[2] == 0xBF;
            return bom ? new ReadOnlyMemory<byte>(body, 3, body.Length - 3) : body;
        }

        /// <summary>The resource: the envelope's <c>data</c> when enveloped, else the body itself.</summary>
        internal static JsonElement Unwrap(JsonElement root, ApiResponse response)
        {
            bool enveloped = root.TryGetProperty("statusMessage", out _) || root.TryGetProperty("status", out _);
            if (!enveloped || !root.TryGetProperty("data", out JsonElement data))
            {
                return root;
            }
            if (data.ValueKind != JsonValueKind.Object)
            {
                throw InvalidResponse(response, $"an envelope whose data is a JSON {Describe(data.ValueKind)}");
            }
            return data;
        }

        internal static string? GetString(JsonElement obj, string name, ApiResponse response)
        {
            if (!obj.TryGetProperty(name, out JsonElement value)) return null;
            switch (value.ValueKind)
            {
                case JsonValueKind.String:
                    try
                    {
                        return value.GetString();
                    }
                    catch (InvalidOperationException)
                    {
                        throw InvalidResponse(response, $"'{name}' holding an escape that is not valid Unicode (a lone surrogate)");
                    }
                case JsonValueKind.Null: return null;
                // Ids are documented as strings; a numeric id is still an id.
                case JsonValueKind.Number: return value.GetRawText();
                default: throw InvalidResponse(response, $"'{name}' as a JSON {Describe(value.ValueKind)}");
            }
        }

        /// <summary>
        /// The string member <paramref name="name"/> (at the top or in the envelope's data) as a SecureString, read
        /// straight from the body's bytes so that no string of it is ever made; null when absent.
        /// </summary>
        internal static SecureString? ReadSecret(ApiResponse response, string name)
        {
            var reader = new Utf8JsonReader(Utf8Json(response).Span);
            while (reader.Read())
            {
                if (reader.TokenType != JsonTokenType.PropertyName || reader.CurrentDepth > 2 || !reader.ValueTextEquals(name)) continue;
                reader.Read();
                if (reader.TokenType == JsonTokenType.Null) return null;
                if (reader.TokenType != JsonTokenType.String) throw InvalidResponse(response, $"'{name}' as a JSON {reader.TokenType.ToString().ToLowerInvariant()}");
                return Secret(ref reader) ?? throw InvalidResponse(response, $"'{name}' holding an escape that is not valid Unicode (a lone surrogate)");
            }
            return null;
        }

        // The reader's string token as a read-only SecureString, with no string of it made; null when it is not valid UTF-16.
        private static SecureString? Secret(ref Utf8JsonReader reader)
        {
            char[] chars = new char[reader.HasValueSequence ? reader.ValueSequence.Length : reader.ValueSpan.Length];
            try
            {
                return SecureStrings.FromChars(chars, reader.CopyString(chars));
            }
            catch (InvalidOperationException)
            {
                return null;
            }
            finally
            {
                Array.Clear(chars, 0, chars.Length);
            }
        }

        /// <summary>
        /// What a broken answer still says, read up to where it breaks off: the string member <paramref name="secretName"/>
        /// as a SecureString, and the scalar members (as text) of the object holding it, at the top, in an envelope's
        /// <c>data</c> (also when <c>data</c> is a string of JSON), or in an array around either.
        /// </summary>
        internal static (SecureString? Secret, Dictionary<string, string> Members) Salvage(ApiResponse response, string secretName)
        {
            var members = new Dictionary<string, string>(StringComparer.Ordinal);
            SecureString? secret = Salvage(Utf8Json(response).Span, secretName, members, nested: false);
            return (secret, members);
        }

        /// <summary>
        /// Every secret named <paramref name="secretName"/> in a body, whole or cut short, wherever Salvage looks (an answer
        /// may hold two: at the top and in its data), for redaction.
        /// </summary>
        internal static List<SecureString> SalvageAll(byte[] body, string secretName)
        {
            var all = new List<SecureString>();
            Salvage(Utf8Json(body).Span, secretName, new Dictionary<string, string>(StringComparer.Ordinal), nested: false, all);
            return all;
        }

        private static SecureString? Salvage(ReadOnlySpan<byte> json, string secretName, Dictionary<string, string> members, bool nested, List<SecureString>? all = null)
        {
            SecureString? secret = null;
            var reader = new Utf8JsonReader(json, isFinalBlock: false, state: default);
            try
            {
                while (reader.Read())
                {
                    if (reader.TokenType != JsonTokenType.PropertyName || reader.CurrentDepth > 3) continue;
                    bool isSecret = reader.ValueTextEquals(secretName);
                    bool isData = reader.ValueTextEquals("data");
                    string? name = isSecret ? null : TextOrNull(ref reader);
                    if (!reader.Read()) break;
                    if (isSecret && reader.TokenType == JsonTokenType.String)
                    {
                        if (all is null) secret ??= Secret(ref reader);
                        else if (Secret(ref reader) is SecureString found)
                        {
                            all.Add(found);
                            secret ??= found;
                        }
                    }
                    else if (isData && reader.TokenType == JsonTokenType.String && !nested)
                    {
                        // Copied through arrays that are wiped, not a string: the text may hold the secret.
                        char[] text = new char[reader.HasValueSequence ? reader.ValueSequence.Length : reader.ValueSpan.Length];
                        byte[] inner = new byte[0];
                        try
                        {
                            inner = System.Text.Encoding.UTF8.GetBytes(text, 0, reader.CopyString(text));
                            secret ??= Salvage(inner, secretName, members, nested: true, all);
                        }
                        finally
                        {
                            Array.Clear(text, 0, text.Length);
                            Array.Clear(inner, 0, inner.Length);
                        }
                    }
                    else if (name != null && (reader.TokenType == JsonTokenType.String || reader.TokenType == JsonTokenType.Number) && !members.ContainsKey(name)
                        && (reader.TokenType == JsonTokenType.Number ? System.Text.Encoding.UTF8.GetString(reader.ValueSpan.ToArray()) : TextOrNull(ref reader)) is string value)
                    {
                        members[name] = value;
                    }
                }
            }
            // Where the JSON breaks off (cut, trailing bytes), or holds text that is not valid Unicode (a lone surrogate in
            // "data", which CopyString refuses), what was read before stands.
            catch (Exception ex) when (ex is JsonException || ex is InvalidOperationException)
            {
            }
            return secret;
        }

        // The token's text, or null when it is not valid Unicode (a lone-surrogate escape): that member is left out.
        private static string? TextOrNull(ref Utf8JsonReader reader)
        {
            try
            {
                return reader.GetString();
            }
            catch (InvalidOperationException)
            {
                return null;
            }
        }

        /// <summary>The first of <paramref name="names"/> that is a JSON object.</summary>
        internal static JsonElement? GetObject(JsonElement obj, ApiResponse response, params string[] names)
        {
            foreach (string name in names)
            {
                if (!obj.TryGetProperty(name, out JsonElement value) || value.ValueKind == JsonValueKind.Null) continue;
                if (value.ValueKind != JsonValueKind.Object) throw InvalidResponse(response, $"'{name}' as a JSON {Describe(value.ValueKind)}");
                return value;
            }
            return null;
        }

        /// <summary>
        /// A date member: ISO 8601 text (a zone-less time read as UTC, as servers write them) or Unix epoch milliseconds,
        /// as a number or digits. Absent, null, empty or unreadable is null: one odd date never costs the rest of the answer.
        /// </summary>
        internal static DateTimeOffset? GetDate(JsonElement obj, string name)
        {
            if (!obj.TryGetProperty(name, out JsonElement value)) return null;
            switch (value.ValueKind)
            {
                case JsonValueKind.Number:
                    return value.TryGetInt64(out long milliseconds) ? FromEpochMilliseconds(milliseconds) : null;
                case JsonValueKind.String:
                    try
                    {
                        return ParseDate(value.GetString());
                    }
                    catch (InvalidOperationException)
                    {
                        return null;
                    }
                default:
                    return null;
            }
        }

        /// <summary>The text of a date member, read as <see cref="GetDate"/> reads it.</summary>
        internal static DateTimeOffset? ParseDate(string? text)
        {
            if (text is null) return null;
            text = text.Trim();
            if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long digits)) return FromEpochMilliseconds(digits);
            return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out DateTimeOffset parsed)
                ? parsed
                : (DateTimeOffset?)null;
        }

        private static DateTimeOffset? FromEpochMilliseconds(long milliseconds)
        {
            const long Min = -62135596800000, Max = 253402300799999;
            return milliseconds < Min || milliseconds > Max ? (DateTimeOffset?)null : DateTimeOffset.FromUnixTimeMilliseconds(milliseconds);
        }

        internal static JelouApiException InvalidResponse(ApiResponse response, string what) =>
            new JelouApiException(
                JelouErrorKind.InvalidResponse,
                $"The Jelou API answered {response.StatusText} with {what} ({response.ContentType ?? "no content type"}, {Sizes.Bytes(response.Body.Length)}); expected the documented JSON.",
                response.StatusCode,
                requestId: response.RequestId,
                operation: response.Operation);

        /// <summary>The error body's parts, as far as it has them. Never throws: a broken error body is still an error.</summary>
        internal static ApiError ReadError(ApiResponse response)
        {
            var error = new ApiError();
            if (response.Body.Length == 0) return error;
            try
            {
                using JsonDocument document = JsonDocument.Parse(Utf8Json(response));
                JsonElement root = document.RootElement;
                if (root.ValueKind != JsonValueKind.Object) return error;
                error.IsJson = true;
                error.IsEnvelope = root.TryGetProperty("statusMessage", out _) || root.TryGetProperty("status", out _) || root.TryGetProperty("error", out _);
                error.Message = JoinText(root, "message");
                if (root.TryGetProperty("error", out JsonElement detail) && detail.ValueKind == JsonValueKind.Object)
                {
                    error.Code = JoinText(detail, "code");
                    error.Key = JoinText(detail, "key");
                    error.Description = JoinText(detail, "description");
                }
                else if (detail.ValueKind == JsonValueKind.String)
                {
                    error.Description = Text(detail);
                }
                foreach (string name in new[] { "validationError", "validationErrors", "errors" })
                {
                    if (root.TryGetProperty(name, out JsonElement validation))
                    {
                        ReadFieldErrors(validation, error.FieldErrors);
                    }
                }
            }
            catch (JsonException)
            {
                error.IsJson = false;
            }
            // A text member with a lone-surrogate escape: the parts read before it stand.
            catch (InvalidOperationException)
            {
            }
            return error;
        }

        // validationError is shown only as {} in the docs; accept the common forms:
        // {"field": "reason"}, {"field": ["reasons"]}, {"field": {"constraint": "reason"}}, [{"field"|"property"|"path", "message"|"constraints"}].
        private static void ReadFieldErrors(JsonElement validation, Dictionary<string, IReadOnlyList<string>> into)
        {
            if (validation.ValueKind == JsonValueKind.Object)
            {
                foreach (JsonProperty field in validation.EnumerateObject())
                {
                    Add(into, field.Name, Texts(field.Value));
                }
            }
            else if (validation.ValueKind == JsonValueKind.Array)
            {
                foreach (JsonElement item in validation.EnumerateArray())
                {
                    if (item.ValueKind != JsonValueKind.Object)
                    {
                        Add(into, "(request)", Texts(item));
                        continue;
                    }
                    string? field = FirstText(item, "field", "property", "path", "param");
                    var reasons = new List<string>();
                    foreach (string name in new[] { "message", "msg", "constraints", "messages" })
                    {
                        if (item.TryGetProperty(name, out JsonElement reason)) reasons.AddRange(Texts(reason));
                    }
                    // An item that names no field and gives no reason says nothing ("(request): .").
                    if (field != null || reasons.Any(r => r.Length > 0)) Add(into, field ?? "(request)", reasons);
                }
            }
        }

        private static void Add(Dictionary<string, IReadOnlyList<string>> into, string field, IEnumerable<string> reasons)
        {
            var list = into.TryGetValue(field, out IReadOnlyList<string>? existing) ? existing.ToList() : new List<string>();
            list.AddRange(reasons.Where(r => r.Length > 0));
            into[field] = list;
        }

        private static IEnumerable<string> Texts(JsonElement value)
        {
            switch (value.ValueKind)
            {
                case JsonValueKind.String:
                    yield return Text(value);
                    break;
                case JsonValueKind.Array:
                    foreach (JsonElement item in value.EnumerateArray())
                        foreach (string text in Texts(item)) yield return text;
                    break;
                case JsonValueKind.Object:
                    foreach (JsonProperty property in value.EnumerateObject())
                        foreach (string text in Texts(property.Value)) yield return text;
                    break;
                case JsonValueKind.Number:
                case JsonValueKind.True:
                case JsonValueKind.False:
                    yield return value.GetRawText();
                    break;
            }
        }

        private static string? FirstText(JsonElement obj, params string[] names)
        {
            foreach (string name in names)
            {
                if (obj.TryGetProperty(name, out JsonElement value))
                {
                    string joined = string.Join(".", Texts(value));
                    if (joined.Length > 0) return joined;
                }
            }
            return null;
        }

        private static string? JoinText(JsonElement obj, string name)
        {
            if (!obj.TryGetProperty(name, out JsonElement value)) return null;
            string joined = string.Join("; ", Texts(value));
            return joined.Length == 0 ? null : joined;
        }

        private static string Describe(JsonValueKind kind) => kind.ToString().ToLowerInvariant();
    }

    /// <summary>The parts of Jelou's error body (§3 of the API notes).</summary>
    internal sealed class ApiError
    {
        public bool IsJson { get; set; }

        /// <summary>The body has the envelope's members: it came from the API, not from a proxy or a wrong route.</summary>
        public bool IsEnvelope { get; set; }
        public string? Message { get; set; }
        public string? Code { get; set; }
        public string? Key { get; set; }
        public string? Description { get; set; }
        public Dictionary<string, IReadOnlyList<string>> FieldErrors { get; } = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);

        /// <summary>
        /// This error as messages show it (see <see cref="Shown"/>): the secrets the request carried replaced by REDACTED
        /// wherever the answer repeats them (a validation message quoting the value it refused, an echo of the API key).
        /// </summary>
        public ApiError ForDisplay(SecretRedaction redaction)
        {
            Message = Shown(Message, redaction);
            Code = Shown(Code, redaction);
            Key = Shown(Key, redaction);
            Description = Shown(Description, redaction);
            var fields = new List<KeyValuePair<string, IReadOnlyList<string>>>(FieldErrors);
            FieldErrors.Clear();
            foreach (KeyValuePair<string, IReadOnlyList<string>> field in fields)
            {
                // Two field names that differ only in a secret become one: their reasons go together.
                string name = Shown(field.Key, redaction)!;
                List<string> reasons = field.Value.Select(reason => Shown(reason, redaction)!).ToList();
                FieldErrors[name] = FieldErrors.TryGetValue(name, out IReadOnlyList<string>? earlier) ? earlier.Concat(reasons).ToList() : reasons;
            }
            return this;
        }

        /// <summary>
        /// A text of the server's (an error's message, a reason phrase, a request id) as messages show it: the request's
        /// secrets redacted, and control characters and direction overrides written out (see Require.Printable), since the
        /// server's text reaches the terminal; cut after <see cref="MaxShown"/> characters. A tab too, as a view would write
        /// it: a message that quotes this text may be shown in a view (a test event's Error), which must not escape it again.
        /// </summary>
        public static string? Shown(string? text, SecretRedaction redaction, int limit = MaxShown) => Require.Printable(redaction.Apply(text, limit), TextLayout.Lines);

        /// <summary>
        /// How much of one server text a message shows: an error's words are sentences, and a body whose message runs to
        /// megabytes would only make the error unreadable and its redaction slow.
        /// </summary>
        public const int MaxShown = 4096;

        /// <summary>
        /// How much of a reason phrase a message shows: HTTP's are a few words ("Bad Request"), and one that runs on (a
        /// receiver's debugging page) would fill a test event's table.
        /// </summary>
        public const int MaxReasonShown = 200;
    }
}
