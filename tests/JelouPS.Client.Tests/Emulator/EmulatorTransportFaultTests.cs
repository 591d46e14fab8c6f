using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using JelouPS.Emulator;
using Xunit;

namespace JelouPS.Tests.EmulatorContract;

/// <summary>Faults below HTTP: answers that break off, never come, never end, trickle or overflow.</summary>
public sealed class EmulatorTransportFaultTests : EmulatorTestBase
{
    private const string Digits = "0123456789";

    [Theory]
    [InlineData(0)]
    [InlineData(4)]
    public async Task ResetAfterBytes_sends_the_headers_and_exactly_that_many_body_bytes_then_breaks_off(int bytes)
    {
        Emulator.EnqueueFault(new EmulatorFault { Status = 200, Body = Digits, ResetAfterBytes = bytes });

        using HttpResponseMessage response = await GetStreamingAsync(Api("p1"));
        (byte[] received, Exception? failure) = await ReadToEndAsync(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Digits.Length, response.Content.Headers.ContentLength);
        Assert.Equal(Digits[..bytes], Encoding.ASCII.GetString(received));
        Assert.IsAssignableFrom<IOException>(failure);
        RecordedRequest entry = Assert.Single(Emulator.Requests);
        Assert.Equal((200, true), (entry.ResponseStatus, entry.Aborted));
    }

    [Fact]
    public async Task CloseWithoutAnswer_sends_not_a_byte()
    {
        Emulator.EnqueueFault(new EmulatorFault { CloseWithoutAnswer = true });
        using var socket = new TcpClient();
        await socket.ConnectAsync(IPAddress.Loopback, Emulator.BaseAddress.Port);
        NetworkStream stream = socket.GetStream();

        await stream.WriteAsync(Encoding.ASCII.GetBytes($"GET /{Api("p1")} HTTP/1.1\r\nHost: localhost\r\n\r\n"));
        int read;
        try
        {
            read = await stream.ReadAsync(new byte[1024]);
        }
        catch (IOException)
        {
            read = 0;
        }

        Assert.Equal(0, read);
        RecordedRequest entry = Assert.Single(Emulator.Requests);
        Assert.Equal((0, true), (entry.ResponseStatus, entry.Aborted));
    }

    [Fact]
    public async Task The_log_counts_an_unanswered_arrival_that_the_client_silently_sent_again()
    {
        // The first answer leaves a kept-alive connection; a request that dies unanswered on a reused
        // connection is one .NET sends again by itself when it has no body.
        AssertError(await GetAsync(Api("p1")), HttpStatusCode.NotFound, "NOT_FOUND");
        Emulator.EnqueueFault(new EmulatorFault { CloseWithoutAnswer = true });

        Reply reply = await GetAsync(Api("p1"));

        AssertError(reply, HttpStatusCode.NotFound, "NOT_FOUND");
        Assert.Equal([(404, false), (0, true), (404, false)], Emulator.Requests.Select(r => (r.ResponseStatus, r.Aborted)));
    }

    [Fact]
    public async Task NeverEnd_sends_the_body_and_keeps_the_answer_open_until_the_client_leaves()
    {
        Emulator.EnqueueFault(new EmulatorFault { Status = 200, Body = Digits, NeverEnd = true, PathContains = "endless" });
        using HttpResponseMessage response = await GetStreamingAsync(Api("endless"));
        Stream body = await response.Content.ReadAsStreamAsync();
        byte[] buffer = new byte[64];
        int received = 0;
        while (received < Digits.Length)
        {
            received += await body.ReadAsync(buffer.AsMemory(received));
        }

        using var leave = new CancellationTokenSource();
        Task<int> more = body.ReadAsync(buffer.AsMemory(received), leave.Token).AsTask();

        // A round trip on another connection: an end sent before it would be here by now.
        AssertError(await GetAsync(Api("p2")), HttpStatusCode.NotFound, "NOT_FOUND");
        Assert.False(more.IsCompleted);
        leave.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => more);
        Assert.Null(response.Content.Headers.ContentLength);
        Assert.Equal(Digits, Encoding.ASCII.GetString(buffer, 0, received));
    }

    [Fact]
    public async Task Stopping_ends_a_never_ending_answer_at_once()
    {
        Emulator.EnqueueFault(new EmulatorFault { Status = 200, Body = Digits, NeverEnd = true });
        using HttpResponseMessage response = await GetStreamingAsync(Api("p1"));
        Task<(byte[], Exception?)> reading = ReadToEndAsync(response);
        var clock = Stopwatch.StartNew();

        await Emulator.StopAsync();

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(4), clock.Elapsed.ToString());
        (byte[] received, Exception? failure) = await reading.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(Digits, Encoding.ASCII.GetString(received));
        Assert.IsAssignableFrom<IOException>(failure);
    }

    [Fact]
    public async Task DripBytesPerSecond_sends_the_body_slowly_in_pieces()
    {
        string body = Digits + Digits + Digits;
        Emulator.EnqueueFault(new EmulatorFault { Status = 200, Body = body, DripBytesPerSecond = 100 });
        var clock = Stopwatch.StartNew();

        Reply reply = await GetAsync(Api("p1"));

        // 30 bytes in pieces of 5, one every 50 ms: the last is due at 250 ms.
        Assert.Equal(body, reply.Body);
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(240), clock.Elapsed.ToString());
    }

    [Fact]
    public async Task Headers_and_an_http_date_retry_after_are_sent_verbatim()
    {
        const string date = "Wed, 21 Oct 2015 07:28:00 GMT";
        Emulator.EnqueueFault(new EmulatorFault { Status = 429, RetryAfter = date, Headers = { ["X-RateLimit-Remaining"] = "0" } });

        Reply reply = await GetAsync(Api("p1"));

        Assert.Equal((HttpStatusCode)429, reply.Status);
        Assert.Equal(date, Assert.Single(reply.Headers.GetValues("Retry-After")));
        Assert.Equal("0", Assert.Single(reply.Headers.GetValues("X-RateLimit-Remaining")));
    }

    [Fact]
    public async Task PadToBytes_pads_the_body_with_spaces_to_that_length()
    {
        Emulator.EnqueueFault(new EmulatorFault { Status = 200, Body = """{"a":1}""", PadToBytes = 100_000 });

        Reply reply = await GetAsync(Api("p1"));

        Assert.Equal(100_000, reply.Body.Length);
        Assert.Equal("""{"a":1}""" + new string(' ', 100_000 - 7), reply.Body);
        Assert.Equal(1, reply.Json.GetProperty("a").GetInt32());
    }

    [Fact]
    public async Task Transport_faults_can_be_queued_over_http()
    {
        Reply queued = await SendAsync(HttpMethod.Post, "_emulator/faults",
            """{"status":200,"body":"0123456789","padToBytes":20,"resetAfterBytes":12,"headers":{"X-Fault":"reset"}}""", Auth.None);

        using HttpResponseMessage response = await GetStreamingAsync(Api("p1"));
        (byte[] received, Exception? failure) = await ReadToEndAsync(response);
        Reply log = await SendAsync(HttpMethod.Get, "_emulator/requests", auth: Auth.None);

        Assert.Equal(HttpStatusCode.Created, queued.Status);
        Assert.Equal(12, queued.Json.GetProperty("resetAfterBytes").GetInt32());
        Assert.Equal("reset", queued.Json.GetProperty("headers").GetProperty("X-Fault").GetString());
        Assert.Equal(20, response.Content.Headers.ContentLength);
        Assert.Equal("reset", Assert.Single(response.Headers.GetValues("X-Fault")));
        Assert.Equal(Digits + "  ", Encoding.ASCII.GetString(received));
        Assert.IsAssignableFrom<IOException>(failure);
        Assert.True(Assert.Single(log.Json.EnumerateArray()).GetProperty("aborted").GetBoolean());
    }

    [Fact]
    public async Task A_queued_fault_does_not_change_with_the_callers_object()
    {
        var fault = new EmulatorFault { Status = 503, Headers = { ["X-A"] = "queued" } };
        Emulator.EnqueueFault(fault);
        fault.Status = 502;
        fault.Headers["X-A"] = "changed";

        Reply reply = await GetAsync(Api("p1"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, reply.Status);
        Assert.Equal("queued", Assert.Single(reply.Headers.GetValues("X-A")));
    }

    private Task<HttpResponseMessage> GetStreamingAsync(string path)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("x-api-key", ApiKey);
        return Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
    }

    /// <summary>The body bytes that came, and how reading them ended (null when it ended normally).</summary>
    private static async Task<(byte[] Received, Exception? Failure)> ReadToEndAsync(HttpResponseMessage response)
    {
        var received = new MemoryStream();
        try
        {
            await (await response.Content.ReadAsStreamAsync()).CopyToAsync(received);
            return (received.ToArray(), null);
        }
        catch (Exception e)
        {
            return (received.ToArray(), e);
        }
    }
}
