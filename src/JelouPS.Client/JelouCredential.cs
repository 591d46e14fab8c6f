using System;
using System.Collections.Generic;
using System.Net.Http.Headers;
using System.Security;
using System.Text;
using JelouPS.Security;

namespace JelouPS
{
    /// <summary>How requests to the management API authenticate. The secret part stays a SecureString.</summary>
    public abstract class JelouCredential
    {
        private protected JelouCredential() { }

        /// <summary>"ApiKey" or "ClientCredential", for display.</summary>
        public abstract string AuthenticationType { get; }

        /// <summary>Header name and value; the value is plaintext, so it is built per request and dropped.</summary>
        internal abstract void Apply(HttpRequestHeaders headers);

        /// <summary>What an error answer must never repeat: the API key; the client secret, and the Basic value made of it.</summary>
        internal abstract IReadOnlyList<SecureString> Secrets { get; }

        // An empty one is most often a CI secret or automation variable that was not set: said so, by its name.
        private protected static SecureString ReadOnlyCopy(SecureString secret, string parameterName, string what)
        {
            if (secret is null) throw new ArgumentNullException(parameterName);
            if (secret.Length == 0) throw new ArgumentException($"The {what} is empty: check that the variable, pipeline secret or automation variable it came from is set.", parameterName);
            SecureString copy = secret.Copy();
            copy.MakeReadOnly();
            return copy;
        }
    }

    /// <summary>A project API key, sent as <c>x-api-key</c>.</summary>
    public sealed class JelouApiKeyCredential : JelouCredential
    {
        private readonly SecureString _apiKey;

        public JelouApiKeyCredential(SecureString apiKey)
        {
            _apiKey = ReadOnlyCopy(apiKey, nameof(apiKey), "API key");
            if (SecureStrings.HeaderProblem(_apiKey) is string problem)
            {
                throw new ArgumentException($"The API key {problem}: check that it was copied whole and alone, from the variable or automation variable it came from.", nameof(apiKey));
            }
            Secrets = new[] { _apiKey };
        }

        public override string AuthenticationType => "ApiKey";

        internal override IReadOnlyList<SecureString> Secrets { get; }

        internal override void Apply(HttpRequestHeaders headers) =>
            headers.TryAddWithoutValidation("x-api-key", SecureStrings.ToPlainText(_apiKey));

        public override string ToString() => AuthenticationType;
    }

    /// <summary>Client id and secret, sent as HTTP Basic.</summary>
    public sealed class JelouClientCredential : JelouCredential
    {
        private readonly SecureString _clientSecret;

        public JelouClientCredential(string clientId, SecureString clientSecret)
        {
            if (string.IsNullOrEmpty(clientId)) throw new ArgumentException("The client id is empty: check that the variable, pipeline secret or automation variable it came from is set.", nameof(clientId));
            if (clientId.IndexOf(':') >= 0) throw new ArgumentException("A client id cannot contain ':' (HTTP Basic separates id and secret with it).", nameof(clientId));
            // RFC 7617 §2: no control characters; and a client id is shown (Get-JelouContext): one line of visible characters.
            // An id compared by Jelou, as a project's is: blank, or holding what shows as nothing or another space, it is a copy
            // gone wrong that Jelou would refuse (401) at the first call, far from its cause.
            if (clientId.Trim().Length == 0) throw new ArgumentException("The client id is blank: check the variable it came from.", nameof(clientId));
            if (Require.IdProblem(clientId, "The client id") is string problem) throw new ArgumentException(problem, nameof(clientId));
            ClientId = clientId;
            _clientSecret = ReadOnlyCopy(clientSecret, nameof(clientSecret), "client secret");
            if (SecureStrings.IsBlank(_clientSecret))
            {
                throw new ArgumentException($"The client secret {SecureStrings.Blank}: check the variable it came from.", nameof(clientSecret));
            }
        }

        public string ClientId { get; }

        public override string AuthenticationType => "ClientCredential";

        internal override IReadOnlyList<SecureString> Secrets => _secrets ??= new[] { _clientSecret, SecureStrings.FromString(Encoded()) };

        private SecureString[]? _secrets;

        internal override void Apply(HttpRequestHeaders headers) => headers.Authorization = new AuthenticationHeaderValue("Basic", Encoded());

        // base64(id:secret), the Basic credential.
        private string Encoded() =>
            SecureStrings.UseChars(_clientSecret, secret =>
            {
                char[] pair = new char[ClientId.Length + 1 + secret.Length];
                byte[]? bytes = null;
                try
                {
                    ClientId.CopyTo(0, pair, 0, ClientId.Length);
                    pair[ClientId.Length] = ':';
                    Array.Copy(secret, 0, pair, ClientId.Length + 1, secret.Length);
                    bytes = Encoding.UTF8.GetBytes(pair);
                    return Convert.ToBase64String(bytes);
                }
                finally
                {
                    Array.Clear(pair, 0, pair.Length);
                    if (bytes != null) Array.Clear(bytes, 0, bytes.Length);
                }
            });

        public override string ToString() => AuthenticationType + " " + ClientId;
    }
}
