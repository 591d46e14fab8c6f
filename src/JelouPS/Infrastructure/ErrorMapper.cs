using System;
using System.Management.Automation;

namespace JelouPS.Infrastructure
{
    /// <summary>The one place where a failure becomes an ErrorRecord with a stable ErrorId and category.</summary>
    internal static class ErrorMapper
    {
        internal const string InvalidArgumentId = "JelouInvalidArgument";
        internal const string NotConnectedId = "JelouNotConnected";

        internal static ErrorRecord From(Exception exception, object? target)
        {
            switch (exception)
            {
                case JelouApiException api:
                    var (id, category, advice) = Describe(api.Kind);
                    return new ErrorRecord(api, id, category, target)
                    {
                        ErrorDetails = new ErrorDetails(api.Message) { RecommendedAction = advice },
                    };
                case VaultException vault:
                    return new ErrorRecord(vault, vault.ErrorId, vault.Category, target);
                case ArgumentException argument:
                    return InvalidArgument(WithoutParameterName(argument), target, argument);
                default:
                    return new ErrorRecord(exception, "JelouUnexpectedError", ErrorCategory.NotSpecified, target);
            }
        }

        /// <summary>The message without the runtime's parameter-name suffix: " (Parameter 'x')" on .NET, a "Parameter name: x" line on .NET Framework.</summary>
        internal static string WithoutParameterName(ArgumentException exception) =>
            exception.Message.Split(new[] { " (Parameter '", Environment.NewLine + "Parameter name:" }, StringSplitOptions.None)[0];

        internal static ErrorRecord InvalidArgument(string message, object? target, Exception? inner = null) =>
            new ErrorRecord(new ArgumentException(message, inner), InvalidArgumentId, ErrorCategory.InvalidArgument, target);

        internal static ErrorRecord NotConnected() =>
            new ErrorRecord(
                new InvalidOperationException("Not connected to Jelou. Run Connect-Jelou first, or pass -Context."),
                NotConnectedId,
                ErrorCategory.ConnectionError,
                null)
            {
                ErrorDetails = new ErrorDetails("Not connected to Jelou. Run Connect-Jelou first, or pass -Context.")
                {
                    RecommendedAction = "Connect-Jelou -ApiKey (Get-Secret JelouApiKey)",
                },
            };

        /// <summary>Whether every later input is doomed too, so the cmdlet should stop rather than go on.</summary>
        internal static bool IsFatal(Exception exception) =>
            exception is JelouApiException api && api.Kind == JelouErrorKind.Unauthorized;

        private static (string Id, ErrorCategory Category, string Advice) Describe(JelouErrorKind kind)
        {
            switch (kind)
            {
                case JelouErrorKind.ValidationFailed:
                    return ("JelouValidationFailed", ErrorCategory.InvalidArgument, "Correct the fields the API named and run the command again.");
                case JelouErrorKind.Unauthorized:
                    return ("JelouUnauthorized", ErrorCategory.AuthenticationError, "Check the API key or client credentials and run Connect-Jelou again.");
                case JelouErrorKind.Forbidden:
                    return ("JelouForbidden", ErrorCategory.PermissionDenied, "Use credentials of the project, or ask its owner for access.");
                case JelouErrorKind.NotFound:
                    return ("JelouNotFound", ErrorCategory.ObjectNotFound, "Check the id; Get-JelouExternalSupport shows whether the project has an integration.");
                case JelouErrorKind.Conflict:
                    return ("JelouConflict", ErrorCategory.ResourceExists, "The project already has an integration: change it with Set-JelouExternalSupport, or remove it first.");
                case JelouErrorKind.RateLimited:
                    return ("JelouRateLimited", ErrorCategory.LimitsExceeded, "Wait and run the command again, or send fewer requests at a time.");
                case JelouErrorKind.ServerError:
                    return ("JelouServerError", ErrorCategory.ResourceUnavailable, "Jelou failed to handle the request; try again later and quote the request id to Jelou's support if it persists.");
                case JelouErrorKind.InvalidResponse:
                    return ("JelouInvalidResponse", ErrorCategory.InvalidResult, "Check -BaseUri: the server answered, but not as the Jelou API does.");
                case JelouErrorKind.Timeout:
                    return ("JelouTimeout", ErrorCategory.OperationTimeout, "Try again, or connect with a larger -TimeoutSec.");
                case JelouErrorKind.ConnectionFailed:
                    return ("JelouConnectionFailed", ErrorCategory.ConnectionError, "Check -BaseUri, the network and any proxy.");
                default:
                    return ("JelouUnexpectedStatus", ErrorCategory.ProtocolError, "The API answered with a status it does not document for this call.");
            }
        }
    }
}
