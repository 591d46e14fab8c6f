using System.Net;
using System.Net.Http;
using System.Text;
using System.Threading.Tasks;
using JelouPS.Emulator;
using Xunit;

namespace JelouPS.Tests.EmulatorContract;

/// <summary>The chatbot host's reply endpoint (§4.9): signed with the project's current secret, nothing else.</summary>
public sealed class EmulatorAgentReplyTests : EmulatorTestBase
{
    private string _secret = null!;
    private string _roomId = null!;
    private string _conversationId = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _secret = await CreateIntegrationAsync("p1");
        (_conversationId, _roomId) = await StartConversationAsync("p1", "bot-1", "user-1");
    }

    [Fact]
    public async Task A_correctly_signed_text_reply_is_accepted()
    {
        byte[] body = Reply(Text("Hi, an agent here"));

        Reply reply = await PostSignedAsync(body, Sign(body, _secret));

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal("""{"message":["Message received"],"statusMessage":"success","status":1}""", reply.Body);
        AgentMessage message = Assert.Single(Emulator.AgentMessages);
        Assert.Equal(("p1", _conversationId, _roomId, "bot-1", "user-1"), (message.ProjectId, message.ConversationId, message.RoomId, message.BotId, message.UserId));
        Assert.Equal(("msg-1", "text", "Hi, an agent here"), (message.MessageId, message.Type, message.Text));
        Assert.Equal(Encoding.UTF8.GetString(body), message.RawBody);
        Assert.Equal("none", Emulator.Requests[^1].Authentication);
    }

    [Fact]
    public async Task A_reply_whose_text_escapes_a_lone_surrogate_is_accepted_and_stored_as_sent()
    {
        // Valid JSON that Node reads as one UTF-16 unit; System.Text.Json's GetString refuses it.
        byte[] body = Reply(Text("""half \ud800 a pair"""));

        Reply reply = await PostSignedAsync(body, Sign(body, _secret));

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        AgentMessage message = Assert.Single(Emulator.AgentMessages);
        Assert.Equal("half \ud800 a pair", message.Text);
        Assert.Equal(Encoding.UTF8.GetString(body), message.RawBody);
    }

    [Theory]
    [InlineData("image", """{"url":"https://cdn.example.com/a.jpg","mime_type":"image/jpeg","caption":"look"}""")]
    [InlineData("video", """{"url":"https://cdn.example.com/a.mp4","mime_type":"video/mp4"}""")]
    [InlineData("audio", """{"url":"https://cdn.example.com/a.ogg","mime_type":"audio/ogg"}""")]
    [InlineData("document", """{"url":"https://cdn.example.com/a.pdf","mime_type":"application/pdf","filename":"a.pdf"}""")]
    public async Task Media_replies_are_accepted(string type, string content)
    {
        byte[] body = Reply($$"""{"id":"m-{{type}}","type":"{{type}}","content":{{content}}}""");

        Reply reply = await PostSignedAsync(body, Sign(body, _secret));

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        AgentMessage message = Assert.Single(Emulator.AgentMessages);
        Assert.Equal(type, message.Type);
        Assert.StartsWith("https://cdn.example.com/", message.Url);
        Assert.NotNull(message.MimeType);
    }

    [Fact]
    public async Task A_missing_signature_is_401()
    {
        byte[] body = Reply(Text("x"));

        Reply reply = await PostSignedAsync(body, signature: null);

        AssertError(reply, HttpStatusCode.Unauthorized, "INVALID_SIGNATURE");
        Assert.Empty(Emulator.AgentMessages);
    }

    [Fact]
    public async Task A_signature_with_the_wrong_key_or_over_other_bytes_is_401()
    {
        byte[] body = Reply(Text("x"));
        byte[] reformatted = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(body).Replace(",", ", "));

        AssertError(await PostSignedAsync(body, Sign(body, "not-the-secret")), HttpStatusCode.Unauthorized, "INVALID_SIGNATURE");
        AssertError(await PostSignedAsync(reformatted, Sign(body, _secret)), HttpStatusCode.Unauthorized, "INVALID_SIGNATURE");
        AssertError(await PostSignedAsync(body, Sign(body, _secret).ToUpperInvariant()), HttpStatusCode.Unauthorized, "INVALID_SIGNATURE");
        AssertError(await PostSignedAsync(body, Sign(body, _secret)[7..]), HttpStatusCode.Unauthorized, "INVALID_SIGNATURE");
        Assert.Empty(Emulator.AgentMessages);
    }

    [Fact]
    public async Task An_api_key_is_no_substitute_for_the_signature()
    {
        byte[] body = Reply(Text("x"));
        using var request = Request(body, null);
        request.Headers.Add("x-api-key", ApiKey);

        using HttpResponseMessage response = await Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task After_regenerate_the_old_secret_is_dead_and_the_new_one_works()
    {
        Reply rotated = await PostAsync(Api("p1", "/secret/regenerate"), string.Empty);
        string fresh = rotated.Data.GetProperty("signingSecret").GetString()!;
        byte[] body = Reply(Text("after rotation"));

        Reply withOld = await PostSignedAsync(body, Sign(body, _secret));
        Reply withNew = await PostSignedAsync(body, Sign(body, fresh));

        AssertError(withOld, HttpStatusCode.Unauthorized, "INVALID_SIGNATURE");
        Assert.Equal(HttpStatusCode.OK, withNew.Status);
    }

    [Fact]
    public async Task A_reply_for_a_project_without_integration_is_404()
    {
        byte[] body = Reply(Text("x"), projectId: "nobody");

        AssertError(await PostSignedAsync(body, Sign(body, _secret)), HttpStatusCode.NotFound, "NOT_FOUND");
    }

    [Theory]
    [InlineData("""{"id":"m","type":"text","content":{"body":""}}""", "value.content.body")]
    [InlineData("""{"id":"m","type":"sticker","content":{}}""", "value.type")]
    [InlineData("""{"type":"text","content":{"body":"x"}}""", "value.id")]
    [InlineData("""{"id":"m","type":"text","content":{"text":"x"}}""", "value.content.body,value.content.text")]
    [InlineData("""{"id":"m","type":"image","content":{"url":"http://cdn.example.com/a.jpg","mime_type":"image/jpeg"}}""", "value.content.url")]
    [InlineData("""{"id":"m","type":"audio","content":{"url":"https://cdn.example.com/a.ogg","mime_type":"audio/ogg","caption":"x"}}""", "value.content.caption")]
    [InlineData("""{"id":"m","type":"document","content":{"url":"https://cdn.example.com/a.pdf"}}""", "value.content.mime_type")]
    [InlineData("""{"id":"m","type":"image","caption":"x","content":{"url":"https://cdn.example.com/a.jpg","mime_type":"image/jpeg"}}""", "value.caption")]
    public async Task Invalid_values_are_422(string value, string fields)
    {
        byte[] body = Reply(value);

        Reply reply = await PostSignedAsync(body, Sign(body, _secret));

        AssertError(reply, HttpStatusCode.UnprocessableEntity, "VALIDATION_ERROR");
        Assert.Equal(fields.Split(','), InvalidFields(reply));
    }

    [Fact]
    public async Task The_fixed_members_and_the_room_are_checked()
    {
        string json = $$"""{"field":"message","object":"message_event","event_type":"message","project_id":"p1","room_id":"{{_roomId}}","bot_id":"bot-9","user_id":"user-1","value":{{Text("x")}}}""";
        byte[] body = Encoding.UTF8.GetBytes(json);

        Reply reply = await PostSignedAsync(body, Sign(body, _secret));

        AssertError(reply, HttpStatusCode.UnprocessableEntity, "VALIDATION_ERROR");
        Assert.Equal(["bot_id", "event_type", "field"], InvalidFields(reply));
    }

    [Fact]
    public async Task A_reply_to_a_closed_conversation_is_422()
    {
        await PostAsync(Api("p1", "/conversations/close"), """{"botId":"bot-1","userId":"user-1"}""");
        byte[] body = Reply(Text("too late"));

        Reply reply = await PostSignedAsync(body, Sign(body, _secret));

        AssertError(reply, HttpStatusCode.UnprocessableEntity, "VALIDATION_ERROR");
        Assert.Equal(["room_id"], InvalidFields(reply));
    }

    private static string Text(string text) => $$$"""{"id":"msg-1","type":"text","content":{"body":"{{{text}}}"}}""";

    private byte[] Reply(string value, string projectId = "p1") => Encoding.UTF8.GetBytes(
        $$"""{"field":"messages","object":"message_event","event_type":"incoming_message","project_id":"{{projectId}}","room_id":"{{_roomId}}","bot_id":"bot-1","user_id":"user-1","value":{{value}}}""");

    private static HttpRequestMessage Request(byte[] body, string? signature)
    {
        var content = new ByteArrayContent(body);
        content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
        var request = new HttpRequestMessage(HttpMethod.Post, "v1/external-support/webhook") { Content = content };
        if (signature is not null)
        {
            request.Headers.TryAddWithoutValidation("X-Jelou-Signature", signature);
        }

        return request;
    }

    private async Task<Reply> PostSignedAsync(byte[] body, string? signature)
    {
        using HttpRequestMessage request = Request(body, signature);
        using HttpResponseMessage response = await Http.SendAsync(request);
        return new Reply(response.StatusCode, await response.Content.ReadAsStringAsync(), response.Headers, response.Content.Headers.ContentType?.MediaType);
    }
}
