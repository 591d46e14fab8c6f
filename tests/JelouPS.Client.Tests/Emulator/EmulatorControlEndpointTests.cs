using System;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text.Json;
using System.Threading.Tasks;
using JelouPS.Emulator;
using Xunit;

namespace JelouPS.Tests.EmulatorContract;

/// <summary>/_emulator/…: the child-process equivalent of the in-process API.</summary>
public sealed class EmulatorControlEndpointTests : EmulatorTestBase
{
    [Fact]
    public async Task Requests_are_listed_and_cleared_and_control_calls_are_not_logged()
    {
        await GetAsync(Api("p1"));

        Reply listed = await SendAsync(HttpMethod.Get, "_emulator/requests", auth: Auth.None);
        Reply cleared = await SendAsync(HttpMethod.Delete, "_emulator/requests", auth: Auth.None);
        Reply empty = await SendAsync(HttpMethod.Get, "_emulator/requests", auth: Auth.None);

        Assert.Equal(HttpStatusCode.OK, listed.Status);
        JsonElement entry = Assert.Single(listed.Json.EnumerateArray());
        Assert.Equal("/jelouapi/v1/external-support/p1", entry.GetProperty("path").GetString());
        Assert.Equal("api-key", entry.GetProperty("authentication").GetString());
        Assert.Equal(404, entry.GetProperty("responseStatus").GetInt32());
        Assert.Equal("[REDACTED]", entry.GetProperty("headers").GetProperty("x-api-key").GetString());
        Assert.Equal(HttpStatusCode.NoContent, cleared.Status);
        Assert.Equal("[]", empty.Body);
        Assert.Empty(Emulator.Requests);
    }

    [Fact]
    public async Task The_shape_can_be_switched()
    {
        Reply put = await SendAsync(HttpMethod.Put, "_emulator/shape", """{"shape":"flat"}""", Auth.None);
        Reply created = await PostAsync(Api("p1"), $$"""{"webhookUrl":"{{HttpsHook}}"}""");
        Reply bad = await SendAsync(HttpMethod.Put, "_emulator/shape", """{"shape":"xml"}""", Auth.None);

        Assert.Equal("""{"shape":"flat"}""", put.Body);
        Assert.Equal(ResponseShape.Flat, Emulator.Shape);
        Assert.True(created.Json.TryGetProperty("signingSecret", out _));
        AssertError(bad, HttpStatusCode.BadRequest, "VALIDATION_ERROR");
    }

    [Fact]
    public async Task Faults_can_be_queued()
    {
        Reply queued = await SendAsync(HttpMethod.Post, "_emulator/faults",
            """{"method":"GET","pathContains":"/p1","status":429,"body":"slow down","contentType":"text/plain","delayMs":10,"retryAfter":"5","count":2}""", Auth.None);

        Reply first = await GetAsync(Api("p1"));
        Reply second = await GetAsync(Api("p1"));
        Reply third = await GetAsync(Api("p1"));

        Assert.Equal(HttpStatusCode.Created, queued.Status);
        Assert.Equal((HttpStatusCode)429, first.Status);
        Assert.Equal("slow down", first.Body);
        Assert.Equal("text/plain", first.MediaType);
        Assert.Equal(TimeSpan.FromSeconds(5), first.Headers.RetryAfter?.Delta);
        Assert.Equal((HttpStatusCode)429, second.Status);
        Assert.Equal(HttpStatusCode.NotFound, third.Status);
    }

    [Fact]
    public async Task An_answer_a_delay_holds_back_is_let_go_on_release()
    {
        await SendAsync(HttpMethod.Post, "_emulator/faults", """{"method":"GET","pathContains":"/held","status":503,"delayMs":600000}""", Auth.None);
        Task<Reply> held = GetAsync(Api("held"));
        await Emulator.WaitForRequestAsync(r => r.Path.EndsWith("/held", StringComparison.Ordinal)).WaitAsync(TimeSpan.FromSeconds(10));

        Reply released = await SendAsync(HttpMethod.Post, "_emulator/faults/release", auth: Auth.None);

        Assert.Equal(HttpStatusCode.NoContent, released.Status);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await held.WaitAsync(TimeSpan.FromSeconds(10))).Status);
    }

    [Theory]
    [InlineData("""{"status":99}""")]
    [InlineData("""{"status":"500"}""")]
    [InlineData("""{"count":0}""")]
    [InlineData("""{"delayMs":-1}""")]
    [InlineData("""{"statusCode":500}""")]
    [InlineData("""{"neverEnd":"yes"}""")]
    [InlineData("""{"headers":{"X-A":1}}""")]
    [InlineData("""{"padToBytes":-1}""")]
    [InlineData("""{"neverEnd":true,"closeWithoutAnswer":true}""")]
    [InlineData("not json")]
    public async Task A_malformed_fault_is_400(string body)
    {
        Reply reply = await SendAsync(HttpMethod.Post, "_emulator/faults", body, Auth.None);

        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
    }

    [Fact]
    public async Task An_integration_is_shown_without_its_credential_or_secret()
    {
        string secret = await CreateIntegrationAsync("a b/c", authType: "api_key", authorization: "receiver-key-77");

        Reply reply = await SendAsync(HttpMethod.Get, "_emulator/integrations/" + Uri.EscapeDataString("a b/c"), auth: Auth.None);
        Reply missing = await SendAsync(HttpMethod.Get, "_emulator/integrations/nobody", auth: Auth.None);

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal("a b/c", reply.Json.GetProperty("projectId").GetString());
        Assert.Equal("api_key", reply.Json.GetProperty("authType").GetString());
        Assert.True(reply.Json.GetProperty("hasAuthorization").GetBoolean());
        Assert.DoesNotContain(secret, reply.Body);
        Assert.DoesNotContain("receiver-key-77", reply.Body);
        Assert.DoesNotContain("\"authorization\"", reply.Body);
        Assert.DoesNotContain("signingSecret", reply.Body);
        AssertError(missing, HttpStatusCode.NotFound, "NOT_FOUND");
    }

    [Fact]
    public async Task Reset_forgets_everything_and_restores_the_initial_shape()
    {
        await CreateIntegrationAsync("p1");
        Emulator.Shape = ResponseShape.Flat;
        Emulator.EnqueueFault(new EmulatorFault { Status = 500, PathContains = "never-called" });

        Reply reset = await SendAsync(HttpMethod.Post, "_emulator/reset", auth: Auth.None);

        Assert.Equal(HttpStatusCode.NoContent, reset.Status);
        Assert.Null(Emulator.FindIntegration("p1"));
        Assert.Empty(Emulator.Requests);
        Assert.Equal(ResponseShape.Envelope, Emulator.Shape);
        Assert.Equal(HttpStatusCode.NotFound, (await GetAsync(Api("never-called"))).Status);
    }

    [Fact]
    public async Task Unknown_control_routes_are_404()
    {
        AssertError(await SendAsync(HttpMethod.Get, "_emulator/nothing", auth: Auth.None), HttpStatusCode.NotFound, "NOT_FOUND");
    }

    [Theory]
    [InlineData("http://0.0.0.0:0")]
    [InlineData("http://192.0.2.1:0")]
    [InlineData("http://example.com:0")]
    [InlineData("https://127.0.0.1:0")]
    [InlineData("http://127.0.0.1:0/base")]
    public async Task Only_plain_http_on_loopback_is_accepted_as_a_listen_url(string url)
    {
        await Assert.ThrowsAsync<ArgumentException>(() => JelouEmulator.StartAsync(new EmulatorOptions { Url = url }));
    }

    [Fact]
    public async Task Localhost_binds_ipv4_loopback_and_the_uris_follow_the_bound_port()
    {
        await using JelouEmulator emulator = await JelouEmulator.StartAsync(new EmulatorOptions { Url = "http://localhost:0" });

        Assert.Equal("127.0.0.1", emulator.BaseAddress.Host);
        Assert.NotEqual(0, emulator.BaseAddress.Port);
        Assert.Equal("/", emulator.BaseAddress.AbsolutePath);
        Assert.Equal(emulator.BaseAddress + "jelouapi", emulator.GatewayUri.ToString());
        Assert.Equal(emulator.BaseAddress, emulator.ChatbotUri);
        Assert.NotEqual(Emulator.BaseAddress.Port, emulator.BaseAddress.Port);
    }
}
