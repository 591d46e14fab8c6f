using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;
using JelouPS.Emulator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Xunit;

// Not "…Tests.Emulator": that namespace would shadow JelouPS.Emulator for code in JelouPS.Tests.
namespace JelouPS.Tests.EmulatorContract;

public enum Auth
{
    ApiKey,
    Basic,
    None,
    WrongApiKey,
    WrongBasic,
}

/// <summary>A response read in full.</summary>
public sealed record Reply(HttpStatusCode Status, string Body, HttpResponseHeaders Headers, string? MediaType)
{
    public JsonElement Json => JsonDocument.Parse(Body).RootElement.Clone();

    /// <summary>The success payload: <c>data</c> of an envelope, else the body.</summary>
    public JsonElement Data => Json.TryGetProperty("data", out JsonElement data) ? data : Json;

    public override string ToString() => $"{(int)Status} {Body}";
}

/// <summary>A fresh emulator per test (xunit makes one class instance per test), driven by a plain HttpClient.</summary>
public abstract class EmulatorTestBase : IAsyncLifetime
{
    protected const string ApiKey = EmulatorOptions.DefaultApiKey;
    protected const string HttpsHook = "https://crm.example.com/webhook/jelou";

    protected JelouEmulator Emulator { get; private set; } = null!;
    protected HttpClient Http { get; private set; } = null!;

    public virtual async Task InitializeAsync()
    {
        Emulator = await JelouEmulator.StartAsync(CreateOptions());
        Http = new HttpClient { BaseAddress = Emulator.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    public virtual async Task DisposeAsync()
    {
        Http.Dispose();
        await Emulator.DisposeAsync();
    }

    protected virtual EmulatorOptions CreateOptions() => new();

    /// <summary>Management path with the project id escaped as a client must.</summary>
    protected static string Api(string projectId, string suffix = "", string prefix = "jelouapi") =>
        $"{prefix}/v1/external-support/{Uri.EscapeDataString(projectId)}{suffix}";

    protected async Task<Reply> SendAsync(HttpMethod method, string path, string? json = null, Auth auth = Auth.ApiKey,
        string contentType = "application/json", Action<HttpRequestHeaders>? headers = null, HttpClient? client = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (json is not null)
        {
            request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(json));
            request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        }

        switch (auth)
        {
            case Auth.ApiKey:
                request.Headers.Add("x-api-key", ApiKey);
                break;
            case Auth.WrongApiKey:
                request.Headers.Add("x-api-key", "not-the-key");
                break;
            case Auth.Basic:
                request.Headers.Authorization = Basic(EmulatorOptions.DefaultClientId, EmulatorOptions.DefaultClientSecret);
                break;
            case Auth.WrongBasic:
                request.Headers.Authorization = Basic(EmulatorOptions.DefaultClientId, "wrong-secret");
                break;
        }

        headers?.Invoke(request.Headers);
        using HttpResponseMessage response = await (client ?? Http).SendAsync(request);
        return new Reply(response.StatusCode, await response.Content.ReadAsStringAsync(), response.Headers, response.Content.Headers.ContentType?.MediaType);
    }

    protected Task<Reply> PostAsync(string path, string json, Auth auth = Auth.ApiKey) => SendAsync(HttpMethod.Post, path, json, auth);

    protected Task<Reply> GetAsync(string path, Auth auth = Auth.ApiKey) => SendAsync(HttpMethod.Get, path, null, auth);

    /// <summary>Creates an integration and returns its signing secret.</summary>
    protected async Task<string> CreateIntegrationAsync(string projectId, string webhookUrl = HttpsHook, string? authType = null, string? authorization = null)
    {
        var body = new Dictionary<string, string> { ["webhookUrl"] = webhookUrl };
        if (authType is not null)
        {
            body["authType"] = authType;
        }

        if (authorization is not null)
        {
            body["authorization"] = authorization;
        }

        Reply reply = await PostAsync(Api(projectId), JsonSerializer.Serialize(body));
        Assert.True(reply.Status == HttpStatusCode.OK, reply.ToString());
        return reply.Data.GetProperty("signingSecret").GetString()!;
    }

    /// <summary>Starts a conversation and returns (conversation id, room id).</summary>
    protected async Task<(string Id, string RoomId)> StartConversationAsync(string projectId, string botId = "bot-1", string userId = "user-1")
    {
        Reply reply = await PostAsync(Api(projectId, "/conversations/start"), $$"""{"botId":"{{botId}}","userId":"{{userId}}"}""");
        Assert.True(reply.Status == HttpStatusCode.OK, reply.ToString());
        return (reply.Data.GetProperty("_id").GetString()!, reply.Data.GetProperty("roomId").GetString()!);
    }

    protected static AuthenticationHeaderValue Basic(string id, string secret) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(id + ":" + secret)));

    /// <summary>The test's own reading of §6, independent of the emulator's code.</summary>
    protected static string Sign(byte[] body, string secret) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));

    protected static string[] MemberNames(JsonElement element) => element.EnumerateObject().Select(p => p.Name).ToArray();

    protected static void AssertError(Reply reply, HttpStatusCode status, string code)
    {
        Assert.True(reply.Status == status, reply.ToString());
        Assert.Equal("application/json", reply.MediaType);
        JsonElement body = reply.Json;
        Assert.Equal(["message", "statusMessage", "status", "error", "validationError"], MemberNames(body));
        Assert.Equal(JsonValueKind.String, body.GetProperty("message").ValueKind);
        Assert.Equal("error", body.GetProperty("statusMessage").GetString());
        Assert.Equal(0, body.GetProperty("status").GetInt32());
        JsonElement error = body.GetProperty("error");
        Assert.Equal(["code", "key", "description", "developerMessages", "clientMessages"], MemberNames(error));
        Assert.Equal(code, error.GetProperty("code").GetString());
        Assert.StartsWith("external_support.", error.GetProperty("key").GetString());
        Assert.Equal(JsonValueKind.Object, body.GetProperty("validationError").ValueKind);
        Assert.True(Guid.TryParse(reply.Headers.GetValues("x-request-id").Single(), out _));
    }

    /// <summary>The fields named in validationError, each with at least one message.</summary>
    protected static string[] InvalidFields(Reply reply) =>
        reply.Json.GetProperty("validationError").EnumerateObject()
            .Where(p => p.Value.GetArrayLength() > 0)
            .Select(p => p.Name)
            .OrderBy(n => n, StringComparer.Ordinal)
            .ToArray();
}

/// <summary>What a webhook receiver was sent.</summary>
public sealed record ReceivedWebhook(string Method, string Path, IReadOnlyDictionary<string, string> Headers, byte[] Body)
{
    public JsonElement Json => JsonDocument.Parse(Body).RootElement.Clone();

    public string? Header(string name) => Headers.TryGetValue(name, out string? value) ? value : null;
}

/// <summary>A minimal Kestrel receiver on 127.0.0.1:0 that queues what it gets.</summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly Channel<ReceivedWebhook> _received = Channel.CreateUnbounded<ReceivedWebhook>();
    private WebApplication? _app;

    public Uri Url { get; private set; } = null!;

    /// <summary>The status answered to every delivery.</summary>
    public int Status { get; set; } = 200;

    /// <summary>A Location header for every answer (to act as a redirecting server).</summary>
    public Uri? Location { get; set; }

    /// <summary>Answers with a JSON message that quotes the Authorization header received, as careless receivers do.</summary>
    public bool EchoAuthorization { get; set; }

    public static async Task<WebhookReceiver> StartAsync()
    {
        var receiver = new WebhookReceiver();
        WebApplicationBuilder builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        receiver._app = builder.Build();
        receiver._app.Run(receiver.HandleAsync);
        await receiver._app.StartAsync();
        receiver.Url = new Uri(receiver._app.Urls.First() + "/hooks/jelou");
        return receiver;
    }

    /// <summary>The next delivery; fails the test after 10 s rather than hang.</summary>
    public async Task<ReceivedWebhook> NextAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        return await _received.Reader.ReadAsync(timeout.Token);
    }

    public bool TryTake(out ReceivedWebhook? received) => _received.Reader.TryRead(out received);

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var buffer = new System.IO.MemoryStream();
        await context.Request.Body.CopyToAsync(buffer);
        var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        _received.Writer.TryWrite(new ReceivedWebhook(context.Request.Method, context.Request.Path.Value ?? string.Empty, headers, buffer.ToArray()));
        context.Response.StatusCode = Status;
        if (Location is not null) context.Response.Headers.Location = Location.ToString();
        if (EchoAuthorization)
        {
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(System.Text.Json.JsonSerializer.Serialize(new { message = "bad credentials: " + context.Request.Headers.Authorization }));
        }
    }
}
