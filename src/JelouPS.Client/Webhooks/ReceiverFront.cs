using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
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
    /// What senders connect to, in front of the listener on a loopback port of its own, with the framework's own pieces: a
    /// TcpListener accepts, an SslStream decrypts when there is a certificate, and each connection's request goes on to the
    /// listener. The framework's HttpListener has no TLS on Linux and macOS, on Windows binds anything but localhost (or a
    /// certificate) only for an administrator, and on Linux and macOS answers 200 itself to requests it holds when it
    /// closes; a socket in front needs no rights, and passes on only the answers the receiver gave.
    /// Only the request head is touched: its Host names the loopback listener (HttpListener matches requests by Host), a
    /// relay id (<see cref="RelayHeader"/>) ties it to its sender, Expect: 100-continue is answered here, and Connection:
    /// close makes each connection carry one request, so that no later request on it passes unrewritten.
    /// </summary>
    internal sealed class ReceiverFront : IDisposable
    {
        /// <summary>
        /// A request head larger than this is refused (431); Jelou's are well under 2 KB. As large as http.sys (the listener
        /// on Windows) takes, so that a head is refused the same way everywhere.
        /// </summary>
        internal const int MaxHeadBytes = 16 * 1024;

        /// <summary>
        /// The header that names the relay a request came through, added to each request passed on (and taken out of what
        /// senders send): the listener finds the request's relay by it, and a request without one did not come through here.
        /// </summary>
        internal const string RelayHeader = "X-JelouPS-Relay";

        /// <summary>
        /// How many connections are open at once; more wait to be accepted. Generous, since a connection costs no thread: one
        /// that holds a connection open without sending (up to the head timeout) must not hold up Jelou's deliveries.
        /// </summary>
        internal const int MaxConnections = 1024;

        // TLS records begin with their type: change_cipher_spec, alert, handshake or application data (RFC 8446 §5.1). A
        // client opens with a handshake, or, having nothing it can offer, an alert.
        private const byte FirstTlsRecordType = 0x14;
        private const byte LastTlsRecordType = 0x17;

        private static readonly byte[] Continue = Encoding.ASCII.GetBytes("HTTP/1.1 100 Continue\r\n\r\n");

        // The headers a request may carry once only, and those the front sets itself in place of the sender's.
        private static readonly HashSet<string> OnceOnly = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "Host", JelouSignature.HeaderName, WebhookCredential.AuthorizationHeader, WebhookCredential.ApiKeyHeader };
        private static readonly HashSet<string> Replaced = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "Host", "Connection", RelayHeader };

        private static readonly char[] Blanks = { ' ', '\t' };

        // ISO-8859-1 maps each byte to one char and back, so the head's bytes pass through exactly as they came.
        private static readonly Encoding Bytes = Encoding.GetEncoding(28591);

        private readonly List<TcpListener> _tcp = new List<TcpListener>();
        private readonly X509Certificate2? _certificate;
        private readonly TimeSpan _headTimeout;
        private readonly Action<string, int, string> _refused;
        private readonly CancellationTokenSource _stopping = new CancellationTokenSource();
        private readonly SemaphoreSlim _connections = new SemaphoreSlim(MaxConnections);
        private int _innerPort;
        private string _innerHost = "";

        // The relays running, and the request each one passes on, by the id its head carries (RelayHeader).
        private readonly ConcurrentDictionary<Task, TcpClient> _relays = new ConcurrentDictionary<Task, TcpClient>();
        private readonly ConcurrentDictionary<string, RelayedRequest> _relayed = new ConcurrentDictionary<string, RelayedRequest>(StringComparer.Ordinal);

        /// <param name="certificate">The server certificate, with its private key: https only; null for plain http only.</param>
        /// <param name="headTimeout">How long a connection may take, once it sent its first byte, to finish its handshake and send its request head.</param>
        /// <param name="refused">Told of each connection refused before the receiver could read its request: who from, the status answered (0 when none could be), and why.</param>
        internal ReceiverFront(X509Certificate2? certificate, TimeSpan headTimeout, Action<string, int, string> refused)
        {
            _certificate = certificate;
            _headTimeout = headTimeout;
            _refused = refused;
        }

        /// <summary>
        /// Takes connections on the port, on the address (IPAddress.IPv6Any takes IPv4 too), or when none is given on both
        /// loopbacks, 127.0.0.1 and ::1 (where the machine has it), since a client resolving localhost may try either first.
        /// Connections wait until <see cref="Start"/>.
        /// </summary>
        /// <exception cref="SocketException">The port or the address cannot be had.</exception>
        internal void Bind(IPAddress? address, int port)
        {
            try
            {
                Listen(address ?? IPAddress.Loopback, port);
                if (address is null)
                {
                    try
                    {
                        Listen(IPAddress.IPv6Loopback, port);
                    }
                    catch (SocketException ex) when (ex.SocketErrorCode == SocketError.AddressNotAvailable || ex.SocketErrorCode == SocketError.AddressFamilyNotSupported)
                    {
                        // IPv6 is off on this machine: localhost is 127.0.0.1 alone.
                    }
                }
            }
            catch (SocketException)
            {
                StopAccepting();
                throw;
            }
        }

        private void Listen(IPAddress address, int port)
        {
            var tcp = new TcpListener(address, port);
            if (address.Equals(IPAddress.IPv6Any)) tcp.Server.DualMode = true;
            _tcp.Add(tcp);
            tcp.Start();
        }

        /// <summary>Starts passing connections on to the listener on 127.0.0.1:<paramref name="innerPort"/>, named <paramref name="innerHost"/> in Host.</summary>
        internal void Start(int innerPort, string innerHost)
        {
            _innerPort = innerPort;
            _innerHost = $"{innerHost}:{innerPort}";
            foreach (TcpListener tcp in _tcp) _ = Task.Run(() => AcceptAsync(tcp));
        }

        /// <summary>The request passed on with that <see cref="RelayHeader"/>; null when there is none (any more: its relay is over).</summary>
        internal RelayedRequest? Find(string? relayId) =>
            relayId != null && _relayed.TryGetValue(relayId, out RelayedRequest? relayed) ? relayed : null;

        private async Task AcceptAsync(TcpListener tcp)
        {
            while (!_stopping.IsCancellationRequested)
            {
                TcpClient outer;
                try
                {
                    await _connections.WaitAsync(_stopping.Token).ConfigureAwait(false);
                    outer = await tcp.AcceptTcpClientAsync().ConfigureAwait(false);
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
            try
            {
                using (outer)
                using (var ssl = _certificate is null ? null : new SslStream(outer.GetStream(), leaveInnerStreamOpen: false))
                {
                    string sender = Describe(outer.Client.RemoteEndPoint as IPEndPoint);
                    Stream client = (Stream?)ssl ?? outer.GetStream();
                    RequestHead? head;
                    using (CutOffLate(outer))
                    {
                        if (!await IsExpectedAsync(outer, sender).ConfigureAwait(false)) return;
                    }
                    using (CancellationTokenSource late = CutOffLate(outer))
                    {
                        try
                        {
                            if (ssl != null) await ssl.AuthenticateAsServerAsync(_certificate!, clientCertificateRequired: false, SslProtocols.None, checkCertificateRevocation: false).ConfigureAwait(false);
                            head = await RequestHead.ReadAsync(client).ConfigureAwait(false);
                        }
                        catch (Exception) when (late.IsCancellationRequested && !_stopping.IsCancellationRequested)
                        {
                            string what = ssl is null ? "send its request head" : "finish its TLS handshake and request head";
                            _refused(sender, 0, $"It did not {what} within {Durations.Seconds(_headTimeout)} s of its first byte.");
                            return;
                        }
                        catch (Exception ex) when (ssl != null && !ssl.IsAuthenticated && !_stopping.IsCancellationRequested)
                        {
                            // Only the receiver can tell its user why a sender could not connect: which end gave up, and why.
                            _refused(sender, 0, $"Its TLS handshake failed: {(ex.InnerException ?? ex).Message.TrimEnd('.')}. A sender that does not trust the certificate for the host name it connects to, or speaks no TLS version this machine offers, ends it so; so does one that gave up waiting.");
                            return;
                        }
                    }
                    if (head is null)
                    {
                        // A sender that does not trust the certificate may finish the handshake first (.NET on Linux does).
                        if (ssl != null) _refused(sender, 0, "It closed after the TLS handshake without sending a request: most often, the sender does not trust the certificate for the host name it connects to.");
                        return;
                    }
                    bool continueExpected = false;
                    string relayId = Guid.NewGuid().ToString("N");
                    byte[]? forwarded = head.Complete ? Rewrite(head.Buffer, head.Length, _innerHost, relayId, out continueExpected) : null;
                    if (forwarded is null)
                    {
                        await RefuseAsync(outer, client, sender, head.Complete ? 400 : 431, head.Complete
                            ? "Its request head is not one of an HTTP/1.1 or 1.0 request (one Host, one signature and credential, a body chunked or of a length, no folded lines or bare line ends)."
                            : $"Its request head is larger than {MaxHeadBytes / 1024} KB.").ConfigureAwait(false);
                        return;
                    }
                    // A sender that waits for leave to send its body (curl does, for large ones) is given it here; the listener,
                    // never asked, sends no interim answer of its own ahead of the receiver's.
                    if (continueExpected) await client.WriteAsync(Continue, 0, Continue.Length).ConfigureAwait(false);
                    await ForwardAsync(outer, client, new RelayedRequest(sender), relayId, forwarded, head).ConfigureAwait(false);
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

        // Whether the connection starts as this front expects: a TLS handshake over https, anything else over http. One that
        // closes without a byte (a port check) is let go quietly. Plain http to https is answered 400 in plain http, saying
        // why, since that is what a webhook URL with http:// sends; a handshake to http cannot be answered in its language.
        private async Task<bool> IsExpectedAsync(TcpClient outer, string sender)
        {
            var first = new byte[1];
            int peeked = await outer.Client.ReceiveAsync(new ArraySegment<byte>(first), SocketFlags.Peek).ConfigureAwait(false);
            if (peeked == 0) return false;
            bool tls = first[0] >= FirstTlsRecordType && first[0] <= LastTlsRecordType;
            if (tls == (_certificate != null)) return true;
            if (tls)
            {
                _refused(sender, 0, "It began a TLS handshake (https) with a receiver that takes plain http: the webhook URL must start with http://, or the receiver needs -Certificate.");
                return false;
            }
            await RefuseAsync(outer, outer.GetStream(), sender, 400, "It came as plain http to a receiver that takes https only: the webhook URL must start with https://.").ConfigureAwait(false);
            return false;
        }

        // Answers a request the front refuses itself, reports it, and closes once the sender has had the answer.
        private async Task RefuseAsync(TcpClient outer, Stream client, string sender, int status, string why)
        {
            await AnswerAsync(client, status).ConfigureAwait(false);
            _refused(sender, status, why);
            await CloseAfterAnswerAsync(outer, DiscardAsync(client)).ConfigureAwait(false);
        }

        private async Task ForwardAsync(TcpClient outer, Stream client, RelayedRequest relayed, string relayId, byte[] forwarded, RequestHead head)
        {
            using var inner = new TcpClient(AddressFamily.InterNetwork);
            await inner.ConnectAsync(IPAddress.Loopback, _innerPort).ConfigureAwait(false);
            _relayed[relayId] = relayed;
            try
            {
                NetworkStream toListener = inner.GetStream();
                await toListener.WriteAsync(forwarded, 0, forwarded.Length).ConfigureAwait(false);
                await toListener.WriteAsync(head.Buffer, head.Length, head.Received - head.Length).ConfigureAwait(false);
                // The rest of the body goes on as it comes; the answer comes back until the listener closes (Connection: close).
                Task up = ForwardBodyAsync(client, toListener, inner.Client);
                try
                {
                    await AnswerBackAsync(toListener, client, relayed).ConfigureAwait(false);
                    await CloseAfterAnswerAsync(outer, up).ConfigureAwait(false);
                }
                finally
                {
                    // Whichever way it ends (a sender that resets mid-body), its failure is seen here, not left unobserved.
                    _ = up.ContinueWith(t => t.Exception, TaskScheduler.Default);
                }
            }
            finally
            {
                _relayed.TryRemove(relayId, out _);
            }
        }

        /// <summary>The longest status line looked for at the start of the listener's answer.</summary>
        private const int MaxStatusLine = 256;

        // Passes the listener's answer back, after its status line is checked: a 200 the receiver did not give is the
        // framework's (on Linux and macOS it answers 200 to requests it holds when it closes) and goes out as 503, since no
        // event was written for it, and so does an answer that is none (no final status line); any other answer the receiver
        // did not give is the framework's refusal, reported.
        private async Task AnswerBackAsync(NetworkStream fromListener, Stream client, RelayedRequest relayed)
        {
            var start = new byte[MaxStatusLine];
            int received = 0;
            int lineEnd = -1;
            while (lineEnd < 0 && received < start.Length)
            {
                int read = await fromListener.ReadAsync(start, received, start.Length - received).ConfigureAwait(false);
                if (read == 0) break;
                received += read;
                lineEnd = Array.IndexOf(start, (byte)'\n', 0, received);
            }
            int status = StatusOf(start, lineEnd);
            if (status <= 200 && !relayed.Acknowledged)
            {
                await AnswerAsync(client, 503).ConfigureAwait(false);
                return;
            }
            if (!relayed.Answered && relayed.ClaimReport())
            {
                string why = status == 411 ? ": it gave no Content-Length and is not chunked, so its body has no end"
                    : status == 400 ? ": its request line or headers are not ones it takes (such as a Content-Length that is no number, or given twice)"
                    : status == 503 ? ": it has too many requests waiting"
                    : "";
                _refused(relayed.Sender, status, $".NET's HTTP listener refused it before the receiver could read it{why}.");
            }
            await client.WriteAsync(start, 0, received).ConfigureAwait(false);
            await fromListener.CopyToAsync(client).ConfigureAwait(false);
        }

        // The status code of "HTTP/1.1 200 OK" ending at lineEnd; 0 when there is none.
        private static int StatusOf(byte[] start, int lineEnd)
        {
            if (lineEnd < 0) return 0;
            string[] parts = Bytes.GetString(start, 0, lineEnd).TrimEnd('\r').Split(' ');
            return parts.Length >= 2 && parts[0].StartsWith("HTTP/", StringComparison.Ordinal) && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int status) ? status : 0;
        }

        // "203.0.113.5:50312"; an IPv4 sender on a dual-mode socket (::) is named by its IPv4 address too.
        private static string Describe(IPEndPoint? endPoint) =>
            endPoint is null ? "an unknown sender"
            : endPoint.Address.IsIPv4MappedToIPv6 ? new IPEndPoint(endPoint.Address.MapToIPv4(), endPoint.Port).ToString()
            : endPoint.ToString();

        // Passes the rest of the body on as it comes. When the listener answered without reading it all (413, 404), the rest
        // is read and dropped, for the time CloseAfterAnswerAsync gives it.
        private static async Task ForwardBodyAsync(Stream from, NetworkStream to, Socket toSocket)
        {
            var buffer = new byte[16 * 1024];
            while (true)
            {
                int read;
                try
                {
                    read = await from.ReadAsync(buffer, 0, buffer.Length).ConfigureAwait(false);
                }
                catch (Exception)
                {
                    // The sender broke off (a reset): the listener learns it at once, not after waiting out the body.
                    toSocket.Close();
                    throw;
                }
                if (read == 0) break;
                try
                {
                    await to.WriteAsync(buffer, 0, read).ConfigureAwait(false);
                }
                catch (Exception)
                {
                    await DiscardAsync(from).ConfigureAwait(false);
                    return;
                }
            }
            toSocket.Shutdown(SocketShutdown.Send);
        }

        /// <summary>
        /// How long, after its answer, a connection's sender may go on sending what nobody reads: closing a connection with
        /// bytes unread resets it, and the reset can destroy the answer before the sender reads it (a body refused 413).
        /// </summary>
        private static readonly TimeSpan Linger = TimeSpan.FromSeconds(2);

        // Ends the answer (the sender sees the connection close), then lets the sender finish sending, its bytes dropped,
        // until it closes too or Linger passes: the "lingering close" of HTTP servers (RFC 9112 §9.6).
        private static async Task CloseAfterAnswerAsync(TcpClient outer, Task stillReading)
        {
            try
            {
                outer.Client.Shutdown(SocketShutdown.Send);
            }
            catch (Exception)
            {
                return;
            }
            await Task.WhenAny(stillReading, Task.Delay(Linger)).ConfigureAwait(false);
        }

        private static async Task DiscardAsync(Stream from)
        {
            var buffer = new byte[16 * 1024];
            try
            {
                while (await from.ReadAsync(buffer, 0, buffer.Length).ConfigureAwait(false) > 0) { }
            }
            catch (Exception)
            {
                // Closed or reset: nothing more to drop.
            }
        }

        private static Task AnswerAsync(Stream stream, int status)
        {
            string reason = status == 431 ? "Request Header Fields Too Large" : status == 503 ? "Service Unavailable" : "Bad Request";
            byte[] answer = Bytes.GetBytes($"HTTP/1.1 {status} {reason}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
            return stream.WriteAsync(answer, 0, answer.Length);
        }

        /// <summary>
        /// The request head (<paramref name="length"/> bytes, its empty line included) with Host naming the listener on
        /// loopback, the relay's id and Connection: close, Expect: 100-continue left out, and an absolute-form target reduced to its path;
        /// null when it is not the head of an HTTP/1.x request, or has a line folded, a bare CR or LF, a header name with
        /// spaces, more than one Host, or none in HTTP/1.1 (RFC 9112 §2.2, §3.2, §5.1: a server refuses those), a transfer
        /// coding other than chunked or with a Content-Length (§6.1). A signature or credential header given on several
        /// lines is passed on as one, its values joined (the same value repeated, once).
        /// </summary>
        /// <param name="head">The bytes read, the head first.</param>
        /// <param name="length">The head's length, its empty line included.</param>
        /// <param name="innerHost">The listener's host and port, which Host names.</param>
        /// <param name="relayId">The id that names this request's relay (<see cref="RelayHeader"/>).</param>
        /// <param name="continueExpected">Whether the sender waits for 100 Continue before its body (RFC 9110 §10.1.1; ignored in HTTP/1.0).</param>
        internal static byte[]? Rewrite(byte[] head, int length, string innerHost, string relayId, out bool continueExpected)
        {
            continueExpected = false;
            if (length < 4 || Bytes.GetString(head, length - 4, 4) != "\r\n\r\n") return null;
            // RFC 9112 §2.2: an empty line before the request line (what some clients send after a previous body) is ignored.
            int start = 0;
            while (start + 1 < length - 4 && (head[start] == '\n' || (head[start] == '\r' && head[start + 1] == '\n'))) start += head[start] == '\n' ? 1 : 2;
            string[] lines = Bytes.GetString(head, start, length - 4 - start).Split(new[] { "\r\n" }, StringSplitOptions.None);
            string[] requestLine = lines[0].Split(' ');
            if (requestLine.Length != 3 || !requestLine[2].StartsWith("HTTP/1.", StringComparison.Ordinal)) return null;
            // RFC 9112 §3.2.2: a server takes the absolute form too; the listener is given its path and query.
            if (!requestLine[1].StartsWith("/", StringComparison.Ordinal))
            {
                if (!Uri.TryCreate(requestLine[1], UriKind.Absolute, out Uri? target) || (target.Scheme != Uri.UriSchemeHttps && target.Scheme != Uri.UriSchemeHttp)) return null;
                lines[0] = $"{requestLine[0]} {target.PathAndQuery} {requestLine[2]}";
            }
            var rewritten = new List<string>(lines.Length + 3);
            // The signature's and credential's lines by name: where the first stands, and every line given.
            var once = new Dictionary<string, KeyValuePair<int, List<string>>>(StringComparer.OrdinalIgnoreCase);
            bool lengthGiven = false;
            string? transferCoding = null;
            foreach (string line in lines)
            {
                if (line.IndexOf('\r') >= 0 || line.IndexOf('\n') >= 0) return null;
                if (rewritten.Count > 0)
                {
                    int colon = line.IndexOf(':');
                    if (colon <= 0 || line.IndexOfAny(Blanks, 0, colon) >= 0) return null;
                    string name = line.Substring(0, colon);
                    if (OnceOnly.Contains(name))
                    {
                        if (once.TryGetValue(name, out KeyValuePair<int, List<string>> given))
                        {
                            // RFC 9112 §3.2: a request with more than one Host is refused.
                            if (name.Equals("Host", StringComparison.OrdinalIgnoreCase)) return null;
                            given.Value.Add(line);
                            continue;
                        }
                        once[name] = new KeyValuePair<int, List<string>>(rewritten.Count, new List<string> { line });
                    }
                    lengthGiven |= name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase);
                    if (name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase)) transferCoding = (transferCoding is null ? "" : transferCoding + ",") + line.Substring(colon + 1).Trim();
                    if (name.Equals("Expect", StringComparison.OrdinalIgnoreCase) && line.Substring(colon + 1).Trim().Equals("100-continue", StringComparison.OrdinalIgnoreCase))
                    {
                        continueExpected = requestLine[2] != "HTTP/1.0";
                        continue;
                    }
                    if (Replaced.Contains(name)) continue;
                }
                rewritten.Add(line);
            }
            // RFC 9112 §3.2: an HTTP/1.1 request without Host is refused.
            if (!once.ContainsKey("Host") && requestLine[2] == "HTTP/1.1") return null;
            // A signature or credential given on several lines is passed on as one line, in the first one's place, its values
            // joined as HTTP joins a repeated header (RFC 9110 §5.3), so that the listener reads what ConvertFrom-
            // JelouWebhookEvent reads of the same request: the same value repeated (a proxy's repeat) is that value, and values
            // that differ verify as none.
            foreach (KeyValuePair<int, List<string>> header in once.Values)
            {
                if (header.Value.Count == 1) continue;
                string first = header.Value[0];
                List<string> values = header.Value.Select(line => line.Substring(line.IndexOf(':') + 1).Trim(' ', '\t')).ToList();
                List<string> distinct = values.Distinct(StringComparer.Ordinal).ToList();
                rewritten[header.Key] = first.Substring(0, first.IndexOf(':')) + ": " + string.Join(", ", distinct.Count == 1 ? distinct : values);
            }
            var passed = new StringBuilder(length + 64);
            foreach (string line in rewritten) passed.Append(line).Append("\r\n");
            // RFC 9112 §6.1: a body is chunked or has a length, not both (a way to smuggle a request); no other coding is taken.
            if (transferCoding != null && (lengthGiven || !transferCoding.Equals("chunked", StringComparison.OrdinalIgnoreCase))) return null;
            passed.Append("Host: ").Append(innerHost).Append("\r\n").Append(RelayHeader).Append(": ").Append(relayId).Append("\r\nConnection: close\r\n\r\n");
            return Bytes.GetBytes(passed.ToString());
        }

        /// <summary>Stops taking connections; those being relayed go on (the listener answers them as it stops).</summary>
        internal void StopAccepting()
        {
            _stopping.Cancel();
            foreach (TcpListener tcp in _tcp) tcp.Stop();
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

            // The head, up to and with its first empty line; null when the connection ended before sending a byte. One that
            // ends within its head fails (IOException). A line may end in a bare LF, so that such a head is answered (400, by
            // Rewrite) rather than waited on. The buffer grows as the head does, so that idle connections cost little.
            internal static async Task<RequestHead?> ReadAsync(Stream stream)
            {
                var buffer = new byte[4096];
                int received = 0;
                int lineStart = 0;
                // Empty lines before the request line are not its end (RFC 9112 §2.2); Rewrite drops them.
                int leading = 0;
                while (received < MaxHeadBytes)
                {
                    if (received == buffer.Length) Array.Resize(ref buffer, Math.Min(buffer.Length * 2, MaxHeadBytes));
                    int read = await stream.ReadAsync(buffer, received, buffer.Length - received).ConfigureAwait(false);
                    if (read == 0) return received == 0 ? null : throw new IOException("The connection ended within the request head.");
                    for (int i = received; i < received + read; i++)
                    {
                        if (buffer[i] != '\n') continue;
                        int lineLength = i - lineStart;
                        bool empty = lineLength == 0 || (lineLength == 1 && buffer[lineStart] == '\r');
                        if (empty && lineStart > leading) return new RequestHead(buffer, i + 1, received + read, complete: true);
                        if (empty) leading = i + 1;
                        lineStart = i + 1;
                    }
                    received += read;
                }
                return new RequestHead(buffer, buffer.Length, received, complete: false);
            }
        }
    }

    /// <summary>
    /// A request passed on to the listener: who really sent it, whether the receiver answers it (and 200, its event handed
    /// over), and who reports it when it is refused. The front lets no other 200 through.
    /// </summary>
    internal sealed class RelayedRequest
    {
        private volatile bool _answered;
        private volatile bool _acknowledged;
        private int _reported;

        internal RelayedRequest(string sender) => Sender = sender;

        /// <summary>"203.0.113.5:50312".</summary>
        internal string Sender { get; }

        /// <summary>Whether the answer is the receiver's; set before its first byte is written.</summary>
        internal bool Answered => _answered;

        internal bool Acknowledged => _acknowledged;

        /// <summary>The receiver is about to answer.</summary>
        internal void Answer() => _answered = true;

        /// <summary>The receiver is about to answer 200, its event handed over.</summary>
        internal void Acknowledge() => _acknowledged = true;

        /// <summary>
        /// Whether the caller is the one to report the request as refused: the first to ask. .NET's listener may answer a
        /// request itself (411) and still hand it to the receiver, and both the front and the receiver then see it refused.
        /// </summary>
        internal bool ClaimReport() => Interlocked.Exchange(ref _reported, 1) == 0;
    }
}
