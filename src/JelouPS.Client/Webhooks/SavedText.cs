using System;
using System.Text;
using JelouPS.Json;

namespace JelouPS.Webhooks
{
    /// <summary>
    /// What saving a webhook body to a file as text does to it, which Jelou's bodies never have: JSON.stringify writes no line
    /// break at the end, and Jelou sends UTF-8 without a byte order mark (RFC 8259 §8.1). Windows PowerShell 5.1's
    /// Set-Content -Encoding UTF8 adds EF BB BF and a CRLF; its Out-File and &gt; write UTF-16 LE (FF FE) and a CRLF;
    /// PowerShell 7's Set-Content, and most editors and tools, a line break; -Encoding utf32 writes UTF-32.
    /// </summary>
    internal static class SavedText
    {
        /// <summary>
        /// The encoding other than UTF-8 that the byte order mark <paramref name="body"/> begins with names (UTF-32 is looked
        /// for first: its little-endian mark begins with UTF-16's), with the mark's length and its bytes as written
        /// ("FF FE"), named as a message names it ("UTF-16 text (it begins with FF FE)"); without a mark, the encoding its
        /// first four bytes show by where their zeros are (RFC 4627 §3: a JSON text begins with an ASCII character, which no
        /// UTF-8 text writes as a zero byte: [Text.Encoding]::Unicode.GetBytes of a body); null when neither.
        /// </summary>
        internal static (Encoding Encoding, int MarkLength, string Named)? WideEncoding(byte[] body)
        {
            if (Begins(body, 0xFF, 0xFE, 0x00, 0x00)) return (new UTF32Encoding(bigEndian: false, byteOrderMark: false, throwOnInvalidCharacters: true), 4, "UTF-32 text (it begins with FF FE 00 00)");
            if (Begins(body, 0x00, 0x00, 0xFE, 0xFF)) return (new UTF32Encoding(bigEndian: true, byteOrderMark: false, throwOnInvalidCharacters: true), 4, "UTF-32 text (it begins with 00 00 FE FF)");
            if (Begins(body, 0xFF, 0xFE)) return (new UnicodeEncoding(bigEndian: false, byteOrderMark: false, throwOnInvalidBytes: true), 2, "UTF-16 text (it begins with FF FE)");
            if (Begins(body, 0xFE, 0xFF)) return (new UnicodeEncoding(bigEndian: true, byteOrderMark: false, throwOnInvalidBytes: true), 2, "UTF-16 text (it begins with FE FF)");
            if (body.Length < 4) return null;
            string first = $"{body[0]:X2} {body[1]:X2} {body[2]:X2} {body[3]:X2}";
            return (body[0] == 0, body[1] == 0, body[2] == 0, body[3] == 0) switch
            {
                (false, true, true, true) => (new UTF32Encoding(bigEndian: false, byteOrderMark: false, throwOnInvalidCharacters: true), 0, $"UTF-32 text without a byte order mark (it begins with {first})"),
                (true, true, true, false) => (new UTF32Encoding(bigEndian: true, byteOrderMark: false, throwOnInvalidCharacters: true), 0, $"UTF-32 text without a byte order mark (it begins with {first})"),
                (false, true, false, true) => (new UnicodeEncoding(bigEndian: false, byteOrderMark: false, throwOnInvalidBytes: true), 0, $"UTF-16 text without a byte order mark (it begins with {first})"),
                (true, false, true, false) => (new UnicodeEncoding(bigEndian: true, byteOrderMark: false, throwOnInvalidBytes: true), 0, $"UTF-16 text without a byte order mark (it begins with {first})"),
                _ => null,
            };
        }

        /// <summary>
        /// The bytes Jelou would have signed, if <paramref name="body"/> is one of its bodies saved as text: in UTF-8 without a
        /// mark, without the line breaks at its end (<paramref name="offset"/> and <paramref name="count"/> within the array
        /// returned), and what was taken off, as a refusal says it ("begins with a UTF-8 byte order mark (EF BB BF) and ends
        /// with a line break"); null when nothing was, or the text cannot be decoded.
        /// </summary>
        internal static string? Unsaved(byte[] body, out byte[] bytes, out int offset, out int count)
        {
            bytes = body;
            offset = 0;
            count = body.Length;
            int end = body.Length;
            string? encoding = null;
            if (WideEncoding(body) is var (wide, markLength, named))
            {
                try
                {
                    bytes = Encoding.UTF8.GetBytes(wide.GetString(body, markLength, body.Length - markLength));
                }
                catch (ArgumentException)
                {
                    // Not such text after all (DecoderFallbackException is an ArgumentException).
                    return null;
                }
                end = bytes.Length;
                encoding = "is " + named;
            }
            else if ((offset = body.Length - JelouJson.Utf8Json(body).Length) > 0)
            {
                encoding = "begins with a UTF-8 byte order mark (EF BB BF)";
            }
            int breaks = 0;
            while (end > offset && (bytes[end - 1] == '\n' || bytes[end - 1] == '\r'))
            {
                // CRLF is one line break.
                end -= end - offset >= 2 && bytes[end - 1] == '\n' && bytes[end - 2] == '\r' ? 2 : 1;
                breaks++;
            }
            count = end - offset;
            string? lineBreaks = breaks == 0 ? null : breaks == 1 ? "ends with a line break" : "ends with line breaks";
            return encoding is null ? lineBreaks : lineBreaks is null ? encoding : encoding + " and " + lineBreaks;
        }

        /// <summary>
        /// The bytes <paramref name="body"/> had before its UTF-8 was read as Windows-1252 (or ISO-8859-1) text and written
        /// again as UTF-8 (Windows PowerShell 5.1's Get-Content reads a file without a byte order mark so; an HTTP client
        /// without a charset may too: "é" becomes "Ã©"), with what happened as a refusal says it; null when it has no such
        /// character, or one those encodings have no byte for.
        /// </summary>
        internal static (byte[] Bytes, string Said)? Misdecoded(byte[] body)
        {
            string text;
            try
            {
                text = StrictUtf8.GetString(body);
            }
            catch (ArgumentException)
            {
                return null;
            }
            if (Require.IsAscii(text)) return null;
            foreach (Encoding legacy in Legacy.Value)
            {
                try
                {
                    byte[] bytes = legacy.GetBytes(text);
                    StrictUtf8.GetString(bytes);
                    return (bytes, $"was read as {legacy.WebName} text and written again as UTF-8, which makes each letter outside ASCII two to four others (\"Ã©\" for \"é\")");
                }
                catch (ArgumentException)
                {
                    // Not text that encoding wrote, or its bytes are no UTF-8: try the next.
                }
            }
            return null;
        }

        private static readonly UTF8Encoding StrictUtf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

        // Windows-1252 where the runtime has it (Windows PowerShell; PowerShell 7 registers it), else ISO-8859-1, which .NET always has.
        private static readonly Lazy<Encoding[]> Legacy = new Lazy<Encoding[]>(() =>
        {
            Encoding latin1 = Encoding.GetEncoding(28591, EncoderFallback.ExceptionFallback, DecoderFallback.ExceptionFallback);
            try
            {
                return new[] { Encoding.GetEncoding(1252, EncoderFallback.ExceptionFallback, DecoderFallback.ExceptionFallback), latin1 };
            }
            catch (Exception ex) when (ex is NotSupportedException || ex is ArgumentException)
            {
                return new[] { latin1 };
            }
        });

        private static bool Begins(byte[] body, params byte[] mark)
        {
            if (body.Length < mark.Length) return false;
            for (int i = 0; i < mark.Length; i++) if (body[i] != mark[i]) return false;
            return true;
        }
    }
}
