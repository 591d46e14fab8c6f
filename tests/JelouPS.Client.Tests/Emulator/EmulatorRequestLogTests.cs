using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text;
using System.Threading.Tasks;
using JelouPS.Emulator;
using Xunit;

namespace JelouPS.Tests.EmulatorContract;

/// <summary>The request log is printed by tests and demos, so it must never hold a secret.</summary>
public sealed class EmulatorRequestLogTests : EmulatorTestBase
{
    private const string CustomKey = "log-test-api-key-5f1c";
    private const string ClientId = "log-client";
    private const string ClientSecret = "log-client-secret-9a7e";

    protected override EmulatorOptions CreateOptions()
    {
        var options = new EmulatorOptions();
        options.ApiKeys.Add(CustomKey);
        options.ClientCredentials[ClientId] = ClientSecret;
        return options;
    }

    [Fact]
    public async Task No_secret_appears_anywhere_in_the_log()
    {
        var secrets = new List<string> { ApiKey, CustomKey, ClientSecret, "webhook-token-one", "webhook-token-two" };
        secrets.Add(Convert.ToBase64String(Encoding.UTF8.GetBytes(ClientId + ":" + ClientSecret)));

        // Create (authorization in the body), read with Basic, patch a new credential, rotate, start, reply.
        Reply created = await SendAsync(HttpMethod.Post, Api("p1"), """{"webhookUrl":"https://crm.example.com/h","authType":"bearer","authorization":"webhook-token-one"}""",
            Auth.None, headers: h => h.Add("x-api-key", CustomKey));
        secrets.Add(created.Data.GetProperty("signingSecret").GetString()!);
        await SendAsync(HttpMethod.Get, Api("p1"), auth: Auth.None, headers: h => h.Authorization = Basic(ClientId, ClientSecret));
        await SendAsync(HttpMethod.Patch, Api("p1"), """{"authorization":"webhook-token-two"}""");
        Reply rotated = await SendAsync(HttpMethod.Post, Api("p1", "/secret/regenerate"));
        string secret = rotated.Data.GetProperty("signingSecret").GetString()!;
        secrets.Add(secret);
        (_, string roomId) = await StartConversationAsync("p1");
        byte[] reply = Encoding.UTF8.GetBytes(
            "{\"field\":\"messages\",\"object\":\"message_event\",\"event_type\":\"incoming_message\",\"project_id\":\"p1\",\"room_id\":\"" + roomId
            + "\",\"bot_id\":\"bot-1\",\"user_id\":\"user-1\",\"value\":{\"id\":\"m1\",\"type\":\"text\",\"content\":{\"body\":\"hi\"}}}");
        using var content = new ByteArrayContent(reply);
        content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/external-support/webhook") { Content = content };
        request.Headers.Add("X-Jelou-Signature", Sign(reply, secret));
        Assert.Equal(HttpStatusCode.OK, (await Http.SendAsync(request)).StatusCode);

        IReadOnlyList<RecordedRequest> log = Emulator.Requests;
        string controlView = await Http.GetStringAsync("_emulator/requests");

        Assert.Equal(6, log.Count);
        Assert.All(log, entry => Assert.False(entry.SecretsRedacted));
        foreach (string text in log.SelectMany(Texts).Append(controlView))
        {
            foreach (string s in secrets)
            {
                Assert.DoesNotContain(s, text);
            }
        }

        Assert.Equal("[REDACTED]", log[0].Headers["x-api-key"]);
        Assert.Equal("[REDACTED]", log[1].Headers["Authorization"]);
        Assert.Equal("""{"webhookUrl":"https://crm.example.com/h","authType":"bearer","authorization":"[REDACTED]"}""", log[0].Body);
        Assert.Equal(["api-key", "basic", "api-key", "api-key", "api-key", "none"], log.Select(r => r.Authentication));
    }

    [Fact]
    public async Task A_secret_leaked_outside_its_place_is_scrubbed_and_flagged()
    {
        string secret = await CreateIntegrationAsync("p1");

        await SendAsync(HttpMethod.Get, Api("p1") + "?key=" + ApiKey, headers: h => h.Add("X-Debug", "secret is " + secret));
        await SendAsync(HttpMethod.Patch, Api("p1"), $$"""{"webhookUrl":"https://crm.example.com/{{secret}}"}""");

        RecordedRequest get = Emulator.Requests[^2];
        RecordedRequest patch = Emulator.Requests[^1];
        Assert.True(get.SecretsRedacted);
        Assert.Equal("key=[REDACTED]", get.Query);
        Assert.Equal("secret is [REDACTED]", get.Headers["X-Debug"]);
        Assert.True(patch.SecretsRedacted);
        Assert.DoesNotContain(secret, patch.Body);
        Assert.False(Emulator.Requests[0].SecretsRedacted);
    }

    [Fact]
    public async Task Overlapping_secrets_are_masked_whole_so_no_part_of_either_survives()
    {
        string secret = await CreateIntegrationAsync("p1");
        string credential = secret[^6..] + "-tail";
        await SendAsync(HttpMethod.Patch, Api("p1"), $$"""{"authType":"bearer","authorization":"{{credential}}"}""");

        await SendAsync(HttpMethod.Get, Api("p1"), headers: h => h.Add("X-Debug", $"a {secret}-tail and ab {credential}"));

        RecordedRequest get = Emulator.Requests[^1];
        Assert.True(get.SecretsRedacted);
        Assert.Equal("a [REDACTED] and ab [REDACTED]", get.Headers["X-Debug"]);
    }

    [Fact]
    public async Task Bodies_are_recorded_verbatim_except_authorization_members_at_any_depth()
    {
        const string body = "{ \"webhookUrl\" : \"https://crm.example.com/ñ\",\n \"x\": {\"Authorization\": {\"nested\": 1}}, \"authorization\":null }";

        await PostAsync(Api("p1"), body);

        RecordedRequest entry = Emulator.Requests[^1];
        Assert.Equal("{ \"webhookUrl\" : \"https://crm.example.com/ñ\",\n \"x\": {\"Authorization\": \"[REDACTED]\"}, \"authorization\":\"[REDACTED]\" }", entry.Body);
        Assert.Equal(Encoding.UTF8.GetByteCount(body), entry.BodyLength);
        Assert.Equal("application/json", entry.ContentType);
        Assert.Equal(422, entry.ResponseStatus);
    }

    [Fact]
    public async Task An_authorization_in_a_broken_json_body_is_still_redacted()
    {
        await SendAsync(HttpMethod.Post, Api("p1"), """{"webhookUrl":"https://x.example.com","authorization":"tok-\"quoted\"-end" """);

        RecordedRequest entry = Emulator.Requests[^1];
        Assert.DoesNotContain("tok-", entry.Body);
        Assert.Contains("\"authorization\":\"[REDACTED]\"", entry.Body);
        Assert.Equal(400, entry.ResponseStatus);
    }

    [Fact]
    public async Task The_raw_path_and_query_are_recorded_as_received()
    {
        await GetAsync(Api("a b/c") + "?x=%2F&y=1");

        RecordedRequest entry = Assert.Single(Emulator.Requests);
        Assert.Equal("GET", entry.Method);
        Assert.Equal("/jelouapi/v1/external-support/a%20b%2Fc", entry.Path);
        Assert.Equal("x=%2F&y=1", entry.Query);
        Assert.Equal(404, entry.ResponseStatus);
        Assert.Equal(string.Empty, entry.Body);
    }

    [Fact]
    public async Task ClearRequests_empties_the_log()
    {
        await GetAsync(Api("p1"));

        Emulator.ClearRequests();

        Assert.Empty(Emulator.Requests);
    }

    private static IEnumerable<string> Texts(RecordedRequest r) =>
        new[] { r.Method, r.Path, r.Query, r.ContentType ?? string.Empty, r.Body, r.ToString() }
            .Concat(r.Headers.Keys)
            .Concat(r.Headers.Values);
}
