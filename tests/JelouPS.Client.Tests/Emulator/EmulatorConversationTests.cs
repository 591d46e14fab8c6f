using System.Net;
using System.Text.Json;
using System.Threading.Tasks;
using JelouPS.Emulator;
using Xunit;

namespace JelouPS.Tests.EmulatorContract;

/// <summary>Start, close and get a conversation (jelou-api.md §4.6–4.8).</summary>
public sealed class EmulatorConversationTests : EmulatorTestBase
{
    [Fact]
    public async Task A_conversation_goes_from_active_to_closed()
    {
        await CreateIntegrationAsync("p1");

        Reply started = await PostAsync(Api("p1", "/conversations/start"),
            """{"botId":"bot-1","userId":"user-1","initialMessage":"Hola","metadata":{"ticketId":"T-1"},"assignment":{"type":"queue","target":"SUPPORT"}}""");
        string id = started.Data.GetProperty("_id").GetString()!;
        Reply active = await GetAsync(Api("p1", "/conversations/" + id));
        Reply closed = await PostAsync(Api("p1", "/conversations/close"), """{"botId":"bot-1","userId":"user-1","redirectPayload":{"type":"text","text":"Bye"}}""");
        Reply after = await GetAsync(Api("p1", "/conversations/" + id));

        Assert.Equal(HttpStatusCode.OK, started.Status);
        Assert.Equal("Conversation started successfully", started.Json.GetProperty("message")[0].GetString());
        Assert.Equal(["_id", "roomId", "state", "startAt", "User", "Bot"], MemberNames(started.Data));
        Assert.Equal("active", started.Data.GetProperty("state").GetString());
        Assert.Equal("""{"id":"user-1"}""", started.Data.GetProperty("User").GetRawText());
        Assert.Equal("""{"id":"bot-1"}""", started.Data.GetProperty("Bot").GetRawText());

        Assert.Equal(HttpStatusCode.OK, active.Status);
        Assert.Equal("Conversation retrieved successfully", active.Json.GetProperty("message")[0].GetString());
        Assert.Equal(["_id", "roomId", "state", "startAt", "User", "Bot"], MemberNames(active.Data));
        Assert.Equal(["id", "names", "referenceId"], MemberNames(active.Data.GetProperty("User")));

        Assert.Equal(HttpStatusCode.OK, closed.Status);
        Assert.Equal("Conversation closed successfully", closed.Json.GetProperty("message")[0].GetString());
        Assert.Equal(["_id", "roomId", "state", "startAt", "endAt", "endedReason", "User", "Bot"], MemberNames(after.Data));
        Assert.Equal("closed", after.Data.GetProperty("state").GetString());
        Assert.Equal("closed_by_operator", after.Data.GetProperty("endedReason").GetString());
        Assert.Equal(started.Data.GetProperty("roomId").GetString(), after.Data.GetProperty("roomId").GetString());

        ConversationRecord record = Emulator.FindConversation("p1", id)!;
        Assert.Equal("Hola", record.InitialMessage);
        Assert.Equal("""{"ticketId":"T-1"}""", record.MetadataJson);
        Assert.Equal(("queue", "SUPPORT"), (record.AssignmentType, record.AssignmentTarget));
        Assert.Equal("""{"type":"text","text":"Bye"}""", record.RedirectPayloadJson);
    }

    [Fact]
    public async Task The_flat_shape_returns_the_conversation_itself()
    {
        await CreateIntegrationAsync("p1");
        Emulator.Shape = ResponseShape.Flat;

        Reply started = await PostAsync(Api("p1", "/conversations/start"), """{"botId":"b","userId":"u"}""");

        Assert.Equal(["_id", "roomId", "state", "startAt", "User", "Bot"], MemberNames(started.Json));
    }

    [Theory]
    [InlineData("""{}""", new[] { "botId", "userId" })]
    [InlineData("""{"botId":1,"userId":""}""", new[] { "botId", "userId" })]
    [InlineData("""{"botId":"b","userId":"u","metadata":"x","initialMessage":5}""", new[] { "initialMessage", "metadata" })]
    [InlineData("""{"botId":"b","userId":"u","assignment":{"type":"robot"}}""", new[] { "assignment.target", "assignment.type" })]
    [InlineData("""{"botId":"b","userId":"u","assignment":{"type":"team","target":"t","priority":1}}""", new[] { "assignment.priority" })]
    [InlineData("""{"botId":"b","userId":"u","bot_id":"b"}""", new[] { "bot_id" })]
    public async Task An_invalid_start_is_422_naming_every_field(string body, string[] fields)
    {
        await CreateIntegrationAsync("p1");

        Reply reply = await PostAsync(Api("p1", "/conversations/start"), body);

        AssertError(reply, HttpStatusCode.UnprocessableEntity, "VALIDATION_ERROR");
        Assert.Equal(fields, InvalidFields(reply));
    }

    [Fact]
    public async Task Starting_needs_an_integration()
    {
        Reply reply = await PostAsync(Api("nobody", "/conversations/start"), """{"botId":"b","userId":"u"}""");

        AssertError(reply, HttpStatusCode.NotFound, "NOT_FOUND");
    }

    [Fact]
    public async Task A_user_has_one_active_conversation_per_bot()
    {
        await CreateIntegrationAsync("p1");
        await StartConversationAsync("p1", "bot-1", "user-1");

        Reply twice = await PostAsync(Api("p1", "/conversations/start"), """{"botId":"bot-1","userId":"user-1"}""");
        Reply otherBot = await PostAsync(Api("p1", "/conversations/start"), """{"botId":"bot-2","userId":"user-1"}""");
        await PostAsync(Api("p1", "/conversations/close"), """{"botId":"bot-1","userId":"user-1"}""");
        Reply again = await PostAsync(Api("p1", "/conversations/start"), """{"botId":"bot-1","userId":"user-1"}""");

        AssertError(twice, HttpStatusCode.Conflict, "CONFLICT");
        Assert.Equal(HttpStatusCode.OK, otherBot.Status);
        Assert.Equal(HttpStatusCode.OK, again.Status);
    }

    [Fact]
    public async Task Closing_without_an_active_conversation_is_404()
    {
        await CreateIntegrationAsync("p1");

        Reply reply = await PostAsync(Api("p1", "/conversations/close"), """{"botId":"b","userId":"u"}""");

        AssertError(reply, HttpStatusCode.NotFound, "NOT_FOUND");
    }

    [Theory]
    [InlineData("""{"botId":"b"}""", new[] { "userId" })]
    [InlineData("""{"botId":"b","userId":"u","redirectPayload":{"type":"text"}}""", new[] { "redirectPayload.text" })]
    [InlineData("""{"botId":"b","userId":"u","redirectPayload":{"type":"text","text":"x","edge":"y"}}""", new[] { "redirectPayload.edge" })]
    [InlineData("""{"botId":"b","userId":"u","redirectPayload":{"type":"flow"}}""", new[] { "redirectPayload.type" })]
    [InlineData("""{"botId":"b","userId":"u","redirectPayload":"bye"}""", new[] { "redirectPayload" })]
    public async Task An_invalid_close_is_422(string body, string[] fields)
    {
        await CreateIntegrationAsync("p1");
        await StartConversationAsync("p1", "b", "u");

        Reply reply = await PostAsync(Api("p1", "/conversations/close"), body);

        AssertError(reply, HttpStatusCode.UnprocessableEntity, "VALIDATION_ERROR");
        Assert.Equal(fields, InvalidFields(reply));
    }

    [Fact]
    public async Task An_edge_redirect_passes_its_other_members_through()
    {
        await CreateIntegrationAsync("p1");
        (string id, _) = await StartConversationAsync("p1", "b", "u");

        Reply reply = await PostAsync(Api("p1", "/conversations/close"), """{"botId":"b","userId":"u","redirectPayload":{"type":"edge","edgeId":"e-1"}}""");

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal("""{"type":"edge","edgeId":"e-1"}""", Emulator.FindConversation("p1", id)!.RedirectPayloadJson);
    }

    [Fact]
    public async Task A_conversation_is_found_only_in_its_own_project()
    {
        await CreateIntegrationAsync("p1");
        await CreateIntegrationAsync("p2");
        (string id, _) = await StartConversationAsync("p1");

        AssertError(await GetAsync(Api("p2", "/conversations/" + id)), HttpStatusCode.NotFound, "NOT_FOUND");
        AssertError(await GetAsync(Api("p1", "/conversations/000000000000000000000000")), HttpStatusCode.NotFound, "NOT_FOUND");
    }

    [Fact]
    public async Task Conversation_endpoints_need_credentials()
    {
        await CreateIntegrationAsync("p1");

        AssertError(await PostAsync(Api("p1", "/conversations/start"), """{"botId":"b","userId":"u"}""", Auth.None), HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        AssertError(await GetAsync(Api("p1", "/conversations/x"), Auth.WrongApiKey), HttpStatusCode.Unauthorized, "UNAUTHORIZED");
    }
}
