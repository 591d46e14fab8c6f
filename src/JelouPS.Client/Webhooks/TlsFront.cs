using System;
using System.Collections.Concurrent;
using System.IO;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace JelouPS.Webhooks
{
    /// <summary>
    /// HTTPS on any address, in front of the listener on loopback, with the framework's own pieces: a TcpListener accepts,
    /// an SslStream decrypts with the given certificate, and each connection's request goes on to the listener. The
    /// framework's HttpListener has no TLS on Linux and macOS, and on Windows binds anything but localhost (or a certificate)
    /// only for an administrator; a socket needs neither.
    /// Only the request head is touched: its Host names the loopback listener (HttpListener matches requests by Host), and
    /// Connection: close makes each connection carry one request, so that no later request on it passes unrewritten.
    /// </summary>
    internal sealed class TlsFront : IDisposable
    {
        /// <summary>A request head larger than this is refused (431); Jelou's are well under 2 KB.</summary>
        internal const int MaxHeadBytes = 32 * 1024;

        /// <summary>
        /// How many connections are open at once; more wait to be accepted. Generous, since a connection costs no thread: one
        /// that holds a connection open without sending (up to the head timeout) must not hold up Jelou's deliveries.
        /// </summary>
        internal const int MaxConnections = 1024;

        private const byte TlsHandshakeRecord = 0x16;

        // ISO-8859-1 maps each byte to one char and back, so the head's bytes pass through exactly as they came.
        private static readonly Encoding Bytes = Encoding.GetEncoding(28591);

        private readonly TcpListener _tcp;
        private readonly X509Certificate2 _certificate;
        private readonly int _innerPort;
        private readonly TimeSpan _headTimeout;
        private readonly Action<string, int, string> _refused;
        private readonly CancellationTokenSource _stopping = new CancellationTokenSource();
        private readonly SemaphoreSlim _connections = new SemaphoreSlim(MaxConnections);

        // The relays running, and who each one's connection to the listener is really from (its local end is the key).
        private readonly ConcurrentDictionary<Task, TcpClient> _relays = new ConcurrentDictionary<Task, TcpClient>();
        private readonly ConcurrentDictionary<string, string> _senders = new ConcurrentDictionary<string, string>(StringComparer.Ordinal);

        /// <param name="address">Where to take connections (IPAddress.IPv6Any takes IPv4 too).</param>
        /// <param name="port">The port senders connect to.</param>
        /// <param name="certificate">The server certificate, with its private key.</param>
        /// <param name="innerPort">The listener's port on loopback.</param>
        /// <param name="headTimeout">How long a connection may take, once it sent its first byte, to finish its handshake and send its request head.</param>
        /// <param name="refused">Told of each connection refused before reaching the listener: who from, the status answered (0 when none could be), and why.</param>
        internal TlsFront(IPAddress address, int port, X509Certificate2 certificate, int innerPort, TimeSpan headTimeout, Action<string, int, string> refused)
        {
            _tcp = new TcpListener(address, port);
            if (address.Equals(IPAddress.IPv6Any)) _tcp.Server.DualMode = true;
            _certificate = certificate;
            _innerPort = innerPort;
            _headTimeout = headTimeout;
            _refused = refused;
        }

        internal void Start()
        {
            _tcp.Start();
            _ = Task.Run(AcceptAsync);
        }

        /// <summary>Who a request the listener received through this front came from; null for one that did not come through it.</summary>
        internal string? SenderOf(IPEndPoint? listenerSide) =>
            listenerSide != null && _senders.TryGetValue(listenerSide.ToString(), out string? sender) ? sender : null;

        private async Task AcceptAsync()
        {
            while (!_stopping.IsCancellationRequested)
            {
                TcpClient outer;
                try
                {
                    await _connections.WaitAsync(_stopping.Token).ConfigureAwait(false);
                    outer = await _tcp.AcceptTcpClientAsync().ConfigureAwait(false);
                }
                catch (Exception) when (_stopping.IsCancellationRequested)
                {
                    return;
                }
                catch (SocketException)
                {
                    _connections.Release();
                    continue;
                }
                Task relay = Task.Run(() => RelayAsync(outer));
                _relays[relay] = outer;
                _ = relay.ContinueWith(done =>
                {
                    _relays.TryRemove(done, out _);
                    _connections.Release();
                }, TaskScheduler.Default);
            }
        }

        private async Task RelayAsync(TcpClient outer)
        {
            string sender = Describe(outer.Client.RemoteEndPoint as IPEndPoint);
            try
            {
                using (outer)
                using (var ssl = new SslStream(outer.GetStream(), leaveInnerStreamOpen: false))
                {
                    RequestHead? head;
                    using (CutOffLate(outer))
                    {
                        if (!await IsTlsAsync(outer, sender).ConfigureAwait(false)) return;
                    }
                    using (CancellationTokenSource late = CutOffLate(outer))
                    {
                        try
                        {
                            await ssl.AuthenticateAsServerAsync(_certificate, clientCertificateRequired: false, SslProtocols.None, checkCertificateRevocation: false).ConfigureAwait(false);
                            head = await RequestHead.ReadAsync(ssl).ConfigureAwait(false);
                        }
                        catch (Exception) when (late.IsCancellationRequested && !_stopping.IsCancellationRequested)
                        {
                            _refused(sender, 0, $"It did not finish its TLS handshake and request head within {_headTimeout.TotalSeconds:0.#} s of its first byte.");
                            return;
                        }
                        catch (Exception ex) when (!ssl.IsAuthenticated && !_stopping.IsCancellationRequested)
                        {
                            // Only the receiver can tell its user why a sender could not connect: which end gave up, and why.
                            _refused(sender, 0, $"Its TLS handshake failed: {(ex.InnerException ?? ex).Message.TrimEnd('.')}. A sender that does not trust the certificate for the host name it connects to, or speaks no TLS version this machine offers, ends it so; so does one that gave up waiting.");
                            return;
                        }
                    }
                    if (head is null)
                    {
                        // A sender that does not trust the certificate may finish the handshake first (.NET on Linux does).
                        _refused(sender, 0, "It closed after the TLS handshake without sending a request: most often, the sender does not trust the certificate for the host name it connects to.");
                        return;
                    }
                    byte[]? forwarded = head.Complete ? Rewrite(head.Buffer, head.Length, _innerPort) : null;
                    if (forwarded is null)
                    {
                        int status = head.Complete ? 400 : 431;
                        await AnswerAsync(ssl, status).ConfigureAwait(false);
                        _refused(sender, status, head.Complete
                            ? "Its request head is not one of an HTTP/1.1 request (one Host, no folded lines or bare line ends)."
                            : $"Its request head is larger than {MaxHeadBytes / 1024} KB.");
                        return;
                    }
                    await ForwardAsync(ssl, sender, forwarded, head).ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (!(ex is OutOfMemoryException))
            {
                // The sender went away or stalled: its connection ends and the front goes on.
            }
        }

        // Closes the connection once the head timeout passes, unless disposed first: neither a read nor the handshake heeds a
        // token everywhere, and closing ends both.
        private CancellationTokenSource CutOffLate(TcpClient outer)
        {
            var late = new CancellationTokenSource(_headTimeout);
            late.Token.Register(outer.Close);
            return late;
        }

        // Whether the connection starts a TLS handshake. One that closes without a byte (a port check) is let go quietly;
        // plain http is answered 400 in plain http, saying why, since that is what a webhook URL with http:// sends.
        private async Task<bool> IsTlsAsync(TcpClient outer, string sender)
        {
            var first = new byte[1];
            int peeked = await outer.Client.ReceiveAsync(new ArraySegment<byte>(first), SocketFlags.Peek).ConfigureAwait(false);
            if (peeked == 0) return false;
            if (first[0] == TlsHandshakeRecord) return true;
            await AnswerAsync(outer.GetStream(), 400).ConfigureAwait(false);
            _refused(sender, 400, "It came as plain http to a receiver that takes https only: the webhook URL must start with https://.");
            return false;
        }

        private async Task ForwardAsync(SslStream ssl, string sender, byte[] forwarded, RequestHead head)
        {
            using var inner = new TcpClient(AddressFamily.InterNetwork);
            await inner.ConnectAsync(IPAddress.Loopback, _innerPort).ConfigureAwait(false);
            string listenerSide = inner.Client.LocalEndPoint!.ToString();
            _senders[listenerSide] = sender;
            try
            {
                NetworkStream toListener = inner.GetStream();
                await toListener.WriteAsync(forwarded, 0, forwarded.Length).ConfigureAwait(false);
                await toListener.WriteAsync(head.Buffer, head.Length, head.Received - head.Length).ConfigureAwait(false);
                // The rest of the body goes on as it comes; the answer comes back until the listener closes (Connection: close).
                Task up = ForwardBodyAsync(ssl, toListener, inner.Client);
                try
                {
                    await toListener.CopyToAsync(ssl).ConfigureAwait(false);
                }
                finally
                {
                    // Whichever way it ends (a sender that resets mid-body), its failure is seen here, not left unobserved.
                    _ = up.ContinueWith(t => t.Exception, TaskScheduler.Default);
                }
            }
            finally
            {
                _senders.TryRemove(listenerSide, out _);
            }
        }

        // "203.0.113.5:50312"; an IPv4 sender on a dual-mode socket (::) is named by its IPv4 address too.
        private static string Describe(IPEndPoint? endPoint) =>
            endPoint is null ? "an unknown sender"
            : endPoint.Address.IsIPv4MappedToIPv6 ? new IPEndPoint(endPoint.Address.MapToIPv4(), endPoint.Port).ToString()
            : endPoint.ToString();

        private static async Task ForwardBodyAsync(Stream from, NetworkStream to, Socket toSocket)
        {
            try
            {
                await from.CopyToAsync(to).ConfigureAwait(false);
            }
            catch (Exception)
            {
                // The sender broke off (a reset): the listener learns it at once, not after waiting out the body.
                toSocket.Close();
                throw;
            }
            toSocket.Shutdown(SocketShutdown.Send);
        }

        private static Task AnswerAsync(Stream stream, int status)
        {
            string reason = status == 431 ? "Request Header Fields Too Large" : "Bad Request";
            byte[] answer = Bytes.GetBytes($"HTTP/1.1 {status} {reason}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
            return stream.WriteAsync(answer, 0, answer.Length);
        }

        /// <summary>
        /// The request head (<paramref name="length"/> bytes, its empty line included) with Host naming the listener on
        /// loopback and Connection: close, and an absolute-form target reduced to its path; null when it is not the head of
        /// an HTTP/1.x request, or has a line folded, a bare CR or LF, a header name with spaces, more than one Host, or none
        /// in HTTP/1.1 (RFC 9112 §2.2, §3.2, §5.1: a server refuses those).
        /// </summary>
        internal static byte[]? Rewrite(byte[] head, int length, int innerPort)
        {
            string[] lines = Bytes.GetString(head, 0, length - 4).Split(new[] { "\r\n" }, StringSplitOptions.None);
            string[] requestLine = lines[0].Split(' ');
            if (requestLine.Length != 3 || !requestLine[2].StartsWith("HTTP/1.", StringComparison.Ordinal)) return null;
            // RFC 9112 §3.2.2: a server takes the absolute form too; the listener is given its path and query.
            if (!requestLine[1].StartsWith("/", StringComparison.Ordinal))
            {
                if (!Uri.TryCreate(requestLine[1], UriKind.Absolute, out Uri? target) || (target.Scheme != Uri.UriSchemeHttps && target.Scheme != Uri.UriSchemeHttp)) return null;
                lines[0] = $"{requestLine[0]} {target.PathAndQuery} {requestLine[2]}";
            }
            var rewritten = new StringBuilder(length + 64);
            int hosts = 0;
            foreach (string line in lines)
            {
                if (line.IndexOf('\r') >= 0 || line.IndexOf('\n') >= 0) return null;
                if (rewritten.Length > 0)
                {
                    int colon = line.IndexOf(':');
                    if (colon <= 0 || line.IndexOfAny(new[] { ' ', '\t' }, 0, colon) >= 0) return null;
                    string name = line.Substring(0, colon);
                    bool host = name.Equals("Host", StringComparison.OrdinalIgnoreCase);
                    // RFC 9112 §3.2: a request with more than one Host is refused.
                    if (host && ++hosts > 1) return null;
                    if (host || name.Equals("Connection", StringComparison.OrdinalIgnoreCase)) continue;
                }
                rewritten.Append(line).Append("\r\n");
            }
            // RFC 9112 §3.2: an HTTP/1.1 request without Host is refused.
            if (hosts == 0 && requestLine[2] == "HTTP/1.1") return null;
            rewritten.Append("Host: localhost:").Append(innerPort).Append("\r\nConnection: close\r\n\r\n");
            return Bytes.GetBytes(rewritten.ToString());
        }

        /// <summary>Stops taking connections; those being relayed go on (the listener answers them as it stops).</summary>
        internal void StopAccepting()
        {
            _stopping.Cancel();
            _tcp.Stop();
        }

        /// <summary>How long stopping waits for the relays to pass on the listener's last answers.</summary>
        private static readonly TimeSpan RelayQuiet = TimeSpan.FromSeconds(1);

        public void Dispose()
        {
            StopAccepting();
            Task.WhenAll(_relays.Keys).ContinueWith(t => t.Exception, TaskScheduler.Default).Wait(RelayQuiet);
            foreach (TcpClient outer in _relays.Values) outer.Close();
        }

        /// <summary>A request head as read: the bytes received, and where the head ends (after its empty line).</summary>
        private sealed class RequestHead
        {
            private RequestHead(byte[] buffer, int length, int received, bool complete)
            {
                Buffer = buffer;
                Length = length;
                Received = received;
                Complete = complete;
            }

            internal byte[] Buffer { get; }

            /// <summary>The head's length, its empty line included; the buffer's length when it did not end within it.</summary>
            internal int Length { get; }

            internal int Received { get; }

            /// <summary>Whether the head ended within <see cref="MaxHeadBytes"/>.</summary>
            internal bool Complete { get; }

            // The head; null when the connection ended before sending a byte. One that ends within its head fails (IOException).
            // The buffer grows as the head does, so that idle connections cost little.
            internal static async Task<RequestHead?> ReadAsync(Stream stream)
            {
                var buffer = new byte[4096];
                int received = 0;
                while (received < MaxHeadBytes)
                {
                    if (received == buffer.Length) Array.Resize(ref buffer, Math.Min(buffer.Length * 2, MaxHeadBytes));
                    int read = await stream.ReadAsync(buffer, received, buffer.Length - received).ConfigureAwait(false);
                    if (read == 0) return received == 0 ? null : throw new IOException("The connection ended within the request head.");
                    int from = Math.Max(0, received - 3);
                    received += read;
                    for (int i = from; i + 3 < received; i++)
                    {
                        if (buffer[i] == '\r' && buffer[i + 1] == '\n' && buffer[i + 2] == '\r' && buffer[i + 3] == '\n') return new RequestHead(buffer, i + 4, received, complete: true);
                    }
                }
                return new RequestHead(buffer, buffer.Length, received, complete: false);
            }
        }
    }
}
