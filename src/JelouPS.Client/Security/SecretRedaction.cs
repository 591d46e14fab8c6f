using System;
using System.Collections.Generic;
using System.Security;
using System.Text;

namespace JelouPS.Security
{
    /// <summary>
    /// Replaces the secrets a request carried with REDACTED wherever the texts of its error answer repeat them (a validation
    /// message quoting the value it refused, an echo of the API key or of the Basic header). All the secrets are matched on
    /// the original text, without regard to case, and overlapping or nested matches become one REDACTED, so no part of a
    /// longer secret that holds a shorter one is left showing. Secrets under 4 characters are not matched: every short word
    /// would go, and so little hides nothing. The plaintexts exist only until the redaction is disposed, which zeroes them.
    /// </summary>
    internal sealed class SecretRedaction : IDisposable
    {
        internal const string Mark = "REDACTED";
        private const int ShortestMatched = 4;
        private readonly List<char[]> _plaintexts = new List<char[]>();

        internal SecretRedaction(IReadOnlyList<SecureString>? secrets)
        {
            if (secrets is null) return;
            foreach (SecureString secret in secrets)
            {
                if (secret is null || secret.Length < ShortestMatched) continue;
                char[] plain = SecureStrings.UseChars(secret, chars => (char[])chars.Clone());
                _plaintexts.Add(plain);
                // As a URL or a form would carry it: an answer may quote the value it got in that form.
                if (PercentEncoded(plain) is char[] encoded) _plaintexts.Add(encoded);
            }
        }

        // RFC 3986's percent-encoding of the UTF-8 bytes of all but the unreserved characters; null when that changes nothing.
        private static char[]? PercentEncoded(char[] plain)
        {
            byte[] bytes = Encoding.UTF8.GetBytes(plain);
            try
            {
                var encoded = new List<char>(bytes.Length * 3);
                foreach (byte b in bytes)
                {
                    char c = (char)b;
                    if (b < 0x80 && (char.IsLetterOrDigit(c) || c == '-' || c == '_' || c == '.' || c == '~')) encoded.Add(c);
                    else encoded.AddRange(new[] { '%', Hex[b >> 4], Hex[b & 0xF] });
                }
                if (encoded.Count == plain.Length) return null;
                char[] result = encoded.ToArray();
                for (int i = 0; i < encoded.Count; i++) encoded[i] = '\0';
                return result;
            }
            finally
            {
                Array.Clear(bytes, 0, bytes.Length);
            }
        }

        private const string Hex = "0123456789ABCDEF";

        internal string? Apply(string? text)
        {
            if (string.IsNullOrEmpty(text) || _plaintexts.Count == 0) return text;
            bool[]? hidden = null;
            foreach (char[] secret in _plaintexts)
            {
                for (int from = 0; from + secret.Length <= text!.Length;)
                {
                    int at = text.AsSpan(from).IndexOf(secret, StringComparison.OrdinalIgnoreCase);
                    if (at < 0) break;
                    hidden ??= new bool[text.Length];
                    for (int i = from + at; i < from + at + secret.Length; i++) hidden[i] = true;
                    from += at + 1;
                }
            }
            if (hidden is null) return text;
            var shown = new StringBuilder(text!.Length);
            for (int i = 0; i < text.Length; i++)
            {
                if (!hidden[i]) shown.Append(text[i]);
                else if (i == 0 || !hidden[i - 1]) shown.Append(Mark);
            }
            return shown.ToString();
        }

        public void Dispose()
        {
            foreach (char[] plaintext in _plaintexts) Array.Clear(plaintext, 0, plaintext.Length);
            _plaintexts.Clear();
        }
    }
}
