using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace JelouPS.Emulator;

/// <summary>How an answer leaves the emulator.</summary>
internal enum WireEnding
{
    /// <summary>The whole body, and the response ends as usual.</summary>
    Complete,

    /// <summary><see cref="WireAnswer.SendOnly"/> bytes of the body, then the connection is cut.</summary>
    Reset,

    /// <summary><see cref="WireAnswer.SendOnly"/> bytes of the body (all by default), then nothing until the client goes away or the emulator stops.</summary>
    HoldOpen,

    /// <summary>Not a byte, and the connection is cut.</summary>
    NoAnswer,
}

/// <summary>
/// What goes on the wire for one answer. The body is streamed as head, filler and tail, so an
/// oversized answer is never held in memory.
/// </summary>
internal sealed record WireAnswer
{
    // Padding after a JSON body, or inside one of its strings, leaves it valid JSON: only its size is wrong.
    private static readonly byte[] Filler = CreateFiller(64 * 1024);

    // A dripped body goes out in pieces of a twentieth of its rate, one every 50 ms.
    private const int DripPiecesPerSecond = 20;

    public required int Status { get; init; }
    public string? ContentType { get; init; }
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();
    public byte[] Head { get; init; } = [];

    /// <summary>Spaces streamed between <see cref="Head"/> and <see cref="Tail"/>.</summary>
    public long FillerLength { get; init; }

    public byte[] Tail { get; init; } = [];
    public WireEnding Ending { get; init; }

    /// <summary>For <see cref="WireEnding.Reset"/> and <see cref="WireEnding.HoldOpen"/>: the body bytes sent first; null sends all.</summary>
    public long? SendOnly { get; init; }

    public int? DripBytesPerSecond { get; init; }

    public long Length => Head.Length + FillerLength + Tail.Length;

    public bool IsAborted => Ending is WireEnding.Reset or WireEnding.NoAnswer;

    public static WireAnswer Of(ApiResult result) => new() { Status = result.Status, ContentType = result.ContentType, Head = result.Body };

    public async Task WriteAsync(HttpContext context, CancellationToken stopping)
    {
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping);
        try
        {
            if (Ending != WireEnding.NoAnswer)
            {
                await SendAsync(context.Response, cancel.Token);
            }

            if (Ending == WireEnding.Complete)
            {
                return;
            }

            if (Ending != WireEnding.HoldOpen)
            {
                Hangup(context);
            }

            // Until the client has gone (it hangs up once it sees the end) or the emulator stops.
            await Task.Delay(Timeout.InfiniteTimeSpan, cancel.Token);
        }
        catch (OperationCanceledException)
        {
            // An answer cut short must not end as if it were whole.
            context.Abort();
        }
    }

    /// <summary>
    /// Ends the emulator's side of the connection (a TCP FIN) once every byte sent is with the socket,
    /// which JelouEmulator's transport setting ensures. Not a TCP reset, which Kestrel's Abort sends: on
    /// a reset the client's system may drop bytes it has received but not yet read, and .NET resends a
    /// bodiless request unanswered on a reused connection only when the connection ends cleanly.
    /// </summary>
    private static void Hangup(HttpContext context)
    {
        try
        {
            context.Features.GetRequiredFeature<IConnectionSocketFeature>().Socket.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // The client is gone already.
        }
    }

    private async Task SendAsync(HttpResponse response, CancellationToken cancellationToken)
    {
        response.StatusCode = Status;
        foreach ((string name, string value) in Headers)
        {
            response.Headers[name] = value;
        }

        // 204 and 304 may not carry a body or a length.
        if (Status is StatusCodes.Status204NoContent or StatusCodes.Status304NotModified)
        {
            return;
        }

        if (ContentType is not null)
        {
            response.ContentType = ContentType;
        }

        // Held open, the answer is chunked: with a declared length the client would be done once it had the body.
        if (Ending != WireEnding.HoldOpen)
        {
            response.ContentLength = Length;
        }

        await SendBodyAsync(response, cancellationToken);
    }

    private async Task SendBodyAsync(HttpResponse response, CancellationToken cancellationToken)
    {
        long budget = SendOnly ?? Length;
        long sent = 0;
        int pieceSize = DripBytesPerSecond is { } rate ? Math.Max(1, rate / DripPiecesPerSecond) : int.MaxValue;
        var clock = Stopwatch.StartNew();
        foreach (ReadOnlyMemory<byte> part in Parts())
        {
            ReadOnlyMemory<byte> rest = part[..(int)Math.Min(part.Length, budget - sent)];
            while (!rest.IsEmpty)
            {
                if (DripBytesPerSecond is { } bytesPerSecond)
                {
                    // Paced by the clock rather than by summed delays, so timer slack does not add up.
                    TimeSpan due = TimeSpan.FromSeconds((double)sent / bytesPerSecond) - clock.Elapsed;
                    if (due > TimeSpan.Zero)
                    {
                        await Task.Delay(due, cancellationToken);
                    }
                }

                ReadOnlyMemory<byte> piece = rest[..Math.Min(rest.Length, pieceSize)];
                await response.Body.WriteAsync(piece, cancellationToken);
                sent += piece.Length;
                rest = rest[piece.Length..];
            }
        }

        // Starts the answer even when no body byte goes out (ResetAfterBytes = 0).
        await response.Body.FlushAsync(cancellationToken);
    }

    private IEnumerable<ReadOnlyMemory<byte>> Parts()
    {
        yield return Head;
        for (long left = FillerLength; left > 0; left -= Filler.Length)
        {
            yield return Filler.AsMemory(0, (int)Math.Min(left, Filler.Length));
        }

        yield return Tail;
    }

    private static byte[] CreateFiller(int length)
    {
        byte[] filler = new byte[length];
        Array.Fill(filler, (byte)' ');
        return filler;
    }
}
