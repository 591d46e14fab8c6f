using System;
using System.Collections.Generic;
using System.Globalization;
using System.Security;
using JelouPS.Security;

namespace JelouPS
{
    /// <summary>
    /// The one rule for every URL JelouPS sends to or registers: absolute, https (plain http only on loopback), no
    /// credentials in it, nothing a server never sees (a fragment) or would read otherwise than it was typed (spaces,
    /// invisible characters); and the escaping of ids into paths.
    /// </summary>
    public static class JelouUris
    {
        /// <summary>Where agent replies go, under the chatbot URI (jelou-api.md §4.9).</summary>
        internal const string ReplyPath = "v1/external-support/webhook";

        /// <summary>The longest URL accepted, the length browsers and most servers take.</summary>
        public const int MaxLength = 2048;

        /// <summary>
        /// Parses and checks <paramref name="value"/>; throws ArgumentException naming <paramref name="parameterName"/>.
        /// Returns the URL as it is sent: an international host in its ASCII (punycode) form, other non-ASCII characters
        /// percent-encoded as UTF-8, so that every receiver reads it alike.
        /// </summary>
        public static Uri RequireSecure(string? value, string parameterName) =>
            RequireSecure(Parse(value, "-" + parameterName, out Uri? uri) is string problem ? throw new ArgumentException(problem, parameterName) : uri!, parameterName);

        /// <inheritdoc cref="RequireSecure(string, string)"/>
        public static Uri RequireSecure(Uri uri, string parameterName)
        {
            if (uri is null) throw new ArgumentNullException(parameterName);
            return Check(uri, "-" + parameterName, baseUri: false) is string problem ? throw new ArgumentException(problem, parameterName) : Ascii(uri);
        }

        /// <summary>
        /// <see cref="RequireSecure(Uri, string)"/> for a base URI (-BaseUri, -ChatbotUri), which paths are appended to:
        /// a query there would be dropped, so it is refused too.
        /// </summary>
        public static Uri RequireBase(Uri uri, string parameterName)
        {
            if (uri is null) throw new ArgumentNullException(parameterName);
            return Check(uri, "-" + parameterName, baseUri: true) is string problem ? throw new ArgumentException(problem, parameterName) : Ascii(uri);
        }

        /// <summary>
        /// Why <paramref name="value"/> (text or a Uri) is not a URL JelouPS sends to, or null; for parameter binding, which
        /// names the parameter itself. <paramref name="uri"/> is the URL as sent when it is one.
        /// </summary>
        internal static string? Problem(object value, bool baseUri, out Uri? uri)
        {
            uri = value as Uri;
            string? problem = uri is null ? Parse(value as string, "The URL", out uri) : null;
            problem ??= Check(uri!, "The URL", baseUri);
            uri = problem is null ? Ascii(uri!) : null;
            return problem;
        }

        /// <summary>
        /// <paramref name="value"/> for a message: without the user information and query, where passwords and keys
        /// travel, and printable (see <see cref="Require.Show"/>).
        /// </summary>
        internal static string Show(string value) => Require.Show(WithoutCredentials(value));

        /// <summary><paramref name="value"/> without the user information and query, where passwords and keys travel ("…" in their place).</summary>
        internal static string WithoutCredentials(string value)
        {
            // Whatever stands before an '@' may be a password, even where it does not parse as user information, and even
            // past a '?' or '#' a password may hold (user:pa#ss@host): so before the query is cut.
            int at = value.LastIndexOf('@');
            if (at >= 0)
            {
                // Only a leading "scheme://" is kept: any other "//" may sit inside the password.
                System.Text.RegularExpressions.Match scheme = System.Text.RegularExpressions.Regex.Match(value, "^[A-Za-z][A-Za-z0-9+.-]*://");
                int start = scheme.Success && scheme.Length <= at ? scheme.Length : 0;
                value = value.Substring(0, start) + "…" + value.Substring(at);
            }
            int query = value.IndexOfAny(new[] { '?', '#' });
            if (query >= 0) value = value.Substring(0, query + 1) + "…";
            return value;
        }

        /// <summary>The names of webhook URL query parameters that carry a credential (Azure Functions' code, a SAS sig, a token).</summary>
        private static readonly HashSet<string> CredentialQueryNames = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
        {
            "code", "key", "apikey", "api_key", "api-key", "token", "access_token", "sig", "signature", "secret", "password", "pwd", "auth",
        };

        /// <summary>
        /// The values (unescaped) of the query parameters of <paramref name="url"/> that carry a credential (see
        /// <see cref="CredentialQueryNames"/>), each a new SecureString the caller owns; none for null.
        /// </summary>
        internal static List<SecureString> QueryCredentials(string? url)
        {
            var credentials = new List<SecureString>();
            int start = url?.IndexOf('?') ?? -1;
            if (start < 0) return credentials;
            int end = url!.IndexOf('#', start);
            string query = url.Substring(start + 1, (end < 0 ? url.Length : end) - start - 1);
            foreach (string pair in query.Split(new[] { '&' }, StringSplitOptions.RemoveEmptyEntries))
            {
                int equals = pair.IndexOf('=');
                if (equals <= 0 || !CredentialQueryNames.Contains(Uri.UnescapeDataString(pair.Substring(0, equals)))) continue;
                string value = Uri.UnescapeDataString(pair.Substring(equals + 1));
                if (value.Length > 0) credentials.Add(SecureStrings.FromString(value));
                // A server that reads the query as a form reads a '+' as a space, and may quote it so.
                if (value.IndexOf('+') >= 0) credentials.Add(SecureStrings.FromString(value.Replace('+', ' ')));
            }
            return credentials;
        }

        private static string? Parse(string? value, string subject, out Uri? uri)
        {
            uri = null;
            if (value is null || string.IsNullOrWhiteSpace(value)) return $"{subject} is empty.";
            // A query may quote inside (?q="x", ?q=“x”), but not around the whole URL.
            return Require.QuoteProblem(value, subject, Show) ?? UserInfoProblem(value, subject) ?? Characters(value, subject)
                ?? (Uri.TryCreate(value, UriKind.Absolute, out uri) ? null
                    : PortOutOfRange(value) is string port ? $"{subject} {Show(value)} names port {port}: ports run from 1 to 65535."
                    : $"{subject} {Show(value)} is not an absolute URL (such as https://crm.example.com/jelou).");
        }

        // The port of "scheme://host:port/..." when it is a number past 65535 (why .NET refuses the URL); null otherwise.
        private static string? PortOutOfRange(string url)
        {
            System.Text.RegularExpressions.Match port = System.Text.RegularExpressions.Regex.Match(url, @"^[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*:([0-9]+)(?:[/?#]|$)");
            return port.Success && (port.Groups[1].Value.TrimStart('0').Length > 5 || long.Parse(port.Groups[1].Value, CultureInfo.InvariantCulture) > 65535) ? port.Groups[1].Value : null;
        }

        private static string? Characters(string value, string subject)
        {
            for (int i = 0; i < value.Length; i++)
            {
                if (char.IsWhiteSpace(value[i]))
                {
                    return $"{subject} {Show(value)} has a space or a line break at position {i + 1}; a URL has none (write a space as %20).";
                }
            }
            // .NET reads a backslash as a slash, other servers do not: what is registered must read alike everywhere.
            if (value.IndexOf('\\') >= 0) return $"{subject} {Show(value)} has a backslash (\\): a URL separates its parts with /.";
            return Require.LineProblem(value, subject, MaxLength, Show);
        }

        // Before anything that shows the URL: the password would be in the message. "https://@host" parses with an empty
        // user name, and .NET reads backslashes after the scheme as slashes ("https:\\@host"): the '@' is still user information.
        private static string? UserInfoProblem(string url, string subject)
        {
            int start = url.IndexOf(':');
            if (start < 0) return null;
            do start++; while (start < url.Length && (url[start] == '/' || url[start] == '\\'));
            int end = url.IndexOfAny(new[] { '/', '\\', '?', '#' }, start);
            return url.IndexOf('@', start, (end < 0 ? url.Length : end) - start) < 0 ? null
                : $"{subject} carries a user name or password (user:password@host): pass credentials as parameters, never in the URL.";
        }

        private static string? Check(Uri uri, string subject, bool baseUri)
        {
            // On Linux and macOS .NET reads "/jelou" as a file URI (file:///jelou): a path is no URL, whatever its scheme.
            bool path = uri.IsAbsoluteUri && uri.IsFile && !uri.OriginalString.StartsWith("file:", StringComparison.OrdinalIgnoreCase);
            if (!uri.IsAbsoluteUri || path) return $"{subject} {Show(uri.OriginalString)} is not an absolute URL (such as https://crm.example.com/jelou).";
            if (UserInfoProblem(uri.OriginalString, subject) is string userInfo) return userInfo;
            if (Characters(uri.OriginalString, subject) is string problem) return problem;
            bool https = uri.Scheme == Uri.UriSchemeHttps;
            bool loopbackHttp = uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback;
            // "localhost:8080/hook" parses with "localhost" as its scheme: what is missing is http:// or https://.
            if (!https && uri.Scheme != Uri.UriSchemeHttp && uri.OriginalString.IndexOf("://", StringComparison.Ordinal) < 0)
            {
                return $"{subject} {Show(uri.OriginalString)} is not an absolute URL: it does not start with https:// (such as https://crm.example.com/jelou).";
            }
            if (!https && !loopbackHttp)
            {
                return $"{subject} {Show(uri.OriginalString)} must use https (plain http is accepted only for a loopback host such as 127.0.0.1 or localhost).";
            }
            if (uri.Host.Length == 0) return $"{subject} {Show(uri.OriginalString)} has no host.";
            if (uri.Port == 0) return $"{subject} {Show(uri.OriginalString)} names port 0, which no server listens on.";
            if (uri.Fragment.Length > 0) return $"{subject} {Show(uri.OriginalString)} has a fragment (#...), which is never sent to a server: leave it out.";
            if (baseUri && uri.Query.Length > 0)
            {
                return $"{subject} {Show(uri.OriginalString)} has a query (?...): JelouPS appends the API's paths to a base URI, and the query would be lost.";
            }
            if (uri.HostNameType == UriHostNameType.Dns && NeedsMapping(uri.Host) && !IdnaMapsNames.Value)
            {
                return $"{subject} {Show(uri.OriginalString)} has a host name that IDNA maps before it encodes it (a capital, a full-width letter, an accent " +
                    "written apart from its letter), and .NET runs here in globalization-invariant mode (DOTNET_SYSTEM_GLOBALIZATION_INVARIANT, which many " +
                    "container images set), where it encodes the name as it is: another host than DNS and browsers use would be registered. Give the host in " +
                    "its ASCII form (xn--...), or in lower case with composed letters, or run where ICU is installed.";
            }
            if (uri.HostNameType == UriHostNameType.Dns && !TryIdnHost(uri, out _))
            {
                return $"{subject} {Show(uri.OriginalString)} has a host name that is not a valid international domain name.";
            }
            return null;
        }

        /// <summary>The URL as sent: the text given when it is ASCII, else with a punycode host and percent-encoded path and query.</summary>
        private static Uri Ascii(Uri uri)
        {
            if (Require.IsAscii(uri.OriginalString)) return uri;
            TryIdnHost(uri, out string host);
            string port = uri.IsDefaultPort ? "" : ":" + uri.Port.ToString(CultureInfo.InvariantCulture);
            return new Uri(uri.Scheme + "://" + host + port + uri.GetComponents(UriComponents.PathAndQuery, UriFormat.UriEscaped));
        }

        // Whether a host has a character IDNA maps before it encodes it, which .NET's invariant mode would encode as it is: a capital,
        // a letter of another width (full-width, half-width, a ligature), a mark written apart from its letter (which composing
        // would join to it), anything else but a letter or digit. A host of composed lower-case letters encodes alike either way.
        private static bool NeedsMapping(string host)
        {
            foreach (char c in host)
            {
                if (c < 0x80) continue;
                if (!char.IsLetterOrDigit(c) || char.IsUpper(c) || CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.TitlecaseLetter
                    || (c >= '\uFF00' && c <= '\uFFEF') || (c >= '\uFB00' && c <= '\uFB4F')) return true;
            }
            return false;
        }

        // Whether IDNA maps a name before encoding it ('Ä' to 'ä', full-width letters to ASCII), as ICU and Windows do; in .NET's
        // globalization-invariant mode it only encodes, and "Bücher" becomes another host than "bücher".
        private static readonly Lazy<bool> IdnaMapsNames = new Lazy<bool>(() => new IdnMapping().GetAscii("\u00C4") == "xn--4ca");

        // The last DNS host mapped and its ASCII form (null when IDNA refuses it). A command checks the same webhook host as
        // it binds and again before each request, and each IDNA mapping is a call into ICU.
        private static Tuple<string, string?>? s_lastIdnHost;

        private static bool TryIdnHost(Uri uri, out string host)
        {
            host = uri.Host;
            if (uri.HostNameType != UriHostNameType.Dns) return true;
            Tuple<string, string?>? last = s_lastIdnHost;
            if (last is null || !string.Equals(last.Item1, host, StringComparison.Ordinal))
            {
                string? ascii;
                try
                {
                    ascii = new IdnMapping().GetAscii(host);
                }
                catch (ArgumentException)
                {
                    ascii = null;
                }
                s_lastIdnHost = last = Tuple.Create(host, ascii);
            }
            host = last.Item2 ?? host;
            return last.Item2 != null;
        }

        /// <summary>Escapes one id as one path segment ('/', '?', '#', '%' and spaces included), after <see cref="Require.Id"/>.</summary>
        internal static string Segment(string value, string parameterName) => Uri.EscapeDataString(Require.Id(value, parameterName));

        /// <summary><paramref name="baseUri"/> with <paramref name="relativePath"/> appended after its own path.</summary>
        internal static Uri Combine(Uri baseUri, string relativePath) =>
            new Uri(baseUri.GetLeftPart(UriPartial.Path).TrimEnd('/') + "/" + relativePath);
    }
}
