using System;
using System.Security;

namespace JelouPS
{
    /// <summary>What to send when creating or updating an integration. Null members are not sent.</summary>
    public sealed class ExternalSupportSettings
    {
        public Uri? WebhookUrl { get; set; }

        /// <summary>One of <see cref="WebhookAuthTypes.All"/>.</summary>
        public string? AuthType { get; set; }

        /// <summary>The credential Jelou presents to the webhook (token, key or Basic credential).</summary>
        public SecureString? Authorization { get; set; }

        /// <summary>
        /// The checks the API documents, made before anything is sent. The same rules hold for a create and an update,
        /// except that an update needs only what changes: an auth type other than no_auth comes with the credential it
        /// presents (the stored one was made for the old type), while a new credential alone keeps the current type.
        /// </summary>
        internal void Validate(bool creating)
        {
            if (creating && WebhookUrl is null)
            {
                throw new ArgumentException("A webhook URL is required to create an integration.", nameof(WebhookUrl));
            }
            if (!creating && WebhookUrl is null && AuthType is null && Authorization is null)
            {
                throw new ArgumentException("Nothing to change: give -WebhookUrl, -AuthType or -WebhookAuthorization.", nameof(WebhookUrl));
            }
            if (WebhookUrl != null)
            {
                WebhookUrl = JelouUris.RequireSecure(WebhookUrl, nameof(WebhookUrl));
            }
            if (Authorization != null && Security.SecureStrings.HeaderProblem(Authorization) is string problem)
            {
                throw new ArgumentException($"-WebhookAuthorization {problem}; Jelou sends it to your webhook as a header.", nameof(Authorization));
            }
            // A whole header value copied from elsewhere: Jelou adds the scheme itself, and would send "Bearer Bearer ...". Any
            // auth type, or none given (an update keeps the current one).
            if (Authorization != null && Security.SecureStrings.UseChars(Authorization, chars => Array.Find(new[] { "Bearer", "Basic" }, scheme => StartsWithScheme(chars, scheme))) is string copied)
            {
                throw new ArgumentException($"-WebhookAuthorization starts with '{copied} ', as a whole Authorization header does: give the token, key or credentials alone (Jelou builds the header).", nameof(Authorization));
            }
            bool hasCredential = Authorization != null && Authorization.Length > 0;
            if (AuthType != null)
            {
                AuthType = Require.OneOf(AuthType, WebhookAuthTypes.All, nameof(AuthType));
                bool needsCredential = AuthType != WebhookAuthTypes.NoAuth;
                if (needsCredential && !hasCredential)
                {
                    throw new ArgumentException(Authorization is null
                        ? $"Auth type '{AuthType}' needs the credential Jelou will present to the webhook: pass -WebhookAuthorization."
                        : $"Auth type '{AuthType}' needs the credential Jelou will present to the webhook, and -WebhookAuthorization is empty: check that the variable or secret it came from is set.",
                        nameof(Authorization));
                }
                if (!needsCredential && Authorization != null)
                {
                    throw new ArgumentException("Auth type 'no_auth' takes no webhook authorization.", nameof(Authorization));
                }
            }
            else if (Authorization != null && creating)
            {
                throw new ArgumentException("Say how Jelou presents the webhook authorization: pass -AuthType bearer, api_key or basic.", nameof(AuthType));
            }
            else if (Authorization != null && !hasCredential)
            {
                throw new ArgumentException("-WebhookAuthorization is empty.", nameof(Authorization));
            }
        }

        // Whether the credential begins with the scheme and a space, in any case; no part of it is copied into a string.
        private static bool StartsWithScheme(char[] credential, string scheme)
        {
            if (credential.Length <= scheme.Length || credential[scheme.Length] != ' ') return false;
            for (int i = 0; i < scheme.Length; i++)
            {
                if (char.ToUpperInvariant(credential[i]) != char.ToUpperInvariant(scheme[i])) return false;
            }
            return true;
        }
    }

    /// <summary>The documented values of <c>authType</c>.</summary>
    public static class WebhookAuthTypes
    {
        public const string Bearer = "bearer";
        public const string ApiKey = "api_key";
        public const string Basic = "basic";
        public const string NoAuth = "no_auth";

        public static readonly string[] All = { Bearer, ApiKey, Basic, NoAuth };
    }
}
