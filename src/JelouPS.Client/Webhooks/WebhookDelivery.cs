using System;
using System.Collections.Generic;
using System.Net.Http.Headers;
using System.Security;
using System.Text;
using System.Text.Json;
using JelouPS.Json;
using JelouPS.Security;

namespace JelouPS.Webhooks
{
    /// <summary>
    /// The credential Jelou presents to the provider's webhook with each delivery, and the one place that says which header
    /// carries it (jelou-api.md §2.3): bearer as <c>Authorization: Bearer &lt;token&gt;</c>, api_key as
    /// <c>X-API-Key: &lt;key&gt;</c>, basic as <c>Authorization: Basic &lt;credentials&gt;</c>, no_auth as nothing.
    /// </summary>
    public sealed class WebhookCredential
    {
        internal const string AuthorizationHeader = "Authorization";
        internal const string ApiKeyHeader = "X-API-Key";

        private readonly SecureString? _authorization;

        /// <summary>Checked as New-JelouExternalSupport checks them: a known type, and a credential exactly when the type needs one.</summary>
        public WebhookCredential(string authType, SecureString? authorization)
        {
            var settings = new ExternalSupportSettings { AuthType = authType ?? throw new ArgumentNullException(nameof(authType)), Authorization = authorization };
            settings.Validate(creating: false);
            AuthType = settings.AuthType!;
            if (authorization != null)
            {
                _authorization = authorization.Copy();
                _authorization.MakeReadOnly();
            }
        }

        public string AuthType { get; }

        /// <summary>The header that carries the credential; null for no_auth.</summary>
        public string? HeaderName => AuthType switch
        {
            WebhookAuthTypes.Bearer => AuthorizationHeader,
            WebhookAuthTypes.Basic => AuthorizationHeader,
            WebhookAuthTypes.ApiKey => ApiKeyHeader,
            _ => null,
        };

        private string? Scheme => AuthType switch
        {
            WebhookAuthTypes.Bearer => "Bearer",
            WebhookAuthTypes.Basic => "Basic",
            _ => null,
        };

        /// <summary>Adds the header as Jelou sends it (Send-JelouTestEvent).</summary>
        internal void AddTo(HttpRequestHeaders headers)
        {
            if (_authorization is null || HeaderName is null) return;
            string credential = SecureStrings.ToPlainText(_authorization);
            if (Scheme is string scheme) headers.Authorization = new AuthenticationHeaderValue(scheme, credential);
            else headers.TryAddWithoutValidation(HeaderName, credential);
        }

        /// <summary>
        /// Whether <paramref name="received"/> (the value of <see cref="HeaderName"/> as received, null when absent) presents
        /// this credential: the scheme in any case (RFC 9110 §11.1), spaces around ignored, the credential itself compared in
        /// constant time. A basic credential is also taken Base64-encoded (of its UTF-8 bytes), as RFC 7617 sends user:password:
        /// jelou-api.md §2.3 says Jelou sends Base64 and leaves open (§8.4) whether it encodes what it was given. Always true
        /// for no_auth.
        /// </summary>
        public bool IsPresentedBy(string? received)
        {
            if (_authorization is null) return true;
            string value = (received ?? "").Trim();
            if (Scheme is string scheme)
            {
                if (value.Length <= scheme.Length || !value.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) || value[scheme.Length] != ' ') return false;
                value = value.Substring(scheme.Length).Trim();
            }
            byte[] given = Encoding.UTF8.GetBytes(value);
            return SecureStrings.UseUtf8Bytes(_authorization, expected =>
            {
                if (Same(expected, given)) return true;
                if (AuthType != WebhookAuthTypes.Basic) return false;
                char[] chars = SecureStrings.Base64(expected);
                byte[] encoded = Encoding.ASCII.GetBytes(chars);
                try
                {
                    return Same(encoded, given);
                }
                finally
                {
                    Array.Clear(chars, 0, chars.Length);
                    Array.Clear(encoded, 0, encoded.Length);
                }
            });
        }

        // In constant time for equal lengths.
        private static bool Same(byte[] expected, byte[] given)
        {
            if (expected.Length != given.Length) return false;
            int difference = 0;
            for (int i = 0; i < expected.Length; i++) difference |= expected[i] ^ given[i];
            return difference == 0;
        }

        public override string ToString() => AuthType;
    }

    /// <summary>Why a delivery was refused.</summary>
    public enum WebhookRejection
    {
        /// <summary>Accepted: signed with one of the secrets, credential presented, a JSON event.</summary>
        None,

        /// <summary>The webhook's own credential (Authorization or X-API-Key) is missing or wrong: 401.</summary>
        AuthorizationMismatch,

        /// <summary>X-Jelou-Signature is missing or does not match the exact body for any of the secrets: 401.</summary>
        SignatureMismatch,

        /// <summary>Signed, but not a JSON event object in UTF-8: 400.</summary>
        InvalidEvent,
    }

    /// <summary>What became of one delivery: the event, or why it was refused and the status to answer.</summary>
    public sealed class WebhookVerdict
    {
        internal WebhookVerdict(WebhookRejection rejection, JelouWebhookEvent? webhookEvent, string? reason, Exception? error = null, bool changedAfterSigning = false)
        {
            Rejection = rejection;
            Event = webhookEvent;
            Reason = reason;
            Error = error;
            ChangedAfterSigning = changedAfterSigning;
        }

        public WebhookRejection Rejection { get; }

        /// <summary>The typed event when accepted.</summary>
        public JelouWebhookEvent? Event { get; }

        /// <summary>Why it was refused, for the error record; never quotes a secret or the signature.</summary>
        public string? Reason { get; }

        /// <summary>What parsing threw, for an invalid event.</summary>
        public Exception? Error { get; }

        /// <summary>
        /// A signature mismatch whose body matches once what saving it as text adds is taken off (see
        /// <see cref="JelouSigner.ChangedAfterSigning"/>): <see cref="Reason"/> says what.
        /// </summary>
        public bool ChangedAfterSigning { get; }

        /// <summary>What to answer Jelou: 200 accepted, 401 for a credential or signature that does not match, 400 for a signed body that is no event.</summary>
        public int StatusCode => Rejection switch
        {
            WebhookRejection.None => 200,
            WebhookRejection.InvalidEvent => 400,
            _ => 401,
        };
    }

    /// <summary>
    /// One delivery as a webhook host received it: the exact body bytes and its headers (looked up without case). Checked
    /// as jelou-api.md §5.4 and §6 say: the webhook's own credential when one is expected, then X-Jelou-Signature over the
    /// exact bytes, then the event is read.
    /// </summary>
    public sealed class WebhookDelivery
    {
        private readonly Func<string, string?> _header;

        /// <param name="body">The body exactly as received.</param>
        /// <param name="header">A header's value by name, any case; null when absent.</param>
        public WebhookDelivery(byte[] body, Func<string, string?> header)
        {
            Body = body ?? throw new ArgumentNullException(nameof(body));
            _header = header ?? throw new ArgumentNullException(nameof(header));
        }

        public byte[] Body { get; }

        /// <summary>A header's value as received, or null.</summary>
        public string? Header(string name) => _header(name);

        /// <summary>
        /// The project the body says it is about, read as the event reads it but before anything is verified: only to choose
        /// which project's secret to verify it with. Null when the body names none or is no JSON object.
        /// </summary>
        public string? ClaimedProjectId
        {
            get
            {
                try
                {
                    using JsonDocument document = JsonDocument.Parse(JelouJson.Utf8Json(Body), JelouWebhookEvent.DocumentOptions);
                    return JelouWebhookEvent.ProjectIdOf(document.RootElement);
                }
                // Before any check, from anybody: a body that cannot be read names no project (a member name with a lone
                // surrogate makes every lookup throw InvalidOperationException).
                catch (Exception ex) when (ex is JsonException || ex is InvalidOperationException)
                {
                    return null;
                }
            }
        }

        /// <summary>
        /// Checks the delivery against <paramref name="signers"/> (any may have signed it: several projects, or the old and the
        /// new secret while a rotation propagates) and <paramref name="credential"/> (null: none expected). A
        /// <paramref name="signature"/> given overrides the header.
        /// </summary>
        public WebhookVerdict Verify(IEnumerable<JelouSigner> signers, WebhookCredential? credential, string? signature = null)
        {
            if (signers is null) throw new ArgumentNullException(nameof(signers));
            if (credential?.HeaderName is string credentialHeader && !credential.IsPresentedBy(_header(credentialHeader)))
            {
                string how = _header(credentialHeader) is null ? $"has no {credentialHeader} header" : $"has an {credentialHeader} header that is not the {credential.AuthType} credential expected";
                return new WebhookVerdict(WebhookRejection.AuthorizationMismatch, null, $"The delivery {how}: it did not come from this integration.");
            }
            signature ??= _header(JelouSignature.HeaderName);
            if (signature is null)
            {
                return new WebhookVerdict(WebhookRejection.SignatureMismatch, null, $"The delivery has no {JelouSignature.HeaderName} header: Jelou signs every delivery.");
            }
            bool signed = false;
            foreach (JelouSigner signer in signers) signed |= signer.Verify(Body, signature);
            if (!signed)
            {
                foreach (JelouSigner signer in signers)
                {
                    if (signer.ChangedAfterSigning(Body, signature) is string changed) return new WebhookVerdict(WebhookRejection.SignatureMismatch, null, changed, changedAfterSigning: true);
                }
                return new WebhookVerdict(WebhookRejection.SignatureMismatch, null,
                    "The webhook body does not match its X-Jelou-Signature: it was not signed with this secret, or it was changed on the way.");
            }
            try
            {
                return new WebhookVerdict(WebhookRejection.None, JelouWebhookEvent.Parse(Body), null);
            }
            catch (FormatException ex)
            {
                return new WebhookVerdict(WebhookRejection.InvalidEvent, null, ex.Message, ex);
            }
        }
    }
}
