using System;
using System.Security.Cryptography;
using System.Text;

namespace JelouPS.Emulator;

/// <summary>X-Jelou-Signature (jelou-api.md §6) and the emulator's random identifiers.</summary>
internal static class Signing
{
    public const string HeaderName = "X-Jelou-Signature";

    /// <summary><c>sha256=</c> + lowercase hex HMAC-SHA256 of the bytes; the key is the secret's UTF-8
    /// bytes as the docs' Node reference uses it (not hex-decoded, although it looks like hex).</summary>
    public static string Sign(ReadOnlySpan<byte> body, string secret) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));

    /// <summary>
    /// Exact, constant-time comparison. Deliberately strict (no upper-case hex, no re-serialising the
    /// body): the documented signer emits exactly this form, and an emulator that forgives
    /// deviations would hide them from the client's tests.
    /// </summary>
    public static bool Verify(ReadOnlySpan<byte> body, string? header, string secret)
    {
        if (string.IsNullOrEmpty(header))
        {
            return false;
        }

        byte[] expected = Encoding.ASCII.GetBytes(Sign(body, secret));
        byte[] received = Encoding.UTF8.GetBytes(header);
        return CryptographicOperations.FixedTimeEquals(expected, received);
    }

    /// <summary>64 lowercase hex chars from 32 random bytes, like the documented examples.</summary>
    public static string NewSigningSecret() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    /// <summary>24 hex chars, the look of a MongoDB ObjectId (the <c>_id</c> in §4.8 suggests Mongo).</summary>
    public static string NewObjectId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
}
