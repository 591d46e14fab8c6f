using System;
using System.Diagnostics;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Threading.Tasks;
using JelouPS.Emulator;
using Xunit;

namespace JelouPS.Tests.EmulatorContract;

public sealed class EmulatorFaultTests : EmulatorTestBase
{
    private const string Digits = "0123456789";

    [Fact]
    public async Task A_fault_answers_its_status_body_content_type_and_retry_after_before_any_auth_check()
    {
        Emulator.EnqueueFault(new EmulatorFault { Status = 503, Body = "<html>down</html>", ContentType = "text/html", RetryAfter = "3" });

        Reply faulted = await GetAsync(Api("p1"), Auth.None);
        Reply next = await GetAsync(Api("p1"), Auth.None);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, faulted.Status);
        Assert.Equal("<html>down</html>", faulted.Body);
        Assert.Equal("text/html", faulted.MediaType);
        Assert.Equal(TimeSpan.FromSeconds(3), faulted.Headers.RetryAfter?.Delta);
        Assert.Single(faulted.Headers.GetValues("x-request-id"));
        AssertError(next, HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        Assert.Equal([503, 401], Emulator.Requests.Select(r => r.ResponseStatus));
    }

    [Fact]
    public async Task A_fault_may_have_an_empty_body_or_a_success_status()
    {
        Emulator.EnqueueFault(new EmulatorFault { Status = 500 });
        Emulator.EnqueueFault(new EmulatorFault { Status = 200, Body = "not json" });

        Reply empty = await GetAsync(Api("p1"));
        Reply garbage = await GetAsync(Api("p1"));

        Assert.Equal(HttpStatusCode.InternalServerError, empty.Status);
        Assert.Equal(string.Empty, empty.Body);
        Assert.Equal(HttpStatusCode.OK, garbage.Status);
        Assert.Equal("not json", garbage.Body);
    }

    [Fact]
    public async Task Faults_match_method_and_path_first_in_first_out_for_count_requests()
    {
        Emulator.EnqueueFault(new EmulatorFault { Method = "get", PathContains = "/p-one", Status = 500, Count = 2 });
        Emulator.EnqueueFault(new EmulatorFault { Status = 502 });

        Reply other = await PostAsync(Api("p-two"), $$"""{"webhookUrl":"{{HttpsHook}}"}""");
        Reply first = await GetAsync(Api("p-one"));
        Reply second = await GetAsync(Api("p-one"));
        Reply third = await GetAsync(Api("p-one"));

        Assert.Equal(HttpStatusCode.BadGateway, other.Status);
        Assert.Equal(HttpStatusCode.InternalServerError, first.Status);
        Assert.Equal(HttpStatusCode.InternalServerError, second.Status);
        AssertError(third, HttpStatusCode.NotFound, "NOT_FOUND");
    }

    [Fact]
    public async Task A_fault_path_may_be_given_decoded()
    {
        Emulator.EnqueueFault(new EmulatorFault { PathContains = "a b/c", Status = 504 });

        Assert.Equal(HttpStatusCode.GatewayTimeout, (await GetAsync(Api("a b/c"))).Status);
    }

    [Fact]
    public async Task A_delayed_fault_ends_as_soon_as_the_client_gives_up()
    {
        // Scoped to its own path, and with the server warmed up, so that on a slow machine the fault cannot
        // outlive a client that gave up before its request arrived and then stall the follow-up request.
        AssertError(await GetAsync(Api("warm-up")), HttpStatusCode.NotFound, "NOT_FOUND");
        Emulator.EnqueueFault(new EmulatorFault { Status = 500, Delay = TimeSpan.FromMinutes(2), PathContains = "impatient" });
        using var impatient = new HttpClient { BaseAddress = Emulator.BaseAddress, Timeout = TimeSpan.FromSeconds(2) };
        var clock = Stopwatch.StartNew();

        await Assert.ThrowsAnyAsync<TaskCanceledException>(() => SendAsync(HttpMethod.Get, Api("impatient"), client: impatient));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), clock.Elapsed.ToString());
        await Emulator.WaitForRequestAsync(r => r.Path.EndsWith("/impatient", StringComparison.Ordinal)).WaitAsync(TimeSpan.FromSeconds(10));
        AssertError(await GetAsync(Api("p1")), HttpStatusCode.NotFound, "NOT_FOUND");
    }

    [Fact]
    public async Task Stopping_ends_a_delayed_fault_at_once()
    {
        Emulator.EnqueueFault(new EmulatorFault { Status = 500, Delay = TimeSpan.FromMinutes(2) });
        Task<Reply> pending = GetAsync(Api("slow"));
        await Emulator.WaitForRequestAsync(r => r.Path.EndsWith("/slow", StringComparison.Ordinal)).WaitAsync(TimeSpan.FromSeconds(10));
        var clock = Stopwatch.StartNew();

        await Emulator.StopAsync();

        // Well under the 5 s shutdown timeout: the delay was cancelled, not waited out.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(4), clock.Elapsed.ToString());
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => pending.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Theory]
    [InlineData(99, 1)]
    [InlineData(600, 1)]
    [InlineData(500, 0)]
    public void An_impossible_fault_is_refused(int status, int count)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Emulator.EnqueueFault(new EmulatorFault { Status = status, Count = count }));
    }

    public static TheoryData<string, Func<EmulatorFault>> ImpossibleFaults => new()
    {
        { "ResetAfterBytes", () => new EmulatorFault { Body = Digits, ResetAfterBytes = -1 } },
        { "DripBytesPerSecond", () => new EmulatorFault { DripBytesPerSecond = 0 } },
        { "PadToBytes", () => new EmulatorFault { PadToBytes = -1 } },
        { "NeverEnd", () => new EmulatorFault { Body = Digits, ResetAfterBytes = 1, NeverEnd = true } },
        { "NeverEnd", () => new EmulatorFault { CloseWithoutAnswer = true, NeverEnd = true } },
        { "Body", () => new EmulatorFault { CloseWithoutAnswer = true, Body = "x" } },
        { "Headers", () => new EmulatorFault { CloseWithoutAnswer = true, Headers = { ["X-A"] = "b" } } },
        { "PadToBytes", () => new EmulatorFault { Body = Digits, PadToBytes = 9 } },
        { "ResetAfterBytes", () => new EmulatorFault { Body = Digits, ResetAfterBytes = 10 } },
        { "ResetAfterBytes", () => new EmulatorFault { ResetAfterBytes = 0 } },
        { "Headers", () => new EmulatorFault { Headers = { ["Content-Length"] = "5" } } },
        { "Headers", () => new EmulatorFault { Headers = { ["Bad Name"] = "x" } } },
        { "Headers", () => new EmulatorFault { Headers = { ["X-A"] = "one\r\nX-B: two" } } },
        { "RetryAfter", () => new EmulatorFault { RetryAfter = "1\r\nX-B: two" } },
        { "Body", () => new EmulatorFault { Mangle = ResponseMangle.Intact, Body = "{}" } },
        { "Mangle", () => new EmulatorFault { Mangle = ResponseMangle.ResetAfterSecret, NeverEnd = true } },
        { "Mangle", () => new EmulatorFault { Mangle = ResponseMangle.NeverEndAfterSecret, ResetAfterBytes = 3 } },
        { "Mangle", () => new EmulatorFault { Mangle = ResponseMangle.CutAfterSecret, CloseWithoutAnswer = true } },
        { "Mangle", () => new EmulatorFault { Mangle = (ResponseMangle)99 } },
    };

    [Theory]
    [MemberData(nameof(ImpossibleFaults))]
    public void A_fault_that_cannot_do_what_it_says_is_refused_naming_the_property(string property, Func<EmulatorFault> fault)
    {
        ArgumentException refused = Assert.ThrowsAny<ArgumentException>(() => Emulator.EnqueueFault(fault()));

        Assert.Equal(property, refused.ParamName);
    }

    [Fact]
    public async Task Cleared_faults_no_longer_answer()
    {
        Emulator.EnqueueFault(new EmulatorFault { Status = 500 });
        Emulator.ClearFaults();

        AssertError(await GetAsync(Api("p1")), HttpStatusCode.NotFound, "NOT_FOUND");
    }
}
