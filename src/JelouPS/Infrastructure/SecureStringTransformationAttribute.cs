using System;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Management.Automation;
using System.Security;
using JelouPS.Security;

namespace JelouPS.Infrastructure
{
    /// <summary>
    /// Lets a SecureString parameter take a plain string too: runbooks read keys from automation
    /// variables as strings. The string is converted during binding and never kept. Anything else is refused by its
    /// type alone: PowerShell's own conversion error would quote the value, which is a secret.
    /// </summary>
    internal sealed class SecureStringTransformationAttribute : ArgumentTransformationAttribute
    {
        // What a SecureString can hold.
        private const int MaxLength = 65536;

        /// <summary>For a SecureString[] parameter: a list of secrets, each converted alike.</summary>
        public bool Several { get; set; }

        /// <summary>
        /// $null binds, for the command to refuse as it refuses the rest of its setup (ConvertFrom-JelouWebhookEvent: each
        /// delivery, with an error -ErrorVariable collects, which a binding error is not).
        /// </summary>
        public bool NullRefusedByCommand { get; set; }

        /// <summary>Why a secret that is $null is refused.</summary>
        internal const string NullSecret = "The secret is $null: an unset variable or environment variable gives $null (such as $env:JELOU_API_KEY where a pipeline or runbook did not set it); check that it is set.";

        public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
        {
            object? value = inputData is PSObject wrapped ? wrapped.BaseObject : inputData;
            if (Several && value is System.Collections.IList list) return list.Cast<object?>().Select(One).ToArray();
            return value is null && NullRefusedByCommand ? null : One(value);
        }

        private static SecureString? One(object? inputData)
        {
            object? value = inputData is PSObject wrapped ? wrapped.BaseObject : inputData;
            return value switch
            {
                // Before PowerShell's own "The argument is null.": an unset environment variable ($env:JELOU_API_KEY where a
                // pipeline did not map its secret) is the usual cause, and the message says so.
                null => throw new ArgumentTransformationMetadataException(NullSecret),
                SecureString secure => secure,
                string text when text.Length > MaxLength => throw new ArgumentTransformationMetadataException(
                    $"The secret is {text.Length} characters long: a SecureString holds at most {MaxLength}. Check that the variable holds the secret alone."),
                string text when PowerShellValues.PlaceholderSecret(text, "The secret") is string placeholder => throw new ArgumentTransformationMetadataException(placeholder),
                string text => SecureStrings.FromString(text),
                PSCredential credential => PasswordOf(credential),
                _ => throw new ArgumentTransformationMetadataException(
                    $"A value of type {value.GetType().Name} is not a secret: pass a SecureString (from Get-Secret or Read-Host -AsSecureString), a PSCredential, or the secret as a string."),
            };
        }

        // The user names of the PSCredentials bound as secrets, by the copy of the password bound: -AuthType basic presents a
        // PSCredential given as -WebhookAuthorization as its user name and password (see WebhookParameters.Presented), and
        // -ApiKey warns of one.
        private static readonly ConditionalWeakTable<SecureString, string> s_userNames = new ConditionalWeakTable<SecureString, string>();

        private static SecureString PasswordOf(PSCredential credential)
        {
            if (string.IsNullOrEmpty(credential.UserName)) return credential.Password;
            // A copy: the password itself may be bound elsewhere alone, where it has no user name.
            SecureString password = credential.Password.Copy();
            password.MakeReadOnly();
            s_userNames.Add(password, credential.UserName);
            return password;
        }

        /// <summary>The user name of the PSCredential <paramref name="secret"/> was bound from; null for any other secret.</summary>
        internal static string? UserNameOf(SecureString secret) => s_userNames.TryGetValue(secret, out string? userName) ? userName : null;
    }

    /// <summary>
    /// Before PowerShell's [Credential], which prompts for a $null or blank value as for a user name, and for the password of
    /// a user name: an unset variable ($env:JELOU_CLIENT_ID) gets a message, and so does a user name where nobody can answer
    /// (the console's standard input redirected: a CI job, a script fed no input, where the prompt reads nothing and
    /// PowerShell exits), rather than a prompt.
    /// </summary>
    internal sealed class CredentialGivenAttribute : ArgumentTransformationAttribute
    {
        private const string GiveOne = "give a PSCredential: [pscredential]::new($clientId, (ConvertTo-SecureString $clientSecret -AsPlainText -Force)), or Get-Secret of one stored in a vault.";

        public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData) =>
            (inputData is PSObject wrapped ? wrapped.BaseObject : inputData) switch
            {
                null => throw new ArgumentTransformationMetadataException($"The credential is $null: an unset variable or environment variable gives $null; check that it is set, or {GiveOne}"),
                string name when name.Trim().Length == 0 => throw new ArgumentTransformationMetadataException($"The credential is blank: check the variable it came from, or {GiveOne}"),
                string name when engineIntrinsics.Host.Name == "ConsoleHost" && Console.IsInputRedirected => throw new ArgumentTransformationMetadataException(
                    $"The credential is the user name {Require.Show(name)} alone, so PowerShell would ask for the client secret, and standard input is redirected, so nobody can answer: {GiveOne}"),
                string or PSCredential => inputData,
                object other => throw new ArgumentTransformationMetadataException($"A value of type {other.GetType().Name} is not a credential: {GiveOne}"),
            };
    }
}
