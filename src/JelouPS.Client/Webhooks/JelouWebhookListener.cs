using System;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;

namespace JelouPS.Webhooks
{
    /// <summary>
    /// One request the listener received. A delivery (a POST to the path, of a size an event can have) waits for
    /// <see cref="Answer"/>; anything else was answered already (400, 404, 405, 408, 411, 413) and says why.
    /// </summary>
    public sealed class WebhookRequest
    {
        private readonly HttpListenerContext? _context;
        private readonly RelayedRequest? _relayed;

        internal WebhookRequest(HttpListenerContext? context, RelayedRequest? relayed, string method, string path, string? remote, WebhookDelivery? delivery, int statusCode, string? problem)
        {
            _context = context;
            _relayed = relayed;
            Method = method;
            Path = path;
            Remote = remote;
            Delivery = delivery;
            StatusCode = statusCode;
            Problem = problem;
        }

        public string Method { get; }
        public string Path { get; }

        /// <summary>Who sent it (address and port).</summary>
        public string? Remote { get; }

        /// <summary>The body and headers of a delivery; null for a request that is no delivery.</summary>
        public WebhookDelivery? Delivery { get; }

        /// <summary>What was answered; 0 until a delivery is answered.</summary>
        public int StatusCode { get; private set; }

        /// <summary>Why a request that is no delivery was refused.</summary>
        public string? Problem { get; }

        /// <summary>Answers the delivery as <paramref name="verdict"/> says (200, 401, 400) and ends the exchange.</summary>
        public void Answer(WebhookVerdict verdict)
        {
            if (verdict is null) throw new ArgumentNullException(nameof(verdict));
            if (_context is null || StatusCode != 0) throw new InvalidOperationException("This request was answered already.");
            StatusCode = verdict.StatusCode;
            if (StatusCode == 200) _relayed?.Acknowledge();
            JelouWebhookListener.Respond(_context, _relayed, StatusCode);
        }

        /// <summary>"POST /jelou from 127.0.0.1:50312", or "Connection from 203.0.113.5:50312" for one refused before its request was read; for messages.</summary>
        public override string ToString() => Require.PrintableOnOneLine((Method.Length == 0 ? "Connection" : $"{Method} {Path}") + (Remote is null ? "" : $" from {Remote}"));

        /// <summary>The request as it came through the front; null for one the front refused itself.</summary>
        internal RelayedRequest? Relayed => _relayed;

        // The same refusal, its problem followed by a note.
        internal WebhookRequest Noting(string note) => new WebhookRequest(_context, _relayed, Method, Path, Remote, Delivery, StatusCode, $"{Problem} {note}");

        // The receiver stopped before its event was taken: a delivery not yet answered gets 503, so that a sender may try again.
        internal void Abandon()
        {
            if (_context is null || StatusCode != 0) return;
            StatusCode = 503;
            JelouWebhookListener.Respond(_context, _relayed, StatusCode);
        }
    }

    /// <summary>
    /// A receiver for Jelou's deliveries, on the framework's HttpListener behind a front of its own (see
    /// <see cref="ReceiverFront"/>): one path, on loopback over http (127.0.0.1 and ::1, no administrator rights needed), or
    /// on any address over https with a certificate (plain http is never offered beyond loopback). Each POST to the path is
    /// handed over to be checked (<see cref="WebhookDelivery.Verify"/>) and answered (<see cref="WebhookRequest.Answer"/>);
    /// anything else is answered at once (404, 405, 411, 413; 408 for a body that does not come, 400 for one that cannot be
    /// read) or refused before its request is read (400, 431, a failed handshake, or what .NET's listener refuses itself).
    /// Requests are read concurrently (<see cref="MaxReadsAtOnce"/>). Dispose answers what was not taken (503), stops, and
    /// frees the port.
    /// </summary>
    public sealed class JelouWebhookListener : IDisposable
    {
        /// <summary>Deliveries are small JSON events; a larger body is refused (413) without being read.</summary>
        public const int MaxBodyBytes = 1024 * 1024;

        /// <summary>
        /// How long a request may take to send its body once its headers came: one that stalls is cut off (408) rather
        /// than hold up the deliveries behind it. Also how long a connection may take, from its first byte, to finish its TLS
        /// handshake (over https) and send its request head.
        /// </summary>
        public static readonly TimeSpan BodyTimeout = TimeSpan.FromSeconds(10);

        /// <summary>How many requests are read at once: a slow sender holds up only itself, and a flood stays bounded.</summary>
        public const int MaxReadsAtOnce = 64;

        private HttpListener? _listener;
        private int _port;
        private string _listenerHost = "127.0.0.1";
        private readonly IPAddress? _address;
        private readonly int _publicPort;
        private readonly string _path;
        private readonly TimeSpan _bodyTimeout;

        // Requests read and waiting to be taken, in the order their reading ended; and how many are being read at once.
        private readonly ConcurrentQueue<WebhookRequest> _ready = new ConcurrentQueue<WebhookRequest>();
        private readonly SemaphoreSlim _readyCount = new SemaphoreSlim(0);
        private readonly SemaphoreSlim _reading = new SemaphoreSlim(MaxReadsAtOnce);
        private readonly CancellationTokenSource _stopping = new CancellationTokenSource();
        private readonly ReceiverFront _front;
        private Task? _intake;

        /// <param name="port">1 to 65535.</param>
        /// <param name="path">The path Jelou posts to, such as /jelou.</param>
        public JelouWebhookListener(int port, string path) : this(port, path, null, null) { }

        /// <param name="port">1 to 65535.</param>
        /// <param name="path">The path Jelou posts to, such as /jelou.</param>
        /// <param name="address">Where to listen: both loopbacks (127.0.0.1 and ::1) when null; an address beyond loopback (IPAddress.Any for all) needs a certificate.</param>
        /// <param name="certificate">With its private key: the receiver takes https only, on <paramref name="address"/>.</param>
        /// <exception cref="ArgumentException">A path that is none, an address beyond loopback without a certificate, a broadcast or multicast address, or a certificate without its private key, outside its validity or not for servers (ParamName says which).</exception>
        public JelouWebhookListener(int port, string path, IPAddress? address, X509Certificate2? certificate) : this(port, path, address, certificate, BodyTimeout) { }

        /// <summary>For tests: a shorter wait for a stalled body.</summary>
        internal JelouWebhookListener(int port, string path, IPAddress? address, X509Certificate2? certificate, TimeSpan bodyTimeout)
        {
            _bodyTimeout = bodyTimeout;
            if (port < 1 || port > 65535) throw new ArgumentOutOfRangeException(nameof(port), "The port must be 1 to 65535.");
            _path = NormalisePath(path);
            // ::ffff:127.0.0.1 is 127.0.0.1: listened on, and named, as the IPv4 address it is.
            if (address != null && address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
            bool loopback = address is null || IPAddress.IsLoopback(address);
            if (address != null && (address.IsIPv6Multicast || address.Equals(IPAddress.Broadcast) || (address.AddressFamily == AddressFamily.InterNetwork && (address.GetAddressBytes()[0] & 0xF0) == 0xE0)))
            {
                throw new ArgumentException($"{address} is a broadcast or multicast address, which nothing listens on: give one of this machine's addresses, or 0.0.0.0 for all.", nameof(address));
            }
            string host;
            if (certificate is null)
            {
                if (!loopback) throw new ArgumentException($"Listening on {address} would take deliveries over plain http from the network: give a certificate to take them over https, or listen on loopback behind a TLS proxy of your own.", nameof(address));
                // localhost names both loopbacks, which are both listened on; a loopback address given is listened on alone.
                host = address is null ? "localhost" : address.ToString();
            }
            else
            {
                CheckServerCertificate(certificate);
                // The name a certificate for this machine names: localhost on loopback; any other address is named as given.
                host = address is null || address.Equals(IPAddress.Loopback) || address.Equals(IPAddress.IPv6Loopback) ? "localhost"
                    : address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any) ? Dns.GetHostName()
                    : address.ToString();
            }
            Url = new UriBuilder(certificate is null ? Uri.UriSchemeHttp : Uri.UriSchemeHttps, host, port, _path).Uri;
            _address = address;
            _publicPort = port;
            _front = new ReceiverFront(certificate, bodyTimeout, Refused);
        }

        private const string ServerAuthentication = "1.3.6.1.5.5.7.3.1";

        // Certificates keep local times; shown in UTC and the Gregorian calendar (in th-TH the year read 2568).
        private static string Utc(DateTime local) => local.ToUniversalTime().ToString("u", CultureInfo.InvariantCulture);

        /// <exception cref="ArgumentException">The certificate cannot serve TLS now.</exception>
        private static void CheckServerCertificate(X509Certificate2 certificate)
        {
            DateTime now = DateTime.Now;
            string which = $"The certificate {certificate.Subject} ({certificate.Thumbprint})";
            if (!certificate.HasPrivateKey) throw new ArgumentException($"{which} has no private key, which a server needs for TLS: give one with its key (from a .pfx file, or Cert:\\ on Windows).", nameof(certificate));
            if (now > certificate.NotAfter) throw new ArgumentException($"{which} expired on {Utc(certificate.NotAfter)}: senders refuse it.", nameof(certificate));
            if (now < certificate.NotBefore) throw new ArgumentException($"{which} is valid only from {Utc(certificate.NotBefore)}: senders refuse it until then.", nameof(certificate));
            // A certificate that names its uses must name server authentication, or TLS clients refuse it (RFC 5280 §4.2.1.12).
            foreach (X509Extension extension in certificate.Extensions)
            {
                if (extension is X509EnhancedKeyUsageExtension usage && usage.EnhancedKeyUsages.Count > 0 && usage.EnhancedKeyUsages[ServerAuthentication] is null)
                {
                    throw new ArgumentException($"{which} is not for server authentication (its enhanced key usage leaves out {ServerAuthentication}): senders refuse it.", nameof(certificate));
                }
            }
        }

        /// <summary>A port on loopback nobody listens on now: the listener's own behind the front (and the tests').</summary>
        internal static int FreeLoopbackPort()
        {
            var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            try
            {
                return ((IPEndPoint)probe.LocalEndpoint).Port;
            }
            finally
            {
                probe.Stop();
            }
        }

        // A connection the front refused before the receiver read its request: reported as a request that is no delivery.
        private void Refused(string sender, int status, string problem)
        {
            string answered = status == 0 ? " Nothing could be answered." : $" Answered {status}.";
            Ready(new WebhookRequest(null, null, "", "", sender, null, status, problem + answered));
        }

        /// <summary>How many refused requests may wait to be reported; more are answered as ever, and counted instead.</summary>
        internal const int MaxRefusalsWaiting = 100;

        // Refused requests waiting to be reported, and those left unreported since the queue was full: a flood of them must
        // neither grow the queue without end nor keep the deliveries behind it waiting.
        private int _refusalsWaiting;
        private int _unreported;

        // Hands a request read (or refused) over to be taken; after a stop, a delivery is answered 503 instead.
        private void Ready(WebhookRequest request)
        {
            lock (_ready)
            {
                if (_stopping.IsCancellationRequested)
                {
                    request.Abandon();
                    return;
                }
                if (request.Delivery is null)
                {
                    // The front reports a request it saw .NET's listener answer by itself; the receiver then does not.
                    if (request.Relayed?.ClaimReport() == false) return;
                    if (_refusalsWaiting >= MaxRefusalsWaiting)
                    {
                        _unreported++;
                        return;
                    }
                    _refusalsWaiting++;
                    if (_unreported > 0)
                    {
                        request = request.Noting($"({_unreported} more requests were refused meanwhile, too many to report each.)");
                        _unreported = 0;
                    }
                }
                _ready.Enqueue(request);
            }
            _readyCount.Release();
        }

        /// <summary>Where to send deliveries: http://localhost:port/path, or https://host:port/path with a certificate (host: the address, or the machine's name when listening on all).</summary>
        public Uri Url { get; }

        /// <summary>
        /// Starts listening; throws InvalidOperationException (saying why) when the port cannot be had, and ArgumentException
        /// (ParamName "address") when the address is not this machine's.
        /// </summary>
        public void Start()
        {
            try
            {
                _front.Bind(_address, _publicPort);
            }
            catch (SocketException ex)
            {
                if (ex.SocketErrorCode == SocketError.AddressNotAvailable || ex.SocketErrorCode == SocketError.InvalidArgument)
                {
                    throw new ArgumentException($"Cannot listen on {Url}: this machine has no such address to listen on. Give one of its own, or 0.0.0.0 for all.", "address", ex);
                }
                string why = ex.SocketErrorCode == SocketError.AddressAlreadyInUse ? "the port is in use"
                    : ex.SocketErrorCode == SocketError.AccessDenied ? "access was denied (ports below 1024 need root on Linux and macOS, and on Windows may be reserved)"
                    : ex.Message.TrimEnd('.');
                throw new InvalidOperationException($"Cannot listen on {Url}: {why}. Choose another -Port.", ex);
            }
            try
            {
                StartListener();
            }
            catch (Exception)
            {
                _front.Dispose();
                throw;
            }
            _front.Start(_port, _listenerHost);
            _intake = Task.Run(IntakeAsync);
        }

        /// <summary>How many loopback ports the listener tries before its failure is let through.</summary>
        private const int StartAttempts = 3;

        // The listener takes a loopback port nobody knows, so that no sender reaches it but through the front. It listens on
        // 127.0.0.1, where the front connects: the managed listener (Linux, macOS) binds localhost to whichever address it
        // resolves to first, ::1 on most systems. Windows lets anyone listen on http://localhost (both addresses) but on
        // 127.0.0.1 only from Windows 10 on; refused there, it takes localhost. It can still fail to start: the port was
        // taken between the probe and the bind, or a connection came the moment it bound (.NET's managed listener then
        // fails, dotnet/corefx#35191, and leaves the port held by a socket that only a collection releases). Then another
        // port is tried, after a collection.
        private void StartListener()
        {
            for (int attempt = 1; ; attempt++)
            {
                _port = FreeLoopbackPort();
                _listener = new HttpListener { IgnoreWriteExceptions = true };
                _listener.Prefixes.Add($"http://{_listenerHost}:{_port}/");
                try
                {
                    _listener.Start();
                    return;
                }
                catch (Exception ex) when (ex is ArgumentNullException || ex is HttpListenerException)
                {
                    if (ex is HttpListenerException { ErrorCode: 5 }) _listenerHost = "localhost";
                    try
                    {
                        _listener.Close();
                    }
                    catch (Exception)
                    {
                        // Half started: whatever it holds, the collection below releases.
                    }
                    _listener = null;
                    if (attempt == StartAttempts) throw new InvalidOperationException($"Cannot listen on {Url}: the receiver's own listener on loopback did not start ({ex.Message.TrimEnd('.')}).", ex);
                    GC.Collect();
                    GC.WaitForPendingFinalizers();
                }
            }
        }

        /// <summary>For tests: the port of the HttpListener itself, on loopback behind the front.</summary>
        internal int ListenerPort => _port;

        /// <summary>For tests: how many requests are being read (the intake holds one more place while it waits for the next).</summary>
        internal int BeingRead => Math.Max(0, MaxReadsAtOnce - _reading.CurrentCount - 1);

        /// <summary>For tests: how many refused requests were counted, not queued, since the last report that said so.</summary>
        internal int Unreported
        {
            get
            {
                lock (_ready) return _unreported;
            }
        }

        /// <summary>For tests: how many requests have been read and wait to be taken.</summary>
        internal int Waiting => _readyCount.CurrentCount;

        // Accepts requests as they come and reads each on its own, so that one that is slow to send its body (up to
        // BodyTimeout) does not hold up the deliveries behind it.
        private async Task IntakeAsync()
        {
            while (!_stopping.IsCancellationRequested)
            {
                HttpListenerContext context;
                try
                {
                    await _reading.WaitAsync(_stopping.Token).ConfigureAwait(false);
                    context = await _listener!.GetContextAsync().ConfigureAwait(false);
                }
                catch (Exception) when (_stopping.IsCancellationRequested || !_listener!.IsListening)
                {
                    return;
                }
                catch (HttpListenerException)
                {
                    _reading.Release();
                    continue;
                }
                _ = Task.Run(async () =>
                {
                    try
                    {
                        WebhookRequest? read = await ReadAsync(context, _stopping.Token).ConfigureAwait(false);
                        if (read != null) Ready(read);
                    }
                    catch (Exception) when (_stopping.IsCancellationRequested)
                    {
                        // Stopped while this one was read: nobody takes it.
                    }
                    finally
                    {
                        _reading.Release();
                    }
                });
            }
        }

        /// <summary>Waits for the next request that has been read. Cancelling stops the wait at once.</summary>
        public async Task<WebhookRequest> ReceiveAsync(CancellationToken cancellationToken)
        {
            if (_intake is null) throw new InvalidOperationException("Start the listener first.");
            await _readyCount.WaitAsync(cancellationToken).ConfigureAwait(false);
            WebhookRequest? request;
            lock (_ready)
            {
                _ready.TryDequeue(out request);
                if (request!.Delivery is null) _refusalsWaiting--;
            }
            return request!;
        }

        // The request, read and answered unless it is a delivery; null for one whose connection is gone (the framework
        // answered it itself, which the front reports, or the sender left).
        private async Task<WebhookRequest?> ReadAsync(HttpListenerContext context, CancellationToken cancellationToken)
        {
            HttpListenerRequest request = context.Request;
            string method = request.HttpMethod ?? "";
            string path = request.Url?.AbsolutePath ?? "";
            (bool direct, RelayedRequest? relayed) = Find(context);
            // Its relay is over (the sender left before it was read, or .NET's listener answered it itself, which the front
            // reported), or it never had one (a request to the listener's own port with a made-up relay header). Nothing
            // answers it later: it is answered now, or .NET would answer 200 when the receiver stops.
            if (!direct && relayed is null)
            {
                Respond(context, null, 403);
                return null;
            }
            string remote = relayed?.Sender ?? RemoteOf(request);
            WebhookRequest Refuse(int status, string problem)
            {
                Respond(context, relayed, status);
                return new WebhookRequest(null, relayed, method, path, remote, null, status, $"{problem} Answered {status}.");
            }
            try
            {
                if (direct)
                {
                    return Refuse(403, $"It came to the port of the listener behind the receiver, not to {Url}.");
                }
                // The path as received, slashes at either end aside; anything else is another path.
                if (!string.Equals("/" + path.Trim('/'), _path, StringComparison.Ordinal))
                {
                    return Refuse(404, $"{path} is not the path deliveries are received on ({_path}).");
                }
                // Methods are case-sensitive (RFC 9110 §9.1): "post" is not POST.
                if (!string.Equals(method, "POST", StringComparison.Ordinal))
                {
                    context.Response.AddHeader("Allow", "POST");
                    return Refuse(405, $"{method} is not a delivery: Jelou posts its events.");
                }
                if (request.Headers["Content-Length"] is null && !string.Equals(request.Headers["Transfer-Encoding"], "chunked", StringComparison.OrdinalIgnoreCase))
                {
                    return Refuse(411, "The request gave no Content-Length and is not chunked: its body has no end.");
                }
                byte[]? body;
                using (var reading = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
                {
                    reading.CancelAfter(_bodyTimeout);
                    // Not every request stream heeds a token (.NET Framework's does not): answering ends the exchange and the read.
                    using (reading.Token.Register(() => Respond(context, relayed, cancellationToken.IsCancellationRequested ? 503 : 408)))
                    {
                        try
                        {
                            body = await ReadBodyAsync(request, reading.Token).ConfigureAwait(false);
                        }
                        catch (Exception ex) when (reading.IsCancellationRequested && !cancellationToken.IsCancellationRequested && !(ex is OutOfMemoryException))
                        {
                            return new WebhookRequest(null, relayed, method, path, remote, null, 408, $"The body did not arrive within {Durations.Seconds(_bodyTimeout)} s of the headers. Answered 408.");
                        }
                    }
                }
                if (body is null) return Refuse(413, $"The body is larger than {MaxBodyBytes / 1024} KB: no Jelou event is.");
                return new WebhookRequest(context, relayed, method, path, remote, new WebhookDelivery(body, name => request.Headers[name]), 0, null);
            }
            catch (Exception ex) when (!(ex is OperationCanceledException) || !cancellationToken.IsCancellationRequested)
            {
                // Whatever a sender does to its own request, the receiver goes on to the next one.
                Respond(context, relayed, 400);
                // The managed listener reports a body cut short by the sender's close as a bare status code (400).
                string why = ex is HttpListenerException { ErrorCode: 400 } ? "its body ended before the length it announced (the sender closed the connection)" : ex.Message.TrimEnd('.');
                return new WebhookRequest(null, relayed, method, path, remote, null, 400, $"The request could not be read: {why}. Answered 400.");
            }
        }

        // The request the front passed on, by the relay id it added; Direct when it carries none, so it did not come through
        // the front (a request sent to the listener's own port).
        private (bool Direct, RelayedRequest? Relayed) Find(HttpListenerContext context)
        {
            string? relayId = context.Request.Headers[ReceiverFront.RelayHeader];
            return (relayId is null, _front.Find(relayId));
        }

        private static string RemoteOf(HttpListenerRequest request)
        {
            try
            {
                return request.RemoteEndPoint?.ToString() ?? "an unknown sender";
            }
            catch (Exception)
            {
                // Its connection is gone.
                return "an unknown sender";
            }
        }

        // Answers the request; the front passes the answer on as the receiver's.
        internal static void Respond(HttpListenerContext context, RelayedRequest? relayed, int statusCode)
        {
            relayed?.Answer();
            try
            {
                context.Response.StatusCode = statusCode;
                context.Response.ContentLength64 = 0;
                // Anything but a 200 may leave a body unread: the connection then closes, or the framework would read out
                // the rest (blocking up to 100 ms a chunk) to keep it alive for a sender that may never send it.
                if (statusCode != 200) context.Response.KeepAlive = false;
                context.Response.Close();
            }
            catch (Exception)
            {
                // Answered already (the framework's own 411), or the sender went away: nothing left to tell it.
            }
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
            foreach (char c in trimmed)
            {
                bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~' || c == '/';
                if (!plain) throw new ArgumentException($"'{trimmed}' is not a path a receiver takes: give one such as /jelou (letters, digits, - . _ ~ and /).");
            }
            string normalised = "/" + trimmed.Trim('/');
            foreach (string segment in normalised.Substring(1).Split('/'))
            {
                if (segment.Length == 0 || segment == "." || segment == "..") throw new ArgumentException($"'{trimmed}' is not a path a receiver takes: no empty, '.' or '..' segments; give one such as /jelou.");
            }
            return normalised;
        }

        public void Dispose()
        {
            // Deliveries read but never taken, and those still being read, are answered 503 before the listener closes
            // (closing would answer them as the framework does, 200, which the front turns into 503 too): Jelou, or its
            // retry, learns the receiver stopped.
            _front.StopAccepting();
            lock (_ready)
            {
                _stopping.Cancel();
                while (_ready.TryDequeue(out WebhookRequest? waiting))
                {
                    waiting.Abandon();
                }
            }
            DrainPending();
            try
            {
                // Close alone, which stops too: on Linux and macOS, Close after Stop binds the port again for a moment
                // (the managed listener looks its endpoint up anew to remove it), and can fail if another takes it then.
                _listener?.Close();
            }
            finally
            {
                _front.Dispose();
            }
        }

        /// <summary>How long the listener waits, when it stops, for a request the framework accepted and nobody has taken.</summary>
        private static readonly TimeSpan DrainQuiet = TimeSpan.FromMilliseconds(100);

        /// <summary>How long it goes on answering them at most: a flood must not keep a stopped receiver from stopping.</summary>
        private static readonly TimeSpan DrainLimit = TimeSpan.FromSeconds(1);

        // The framework holds requests it accepted that nobody has taken yet; closing would answer them as it does, 200, for
        // events nobody emitted. They are taken and answered 503 until none comes for a moment (or DrainLimit has passed).
        private void DrainPending()
        {
            if (_listener is null || !_listener.IsListening) return;
            var draining = Stopwatch.StartNew();
            while (draining.Elapsed < DrainLimit)
            {
                Task<HttpListenerContext> next;
                try
                {
                    next = _listener.GetContextAsync();
                    if (!next.Wait(DrainQuiet))
                    {
                        _ = next.ContinueWith(t => t.Exception, TaskScheduler.Default);
                        return;
                    }
                }
                catch (Exception)
                {
                    return;
                }
                Respond(next.Result, Find(next.Result).Relayed, 503);
            }
        }
    }
}
