using System;
using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace JelouPS.Emulator;

/// <summary>JSON written by hand with Utf8JsonWriter, so member order is exactly the documented one.</summary>
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

    public static string Compact(JsonElement element) => Encoding.UTF8.GetString(Write(element.WriteTo));

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
}
