using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
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
        /// A signer for a secret given (see <see cref="AsIssued"/>); a blank one, or a signature, ends the command. One no secret
        /// Jelou issues looks like even trimmed draws a warning and is used as given: a delivery checked with it would only fail
        /// to verify.
        /// </summary>
        internal static JelouSigner SignerOrStop(PSCmdlet cmdlet, SecureString secret, string subject = "The signing secret") =>
            OrStop(cmdlet, () => Signer(cmdlet, secret, subject), null);

        /// <summary><see cref="SignerOrStop"/>, throwing an ArgumentException for a secret ruled out, for the caller to report.</summary>
        internal static JelouSigner Signer(PSCmdlet cmdlet, SecureString secret, string subject = "The signing secret")
        {
            if (Refusal(secret, subject) is string refusal) throw new ArgumentException(refusal);
            SecureString issued = AsIssued(cmdlet, secret, subject);
            try
            {
                if (SecureStrings.SigningSecretProblem(issued) is string problem) new DiagnosticLines(cmdlet).Warn(Unlikely(problem, subject));
                return new JelouSigner(issued);
            }
            finally
            {
                issued.Dispose();
            }
        }

        /// <summary>
        /// Ends the command when the secret is ruled out (<see cref="SecureStrings.RulesOut"/>): an empty key is valid HMAC, so it
        /// would sign and verify anything anyone can compute; a signature would verify nothing Jelou sends.
        /// </summary>
        internal static void StopIfRuledOut(PSCmdlet cmdlet, SecureString secret, string subject)
        {
            if (Refusal(secret, subject) is string refusal) cmdlet.ThrowTerminatingError(ErrorMapper.InvalidArgument(refusal, null));
        }

        private static string? Refusal(SecureString secret, string subject) =>
            SecureStrings.SigningSecretProblem(secret) is string problem && SecureStrings.RulesOut(problem)
                ? subject + " " + (problem == SecureStrings.Blank ? "is blank: check the variable or vault entry it came from." : problem + ".")
                : null;

        // The receiver's own setup is wrong: the command ends, before any delivery is looked at.
        private static T OrStop<T>(PSCmdlet cmdlet, Func<T> make, object? target)
        {
            try
            {
                return make();
            }
            catch (ArgumentException ex)
            {
                cmdlet.ThrowTerminatingError(ErrorMapper.From(ex, target));
                throw;
            }
        }

        /// <summary>
        /// A secret given (<paramref name="subject"/>) as Jelou issued it. A copy read from a file (Get-Content -Raw, an
        /// Automation variable) carries a line break or a space at an end, which no secret Jelou issues has: it is used without
        /// them, and a warning says so, since a delivery checked with it as
        /// given would fail to verify, and its 401 lose it (Jelou does not send a refused one again). Any other secret is
        /// copied as it is, for the caller to check. Either way the copy is the caller's to dispose.
        /// </summary>
        internal static SecureString AsIssued(PSCmdlet cmdlet, SecureString secret, string subject)
        {
            if (!(SecureStrings.IssuedWithin(secret, out string around) is SecureString trimmed)) return secret.Copy();
            // As every warning of the module: under -Debug in a host that cannot ask, the warning asks, and that must not end
            // the command.
            new DiagnosticLines(cmdlet).Warn($"{subject} {around}: it is used without them, as Jelou issued it.");
            return trimmed;
        }

        /// <summary>Why a secret (<paramref name="subject"/>) cannot be one Jelou issued (its <paramref name="problem"/>), as a warning.</summary>
        internal static string Unlikely(string problem, string subject) => $"{subject} {problem}. Signatures made with it will most likely match none of Jelou's.";

        /// <summary>
        /// The credential each delivery must present, or null when -AuthType is not given; a credential without its type, or
        /// one its type does not take, ends the command.
        /// </summary>
        internal static WebhookCredential? CredentialOrStop(PSCmdlet cmdlet, string? authType, SecureString? authorization) =>
            OrStop(cmdlet, () => Credential(authType, authorization), authType);

        /// <summary><see cref="CredentialOrStop"/>, throwing an ArgumentException, for the caller to report.</summary>
        internal static WebhookCredential? Credential(string? authType, SecureString? authorization)
        {
            if (PowerShellValues.Given(authType) is null)
            {
                return authorization is null ? null
                    : throw new ArgumentException("Say how the integration presents -WebhookAuthorization: give -AuthType bearer, api_key or basic.", "WebhookAuthorization");
            }
            return new WebhookCredential(authType!, Presented(authType, authorization));
        }

        /// <summary>
        /// The -WebhookAuthorization Jelou presents for <paramref name="authType"/>: for basic, a PSCredential's user name and
        /// password; else as given (a PSCredential's password). Throws an ArgumentException, for the caller to report before
        /// any request, for a PSCredential without an auth type (which of the two it stands for is unknown: Set- keeps the
        /// integration's type, which it does not know), a Basic user name with a colon (RFC 7617 §2), or a part Jelou would
        /// present with characters a header cannot carry (the part named).
        /// </summary>
        internal static SecureString? Presented(string? authType, SecureString? authorization)
        {
            if (authorization is null || !(SecureStringTransformationAttribute.UserNameOf(authorization) is string userName)) return authorization;
            if (PowerShellValues.Given(authType) is null)
            {
                throw new ArgumentException($"-WebhookAuthorization is a PSCredential (user name {Require.Show(userName)}): give -AuthType too. With basic, Jelou presents it " +
                    "as user:password; with bearer or api_key, its password.", "WebhookAuthorization");
            }
            bool basic = string.Equals(authType, WebhookAuthTypes.Basic, StringComparison.OrdinalIgnoreCase);
            if (basic && userName.IndexOf(':') >= 0)
            {
                throw new ArgumentException($"The user name {Require.Show(userName)} of the PSCredential given as -WebhookAuthorization has a ':', which a Basic " +
                    "credential's user name cannot have (RFC 7617): the receiver could not tell where it ends.", "WebhookAuthorization");
            }
            // Said of the part at fault: the check of what is sent could name neither, nor tell that a PSCredential was given.
            bool userNameSendable = !basic || userName.All(SecureStrings.CanTravel);
            bool passwordSendable = SecureStrings.UseChars(authorization, chars => Array.TrueForAll(chars, SecureStrings.CanTravel));
            if (!userNameSendable || !passwordSendable)
            {
                string parts = userNameSendable ? "password" : $"user name {Require.Show(userName)}" + (passwordSendable ? "" : " and the password");
                throw new ArgumentException($"The {parts} of the PSCredential given as -WebhookAuthorization {(userNameSendable != passwordSendable ? "has" : "have")} " +
                    $"{SecureStrings.Untravelable}: Jelou presents {(basic ? "user:password" : "the password")} to your webhook in a header.", "WebhookAuthorization");
            }
            return basic ? SecureStrings.Prefixed(userName + ":", authorization) : authorization;
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
