using System;
using System.Management.Automation;
using System.Security;
using JelouPS.Webhooks;

namespace JelouPS.Infrastructure
{
    /// <summary>What the webhook cmdlets make of their -SigningSecret, -AuthType and -WebhookAuthorization, checked before anything is verified.</summary>
    internal static class WebhookParameters
    {
        /// <summary>A signer for a secret given; an unusable secret (empty) ends the command.</summary>
        internal static JelouSigner SignerOrStop(PSCmdlet cmdlet, SecureString secret)
        {
            try
            {
                return new JelouSigner(secret);
            }
            catch (ArgumentException ex)
            {
                cmdlet.ThrowTerminatingError(ErrorMapper.From(ex, null));
                throw;
            }
        }

        /// <summary>
        /// The credential each delivery must present, or null when -AuthType is not given; a credential without its type, or
        /// one its type does not take, ends the command.
        /// </summary>
        internal static WebhookCredential? CredentialOrStop(PSCmdlet cmdlet, string? authType, SecureString? authorization)
        {
            if (PowerShellValues.Given(authType) is null)
            {
                if (authorization != null) cmdlet.ThrowTerminatingError(ErrorMapper.InvalidArgument("Say how the integration presents -WebhookAuthorization: give -AuthType bearer, api_key or basic.", null));
                return null;
            }
            try
            {
                return new WebhookCredential(authType!, authorization);
            }
            catch (ArgumentException ex)
            {
                cmdlet.ThrowTerminatingError(ErrorMapper.From(ex, authType));
                throw;
            }
        }
    }
}
