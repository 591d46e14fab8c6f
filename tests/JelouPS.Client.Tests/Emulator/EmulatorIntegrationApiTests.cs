using System;
using System.Net;
using System.Net.Http;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using JelouPS.Emulator;
using Xunit;

namespace JelouPS.Tests.EmulatorContract;

/// <summary>Surface A integration endpoints (jelou-api.md §4.1–4.5) as the emulator implements them.</summary>
public sealed class EmulatorIntegrationApiTests : EmulatorTestBase
{
    private static readonly Regex Timestamp = new(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$");
    private static readonly Regex Secret = new("^[0-9a-f]{64}$");
    private static readonly Regex ObjectId = new("^[0-9a-f]{24}$");

    [Theory]
    [InlineData(Auth.None)]
    [InlineData(Auth.WrongApiKey)]
    [InlineData(Auth.WrongBasic)]
    public async Task Requests_without_accepted_credentials_are_401_with_the_error_body(Auth auth)
    {
        Reply reply = await GetAsync(Api("p1"), auth);

        AssertError(reply, HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        Assert.Equal("{}", reply.Json.GetProperty("validationError").GetRawText());
    }

    [Theory]
    [InlineData(Auth.ApiKey)]
    [InlineData(Auth.Basic)]
    public async Task Api_key_and_basic_client_credentials_are_both_accepted(Auth auth)
    {
        Reply reply = await SendAsync(HttpMethod.Post, Api("p1"), $$"""{"webhookUrl":"{{HttpsHook}}"}""", auth);

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal(auth == Auth.ApiKey ? "api-key" : "basic", Emulator.Requests[^1].Authentication);
    }

    [Fact]
    public async Task Create_answers_the_envelope_with_a_fresh_secret_and_defaults_to_no_auth()
    {
        Reply reply = await PostAsync(Api("proj-1"), $$"""{"webhookUrl":"{{HttpsHook}}"}""");

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal(["message", "statusMessage", "status", "data"], MemberNames(reply.Json));
        Assert.Equal("Integration created successfully", reply.Json.GetProperty("message")[0].GetString());
        Assert.Equal("success", reply.Json.GetProperty("statusMessage").GetString());
        Assert.Equal(1, reply.Json.GetProperty("status").GetInt32());
        JsonElement data = reply.Data;
        Assert.Equal(["id", "brainId", "webhookUrl", "authType", "signingSecret", "createdAt"], MemberNames(data));
        Assert.Matches(ObjectId, data.GetProperty("id").GetString());
        Assert.Equal("proj-1", data.GetProperty("brainId").GetString());
        Assert.Equal(HttpsHook, data.GetProperty("webhookUrl").GetString());
        Assert.Equal("no_auth", data.GetProperty("authType").GetString());
        Assert.Matches(Secret, data.GetProperty("signingSecret").GetString());
        Assert.Matches(Timestamp, data.GetProperty("createdAt").GetString());
        Assert.Equal(data.GetProperty("signingSecret").GetString(), Emulator.FindIntegration("proj-1")!.SigningSecret);
    }

    [Fact]
    public async Task Create_answers_the_flat_object_when_the_shape_is_flat()
    {
        Emulator.Shape = ResponseShape.Flat;

        Reply reply = await PostAsync(Api("proj-1"), $$"""{"webhookUrl":"{{HttpsHook}}","authType":"bearer","authorization":"tok-1"}""");

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal(["id", "brainId", "webhookUrl", "authType", "signingSecret", "createdAt"], MemberNames(reply.Json));
        Assert.Equal("bearer", reply.Json.GetProperty("authType").GetString());
        Assert.Equal("tok-1", Emulator.FindIntegration("proj-1")!.Authorization);
    }

    [Fact]
    public async Task Each_integration_gets_its_own_secret()
    {
        string first = await CreateIntegrationAsync("a");
        string second = await CreateIntegrationAsync("b");

        Assert.NotEqual(first, second);
    }

    [Theory]
    [InlineData(ResponseShape.Envelope)]
    [InlineData(ResponseShape.Flat)]
    public async Task Get_never_returns_the_secret_or_the_webhook_credential(ResponseShape shape)
    {
        string secret = await CreateIntegrationAsync("proj-1", authType: "bearer", authorization: "webhook-token-123");
        Emulator.Shape = shape;

        Reply reply = await GetAsync(Api("proj-1"));

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal(["id", "brainId", "webhookUrl", "authType", "createdAt", "updatedAt"], MemberNames(reply.Data));
        Assert.DoesNotContain(secret, reply.Body);
        Assert.DoesNotContain("webhook-token-123", reply.Body);
        if (shape == ResponseShape.Envelope)
        {
            Assert.Equal("Integration retrieved successfully", reply.Json.GetProperty("message")[0].GetString());
        }
    }

    [Fact]
    public async Task Get_of_an_unknown_project_is_404()
    {
        AssertError(await GetAsync(Api("nobody")), HttpStatusCode.NotFound, "NOT_FOUND");
    }

    [Fact]
    public async Task An_invalid_create_is_422_naming_every_offending_field()
    {
        Reply reply = await PostAsync(Api("proj-1"), """{"webhookUrl":"http://crm.example.com/hook","authType":"Bearer","webhookURL":"x"}""");

        AssertError(reply, HttpStatusCode.UnprocessableEntity, "VALIDATION_ERROR");
        Assert.Equal(["authType", "webhookURL", "webhookUrl"], InvalidFields(reply));
        Assert.Equal("webhookUrl must be an HTTPS URL", reply.Json.GetProperty("validationError").GetProperty("webhookUrl")[0].GetString());
        Assert.Null(Emulator.FindIntegration("proj-1"));
    }

    [Theory]
    [InlineData("""{}""", "webhookUrl")]
    [InlineData("""{"webhookUrl":42}""", "webhookUrl")]
    [InlineData("""{"webhookUrl":"not a url"}""", "webhookUrl")]
    [InlineData("""{"webhookUrl":"ftp://crm.example.com/hook"}""", "webhookUrl")]
    [InlineData("""{"webhookUrl":"https://crm.example.com/h","authType":"bearer"}""", "authorization")]
    [InlineData("""{"webhookUrl":"https://crm.example.com/h","authType":"api_key","authorization":"  "}""", "authorization")]
    [InlineData("""{"webhookUrl":"https://crm.example.com/h","authType":"no_auth","authorization":"x"}""", "authorization")]
    [InlineData("""{"webhookUrl":"https://crm.example.com/h","authorization":"x"}""", "authorization")]
    [InlineData("""{"webhookUrl":"https://crm.example.com/h","authType":"basic","authorization":7}""", "authorization")]
    public async Task Create_field_rules(string body, string field)
    {
        Reply reply = await PostAsync(Api("proj-1"), body);

        AssertError(reply, HttpStatusCode.UnprocessableEntity, "VALIDATION_ERROR");
        Assert.Equal([field], InvalidFields(reply));
    }

    [Theory]
    [InlineData("http://127.0.0.1:8080/hook")]
    [InlineData("http://127.9.9.9/hook")]
    [InlineData("http://localhost:5000/hook")]
    [InlineData("http://[::1]:5000/hook")]
    [InlineData("https://crm.example.com/hook?x=1")]
    public async Task Https_or_loopback_http_webhooks_are_accepted(string url)
    {
        Reply reply = await PostAsync(Api("proj-1"), $$"""{"webhookUrl":"{{url}}","authType":"no_auth"}""");

        Assert.Equal(HttpStatusCode.OK, reply.Status);
    }

    [Theory]
    [InlineData("{\"webhookUrl\":", "application/json")]
    [InlineData("[]", "application/json")]
    [InlineData("\"https://crm.example.com/h\"", "application/json")]
    [InlineData("{\"webhookUrl\":\"https://crm.example.com/h\"}", "text/plain")]
    [InlineData("webhookUrl=https://crm.example.com/h", "application/x-www-form-urlencoded")]
    public async Task A_body_that_is_not_a_json_object_is_400(string body, string contentType)
    {
        Reply reply = await SendAsync(HttpMethod.Post, Api("proj-1"), body, contentType: contentType);

        AssertError(reply, HttpStatusCode.BadRequest, "BAD_REQUEST");
    }

    [Fact]
    public async Task A_second_create_for_the_same_project_is_409_and_keeps_the_first()
    {
        string secret = await CreateIntegrationAsync("proj-1");

        Reply reply = await PostAsync(Api("proj-1"), """{"webhookUrl":"https://other.example.com/h"}""");

        AssertError(reply, HttpStatusCode.Conflict, "CONFLICT");
        Assert.Equal("An integration already exists for project proj-1", reply.Json.GetProperty("message").GetString());
        Assert.Equal(secret, Emulator.FindIntegration("proj-1")!.SigningSecret);
        Assert.Equal(HttpsHook, Emulator.FindIntegration("proj-1")!.WebhookUrl);
    }

    [Fact]
    public async Task Patch_changes_only_the_members_sent()
    {
        string secret = await CreateIntegrationAsync("proj-1", authType: "bearer", authorization: "tok-1");
        IntegrationRecord before = Emulator.FindIntegration("proj-1")!;

        Reply reply = await SendAsync(HttpMethod.Patch, Api("proj-1"), """{"webhookUrl":"https://crm.example.com/v2"}""");

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal("Integration updated successfully", reply.Json.GetProperty("message")[0].GetString());
        Assert.Equal(["id", "brainId", "webhookUrl", "authType", "createdAt", "updatedAt"], MemberNames(reply.Data));
        Assert.Equal("https://crm.example.com/v2", reply.Data.GetProperty("webhookUrl").GetString());
        Assert.Equal("bearer", reply.Data.GetProperty("authType").GetString());
        IntegrationRecord after = Emulator.FindIntegration("proj-1")!;
        Assert.Equal("tok-1", after.Authorization);
        Assert.Equal(secret, after.SigningSecret);
        Assert.True(after.UpdatedAt >= before.UpdatedAt);
        Assert.DoesNotContain(secret, reply.Body);
    }

    [Fact]
    public async Task Patch_with_an_empty_object_changes_nothing()
    {
        await CreateIntegrationAsync("proj-1");
        IntegrationRecord before = Emulator.FindIntegration("proj-1")!;

        Reply reply = await SendAsync(HttpMethod.Patch, Api("proj-1"), "{}");

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal(before, Emulator.FindIntegration("proj-1"));
    }

    [Fact]
    public async Task Patch_to_no_auth_clears_the_credential_and_back_to_bearer_needs_one()
    {
        await CreateIntegrationAsync("proj-1", authType: "bearer", authorization: "tok-1");

        Reply cleared = await SendAsync(HttpMethod.Patch, Api("proj-1"), """{"authType":"no_auth"}""");
        Reply missing = await SendAsync(HttpMethod.Patch, Api("proj-1"), """{"authType":"bearer"}""");
        Reply supplied = await SendAsync(HttpMethod.Patch, Api("proj-1"), """{"authType":"api_key","authorization":"key-2"}""");
        Reply switched = await SendAsync(HttpMethod.Patch, Api("proj-1"), """{"authType":"basic"}""");

        Assert.Equal(HttpStatusCode.OK, cleared.Status);
        AssertError(missing, HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        Assert.Equal(["authorization"], InvalidFields(missing));
        Assert.Equal(HttpStatusCode.OK, supplied.Status);
        Assert.Equal(HttpStatusCode.OK, switched.Status);
        IntegrationRecord stored = Emulator.FindIntegration("proj-1")!;
        Assert.Equal("basic", stored.AuthType);
        Assert.Equal("key-2", stored.Authorization);
    }

    [Theory]
    [InlineData("""{"webhookUrl":"http://crm.example.com/h"}""", "webhookUrl")]
    [InlineData("""{"authType":"oauth"}""", "authType")]
    [InlineData("""{"authorization":"x"}""", "authorization")]
    [InlineData("""{"signingSecret":"x"}""", "signingSecret")]
    public async Task An_invalid_patch_is_400_with_validation_details(string body, string field)
    {
        await CreateIntegrationAsync("proj-1");

        Reply reply = await SendAsync(HttpMethod.Patch, Api("proj-1"), body);

        AssertError(reply, HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        Assert.Equal([field], InvalidFields(reply));
    }

    [Fact]
    public async Task Patch_of_an_unknown_project_is_404()
    {
        AssertError(await SendAsync(HttpMethod.Patch, Api("nobody"), "{}"), HttpStatusCode.NotFound, "NOT_FOUND");
    }

    [Theory]
    [InlineData(ResponseShape.Envelope)]
    [InlineData(ResponseShape.Flat)]
    public async Task Delete_answers_the_message_in_both_shapes_and_the_project_is_gone(ResponseShape shape)
    {
        await CreateIntegrationAsync("proj-1");
        Emulator.Shape = shape;

        Reply deleted = await SendAsync(HttpMethod.Delete, Api("proj-1"));
        Reply again = await SendAsync(HttpMethod.Delete, Api("proj-1"));

        Assert.Equal(HttpStatusCode.OK, deleted.Status);
        Assert.Equal("""{"message":["Integration deleted successfully"],"statusMessage":"success","status":1}""", deleted.Body);
        AssertError(again, HttpStatusCode.NotFound, "NOT_FOUND");
        AssertError(await GetAsync(Api("proj-1")), HttpStatusCode.NotFound, "NOT_FOUND");
        Assert.Null(Emulator.FindIntegration("proj-1"));
    }

    [Fact]
    public async Task Regenerate_replaces_the_secret_in_the_envelope()
    {
        string old = await CreateIntegrationAsync("proj-1");

        Reply reply = await PostAsync(Api("proj-1", "/secret/regenerate"), string.Empty);

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal("Signing secret regenerated successfully", reply.Json.GetProperty("message")[0].GetString());
        Assert.Equal(["brainId", "signingSecret"], MemberNames(reply.Data));
        Assert.Equal("proj-1", reply.Data.GetProperty("brainId").GetString());
        string fresh = reply.Data.GetProperty("signingSecret").GetString()!;
        Assert.Matches(Secret, fresh);
        Assert.NotEqual(old, fresh);
        Assert.Equal(fresh, Emulator.FindIntegration("proj-1")!.SigningSecret);
    }

    [Fact]
    public async Task Regenerate_in_the_flat_shape_answers_secret_and_time()
    {
        await CreateIntegrationAsync("proj-1");
        Emulator.Shape = ResponseShape.Flat;

        Reply reply = await SendAsync(HttpMethod.Post, Api("proj-1", "/secret/regenerate"));

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal(["signingSecret", "regeneratedAt"], MemberNames(reply.Json));
        Assert.Matches(Timestamp, reply.Json.GetProperty("regeneratedAt").GetString());
    }

    [Fact]
    public async Task Regenerate_for_an_unknown_project_is_404()
    {
        AssertError(await SendAsync(HttpMethod.Post, Api("nobody", "/secret/regenerate")), HttpStatusCode.NotFound, "NOT_FOUND");
    }

    [Theory]
    [InlineData("a b/c")]
    [InlineData("proyecto-ñ?x=1&y#z")]
    [InlineData("100%")]
    public async Task Escaped_project_ids_are_decoded_from_the_raw_path(string projectId)
    {
        Reply created = await PostAsync(Api(projectId), $$"""{"webhookUrl":"{{HttpsHook}}"}""");
        Reply read = await GetAsync(Api(projectId, prefix: "platform"));

        Assert.Equal(HttpStatusCode.OK, created.Status);
        Assert.Equal(projectId, created.Data.GetProperty("brainId").GetString());
        Assert.Equal(HttpStatusCode.OK, read.Status);
        Assert.NotNull(Emulator.FindIntegration(projectId));
        Assert.Equal("/platform/v1/external-support/" + Uri.EscapeDataString(projectId), Emulator.Requests[^1].Path);
    }

    [Fact]
    public async Task A_slash_in_an_unescaped_project_id_is_a_different_route()
    {
        await CreateIntegrationAsync("a/b");

        AssertError(await GetAsync("jelouapi/v1/external-support/a/b"), HttpStatusCode.NotFound, "NOT_FOUND");
    }

    [Theory]
    [InlineData("GET", "nothing/here")]
    [InlineData("GET", "jelouapi/v1/external-support/p1/")]
    [InlineData("GET", "jelouapi/v2/external-support/p1")]
    [InlineData("PUT", "jelouapi/v1/external-support/p1")]
    [InlineData("POST", "jelouapi/v1/external-support/p1/secret")]
    [InlineData("GET", "v1/external-support/webhook")]
    public async Task Unknown_routes_are_404_with_the_error_body(string method, string path)
    {
        Reply reply = await SendAsync(new HttpMethod(method), path);

        AssertError(reply, HttpStatusCode.NotFound, "NOT_FOUND");
    }

    [Fact]
    public async Task Every_response_carries_a_new_request_id()
    {
        Reply first = await GetAsync(Api("p1"));
        Reply second = await GetAsync(Api("p1"));

        string id1 = Assert.Single(first.Headers.GetValues("x-request-id"));
        string id2 = Assert.Single(second.Headers.GetValues("x-request-id"));
        Assert.NotEqual(id1, id2);
        Assert.Equal(id2, Emulator.Requests[^1].RequestId);
    }
}
