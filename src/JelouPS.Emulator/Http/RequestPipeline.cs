using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace JelouPS.Emulator;

/// <summary>
/// The whole HTTP surface in one terminal delegate: read, log, fault or dispatch, write.
/// No ASP.NET routing: the emulator splits the raw path itself (see <see cref="EmulatorRequest.SplitPath"/>).
/// </summary>
internal sealed class RequestPipeline
{
    private readonly EmulatorCore _core;
    private readonly ILogger _logger;

    public RequestPipeline(EmulatorCore core, ILogger logger)
    {
        _core = core;
        _logger = logger;
    }

    /// <summary>Bodies are held whole (a signature covers the exact bytes), so their size is capped.</summary>
    public const long MaxBodyBytes = 10 * 1024 * 1024;

    public async Task HandleAsync(HttpContext context)
    {
        long arrived = Stopwatch.GetTimestamp();
        string requestId = Guid.NewGuid().ToString("D");
        context.Response.Headers["x-request-id"] = requestId;

        if (await ReadBodyAsync(context) is not { } received)
        {
            return;
        }

        EmulatorRequest request = Read(context, received.Body);
        if (request.Segments is ["_emulator", ..])
        {
            // The control surface is neither logged nor faulted: it is how tests look at those.
            ApiResult control = IsLoopback(context.Connection.RemoteIpAddress)
                ? received.Refusal ?? ControlEndpoints.Handle(_core, request)
                : Errors.Forbidden("The control endpoints answer loopback callers only");
            await RespondAsync(context, WireAnswer.Of(control));
            return;
        }

        RecordedRequest entry = Record(requestId, request);
        // Taken before the request shows in the log: a release that follows seeing it there lets it go.
        Task released = _core.Released;
        _core.Log.Add(entry);

        WireAnswer? answer = received.Refusal is { } refusal ? WireAnswer.Of(refusal) : await AnswerAsync(context, request, entry.Path, released);
        _core.Log.Complete(entry, answer?.Status ?? 0, answer?.IsAborted ?? false);
        if (answer is null)
        {
            context.Abort();
            return;
        }

        // The emulator's own time for the request (W3C Server Timing), added latency and fault delays included: a long
        // benchmark reads from it that the emulator's cost per request stays flat however many secrets it has issued.
        context.Response.Headers["Server-Timing"] = string.Create(CultureInfo.InvariantCulture, $"emulator;dur={Stopwatch.GetElapsedTime(arrived).TotalMilliseconds:0.###}");
        await RespondAsync(context, answer);
    }

    /// <returns>The body, with the 400 or 413 to answer instead of handling it; null when the client went away.</returns>
    private static async Task<(byte[] Body, ApiResult? Refusal)?> ReadBodyAsync(HttpContext context)
    {
        // Refused unread: Kestrel drains what is still coming after the answer, so a client that is
        // still sending gets to read the 413 rather than a broken pipe.
        if (context.Request.ContentLength > MaxBodyBytes)
        {
            return (Array.Empty<byte>(), Errors.PayloadTooLarge(MaxBodyBytes));
        }

        using var buffer = new MemoryStream();
        byte[] chunk = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await context.Request.Body.ReadAsync(chunk, context.RequestAborted)) > 0)
            {
                // A chunked body announces no length: count it.
                if (buffer.Length + read > MaxBodyBytes)
                {
                    return (Array.Empty<byte>(), Errors.PayloadTooLarge(MaxBodyBytes));
                }

                buffer.Write(chunk, 0, read);
            }

            return (buffer.ToArray(), null);
        }
        catch (BadHttpRequestException e)
        {
            return (buffer.ToArray(), Errors.BadRequest(e.Message, e.StatusCode));
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            return null;
        }
    }

    /// <param name="loggedPath">The path as the request log shows it, secrets scrubbed: the one to print.</param>
    /// <param name="released">Ends a fault's Delay early (see EmulatorCore.ReleaseHeld).</param>
    private async Task<WireAnswer?> AnswerAsync(HttpContext context, EmulatorRequest request, string loggedPath, Task released)
    {
        // A client timeout (RequestAborted) or a stop must end a wait at once, not after it.
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _core.Stopping);
        try
        {
            // Taken on arrival, so concurrent requests meet faults in the order they came.
            EmulatorFault? fault = _core.Faults.TryTake(request.Method, request.RawPath, request.DecodedPath);
            await DelayAsync(_core.Latency, cancel.Token);
            // A canned fault answers in the API's place; a mangle lets the API handle the request first.
            ApiResult? real = fault is { Mangle: null } ? null : Router.Dispatch(_core, request);
            if (fault is null)
            {
                return WireAnswer.Of(real!);
            }

            if (fault.Delay > TimeSpan.Zero)
            {
                await Task.WhenAny(Task.Delay(fault.Delay, cancel.Token), released).Unwrap();
            }

            return fault.ToAnswer(real);
        }
        catch (OperationCanceledException)
        {
            return null;
        }
        catch (Exception e)
        {
            _logger.LogError(e, "Unhandled error answering {Method} {Path}", request.Method, loggedPath);
            return WireAnswer.Of(Errors.Internal());
        }
    }

    /// <summary>A timer, not a blocked thread: a benchmark may hold hundreds of requests in their latency at once.</summary>
    private static Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken) =>
        delay > TimeSpan.Zero ? Task.Delay(delay, cancellationToken) : Task.CompletedTask;

    private EmulatorRequest Read(HttpContext context, byte[] body)
    {
        // RawTarget keeps the escapes exactly as the client sent them (Request.Path is half-decoded).
        string target = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? context.Request.Path.ToUriComponent();
        int question = target.IndexOf('?', StringComparison.Ordinal);
        string rawPath = question < 0 ? target : target[..question];
        string query = question < 0 ? string.Empty : target[(question + 1)..];
        if (!rawPath.StartsWith('/'))
        {
            rawPath = context.Request.Path.ToUriComponent();
        }

        (string[]? segments, string decoded) = EmulatorRequest.SplitPath(rawPath);
        return new EmulatorRequest
        {
            Method = context.Request.Method,
            RawPath = rawPath,
            DecodedPath = decoded,
            Query = query,
            Segments = segments,
            Body = body,
            ContentType = context.Request.ContentType,
            Headers = context.Request.Headers,
            Authentication = _core.Authenticate(context.Request.Headers),
        };
    }

    private RecordedRequest Record(string requestId, EmulatorRequest request)
    {
        SecretIndex secrets = _core.State.Secrets;
        bool scrubbed = false;
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach ((string name, Microsoft.Extensions.Primitives.StringValues values) in request.Headers)
        {
            headers[name] = Redaction.IsSecretHeader(name) ? Redaction.Mask : secrets.Scrub(values.ToString(), ref scrubbed);
        }

        return new RecordedRequest
        {
            RequestId = requestId,
            ReceivedAt = DateTimeOffset.UtcNow,
            Method = request.Method,
            Path = secrets.Scrub(request.RawPath, ref scrubbed),
            Query = secrets.Scrub(request.Query, ref scrubbed),
            ContentType = request.ContentType,
            Authentication = request.Authentication,
            Headers = headers,
            Body = secrets.Scrub(Redaction.RedactAuthorizationMembers(request.Body), ref scrubbed),
            BodyLength = request.Body.Length,
            SecretsRedacted = scrubbed,
        };
    }

    private async Task RespondAsync(HttpContext context, WireAnswer answer)
    {
        try
        {
            await answer.WriteAsync(context, _core.Stopping);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            // The client went away; nothing left to tell it.
        }
    }

    private static bool IsLoopback(IPAddress? address) => address is not null && IPAddress.IsLoopback(address);
}
