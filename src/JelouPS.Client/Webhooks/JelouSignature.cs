using System;
using System.Security;
using System.Security.Cryptography;
using JelouPS.Security;

namespace JelouPS.Webhooks
{
    /// <summary>
    /// <c>X-Jelou-Signature</c>: <c>sha256=</c> + lowercase hex HMAC-SHA256 of the exact body bytes, keyed with
    /// the UTF-8 bytes of the signing secret (not hex-decoded: Node's createHmac takes the string).
    /// </summary>
    public static class JelouSignature
    {
        public const string HeaderName = "X-Jelou-Signature";

        public static string Compute(byte[] payload, SecureString signingSecret)
        {
            using var signer = new JelouSigner(signingSecret);
            return signer.Sign(payload);
        }

        /// <summary>
        /// True when <paramref name="signature"/> (with or without <c>sha256=</c>, any hex case) is the signature of
        /// <paramref name="payload"/>. Never throws on a malformed signature; compares in constant time.
        /// </summary>
        public static bool Verify(byte[] payload, string? signature, SecureString signingSecret)
        {
            using var signer = new JelouSigner(signingSecret);
            return signer.Verify(payload, signature);
        }
    }

    /// <summary>
    /// One signing secret, keyed once, for signing and verifying many payloads (see <see cref="JelouSignature"/>): the
    /// secret is read out of its SecureString once, not per payload. Not thread-safe: one per pipeline. Dispose it to
    /// drop the key.
    /// </summary>
    public sealed class JelouSigner : IDisposable
    {
        private const string Prefix = "sha256=";
        private const int DigestLength = 32;

        private readonly IncrementalHash _hmac;

        public JelouSigner(SecureString signingSecret)
        {
            if (signingSecret is null) throw new ArgumentNullException(nameof(signingSecret));
            // An empty key is valid HMAC, so a blank variable would sign and verify anything anyone can compute.
            if (SecureStrings.IsBlank(signingSecret))
            {
                throw new ArgumentException("The signing secret is blank: check the variable or vault entry it came from.", nameof(signingSecret));
            }
            _hmac = SecureStrings.UseUtf8Bytes(signingSecret, key => IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key));
        }

        /// <summary><c>sha256=</c> + the lowercase hex HMAC-SHA256 of <paramref name="payload"/>.</summary>
        public string Sign(byte[] payload)
        {
            byte[] digest = Digest(payload, 0, payload?.Length ?? 0);
            var text = new char[Prefix.Length + 2 * DigestLength];
            Prefix.CopyTo(0, text, 0, Prefix.Length);
            Hex.Write(digest, DigestLength, text, Prefix.Length);
            return new string(text);
        }

        /// <summary>
        /// True when <paramref name="signature"/> (with or without <c>sha256=</c>, any hex case, spaces around it ignored)
        /// is the signature of <paramref name="payload"/>. A header a host received twice comes joined ("a, a", RFC 9110
        /// §5.3): the same value twice counts as that value, different ones as no match. Never throws on a malformed
        /// signature; compares in constant time.
        /// </summary>
        public bool Verify(byte[] payload, string? signature) => Verify(payload, 0, payload?.Length ?? 0, signature);

        /// <summary>
        /// Why <paramref name="payload"/>, which does not match <paramref name="signature"/>, would as Jelou sent it: what saving
        /// a body to a file as text adds to it (see SavedText: a byte order mark, UTF-16 or UTF-32, line breaks at the end) is
        /// taken off, and the rest matches as <see cref="Verify(byte[], string)"/> compares. Says what was added ("The webhook
        /// body begins with a UTF-8 byte order mark (EF BB BF) and ends with a line break, which Jelou does not send or sign:
        /// the rest matches the signature."); null when nothing was, or the body does not match without it. Only to say why a
        /// body was refused: it is refused all the same.
        /// </summary>
        public string? ChangedAfterSigning(byte[] payload, string? signature)
        {
            if (payload is null) throw new ArgumentNullException(nameof(payload));
            if (SavedText.Misdecoded(payload) is var (original, said) && Verify(original, 0, original.Length, signature))
            {
                return $"The webhook body {said}: its bytes as Jelou sent them match the signature.";
            }
            if (!(SavedText.Unsaved(payload, out byte[] text, out int offset, out int count) is string added) || !Verify(text, offset, count, signature)) return null;
            return $"The webhook body {added}, which Jelou does not send or sign: the rest matches the signature.";
        }

        private bool Verify(byte[] payload, int offset, int count, string? signature)
        {
            byte[] expected = Digest(payload, offset, count);
            string given = (signature ?? "").Trim();
            if (given.IndexOf(',') >= 0)
            {
                string[] values = given.Split(',');
                given = values[0].Trim();
                foreach (string value in values)
                {
                    if (!string.Equals(value.Trim(), given, StringComparison.OrdinalIgnoreCase)) return false;
                }
            }
            int start = given.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase) ? Prefix.Length : 0;
            if (given.Length - start != 2 * DigestLength) return false;
            int difference = 0;
            for (int i = 0; i < DigestLength; i++)
            {
                int high = Hex.Value(given[start + 2 * i]), low = Hex.Value(given[start + 2 * i + 1]);
                // A character that is not hex reads as -1, which no byte equals: the loop still runs to the end.
                difference |= (high | low) < 0 ? 1 : expected[i] ^ ((high << 4) | low);
            }
            return difference == 0;
        }

        /// <summary>Whether <paramref name="chars"/>[start..end) is a signature as the header carries it: <c>sha256=</c> and 64 hex digits.</summary>
        internal static bool IsSignature(char[] chars, int start, int end)
        {
            // Read in place: a secret is never copied into a string.
            if (end - start != Prefix.Length + 2 * DigestLength) return false;
            for (int i = 0; i < Prefix.Length; i++)
            {
                if (char.ToLowerInvariant(chars[start + i]) != Prefix[i]) return false;
            }
            for (int i = start + Prefix.Length; i < end; i++)
            {
                if (Hex.Value(chars[i]) < 0) return false;
            }
            return true;
        }

        public void Dispose() => _hmac.Dispose();

        private byte[] Digest(byte[] payload, int offset, int count)
        {
            if (payload is null) throw new ArgumentNullException(nameof(payload));
            _hmac.AppendData(payload, offset, count);
            return _hmac.GetHashAndReset();
        }
    }
}
