using System;

namespace JelouPS
{
    /// <summary>The one rule for every URL JelouPS sends to or registers: absolute, https, plain http only on loopback.</summary>
    public static class JelouUris
    {
        /// <summary>Parses and checks <paramref name="value"/>; throws ArgumentException naming <paramref name="parameterName"/>.</summary>
        public static Uri RequireSecure(string? value, string parameterName)
        {
            if (string.IsNullOrWhiteSpace(value) || !Uri.TryCreate(value, UriKind.Absolute, out Uri? uri))
            {
                throw new ArgumentException($"'{value}' is not an absolute URL.", parameterName);
            }
            return RequireSecure(uri, parameterName);
        }

        /// <inheritdoc cref="RequireSecure(string, string)"/>
        public static Uri RequireSecure(Uri uri, string parameterName)
        {
            if (uri is null) throw new ArgumentNullException(parameterName);
            if (!uri.IsAbsoluteUri)
            {
                throw new ArgumentException($"'{uri}' is not an absolute URL.", parameterName);
            }
            // Before anything else: the other messages quote the URL, and user information may hold a password.
            if (!string.IsNullOrEmpty(uri.UserInfo))
            {
                throw new ArgumentException("The URL must not carry user information (user:password@); pass credentials as parameters.", parameterName);
            }
            bool https = uri.Scheme == Uri.UriSchemeHttps;
            bool loopbackHttp = uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback;
            if (!https && !loopbackHttp)
            {
                throw new ArgumentException(
                    $"'{uri.GetLeftPart(UriPartial.Authority)}' must use https (plain http is accepted only for a loopback host such as 127.0.0.1 or localhost).",
                    parameterName);
            }
            return uri;
        }

        /// <summary>Escapes one path segment; refuses "." and "..", which URL normalisation would swallow.</summary>
        internal static string Segment(string value, string parameterName)
        {
            if (string.IsNullOrEmpty(value)) throw new ArgumentException("The value must not be empty.", parameterName);
            if (value == "." || value == "..") throw new ArgumentException($"'{value}' is not a valid identifier.", parameterName);
            return Uri.EscapeDataString(value);
        }

        /// <summary><paramref name="baseUri"/> with <paramref name="relativePath"/> appended after its own path.</summary>
        internal static Uri Combine(Uri baseUri, string relativePath) =>
            new Uri(baseUri.GetLeftPart(UriPartial.Path).TrimEnd('/') + "/" + relativePath);
    }
}
