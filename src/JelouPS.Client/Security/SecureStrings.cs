using System;
using System.Collections.Generic;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Security;
using System.Security.Cryptography;
using System.Text;

namespace JelouPS.Security
{
    /// <summary>
    /// The few places where a secret's plaintext must exist (a header value, a JSON member, an HMAC key).
    /// Buffers we own are zeroed as soon as the caller is done with them.
    /// </summary>
    public static class SecureStrings
    {
        /// <summary>A read-only SecureString holding <paramref name="value"/>.</summary>
        public static unsafe SecureString FromString(string value)
        {
            if (value is null) throw new ArgumentNullException(nameof(value));
            fixed (char* start = value) return ReadOnly(start, value.Length);
        }

        /// <summary>A read-only SecureString holding the first <paramref name="length"/> of <paramref name="chars"/>.</summary>
        internal static unsafe SecureString FromChars(char[] chars, int length)
        {
            if ((uint)length > (uint)chars.Length) throw new ArgumentOutOfRangeException(nameof(length));
            fixed (char* start = chars) return ReadOnly(start, length);
        }

        // One native buffer of the right size: AppendChar would grow it a few characters at a time, each growth a new
        // buffer (and SafeHandle to finalize) and a copy of the secret.
        private static unsafe SecureString ReadOnly(char* start, int length)
        {
            SecureString secure = length == 0 ? new SecureString() : new SecureString(start, length);
            secure.MakeReadOnly();
            return secure;
        }

        /// <summary>
        /// A read-only copy of <paramref name="secret"/> without what is around it (white space, quotation marks) when
        /// that is all that keeps it from being one Jelou issues (a copy read from a file: see <see cref="SigningSecretProblem"/>),
        /// and in <paramref name="around"/> what was, as a message says it after the secret's name; else null.
        /// </summary>
        internal static SecureString? IssuedWithin(SecureString secret, out string around)
        {
            around = "";
            SecureString trimmed = Trimmed(secret, out Ends ends);
            if (trimmed.Length < secret.Length && SigningSecretProblem(trimmed) is null)
            {
                around = Around(ends);
                return trimmed;
            }
            trimmed.Dispose();
            return null;
        }

        /// <summary>What is around a signing secret taken without it (see <see cref="IssuedWithin"/>), as a message says it.</summary>
        internal const string SpaceAround = "has a space or line break around it (a copy read from a file often does)";

        // Quotation marks as they are: on one side (a JSON value dragged across with its closing quote) or both, with white space
        // or without, so that a reader looks where they are.
        private static string Around(Ends ends) => ends.Has(Edge.Quote)
            ? "has " + ((ends.Start & ends.End & Edge.Quote) != 0 ? "quotation marks around it" : (ends.Start & Edge.Quote) != 0 ? "a quotation mark at its start" : "a quotation mark at its end") +
              (ends.Has(Edge.Space) ? " and a space or line break" : "") + " (an env file that docker --env-file reads, or a spreadsheet cell, may keep them)"
            : ends.Has(Edge.Hidden) ? HiddenAround : SpaceAround;

        // Get-Secret -AsPlainText does not show it.
        private const string HiddenAround = "has a byte order mark (U+FEFF, which does not show) around it (a copy read from a file may)";

        // What a copy may have at an end of a secret: white space, the byte order mark, quotation marks; any of them, one or several.
        [Flags]
        private enum Edge { None = 0, Space = 1, Hidden = 2, Quote = 4 }

        // What Inside found at each end of a secret.
        private readonly struct Ends
        {
            internal Ends(Edge start, Edge end) => (Start, End) = (start, end);
            internal Edge Start { get; }
            internal Edge End { get; }
            // At either end.
            internal bool Has(Edge edge) => ((Start | End) & edge) != 0;
        }

        /// <summary>A read-only copy of <paramref name="secret"/> without what is around it (see <see cref="Inside"/>).</summary>
        private static SecureString Trimmed(SecureString secret, out Ends ends)
        {
            Ends found = default;
            SecureString trimmed = UseChars(secret, chars =>
            {
                (int start, int end, Ends at) = Inside(chars);
                found = at;
                char[] kept = new char[end - start];
                try
                {
                    Array.Copy(chars, start, kept, 0, kept.Length);
                    return FromChars(kept, kept.Length);
                }
                finally
                {
                    Array.Clear(kept, 0, kept.Length);
                }
            });
            ends = found;
            return trimmed;
        }

        // Where a secret is, inside what a copy may have around it: white space, a byte order mark, and quotation marks of any style, one or
        // several, on one side or both (an env file's "..." that docker --env-file keeps, a word processor's curly quotes, a
        // JSON value dragged across with its closing quote). No secret Jelou issues has either.
        private static (int Start, int End, Ends Ends) Inside(char[] chars)
        {
            int start = 0, end = chars.Length;
            Edge atStart = Edge.None, atEnd = Edge.None;
            while (true)
            {
                (int width, Edge edge) = EdgeAt(chars, start, end, fromStart: true);
                if (width == 0) break;
                atStart |= edge;
                start += width;
            }
            while (true)
            {
                (int width, Edge edge) = EdgeAt(chars, start, end, fromStart: false);
                if (width == 0) break;
                atEnd |= edge;
                end -= width;
            }
            return (start, end, new Ends(atStart, atEnd));
        }

        // What is at the start (or the end) of chars[start..end], and its width in UTF-16 units: 0 where the secret begins.
        private static (int Width, Edge Edge) EdgeAt(char[] chars, int start, int end, bool fromStart)
        {
            if (start >= end) return (0, Edge.None);
            if (end - start > 1 && (fromStart ? IsQuotationMark(chars[start], chars[start + 1]) : IsQuotationMark(chars[end - 2], chars[end - 1]))) return (2, Edge.Quote);
            char c = fromStart ? chars[start] : chars[end - 1];
            return char.IsWhiteSpace(c) ? (1, Edge.Space) : IsHidden(c) ? (1, Edge.Hidden) : IsQuotationMark(c) ? (1, Edge.Quote) : (0, Edge.None);
        }

        // The byte order mark a file began with (Windows PowerShell 5.1's Set-Content -Encoding UTF8 writes one, and a decoder that
        // does not expect it keeps it): it shows as nothing. Other characters that show as nothing are refused, not taken off: no
        // file or form puts them there by accident.
        private static bool IsHidden(char c) => c == '\uFEFF';

        /// <summary>
        /// A quotation mark outside the Basic Multilingual Plane, written as the surrogate pair <paramref name="high"/>
        /// <paramref name="low"/>: the ornamental ones (U+1F676 to U+1F678), which Unicode files as symbols.
        /// </summary>
        internal static bool IsQuotationMark(char high, char low) => high == OrnamentHigh && low >= OrnamentLowFirst && low <= OrnamentLowLast;

        /// <summary>The surrogates of U+1F676 to U+1F678 (<see cref="IsQuotationMark(char, char)"/>), which the vault's mend command strips too.</summary>
        internal const char OrnamentHigh = '\uD83D', OrnamentLowFirst = '\uDE76', OrnamentLowLast = '\uDE78';

        /// <summary>
        /// A quotation mark of any style, as around a secret: Unicode's initial and final quote punctuation (‘ ’ “ ” ‛ ‟ « » ‹ ›),
        /// and <see cref="QuotationMarks"/>.
        /// </summary>
        internal static bool IsQuotationMark(char c) =>
            QuotationMarks.IndexOf(c) >= 0 || CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.InitialQuotePunctuation or UnicodeCategory.FinalQuotePunctuation;

        /// <summary>
        /// The quotation marks Unicode files elsewhere: straight, the backtick, low (‚ „), full-width and half-width, CJK corner,
        /// double angle and double prime brackets, ornamental and vertical forms. The vault's mend command strips the same.
        /// </summary>
        internal const string QuotationMarks = "\"'`\u201A\u201E\uFF02\uFF07\uFF62\uFF63\u300A\u300B\u300C\u300D\u300E\u300F\u301D\u301E\u301F" +
            "\u275B\u275C\u275D\u275E\uFE41\uFE42\uFE43\uFE44";

        /// <summary>A read-only SecureString of <paramref name="prefix"/> followed by <paramref name="secret"/> (a user name and its password).</summary>
        internal static SecureString Prefixed(string prefix, SecureString secret) =>
            UseChars(secret, chars =>
            {
                char[] joined = new char[prefix.Length + chars.Length];
                try
                {
                    prefix.CopyTo(0, joined, 0, prefix.Length);
                    Array.Copy(chars, 0, joined, prefix.Length, chars.Length);
                    return FromChars(joined, joined.Length);
                }
                finally
                {
                    Array.Clear(joined, 0, joined.Length);
                }
            });

        /// <summary>Runs <paramref name="use"/> over the secret's characters, then zeroes them.</summary>
        public static T UseChars<T>(SecureString secret, Func<char[], T> use)
        {
            if (secret is null) throw new ArgumentNullException(nameof(secret));
            char[] chars = new char[secret.Length];
            IntPtr unmanaged = IntPtr.Zero;
            try
            {
                unmanaged = Marshal.SecureStringToGlobalAllocUnicode(secret);
                Marshal.Copy(unmanaged, chars, 0, chars.Length);
                return use(chars);
            }
            finally
            {
                if (unmanaged != IntPtr.Zero) Marshal.ZeroFreeGlobalAllocUnicode(unmanaged);
                Array.Clear(chars, 0, chars.Length);
            }
        }

        /// <summary>Runs <paramref name="use"/> over the secret's UTF-8 bytes, then zeroes them.</summary>
        public static T UseUtf8Bytes<T>(SecureString secret, Func<byte[], T> use) =>
            UseChars(secret, chars =>
            {
                byte[] bytes = Encoding.UTF8.GetBytes(chars);
                try { return use(bytes); }
                finally { Array.Clear(bytes, 0, bytes.Length); }
            });

        /// <summary>
        /// The Base64 of <paramref name="bytes"/> (a secret's UTF-8 bytes), with its '=' padding, in an array the caller wipes:
        /// a string could not be.
        /// </summary>
        internal static char[] Base64(byte[] bytes)
        {
            var encoded = new char[(bytes.Length + 2) / 3 * 4];
            Convert.ToBase64CharArray(bytes, 0, bytes.Length, encoded, 0);
            return encoded;
        }

        // This process's own key: a fingerprint recognises a secret seen before in this process, and means nothing elsewhere.
        private static readonly byte[] FingerprintKey = NewFingerprintKey();

        private static byte[] NewFingerprintKey()
        {
            var key = new byte[32];
            using (var random = RandomNumberGenerator.Create()) random.GetBytes(key);
            return key;
        }

        /// <summary>
        /// A keyed digest of the secret (HMAC-SHA256 of its UTF-8 bytes under a random key of this process, Base64): it
        /// recognises the same secret in another SecureString (a deserialized copy) without keeping the secret itself.
        /// </summary>
        internal static string Fingerprint(SecureString secret) =>
            UseUtf8Bytes(secret, bytes =>
            {
                using (var hmac = new HMACSHA256(FingerprintKey)) return Convert.ToBase64String(hmac.ComputeHash(bytes));
            });

        /// <summary>Whether two secrets hold the same characters, compared in constant time for equal lengths.</summary>
        public static bool Equal(SecureString first, SecureString second)
        {
            if (first is null) throw new ArgumentNullException(nameof(first));
            if (second is null) throw new ArgumentNullException(nameof(second));
            if (first.Length != second.Length) return false;
            return UseChars(first, a => UseChars(second, b =>
            {
                int difference = 0;
                for (int i = 0; i < a.Length; i++) difference |= a[i] ^ b[i];
                return difference == 0;
            }));
        }

        /// <summary>
        /// Why the secret cannot travel in an HTTP header as it is, or null when it can: printable ASCII only (no line
        /// breaks, no NUL), and no spaces at either end, which HTTP drops. Never says what the secret is.
        /// </summary>
        internal static string? HeaderProblem(SecureString secret) =>
            UseChars(secret, chars =>
                chars.Length == 0 ? null
                : Array.TrueForAll(chars, char.IsWhiteSpace) ? Blank
                : !Array.TrueForAll(chars, CanTravel) ? "has " + Untravelable
                : chars[0] == ' ' || chars[chars.Length - 1] == ' ' ? "starts or ends with a space, which an HTTP header drops"
                : null);

        /// <summary>Whether an HTTP header can carry <paramref name="c"/>: printable ASCII.</summary>
        internal static bool CanTravel(char c) => c >= 0x20 && c < 0x7f;

        /// <summary>What <see cref="HeaderProblem"/> says a value has when <see cref="CanTravel"/> refuses a character of it.</summary>
        internal const string Untravelable = "characters an HTTP header cannot carry (only printable ASCII is allowed: no line breaks, tabs or accented letters)";

        /// <summary>Whether the secret is empty or white space only.</summary>
        internal static bool IsBlank(SecureString secret) => UseChars(secret, chars => Array.TrueForAll(chars, char.IsWhiteSpace));

        /// <summary>Throws ArgumentException (for <paramref name="paramName"/>) when <paramref name="secret"/> cannot sign as Jelou checks (<see cref="SigningSecretProblem"/>).</summary>
        internal static void RequireSigningSecret(SecureString secret, string paramName)
        {
            if (SigningSecretProblem(secret) is string problem) throw new ArgumentException($"The signing secret {problem}.", paramName);
        }

        /// <summary>What <see cref="SigningSecretProblem"/> says of a secret of white space only, or none.</summary>
        internal const string Blank = "is blank";

        /// <summary>
        /// What <see cref="SigningSecretProblem"/> says of an X-Jelou-Signature value (a delivery's, copied from a request log
        /// where its secret was meant): what a secret makes, never one.
        /// </summary>
        internal const string Signature = "is a signature (sha256= and 64 hex digits, an X-Jelou-Signature header's value), not the signing secret that makes one: copy the signingSecret Jelou issued";

        /// <summary>
        /// Whether a <see cref="SigningSecretProblem"/> rules the secret out for verifying too, not only for signing: blank (an
        /// empty HMAC key verifies what anyone signs with nothing) or a signature (no delivery would verify).
        /// </summary>
        internal static bool RulesOut(string? problem) => problem == Blank || problem == Signature;

        /// <summary>
        /// Why a signing secret cannot be the one Jelou issued (visible characters, nothing around them), or null. A copy read
        /// from a file often ends in a line break, and would sign every reply wrongly. Never says what the secret is.
        /// </summary>
        internal static string? SigningSecretProblem(SecureString secret) =>
            UseChars(secret, chars =>
            {
                (int start, int end, Ends ends) = Inside(chars);
                if (start == end) return Blank;
                // What is inside what is around it first: trimming would not mend that.
                for (int i = start; i < end; i++)
                {
                    char c = chars[i];
                    if (char.IsControl(c) || char.IsWhiteSpace(c) || char.IsSurrogate(c) || CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.Format)
                    {
                        return "has spaces, control, invisible or half characters (an emoji is two halves), which no signing secret Jelou issues has";
                    }
                    // A whole line copied (JELOU_SIGNING_SECRET="...", "...", from a JSON file): what is around the quotes is
                    // not taken off, so what is inside them would not be Jelou's secret either.
                    if (IsQuotationMark(c))
                    {
                        return "has a quotation mark inside (a whole line of an env or JSON file copied?), which no signing secret Jelou issues has: copy the secret alone";
                    }
                }
                if (JelouPS.Webhooks.JelouSigner.IsSignature(chars, start, end)) return Signature;
                if (ends.Has(Edge.Quote)) return Around(ends) + ": leave them out";
                return start == 0 && end == chars.Length ? null
                    : ends.Has(Edge.Hidden) ? HiddenAround + ": take it off"
                    : "starts or ends with a space or a line break (a copy read from a file often does): trim it";
            });

        /// <summary>
        /// The plaintext as a string, for APIs that only take strings (HTTP header values).
        /// Strings cannot be zeroed: call this as late as possible and drop the result at once.
        /// </summary>
        internal static string ToPlainText(SecureString secret) => UseChars(secret, chars => new string(chars));
    }
}
