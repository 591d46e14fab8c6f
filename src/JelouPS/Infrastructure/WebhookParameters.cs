using System;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using System.Security;
using JelouPS.Security;
using JelouPS.Webhooks;

namespace JelouPS.Infrastructure
{
    /// <summary>What the webhook cmdlets make of their -SigningSecret, -AuthType and -WebhookAuthorization, checked before anything is verified.</summary>
    internal static class WebhookParameters
    {
        /// <summary>
        /// A signer for a secret given; an unusable secret (empty) ends the command. One no secret Jelou issues looks like (a
        /// line break at its end, as Get-Content -Raw reads a file) draws a warning: a reply signed with it is refused before
        /// it is sent, but a delivery checked with it would only fail to verify, saying nothing of why.
        /// </summary>
        internal static JelouSigner SignerOrStop(PSCmdlet cmdlet, SecureString secret)
        {
            if (Unlikely(secret, "The signing secret") is string warning) cmdlet.WriteWarning(warning);
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

        /// <summary>Why <paramref name="secret"/> (<paramref name="subject"/>) cannot be one Jelou issued, as a warning; null when it can.</summary>
        internal static string? Unlikely(SecureString secret, string subject) =>
            SecureStrings.SigningSecretProblem(secret) is string problem ? $"{subject} {problem}. Signatures made with it match none of Jelou's." : null;

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

    /// <summary>
    /// How a received X-Jelou-Signature binds: text as it is; a header a host hands over as a list of values (a repeated
    /// header, ASP.NET's StringValues) as those values joined, as HTTP joins them (the same value twice then verifies as
    /// that value, different ones do not: see JelouSigner.Verify); anything else as "". A signature that cannot be read is
    /// simply one that does not match, never a binding error.
    /// </summary>
    internal sealed class SignatureTextAttribute : ArgumentTransformationAttribute
    {
        public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
        {
            switch (inputData is PSObject wrapped ? wrapped.BaseObject : inputData)
            {
                case null:
                    return null;
                case string text:
                    return text;
                case IEnumerable values:
                    var parts = new List<string>();
                    foreach (object? value in values)
                    {
                        if (!((value is PSObject item ? item.BaseObject : value) is string text)) return "";
                        parts.Add(text);
                    }
                    return string.Join(", ", parts);
                default:
                    return "";
            }
        }
    }
}
