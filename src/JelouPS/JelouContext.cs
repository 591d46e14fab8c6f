using System;

namespace JelouPS
{
    /// <summary>
    /// A connection made by Connect-Jelou: where requests go and how they authenticate. Shows no key;
    /// pass it to -Context to use one connection from ForEach-Object -Parallel or a thread job.
    /// </summary>
    public sealed class JelouContext
    {
        internal JelouContext(JelouClient client)
        {
            Client = client;
            ConnectedAt = DateTimeOffset.Now;
        }

        internal JelouClient Client { get; }

        public Uri BaseUri => Client.Options.BaseUri;

        public Uri ChatbotUri => Client.Options.ChatbotUri;

        /// <summary>"ApiKey" (x-api-key) or "ClientCredential" (HTTP Basic).</summary>
        public string AuthenticationType => Client.Options.Credential.AuthenticationType;

        /// <summary>The client id for client credentials; null for an API key.</summary>
        public string? ClientId => (Client.Options.Credential as JelouClientCredential)?.ClientId;

        public TimeSpan Timeout => Client.Options.Timeout;

        /// <summary>How many times a failed request is sent again when that is safe.</summary>
        public int MaximumRetryCount => Client.Options.MaximumRetryCount;

        /// <summary>The wait before the first retry (each next one doubles), unless the API sends Retry-After.</summary>
        public TimeSpan RetryInterval => Client.Options.RetryInterval;

        public DateTimeOffset ConnectedAt { get; }

        /// <summary>Set by Disconnect-Jelou: the HTTP connections are closed and the context can no longer be used.</summary>
        internal bool IsClosed { get; private set; }

        internal void Close()
        {
            IsClosed = true;
            Client.Dispose();
        }

        public override string ToString() => $"{AuthenticationType} {BaseUri}";
    }
}
