using System;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text.Json;
using System.Threading.Tasks;
using JelouPS.Emulator;
using Xunit;

namespace JelouPS.Tests.EmulatorContract;

/// <summary>Surface B: signed events delivered to a loopback receiver, checked by the test's own HMAC.</summary>
public sealed class EmulatorEventDeliveryTests : EmulatorTestBase
{
    private WebhookReceiver _receiver = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _receiver = await WebhookReceiver.StartAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    [Fact]
    public async Task Starting_a_conversation_delivers_a_signed_conversation_start()
    {
        string secret = await CreateIntegrationAsync("p1", _receiver.Url.ToString(), "bearer", "receiver-token");
        long before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

        Reply started = await PostAsync(Api("p1", "/conversations/start"),
            """{"botId":"bot-1","userId":"user-1","metadata":{"ticketId":"T-1","n":[1,2]},"assignment":{"type":"operator","target":"agent-7"}}""");
        ReceivedWebhook hook = await _receiver.NextAsync();

        Assert.Equal("POST", hook.Method);
        Assert.Equal("/hooks/jelou", hook.Path);
        Assert.StartsWith("application/json", hook.Header("Content-Type"));
        Assert.Equal(Sign(hook.Body, secret), hook.Header("X-Jelou-Signature"));
        Assert.Equal("Bearer receiver-token", hook.Header("Authorization"));
        Assert.Null(hook.Header("X-API-Key"));
        JsonElement e = hook.Json;
        Assert.Equal(["event", "timestamp", "project_id", "room_id", "conversation", "contact", "bot", "assignment", "metadata"], MemberNames(e));
        Assert.Equal("conversation.start", e.GetProperty("event").GetString());
        Assert.InRange(e.GetProperty("timestamp").GetInt64(), before - 1000, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + 1000);
        Assert.Equal("p1", e.GetProperty("project_id").GetString());
        Assert.Equal(started.Data.GetProperty("roomId").GetString(), e.GetProperty("room_id").GetString());
        Assert.Equal(started.Data.GetProperty("_id").GetString(), e.GetProperty("conversation").GetProperty("id").GetString());
        Assert.Equal("user-1", e.GetProperty("contact").GetProperty("id").GetString());
        Assert.Equal("bot-1", e.GetProperty("bot").GetProperty("id").GetString());
        Assert.Equal("""{"type":"operator","target":"agent-7"}""", e.GetProperty("assignment").GetRawText());
        Assert.Equal("""{"ticketId":"T-1","n":[1,2]}""", e.GetProperty("metadata").GetRawText());

        await Emulator.WaitForDeliveriesAsync().WaitAsync(TimeSpan.FromSeconds(10));
        DeliveryRecord delivery = Assert.Single(Emulator.Deliveries);
        Assert.Equal(("conversation.start", 200, true), (delivery.Event, delivery.Status, delivery.Succeeded));
        Assert.Equal(System.Text.Encoding.UTF8.GetString(hook.Body), delivery.Body);
        Assert.Equal(hook.Header("X-Jelou-Signature"), delivery.Signature);
        Assert.DoesNotContain("receiver-token", delivery.ToString());
    }

    [Theory]
    [InlineData("api_key", "k-123", "X-API-Key", "k-123")]
    [InlineData("basic", "dXNlcjpwYXNz", "Authorization", "Basic dXNlcjpwYXNz")]
    [InlineData("bearer", "t-456", "Authorization", "Bearer t-456")]
    public async Task The_auth_type_decides_the_header_the_receiver_gets(string authType, string authorization, string header, string expected)
    {
        await CreateIntegrationAsync("p1", _receiver.Url.ToString(), authType, authorization);

        await StartConversationAsync("p1");
        ReceivedWebhook hook = await _receiver.NextAsync();

        Assert.Equal(expected, hook.Header(header));
    }

    [Fact]
    public async Task No_auth_sends_only_the_signature()
    {
        string secret = await CreateIntegrationAsync("p1", _receiver.Url.ToString());

        await StartConversationAsync("p1");
        ReceivedWebhook hook = await _receiver.NextAsync();

        Assert.Null(hook.Header("Authorization"));
        Assert.Null(hook.Header("X-API-Key"));
        Assert.Equal(Sign(hook.Body, secret), hook.Header("X-Jelou-Signature"));
    }

    [Fact]
    public async Task Closing_delivers_conversation_close_with_reason_and_redirect_payload()
    {
        string secret = await CreateIntegrationAsync("p1", _receiver.Url.ToString());
        (string id, string roomId) = await StartConversationAsync("p1");
        await _receiver.NextAsync();

        await PostAsync(Api("p1", "/conversations/close"), """{"botId":"bot-1","userId":"user-1","redirectPayload":{"type":"text","text":"Adiós"}}""");
        ReceivedWebhook hook = await _receiver.NextAsync();

        Assert.Equal(Sign(hook.Body, secret), hook.Header("X-Jelou-Signature"));
        JsonElement e = hook.Json;
        Assert.Equal(["event", "timestamp", "project_id", "room_id", "conversation", "contact", "bot", "reason", "redirect_payload"], MemberNames(e));
        Assert.Equal("conversation.close", e.GetProperty("event").GetString());
        Assert.Equal(roomId, e.GetProperty("room_id").GetString());
        Assert.Equal(id, e.GetProperty("conversation").GetProperty("id").GetString());
        Assert.Equal("closed_by_operator", e.GetProperty("reason").GetString());
        Assert.Equal("Adiós", e.GetProperty("redirect_payload").GetProperty("text").GetString());
        Assert.Contains("Adiós", System.Text.Encoding.UTF8.GetString(hook.Body));
    }

    [Fact]
    public async Task A_user_message_is_a_documented_message_event()
    {
        string secret = await CreateIntegrationAsync("p1", _receiver.Url.ToString());
        (string id, string roomId) = await StartConversationAsync("p1");
        await _receiver.NextAsync();

        DeliveryRecord delivery = await Emulator.SendUserMessageAsync("p1", id, "Hello \"agent\" / ñ").WaitAsync(TimeSpan.FromSeconds(10));
        ReceivedWebhook hook = await _receiver.NextAsync();

        Assert.Equal(200, delivery.Status);
        Assert.Equal(Sign(hook.Body, secret), hook.Header("X-Jelou-Signature"));
        JsonElement e = hook.Json;
        Assert.Equal(["field", "object", "event_type", "timestamp", "project_id", "room_id", "contact", "conversation", "bot", "value"], MemberNames(e));
        Assert.Equal(("messages", "message_event", "message"), (e.GetProperty("field").GetString(), e.GetProperty("object").GetString(), e.GetProperty("event_type").GetString()));
        Assert.Equal(roomId, e.GetProperty("room_id").GetString());
        Assert.Equal(["id", "name"], MemberNames(e.GetProperty("contact")));
        Assert.Equal(["id", "name"], MemberNames(e.GetProperty("bot")));
        JsonElement value = e.GetProperty("value");
        Assert.Equal(["id", "type", "content"], MemberNames(value));
        Assert.Equal("text", value.GetProperty("type").GetString());
        Assert.Equal("Hello \"agent\" / ñ", value.GetProperty("content").GetProperty("body").GetString());
        Assert.Contains("/ ñ", System.Text.Encoding.UTF8.GetString(hook.Body));
    }

    [Fact]
    public async Task A_user_message_can_be_triggered_over_http()
    {
        await CreateIntegrationAsync("p1", _receiver.Url.ToString());
        (string id, _) = await StartConversationAsync("p1");
        await _receiver.NextAsync();

        Reply accepted = await SendAsync(HttpMethod.Post, $"_emulator/conversations/p1/{id}/user-message", """{"text":"from the shell"}""", Auth.None);
        ReceivedWebhook hook = await _receiver.NextAsync();
        Reply unknown = await SendAsync(HttpMethod.Post, "_emulator/conversations/p1/nope/user-message", """{"text":"x"}""", Auth.None);

        Assert.Equal(HttpStatusCode.Accepted, accepted.Status);
        Assert.Equal(id, accepted.Json.GetProperty("conversationId").GetString());
        Assert.Equal("from the shell", hook.Json.GetProperty("value").GetProperty("content").GetProperty("body").GetString());
        Assert.Equal(accepted.Json.GetProperty("messageId").GetString(), hook.Json.GetProperty("value").GetProperty("id").GetString());
        AssertError(unknown, HttpStatusCode.NotFound, "NOT_FOUND");
    }

    [Fact]
    public async Task A_closed_conversation_takes_no_user_message()
    {
        await CreateIntegrationAsync("p1", _receiver.Url.ToString());
        (string id, _) = await StartConversationAsync("p1");
        await PostAsync(Api("p1", "/conversations/close"), """{"botId":"bot-1","userId":"user-1"}""");

        await Assert.ThrowsAsync<InvalidOperationException>(() => Emulator.SendUserMessageAsync("p1", id, "x"));
    }

    [Fact]
    public async Task Events_are_signed_with_the_current_secret_after_regenerate()
    {
        await CreateIntegrationAsync("p1", _receiver.Url.ToString());
        Reply rotated = await PostAsync(Api("p1", "/secret/regenerate"), string.Empty);

        await StartConversationAsync("p1");
        ReceivedWebhook hook = await _receiver.NextAsync();

        Assert.Equal(Sign(hook.Body, rotated.Data.GetProperty("signingSecret").GetString()!), hook.Header("X-Jelou-Signature"));
    }

    [Fact]
    public async Task A_failing_receiver_is_recorded_and_not_retried()
    {
        _receiver.Status = 500;
        await CreateIntegrationAsync("p1", _receiver.Url.ToString());

        await StartConversationAsync("p1");
        await _receiver.NextAsync();
        await Emulator.WaitForDeliveriesAsync().WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(500, Assert.Single(Emulator.Deliveries).Status);
        Assert.False(_receiver.TryTake(out _));
    }

    [Fact]
    public async Task Non_loopback_webhooks_are_never_contacted()
    {
        await CreateIntegrationAsync("p1", "https://crm.example.com/hook");

        await StartConversationAsync("p1");
        await Emulator.WaitForDeliveriesAsync().WaitAsync(TimeSpan.FromSeconds(10));

        DeliveryRecord delivery = Assert.Single(Emulator.Deliveries);
        Assert.Null(delivery.Status);
        Assert.Contains("loopback", delivery.Error);
    }

    [Fact]
    public async Task An_unreachable_receiver_is_recorded_as_an_error()
    {
        Uri url = _receiver.Url;
        await _receiver.DisposeAsync();
        await CreateIntegrationAsync("p1", url.ToString());

        await StartConversationAsync("p1");
        await Emulator.WaitForDeliveriesAsync().WaitAsync(TimeSpan.FromSeconds(10));

        DeliveryRecord delivery = Assert.Single(Emulator.Deliveries);
        Assert.Null(delivery.Status);
        Assert.False(string.IsNullOrEmpty(delivery.Error));
        Reply listed = await SendAsync(HttpMethod.Get, "_emulator/deliveries", auth: Auth.None);
        Assert.Equal("conversation.start", listed.Json.EnumerateArray().Single().GetProperty("event").GetString());
    }
}
