using System;
using System.Net;
using System.Net.Http;

namespace JelouPS
{
    /// <summary>
    /// Which proxy carries a connection's requests: the platform's (<see cref="Default"/>), none (<see cref="None"/>),
    /// or a given one (<see cref="Through"/>). Holds the proxy credential in a <see cref="NetworkCredential"/> only, and
    /// never shows it: <see cref="ToString"/> is "Default", "None" or the proxy's address.
    /// </summary>
    public sealed class ProxySettings
    {
        private readonly WebProxy? _webProxy;

        private ProxySettings(bool useProxy, WebProxy? webProxy)
        {
            UseProxy = useProxy;
            _webProxy = webProxy;
        }

        /// <summary>
        /// The platform's proxy, as HttpClient finds it: on PowerShell 7 the HTTPS_PROXY, HTTP_PROXY, ALL_PROXY and NO_PROXY
        /// variables (read once per process), else the system settings on Windows and macOS; on Windows PowerShell the
        /// system (Internet Options) proxy.
        /// </summary>
        public static ProxySettings Default { get; } = new ProxySettings(useProxy: true, webProxy: null);

        /// <summary>No proxy at all, not even the platform's.</summary>
        public static ProxySettings None { get; } = new ProxySettings(useProxy: false, webProxy: null);

        /// <summary>
        /// Through the proxy at <paramref name="address"/> (see <see cref="RequireProxyAddress"/>), signing in with
        /// <paramref name="credential"/> or, with <paramref name="useDefaultCredentials"/>, as the current user
        /// (Negotiate or NTLM). Requests for loopback hosts go through it too, as they do with Invoke-RestMethod -Proxy.
        /// </summary>
        public static ProxySettings Through(Uri address, NetworkCredential? credential = null, bool useDefaultCredentials = false)
        {
            RequireProxyAddress(address, nameof(address));
            if (credential != null && useDefaultCredentials)
            {
                throw new ArgumentException("Give the proxy a credential or the current user's, not both.", nameof(credential));
            }
            var webProxy = new WebProxy(address) { BypassProxyOnLocal = false };
            // UseDefaultCredentials replaces Credentials when set, even to false: set one of them only.
            if (useDefaultCredentials) webProxy.UseDefaultCredentials = true;
            else webProxy.Credentials = credential;
            return new ProxySettings(useProxy: true, webProxy);
        }

        /// <summary>False for <see cref="None"/>.</summary>
        public bool UseProxy { get; }

        /// <summary>The proxy given to <see cref="Through"/>; null for the platform's or none.</summary>
        public Uri? Address => _webProxy?.Address;

        /// <summary>Whether the proxy is signed in to as the current user.</summary>
        internal bool UseDefaultCredentials => _webProxy?.UseDefaultCredentials ?? false;

        /// <summary>Whether a credential was given for the proxy (the current user's is one too, for WebProxy).</summary>
        internal bool HasCredential => _webProxy?.Credentials != null && !UseDefaultCredentials;

        /// <summary>What a proxy address must be; repeats nothing of a refused one.</summary>
        internal const string AddressForm = "The proxy must be an absolute http:// or https:// URI with a host, such as http://proxy.example.com:3128.";

        /// <summary>
        /// Checks a proxy address: absolute http or https with a host, nothing after it but '/', and no user information.
        /// Messages never repeat user information or a path, where a password may have been typed.
        /// </summary>
        internal static Uri RequireProxyAddress(Uri address, string parameterName)
        {
            if (address is null) throw new ArgumentNullException(parameterName);
            if (!address.IsAbsoluteUri) throw new ArgumentException(AddressForm, parameterName);
            if (address.UserInfo.Length > 0)
            {
                throw new ArgumentException("The proxy URI must not carry a user name or password (user:password@): give them with -ProxyCredential.", parameterName);
            }
            if ((address.Scheme != Uri.UriSchemeHttp && address.Scheme != Uri.UriSchemeHttps) || address.Host.Length == 0)
            {
                throw new ArgumentException(AddressForm, parameterName);
            }
            if (address.AbsolutePath != "/" || address.Query.Length > 0 || address.Fragment.Length > 0)
            {
                throw new ArgumentException($"The proxy URI names the proxy only ({NameOf(address)}): no path, query or fragment.", parameterName);
            }
            return address;
        }

        /// <summary>Lets the handler use the platform's proxy, none, or the given one.</summary>
        internal void Configure(HttpClientHandler handler)
        {
            handler.UseProxy = UseProxy;
            if (_webProxy != null) handler.Proxy = _webProxy;
        }

        /// <summary>The proxy that carries requests for <paramref name="target"/>, or null when they go direct.</summary>
        internal Uri? ProxyFor(Uri target)
        {
            // With no proxy of its own, HttpClientHandler asks the one WebRequest.DefaultWebProxy returns (HttpClient.DefaultProxy on .NET).
            IWebProxy? proxy = UseProxy ? _webProxy ?? WebRequest.DefaultWebProxy : null;
            if (proxy is null || proxy.IsBypassed(target)) return null;
            Uri? used = proxy.GetProxy(target);
            return used is null || used == target ? null : used;
        }

        /// <summary>"the proxy http://proxy:3128", or the platform's with where it comes from; "a proxy" when none is known.</summary>
        internal string Describe(Uri target)
        {
            Uri? proxy = ProxyFor(target);
            if (proxy is null) return "a proxy";
            return _webProxy is null
                ? $"the platform's proxy {NameOf(proxy)} (from HTTPS_PROXY, HTTP_PROXY or the system settings)"
                : "the proxy " + NameOf(proxy);
        }

        /// <summary>Scheme, host and port: a platform proxy's URI may carry a user name and password (HTTPS_PROXY=http://user:pass@host).</summary>
        internal static string NameOf(Uri proxy) => proxy.Scheme + "://" + proxy.Authority;

        public override string ToString() => !UseProxy ? "None" : _webProxy is null ? "Default" : NameOf(_webProxy.Address!);
    }
}
