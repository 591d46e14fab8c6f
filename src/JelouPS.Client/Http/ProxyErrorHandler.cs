using System;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;

namespace JelouPS.Http
{
    /// <summary>
    /// Reports a proxy's own failures as the proxy's, never as the server's: a 407 (to the request, or to the CONNECT of an
    /// https tunnel), a tunnel the proxy refused (502, 503, 403 to CONNECT), and a proxy that cannot be reached. The messages
    /// name the proxy by scheme, host and port only, and keep none of .NET's text that may quote its user information.
    /// </summary>
    internal sealed class ProxyErrorHandler : DelegatingHandler
    {
        private readonly ProxySettings _proxy;

        internal ProxyErrorHandler(ProxySettings proxy, HttpMessageHandler inner) : base(inner) => _proxy = proxy;

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Uri target = request.RequestUri!;
            HttpResponseMessage response;
            try
            {
                response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            }
            catch (HttpRequestException ex) when (FailureOf(ex, target) is JelouApiException failure)
            {
                throw failure;
            }
            // Only a proxy answers 407. For https targets .NET reports it as a tunnel failure, .NET Framework as this answer.
            if (response.StatusCode != HttpStatusCode.ProxyAuthenticationRequired) return response;
            string[] schemes = response.Headers.ProxyAuthenticate.Select(challenge => challenge.Scheme).Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
            response.Dispose();
            throw AuthenticationRequired(target, $"to the request for {target.GetLeftPart(UriPartial.Authority)}" +
                (schemes.Length == 0 ? "" : $" (it asks for {string.Join(" or ", schemes)})"));
        }

        private JelouApiException? FailureOf(HttpRequestException exception, Uri target)
        {
            string tunnel = $"a tunnel to {target.Host}:{target.Port}";
            if (IsTunnelFailure(exception, out int? status))
            {
                if (status == 407) return AuthenticationRequired(target, "when asked for " + tunnel);
                // Nothing reached the server, so the retry policy may send it again, as after a refused connection.
                return new JelouApiException(JelouErrorKind.ProxyFailed,
                    $"{Sentence(_proxy.Describe(target))} refused {tunnel}" + (status is null ? "." : $": it answered {status}."),
                    (HttpStatusCode?)status, nothingSent: true);
            }
            // When a proxy carries the request, the proxy is the only host connected to: a failed connect is the proxy's.
            if (ConnectFailures.Of(exception) is Exception cause && _proxy.ProxyFor(target) != null)
            {
                return new JelouApiException(JelouErrorKind.ProxyFailed,
                    $"Could not reach {_proxy.Describe(target)} for {target.GetLeftPart(UriPartial.Authority)}: {cause.Message.TrimEnd('.')}.",
                    innerException: cause, nothingSent: true);
            }
            return null;
        }

        private JelouApiException AuthenticationRequired(Uri target, string when)
        {
            string signIn = _proxy.UseDefaultCredentials ? " The current user's sign-in was offered (it answers Negotiate and NTLM only)."
                : _proxy.HasCredential ? " The credential given was refused."
                : _proxy.Address != null ? " No credential was given."
                : "";
            return new JelouApiException(JelouErrorKind.ProxyAuthenticationRequired,
                $"{Sentence(_proxy.Describe(target))} answered 407 (Proxy Authentication Required) {when}.{signIn}",
                HttpStatusCode.ProxyAuthenticationRequired);
        }

        /// <summary>
        /// Whether the proxy refused the CONNECT of an https tunnel, and with what status when known. .NET 8 and later say so in
        /// HttpRequestException.HttpRequestError (ProxyTunnelError) and .NET 10 in its StatusCode, which netstandard2.0 cannot
        /// name; .NET 6 and 7 say it in the message only.
        /// </summary>
        private static bool IsTunnelFailure(HttpRequestException exception, out int? status)
        {
            object? error = exception.GetType().GetProperty("HttpRequestError")?.GetValue(exception);
            status = null;
            if (error is null ? exception.Message.IndexOf("proxy tunnel", StringComparison.OrdinalIgnoreCase) < 0 : error.ToString() != "ProxyTunnelError")
            {
                return false;
            }
            if (exception.GetType().GetProperty("StatusCode")?.GetValue(exception) is HttpStatusCode code)
            {
                status = (int)code;
            }
            else if (Regex.Match(exception.Message, @"'(\d{3})'") is { Success: true } quoted)
            {
                status = int.Parse(quoted.Groups[1].Value, CultureInfo.InvariantCulture);
            }
            return true;
        }

        private static string Sentence(string text) => char.ToUpperInvariant(text[0]) + text.Substring(1);
    }
}
