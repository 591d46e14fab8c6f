using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Management.Automation;
using System.Net;
using System.Security;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using JelouPS.Infrastructure;
using JelouPS.Webhooks;

namespace JelouPS.Commands
{
    /// <summary>
    /// Receive-JelouWebhookEvent: a receiver for development and small on-premises use. Listens on loopback over http, or
    /// on the address given over https with -Certificate; checks and answers each delivery as Jelou expects (200, 401,
    /// 400), and writes each accepted event to the pipeline as it arrives; a refused request is a non-terminating error.
    /// Ctrl+C stops it at once and frees the port.
    /// </summary>
    [Cmdlet(VerbsCommunications.Receive, "JelouWebhookEvent")]
    [OutputType(typeof(JelouWebhookEvent), typeof(JelouMessageEvent), typeof(JelouConversationStartEvent), typeof(JelouConversationCloseEvent))]
    public sealed class ReceiveJelouWebhookEventCommand : WebhookReceiverCmdletBase, IDynamicParameters
    {
        private readonly SecretVaultParameters _vault = new SecretVaultParameters();
        private readonly List<JelouSigner> _given = new List<JelouSigner>();

        // What the vault gave for each project its deliveries named: its secret, or none (null). Read at the project's first
        // delivery, and again, no sooner than RereadAfter, when a delivery did not verify with what was read: a rotation
        // elsewhere may have replaced the vault's copy, or a secret may have been stored since. A project the vault has none for
        // is remembered only while fewer than MaxProjectsNotInVault projects are, so that forged ids cannot grow it without
        // end; a vault that cannot be read now is not remembered.
        private readonly Dictionary<string, (JelouSigner? Signer, long At)> _fromVault = new Dictionary<string, (JelouSigner?, long)>(StringComparer.Ordinal);

        // The delivery whose vault copy is one Jelou replaced, as an error said (SignersFor): its refusal needs no other.
        private WebhookRequest? _explained;
        // The warnings a project's vault reads gave, each said once though the vault is read again.
        private readonly HashSet<string> _said = new HashSet<string>(StringComparer.Ordinal);
        private const int MaxProjectsNotInVault = 1000;
        /// <summary>How soon the vault may be read again for a project whose delivery did not verify (tests shorten it).</summary>
        internal static TimeSpan RereadAfter { get; set; } = TimeSpan.FromSeconds(5);

        /// <summary>The port to listen on (http://localhost:Port/Path; https://host:Port/Path with -Certificate).</summary>
        [Parameter(Mandatory = true, Position = 0)]
        [ValidateRange(1, 65535)]
        public int Port { get; set; }

        /// <summary>The path Jelou posts to (the path of the webhook URL registered); "/" by default.</summary>
        [Parameter]
        [Trimmed]
        [ValidateNotNullOrEmpty]
        public string Path { get; set; } = "/";

        /// <summary>
        /// The address to listen on: both loopbacks (127.0.0.1 and ::1) by default; 0.0.0.0 (or ::) for all of the machine's.
        /// Any address beyond loopback needs -Certificate: deliveries from the network come over https only.
        /// </summary>
        [Parameter]
        [ValidateNotNull]
        public IPAddress? IPAddress { get; set; }

        /// <summary>The server certificate, with its private key: the receiver then takes https only (from a .pfx file, or Cert:\ on Windows).</summary>
        [Parameter]
        [ValidateNotNull]
        public X509Certificate2? Certificate { get; set; }

        /// <summary>The signing secrets a delivery may be signed with: several projects, or the old and the new one during a rotation.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        [SecureStringTransformation(Several = true)]
        public SecureString[]? SigningSecret { get; set; }

        /// <summary>Stop after this many accepted events.</summary>
        [Parameter]
        [ValidateRange(1, int.MaxValue)]
        public int Count { get; set; }

        /// <summary>Stop listening after this many seconds, whatever has arrived.</summary>
        [Parameter]
        [ValidateRange(1, 604800)]
        public int TimeoutSec { get; set; }

        public object GetDynamicParameters() => _vault;

        protected override void BeginProcessing()
        {
            base.BeginProcessing();
            SecureString[] given = SigningSecret ?? Array.Empty<SecureString>();
            string Subject(int i) => given.Length == 1 ? "The signing secret" : $"Signing secret {i + 1} of {given.Length}";
            // One ruled out (blank, a signature) ends the command before anything is said of the others.
            for (int i = 0; i < given.Length; i++) WebhookParameters.StopIfRuledOut(this, given[i], Subject(i));
            for (int i = 0; i < given.Length; i++) _given.Add(WebhookParameters.SignerOrStop(this, given[i], Subject(i)));
        }

        protected override void ProcessRecord()
        {
            // Here, not at the beginning: a -SecretName piped in (an integration's) is bound only now, and a vault that cannot
            // be used must stop the command before anything listens, not answer each delivery 503.
            if (SigningSecret is null && _vault.Vault is null && _vault.GivenSecretName is null)
            {
                ThrowTerminatingError(ErrorMapper.InvalidArgument("Give the signing secrets with -SigningSecret, or the vault that holds them with -Vault (each delivery is verified with its project's secret).", null));
            }
            _vault.Open(this);
            _vault.StopIfNameUnusable(this, fallback: _given.Count > 0);
            JelouWebhookListener listener;
            try
            {
                listener = new JelouWebhookListener(Port, Path, IPAddress, Certificate);
                listener.Start();
            }
            catch (Exception ex) when (ex is ArgumentException || ex is InvalidOperationException)
            {
                // A path that is no path, an address or certificate that cannot serve, or a port in use or refused: either
                // way, another argument is the way out.
                object target = (ex as ArgumentException)?.ParamName switch
                {
                    "address" => (object?)IPAddress ?? Port,
                    "certificate" => Certificate!,
                    null when ex is InvalidOperationException => Port,
                    _ => Path,
                };
                ThrowTerminatingError(ErrorMapper.InvalidArgument(ex is ArgumentException argument ? ErrorMapper.WithoutParameterName(argument) : ex.Message, target));
                return;
            }
            using (listener)
            {
                Trace($"Listening on {listener.Url} for deliveries" + (Count > 0 ? $", until {Count} {(Count == 1 ? "is" : "are")} accepted" : "") + (TimeoutSec > 0 ? $", for {TimeoutSec} s" : "") + ". Ctrl+C stops.");
                var clock = Stopwatch.StartNew();
                for (int accepted = 0; Count == 0 || accepted < Count;)
                {
                    WebhookRequest? request = Next(listener, clock);
                    if (request is null) break;
                    if (request.Delivery is null)
                    {
                        Trace($"{request}: " + (request.StatusCode == 0 ? "nothing could be answered." : $"answered {request.StatusCode}."));
                        // The request is named in the message too: a console's concise view shows no TargetObject.
                        WriteError(ErrorMapper.Create(ErrorMapper.NotADelivery, new InvalidOperationException(request.Problem), request.ToString(), request.ToString(),
                            advice: request.Method.Length == 0 && listener.Url.Scheme == Uri.UriSchemeHttps
                                ? $"Jelou posts each event over https to the URL it was given ({listener.Url}), trusting a certificate issued for its host name: check the URL registered and the certificate, or find out who else connects to this port."
                                : $"Jelou posts each event as one HTTP/1.1 request to the URL it was given ({listener.Url}): check the URL the sender was given, or find out who else sends requests to this port."));
                        continue;
                    }
                    // The secrets given first: the vault is read only for a delivery none of them verifies. With no secret for the
                    // delivery's project it cannot be verified: it is answered 401 and the vault's error said why. One the vault
                    // could not be read for gets 503, so that Jelou sends it again.
                    WebhookVerdict verdict = request.Delivery.Verify(_given, Credential);
                    IEnumerable<JelouSigner>? signers = _given;
                    bool heldBack = false;
                    if (verdict.Rejection == WebhookRejection.SignatureMismatch)
                    {
                        signers = SignersFor(request, again: false, out bool justRead, out _);
                        if (signers != null) verdict = request.Delivery.Verify(signers, Credential);
                        if (signers != null && !justRead && verdict.Rejection == WebhookRejection.SignatureMismatch)
                        {
                            signers = SignersFor(request, again: true, out bool reread, out heldBack);
                            if (reread && signers != null) verdict = request.Delivery.Verify(signers, Credential);
                        }
                    }
                    // The vault may hold a secret that verifies it: it could not be read, or was read too lately to read again
                    // (a rotation elsewhere just now). Jelou sends a 503 again; a 401 it may not.
                    if ((signers is null || heldBack) && verdict.Rejection == WebhookRejection.SignatureMismatch)
                    {
                        request.Abandon();
                        // The vault's error was written; a read held back is said too, or a delivery so turned away leaves no trace.
                        if (signers is null) Trace($"{request}: answered {request.StatusCode}, since the vault could not be read.");
                        else Warn($"{request}: answered {request.StatusCode}: it matches no secret the receiver holds, and the vault was read for project {request.Delivery.ClaimedProjectId} less than {Durations.Seconds(RereadAfter)} s ago (a rotation elsewhere just now?). Jelou may send it again; {Durations.Seconds(RereadAfter)} s after that read, it is checked against the vault anew.");
                        continue;
                    }
                    if (verdict.Event is null && verdict.Rejection == WebhookRejection.SignatureMismatch && ReferenceEquals(_explained, request))
                    {
                        // The vault's error for this delivery said why no secret verified it: a second error would call it forged.
                        request.Answer(verdict);
                        Trace($"{request}: answered {request.StatusCode}, since the vault holds a secret Jelou replaced (the error before this says so).");
                        continue;
                    }
                    if (verdict.Event is null)
                    {
                        request.Answer(verdict);
                        Trace($"{request}: answered {request.StatusCode}.");
                        // Read lately and found missing (the vault's error then said why; a forger's flood of ids is not read each
                        // time): the delivery could not be verified, which says more than "not signed with this secret".
                        string? notInVault = verdict.Rejection == WebhookRejection.SignatureMismatch && !verdict.ChangedAfterSigning
                            && request.Delivery.ClaimedProjectId is string claimed && _fromVault.TryGetValue(claimed, out (JelouSigner? Signer, long At) read) && read.Signer is null ? claimed : null;
                        if (notInVault != null)
                        {
                            verdict = new WebhookVerdict(WebhookRejection.SignatureMismatch, null,
                                $"It names project {notInVault}, for which vault {_vault.Current()!.Display} gave no signing secret when it was last read (the error then said why), so it could not be verified" +
                                (_given.Count > 0 ? " (nor did any -SigningSecret verify it)." : "."));
                        }
                        WriteError(ErrorMapper.Rejected(verdict, request.ToString(), answered: true, item: request.ToString(), advice: verdict.Rejection switch
                        {
                            WebhookRejection.InvalidEvent when verdict.Reason == JelouWebhookEvent.LoneSurrogateName =>
                                "It was signed with the project's secret, so it is most likely Jelou's own: this event cannot be read by JelouPS, and Jelou was told 400.",
                            WebhookRejection.InvalidEvent => "Jelou's deliveries are JSON events: find out who else posts signed bodies to this receiver.",
                            WebhookRejection.SignatureMismatch when verdict.ChangedAfterSigning =>
                                "Find out what between Jelou and this receiver rewrites request bodies (a proxy or gateway that re-encodes them).",
                            WebhookRejection.SignatureMismatch when _vault.Current() != null && request.Delivery.ClaimedProjectId is null =>
                                "It names no project (project_id), so no secret of the vault was tried" + (_given.Count > 0 ? ", only -SigningSecret's" : "") +
                                ": give -SigningSecret the secrets of deliveries that name none, or find out who else posts to this receiver.",
                            WebhookRejection.SignatureMismatch when notInVault != null =>
                                $"Store the project's signing secret in the vault, or give the -SecretName that names it, as the error at its first delivery said: the next delivery " +
                                $"from {Durations.Seconds(RereadAfter)} s after that read is checked against the vault anew. If project {notInVault} is none of yours, find out who else posts to this receiver.",
                            WebhookRejection.SignatureMismatch => "Check that the receiver has the integration's current signing secret (-SigningSecret, or the vault's for the project): Reset-JelouExternalSupportSecret replaces it at once, so give the old and the new one while a rotation propagates; or find out who else posts to this receiver.",
                            _ => "Check -AuthType and -WebhookAuthorization against the integration's (Get-JelouExternalSupport shows its AuthType), or find out who else posts to this receiver.",
                        }));
                        continue;
                    }
                    accepted++;
                    // The event goes down the pipeline before the 200, so that a delivery acknowledged is one the commands
                    // downstream were done with. Anything that ends the pipeline meanwhile gets 503, and Jelou may send it
                    // again: PowerShell tells a command the same (PipelineStoppedException) whether one downstream failed or
                    // Select-Object -First had enough, so only a stop at -Count is told apart, and it is clean.
                    try
                    {
                        WriteObject(JelouView.Shown(verdict.Event));
                    }
                    catch (Exception)
                    {
                        request.Abandon();
                        throw;
                    }
                    request.Answer(verdict);
                    Trace($"{request}: answered {request.StatusCode}.");
                }
            }
        }

        // The next request; null once -TimeoutSec has passed. Ctrl+C ends the command.
        private WebhookRequest? Next(JelouWebhookListener listener, Stopwatch clock)
        {
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(CancelToken);
            if (TimeoutSec > 0)
            {
                TimeSpan left = TimeSpan.FromSeconds(TimeoutSec) - clock.Elapsed;
                if (left <= TimeSpan.Zero) return null;
                wait.CancelAfter(left);
            }
            try
            {
                return listener.ReceiveAsync(wait.Token).GetAwaiter().GetResult();
            }
            catch (OperationCanceledException)
            {
                if (CancelToken.IsCancellationRequested) throw new PipelineStoppedException();
                Trace($"Stopped listening after {TimeoutSec} s.");
                return null;
            }
        }

        // The secrets given, and the vault's secret of the project the delivery names, for a delivery that could be one (it
        // carries a signature, and the credential when one is expected). Again (after a signature mismatch), the vault is read
        // anew (reread) when it was read for the project more than RereadAfter ago, else not (heldBack). Null when the vault
        // cannot be read now (a locked vault, a service that failed): the error is written, and nothing is remembered.
        private IEnumerable<JelouSigner>? SignersFor(WebhookRequest request, bool again, out bool reread, out bool heldBack)
        {
            reread = heldBack = false;
            WebhookDelivery delivery = request.Delivery!;
            string? projectId = delivery.ClaimedProjectId;
            if (_vault.Current() is null || delivery.Header(JelouSignature.HeaderName) is null || projectId is null) return _given;
            if (Credential?.HeaderName is string header && !Credential.IsPresentedBy(delivery.Header(header))) return _given;
            long now = Stopwatch.GetTimestamp();
            bool known = _fromVault.TryGetValue(projectId, out (JelouSigner? Signer, long At) read);
            if (known && !again) return With(read.Signer);
            // Read too lately to read again: a rotation elsewhere may not have reached the vault yet, so a 401 would be
            // premature. A secret this process received since (a rotation in this session) is read at once, and a mismatch
            // then is still held back: the vault may not hold it yet. A project the vault had none for is not held back.
            bool recent = now - read.At < RereadAfter.TotalSeconds * Stopwatch.Frequency;
            heldBack = known && recent && read.Signer != null;
            if (known && recent && !JelouSession.ArrivedAfter(null, projectId, read.At)) return With(read.Signer);
            JelouSigner? signer = null;
            string? doubted = null, copyWarning = null;
            try
            {
                SecureString secret = _vault.ReadSigningSecret(projectId, null, out doubted, out copyWarning, verifying: true)!;
                signer = new JelouSigner(secret);
            }
            catch (Exception ex) when (ex is ArgumentException || ex is VaultException)
            {
                // Named after the request, as its refusal is.
                WriteJelouError(ex, ErrorMapper.From(ex, request.ToString(), request.ToString()));
                // A dead copy says why the delivery is refused. A project the vault has no secret for may be a forger's
                // invention: the refusal's own error says so.
                if (ex is VaultException { ErrorId: ErrorMapper.SecretReplaced }) _explained = request;
                if (ex is VaultException { CannotReadNow: true }) return null;
                // The vault answered (no secret, or a dead one): the delivery is refused as the error says, not held back.
                heldBack = false;
            }
            reread = true;
            if (known) read.Signer?.Dispose();
            if (signer != null || known || _fromVault.Count < MaxProjectsNotInVault) _fromVault[projectId] = (signer, now);
            foreach (string? warning in new[] { doubted, copyWarning })
            {
                if (warning != null && _said.Add(warning)) Warn(warning);
            }
            return With(signer);
        }

        private IEnumerable<JelouSigner> With(JelouSigner? fromVault) => fromVault is null ? _given : _given.Append(fromVault);

        private protected override void Release()
        {
            foreach (JelouSigner? signer in _given.Concat(_fromVault.Values.Select(read => read.Signer))) signer?.Dispose();
        }
    }
}
