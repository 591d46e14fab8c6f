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
            SigningSecret = signingSecret;
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

        /// <summary>The HMAC key for <c>X-Jelou-Signature</c>; null when the API did not send it.</summary>
        public SecureString? SigningSecret { get; }

        public DateTimeOffset? CreatedAt { get; }

        public DateTimeOffset? UpdatedAt { get; }

        public DateTimeOffset? SecretRegeneratedAt { get; }

        public override string ToString() => $"{ProjectId} -> {WebhookUrl}";
    }
}
