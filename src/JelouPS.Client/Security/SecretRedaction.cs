using System;
using System.Collections.Generic;
using System.Linq;
using System.Security;
using System.Text;

namespace JelouPS.Security
{
    /// <summary>
    /// Replaces the secrets a request carried with REDACTED wherever the texts of its error answer repeat them (a validation
    /// message quoting the value it refused, an echo of the API key or of the Basic header). A secret is found without regard
    /// to case, and however an answer percent-encodes it (RFC 3986, JavaScript's encodeURIComponent, an HTML form's '+' for a
    /// space, an encoder that encodes every character, or any mix): each of its characters may appear as itself or as the
    /// %XX escapes of its UTF-8 bytes (or of its Latin-1 code, %E9). JSON's backslash escapes (\u002B, \/, \") and HTML's
    /// character references (&amp;amp;, &amp;eacute;, &amp;#43;) are read too, also percent-encoded (%5Cu002B); and a secret that
    /// holds %XX escapes of its own is also looked for with them decoded, and as the Base64 of its UTF-8 bytes (what a Basic
    /// header carries; matched, like the rest, without regard to case, which only redacts more) and as their hex. A message may quote a JSON text, which escapes what
    /// System.Text.Json's default encoder escapes ('+', '&amp;', non-ASCII), or an HTML one. Overlapping or nested matches
    /// become one REDACTED, so no part of a longer secret that holds a shorter one is left showing. Secrets under 4
    /// characters are not matched: every short word would go, and so little hides nothing. A text that quotes only part of
    /// a longer secret (a server that shows it cut or masked, "387d42eaf56b…****") has each run of 8 or more of its
    /// characters, in any of the forms above once decoded, hidden too (see <see cref="ShortestPart"/>). The plaintexts exist
    /// only until the redaction is disposed, which zeroes them.
    /// </summary>
    internal sealed class SecretRedaction : IDisposable
    {
        internal const string Mark = "REDACTED";
        private const int ShortestMatched = 4;
        private readonly List<char[]> _plaintexts = new List<char[]>();

        // The plaintexts (by reference) looked for whole only, not by their parts (see HideParts).
        private readonly HashSet<char[]> _wholeOnly = new HashSet<char[]>();

        /// <param name="secrets">Looked for whole, and by their parts.</param>
        /// <param name="wholeOnly">Looked for whole only (see <see cref="HeldSecret.WholeOnly"/>).</param>
        internal SecretRedaction(IReadOnlyList<SecureString>? secrets, IEnumerable<SecureString>? wholeOnly = null)
        {
            Add(secrets, whole: false);
            Add(wholeOnly, whole: true);
        }

        private void Add(IEnumerable<SecureString>? secrets, bool whole)
        {
            if (secrets is null) return;
            int first = _plaintexts.Count;
            foreach (SecureString secret in secrets)
            {
                char[] plaintext;
                try
                {
                    if (secret is null || secret.Length < ShortestMatched) continue;
                    plaintext = SecureStrings.UseChars(secret, chars => (char[])chars.Clone());
                }
                catch (ObjectDisposedException)
                {
                    // A held secret its owner disposed cannot be read: it is left out, rather than let the error fail.
                    continue;
                }
                _plaintexts.Add(plaintext);
                // A server that percent-decodes what it was sent echoes a secret holding %41 as A.
                if (PercentDecoded(plaintext) is char[] decoded && decoded.Length >= ShortestMatched) _plaintexts.Add(decoded);
                // A Basic header carries its credential Base64-encoded (a webhook's basic credential, as Jelou sends it), and a
                // server that quotes the header quotes that form.
                _plaintexts.Add(Base64(plaintext));
                // A debugging dump may show its bytes in hex (case does not matter, as above).
                _plaintexts.Add(HexOf(plaintext));
            }
            if (whole) _wholeOnly.UnionWith(_plaintexts.Skip(first));
        }

        // The hex of the secret's UTF-8 bytes, made in arrays that are wiped, never in a string.
        private static char[] HexOf(char[] secret)
        {
            byte[] bytes = Encoding.UTF8.GetBytes(secret);
            try
            {
                var hex = new char[bytes.Length * 2];
                Hex.Write(bytes, bytes.Length, hex, 0);
                return hex;
            }
            finally
            {
                Array.Clear(bytes, 0, bytes.Length);
            }
        }

        // The Base64 of the secret's UTF-8 bytes, without its '=' padding (so that the text's own padding, or none, still
        // matches); made in arrays that are wiped, never in a string.
        private static char[] Base64(char[] secret)
        {
            byte[] bytes = Encoding.UTF8.GetBytes(secret);
            char[] encoded = SecureStrings.Base64(bytes);
            try
            {
                int length = encoded.Length;
                while (length > 0 && encoded[length - 1] == '=') length--;
                var unpadded = new char[length];
                Array.Copy(encoded, unpadded, length);
                return unpadded;
            }
            finally
            {
                Array.Clear(bytes, 0, bytes.Length);
                Array.Clear(encoded, 0, encoded.Length);
            }
        }

        // The secret with its ASCII %XX escapes decoded; null when it holds none.
        private static char[]? PercentDecoded(char[] secret)
        {
            var decoded = new char[secret.Length];
            int length = 0;
            for (int i = 0; i < secret.Length; i++)
            {
                int high = secret[i] == '%' && i + 2 < secret.Length ? Hex.Value(secret[i + 1]) : -1;
                int low = high >= 0 ? Hex.Value(secret[i + 2]) : -1;
                int value = high << 4 | low;
                if (low >= 0 && value < 0x80)
                {
                    decoded[length++] = (char)value;
                    i += 2;
                }
                else decoded[length++] = secret[i];
            }
            if (length == secret.Length)
            {
                Array.Clear(decoded, 0, decoded.Length);
                return null;
            }
            var exact = new char[length];
            Array.Copy(decoded, exact, length);
            Array.Clear(decoded, 0, decoded.Length);
            return exact;
        }

        // The most characters one character of a secret takes in an answer: 4 UTF-8 bytes, each %XX escaped and encoded again
        // three times over (%2525252F), or a JSON \uXXXX escaped as many times over. A match is looked for this far past a cut.
        private const int LongestEncoding = 40;

        internal string? Apply(string? text) => Apply(text, int.MaxValue);

        /// <summary>
        /// The text with every match of a secret replaced by REDACTED, and cut after <paramref name="limit"/> of its characters
        /// ("… (N more characters)"): a secret that runs across the cut is still found, since matches are looked for as far
        /// past it as a secret's longest encoding reaches, so no part of it shows.
        /// </summary>
        internal string? Apply(string? text, int limit)
        {
            if (string.IsNullOrEmpty(text)) return text;
            int shownLength = Math.Min(text!.Length, limit);
            // Never between the two halves of a character outside the BMP.
            if (shownLength < text.Length && shownLength > 0 && char.IsHighSurrogate(text[shownLength - 1])) shownLength--;
            int reach = 0;
            foreach (char[] secret in _plaintexts) reach = Math.Max(reach, secret.Length * LongestEncoding);
            string searched = text.Length - shownLength > reach ? text.Substring(0, shownLength + reach) : text;
            bool[]? hidden = null;
            // An answer may encode text that was encoded already (%252D for the %2D of a '-'; a JSON text quoted in a JSON
            // message, \\u002B; a percent-encoded one, %5Cu002B; a JSON-escaped secret that holds a %41 of its own): the text
            // is searched again with one layer decoded, its percent escapes or its markup escapes (see Decode), each way up
            // to three layers deep, and what matches in any of those views is hidden where it stands.
            var views = new Queue<(string View, int[]? Origin, int Depth)>();
            if (_plaintexts.Count > 0) views.Enqueue((searched, null, 0));
            while (views.Count > 0)
            {
                (string view, int[]? origin, int depth) = views.Dequeue();
                Hide(view, origin, searched.Length, ref hidden);
                HideParts(view, origin, searched.Length, ref hidden);
                if (depth == 3) continue;
                foreach (bool percent in new[] { true, false })
                {
                    string decoded = view;
                    int[]? map = origin;
                    if (Decode(ref decoded, ref map, percent)) views.Enqueue((decoded, map, depth + 1));
                }
            }
            string cut = shownLength < text.Length ? $"\u2026 ({text.Length - shownLength} more characters)" : "";
            if (hidden is null) return shownLength < text.Length ? text.Substring(0, shownLength) + cut : text;
            var shown = new StringBuilder(shownLength + cut.Length);
            for (int i = 0; i < shownLength; i++)
            {
                // A part that begins or ends inside a character outside the BMP takes the whole character.
                if (!hidden[i] && char.IsSurrogatePair(i > 0 ? text[i - 1] : ' ', text[i]) && hidden[i - 1]) hidden[i] = true;
                if (!hidden[i] && i + 1 < searched.Length && char.IsSurrogatePair(text[i], text[i + 1]) && hidden[i + 1]) hidden[i] = true;
                if (!hidden[i]) shown.Append(text[i]);
                else if (i == 0 || !hidden[i - 1]) shown.Append(Mark);
            }
            return shown.Append(cut).ToString();
        }

        // Marks in hidden (over the text of the given length) every match in view, whose characters start in the text at
        // origin (the view is the text itself when origin is null).
        private void Hide(string view, int[]? origin, int length, ref bool[]? hidden)
        {
            foreach (char[] secret in _plaintexts)
            {
                // Only where the text could start the secret (its first character in either case, an escape, a '+' for a
                // space) is a match tried: an error body may be megabytes long.
                char folded = Fold(secret[0]);
                char[] starts = folded == 'I' ? new[] { 'I', 'i', DottedCapitalI, DotlessSmallI, '%' }
                    : folded == 'K' ? new[] { 'K', 'k', KelvinSign, '%' }
                    : new[] { char.ToUpperInvariant(secret[0]), char.ToLowerInvariant(secret[0]), '%', secret[0] == ' ' ? '+' : '%' };
                for (int start = view.IndexOfAny(starts); start >= 0; start = start + 1 < view.Length ? view.IndexOfAny(starts, start + 1) : -1)
                {
                    int end = MatchEnd(view, start, secret, 0);
                    if (end < 0) continue;
                    hidden ??= new bool[length];
                    int first = origin is null ? start : origin[start];
                    int last = origin is null ? end : end < view.Length ? origin[end] : length;
                    for (int i = first; i < last; i++) hidden[i] = true;
                }
            }
        }

        /// <summary>
        /// The fewest characters of a secret hidden where a text quotes only part of it: a run this long of any form of a
        /// longer secret, found without regard to case. Fewer tell little (8 hex digits are 32 of a signing secret's 256
        /// bits); a hand-picked webhook password may lose a word it shares with the text, which hides too much rather than
        /// too little.
        /// </summary>
        internal const int ShortestPart = 8;

        // Marks in hidden every run of ShortestPart characters of the view that is also a run of a secret longer than that:
        // runs that overlap or touch become one, so a secret quoted cut, or with a few of its characters masked, is hidden up
        // to the mask. Each run of the view is hashed once, and each run of each secret looked up in a bit filter of them,
        // so the cost grows with the text plus the secrets, not with their product (an error is redacted of up to hundreds of
        // held secrets, and every answer's request id of the request's).
        private void HideParts(string view, int[]? origin, int length, ref bool[]? hidden)
        {
            int runs = view.Length - ShortestPart + 1;
            if (runs <= 0 || !_plaintexts.Exists(secret => secret.Length > ShortestPart && !_wholeOnly.Contains(secret))) return;
            var viewRuns = new ulong[runs];
            RunHashes(view.AsSpan(), viewRuns);
            int shift = 64 - 10;
            while (1 << (64 - shift) < runs * 32 && shift > 40) shift--;
            var filter = new ulong[1 << (64 - shift - 6)];
            foreach (ulong hash in viewRuns) filter[Slot(hash, shift) >> 6] |= 1UL << (int)(Slot(hash, shift) & 63);
            foreach (char[] secret in _plaintexts)
            {
                if (secret.Length <= ShortestPart || _wholeOnly.Contains(secret)) continue;
                var secretRuns = new ulong[secret.Length - ShortestPart + 1];
                RunHashes(secret, secretRuns);
                for (int s = 0; s < secretRuns.Length; s++)
                {
                    ulong hash = secretRuns[s];
                    if ((filter[Slot(hash, shift) >> 6] & 1UL << (int)(Slot(hash, shift) & 63)) == 0) continue;
                    for (int at = Array.IndexOf(viewRuns, hash); at >= 0; at = at + 1 < runs ? Array.IndexOf(viewRuns, hash, at + 1) : -1)
                    {
                        if (!SameRun(view, at, secret, s)) continue;
                        hidden ??= new bool[length];
                        int first = origin is null ? at : origin[at];
                        int end = at + ShortestPart;
                        int last = origin is null ? end : end < view.Length ? origin[end] : length;
                        for (int i = first; i < last; i++) hidden[i] = true;
                    }
                }
                Array.Clear(secretRuns, 0, secretRuns.Length);
            }
        }

        // The polynomial hash of each run of ShortestPart folded characters of the text, rolled along it.
        private static void RunHashes(ReadOnlySpan<char> text, ulong[] into)
        {
            const ulong Base = 0x100000001B3;
            ulong dropped = 1;
            for (int i = 0; i < ShortestPart; i++) dropped = unchecked(dropped * Base);
            ulong hash = 0;
            for (int i = 0; i < text.Length; i++)
            {
                hash = unchecked(hash * Base + Fold(text[i]));
                if (i >= ShortestPart) hash = unchecked(hash - dropped * Fold(text[i - ShortestPart]));
                if (i >= ShortestPart - 1) into[i - ShortestPart + 1] = hash;
            }
        }

        private static ulong Slot(ulong hash, int shift) => unchecked(hash * 0x9E3779B97F4A7C15) >> shift;

        private static bool SameRun(string view, int at, char[] secret, int s)
        {
            for (int i = 0; i < ShortestPart; i++) if (Fold(view[at + i]) != Fold(secret[s + i])) return false;
            return true;
        }

        // Decodes one layer of the view: with percent, each %XX escape of an ASCII character (%25 to '%', %5C to '\\');
        // else each JSON escape (\", \\, \/, \b, \f, \n, \r, \t, \uXXXX) and HTML character reference (&amp;, &quot;,
        // &#43;, &#x2B;) to the character it stands for. Origin tracks where each character of the view starts in the
        // original text. False when there is none.
        private static bool Decode(ref string view, ref int[]? origin, bool percent)
        {
            if (percent ? view.IndexOf('%') < 0 : view.IndexOfAny(MarkupStarts) < 0) return false;
            var decoded = new StringBuilder(view.Length);
            var starts = new List<int>(view.Length);
            for (int i = 0; i < view.Length; i++)
            {
                starts.Add(origin is null ? i : origin[i]);
                int length = percent ? PercentAt(view, i, out char c) : MarkupAt(view, i, out c);
                decoded.Append(c);
                i += length - 1;
            }
            if (decoded.Length == view.Length) return false;
            view = decoded.ToString();
            origin = starts.ToArray();
            return true;
        }

        private static readonly char[] MarkupStarts = { '\\', '&' };

        // How many characters the escape at view[i] takes (1 when there is none), and the character it stands for: an ASCII
        // %XX, or JavaScript's escape() of any other character, %uXXXX.
        private static int PercentAt(string view, int i, out char c)
        {
            c = view[i];
            if (c != '%') return 1;
            int unit = i + 5 < view.Length && (view[i + 1] == 'u' || view[i + 1] == 'U') ? HexNumber(view, i + 2, 4) : -1;
            if (unit >= 0)
            {
                c = (char)unit;
                return 6;
            }
            int value = i + 2 < view.Length ? HexNumber(view, i + 1, 2) : -1;
            if (value < 0 || value >= 0x80) return 1;
            c = (char)value;
            return 3;
        }

        // How many characters the JSON escape or HTML reference at view[i] takes (1 when there is none), and its character.
        private static int MarkupAt(string view, int i, out char c)
        {
            c = view[i];
            if (c == '&') return Reference(view, i, ref c);
            if (c != '\\' || i + 1 >= view.Length) return 1;
            char next = view[i + 1];
            int simple = "\"\\/bfnrt".IndexOf(next);
            if (simple >= 0)
            {
                c = "\"\\/\b\f\n\r\t"[simple];
                return 2;
            }
            int unit = next == 'u' && i + 5 < view.Length ? HexNumber(view, i + 2, 4) : -1;
            if (unit < 0) return 1;
            c = (char)unit;
            return 6;
        }

        // An HTML character reference at view[i] ('&'): how many characters it takes (1 when it is none), and its character.
        // Named (&amp;, &eacute;) or numeric (&#43;, &#x2B;), as WebUtility reads them; one that stands for a character outside
        // the BMP is left alone.
        private static int Reference(string view, int i, ref char c)
        {
            int end = view.IndexOf(';', i + 1, Math.Min(LongestReference, view.Length - i - 1));
            if (end < 0) return 1;
            string reference = view.Substring(i, end + 1 - i);
            // WebUtility knows HTML 4's names; HTML5 adds the Turkish I's, which a secret echoed in tr-TR casing may carry.
            string decoded = reference == "&Idot;" ? DottedCapitalI.ToString() : reference == "&imath;" || reference == "&inodot;" ? DotlessSmallI.ToString()
                : System.Net.WebUtility.HtmlDecode(reference);
            if (decoded.Length != 1) return 1;
            c = decoded[0];
            return reference.Length;
        }

        // Longer than any name HTML gives a character (&CounterClockwiseContourIntegral; is 33).
        private const int LongestReference = 34;

        // The value of count hex digits at view[at]; -1 when they are not all hex digits.
        private static int HexNumber(string view, int at, int count)
        {
            int value = 0;
            for (int k = at; k < at + count; k++)
            {
                int digit = Hex.Value(view[k]);
                if (digit < 0) return -1;
                value = value << 4 | digit;
            }
            return value;
        }

        // Where a match of secret[s..] that starts at text[at] ends (exclusive); -1 when none starts there.
        private static int MatchEnd(string text, int at, char[] secret, int s)
        {
            while (s < secret.Length)
            {
                if (secret[s] == '%')
                {
                    // A '%' of the secret may be escaped (%25) or written as itself: the escape is tried first, so that a
                    // match never ends leaving its "25" showing; when the rest does not follow it, the '%' itself.
                    int escaped = MatchEscapes(text, at, '%');
                    int end = escaped >= 0 ? MatchEnd(text, escaped, secret, s + 1) : -1;
                    if (end >= 0) return end;
                    if (at >= text.Length || text[at] != '%') return -1;
                    at++;
                    s++;
                    continue;
                }
                int units = char.IsHighSurrogate(secret[s]) && s + 1 < secret.Length && char.IsLowSurrogate(secret[s + 1]) ? 2 : 1;
                if (at + units <= text.Length && SameText(text, at, secret, s, units)) at += units;
                else if (secret[s] == ' ' && at < text.Length && text[at] == '+') at++;
                else if ((at = MatchEscapesOfAnyCase(text, at, units == 2 ? char.ConvertToUtf32(secret[s], secret[s + 1]) : secret[s])) < 0) return -1;
                // An I cased the Turkish way may carry its dot as a combining mark (İ decomposed, or JavaScript's
                // "İ".toLowerCase()), written as itself or escaped.
                if (units == 1 && Fold(secret[s]) == 'I') at = SkipCombiningDot(text, at);
                s += units;
            }
            return at;
        }

        // The escapes of the character, or of its Turkish forms for an I (%C4%B0 for 'İ', %C4%B1 for 'ı').
        private static int MatchEscapesOfAnyCase(string text, int at, int codePoint)
        {
            int end = MatchEscapes(text, at, codePoint);
            if (end >= 0 || codePoint > 0xFFFF || Fold((char)codePoint) != 'I') return end;
            end = MatchEscapes(text, at, DottedCapitalI);
            return end >= 0 ? end : MatchEscapes(text, at, DotlessSmallI);
        }

        private const char CombiningDotAbove = '\u0307';

        private static int SkipCombiningDot(string text, int at)
        {
            if (at < text.Length && text[at] == CombiningDotAbove) return at + 1;
            int escaped = MatchEscapes(text, at, CombiningDotAbove);
            return escaped >= 0 ? escaped : at;
        }

        // A surrogate pair (a character outside the BMP) is compared as it is: only BMP characters are case-folded.
        private static bool SameText(string text, int at, char[] secret, int s, int units)
        {
            if (units == 2) return text[at] == secret[s] && text[at + 1] == secret[s + 1];
            return text[at] == secret[s] || Fold(text[at]) == Fold(secret[s]);
        }

        private const char DottedCapitalI = '\u0130', DotlessSmallI = '\u0131', KelvinSign = '\u212A';

        // Upper case, and what invariant casing leaves out: Turkish casing (a server that upper-cases in tr-TR writes 'i' as
        // 'İ', one that lower-cases writes 'I' as 'ı'), and the Kelvin sign, which Unicode lower-cases to 'k'.
        private static char Fold(char c) => c == DottedCapitalI || c == DotlessSmallI ? 'I' : c == KelvinSign ? 'K' : char.ToUpperInvariant(c);

        // Where the %XX escapes of the code point's UTF-8 bytes, read at text[at], end; -1 when they are not there. Hex digits
        // and an escaped ASCII letter match in either case.
        private static int MatchEscapes(string text, int at, int codePoint)
        {
            // A Latin-1 encoder writes é as %E9, one escape of its code point.
            if (codePoint >= 0x80 && codePoint <= 0xFF && at + 3 <= text.Length && text[at] == '%' && HexNumber(text, at + 1, 2) == codePoint) return at + 3;
            int count = codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4;
            for (int i = 0; i < count; i++)
            {
                int expected = i == 0
                    ? (count == 1 ? codePoint : (0xF00 >> count & 0xF0) | codePoint >> 6 * (count - 1))
                    : 0x80 | (codePoint >> 6 * (count - 1 - i) & 0x3F);
                if (at + 3 > text.Length || text[at] != '%') return -1;
                int high = Hex.Value(text[at + 1]), low = Hex.Value(text[at + 2]);
                if (high < 0 || low < 0) return -1;
                int actual = high << 4 | low;
                if (actual != expected && !(count == 1 && actual < 0x80 && char.ToUpperInvariant((char)actual) == char.ToUpperInvariant((char)expected))) return -1;
                at += 3;
            }
            return at;
        }

        public void Dispose()
        {
            foreach (char[] plaintext in _plaintexts) Array.Clear(plaintext, 0, plaintext.Length);
            _plaintexts.Clear();
            _wholeOnly.Clear();
        }
    }
}
