using System;
using System.Diagnostics;
using System.Linq;
using System.Management.Automation;
using System.Security;
using System.Threading;
using JelouPS.Infrastructure;
using JelouPS.Webhooks;

namespace JelouPS.Commands
{
    /// <summary>
    /// Receive-JelouWebhookEvent: a local receiver for development and small on-premises use. Listens on loopback, checks
    /// and answers each delivery as Jelou expects (200, 401, 400), and writes each accepted event to the pipeline as it
    /// arrives; a refused request is a non-terminating error. Ctrl+C stops it at once and frees the port.
    /// </summary>
    [Cmdlet(VerbsCommunications.Receive, "JelouWebhookEvent")]
    [OutputType(typeof(JelouWebhookEvent), typeof(JelouMessageEvent), typeof(JelouConversationStartEvent), typeof(JelouConversationCloseEvent))]
    public sealed class ReceiveJelouWebhookEventCommand : WebhookReceiverCmdletBase, IDisposable
    {
        private readonly CancellationTokenSource _stop = new CancellationTokenSource();
        private JelouSigner[] _signers = Array.Empty<JelouSigner>();

        /// <summary>The local port to listen on (http://localhost:Port/Path).</summary>
        [Parameter(Mandatory = true, Position = 0)]
        [ValidateRange(1, 65535)]
        public int Port { get; set; }

        /// <summary>The path Jelou posts to (the path of the webhook URL registered); "/" by default.</summary>
        [Parameter]
        [Trimmed]
        [ValidateNotNullOrEmpty]
        public string Path { get; set; } = "/";

        /// <summary>The signing secrets a delivery may be signed with: several projects, or the old and the new one during a rotation.</summary>
        [Parameter(Mandatory = true)]
        [ValidateNotNullOrEmpty]
        [SecureStringTransformation(Several = true)]
        public SecureString[] SigningSecret { get; set; } = null!;

        /// <summary>Stop after this many accepted events.</summary>
        [Parameter]
        [ValidateRange(1, int.MaxValue)]
        public int Count { get; set; }

        /// <summary>Stop listening after this many seconds, whatever has arrived.</summary>
        [Parameter]
        [ValidateRange(1, 604800)]
        public int TimeoutSec { get; set; }

        protected override void StopProcessing() => _stop.Cancel();

        protected override void ProcessRecord()
        {
            _signers = SigningSecret.Select(secret => new JelouSigner(secret)).ToArray();
            JelouWebhookListener listener;
            try
            {
                listener = new JelouWebhookListener(Port, Path, _signers, Credential);
                listener.Start();
            }
            catch (Exception ex) when (ex is ArgumentException || ex is InvalidOperationException)
            {
                // A path that is no path, or a port in use or refused: either way, another argument is the way out.
                ThrowTerminatingError(ErrorMapper.InvalidArgument(ex.Message, Port));
                return;
            }
            using (listener)
            {
                WriteVerbose($"Listening on {listener.Url} for deliveries" + (Count > 0 ? $", until {Count} are accepted" : "") + (TimeoutSec > 0 ? $", for {TimeoutSec} s" : "") + ". Ctrl+C stops.");
                var clock = Stopwatch.StartNew();
                for (int accepted = 0; Count == 0 || accepted < Count;)
                {
                    WebhookReceipt receipt;
                    using (var wait = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token))
                    {
                        if (TimeoutSec > 0)
                        {
                            TimeSpan left = TimeSpan.FromSeconds(TimeoutSec) - clock.Elapsed;
                            if (left <= TimeSpan.Zero) break;
                            wait.CancelAfter(left);
                        }
                        try
                        {
                            receipt = listener.ReceiveAsync(wait.Token).GetAwaiter().GetResult();
                        }
                        catch (OperationCanceledException)
                        {
                            if (_stop.IsCancellationRequested) throw new PipelineStoppedException();
                            WriteVerbose($"Stopped listening after {TimeoutSec} s.");
                            break;
                        }
                    }
                    WriteVerbose($"{receipt}: answered {receipt.StatusCode}.");
                    if (receipt.Verdict?.Event is JelouWebhookEvent webhookEvent)
                    {
                        accepted++;
                        WriteObject(webhookEvent);
                    }
                    else if (receipt.Verdict != null)
                    {
                        WriteError(ErrorMapper.Rejected(receipt.Verdict, receipt.ToString()));
                    }
                    else
                    {
                        WriteError(ErrorMapper.Create(ErrorMapper.InvalidWebhookEvent, new FormatException($"{receipt.Problem} Answered {receipt.StatusCode}."), receipt.ToString(), advice: $"Send deliveries as POST to {listener.Url}."));
                    }
                }
            }
        }

        public void Dispose()
        {
            foreach (JelouSigner signer in _signers) signer.Dispose();
            _stop.Dispose();
            GC.SuppressFinalize(this);
        }
    }
}
