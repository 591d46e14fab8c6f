using System;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Threading.Tasks;
using JelouPS.Emulator;
using Xunit;

namespace JelouPS.Tests.EmulatorContract;

/// <summary>Bodies over 10 MB are refused with 413 and the error body, announced or chunked.</summary>
public sealed class EmulatorBodyLimitTests : EmulatorTestBase
{
    private const int TenMegabytes = 10 * 1024 * 1024;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task An_11_MB_body_is_413_and_logged(bool chunked)
    {
        Reply reply = await PostBodyAsync(JsonOfLength(11 * 1024 * 1024), chunked);

        AssertError(reply, HttpStatusCode.RequestEntityTooLarge, "PAYLOAD_TOO_LARGE");
        RecordedRequest entry = Assert.Single(Emulator.Requests);
        Assert.Equal(413, entry.ResponseStatus);
        Assert.Equal(chunked, entry.Headers.ContainsKey("Transfer-Encoding"));
        Assert.Equal(string.Empty, entry.Body);
        Assert.Equal(HttpStatusCode.NotFound, (await GetAsync(Api("p1"))).Status);
    }

    [Fact]
    public async Task A_body_of_exactly_10_MB_is_read()
    {
        Reply reply = await PostBodyAsync(JsonOfLength(TenMegabytes), chunked: true);

        AssertError(reply, HttpStatusCode.UnprocessableEntity, "VALIDATION_ERROR");
        RecordedRequest entry = Assert.Single(Emulator.Requests);
        Assert.Equal(TenMegabytes, entry.BodyLength);
        Assert.Equal("chunked", entry.Headers["Transfer-Encoding"]);
    }

    /// <summary>An object padded with whitespace: valid JSON of exactly that many bytes.</summary>
    private static byte[] JsonOfLength(int length)
    {
        byte[] body = new byte[length];
        Array.Fill(body, (byte)' ');
        body[0] = (byte)'{';
        body[^1] = (byte)'}';
        return body;
    }

    private async Task<Reply> PostBodyAsync(byte[] body, bool chunked)
    {
        // A stream of unknown length goes out chunked.
        HttpContent content = chunked ? new StreamContent(new UnseekableStream(body)) : new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, Api("p1")) { Content = content };
        request.Headers.Add("x-api-key", ApiKey);
        using HttpResponseMessage response = await Http.SendAsync(request);
        return new Reply(response.StatusCode, await response.Content.ReadAsStringAsync(), response.Headers, response.Content.Headers.ContentType?.MediaType);
    }

    private sealed class UnseekableStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}
