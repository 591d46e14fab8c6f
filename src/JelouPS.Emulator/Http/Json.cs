using System;
using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace JelouPS.Emulator;

/// <summary>JSON written by hand with Utf8JsonWriter, so member order is exactly the documented one.</summary>
/// <remarks>
/// JSON may escape a lone surrogate ("\ud800"), and Node, where Jelou runs, reads it as that one UTF-16
/// unit. System.Text.Json parses such text but refuses to decode it (GetString, Name and WriteTo throw),
/// so request text is read with <see cref="ReadString(JsonElement)"/>, <see cref="ReadName"/> and
/// <see cref="TryGetMember"/>. On the way
/// out Utf8JsonWriter turns a lone surrogate into \uFFFD: odd input comes back altered, never as a 500.
/// </remarks>
internal static class Json
{
    // Compact, non-ASCII and '/' left alone: what JavaScript's JSON.stringify produces, which is
    // what a Node service like Jelou's emits and signs.
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
    };

    public static byte[] Write(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            write(writer);
        }

        return buffer.WrittenSpan.ToArray();
    }

    public static string Compact(JsonElement element) => Encoding.UTF8.GetString(Write(w => WriteElement(w, element)));

    /// <summary>UTC, milliseconds, 'Z': the form of every documented timestamp.</summary>
    public static string Timestamp(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    public static bool TryParse(byte[] body, out JsonElement root)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(body);
            root = document.RootElement.Clone();
            return true;
        }
        catch (JsonException)
        {
            root = default;
            return false;
        }
    }

    /// <summary>A string value, lone surrogates included.</summary>
    public static string ReadString(JsonElement value) => Unescape(value.GetRawText().AsSpan()[1..^1]);

    /// <summary>The current string or property-name token of a reader over one whole buffer, lone surrogates included.</summary>
    public static string ReadString(ref Utf8JsonReader reader) => Unescape(Encoding.UTF8.GetString(reader.ValueSpan));

    /// <summary>A member's name, lone surrogates included.</summary>
    public static string ReadName(JsonProperty property)
    {
        try
        {
            return property.Name;
        }
        catch (InvalidOperationException)
        {
            // JsonProperty offers no raw name; its ToString is the member's raw text, and that starts with the quoted name.
            string raw = property.ToString();
            int end = 1;
            while (raw[end] != '"')
            {
                end += raw[end] == '\\' ? 2 : 1;
            }

            return Unescape(raw.AsSpan(1, end - 1));
        }
    }

    /// <summary>TryGetProperty (the last of duplicate members wins), except that other members' names may hold lone surrogates.</summary>
    public static bool TryGetMember(JsonElement obj, string name, out JsonElement value)
    {
        try
        {
            return obj.TryGetProperty(name, out value);
        }
        catch (InvalidOperationException)
        {
            // Comparing with a member whose name it cannot decode throws; compare decoded names instead.
        }

        bool found = false;
        value = default;
        foreach (JsonProperty property in obj.EnumerateObject())
        {
            if (ReadName(property) == name)
            {
                (found, value) = (true, property.Value);
            }
        }

        return found;
    }

    /// <summary>Decodes the text between the quotes of a JSON string the parser has already accepted.</summary>
    private static string Unescape(ReadOnlySpan<char> escaped)
    {
        if (escaped.IndexOf('\\') < 0)
        {
            return escaped.ToString();
        }

        var text = new StringBuilder(escaped.Length);
        for (int i = 0; i < escaped.Length; i++)
        {
            if (escaped[i] != '\\')
            {
                text.Append(escaped[i]);
                continue;
            }

            char kind = escaped[++i];
            if (kind == 'u')
            {
                text.Append((char)ushort.Parse(escaped.Slice(i + 1, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture));
                i += 4;
                continue;
            }

            text.Append(kind switch
            {
                'b' => '\b',
                'f' => '\f',
                'n' => '\n',
                'r' => '\r',
                't' => '\t',
                _ => kind, // '"', '\\' and '/' stand for themselves
            });
        }

        return text.ToString();
    }

    /// <summary>JsonElement.WriteTo, except that it accepts lone surrogates.</summary>
    private static void WriteElement(Utf8JsonWriter w, JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                w.WriteStartObject();
                foreach (JsonProperty property in element.EnumerateObject())
                {
                    w.WritePropertyName(ReadName(property));
                    WriteElement(w, property.Value);
                }

                w.WriteEndObject();
                break;
            case JsonValueKind.Array:
                w.WriteStartArray();
                foreach (JsonElement item in element.EnumerateArray())
                {
                    WriteElement(w, item);
                }

                w.WriteEndArray();
                break;
            case JsonValueKind.String:
                w.WriteStringValue(ReadString(element));
                break;
            default:
                // Numbers as written (no float round trip), and the literals true, false and null.
                w.WriteRawValue(element.GetRawText(), skipInputValidation: true);
                break;
        }
    }
}
