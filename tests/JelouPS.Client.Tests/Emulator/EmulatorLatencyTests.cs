using System;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using JelouPS.Emulator;
using Xunit;

namespace JelouPS.Tests.EmulatorContract;

/// <summary>
/// A latency for every API request, for benchmarks and timeouts; the control endpoints never wait. Each API answer says
/// how long the emulator took (Server-Timing).
/// </summary>
public sealed class EmulatorLatencyTests : EmulatorTestBase
{
    protected override EmulatorOptions CreateOptions() => new() { Latency = TimeSpan.FromMilliseconds(300) };

    [Fact]
    public async Task Every_api_request_waits_the_latency_but_control_requests_do_not()
    {
        var clock = Stopwatch.StartNew();
        Reply answer = await GetAsync(Api("p1"));
        TimeSpan api = clock.Elapsed;
        AssertError(answer, HttpStatusCode.NotFound, "NOT_FOUND");

        // Were control requests delayed, this would outlast the client's 30 s timeout.
        Emulator.Latency = TimeSpan.FromMinutes(10);
        Reply control = await SendAsync(HttpMethod.Get, "_emulator/latency", auth: Auth.None);

        // A timer may fire a little before the stopwatch says 300 ms (clock granularity): allow a few ms.
        Assert.True(api >= TimeSpan.FromMilliseconds(280), api.ToString());
        Assert.Equal("""{"ms":600000}""", control.Body);
        // The emulator's own time (Server-Timing), which a benchmark reads: the latency is in it, and a control answer has none.
        Assert.True(answer.Headers.TryGetValues("Server-Timing", out var timing), "no Server-Timing");
        Match dur = Regex.Match(Assert.Single(timing), @"^emulator;dur=(\d+(?:\.\d+)?)$");
        Assert.True(dur.Success, string.Join(", ", timing));
        Assert.InRange(double.Parse(dur.Groups[1].Value, CultureInfo.InvariantCulture), 280, api.TotalMilliseconds);
        Assert.False(control.Headers.Contains("Server-Timing"));
    }

    [Fact]
    public async Task Requests_wait_side_by_side()
    {
        var clock = Stopwatch.StartNew();

        Reply[] replies = await Task.WhenAll(Enumerable.Range(0, 32).Select(i => GetAsync(Api("p" + i))));

        // One after another would take 32 × 300 ms.
        Assert.All(replies, r => Assert.Equal(HttpStatusCode.NotFound, r.Status));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(4.8), clock.Elapsed.ToString());
    }

    [Fact]
    public async Task The_latency_is_read_and_set_over_http_and_reset_restores_the_start_value()
    {
        Reply initial = await SendAsync(HttpMethod.Get, "_emulator/latency", auth: Auth.None);
        Reply set = await SendAsync(HttpMethod.Put, "_emulator/latency", """{"ms":20}""", Auth.None);
        TimeSpan afterSet = Emulator.Latency;
        Reply negative = await SendAsync(HttpMethod.Put, "_emulator/latency", """{"ms":-1}""", Auth.None);
        Reply missing = await SendAsync(HttpMethod.Put, "_emulator/latency", "{}", Auth.None);
        await SendAsync(HttpMethod.Post, "_emulator/reset", auth: Auth.None);

        Assert.Equal("""{"ms":300}""", initial.Body);
        Assert.Equal("""{"ms":20}""", set.Body);
        Assert.Equal(TimeSpan.FromMilliseconds(20), afterSet);
        AssertError(negative, HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        AssertError(missing, HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        Assert.Equal(TimeSpan.FromMilliseconds(300), Emulator.Latency);
        Assert.Throws<ArgumentOutOfRangeException>(() => Emulator.Latency = TimeSpan.FromTicks(-1));
    }

    [Fact]
    public async Task Stopping_ends_a_latency_wait_at_once()
    {
        Emulator.Latency = TimeSpan.FromMinutes(10);
        Task<Reply> pending = GetAsync(Api("slow"));
        await Emulator.WaitForRequestAsync(r => r.Path.EndsWith("/slow", StringComparison.Ordinal)).WaitAsync(TimeSpan.FromSeconds(10));
        var clock = Stopwatch.StartNew();

        await Emulator.StopAsync();

        // Well under the 5 s shutdown timeout: the wait was cancelled, not waited out.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(4), clock.Elapsed.ToString());
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => pending.WaitAsync(TimeSpan.FromSeconds(10)));
    }
}
