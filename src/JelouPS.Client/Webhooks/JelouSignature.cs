using System;
using System.Security;
using System.Security.Cryptography;
using System.Text;
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
        private const string Prefix = "sha256=";

        public static string Compute(byte[] payload, SecureString signingSecret)
        {
            if (payload is null) throw new ArgumentNullException(nameof(payload));
            if (signingSecret is null) throw new ArgumentNullException(nameof(signingSecret));
            byte[] digest = SecureStrings.UseUtf8Bytes(signingSecret, key =>
            {
                using var hmac = new HMACSHA256(key);
                return hmac.ComputeHash(payload);
            });
            var hex = new StringBuilder(Prefix, Prefix.Length + 64);
            foreach (byte b in digest) hex.Append(b.ToString("x2"));
            return hex.ToString();
        }

        /// <summary>
        /// True when <paramref name="signature"/> (with or without <c>sha256=</c>, any hex case) is the signature of
        /// <paramref name="payload"/>. Never throws on a malformed signature; compares in constant time.
        /// </summary>
        public static bool Verify(byte[] payload, string? signature, SecureString signingSecret)
        {
            if (payload is null) throw new ArgumentNullException(nameof(payload));
            if (signingSecret is null) throw new ArgumentNullException(nameof(signingSecret));
            string given = (signature ?? "").Trim();
            if (given.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase)) given = given.Substring(Prefix.Length);
            string expected = Compute(payload, signingSecret).Substring(Prefix.Length);
            if (given.Length != expected.Length) return false;
            int difference = 0;
            for (int i = 0; i < expected.Length; i++)
            {
                difference |= expected[i] ^ char.ToLowerInvariant(given[i]);
            }
            return difference == 0;
        }
    }
}
