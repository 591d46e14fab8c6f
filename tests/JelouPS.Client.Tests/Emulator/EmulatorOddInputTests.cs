using System.Linq;
using System.Net;
using System.Net.Http;
using System.Threading.Tasks;
using Xunit;

namespace JelouPS.Tests.EmulatorContract;

/// <summary>Valid but unusual JSON gets a 2xx or a 4xx, never a 500.</summary>
public sealed class EmulatorOddInputTests : EmulatorTestBase
{
    // A lone surrogate escape, in a value and in a member name.
    private const string Lone = "\\ud800";

    [Fact]
    public async Task Lone_surrogates_in_values_and_member_names_never_make_a_500()
    {
        Reply created = await PostAsync(Api("p1"), $$$"""{"webhookUrl":"https://crm.example.com/{{{Lone}}}"}""");
        Reply unknownMember = await PostAsync(Api("p2"), $$$"""{"webhookUrl":"{{{HttpsHook}}}","{{{Lone}}}":1}""");
        Reply started = await PostAsync(Api("p1", "/conversations/start"),
            $$$"""{"botId":"bot{{{Lone}}}","userId":"user-1","initialMessage":"{{{Lone}}}","metadata":{"{{{Lone}}}":["{{{Lone}}}",1.50,null]},"assignment":{"type":"queue","target":"{{{Lone}}}"}}""");
        Reply badEnum = await PostAsync(Api("p1", "/conversations/start"), $$$"""{"botId":"b","userId":"u","assignment":{"type":"{{{Lone}}}","target":"t"}}""");
        Reply closed = await PostAsync(Api("p1", "/conversations/close"), $$$"""{"botId":"bot{{{Lone}}}","userId":"user-1","redirectPayload":{"type":"text","text":"{{{Lone}}}"}}""");
        Reply shape = await SendAsync(HttpMethod.Put, "_emulator/shape", $$$"""{"shape":"{{{Lone}}}"}""", Auth.None);
        Reply fault = await SendAsync(HttpMethod.Post, "_emulator/faults", $$$"""{"{{{Lone}}}count":1,"count":0}""", Auth.None);
        Reply logged = await SendAsync(HttpMethod.Post, Api("p3"), $$$"""{"{{{Lone}}}authorization":"x","authorization":"{{{Lone}}}"}""");

        Assert.Equal(HttpStatusCode.OK, created.Status);
        AssertError(unknownMember, HttpStatusCode.UnprocessableEntity, "VALIDATION_ERROR");
        Assert.Equal(HttpStatusCode.OK, started.Status);
        Assert.Equal("""{"\uFFFD":["\uFFFD",1.50,null]}""", Emulator.FindConversation("p1", started.Data.GetProperty("_id").GetString()!)!.MetadataJson);
        AssertError(badEnum, HttpStatusCode.UnprocessableEntity, "VALIDATION_ERROR");
        Assert.Equal(HttpStatusCode.OK, closed.Status);
        AssertError(shape, HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        AssertError(fault, HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        AssertError(logged, HttpStatusCode.UnprocessableEntity, "VALIDATION_ERROR");
        Assert.Contains("\"authorization\":\"[REDACTED]\"", Emulator.Requests[^1].Body);
        Assert.DoesNotContain(Emulator.Requests, r => r.ResponseStatus >= 500);
    }
}
