using System;
using System.Security;

namespace JelouPS
{
    /// <summary>
    /// An external-support integration. <see cref="SigningSecret"/> is present only on the answers to create
    /// and regenerate: the API never returns it again.
    /// </summary>
    public sealed class ExternalSupportIntegration
    {
        internal ExternalSupportIntegration(
            string projectId,
            string? id,
            string? brainId,
            string? webhookUrl,
            string? authType,
            SecureString? signingSecret,
            DateTimeOffset? createdAt,
            DateTimeOffset? updatedAt,
            DateTimeOffset? secretRegeneratedAt)
        {
            ProjectId = projectId;
            Id = id;
            BrainId = brainId;
            WebhookUrl = webhookUrl;
            AuthType = authType;
            _signingSecret = signingSecret;
            CreatedAt = createdAt;
            UpdatedAt = updatedAt;
            SecretRegeneratedAt = secretRegeneratedAt;
        }

        /// <summary>The project the integration belongs to (the path parameter used to reach it).</summary>
        public string ProjectId { get; }

        public string? Id { get; }

        /// <summary>The Jelou Brain project id the API reports (usually equal to <see cref="ProjectId"/>).</summary>
        public string? BrainId { get; }

        public string? WebhookUrl { get; }

        public string? AuthType { get; }

        private readonly SecureString? _signingSecret;

        /// <summary>
        /// The HMAC key for <c>X-Jelou-Signature</c>; null when the API did not send it. Each read gives a read-only copy of
        /// its own: disposing it after use, as .NET advises for a SecureString, leaves the integration's secret intact, which
        /// this session keeps until it is stored and redacts from error answers.
        /// </summary>
        public SecureString? SigningSecret
        {
            get
            {
                if (_signingSecret is null) return null;
                SecureString copy = _signingSecret.Copy();
                copy.MakeReadOnly();
                return copy;
            }
        }

        /// <summary>The secret itself, for the module's own use (storing, comparing, redacting); never handed to a caller.</summary>
        internal SecureString? Secret => _signingSecret;

        public DateTimeOffset? CreatedAt { get; }

        public DateTimeOffset? UpdatedAt { get; }

        public DateTimeOffset? SecretRegeneratedAt { get; }

        /// <summary>The SecretManagement vault the signing secret was stored in by JelouPS (and read back to check); null when not stored.</summary>
        public string? SecretVault { get; private set; }

        /// <summary>The secret's name in <see cref="SecretVault"/>.</summary>
        public string? SecretName { get; private set; }

        /// <summary>
        /// Where the signing secret is now, for the default view: "&lt;name&gt; in vault &lt;vault&gt;", or a reminder that the
        /// object is its only copy; "dead: Jelou no longer accepts it" once this process saw a newer secret of the project
        /// issued, or its integration deleted; "may be dead: ..." once a rotation of the project got no answer, or a copy of a
        /// later secret came from elsewhere. Null when the answer carried no secret (reads and updates).
        /// </summary>
        public string? SecretLocation =>
            _signingSecret is null ? null
            : _superseded ? "dead: Jelou no longer accepts it"
            : _doubtful ? "may be dead: possibly rotated since"
            : SecretVault is null ? "in SigningSecret only: store it now"
            : $"{SecretName} in vault {SecretVault}";

        private volatile bool _superseded;
        private volatile bool _doubtful;

        /// <summary>When the signing secret this object carries was issued: its rotation, else the integration's creation.</summary>
        public DateTimeOffset? SecretIssuedAt => _signingSecret is null ? null : SecretRegeneratedAt ?? CreatedAt;

        /// <summary>
        /// The API base URI that answered: two connections (a sandbox and production) may know the same project id. Piped to a
        /// command on another connection, it is refused rather than acted on there.
        /// </summary>
        public Uri? ApiBaseUri { get; internal set; }

        internal void MarkStored(string vault, string secretName)
        {
            SecretVault = vault;
            SecretName = secretName;
            // Stored with -Force: the caller vouched that it is live.
            _doubtful = false;
        }

        /// <summary>Made from a copy (a deserialized or selected object) of a secret this process never received.</summary>
        internal bool IsCopy { get; set; }

        /// <summary>Jelou issued a newer secret of the project, or deleted its integration: this one no longer works.</summary>
        internal void MarkSuperseded() => _superseded = true;

        /// <summary>Whether this process saw Jelou issue a newer secret of the project, or delete its integration.</summary>
        internal bool IsSuperseded => _superseded;

        /// <summary>A rotation of the project may have replaced this secret (one that got no answer, or another process's): it may no longer work.</summary>
        internal void MarkDoubtful() => _doubtful = true;

        /// <summary>Another secret took its place in the vault: the object is its only copy again.</summary>
        internal void MarkReplaced()
        {
            SecretVault = null;
            SecretName = null;
        }

        /// <summary>This answer with the members it lacks taken from <paramref name="details"/> (the regenerate answer names no URL or id).</summary>
        internal ExternalSupportIntegration CompletedWith(ExternalSupportIntegration details) =>
            new ExternalSupportIntegration(
                ProjectId,
                Id ?? details.Id,
                BrainId ?? details.BrainId,
                WebhookUrl ?? details.WebhookUrl,
                AuthType ?? details.AuthType,
                _signingSecret,
                CreatedAt ?? details.CreatedAt,
                UpdatedAt ?? details.UpdatedAt,
                SecretRegeneratedAt) { ApiBaseUri = ApiBaseUri };

        /// <summary>"p1 -> https://crm.example.com/jelou…": the URL without its query or user information, where keys travel, as the
        /// views show it (PowerShell shows this text as an error's target, and in strings).</summary>
        public override string ToString() => $"{Require.PrintableId(ProjectId)} -> {Require.PrintableOnOneLine(WebhookUrl is null ? null : JelouUris.WithoutCredentials(WebhookUrl))}";
    }
}
