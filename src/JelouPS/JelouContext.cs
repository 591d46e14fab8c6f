using System;
using System.Threading;
using JelouPS.Infrastructure;
using JelouPS.Webhooks;

namespace JelouPS
{
    /// <summary>
    /// A connection made by Connect-Jelou: where requests go and how they authenticate. Shows no key;
    /// pass it to -Context to use one connection from ForEach-Object -Parallel or a thread job.
    /// </summary>
    public sealed class JelouContext
    {
        private readonly Lazy<WebhookTester> _webhookTester;

        internal JelouContext(JelouClient client)
        {
            Client = client;
            ConnectedAt = DateTimeOffset.Now;
            _webhookTester = new Lazy<WebhookTester>(() => JelouSession.Tester(client.Options.Proxy), LazyThreadSafetyMode.ExecutionAndPublication);
        }

        internal JelouClient Client { get; }

        /// <summary>Send-JelouTestEvent's tester when it names no proxy of its own: the connection's proxy, one HttpClient.</summary>
        internal WebhookTester WebhookTester => _webhookTester.Value;

        public Uri BaseUri => Client.Options.BaseUri;

        public Uri ChatbotUri => Client.Options.ChatbotUri;

        /// <summary>"ApiKey" (x-api-key) or "ClientCredential" (HTTP Basic).</summary>
        public string AuthenticationType => Client.Options.Credential!.AuthenticationType;

        /// <summary>The client id for client credentials; null for an API key.</summary>
        public string? ClientId => (Client.Options.Credential as JelouClientCredential)?.ClientId;

        public TimeSpan Timeout => Client.Options.Timeout;

        /// <summary>How many times a failed request is sent again when that is safe.</summary>
        public int MaximumRetryCount => Client.Options.MaximumRetryCount;

        /// <summary>The wait before the first retry (each next one doubles), unless the API sends Retry-After.</summary>
        public TimeSpan RetryInterval => Client.Options.RetryInterval;
        /// <summary>"Default" (the platform's proxy), "None" (-NoProxy), or the proxy's address; never its credential.</summary>
        public string Proxy => Client.Options.Proxy.ToString();

        public DateTimeOffset ConnectedAt { get; }

        /// <summary>Set by Disconnect-Jelou: the HTTP connections are closed and the context can no longer be used.</summary>
        internal bool IsClosed { get; private set; }

        internal void Close()
        {
            IsClosed = true;
            Client.Dispose();
            if (_webhookTester.IsValueCreated) _webhookTester.Value.Dispose();
        }

        public override string ToString() => $"{AuthenticationType} {BaseUri}";
    }
}
