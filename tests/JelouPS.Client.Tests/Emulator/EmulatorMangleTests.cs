using System;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using JelouPS.Emulator;
using Xunit;

namespace JelouPS.Tests.EmulatorContract;

/// <summary>
/// Real calls, mangled answers: the request is handled for real (the secret is really issued), then its
/// answer goes out changed, so a client's tests can prove that an issued secret reaches the user.
/// </summary>
public sealed class EmulatorMangleTests : EmulatorTestBase
{
    private static readonly string CreateBody = $$"""{"webhookUrl":"{{HttpsHook}}"}""";

    [Theory]
    [MemberData(nameof(AllMangles))]
    public async Task Every_mangle_creates_the_integration_for_real_and_keeps_the_secret_out_of_the_log(ResponseMangle mangle)
    {
        Emulator.EnqueueFault(new EmulatorFault { Mangle = mangle, PadToBytes = mangle == ResponseMangle.OversizedAfterSecret ? 4096 : null });

        Wire wire = await CreateAsync();

        Assert.Equal(HttpStatusCode.OK, wire.Status);
        Assert.NotNull(Emulator.FindIntegration("p1"));
        bool secretSent = mangle is not (ResponseMangle.EmptyObject or ResponseMangle.EnvelopeWithoutData or ResponseMangle.HtmlBody);
        Assert.Equal(secretSent, wire.Text.Contains(wire.Secret, StringComparison.Ordinal));
        RecordedRequest entry = Assert.Single(Emulator.Requests);
        Assert.False(entry.SecretsRedacted);
        Assert.DoesNotContain(wire.Secret, entry.Body + string.Concat(entry.Headers.Values) + entry.ToString());
        Assert.Equal(mangle == ResponseMangle.ResetAfterSecret, entry.Aborted);
    }

    public static TheoryData<ResponseMangle> AllMangles => new(Enum.GetValues<ResponseMangle>());

    [Fact]
    public async Task Intact_sends_the_real_answer()
    {
        Emulator.EnqueueFault(new EmulatorFault { Mangle = ResponseMangle.Intact });

        Wire wire = await CreateAsync();

        Assert.Equal("application/json", wire.MediaType);
        Assert.Equal(wire.Secret, wire.Json.GetProperty("data").GetProperty("signingSecret").GetString());
    }

    [Fact]
    public async Task CutAfterSecret_ends_a_whole_answer_right_after_the_secrets_closing_quote()
    {
        Emulator.EnqueueFault(new EmulatorFault { Mangle = ResponseMangle.CutAfterSecret });

        Wire wire = await CreateAsync();

        Assert.EndsWith($"\"signingSecret\":\"{wire.Secret}\"", wire.Text);
        Assert.StartsWith("{\"message\":[\"Integration created successfully\"]", wire.Text);
        Assert.Equal(wire.Bytes.Length, wire.ContentLength);
        Assert.Null(wire.Failure);
    }

    [Fact]
    public async Task CutAfterSecret_on_an_answer_without_a_secret_cuts_after_its_first_string_member()
    {
        await CreateIntegrationAsync("p1");
        Emulator.EnqueueFault(new EmulatorFault { Mangle = ResponseMangle.CutAfterSecret, Method = "GET" });

        Wire wire = await ExchangeAsync(HttpMethod.Get, Api("p1"));

        Assert.Equal("{\"message\":[\"Integration retrieved successfully\"],\"statusMessage\":\"success\"", wire.Text);
    }

    [Fact]
    public async Task TrailingBytes_Bom_and_ArrayRoot_wrap_the_real_json()
    {
        Wire[] wires = await CreateEachAsync(ResponseMangle.TrailingBytes, ResponseMangle.Bom, ResponseMangle.ArrayRoot);

        (Wire trailing, Wire bom, Wire array) = (wires[0], wires[1], wires[2]);
        Assert.EndsWith("}garbage", trailing.Text);
        Assert.Equal(trailing.Secret, SecretOf(JsonDocument.Parse(trailing.Bytes.AsMemory(0, trailing.Bytes.Length - 7)).RootElement));
        Assert.Equal([0xEF, 0xBB, 0xBF, (byte)'{'], bom.Bytes[..4]);
        Assert.Equal(bom.Secret, SecretOf(JsonDocument.Parse(bom.Bytes.AsMemory(3)).RootElement));
        Assert.Equal(array.Secret, SecretOf(Assert.Single(array.Json.EnumerateArray())));
    }

    [Theory]
    [InlineData(ResponseShape.Envelope)]
    [InlineData(ResponseShape.Flat)]
    public async Task DataAsString_puts_the_payloads_json_in_a_data_string(ResponseShape shape)
    {
        Emulator.Shape = shape;
        Emulator.EnqueueFault(new EmulatorFault { Mangle = ResponseMangle.DataAsString });

        Wire wire = await CreateAsync();

        JsonElement data = JsonDocument.Parse(wire.Json.GetProperty("data").GetString()!).RootElement;
        Assert.Equal(wire.Secret, data.GetProperty("signingSecret").GetString());
        if (shape == ResponseShape.Flat)
        {
            // The flat body keeps its members; data holds all of them but itself.
            Assert.Equal(wire.Secret, wire.Json.GetProperty("signingSecret").GetString());
            Assert.Equal(MemberNames(data).Append("data"), MemberNames(wire.Json));
        }
    }

    [Fact]
    public async Task LoneSurrogateInOtherField_breaks_webhookUrl_and_leaves_the_secret_readable()
    {
        Emulator.EnqueueFault(new EmulatorFault { Mangle = ResponseMangle.LoneSurrogateInOtherField });

        Wire wire = await CreateAsync();

        JsonElement data = wire.Json.GetProperty("data");
        Assert.Contains($"\"webhookUrl\":\"{HttpsHook}\\ud800\"", wire.Text);
        Assert.Throws<InvalidOperationException>(() => data.GetProperty("webhookUrl").GetString());
        Assert.Equal(wire.Secret, data.GetProperty("signingSecret").GetString());
    }

    [Fact]
    public async Task ResetAfterSecret_announces_the_whole_body_and_cuts_the_connection_after_the_secret()
    {
        Emulator.EnqueueFault(new EmulatorFault { Mangle = ResponseMangle.ResetAfterSecret });

        Wire wire = await CreateAsync();

        Assert.EndsWith($"\"signingSecret\":\"{wire.Secret}\"", wire.Text);
        Assert.True(wire.ContentLength > wire.Bytes.Length);
        Assert.IsAssignableFrom<IOException>(wire.Failure);
    }

    [Fact]
    public async Task NeverEndAfterSecret_sends_up_to_the_secret_and_then_nothing()
    {
        Emulator.EnqueueFault(new EmulatorFault { Mangle = ResponseMangle.NeverEndAfterSecret });

        Wire wire = await CreateAsync();

        // CreateAsync stops reading there: the answer was still open.
        Assert.EndsWith($"\"signingSecret\":\"{wire.Secret}\"", wire.Text);
        Assert.IsAssignableFrom<OperationCanceledException>(wire.Failure);
    }

    [Fact]
    public async Task OversizedAfterSecret_streams_valid_json_of_exactly_PadToBytes_with_filler_after_the_secret()
    {
        Emulator.EnqueueFault(new EmulatorFault { Mangle = ResponseMangle.OversizedAfterSecret, PadToBytes = 1024 * 1024 });

        Wire wire = await CreateAsync();

        Assert.Equal(1024 * 1024, wire.Bytes.Length);
        JsonElement data = wire.Json.GetProperty("data");
        Assert.Equal(["id", "brainId", "webhookUrl", "authType", "signingSecret", "filler", "createdAt"], MemberNames(data));
        Assert.Equal(wire.Secret, data.GetProperty("signingSecret").GetString());
        Assert.True(data.GetProperty("filler").GetString()!.All(c => c == ' '));
    }

    [Fact]
    public async Task OversizedAfterSecret_is_50_MiB_unless_PadToBytes_says_otherwise()
    {
        Emulator.EnqueueFault(new EmulatorFault { Mangle = ResponseMangle.OversizedAfterSecret });
        using var request = new HttpRequestMessage(HttpMethod.Post, Api("p1")) { Content = JsonContent(CreateBody) };
        request.Headers.Add("x-api-key", ApiKey);

        using HttpResponseMessage response = await Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);

        Assert.Equal(50L * 1024 * 1024, response.Content.Headers.ContentLength);
    }

    [Fact]
    public async Task MissingFields_and_ExtraFields_change_the_members_around_the_secret()
    {
        Wire[] wires = await CreateEachAsync(ResponseMangle.MissingFields, ResponseMangle.ExtraFields);

        (Wire missing, Wire extra) = (wires[0], wires[1]);
        Assert.Equal(["brainId", "authType", "signingSecret"], MemberNames(missing.Json.GetProperty("data")));
        Assert.Equal(["message", "statusMessage", "status", "data", "emulatorExtra"], MemberNames(extra.Json));
        Assert.Equal("emulatorExtra", MemberNames(extra.Json.GetProperty("data"))[^1]);
        Assert.Equal(extra.Secret, SecretOf(extra.Json));
    }

    [Fact]
    public async Task WrongContentType_EmptyObject_EnvelopeWithoutData_and_HtmlBody_lose_the_secret_of_a_real_create()
    {
        Wire[] wires = await CreateEachAsync(ResponseMangle.WrongContentType, ResponseMangle.EmptyObject, ResponseMangle.EnvelopeWithoutData, ResponseMangle.HtmlBody);

        (Wire html, Wire empty, Wire noData, Wire page) = (wires[0], wires[1], wires[2], wires[3]);
        Assert.Equal("text/html", html.MediaType);
        Assert.Equal(html.Secret, SecretOf(html.Json));
        Assert.Equal("{}", empty.Text);
        Assert.Equal("""{"message":["Integration created successfully"],"statusMessage":"success","status":1}""", noData.Text);
        Assert.Equal((HttpStatusCode.OK, "text/html"), (page.Status, page.MediaType));
        Assert.StartsWith("<!DOCTYPE html>", page.Text);
        Assert.All(["p1", "p2", "p3", "p4"], p => Assert.NotNull(Emulator.FindIntegration(p)));
    }

    [Fact]
    public async Task A_mangled_regenerate_carries_the_new_secret_and_the_old_one_is_dead()
    {
        string old = await CreateIntegrationAsync("p1");
        Emulator.EnqueueFault(new EmulatorFault { Mangle = ResponseMangle.CutAfterSecret });

        Wire wire = await ExchangeAsync(HttpMethod.Post, Api("p1", "/secret/regenerate"));

        Assert.NotEqual(old, wire.Secret);
        Assert.EndsWith($"\"signingSecret\":\"{wire.Secret}\"", wire.Text);
    }

    [Fact]
    public async Task Status_overrides_and_the_transport_properties_apply_to_the_mangled_answer()
    {
        Emulator.EnqueueFault(new EmulatorFault { Mangle = ResponseMangle.HtmlBody, Status = 502, PathContains = "p1" });
        Emulator.EnqueueFault(new EmulatorFault { Mangle = ResponseMangle.Intact, ResetAfterBytes = 10, PathContains = "p2" });

        Wire gateway = await CreateAsync("p1");
        Wire cut = await CreateAsync("p2");

        Assert.Equal(HttpStatusCode.BadGateway, gateway.Status);
        Assert.Equal("{\"message\"", cut.Text);
        Assert.IsAssignableFrom<IOException>(cut.Failure);
        Assert.NotNull(Emulator.FindIntegration("p1"));
        Assert.NotNull(Emulator.FindIntegration("p2"));
    }

    [Fact]
    public async Task Intact_with_CloseWithoutAnswer_creates_the_integration_and_loses_the_answer()
    {
        Emulator.EnqueueFault(new EmulatorFault { Mangle = ResponseMangle.Intact, CloseWithoutAnswer = true });

        await Assert.ThrowsAsync<HttpRequestException>(() => PostAsync(Api("p1"), CreateBody));

        Assert.NotNull(Emulator.FindIntegration("p1"));
        RecordedRequest entry = Assert.Single(Emulator.Requests);
        Assert.Equal((200, true), (entry.ResponseStatus, entry.Aborted));
        AssertError(await PostAsync(Api("p1"), CreateBody), HttpStatusCode.Conflict, "CONFLICT");
    }

    [Fact]
    public async Task A_mangled_request_is_handled_before_its_delay()
    {
        await using WebhookReceiver receiver = await WebhookReceiver.StartAsync();
        await CreateIntegrationAsync("p1", receiver.Url.ToString());
        Emulator.EnqueueFault(new EmulatorFault { Mangle = ResponseMangle.Intact, Delay = TimeSpan.FromMinutes(10) });
        using var giveUp = new CancellationTokenSource();

        Task<HttpResponseMessage> pending = Http.SendAsync(Authorized(HttpMethod.Post, Api("p1", "/conversations/start"), """{"botId":"b","userId":"u"}"""), giveUp.Token);
        ReceivedWebhook started = await receiver.NextAsync();
        giveUp.Cancel();

        Assert.Equal("conversation.start", started.Json.GetProperty("event").GetString());
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending);
    }

    [Fact]
    public async Task Mangles_can_be_queued_over_http_by_name()
    {
        Reply queued = await SendAsync(HttpMethod.Post, "_emulator/faults", """{"mangle":"CutAfterSecret","pathContains":"p1"}""", Auth.None);
        Reply lowerCase = await SendAsync(HttpMethod.Post, "_emulator/faults", """{"mangle":"cutaftersecret"}""", Auth.None);
        Reply withBody = await SendAsync(HttpMethod.Post, "_emulator/faults", """{"mangle":"Intact","body":"x"}""", Auth.None);

        Wire wire = await CreateAsync();

        Assert.Equal(HttpStatusCode.Created, queued.Status);
        Assert.Equal("CutAfterSecret", queued.Json.GetProperty("mangle").GetString());
        Assert.Equal(JsonValueKind.Null, queued.Json.GetProperty("status").ValueKind);
        AssertError(lowerCase, HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        Assert.Equal(["body"], InvalidFields(withBody));
        Assert.EndsWith($"\"signingSecret\":\"{wire.Secret}\"", wire.Text);
    }

    /// <summary>What reached the client, and the secret the emulator really holds for the project now.</summary>
    private sealed record Wire(HttpStatusCode Status, string? MediaType, long? ContentLength, byte[] Bytes, Exception? Failure, string Secret)
    {
        public string Text => Encoding.UTF8.GetString(Bytes);

        public JsonElement Json => JsonDocument.Parse(Bytes).RootElement;
    }

    /// <summary>Creates p1, p2, … each through a fault with the next mangle.</summary>
    private async Task<Wire[]> CreateEachAsync(params ResponseMangle[] mangles)
    {
        var wires = new Wire[mangles.Length];
        for (int i = 0; i < mangles.Length; i++)
        {
            Emulator.EnqueueFault(new EmulatorFault { Mangle = mangles[i] });
            wires[i] = await CreateAsync($"p{i + 1}");
        }

        return wires;
    }

    private Task<Wire> CreateAsync(string projectId = "p1") => ExchangeAsync(HttpMethod.Post, Api(projectId), CreateBody);

    /// <summary>Reads until the end, a failure, or (for an answer held open) the secret's closing quote.</summary>
    private async Task<Wire> ExchangeAsync(HttpMethod method, string path, string? json = null)
    {
        using HttpResponseMessage response = await Http.SendAsync(Authorized(method, path, json), HttpCompletionOption.ResponseHeadersRead);
        string projectId = Uri.UnescapeDataString(path.Split('/')[3]);
        string secret = Emulator.FindIntegration(projectId)!.SigningSecret;
        byte[] end = Encoding.ASCII.GetBytes(secret + "\"");
        var received = new MemoryStream();
        Exception? failure = null;
        using var stop = new CancellationTokenSource();
        try
        {
            Stream body = await response.Content.ReadAsStreamAsync();
            byte[] buffer = new byte[64 * 1024];
            int read;
            while ((read = await body.ReadAsync(buffer, stop.Token)) > 0)
            {
                received.Write(buffer, 0, read);
                if (response.Content.Headers.ContentLength is null && received.ToArray().AsSpan().EndsWith(end))
                {
                    stop.Cancel();
                }
            }
        }
        catch (Exception e)
        {
            failure = e;
        }

        return new Wire(response.StatusCode, response.Content.Headers.ContentType?.MediaType, response.Content.Headers.ContentLength, received.ToArray(), failure, secret);
    }

    private static HttpRequestMessage Authorized(HttpMethod method, string path, string? json)
    {
        var request = new HttpRequestMessage(method, path) { Content = json is null ? null : JsonContent(json) };
        request.Headers.Add("x-api-key", ApiKey);
        return request;
    }

    private static ByteArrayContent JsonContent(string json)
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(json));
        content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
        return content;
    }

    private static string? SecretOf(JsonElement body) =>
        (body.TryGetProperty("data", out JsonElement data) ? data : body).GetProperty("signingSecret").GetString();
}
