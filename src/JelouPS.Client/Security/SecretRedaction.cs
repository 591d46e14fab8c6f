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
                // As RFC 3986, JavaScript's encodeURIComponent or an HTML form would carry it: an answer may quote it so.
                foreach ((string keeps, bool form) in Encodings)
                {
                    if (!(PercentEncoded(plain, keeps, form) is char[] encoded)) continue;
                    if (_plaintexts.Exists(known => known.AsSpan().SequenceEqual(encoded))) Array.Clear(encoded, 0, encoded.Length);
                    else _plaintexts.Add(encoded);
                }
            }
        }

        // The ASCII punctuation each encoding leaves as it is (letters and digits are always left), and whether a space is '+'.
        private static readonly (string Keeps, bool Form)[] Encodings = { ("-._~", false), ("-._~!*'()", false), ("*-._", true) };

        // The percent-encoding of the UTF-8 bytes of every character but ASCII letters, digits and <paramref name="keeps"/>
        // (a space as '+' in a <paramref name="form"/>); null when that changes nothing.
        private static char[]? PercentEncoded(char[] plain, string keeps, bool form)
        {
            byte[] bytes = Encoding.UTF8.GetBytes(plain);
            try
            {
                var encoded = new List<char>(bytes.Length * 3);
                foreach (byte b in bytes)
                {
                    char c = (char)b;
                    if (b < 0x80 && (char.IsLetterOrDigit(c) || keeps.IndexOf(c) >= 0)) encoded.Add(c);
                    else if (form && c == ' ') encoded.Add('+');
                    else encoded.AddRange(new[] { '%', Hex[b >> 4], Hex[b & 0xF] });
                }
                if (encoded.Count == plain.Length && !(form && Array.IndexOf(plain, ' ') >= 0)) return null;
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
