using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;

namespace JelouPS.Emulator;

/// <summary>One request the emulator answered, with every secret removed.</summary>
public sealed record RecordedRequest
{
    /// <summary>The x-request-id the emulator answered with.</summary>
    public required string RequestId { get; init; }

    public required DateTimeOffset ReceivedAt { get; init; }
    public required string Method { get; init; }

    /// <summary>The path as received: still escaped (a project id "a b/c" shows as a%20b%2Fc).</summary>
    public required string Path { get; init; }

    /// <summary>The raw query string without the '?'; empty when none.</summary>
    public required string Query { get; init; }

    public string? ContentType { get; init; }

    /// <summary>"api-key", "basic", "none" or "invalid" (credentials sent but not accepted).</summary>
    public required string Authentication { get; init; }

    /// <summary>Request headers; x-api-key, Authorization and similar show as "[REDACTED]".</summary>
    public required IReadOnlyDictionary<string, string> Headers { get; init; }

    /// <summary>The body as UTF-8 text, with any JSON <c>authorization</c> member's value replaced.</summary>
    public required string Body { get; init; }

    /// <summary>The body's length in bytes, as received; 0 when it was refused as too large.</summary>
    public required long BodyLength { get; init; }

    /// <summary>
    /// The status answered (for an aborted answer, the one it carried); 0 while pending, when the client
    /// went away first, or when a canned fault closed the connection without answering.
    /// </summary>
    public int ResponseStatus { get; init; }

    /// <summary>
    /// True when a fault cut the connection on purpose instead of finishing the answer: it closed it
    /// without answering, or reset it part way through the body.
    /// </summary>
    public bool Aborted { get; init; }

    /// <summary>
    /// True when a known secret (an API key, a client secret, a signing secret or webhook credential
    /// handed out earlier) turned up somewhere it should not (path, query, another header, another
    /// body member) and was scrubbed: a client-side leak worth failing a test over.
    /// </summary>
    public bool SecretsRedacted { get; init; }
}

internal sealed class RequestLog
{
    // Enough for any test or demo; keeps a long-running emulator from growing without bound.
    private const int Capacity = 10_000;

    private readonly object _gate = new();
    private readonly List<RecordedRequest> _entries = new();
    private readonly List<(Func<RecordedRequest, bool> Predicate, TaskCompletionSource<RecordedRequest> Waiter)> _waiters = new();

    public void Add(RecordedRequest entry)
    {
        var satisfied = new List<TaskCompletionSource<RecordedRequest>>();
        lock (_gate)
        {
            if (_entries.Count >= Capacity)
            {
                _entries.RemoveAt(0);
            }

            _entries.Add(entry);
            for (int i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Predicate(entry))
                {
                    satisfied.Add(_waiters[i].Waiter);
                    _waiters.RemoveAt(i);
                }
            }
        }

        // Completed outside the lock, so nothing a waiter does can run while the log is held.
        satisfied.ForEach(w => w.TrySetResult(entry));
    }

    /// <summary>The first entry, already logged or yet to come, that matches; lets a test know a request has arrived.</summary>
    public async Task<RecordedRequest> WaitForAsync(Func<RecordedRequest, bool> predicate, CancellationToken cancellationToken)
    {
        var waiter = new TaskCompletionSource<RecordedRequest>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            RecordedRequest? existing = _entries.FirstOrDefault(predicate);
            if (existing is not null)
            {
                return existing;
            }

            _waiters.Add((predicate, waiter));
        }

        try
        {
            return await waiter.Task.WaitAsync(cancellationToken);
        }
        finally
        {
            lock (_gate)
            {
                _waiters.RemoveAll(w => w.Waiter == waiter);
            }
        }
    }

    /// <summary>Called before the response is written, so a client that has its answer sees the entry.</summary>
    public void Complete(RecordedRequest entry, int status, bool aborted)
    {
        lock (_gate)
        {
            // Reference identity: records compare by value and two requests can look alike.
            for (int i = _entries.Count - 1; i >= 0; i--)
            {
                if (ReferenceEquals(_entries[i], entry))
                {
                    _entries[i] = entry with { ResponseStatus = status, Aborted = aborted };
                    return;
                }
            }
        }
    }

    public RecordedRequest[] Snapshot()
    {
        lock (_gate)
        {
            return _entries.ToArray();
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            _entries.Clear();
        }
    }
}

/// <summary>Keeps secrets out of the request log.</summary>
internal static partial class Redaction
{
    public const string Mask = "[REDACTED]";

    private static readonly HashSet<string> SecretHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "x-api-key", "Authorization", "Proxy-Authorization", "Cookie",
    };

    public static bool IsSecretHeader(string name) => SecretHeaders.Contains(name);

    /// <summary>The body as text with every <c>authorization</c> member's value (at any depth) masked.</summary>
    public static string RedactAuthorizationMembers(byte[] body)
    {
        var ranges = new List<(int Start, int End)>();
        try
        {
            var reader = new Utf8JsonReader(body);
            while (reader.Read())
            {
                if (reader.TokenType == JsonTokenType.PropertyName
                    && string.Equals(Json.ReadString(ref reader), "authorization", StringComparison.OrdinalIgnoreCase))
                {
                    reader.Read();
                    int start = checked((int)reader.TokenStartIndex);
                    if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                    {
                        reader.Skip();
                    }

                    ranges.Add((start, checked((int)reader.BytesConsumed)));
                }
            }
        }
        catch (JsonException)
        {
            // Not JSON (or truncated): a pattern still catches the usual "authorization":"…" form.
            return AuthorizationMember().Replace(Encoding.UTF8.GetString(body), m => m.Groups["name"].Value + "\"" + Mask + "\"");
        }

        if (ranges.Count == 0)
        {
            return Encoding.UTF8.GetString(body);
        }

        var text = new StringBuilder(body.Length);
        int position = 0;
        foreach ((int start, int end) in ranges)
        {
            text.Append(Encoding.UTF8.GetString(body, position, start - position)).Append('"').Append(Mask).Append('"');
            position = end;
        }

        return text.Append(Encoding.UTF8.GetString(body, position, body.Length - position)).ToString();
    }

    [GeneratedRegex("(?<name>\"authorization\"\\s*:\\s*)(\"(?:[^\"\\\\]|\\\\.)*\"?|[^,}\\]\\s]+)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex AuthorizationMember();
}

/// <summary>
/// Every secret the request log must never show: the configured credentials and each signing secret and webhook
/// credential ever handed out. Indexed by their first characters, so masking a text costs the same however many
/// secrets a long run has issued.
/// </summary>
internal sealed class SecretIndex
{
    private const int KeyLength = 4;

    private readonly object _gate = new();
    private readonly HashSet<string> _known = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<string>> _byKey = new(StringComparer.Ordinal);

    // Too short to index: few (a credential of a character or three), so each is searched for.
    private readonly List<string> _short = new();

    public void Add(string? secret)
    {
        if (string.IsNullOrEmpty(secret))
        {
            return;
        }

        lock (_gate)
        {
            if (!_known.Add(secret))
            {
                return;
            }

            if (secret.Length < KeyLength)
            {
                _short.Add(secret);
                return;
            }

            string key = secret[..KeyLength];
            if (!_byKey.TryGetValue(key, out List<string>? sharing))
            {
                _byKey[key] = sharing = new List<string>(1);
            }

            sharing.Add(secret);
        }
    }

    /// <summary>
    /// The text with every character that belongs to an occurrence of a secret masked (overlapping and adjacent
    /// occurrences become one mask, so no part of a secret survives); reports whether any was found.
    /// </summary>
    public string Scrub(string text, ref bool scrubbed)
    {
        bool[]? covered = null;
        lock (_gate)
        {
            Dictionary<string, List<string>>.AlternateLookup<ReadOnlySpan<char>> lookup = _byKey.GetAlternateLookup<ReadOnlySpan<char>>();
            for (int i = 0; i + KeyLength <= text.Length; i++)
            {
                if (!lookup.TryGetValue(text.AsSpan(i, KeyLength), out List<string>? candidates))
                {
                    continue;
                }

                foreach (string secret in candidates)
                {
                    if (text.AsSpan(i).StartsWith(secret, StringComparison.Ordinal))
                    {
                        Cover(ref covered, text.Length, i, secret.Length);
                    }
                }
            }

            foreach (string secret in _short)
            {
                for (int at = text.IndexOf(secret, StringComparison.Ordinal); at >= 0; at = text.IndexOf(secret, at + 1, StringComparison.Ordinal))
                {
                    Cover(ref covered, text.Length, at, secret.Length);
                }
            }
        }

        if (covered is null)
        {
            return text;
        }

        scrubbed = true;
        var masked = new StringBuilder(text.Length);
        for (int i = 0; i < text.Length; i++)
        {
            if (!covered[i])
            {
                masked.Append(text[i]);
            }
            else if (i == 0 || !covered[i - 1])
            {
                masked.Append(Redaction.Mask);
            }
        }

        return masked.ToString();
    }

    private static void Cover(ref bool[]? covered, int length, int start, int count)
    {
        covered ??= new bool[length];
        covered.AsSpan(start, count).Fill(true);
    }
}
