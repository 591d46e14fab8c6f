using System;
using System.Collections.Generic;
using System.IO;
using System.Net;
using System.Threading;
using System.Threading.Tasks;

namespace JelouPS.Webhooks
{
    /// <summary>What became of one request the listener answered.</summary>
    public sealed class WebhookReceipt
    {
        internal WebhookReceipt(string method, string path, string? remote, int statusCode, WebhookVerdict? verdict, string? problem)
        {
            Method = method;
            Path = path;
            Remote = remote;
            StatusCode = statusCode;
            Verdict = verdict;
            Problem = problem;
        }

        public string Method { get; }
        public string Path { get; }

        /// <summary>Who sent it (address and port).</summary>
        public string? Remote { get; }

        /// <summary>What the listener answered.</summary>
        public int StatusCode { get; }

        /// <summary>The check of a delivery; null when the request was no delivery (another method or path, too large).</summary>
        public WebhookVerdict? Verdict { get; }

        /// <summary>Why a request that was no delivery was refused.</summary>
        public string? Problem { get; }

        /// <summary>"POST /jelou from 127.0.0.1:50312", for messages.</summary>
        public override string ToString() => $"{Method} {Path}" + (Remote is null ? "" : $" from {Remote}");
    }

    /// <summary>
    /// A local receiver for Jelou's deliveries, on the framework's HttpListener: one path on loopback (no administrator
    /// rights are needed for http://localhost with a port above 1024 on Windows). Each POST to the path is checked as
    /// <see cref="WebhookDelivery"/> says and answered at once (200, 401 or 400); anything else is answered 404, 405 or
    /// 413. Dispose stops it and frees the port.
    /// </summary>
    public sealed class JelouWebhookListener : IDisposable
    {
        /// <summary>Deliveries are small JSON events; a larger body is refused (413) without being read.</summary>
        public const int MaxBodyBytes = 1024 * 1024;

        private readonly HttpListener _listener = new HttpListener();
        private readonly IReadOnlyList<JelouSigner> _signers;
        private readonly WebhookCredential? _credential;
        private readonly string _path;

        /// <param name="port">1 to 65535.</param>
        /// <param name="path">The path Jelou posts to, such as /jelou.</param>
        /// <param name="signers">The secrets a delivery may be signed with (several projects, or old and new during a rotation).</param>
        /// <param name="credential">What each delivery must present; null for none.</param>
        public JelouWebhookListener(int port, string path, IReadOnlyList<JelouSigner> signers, WebhookCredential? credential)
        {
            if (port < 1 || port > 65535) throw new ArgumentOutOfRangeException(nameof(port), "The port must be 1 to 65535.");
            _signers = signers ?? throw new ArgumentNullException(nameof(signers));
            if (signers.Count == 0) throw new ArgumentException("At least one signing secret is needed to verify deliveries.", nameof(signers));
            _credential = credential;
            _path = NormalisePath(path);
            Url = new Uri($"http://localhost:{port}{_path}");
            _listener.Prefixes.Add($"http://localhost:{port}{_path.TrimEnd('/')}/");
            _listener.IgnoreWriteExceptions = true;
        }

        /// <summary>Where to send deliveries: http://localhost:port/path.</summary>
        public Uri Url { get; }

        /// <summary>Starts listening; throws InvalidOperationException (saying why) when the port cannot be had.</summary>
        public void Start()
        {
            try
            {
                _listener.Start();
            }
            catch (HttpListenerException ex)
            {
                string why = ex.ErrorCode == 5
                    ? "access was denied (on Windows, listening on anything but http://localhost with a port above 1024 needs an administrator or a URL reservation)"
                    : ex.Message.TrimEnd('.');
                throw new InvalidOperationException($"Cannot listen on {Url}: {why}. Choose another -Port.", ex);
            }
        }

        /// <summary>Waits for the next request, checks and answers it, and says what became of it. Cancelling stops the wait at once.</summary>
        public async Task<WebhookReceipt> ReceiveAsync(CancellationToken cancellationToken)
        {
            Task<HttpListenerContext> next = _listener.GetContextAsync();
            var cancelled = new TaskCompletionSource<bool>();
            using (cancellationToken.Register(() => cancelled.TrySetResult(true)))
            {
                if (await Task.WhenAny(next, cancelled.Task).ConfigureAwait(false) != next)
                {
                    // The wait ends with the listener: its pending GetContext fails, which nobody observes.
                    _ = next.ContinueWith(t => t.Exception, TaskScheduler.Default);
                    throw new OperationCanceledException(cancellationToken);
                }
            }
            HttpListenerContext context = await next.ConfigureAwait(false);
            HttpListenerRequest request = context.Request;
            string method = request.HttpMethod;
            string path = request.Url?.AbsolutePath ?? "";
            string? remote = request.RemoteEndPoint?.ToString();
            try
            {
                if (!string.Equals(NormalisePath(path), _path, StringComparison.Ordinal))
                {
                    return Answer(context, new WebhookReceipt(method, path, remote, 404, null, $"{path} is not the path deliveries are received on ({_path})."));
                }
                if (!string.Equals(method, "POST", StringComparison.OrdinalIgnoreCase))
                {
                    context.Response.AddHeader("Allow", "POST");
                    return Answer(context, new WebhookReceipt(method, path, remote, 405, null, $"{method} is not a delivery: Jelou posts its events."));
                }
                byte[]? body = await ReadBodyAsync(request, cancellationToken).ConfigureAwait(false);
                if (body is null)
                {
                    return Answer(context, new WebhookReceipt(method, path, remote, 413, null, $"The body is larger than {MaxBodyBytes / 1024} KB: no Jelou event is."));
                }
                var delivery = new WebhookDelivery(body, name => request.Headers[name]);
                WebhookVerdict verdict = delivery.Verify(_signers, _credential);
                return Answer(context, new WebhookReceipt(method, path, remote, verdict.StatusCode, verdict, null));
            }
            catch (Exception ex) when (ex is IOException || ex is HttpListenerException)
            {
                context.Response.Abort();
                return new WebhookReceipt(method, path, remote, 0, null, $"The connection broke before the request was read ({ex.Message.TrimEnd('.')}).");
            }
        }

        private static WebhookReceipt Answer(HttpListenerContext context, WebhookReceipt receipt)
        {
            context.Response.StatusCode = receipt.StatusCode;
            context.Response.ContentLength64 = 0;
            context.Response.Close();
            return receipt;
        }

        // The body, or null when it is larger than MaxBodyBytes.
        private static async Task<byte[]?> ReadBodyAsync(HttpListenerRequest request, CancellationToken cancellationToken)
        {
            if (request.ContentLength64 > MaxBodyBytes) return null;
            using var buffer = new MemoryStream();
            var chunk = new byte[16 * 1024];
            int read;
            while ((read = await request.InputStream.ReadAsync(chunk, 0, chunk.Length, cancellationToken).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + read > MaxBodyBytes) return null;
                buffer.Write(chunk, 0, read);
            }
            return buffer.ToArray();
        }

        private static string NormalisePath(string? path)
        {
            string trimmed = (path ?? "").Trim();
            if (trimmed.Length == 0 || trimmed == "/") return "/";
            if (trimmed.IndexOfAny(new[] { '?', '#', '*', ' ' }) >= 0) throw new ArgumentException($"'{trimmed}' is not a path: give one such as /jelou.", nameof(path));
            return "/" + trimmed.Trim('/');
        }

        public void Dispose()
        {
            try
            {
                if (_listener.IsListening) _listener.Stop();
            }
            finally
            {
                _listener.Close();
            }
        }
    }
}
