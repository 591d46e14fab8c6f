using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace JelouPS.Emulator;

/// <summary>
/// A local Jelou External Support API on a loopback port: the management API (surface A) under
/// /jelouapi and /platform, the chatbot reply endpoint (surface C) at the root, signed event
/// delivery to loopback webhooks (surface B), and /_emulator control endpoints.
/// </summary>
public sealed class JelouEmulator : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly EmulatorCore _core;
    private int _stopped;

    private JelouEmulator(WebApplication app, EmulatorCore core, Uri baseAddress)
    {
        _app = app;
        _core = core;
        BaseAddress = baseAddress;
    }

    /// <summary>e.g. http://127.0.0.1:54321/ (the port actually bound).</summary>
    public Uri BaseAddress { get; }

    /// <summary>The management API base, as a client's BaseUri: BaseAddress + "jelouapi".</summary>
    public Uri GatewayUri => new(BaseAddress, "jelouapi");

    /// <summary>The agent-reply host, as a client's ChatbotUri.</summary>
    public Uri ChatbotUri => BaseAddress;

    /// <summary>The success shape of surface A; may be switched while running.</summary>
    public ResponseShape Shape
    {
        get => _core.Shape;
        set => _core.Shape = value;
    }

    /// <summary>How long every API request waits before it is handled; may be changed while running.</summary>
    public TimeSpan Latency
    {
        get => _core.Latency;
        set => _core.Latency = value;
    }

    /// <summary>API requests so far (not control requests), oldest first, secrets removed.</summary>
    public IReadOnlyList<RecordedRequest> Requests => _core.Log.Snapshot();

    /// <summary>Agent replies accepted by the chatbot endpoint, oldest first.</summary>
    public IReadOnlyList<AgentMessage> AgentMessages => _core.State.AgentMessagesSnapshot();

    /// <summary>Finished event deliveries, in completion order.</summary>
    public IReadOnlyList<DeliveryRecord> Deliveries => _core.Events.Snapshot();

    public static Task<JelouEmulator> StartAsync(EmulatorOptions options, CancellationToken cancellationToken = default) =>
        StartAsync(options, configureLogging: null, cancellationToken);

    /// <summary>The command line adds console logging; in-process hosts log nothing.</summary>
    internal static async Task<JelouEmulator> StartAsync(EmulatorOptions options, Action<ILoggingBuilder>? configureLogging, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        IPEndPoint endpoint = LoopbackEndpoint.Parse(options.Url);

        // The empty builder reads no appsettings, environment variables or command line: nothing
        // around the emulator (ASPNETCORE_URLS, say) can move it off loopback or change its logging.
        WebApplicationBuilder builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        // A flush completes only once the socket has the bytes: a fault that aborts the connection right after one
        // (ResetAfterBytes) would otherwise lose whatever was still queued, as Kestrel's Abort drops it.
        builder.WebHost.UseKestrelCore().UseSockets(sockets => sockets.MaxWriteBufferSize = 1).ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            // The pipeline caps bodies itself (RequestPipeline.MaxBodyBytes), so it can log the request and answer
            // the documented error body; Kestrel's own limit would cut the connection on a client still sending.
            kestrel.Limits.MaxRequestBodySize = null;
            kestrel.Listen(endpoint);
        });
        builder.Services.AddSingleton<IHostLifetime, QuietLifetime>();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(5));
        configureLogging?.Invoke(builder.Logging);

        WebApplication app = builder.Build();
        var core = new EmulatorCore(options);
        var pipeline = new RequestPipeline(core, app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("JelouPS.Emulator"));
        app.Run(pipeline.HandleAsync);
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch
        {
            await core.DisposeAsync();
            await app.DisposeAsync();
            throw;
        }

        string bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new JelouEmulator(app, core, new Uri(bound.TrimEnd('/') + "/"));
    }

    public void ClearRequests() => _core.Log.Clear();

    /// <summary>
    /// Completes with the first logged request (already received or yet to come) that matches, so a
    /// test can know the emulator has a request in hand without sleeping. Its ResponseStatus may still be 0.
    /// </summary>
    public Task<RecordedRequest> WaitForRequestAsync(Func<RecordedRequest, bool> predicate, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        return _core.Log.WaitForAsync(predicate, cancellationToken);
    }

    /// <summary>Queues a canned answer for the next matching API request(s); see <see cref="EmulatorFault"/>.</summary>
    public void EnqueueFault(EmulatorFault fault) => _core.Faults.Enqueue(fault);

    public void ClearFaults() => _core.Faults.Clear();

    /// <summary>Current state of a project's integration, secrets included (for tests only).</summary>
    public IntegrationRecord? FindIntegration(string projectId) => _core.State.FindIntegration(projectId);

    public ConversationRecord? FindConversation(string projectId, string conversationId) =>
        _core.State.FindConversation(projectId, conversationId);

    /// <summary>
    /// Makes the end user write <paramref name="text"/> in an active conversation: a signed §5.1
    /// message event goes to the integration's webhook. Completes when the delivery has finished.
    /// </summary>
    /// <exception cref="InvalidOperationException">No such conversation or integration, or the conversation is closed.</exception>
    public Task<DeliveryRecord> SendUserMessageAsync(string projectId, string conversationId, string text, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(projectId);
        ArgumentNullException.ThrowIfNull(conversationId);
        ArgumentNullException.ThrowIfNull(text);
        ApiResult? failure = _core.TrySendUserMessage(projectId, conversationId, text, out Task<DeliveryRecord>? delivery, out _);
        if (failure is not null)
        {
            throw new InvalidOperationException(failure.ErrorMessage);
        }

        return delivery!.WaitAsync(cancellationToken);
    }

    /// <summary>Completes when every event delivery started so far has finished (each takes at most 5 s).</summary>
    public Task WaitForDeliveriesAsync(CancellationToken cancellationToken = default) => _core.Events.WhenIdleAsync(cancellationToken);

    /// <summary>Forgets all integrations, conversations, messages, deliveries, faults and log entries; restores the initial shape.</summary>
    public void Reset() => _core.Reset();

    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            return;
        }

        // First end what waits (fault delays, deliveries), so the server's drain is immediate.
        _core.BeginStop();
        try
        {
            await _app.StopAsync();
        }
        finally
        {
            await _core.DisposeAsync();
            await _app.DisposeAsync();
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync();

    /// <summary>
    /// Replaces the default console lifetime, which would hook Ctrl+C and SIGTERM of whatever process
    /// hosts the emulator (a test runner, say). The command line handles signals itself.
    /// </summary>
    private sealed class QuietLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
