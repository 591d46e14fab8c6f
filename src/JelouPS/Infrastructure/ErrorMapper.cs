using System;
using System.Net;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Text;
using JelouPS.Webhooks;

namespace JelouPS.Infrastructure
{
    /// <summary>
    /// The one place where a failure becomes an ErrorRecord: every ErrorId JelouPS writes is in <see cref="Table"/>
    /// with its category and its usual advice (about_JelouPS lists them all; a test reads this table), and the
    /// message names the item the error is about, so each error of a batch says which row it belongs to.
    /// </summary>
    internal static class ErrorMapper
    {
        internal const string ValidationFailed = "JelouValidationFailed";
        internal const string Unauthorized = "JelouUnauthorized";
        internal const string SignatureRejected = "JelouSignatureRejected";
        internal const string Forbidden = "JelouForbidden";
        internal const string NotFound = "JelouNotFound";
        internal const string Conflict = "JelouConflict";
        internal const string RateLimited = "JelouRateLimited";
        internal const string ServerError = "JelouServerError";
        internal const string UnexpectedStatus = "JelouUnexpectedStatus";
        internal const string InvalidResponse = "JelouInvalidResponse";
        internal const string Timeout = "JelouTimeout";
        internal const string ConnectionFailed = "JelouConnectionFailed";
        internal const string OutcomeUnknown = "JelouOutcomeUnknown";
        internal const string ProxyAuthenticationRequired = "JelouProxyAuthenticationRequired";
        internal const string ProxyError = "JelouProxyError";
        internal const string InvalidArgumentId = "JelouInvalidArgument";
        internal const string NotConnectedId = "JelouNotConnected";
        internal const string ConfirmationRequired = "JelouConfirmationRequired";
        internal const string SecretManagementMissing = "JelouSecretManagementMissing";
        internal const string VaultNotFound = "JelouVaultNotFound";
        internal const string VaultUnavailable = "JelouVaultUnavailable";
        internal const string SecretExists = "JelouSecretExists";
        internal const string SecretMayBeReplaced = "JelouSecretMayBeReplaced";
        internal const string SecretReplaced = "JelouSecretReplaced";
        internal const string VaultWriteFailed = "JelouVaultWriteFailed";
        internal const string VaultReadFailed = "JelouVaultReadFailed";
        internal const string SignatureMismatch = "JelouSignatureMismatch";
        internal const string InvalidWebhookEvent = "JelouInvalidWebhookEvent";
        internal const string WebhookAuthorizationMismatch = "JelouWebhookAuthorizationMismatch";
        internal const string NotADelivery = "JelouNotADelivery";
        internal const string TestEventFailed = "JelouTestEventFailed";
        internal const string UnexpectedError = "JelouUnexpectedError";

        /// <summary>Another version of JelouPS.dll is loaded: raised by src/JelouPS.VersionGuard, which cannot reference this assembly (the one in conflict).</summary>
        internal const string VersionConflict = "JelouVersionConflict";

        /// <summary>A file the module ships is missing or cannot be loaded: raised at import by <see cref="ModuleInitializer"/>, which loads every library the client needs then.</summary>
        internal const string InstallationDamaged = "JelouInstallationDamaged";

        /// <summary>How to get a vault where there is none: the module, a vault extension, and a registered vault (before Table, whose initializer reads it).</summary>
        internal static readonly string SecretManagementSetup =
            "Install-PSResource Microsoft.PowerShell.SecretManagement, Microsoft.PowerShell.SecretStore; Register-SecretVault -Name MyVault -ModuleName Microsoft.PowerShell.SecretStore -DefaultVault " +
            "(or your vault's extension, such as Az.KeyVault).";

        /// <summary>Every ErrorId, its category, and the advice it carries unless the failing call has better.</summary>
        internal static readonly IReadOnlyDictionary<string, (ErrorCategory Category, string? Advice)> Table =
            new Dictionary<string, (ErrorCategory, string?)>(StringComparer.Ordinal)
            {
                [ValidationFailed] = (ErrorCategory.InvalidArgument, "Correct the fields the API named and run the command again."),
                [Unauthorized] = (ErrorCategory.AuthenticationError, "Check the API key or client credentials and run Connect-Jelou again."),
                [SignatureRejected] = (ErrorCategory.SecurityError,
                    "The signing secret used is not the project's current one: the stored copy is stale, or not the whole secret. " +
                    "Read it again from where the last New-JelouExternalSupport or Reset-JelouExternalSupportSecret stored it, or rotate it " +
                    "(Reset-JelouExternalSupportSecret <project> -Vault <vault>) and use the new one."),
                [Forbidden] = (ErrorCategory.PermissionDenied, "Use credentials of the project, or ask its owner for access."),
                [NotFound] = (ErrorCategory.ObjectNotFound, "Check the project id: Jelou knows no integration for it."),
                [Conflict] = (ErrorCategory.ResourceExists, "The project already has an integration: change it with Set-JelouExternalSupport, or remove it first."),
                [RateLimited] = (ErrorCategory.LimitsExceeded, "Wait and run the command again, or send fewer requests at a time."),
                [ServerError] = (ErrorCategory.ResourceUnavailable, "Jelou failed to handle the request; try again later and quote the request id to Jelou's support if it persists."),
                [UnexpectedStatus] = (ErrorCategory.ProtocolError, "The API answered with a status it does not document for this call."),
                [InvalidResponse] = (ErrorCategory.InvalidResult, "Check -BaseUri: the server answered, but not as the Jelou API does."),
                [Timeout] = (ErrorCategory.OperationTimeout, "Try again, or connect with a larger -TimeoutSec."),
                [ConnectionFailed] = (ErrorCategory.ConnectionError, "Check -BaseUri, the network and any proxy."),
                [OutcomeUnknown] = (ErrorCategory.OperationTimeout, "Find out whether the request was carried out before sending it again."),
                [ProxyAuthenticationRequired] = (ErrorCategory.AuthenticationError,
                    "Check -ProxyCredential (user name, DOMAIN\\user where the proxy wants one, and password), or use -ProxyUseDefaultCredentials " +
                    "for a proxy that takes your Windows sign-in; the proxy's log says why it refused."),
                [ProxyError] = (ErrorCategory.ConnectionError,
                    "Check -Proxy (address and port), that the proxy runs and lets the API's host and port through; the proxy's log says why it failed. " +
                    "Without -Proxy the platform's proxy is used (HTTPS_PROXY, HTTP_PROXY or the system settings); -NoProxy goes direct."),
                [InvalidArgumentId] = (ErrorCategory.InvalidArgument, "Correct what the message names."),
                [NotConnectedId] = (ErrorCategory.ConnectionError, "Connect-Jelou -ApiKey (Get-Secret JelouApiKey)"),
                [ConfirmationRequired] = (ErrorCategory.InvalidOperation, null),
                [SecretManagementMissing] = (ErrorCategory.NotInstalled, SecretManagementSetup),
                [VaultNotFound] = (ErrorCategory.ObjectNotFound, "Get-SecretVault lists the registered vaults."),
                [VaultUnavailable] = (ErrorCategory.ResourceUnavailable, "Test-SecretVault -Name <vault> shows the problem."),
                [SecretExists] = (ErrorCategory.ResourceExists, "Use -Force to overwrite it, or -SecretName to choose another name."),
                [SecretMayBeReplaced] = (ErrorCategory.InvalidOperation, "Rotate again to get a secret you hold (Reset-JelouExternalSupportSecret <project> -Vault <vault>)."),
                [SecretReplaced] = (ErrorCategory.InvalidData,
                    "Store the project's live signing secret there (Save-JelouSigningSecret), or rotate to get one: Reset-JelouExternalSupportSecret <project> -Force -Vault <vault>."),
                [VaultWriteFailed] = (ErrorCategory.WriteError, null),
                [VaultReadFailed] = (ErrorCategory.ReadError, "Check -Vault and -SecretName: Get-SecretInfo -Vault <vault> lists the names."),
                [SignatureMismatch] = (ErrorCategory.SecurityError, "If the delivery is Jelou's, check that the receiver verifies the raw body, as received, with the project's current signing secret."),
                [InvalidWebhookEvent] = (ErrorCategory.InvalidData, "Pass the body exactly as received (the raw string or bytes), not a parsed object."),
                [NotADelivery] = (ErrorCategory.ProtocolError, "Jelou posts each event to the URL it was given: find out who else sends requests to the receiver."),
                [WebhookAuthorizationMismatch] = (ErrorCategory.SecurityError,
                    "If the delivery is Jelou's, check -AuthType and -WebhookAuthorization against the integration (Get-JelouExternalSupport shows its AuthType)."),
                [TestEventFailed] = (ErrorCategory.InvalidResult, "Check that the receiver is running at -WebhookUrl and answers 2xx to a correctly signed event."),
                [UnexpectedError] = (ErrorCategory.NotSpecified, null),
                [VersionConflict] = (ErrorCategory.ResourceUnavailable, null),
                [InstallationDamaged] = (ErrorCategory.NotInstalled, null),
            };

        /// <summary>
        /// A record with <paramref name="errorId"/>'s category; the message names <paramref name="item"/> when given and ends
        /// with <paramref name="note"/>.
        /// </summary>
        internal static ErrorRecord Create(string errorId, Exception exception, object? target, string? item = null, string? advice = null, string? note = null)
        {
            (ErrorCategory category, string? usualAdvice) = Table[errorId];
            // Printable: a message may quote what a sender or a server chose (an id from a forged delivery), which must not
            // reach the terminal as escape sequences or direction overrides. Each part alone: one may be printable already
            // (a request's ToString), and escaping it with the others would write its backticks twice.
            string message = (item is null ? "" : Require.Printable(item) + ": ") + Require.Printable(exception.Message) + (note is null ? "" : " " + Require.Printable(note));
            // The exception says it too: scripts log $_.Exception.Message.
            Exception named = message == exception.Message ? exception : exception switch
            {
                JelouApiException api => api.WithMessage(message),
                VaultException vault => vault.WithMessage(message),
                ArgumentException argument => new ArgumentException(message, argument.InnerException),
                InvalidOperationException operation when operation.GetType() == typeof(InvalidOperationException) => new InvalidOperationException(message, operation.InnerException),
                System.Security.SecurityException security when security.GetType() == typeof(System.Security.SecurityException) => new System.Security.SecurityException(message, security.InnerException),
                FormatException format when format.GetType() == typeof(FormatException) => new FormatException(message, format.InnerException),
                _ => exception,
            };
            // An integration that carries its secret is the target as New- writes it, whose view says where the secret is (the
            // integration itself, kept by the session, holds no type name: see JelouView.OwnWrapper).
            object? shown = Shown(target);
            var record = new ErrorRecord(named, errorId, category, shown);
            if (!ReferenceEquals(shown, target)) record.CategoryInfo.TargetType = nameof(ExternalSupportIntegration);
            string? recommended = Require.Printable(advice ?? usualAdvice);
            if (item != null || recommended != null || note != null) record.ErrorDetails = new ErrorDetails(message) { RecommendedAction = recommended };
            return record;
        }

        private static object? Shown(object? target) =>
            target is ExternalSupportIntegration integration && integration.Secret != null ? SecretIssuer.Issued(integration) : target;

        /// <summary>
        /// PowerShell's own error for a <paramref name="warning"/> under -WarningAction Stop (ActionPreferenceStop, its
        /// exception, id, category and words), with the issued integrations the warning is about (<paramref name="about"/>:
        /// one, or an array) as its TargetObject: what a script's assignment lost when the error ended the command
        /// ($i = New-...), secrets and all.
        /// </summary>
        internal static ErrorRecord StoppedByWarning(string warning, object about)
        {
            object? target = about is ExternalSupportIntegration[] several ? several.Select(Shown).ToArray() : Shown(about);
            var stop = new ActionPreferenceStopException($"The running command stopped because the preference variable \"WarningPreference\" or common parameter is set to Stop: {warning}");
            return new ErrorRecord(stop, "ActionPreferenceStop", ErrorCategory.OperationStopped, target)
            {
                ErrorDetails = new ErrorDetails(stop.Message)
                {
                    RecommendedAction = "The integrations this warning is about, each with its signing secret, are this error's TargetObject. A secret in no vault lives only in this session " +
                        $"(${JelouSession.UnsavedVariable}, with any other this command issued before it ended): store them all before the process ends, in the catch: " +
                        "Save-JelouSigningSecret -Vault <vault> (without input, it stores every secret that list holds).",
                },
            };
        }

        /// <summary>The error for a delivery a receiver refused: why, in the verdict's words, with the status it was answered.</summary>
        /// <param name="answered">True when the receiver answered it already (Receive-JelouWebhookEvent); else the message says what to answer.</param>
        /// <param name="item">What the message names first (the request, in a receiver); null for nothing.</param>
        internal static ErrorRecord Rejected(WebhookVerdict verdict, object? target, bool answered = false, string? advice = null, string? item = null)
        {
            string id = verdict.Rejection switch
            {
                WebhookRejection.AuthorizationMismatch => WebhookAuthorizationMismatch,
                WebhookRejection.SignatureMismatch => SignatureMismatch,
                _ => InvalidWebhookEvent,
            };
            Exception exception = verdict.Rejection == WebhookRejection.InvalidEvent
                ? (Exception)new FormatException(verdict.Reason, verdict.Error)
                : new System.Security.SecurityException(verdict.Reason);
            return Create(id, exception, target, item, advice,
                note: answered ? $"Answered {verdict.StatusCode}." : $"Reject it (answer {verdict.StatusCode}).");
        }

        internal static ErrorRecord From(Exception exception, object? target, string? item = null)
        {
            switch (exception)
            {
                case JelouApiException api when api.Kind != JelouErrorKind.OutcomeUnknown && api.Integration is null && SecretMayBeLost(api):
                    // Jelou answered that it acted, but the answer did not bring the secret: it exists, and nobody has it.
                    return Create(IdOf(api.Kind), api, target, item, LostSecretAdvice(api, target), note: "Jelou may have issued a signing secret that did not arrive.");
                // An error status whose body held a secret (a gateway's 500 after the create took, a 409 with one): whether it
                // is live, a read tells; a success cut short after the secret lost only the rest of its answer.
                case JelouApiException api when api.Integration != null:
                    return Create(IdOf(api.Kind), api, target, item, api.StatusCode is HttpStatusCode status && (int)status >= 300
                        ? $"Jelou answered an error, but its answer held a signing secret: it was delivered as usual (the error's TargetObject has it). Check with Get-JelouExternalSupport {SecretIssuer.Quote(api.Integration.ProjectId)} that the integration exists; if it does not, the secret is worthless."
                        : "The new signing secret arrived and was delivered as usual (the error's TargetObject has it); only the rest of the answer was lost. Nothing needs to be sent again.");
                case JelouApiException api:
                    return Create(IdOf(api.Kind), api, target, item, Advice(api, target));
                case VaultException vault:
                    return Create(vault.ErrorId, vault, target, item, vault.Advice);
                case ArgumentException argument:
                    return Create(InvalidArgumentId, new ArgumentException(WithoutParameterName(argument), argument.InnerException), target, item);
                default:
                    return Create(UnexpectedError, exception, target, item);
            }
        }

        /// <summary>
        /// <paramref name="record"/> of a command given a -Context other than the session's connection: when its advice names
        /// commands that send requests, it says to give them that -Context too, and when it says to connect again, how to
        /// make a context. As written, they would use or replace the session's connection, which may be another environment
        /// (a sandbox's advice carried out on production).
        /// </summary>
        internal static ErrorRecord WithContext(ErrorRecord record)
        {
            string? advice = record.ErrorDetails?.RecommendedAction;
            if (advice is null) return record;
            if (ContextCommands.Value.Any(name => advice.IndexOf(name, StringComparison.OrdinalIgnoreCase) >= 0))
            {
                advice += " " + SameContext;
            }
            if (advice.IndexOf("Connect-Jelou", StringComparison.OrdinalIgnoreCase) >= 0)
            {
                advice += " For this command's -Context, Connect-Jelou ... -PassThru gives a new one; it also becomes the session's connection, so connect the session again afterwards if it was another.";
            }
            record.ErrorDetails!.RecommendedAction = advice;
            return record;
        }

        /// <summary>What advice that names commands adds for a command given another connection than the session's.</summary>
        internal static readonly string SameContext = "Give the commands named here the same -Context as this one: without it, they use the session's connection.";

        // The commands that take -Context (those that send requests over a connection), by their names.
        private static readonly Lazy<string[]> ContextCommands = new Lazy<string[]>(() => typeof(JelouApiCmdletBase).Assembly.GetTypes()
            .Where(type => !type.IsAbstract && typeof(JelouApiCmdletBase).IsAssignableFrom(type))
            .Select(type => Attribute.GetCustomAttribute(type, typeof(CmdletAttribute)) as CmdletAttribute)
            .Where(cmdlet => cmdlet != null)
            .Select(cmdlet => cmdlet!.VerbName + "-" + cmdlet.NounName)
            .ToArray());

        /// <summary>The message without the runtime's parameter-name suffix: " (Parameter 'x')" on .NET, a "Parameter name: x" line on .NET Framework.</summary>
        internal static string WithoutParameterName(ArgumentException exception) =>
            exception.Message.Split(new[] { " (Parameter '", Environment.NewLine + "Parameter name:" }, StringSplitOptions.None)[0];

        internal static ErrorRecord InvalidArgument(string message, object? target, string? item = null) =>
            Create(InvalidArgumentId, new ArgumentException(message), target, item);

        internal static ErrorRecord NotConnected(bool contextClosed) => contextClosed
            ? Create(NotConnectedId, new InvalidOperationException("The connection passed with -Context was closed by Disconnect-Jelou."), null,
                advice: "Connect again (Connect-Jelou ... -PassThru) and pass the new context, or leave -Context out to use the session's connection.")
            : Create(NotConnectedId, new InvalidOperationException("Not connected to Jelou. Run Connect-Jelou first, or pass -Context."), null);

        /// <summary>Whether every later input is doomed too, so the cmdlet should stop rather than go on.</summary>
        internal static bool IsFatal(Exception exception) =>
            (exception is JelouApiException api && (api.Kind == JelouErrorKind.Unauthorized || api.Kind == JelouErrorKind.ProxyAuthenticationRequired))
            || exception is VaultException { EndsCommand: true };

        private static string IdOf(JelouErrorKind kind)
        {
            switch (kind)
            {
                case JelouErrorKind.ValidationFailed: return ValidationFailed;
                case JelouErrorKind.Unauthorized: return Unauthorized;
                case JelouErrorKind.SignatureRejected: return SignatureRejected;
                case JelouErrorKind.Forbidden: return Forbidden;
                case JelouErrorKind.NotFound: return NotFound;
                case JelouErrorKind.Conflict: return Conflict;
                case JelouErrorKind.RateLimited: return RateLimited;
                case JelouErrorKind.ServerError: return ServerError;
                case JelouErrorKind.InvalidResponse: return InvalidResponse;
                case JelouErrorKind.Timeout: return Timeout;
                case JelouErrorKind.ConnectionFailed: return ConnectionFailed;
                case JelouErrorKind.OutcomeUnknown: return OutcomeUnknown;
                case JelouErrorKind.ProxyAuthenticationRequired: return ProxyAuthenticationRequired;
                case JelouErrorKind.ProxyFailed: return ProxyError;
                default: return UnexpectedStatus;
            }
        }

        /// <summary>
        /// A create or a rotation that reached Jelou and brought back no secret (no answer, or one that cannot be used): it may
        /// have happened, with its secret lost.
        /// </summary>
        internal static bool SecretMayBeLost(JelouApiException api) =>
            api.Operation.IssuesSecret() && api.Integration is null && !api.NothingSent
            && (api.Kind == JelouErrorKind.OutcomeUnknown || api.Kind == JelouErrorKind.Timeout || api.Kind == JelouErrorKind.InvalidResponse
                || api.Kind == JelouErrorKind.ServerError || api.Kind == JelouErrorKind.ConnectionFailed);

        // What to check after a request that may have acted and brought back no secret. A create's or rotation's record (made
        // before its error, see SecretIssuer.Salvage) has the command's vault.
        private static string? LostSecretAdvice(JelouApiException api, object? target)
        {
            string project = ProjectOf(target);
            UnknownOutcome? recorded = JelouSession.Unknown(api.RequestUri, project).LastOrDefault();
            return OutcomeAdvice(api.Operation, project, recorded?.VaultArguments ?? SecretVaultParameters.NoVault);
        }

        private static string ProjectOf(object? target) => target is ExternalSupportIntegration integration ? integration.ProjectId : target as string ?? "<project>";

        /// <summary>How to find out whether a request of <paramref name="operation"/> that got no answer was carried out, and what then.</summary>
        internal static string? OutcomeAdvice(JelouOperation operation, string? projectId, string vault = SecretVaultParameters.NoVault)
        {
            // Quoted: run as written, an id such as 0x10 or $(1+1) would name another project.
            string project = projectId is null ? "<project>" : SecretIssuer.Quote(projectId);
            switch (operation)
            {
                case JelouOperation.CreateIntegration:
                    return $"Check with Get-JelouExternalSupport {project}: if the integration exists, its signing secret never arrived; get a new one with Reset-JelouExternalSupportSecret {project} -Force {vault}. If it does not exist, create it again.";
                case JelouOperation.RegenerateSecret:
                    return $"The old signing secret may already be dead. Rotate again with Reset-JelouExternalSupportSecret {project} -Force {vault}: only the newest secret works.";
                case JelouOperation.StartConversation:
                    return "Wait a little for its conversation.start event at your webhook: if it comes, the start was carried out (the event brings the conversation and room ids); start it again only if none comes.";
                case JelouOperation.CloseConversation:
                    return "Check whether the conversation is closed (Get-JelouConversation, or the conversation.close event) before closing again.";
                case JelouOperation.SendMessage:
                    return "The reply may have reached the user: check the conversation before sending it again.";
                default:
                    return null;
            }
        }

        /// <summary>
        /// What a change that Jelou answered with a success status, and whose answer then broke off or could not be read,
        /// did: it was carried out, and sending it again would do it twice. Null for a read (sending it again is harmless),
        /// for a create or rotation, whose secret is what was lost (see <see cref="From"/>), and for a delete, which
        /// Remove-JelouExternalSupport counts as done.
        /// </summary>
        private static string? CarriedOut(JelouOperation operation, object? target)
        {
            switch (operation)
            {
                case JelouOperation.StartConversation:
                    return "the conversation was started; only the answer (its ids) was lost. Do not start it again: its conversation.start event brings its conversation and room ids.";
                case JelouOperation.CloseConversation:
                    return "the conversation was closed; only the answer was lost. Nothing needs to be sent again.";
                case JelouOperation.SendMessage:
                    return "the reply was accepted; only the answer was lost. Do not send it again: the user would get it twice.";
                case JelouOperation.UpdateIntegration:
                    return $"the change was made; only the answer was lost. Get-JelouExternalSupport {SecretIssuer.Quote(ProjectOf(target))} shows the integration as it is now.";
                default:
                    return null;
            }
        }

        /// <summary>
        /// What to change where a test event failed, by how it failed; null for the usual advice (is the receiver running at
        /// -WebhookUrl), which fits a refused connection, an unknown host or a connection cut.
        /// </summary>
        internal static string? TestEventAdvice(WebhookTestResult result, bool skipCertificateCheck, bool credentialGiven)
        {
            if (result.CertificateRefused && !skipCertificateCheck)
            {
                return (result.WebhookUrl.IsLoopback ? "If that port speaks plain http (a local receiver without -Certificate), use an http:// URL. Otherwise the" : "The") +
                    " receiver's certificate is not trusted here: for your own receiver with a self-signed certificate, add -SkipCertificateCheck (Jelou itself needs one from a public CA for the URL's host).";
            }
            int size = Encoding.UTF8.GetByteCount(result.Payload);
            switch (result.StatusCode)
            {
                // A body past what the advice asks a receiver to take (what Receive-JelouWebhookEvent takes) is the test's own
                // doing (a long -Text): the receiver's limit may be right, and one that refuses it may answer 413 before
                // reading it, or close the connection while it is being sent.
                case 413 when size >= JelouWebhookListener.MaxBodyBytes:
                case null when size >= JelouWebhookListener.MaxBodyBytes && result.Failure?.Kind is JelouErrorKind.ConnectionFailed or JelouErrorKind.OutcomeUnknown:
                    return $"This test event was {Sizes.Bytes(size)}, more than the 1 MB a receiver is asked to take: test with a shorter -Text (Jelou's events are a few KB).";
                case int status when status >= 200 && status < 300:
                    return "Answer at once with a short body, or none, and end it (a Content-Length that matches, or the chunked body's last chunk): a sender waits for the whole answer.";
                case 401:
                case 403:
                    return "Check that the receiver verifies X-Jelou-Signature over the raw body with the integration's signing secret (the one given here), and " +
                        (credentialGiven ? "expects the -AuthType and -WebhookAuthorization given here" : "whether it expects a credential, which -AuthType and -WebhookAuthorization give") +
                        " (Get-JelouExternalSupport shows the integration's AuthType).";
                case int status when status >= 300 && status < 400:
                    return "Give Jelou the URL that answers itself (Set-JelouExternalSupport -WebhookUrl): whether Jelou follows a redirect is not documented, and a delivery may be posted to the URL registered only.";
                case 404:
                case 405:
                    return "Check the path of -WebhookUrl, and that the receiver takes POST there.";
                case 408:
                    return "The receiver gave up reading the event: let it read the whole body at once (Jelou sends it whole, a few KB).";
                case 413:
                    return "The receiver refused the event's size: let it take bodies of at least 1 MB (Jelou's events are a few KB; a message's text can be long).";
                case 429:
                    return "The receiver is limiting requests: try again after the wait it gave, and let it take deliveries at the rate Jelou sends them.";
                case int status when status >= 500:
                    return "The receiver failed on the event: its own log says why.";
                case int _:
                    return "The receiver refused the event: check that it reads the raw body as JSON (ConvertFrom-JelouWebhookEvent -Request takes a host's request as it is).";
                // The event was sent and no status came back in time (a POST is not sent again, so its outcome is unknown).
                case null when result.Failure?.Kind is JelouErrorKind.Timeout or JelouErrorKind.OutcomeUnknown:
                    return "The receiver took the event but gave no answer in time, or closed the connection without one: answer at once (200), then do the work (a queue); a slow receiver can be given more -TimeoutSec.";
                default:
                    return null;
            }
        }

        /// <summary>
        /// What a read that found the project's integration says of its create or rotation of unknown outcome: the create
        /// was carried out (its secret never arrived), or the rotation may have been; either way a new secret is needed.
        /// </summary>
        internal static string StillUnknown(UnknownOutcome unknown, ExternalSupportIntegration integration) =>
            (unknown.IsCreate
                ? $"The integration of {unknown.ProjectId} exists{(integration.CreatedAt is DateTimeOffset created ? $" (created {created:u} by Jelou's clock)" : "")}, and {unknown.Command} sent at {unknown.At:u} brought back no secret: that create was most likely carried out, and its signing secret never arrived."
                : $"{unknown.Command} {unknown.ProjectId} sent at {unknown.At:u} brought back no secret: the signing secret kept from before may be dead.")
            + $" Get one you hold with Reset-JelouExternalSupportSecret {SecretIssuer.Quote(unknown.ProjectId)} -Force {unknown.VaultArguments}; until then it stays in ${JelouSession.UnknownVariable}.";

        /// <summary>Advice for the call that failed, where it differs from the ErrorId's usual advice.</summary>
        private static string? Advice(JelouApiException api, object? target)
        {
            if (api.AnsweredSuccess && CarriedOut(api.Operation, target) is string done)
            {
                return $"Jelou answered {(int)api.StatusCode!.Value}, so {done}";
            }
            switch (api.Kind)
            {
                case JelouErrorKind.NotFound when !api.IsApiError && api.Operation == JelouOperation.SendMessage:
                    return "The answer is not Jelou's, so the path itself may be wrong: -ChatbotUri is the host alone (https://chatbot.jelou.ai), without /v1/external-support/webhook.";
                case JelouErrorKind.NotFound when !api.IsApiError:
                    return "The answer is not the Jelou API's error body, so the path itself may be wrong: check that -BaseUri ends in /jelouapi or /platform (Connect-Jelou -BaseUri https://gateway.jelou.ai/jelouapi).";
                case JelouErrorKind.NotFound:
                    switch (api.Operation)
                    {
                        case JelouOperation.CreateIntegration:
                            return "Jelou knows no such project: check the project id (it is the Jelou Brain project's id).";
                        case JelouOperation.DeleteIntegration:
                            return "The project has no integration, so there is nothing to remove: check the project id and the connection. A signing secret of it left in a vault no longer works: remove it with Remove-Secret.";
                        case JelouOperation.GetIntegration:
                        case JelouOperation.UpdateIntegration:
                        case JelouOperation.RegenerateSecret:
                            return "The project has no integration: check the project id, or create one with New-JelouExternalSupport.";
                        case JelouOperation.GetConversation:
                            return "The project has no conversation with this id: check -ConversationId (it is the conversation.id of an event, or the Id Start-JelouConversation returned).";
                        // The API documents a 404 here as an unknown bot or user; its message may name another cause, which it says.
                        case JelouOperation.StartConversation:
                            return "Check -BotId and -UserId (Jelou knows no such bot or user in this project), and that the project has an integration (Get-JelouExternalSupport).";
                        case JelouOperation.CloseConversation:
                            return "Check -BotId and -UserId (Jelou knows no such bot or user in this project); a conversation closed already has nothing left to close (Get-JelouConversation shows its state).";
                        case JelouOperation.SendMessage:
                            return "Check -ProjectId, -RoomId, -BotId and -UserId: the room must be an active conversation of that bot and user.";
                        default:
                            return null;
                    }
                case JelouErrorKind.Conflict when api.Operation == JelouOperation.CreateIntegration
                    && JelouSession.Unknown(api.RequestUri, ProjectOf(target)).FirstOrDefault(u => u.IsCreate) is UnknownOutcome unknown:
                    return $"{unknown.Command} {unknown.ProjectId} sent at {unknown.At:u} brought back no secret, and the integration exists: unless it is older (Get-JelouExternalSupport shows when it was created), " +
                        $"that create was carried out and its signing secret never arrived. Get one you hold with Reset-JelouExternalSupportSecret {SecretIssuer.Quote(unknown.ProjectId)} -Force {unknown.VaultArguments}.";
                case JelouErrorKind.Conflict when api.Operation == JelouOperation.CloseConversation || api.Operation == JelouOperation.SendMessage:
                    return "Jelou refused it as in conflict with the conversation's current state: read it again (Get-JelouConversation) and run the command again if it is still needed.";
                case JelouErrorKind.Conflict when api.Operation is JelouOperation.GetIntegration or JelouOperation.GetConversation:
                    return "A read changes nothing, and the API documents no 409 for it: run the command again; if it persists, quote the request id to Jelou's support.";
                case JelouErrorKind.Conflict when api.Operation != JelouOperation.CreateIntegration && api.Operation != JelouOperation.StartConversation:
                    return "Jelou refused the change as in conflict with the integration's current state: read it again (Get-JelouExternalSupport) and run the command again if it is still needed.";
                case JelouErrorKind.Conflict when api.Operation == JelouOperation.StartConversation:
                    return "The user already has an active conversation with this bot: reply in it (Send-JelouSupportMessage), or close it first (Close-JelouConversation).";
                case JelouErrorKind.UnexpectedStatus when api.StatusCode == System.Net.HttpStatusCode.RequestEntityTooLarge:
                    return api.Operation == JelouOperation.SendMessage
                        ? "The server refused the reply as too large (413): shorten its -Text or -Caption (a long text can go as several replies), or a -FileName of unusual length."
                        : "The server refused the request as too large (413): check what the command sends (a webhook URL or credential of unusual length).";
                case JelouErrorKind.UnexpectedStatus when api.IsRedirect:
                    return api.Operation == JelouOperation.SendMessage
                        ? "Give -ChatbotUri the address replies are answered at (https, the host alone): a redirect is not followed."
                        : "Give -BaseUri the address the API answers at (https, and the path: https://gateway.jelou.ai/jelouapi): a redirect is not followed.";
                case JelouErrorKind.ServerError:
                {
                    string quote = api.RequestId is null ? "quote the request id" : $"quote its request id ({api.RequestId})";
                    // A start, close or reply that failed there may have been carried out (creates and rotations are told
                    // apart in From): check before sending it again.
                    return api.Operation == JelouOperation.StartConversation || api.Operation == JelouOperation.CloseConversation || api.Operation == JelouOperation.SendMessage
                        ? $"{OutcomeAdvice(api.Operation, ProjectOf(target))} If it persists, {quote} to Jelou's support."
                        : $"Jelou failed to handle the request; try again later and {quote} to Jelou's support if it persists.";
                }
                case JelouErrorKind.OutcomeUnknown:
                    return LostSecretAdvice(api, target);
                case JelouErrorKind.ConnectionFailed when api.ClosedByCaller:
                    return "Disconnect-Jelou closed this connection while the command ran: connect again (Connect-Jelou) and run the command again.";
                // Plain http is taken only for a loopback host (an emulator, a tunnel's local end).
                case JelouErrorKind.ConnectionFailed when Http.ConnectFailures.IsTlsFailure(api):
                    return "Nothing was sent, and sending again fails alike: " + (api.RequestUri?.IsLoopback == true
                        ? $"give {(api.Operation == JelouOperation.SendMessage ? "-ChatbotUri" : "-BaseUri")} an http:// address if that port speaks plain http; otherwise make the server's certificate trusted here."
                        : "make the server's certificate trusted here (or check that the address is the API's).");
                case JelouErrorKind.ConnectionFailed when api.NothingSent:
                    return $"Nothing was sent: check {(api.Operation == JelouOperation.SendMessage ? "-ChatbotUri" : "-BaseUri")}, the network and any proxy, then run the command again.";
                case JelouErrorKind.ConnectionFailed when api.Operation == JelouOperation.SendMessage:
                    return "Check -ChatbotUri, the network and any proxy.";
                case JelouErrorKind.ValidationFailed when api.Operation == JelouOperation.SendMessage:
                    return "Correct the reply's fields the API named (room, bot, user, media URL) and send it again. If they are right, check that the conversation is still active " +
                        "(Get-JelouConversation shows its State): a closed one takes no reply, and Start-JelouConversation opens a new one.";
                default:
                    return null;
            }
        }
    }
}
