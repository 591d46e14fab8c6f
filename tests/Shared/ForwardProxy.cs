using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace JelouPS.Tests
{
    /// <summary>What the proxy was asked: the request line's method and target, and the Proxy-Authorization it came with.</summary>
    public sealed record ProxiedRequest(string Method, string Target, string? ProxyAuthorization);

    /// <summary>
    /// A tiny forward proxy on 127.0.0.1 for tests (linked into both test projects). It forwards absolute-form http requests
    /// and tunnels CONNECT to the hosts it has routes for, and only to those, so a host that only it can reach proves a request
    /// went through it; any other host gets 502, as a proxy that cannot reach it answers. With <see cref="RequireBasic"/> it
    /// answers 407 to anything without that credential. It records every request and serves one per connection.
    /// </summary>
    public sealed class ForwardProxy : IDisposable
    {
        private const string AuthenticationRequired = "HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"jelou-tests\"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
        private const string BadGateway = "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
        private static readonly string[] HopByHop = { "Proxy-Authorization", "Proxy-Connection", "Connection", "Keep-Alive" };

        private readonly TcpListener _listener = new TcpListener(IPAddress.Loopback, 0);
        private readonly ConcurrentDictionary<string, int> _routes = new ConcurrentDictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        private readonly ConcurrentQueue<ProxiedRequest> _requests = new ConcurrentQueue<ProxiedRequest>();
        private readonly ConcurrentBag<Socket> _hiddenPorts = new ConcurrentBag<Socket>();
        private readonly CancellationTokenSource _stop = new CancellationTokenSource();
        private string? _expectedAuthorization;

        private ForwardProxy()
        {
            _listener.Start();
            Address = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}");
            _ = AcceptAsync();
        }

        public static ForwardProxy Start() => new ForwardProxy();

        /// <summary>http://127.0.0.1:port, to pass as -Proxy.</summary>
        public Uri Address { get; }

        public IReadOnlyList<ProxiedRequest> Requests => _requests.ToArray();

        /// <summary>Requires Proxy-Authorization: Basic with this user and password; anything else gets 407.</summary>
        public void RequireBasic(string user, string password) =>
            _expectedAuthorization = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(user + ":" + password));

        /// <summary>Sends requests and tunnels for <paramref name="hostAndPort"/> to <paramref name="upstream"/>'s port on 127.0.0.1.</summary>
        public void Route(string hostAndPort, Uri upstream) => _routes[hostAndPort] = upstream.Port;

        /// <summary>
        /// <paramref name="upstream"/> at a loopback port that refuses every connection (bound, never listening) and that this
        /// proxy routes to <paramref name="upstream"/>: a request for it succeeds only through the proxy.
        /// </summary>
        public Uri Hide(Uri upstream)
        {
            var port = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            port.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            _hiddenPorts.Add(port);
            var hidden = new UriBuilder(upstream) { Host = "127.0.0.1", Port = ((IPEndPoint)port.LocalEndPoint!).Port }.Uri;
            Route($"{hidden.Host}:{hidden.Port}", upstream);
            return hidden;
        }

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Stop();
            foreach (Socket port in _hiddenPorts) port.Dispose();
        }

        private async Task AcceptAsync()
        {
            while (true)
            {
                TcpClient client;
                try
                {
                    client = await _listener.AcceptTcpClientAsync(_stop.Token);
                }
                catch (Exception ex) when (ex is OperationCanceledException || ex is ObjectDisposedException || ex is SocketException)
                {
                    return;
                }
                _ = Task.Run(() => ServeAsync(client));
            }
        }

        private async Task ServeAsync(TcpClient client)
        {
            using (client)
            {
                try
                {
                    NetworkStream stream = client.GetStream();
                    (string head, byte[] remainder) = await ReadHeadAsync(stream);
                    string[] lines = head.Split("\r\n");
                    string[] requestLine = lines[0].Split(' ');
                    string method = requestLine[0], target = requestLine[1];
                    List<(string Name, string Value)> headers = lines.Skip(1).Where(l => l.Contains(':'))
                        .Select(l => (l.Substring(0, l.IndexOf(':')), l.Substring(l.IndexOf(':') + 1).Trim())).ToList();
                    string? Header(string name) => headers.Where(h => h.Name.Equals(name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value).FirstOrDefault();
                    string? authorization = Header("Proxy-Authorization");
                    _requests.Enqueue(new ProxiedRequest(method, target, authorization));

                    // The whole body is read before any answer: closing on unread bytes would reset the connection under the answer.
                    byte[] body = await ReadBodyAsync(stream, remainder, int.TryParse(Header("Content-Length"), out int length) ? length : 0);
                    bool tunnel = method == "CONNECT";
                    string hostAndPort = tunnel ? target : $"{new Uri(target).Host}:{new Uri(target).Port}";
                    if (_expectedAuthorization != null && authorization != _expectedAuthorization)
                    {
                        await WriteAsync(stream, AuthenticationRequired);
                        return;
                    }
                    if (!_routes.TryGetValue(hostAndPort, out int port))
                    {
                        await WriteAsync(stream, BadGateway);
                        return;
                    }
                    using var upstream = new TcpClient();
                    await upstream.ConnectAsync(IPAddress.Loopback, port);
                    NetworkStream upstreamStream = upstream.GetStream();
                    if (tunnel)
                    {
                        await WriteAsync(stream, "HTTP/1.1 200 Connection established\r\n\r\n");
                        await upstreamStream.WriteAsync(body);
                        await Task.WhenAny(stream.CopyToAsync(upstreamStream), upstreamStream.CopyToAsync(stream));
                        return;
                    }
                    var forwarded = new StringBuilder($"{method} {new Uri(target).PathAndQuery} HTTP/1.1\r\n");
                    foreach ((string name, string value) in headers.Where(h => !HopByHop.Contains(h.Name, StringComparer.OrdinalIgnoreCase)))
                    {
                        forwarded.Append(name).Append(": ").Append(value).Append("\r\n");
                    }
                    await WriteAsync(upstreamStream, forwarded.Append("Connection: close\r\n\r\n").ToString());
                    await upstreamStream.WriteAsync(body);
                    await upstreamStream.CopyToAsync(stream);
                }
                catch (Exception ex) when (ex is IOException || ex is SocketException || ex is ObjectDisposedException)
                {
                    // The client or the upstream went away: nothing to answer.
                }
            }
        }

        private static async Task<(string Head, byte[] Remainder)> ReadHeadAsync(NetworkStream stream)
        {
            var received = new MemoryStream();
            var buffer = new byte[4096];
            while (true)
            {
                int read = await stream.ReadAsync(buffer);
                if (read == 0) throw new IOException("The connection closed before a whole request head arrived.");
                received.Write(buffer, 0, read);
                byte[] all = received.ToArray();
                int end = IndexOfHeadEnd(all);
                if (end >= 0) return (Encoding.Latin1.GetString(all, 0, end), all.Skip(end + 4).ToArray());
            }
        }

        private static int IndexOfHeadEnd(byte[] bytes)
        {
            for (int i = 0; i + 3 < bytes.Length; i++)
            {
                if (bytes[i] == '\r' && bytes[i + 1] == '\n' && bytes[i + 2] == '\r' && bytes[i + 3] == '\n') return i;
            }
            return -1;
        }

        private static async Task<byte[]> ReadBodyAsync(NetworkStream stream, byte[] received, int length)
        {
            var body = new MemoryStream();
            body.Write(received, 0, received.Length);
            var buffer = new byte[4096];
            while (body.Length < length)
            {
                int read = await stream.ReadAsync(buffer);
                if (read == 0) break;
                body.Write(buffer, 0, read);
            }
            return body.ToArray();
        }

        private static Task WriteAsync(Stream stream, string text) => stream.WriteAsync(Encoding.Latin1.GetBytes(text)).AsTask();
    }
}
