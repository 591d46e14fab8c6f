using System;
using System.Collections;
using System.Linq;
using System.Management.Automation;
using System.Runtime.CompilerServices;
using System.Security;

namespace JelouPS.Infrastructure
{
    /// <summary>
    /// Lets Save-JelouSigningSecret take a copy of an integration that still carries its secret: Select-Object *, or
    /// Import-Clixml and Receive-Job of a background job or a remote session, whose objects are deserialized (a plain-text
    /// SigningSecret is taken too, as other secret parameters take one). A copy of an integration this process holds is that
    /// integration (the same secret, by value), so what the session knows of it (newer secrets, crossing) still applies.
    /// Anything else is refused without quoting it.
    /// </summary>
    internal sealed class IntegrationCopyAttribute : ArgumentTransformationAttribute
    {
        public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
        {
            object? value = inputData is PSObject wrapped ? wrapped.BaseObject : inputData;
            if (value is IList list) return list.Cast<object?>().Select(One).ToArray();
            return One(inputData);
        }

        private static object? One(object? item)
        {
            object? value = item is PSObject wrapped ? wrapped.BaseObject : item;
            if (value is null || value is ExternalSupportIntegration) return item;
            if (value is IDictionary)
            {
                return Refused("", "A hashtable is not taken as a copy of an integration (its keys are not properties): make it an object, [pscustomobject]@{ ProjectId = ...; SigningSecret = ... }; its value is not shown, as it may hold a secret.");
            }
            PSObject copy = PSObject.AsPSObject(item);
            object? secret = Property(copy, nameof(ExternalSupportIntegration.SigningSecret));
            // Its ProjectId as -ProjectId takes one (text, a whole number or a GUID; trimmed; one line of visible characters):
            // it names the secret in the vault and every message about it.
            string projectId;
            try
            {
                projectId = TrimmedAttribute.Text(Raw(copy, nameof(ExternalSupportIntegration.ProjectId))) ?? "";
            }
            catch (ArgumentTransformationMetadataException)
            {
                projectId = "";
            }
            if (projectId.Length == 0)
            {
                return Refused("", "The object is not an integration, nor a copy of one that carries its ProjectId and a SigningSecret (the one text, a whole number or a GUID; the other a SecureString, not empty); its value is not shown, as it may hold a secret.");
            }
            if (Require.IdProblem(projectId, "The ProjectId of the copy") is string badId) return Refused("", badId + " Nothing was stored.");
            if (!(secret is SecureString || secret is string))
            {
                return Refused(projectId, $"The copy of project '{projectId}' carries no SigningSecret: only the answers of New-JelouExternalSupport and Reset-JelouExternalSupportSecret (and copies of them) have one.");
            }
            string subject = $"The SigningSecret of the copy of project '{projectId}'";
            if (secret is string placeholder && PowerShellValues.PlaceholderSecret(placeholder, subject) is string problem) return Refused(projectId, problem + " Nothing was stored.");
            // A copy read from a file (a CSV cell, Get-Content -Raw) may carry a line break or a space around the secret, which
            // no secret Jelou issues has: it is taken without them, and Save says so (see TakeTrimmed). One no secret Jelou
            // issues looks like even so (blank, or with other characters) would be stored for replies that are then refused.
            SecureString taken = secret is SecureString given ? given.Copy() : JelouPS.Security.SecureStrings.FromString((string)secret);
            SecureString? trimmed = JelouPS.Security.SecureStrings.IssuedWithin(taken, out string around);
            if (trimmed is null && JelouPS.Security.SecureStrings.SigningSecretProblem(taken) is string unlike)
            {
                taken.Dispose();
                return Refused(projectId, unlike == JelouPS.Security.SecureStrings.Blank
                    ? $"{subject} is blank (a SigningSecret must be a SecureString, not empty). Nothing was stored."
                    : $"{subject} {unlike}. Nothing was stored.");
            }
            if (trimmed != null) taken.Dispose();
            var integration = new ExternalSupportIntegration(
                projectId,
                Property(copy, nameof(ExternalSupportIntegration.Id)) as string,
                Property(copy, nameof(ExternalSupportIntegration.BrainId)) as string,
                Property(copy, nameof(ExternalSupportIntegration.WebhookUrl)) as string,
                Property(copy, nameof(ExternalSupportIntegration.AuthType)) as string,
                // A copy of its own: the caller may dispose theirs once this returns.
                trimmed ?? taken,
                Time(copy, nameof(ExternalSupportIntegration.CreatedAt)),
                Time(copy, nameof(ExternalSupportIntegration.UpdatedAt)),
                Time(copy, nameof(ExternalSupportIntegration.SecretRegeneratedAt)))
            {
                ApiBaseUri = LanguagePrimitives.TryConvertTo(Property(copy, nameof(ExternalSupportIntegration.ApiBaseUri)), out Uri? source) && source != null && source.IsAbsoluteUri ? source : null,
            };
            ExternalSupportIntegration saved = JelouSession.Original(integration);
            lock (Copies)
            {
                Copies.Remove(saved);
                Copies.Add(saved, copy);
                Trimmed.Remove(saved);
                if (trimmed != null) Trimmed.Add(saved, around);
            }
            return saved;
        }

        // Refused here, in words of its own, and said by Save as its own error: a transformation error (PowerShell's, or one
        // thrown here) carries the piped object as its TargetObject, which error views and Get-Error show, secret and all.
        private static ExternalSupportIntegration Refused(string projectId, string why)
        {
            var refused = new ExternalSupportIntegration(projectId, null, null, null, null, null, null, null, null);
            lock (Copies) Refusals.Add(refused, why);
            return refused;
        }

        private static readonly ConditionalWeakTable<ExternalSupportIntegration, string> Refusals = new ConditionalWeakTable<ExternalSupportIntegration, string>();

        /// <summary>Why the copy <paramref name="integration"/> stands for was refused; null for one taken.</summary>
        internal static string? Refusal(ExternalSupportIntegration integration)
        {
            lock (Copies) return Refusals.TryGetValue(integration, out string? why) ? why : null;
        }

        // The integrations last made from a copy whose secret had white space or quotation marks around it, and what, until Save says so.
        private static readonly ConditionalWeakTable<ExternalSupportIntegration, string> Trimmed = new ConditionalWeakTable<ExternalSupportIntegration, string>();

        /// <summary>
        /// What was around the secret of the copy <paramref name="integration"/> was last made from, taken without it (see
        /// SecureStrings.IssuedWithin), or null; asked once.
        /// </summary>
        internal static string? TakeTrimmed(ExternalSupportIntegration integration)
        {
            lock (Copies) return Trimmed.TryGetValue(integration, out string? around) && Trimmed.Remove(integration) ? around : null;
        }

        // The copy each integration was last made from or matched to, so that storing it shows on the caller's object too.
        private static readonly ConditionalWeakTable<ExternalSupportIntegration, PSObject> Copies = new ConditionalWeakTable<ExternalSupportIntegration, PSObject>();

        /// <summary>
        /// Shows where <paramref name="integration"/>'s secret now is on the copy it came from, if any: its SecretVault,
        /// SecretName and SecretLocation, where the copy has them (a copy's are its own values, which no longer tell).
        /// </summary>
        internal static void ShowStored(ExternalSupportIntegration integration)
        {
            PSObject? copy;
            lock (Copies)
            {
                if (!Copies.TryGetValue(integration, out copy)) return;
            }
            foreach ((string name, object? value) in new (string, object?)[]
            {
                (nameof(ExternalSupportIntegration.SecretVault), integration.SecretVault),
                (nameof(ExternalSupportIntegration.SecretName), integration.SecretName),
                (nameof(ExternalSupportIntegration.SecretLocation), integration.SecretLocation),
            })
            {
                try
                {
                    if (copy.Properties[name] is PSPropertyInfo property && property.IsSettable) property.Value = value;
                }
                catch (Exception ex) when (ex is SetValueException || ex is ExtendedTypeSystemException)
                {
                    // A copy that will not take it keeps its own; the secret is stored either way.
                }
            }
        }

        private static object? Property(PSObject copy, string name) => Raw(copy, name) is PSObject wrapped ? wrapped.BaseObject : Raw(copy, name);

        // A deserialized object's texts were written in the invariant culture (see PowerShellValues.Time).
        private static DateTimeOffset? Time(PSObject copy, string name) =>
            PowerShellValues.Time(Raw(copy, name), deserialized: copy.TypeNames.Count > 0 && copy.TypeNames[0].StartsWith("Deserialized.", StringComparison.Ordinal));

        // Null for a property that is missing or cannot be read (a list's members, a getter that throws).
        private static object? Raw(PSObject copy, string name)
        {
            try
            {
                return copy.Properties[name]?.Value;
            }
            catch (Exception ex) when (ex is GetValueException || ex is NotSupportedException || ex is ExtendedTypeSystemException)
            {
                return null;
            }
        }
    }
}
