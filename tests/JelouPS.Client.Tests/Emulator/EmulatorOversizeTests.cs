using System;
using System.IO;
using System.Net.Http;
using System.Text;
using System.Threading.Tasks;
using JelouPS.Emulator;
using Xunit;

namespace JelouPS.Tests.EmulatorContract;

/// <summary>Runs alone, so that the allocations it counts are its own.</summary>
[CollectionDefinition(nameof(CountsAllocations), DisableParallelization = true)]
public sealed class CountsAllocations;

[Collection(nameof(CountsAllocations))]
public sealed class EmulatorOversizeTests : EmulatorTestBase
{
    private const long FiftyMegabytes = 50L * 1024 * 1024;

    [Fact]
    public async Task A_50_MB_padded_answer_is_streamed_not_built_in_memory()
    {
        Emulator.EnqueueFault(new EmulatorFault { Status = 200, Body = "{}", PadToBytes = FiftyMegabytes });
        long allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);

        using var request = new HttpRequestMessage(HttpMethod.Get, Api("p1"));
        using HttpResponseMessage response = await Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Stream body = await response.Content.ReadAsStreamAsync();
        byte[] buffer = new byte[64 * 1024];
        var head = new MemoryStream();
        long received = 0;
        bool spacesOnly = true;
        int read;
        while ((read = await body.ReadAsync(buffer)) > 0)
        {
            int headBytes = (int)Math.Clamp(2 - received, 0, read);
            head.Write(buffer, 0, headBytes);
            spacesOnly &= buffer.AsSpan(headBytes, read - headBytes).IndexOfAnyExcept((byte)' ') < 0;
            received += read;
        }

        long allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        Assert.Equal(FiftyMegabytes, response.Content.Headers.ContentLength);
        Assert.Equal(FiftyMegabytes, received);
        Assert.Equal("{}", Encoding.ASCII.GetString(head.ToArray()));
        Assert.True(spacesOnly);
        Assert.True(allocated < FiftyMegabytes / 5, $"{allocated} bytes allocated while 50 MB went through");
    }
}
