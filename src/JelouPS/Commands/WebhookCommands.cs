using System;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Security;
using JelouPS.Infrastructure;
using JelouPS.Json;
using JelouPS.Webhooks;

namespace JelouPS.Commands
{
    /// <summary>The payload either as received or sent (string or bytes), or as an object to serialise the way Jelou's Node code does.</summary>
    public abstract class WebhookPayloadCmdletBase : PSCmdlet, IDisposable
    {
        private JelouSigner? _signer;

        protected const string PayloadSet = "Payload";
        protected const string ObjectSet = "InputObject";

        /// <summary>The exact body: a string (signed as UTF-8) or a byte array; from the pipeline, a Payload or Body property.</summary>
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = PayloadSet, ValueFromPipelineByPropertyName = true)]
        [Alias("Body")]
        [AllowEmptyString]
        [AllowEmptyCollection]
        [PayloadTransformation]
        public byte[] Payload { get; set; } = null!;

        /// <summary>An object to serialise as JSON.stringify does (member order kept, no spaces), then sign.</summary>
        [Parameter(Mandatory = true, ParameterSetName = ObjectSet)]
        public object InputObject { get; set; } = null!;

        [Parameter(Mandatory = true)]
        [ValidateNotNull]
        [SecureStringTransformation]
        public SecureString SigningSecret { get; set; } = null!;

        /// <summary>Sets $JelouUnsavedIntegrations and $JelouUnknownOutcomes in the caller's runspace, as every JelouPS command does.</summary>
        protected override void BeginProcessing() => SessionVariables.Show(this);

        /// <summary>The signing secret, keyed once for every payload of the pipeline.</summary>
        protected JelouSigner Signer => _signer ??= WebhookParameters.SignerOrStop(this, SigningSecret);

        public void Dispose()
        {
            _signer?.Dispose();
            GC.SuppressFinalize(this);
        }

        /// <summary>The bytes that are (or were) signed, or null after an error for a value with no JSON form.</summary>
        protected byte[]? SignedBytes()
        {
            if (ParameterSetName == PayloadSet) return Payload;
            try
            {
                object? plain = PowerShellValues.ToPlain(InputObject);
                // Refused first: a warning about a value that is not signed after all would only mislead.
                byte[] bytes = JavaScriptJson.Utf8(plain);
                if (PowerShellValues.ContainsDates(plain))
                {
                    new DiagnosticLines(this).Warn("-InputObject holds DateTime values. JSON.parse never makes them (ConvertFrom-Json does, from date strings), so the JSON signed here " +
                        "may differ from the body Jelou signed. Verify the raw body as received with -Payload.");
                }
                if (PowerShellValues.ContainsUnordered(plain))
                {
                    new DiagnosticLines(this).Warn("-InputObject holds a hashtable (@{}) of more than one key, which keeps no order: its keys are signed in the order PowerShell lists them, " +
                        "which need not be the body's. Use [ordered]@{} or [pscustomobject]@{} in the body's order, or verify the raw body as received with -Payload.");
                }
                if (PowerShellValues.InexactNumbers(plain, "They are signed so, as JSON.stringify writes them; verify a body as received with -Payload.") is string inexact)
                {
                    new DiagnosticLines(this).Warn(inexact);
                }
                return bytes;
            }
            catch (ArgumentException ex)
            {
                WriteError(ErrorMapper.From(ex, InputObject));
                return null;
            }
        }
    }

    /// <summary>Get-JelouWebhookSignature: the X-Jelou-Signature value for a payload.</summary>
    [Cmdlet(VerbsCommon.Get, "JelouWebhookSignature", DefaultParameterSetName = PayloadSet)]
    [OutputType(typeof(string))]
    public sealed class GetJelouWebhookSignatureCommand : WebhookPayloadCmdletBase
    {
        protected override void ProcessRecord()
        {
            byte[]? bytes = SignedBytes();
            if (bytes != null) WriteObject(Signer.Sign(bytes));
        }
    }

    /// <summary>Test-JelouWebhookSignature: whether a signature matches; $false (never an error) for a malformed one.</summary>
    [Cmdlet(VerbsDiagnostic.Test, "JelouWebhookSignature", DefaultParameterSetName = PayloadSet)]
    [OutputType(typeof(bool))]
    public sealed class TestJelouWebhookSignatureCommand : WebhookPayloadCmdletBase
    {
        private const string RequestSet = "Request";

        /// <summary>The X-Jelou-Signature header as received, with or without "sha256="; from the pipeline, a Signature property.</summary>
        [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true, ParameterSetName = PayloadSet)]
        [Parameter(Mandatory = true, Position = 1, ParameterSetName = ObjectSet)]
        [Parameter(ParameterSetName = RequestSet)]
        [AllowEmptyString]
        [AllowNull]
        [SignatureText]
        public string? Signature { get; set; }

        /// <summary>The host's request object as it is (see ConvertFrom-JelouWebhookEvent): its raw body and X-Jelou-Signature header.</summary>
        [Parameter(Mandatory = true, ParameterSetName = RequestSet)]
        public object Request { get; set; } = null!;

        /// <summary>With -Request: how the integration presents its credential (bearer, api_key, basic or no_auth; tab completes).</summary>
        [Parameter(ParameterSetName = RequestSet)]
        [Trimmed]
        [ArgumentCompleter(typeof(KnownValuesCompleter))]
        public string? AuthType { get; set; }

        /// <summary>With -Request: the credential the integration presents. A plain string is accepted and converted at once.</summary>
        [Parameter(ParameterSetName = RequestSet)]
        [ValidateNotNull]
        [SecureStringTransformation]
        public SecureString? WebhookAuthorization { get; set; }

        private WebhookCredential? _credential;
        private int _results;

        protected override void BeginProcessing()
        {
            base.BeginProcessing();
            _credential = WebhookParameters.CredentialOrStop(this, AuthType, WebhookAuthorization);
        }

        protected override void ProcessRecord()
        {
            if (ParameterSetName == RequestSet)
            {
                try
                {
                    // True when the request presents the credential (with -AuthType) and its signature matches; whether the body is an event is not this cmdlet's question.
                    WebhookDelivery delivery = WebhookRequests.Read(Request);
                    WebhookVerdict verdict = delivery.Verify(new[] { Signer }, _credential, Signature);
                    Write(verdict.Rejection != WebhookRejection.AuthorizationMismatch && verdict.Rejection != WebhookRejection.SignatureMismatch, verdict.ChangedAfterSigning ? verdict.Reason : null);
                }
                catch (ArgumentException ex)
                {
                    WriteError(ErrorMapper.From(ex, WebhookRequests.Describe(Request)));
                }
                return;
            }
            byte[]? bytes = SignedBytes();
            if (bytes is null) return;
            bool matches = Signer.Verify(bytes, Signature);
            // $false alone would leave a body saved to a file as text and read back as bytes looking forged.
            Write(matches, matches ? null : Signer.ChangedAfterSigning(bytes, Signature));
        }

        // A warning has no target: it names the result it is about by its number, which counts what this command wrote
        // (input PowerShell could not bind is not counted, and gets no result).
        private void Write(bool matches, string? changed)
        {
            _results++;
            if (changed != null) new DiagnosticLines(this).Warn($"Result {_results}: {changed} {WebhookRequests.ChangedAfterSigningAdvice}");
            WriteObject(matches);
        }
    }

    /// <summary>
    /// A cmdlet that receives deliveries as a webhook would: checks the webhook's own credential when -AuthType says one
    /// is expected (the header of jelou-api.md §2.3, compared in constant time), then the signature, then reads the event.
    /// </summary>
    public abstract class WebhookReceiverCmdletBase : JelouCmdletBase
    {
        /// <summary>bearer, api_key, basic or no_auth: how the integration presents its credential (tab completes).</summary>
        [Parameter]
        [Trimmed]
        [ArgumentCompleter(typeof(KnownValuesCompleter))]
        public string? AuthType { get; set; }

        /// <summary>The credential the integration presents to the webhook. A plain string is accepted and converted at once.</summary>
        [Parameter]
        [SecureStringTransformation(NullRefusedByCommand = true)]
        public SecureString? WebhookAuthorization { get; set; }

        /// <summary>What each delivery must present, or null when -AuthType was not given.</summary>
        private protected WebhookCredential? Credential { get; private set; }

        protected override void BeginProcessing()
        {
            base.BeginProcessing();
            Setup(() =>
            {
                RefuseNull(nameof(WebhookAuthorization), WebhookAuthorization);
                Credential = WebhookParameters.Credential(AuthType, WebhookAuthorization);
            });
        }

        /// <summary>Runs a check of the receiver's own setup (its secrets and credential), which fails with an ArgumentException.</summary>
        private protected void Setup(Action check)
        {
            try
            {
                check();
            }
            catch (ArgumentException ex)
            {
                SetupFailed(ex);
            }
        }

        /// <summary>The receiver's own setup is wrong: by default the command ends, before any delivery is looked at.</summary>
        private protected virtual void SetupFailed(ArgumentException problem) => ThrowTerminatingError(ErrorMapper.From(problem, null));

        /// <summary>A secret parameter given $null (an unset variable), which its transformation let through for the command to refuse.</summary>
        private protected void RefuseNull(string parameterName, SecureString? value)
        {
            if (value is null && MyInvocation.BoundParameters.ContainsKey(parameterName)) throw new ArgumentException($"-{parameterName}: {SecureStringTransformationAttribute.NullSecret}");
        }

        /// <summary>
        /// Writes the event of an accepted delivery, or the error that says why it was refused (named after
        /// <paramref name="target"/>, and in its message after <paramref name="item"/> when given).
        /// </summary>
        private protected void Report(WebhookVerdict verdict, object? target, string? item)
        {
            if (verdict.Event != null) WriteObject(JelouView.Shown(verdict.Event));
            else WriteError(ErrorMapper.Rejected(verdict, target, advice: verdict.ChangedAfterSigning ? WebhookRequests.ChangedAfterSigningAdvice : null, item: item));
        }
    }

    /// <summary>ConvertFrom-JelouWebhookEvent: a delivery (raw body, or a host's request object) to a typed event, verified first when asked.</summary>
    [Cmdlet(VerbsData.ConvertFrom, "JelouWebhookEvent", DefaultParameterSetName = PayloadSet)]
    [OutputType(typeof(JelouWebhookEvent), typeof(JelouMessageEvent), typeof(JelouConversationStartEvent), typeof(JelouConversationCloseEvent))]
    public sealed class ConvertFromJelouWebhookEventCommand : WebhookReceiverCmdletBase
    {
        private const string PayloadSet = "Payload";
        private const string RequestSet = "Request";
        private JelouSigner? _signer;
        private int _inputs;

        /// <summary>The body exactly as received: a string or a byte array.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = PayloadSet)]
        [Alias("Body")]
        [AllowEmptyString]
        [AllowEmptyCollection]
        [PayloadTransformation]
        public byte[] Payload { get; set; } = null!;

        /// <summary>The host's request object as it is: Azure Functions' $Request, Azure Automation's $WebhookData, Pode's $WebEvent.</summary>
        [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = RequestSet)]
        public object Request { get; set; } = null!;

        /// <summary>The X-Jelou-Signature header, instead of the request's; with -SigningSecret the body is verified first.</summary>
        [Parameter]
        [AllowEmptyString]
        [SignatureText]
        public string? Signature { get; set; }

        [Parameter]
        [SecureStringTransformation(NullRefusedByCommand = true)]
        public SecureString? SigningSecret { get; set; }

        // What is wrong with the receiver's own setup (no secret, a blank one, a credential without its type): each delivery is
        // refused for it with a non-terminating error of category InvalidArgument, which a host's script collects with
        // -ErrorVariable and answers 500 (README), as it answers any refused delivery. A terminating error, or a binding one
        // (a $null secret), would leave -ErrorVariable without the ErrorRecord, or empty, and the script answering 200.
        private ArgumentException? _setupProblem;

        protected override void BeginProcessing()
        {
            // A request without -SigningSecret is refused as it comes (piped requests choose their parameter set only then).
            // Before the credential is checked: the more basic mistake is named first.
            Setup(() =>
            {
                RefuseNull(nameof(SigningSecret), SigningSecret);
                if (SigningSecret is null && (Signature != null || PowerShellValues.Given(AuthType) != null))
                {
                    throw new ArgumentException("A delivery is verified against its signing secret: give -SigningSecret (with -Signature or -AuthType), or neither to read the body unverified.");
                }
            });
            base.BeginProcessing();
            if (_setupProblem is null && SigningSecret != null) Setup(() => _signer = WebhookParameters.Signer(this, SigningSecret));
        }

        private protected override void SetupFailed(ArgumentException problem) => _setupProblem ??= problem;

        protected override void ProcessRecord()
        {
            _inputs++;
            // Named, not held: a body in $Error would keep what the user wrote. Piped, by its place too (every input binds,
            // as a body or as a request), and in the message, which a console shows without the target: a pipeline of stored
            // deliveries is refused one by one.
            string target = (MyInvocation.ExpectingInput ? $"input {_inputs}, " : "") +
                (ParameterSetName == RequestSet ? WebhookRequests.Describe(Request) : $"payload of {Sizes.Bytes(Payload.Length)}");
            string? item = MyInvocation.ExpectingInput ? target : null;
            string? setupProblem = (_setupProblem is null ? null : ErrorMapper.WithoutParameterName(_setupProblem))
                ?? (ParameterSetName == RequestSet && _signer is null ? "A request is verified against its signing secret: give -SigningSecret."
                // A raw body has no headers: the webhook's credential can only be checked in a request.
                : ParameterSetName == PayloadSet && Credential?.HeaderName != null ? "-AuthType checks the webhook's credential in the request's headers, which a raw -Payload does not have: pass the request with -Request."
                : null);
            if (setupProblem != null)
            {
                WriteError(ErrorMapper.InvalidArgument(setupProblem, target, item));
                return;
            }
            WebhookDelivery delivery;
            try
            {
                delivery = ParameterSetName == RequestSet ? WebhookRequests.Read(Request) : new WebhookDelivery(Payload, _ => null);
            }
            catch (ArgumentException ex)
            {
                WriteError(ErrorMapper.From(ex, target, item));
                return;
            }
            if (_signer is null)
            {
                try
                {
                    WriteObject(JelouView.Shown(JelouWebhookEvent.Parse(delivery.Body)));
                }
                catch (FormatException ex)
                {
                    WriteError(ErrorMapper.Create(ErrorMapper.InvalidWebhookEvent, ex, target, item, SavedText.WideEncoding(delivery.Body) is null ? null : WebhookRequests.ChangedAfterSigningAdvice));
                }
                return;
            }
            Report(delivery.Verify(new[] { _signer }, Credential, Signature), target, item);
        }

        private protected override void Release() => _signer?.Dispose();
    }

    /// <summary>Send-JelouTestEvent: posts a signed sample event to the provider's own webhook, as Jelou would.</summary>
    /// <remarks>
    /// Its ids are sample values written into the event (optional, with defaults), not the API's project parameter;
    /// its auth settings are the integration's, bound by name from Get-JelouExternalSupport output or a CSV row.
    /// </remarks>
    [Cmdlet(VerbsCommunications.Send, "JelouTestEvent", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(WebhookTestResult))]
    public sealed class SendJelouTestEventCommand : JelouRequestCmdletBase, IDynamicParameters, IDisposable
    {
        // One HttpClient for every test event in the process that names no proxy and has no connection to take one from.
        private static readonly Lazy<WebhookTester> DefaultTester = new Lazy<WebhookTester>(() => JelouSession.Tester(ProxySettings.Default));

        private readonly ProxyParameters _proxy = new ProxyParameters();
        private WebhookTester _tester = null!;

        // Built for this command's own proxy parameters, and disposed with it.
        private WebhookTester? _ownTester;

        // -SigningSecret as Jelou issued it, made once (a copy read from a file is used trimmed: see WebhookParameters.AsIssued).
        private SecureString? _signingSecret;

        // A receiver must answer Jelou quickly; 20 s tells a slow one from a dead one.
        private static readonly TimeSpan TestEventTimeout = TimeSpan.FromSeconds(20);

        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [SecureUri]
        [ValidateNotNull]
        public Uri WebhookUrl { get; set; } = null!;

        [Parameter(Mandatory = true)]
        [ValidateNotNull]
        [SecureStringTransformation]
        public SecureString SigningSecret { get; set; } = null!;

        [Parameter(Position = 1)]
        [Trimmed]
        [ValidateSet(TestEventRequest.Message, TestEventRequest.ConversationStart, TestEventRequest.ConversationClose)]
        public string EventType { get; set; } = TestEventRequest.Message;

        /// <summary>How Jelou authenticates to the webhook (as the integration's -AuthType); a blank CSV cell counts as not given.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Trimmed]
        [ArgumentCompleter(typeof(KnownValuesCompleter))]
        public string? AuthType { get; set; }

        [Parameter]
        [ValidateNotNull]
        [SecureStringTransformation]
        public SecureString? WebhookAuthorization { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Trimmed]
        [ValidateId]
        public string ProjectId { get; set; } = "test-project";

        [Parameter]
        [Trimmed]
        [ValidateId]
        public string RoomId { get; set; } = "test-room";

        [Parameter]
        [Trimmed]
        [ValidateId]
        public string BotId { get; set; } = "test-bot";

        [Parameter]
        [Trimmed]
        [ValidateId]
        public string UserId { get; set; } = "test-user";

        /// <summary>The end user's text in a message event.</summary>
        [Parameter]
        [FreeText]
        [ValidateNotNullOrEmpty]
        public string Text { get; set; } = "Hello from Send-JelouTestEvent";

        /// <summary>Send whatever certificate the receiver presents (self-signed, expired, for another name), as Invoke-RestMethod's switch does.</summary>
        [Parameter]
        public SwitchParameter SkipCertificateCheck { get; set; }

        internal override string? CurrentItem => $"Test event to {WebhookUrl.GetLeftPart(UriPartial.Path)}";

        public object GetDynamicParameters() => _proxy;

        /// <summary>The proxy parameters given, else the connection's proxy, else the platform's.</summary>
        protected override void BeginProcessing()
        {
            base.BeginProcessing();
            JelouContext? connection = JelouSession.Get(Runspace.DefaultRunspace) is JelouContext { IsClosed: false } open ? open : null;
            if (_proxy.Given(this) is ProxySettings given) _tester = _ownTester = JelouSession.Tester(given, SkipCertificateCheck);
            else if (SkipCertificateCheck) _tester = _ownTester = JelouSession.Tester(connection?.Client.Options.Proxy ?? ProxySettings.Default, skipCertificateCheck: true);
            else _tester = connection?.WebhookTester ?? DefaultTester.Value;
        }

        protected override void ProcessRecord()
        {
            var request = new TestEventRequest
            {
                WebhookUrl = WebhookUrl,
                EventType = EventType,
                SigningSecret = _signingSecret ??= WebhookParameters.AsIssued(this, SigningSecret, "The signing secret"),
                AuthType = PowerShellValues.Given(AuthType),
                Authorization = WebhookAuthorization,
                ProjectId = ProjectId,
                RoomId = RoomId,
                BotId = BotId,
                UserId = UserId,
                Text = Text,
            };
            // The URL's query may hold a key (Azure Functions' ?code=): prompts, -Verbose and errors (which $Error keeps) name
            // the path only.
            string target = WebhookUrl.GetLeftPart(UriPartial.Path);
            if (!TryValidate(target, () =>
            {
                request.Authorization = WebhookParameters.Presented(request.AuthType, request.Authorization);
                request.Validate();
            })) return;
            if (!Approved(target, $"Post a signed sample '{EventType}' event")) return;
            Submit(target, (trace, token) => _tester.SendAsync(request, CallTimeout ?? TestEventTimeout, trace, token), result =>
            {
                WriteObject(JelouView.Shown(result));
                // The result says what happened; the error makes $? false and lets -ErrorAction Stop end a script.
                if (!result.Succeeded)
                {
                    WriteError(ErrorMapper.Create(ErrorMapper.TestEventFailed,
                        new InvalidOperationException($"The receiver did not accept the '{result.EventType}' test event: {(result.Error ?? "status " + result.StatusCode).TrimEnd('.')}."),
                        result, Item, advice: ErrorMapper.TestEventAdvice(result, SkipCertificateCheck, credentialGiven: WebhookAuthorization != null)));
                }
            });
        }

        // Re-implemented so the engine's Dispose also reaches the tester this command built; the base's Dispose still runs.
        void IDisposable.Dispose()
        {
            _ownTester?.Dispose();
            _signingSecret?.Dispose();
            Dispose();
        }
    }
}
