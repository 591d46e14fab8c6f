using System;
using System.Management.Automation;

namespace JelouPS.Infrastructure
{
    /// <summary>
    /// -Proxy, -ProxyCredential, -ProxyUseDefaultCredentials and -NoProxy, with Invoke-RestMethod's names and rules, declared
    /// once for Connect-Jelou and Send-JelouTestEvent, which offer them as their dynamic parameters.
    /// </summary>
    public sealed class ProxyParameters
    {
        /// <summary>The proxy to send requests through instead of the platform's: http or https, host and port only.</summary>
        [Parameter]
        [ProxyUri]
        [ValidateNotNull]
        public Uri? Proxy { get; set; }

        /// <summary>The proxy's user name (DOMAIN\user where it wants a domain) and password; needs -Proxy.</summary>
        [Parameter]
        [ValidateNotNull]
        [Credential]
        public PSCredential? ProxyCredential { get; set; }

        /// <summary>Signs in to the proxy as the current user (Negotiate or NTLM); needs -Proxy.</summary>
        [Parameter]
        public SwitchParameter ProxyUseDefaultCredentials { get; set; }

        /// <summary>No proxy at all, not even the platform's (HTTPS_PROXY, HTTP_PROXY, the system settings).</summary>
        [Parameter]
        public SwitchParameter NoProxy { get; set; }

        /// <summary>
        /// The proxy the command line asks for, or null when it names none (the caller's default then holds). Parameters that
        /// conflict end the command, before any request.
        /// </summary>
        internal ProxySettings? Given(PSCmdlet cmdlet)
        {
            try
            {
                return Settings();
            }
            catch (ArgumentException ex)
            {
                cmdlet.ThrowTerminatingError(ErrorMapper.From(ex, null));
                return null;
            }
        }

        private ProxySettings? Settings()
        {
            if (NoProxy)
            {
                if (Proxy != null || ProxyCredential != null || ProxyUseDefaultCredentials)
                {
                    throw new ArgumentException("-NoProxy goes direct: it cannot be combined with -Proxy, -ProxyCredential or -ProxyUseDefaultCredentials.");
                }
                return ProxySettings.None;
            }
            if (ProxyCredential != null && ProxyUseDefaultCredentials)
            {
                throw new ArgumentException("-ProxyCredential and -ProxyUseDefaultCredentials conflict: give one of them.");
            }
            if (Proxy is null)
            {
                if (ProxyCredential != null || ProxyUseDefaultCredentials)
                {
                    throw new ArgumentException("-ProxyCredential and -ProxyUseDefaultCredentials sign in to the proxy given with -Proxy: give -Proxy too.");
                }
                return null;
            }
            // GetNetworkCredential splits DOMAIN\user and user@domain and keeps the password a SecureString (.NET makes it text only to
            // answer the proxy's challenge); PSCredential.Empty gives none.
            return ProxySettings.Through(Proxy, ProxyCredential?.GetNetworkCredential(), ProxyUseDefaultCredentials);
        }
    }
}
