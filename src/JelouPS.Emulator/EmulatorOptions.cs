using System;
using System.Collections.Generic;
using System.Net;

namespace JelouPS.Emulator;

/// <summary>The two success shapes jelou-api.md §3 documents; a client must accept both.</summary>
public enum ResponseShape
{
    /// <summary><c>{"message":[…],"statusMessage":"success","status":1,"data":{…}}</c> (the prose examples).</summary>
    Envelope,

    /// <summary>The bare object (the OpenAPI playground examples).</summary>
    Flat,
}

/// <summary>How an emulator is started. Read once by <see cref="JelouEmulator.StartAsync"/>.</summary>
public sealed class EmulatorOptions
{
    public const string DefaultApiKey = "emulator-api-key";
    public const string DefaultClientId = "emulator-client";
    public const string DefaultClientSecret = "emulator-client-secret";

    /// <summary>Where to listen: plain http on a loopback address only; port 0 picks a free port.</summary>
    public string Url { get; set; } = "http://127.0.0.1:0";

    /// <summary>Accepted <c>x-api-key</c> values.</summary>
    public ISet<string> ApiKeys { get; } = new HashSet<string>(StringComparer.Ordinal) { DefaultApiKey };

    /// <summary>Accepted HTTP Basic credentials: clientId → clientSecret.</summary>
    public IDictionary<string, string> ClientCredentials { get; } =
        new Dictionary<string, string>(StringComparer.Ordinal) { [DefaultClientId] = DefaultClientSecret };

    public ResponseShape Shape { get; set; } = ResponseShape.Envelope;

    /// <summary>How long every API request waits before it is handled (not the control endpoints); switchable while running.</summary>
    public TimeSpan Latency { get; set; } = TimeSpan.Zero;
}

internal static class LoopbackEndpoint
{
    // The emulator accepts any key it was given and hands out secrets: it must never be reachable
    // from another machine, so anything but a loopback address is refused outright.
    public static IPEndPoint Parse(string url)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (!Uri.TryCreate(url, UriKind.Absolute, out Uri? uri) || uri.Scheme != Uri.UriSchemeHttp)
        {
            throw new ArgumentException($"The emulator listens on plain http only; '{url}' is not an http:// URL.", nameof(url));
        }

        if (uri.AbsolutePath != "/" || uri.Query.Length > 0 || uri.UserInfo.Length > 0)
        {
            throw new ArgumentException($"The listen URL must be scheme, host and port only; got '{url}'.", nameof(url));
        }

        IPAddress address;
        if (string.Equals(uri.Host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            // One concrete address, so port 0 resolves to a single port.
            address = IPAddress.Loopback;
        }
        else if (IPAddress.TryParse(uri.DnsSafeHost, out IPAddress? parsed) && IPAddress.IsLoopback(parsed))
        {
            address = parsed;
        }
        else
        {
            throw new ArgumentException($"The emulator binds loopback addresses only (127.0.0.0/8, ::1, localhost); '{uri.Host}' is not one.", nameof(url));
        }

        return new IPEndPoint(address, uri.Port);
    }

    public static bool IsLoopbackHost(Uri uri) =>
        string.Equals(uri.Host, "localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(uri.DnsSafeHost, out IPAddress? ip) && IPAddress.IsLoopback(ip));
}
