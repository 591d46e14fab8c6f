using System;
using System.Collections.Generic;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace JelouPS.Emulator;

/// <summary>Everything the endpoints share: credentials, shape, state, log, faults and event delivery.</summary>
internal sealed class EmulatorCore : IAsyncDisposable
{
    private readonly HashSet<string> _apiKeys;
    private readonly Dictionary<string, string> _clients;
    private readonly CancellationTokenSource _stopping = new();
    private volatile ResponseShape _shape;
    private long _latencyTicks;

    public EmulatorCore(EmulatorOptions options)
    {
        // Copied once: the options object stays the caller's, and these sets are read on every request.
        _apiKeys = new HashSet<string>(options.ApiKeys.Where(k => !string.IsNullOrEmpty(k)), StringComparer.Ordinal);
        _clients = new Dictionary<string, string>(options.ClientCredentials, StringComparer.Ordinal);
        foreach (string secret in _apiKeys.Concat(_clients.Values).Concat(_clients.Select(c => BasicToken(c.Key, c.Value))))
        {
            State.Secrets.Add(secret);
        }

        InitialShape = options.Shape;
        _shape = options.Shape;
        InitialLatency = options.Latency;
        Latency = options.Latency;
        Events = new EventDispatcher(_stopping.Token);
    }

    public ResponseShape InitialShape { get; }

    public ResponseShape Shape
    {
        get => _shape;
        set => _shape = value;
    }

    public TimeSpan InitialLatency { get; }

    /// <summary>Read by every request, so kept as ticks that are read and written whole.</summary>
    public TimeSpan Latency
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _latencyTicks));
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero, nameof(Latency));
            Interlocked.Exchange(ref _latencyTicks, value.Ticks);
        }
    }

    public EmulatorState State { get; } = new();
    public RequestLog Log { get; } = new();
    public FaultQueue Faults { get; } = new();
    public EventDispatcher Events { get; }
    public CancellationToken Stopping => _stopping.Token;

    // Completed, and replaced, by ReleaseHeld: the fault delays under way when it is called end.
    private TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Ends when <see cref="ReleaseHeld"/> is next called.</summary>
    public Task Released => Volatile.Read(ref _release).Task;

    /// <summary>
    /// Answers now every request a fault's Delay holds back: a test can hold an answer for as long as it needs
    /// (a long Delay) and let it go once it has done what must happen meanwhile, instead of guessing a delay long enough.
    /// </summary>
    public void ReleaseHeld() =>
        Interlocked.Exchange(ref _release, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    /// <summary>Classifies the credentials a request carries: "api-key", "basic", "none" or "invalid".</summary>
    public string Authenticate(IHeaderDictionary headers)
    {
        bool sentAny = false;
        if (headers.TryGetValue("x-api-key", out StringValues key))
        {
            sentAny = true;
            if (key.Count == 1 && key[0] is { } k && _apiKeys.Contains(k))
            {
                return "api-key";
            }
        }

        if (headers.TryGetValue("Authorization", out StringValues authorization))
        {
            sentAny = true;
            if (authorization.Count == 1 && TryParseBasic(authorization[0], out string id, out string secret)
                && _clients.TryGetValue(id, out string? expected)
                && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(expected), Encoding.UTF8.GetBytes(secret)))
            {
                return "basic";
            }
        }

        return sentAny ? "invalid" : "none";
    }

    public static bool IsAuthenticated(string authentication) => authentication is "api-key" or "basic";

    /// <summary>Makes the end user "write" in a conversation: delivers a §5.1 message event.</summary>
    /// <returns>Null and the delivery on success; otherwise the error to answer.</returns>
    public ApiResult? TrySendUserMessage(string projectId, string conversationId, string text, out Task<DeliveryRecord>? delivery, out string? messageId)
    {
        delivery = null;
        messageId = null;
        IntegrationRecord? integration;
        ConversationRecord? conversation;
        lock (State.Sync)
        {
            integration = State.Integrations.GetValueOrDefault(projectId);
            conversation = State.Conversations.GetValueOrDefault(conversationId);
        }

        if (conversation is null || conversation.ProjectId != projectId)
        {
            return Errors.NotFound($"Conversation {conversationId} not found in project {projectId}");
        }

        if (integration is null)
        {
            return Errors.NotFound($"No integration exists for project {projectId}");
        }

        if (!conversation.IsActive)
        {
            return Errors.Conflict($"Conversation {conversationId} is {conversation.State}");
        }

        messageId = Signing.NewObjectId();
        byte[] body = EventPayloads.Message(conversation, messageId, text, DateTimeOffset.UtcNow);
        delivery = Events.Deliver(integration, EventPayloads.MessageEvent, body);
        return null;
    }

    /// <summary>Ends fault delays and deliveries in flight; called before the server stops.</summary>
    public void BeginStop() => _stopping.Cancel();

    public void Reset()
    {
        State.Clear();
        Log.Clear();
        Faults.Clear();
        Events.Clear();
        Shape = InitialShape;
        Latency = InitialLatency;
    }

    public async ValueTask DisposeAsync()
    {
        BeginStop();
        await Events.DisposeAsync();
        _stopping.Dispose();
    }

    private static string BasicToken(string id, string secret) => Convert.ToBase64String(Encoding.UTF8.GetBytes(id + ":" + secret));

    private static bool TryParseBasic(string? header, out string id, out string secret)
    {
        id = secret = string.Empty;
        if (header is null || !header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        byte[] decoded;
        try
        {
            decoded = Convert.FromBase64String(header["Basic ".Length..].Trim());
        }
        catch (FormatException)
        {
            return false;
        }

        string pair = Encoding.UTF8.GetString(decoded);
        int colon = pair.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            return false;
        }

        id = pair[..colon];
        secret = pair[(colon + 1)..];
        return true;
    }
}
