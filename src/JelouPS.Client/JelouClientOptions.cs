using System;
using System.Security;
using System.Collections.Generic;

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

        /// <summary>Azure.Core's defaults: 3 retries, the first after about 0.8 s.</summary>
        public const int DefaultMaximumRetryCount = 3;

        public static readonly TimeSpan DefaultRetryInterval = TimeSpan.FromSeconds(0.8);

        public JelouClientOptions(JelouCredential credential) =>
            Credential = credential ?? throw new ArgumentNullException(nameof(credential));

        /// <summary>
        /// Options for a client that only sends agent replies (<see cref="JelouClient.SendSupportMessageAsync"/>): the reply
        /// endpoint takes no API key, only the signature (jelou-api.md §2.2), so a receiver holding only the signing secret
        /// can answer. Its management calls throw InvalidOperationException.
        /// </summary>
        public JelouClientOptions() { }

        /// <summary>How management calls authenticate; null for a client that only sends replies.</summary>
        public JelouCredential? Credential { get; }

        public Uri BaseUri { get; set; } = DefaultBaseUri;

        public Uri ChatbotUri { get; set; } = DefaultChatbotUri;

        /// <summary>How long one call may take, from the first send to the last byte of the answer, retries and their waits included.</summary>
        public TimeSpan Timeout { get; set; } = DefaultTimeout;

        /// <summary>
        /// How many times a failed send is sent again when that is safe (see <see cref="Retry.RetryPolicy"/>); 0 turns retries off.
        /// </summary>
        public int MaximumRetryCount { get; set; } = DefaultMaximumRetryCount;

        /// <summary>The wait before the first retry; each next one waits twice as long (±20%), unless the API sends Retry-After.</summary>
        public TimeSpan RetryInterval { get; set; } = DefaultRetryInterval;
        /// <summary>Which proxy carries the requests; by default the platform's.</summary>
        public ProxySettings Proxy { get; set; } = ProxySettings.Default;

        /// <summary>
        /// Other secrets an error answer may quote, redacted in it besides those its request carried: the signing secrets the
        /// session holds (a server that puts a project's record, or its current secret, in an error), given the request's URI.
        /// Asked at each error answer, and for a reason phrase or media type of the server's own on any answer.
        /// </summary>
        internal Func<Uri, IEnumerable<Security.HeldSecret>>? HeldSecrets { get; set; }

        internal void Validate()
        {
            JelouUris.RequireBase(BaseUri, nameof(BaseUri));
            JelouUris.RequireBase(ChatbotUri, nameof(ChatbotUri));
            // The reply endpoint's own URL, pasted whole, is taken as the host it is on.
            string chatbotPath = ChatbotUri.AbsolutePath.TrimEnd('/');
            if (chatbotPath.EndsWith("/" + JelouUris.ReplyPath, StringComparison.OrdinalIgnoreCase))
            {
                ChatbotUri = new Uri(ChatbotUri, chatbotPath.Substring(0, chatbotPath.Length - JelouUris.ReplyPath.Length));
            }
            if (Proxy is null) throw new ArgumentNullException(nameof(Proxy));
            if (Timeout <= TimeSpan.Zero)
            {
                throw new ArgumentOutOfRangeException(nameof(Timeout), "The timeout must be positive.");
            }
            if (MaximumRetryCount < 0 || MaximumRetryCount > 10)
            {
                throw new ArgumentOutOfRangeException(nameof(MaximumRetryCount), "The retry count must be 0 to 10.");
            }
            if (RetryInterval < TimeSpan.Zero || RetryInterval > Retry.RetryPolicy.MaxDelay)
            {
                throw new ArgumentOutOfRangeException(nameof(RetryInterval), "The retry interval must be 0 to 60 seconds.");
            }
        }
    }
}
