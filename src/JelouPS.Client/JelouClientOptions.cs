using System;

namespace JelouPS
{
    /// <summary>Where and how a <see cref="JelouClient"/> connects. Validated once, when the client is built.</summary>
    public sealed class JelouClientOptions
    {
        /// <summary>The production management gateway (the docs' HTML pages; the .md exports show /platform).</summary>
        public static readonly Uri DefaultBaseUri = new Uri("https://gateway.jelou.ai/jelouapi");

        /// <summary>Where agent replies are posted.</summary>
        public static readonly Uri DefaultChatbotUri = new Uri("https://chatbot.jelou.ai");

        public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

        public JelouClientOptions(JelouCredential credential) =>
            Credential = credential ?? throw new ArgumentNullException(nameof(credential));

        public JelouCredential Credential { get; }

        public Uri BaseUri { get; set; } = DefaultBaseUri;

        public Uri ChatbotUri { get; set; } = DefaultChatbotUri;

        /// <summary>How long one request may take, from send to the last byte of the answer.</summary>
        public TimeSpan Timeout { get; set; } = DefaultTimeout;

        /// <summary>Which proxy carries the requests; by default the platform's.</summary>
        public ProxySettings Proxy { get; set; } = ProxySettings.Default;

        internal void Validate()
        {
            JelouUris.RequireSecure(BaseUri, nameof(BaseUri));
            JelouUris.RequireSecure(ChatbotUri, nameof(ChatbotUri));
            if (Proxy is null) throw new ArgumentNullException(nameof(Proxy));
            if (Timeout <= TimeSpan.Zero)
            {
                throw new ArgumentOutOfRangeException(nameof(Timeout), "The timeout must be positive.");
            }
        }
    }
}
