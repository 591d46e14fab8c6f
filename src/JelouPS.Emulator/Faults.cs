using System;
using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;
using System.Linq;
using System.Text;

namespace JelouPS.Emulator;

/// <summary>
/// A canned answer for the next matching API request(s), to exercise a client's error handling:
/// 5xx and retries, Retry-After, non-JSON bodies, slow servers and timeouts, and connections that
/// break, stall or never end. With <see cref="Mangle"/>, the request is handled for real and its
/// real answer is changed on the way out instead.
/// </summary>
public sealed class EmulatorFault
{
    // The emulator frames every answer itself, and two headers have properties of their own.
    private static readonly Dictionary<string, string> ReservedHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Content-Type"] = "set ContentType instead",
        ["Retry-After"] = "set RetryAfter instead",
        ["Content-Length"] = "the emulator frames the body (see PadToBytes and ResetAfterBytes)",
        ["Transfer-Encoding"] = "the emulator frames the body (see NeverEnd)",
        ["Connection"] = "the emulator manages the connection (see CloseWithoutAnswer)",
    };

    private Dictionary<string, string> _headers = new(StringComparer.OrdinalIgnoreCase);

    // Unset, they take the real answer's values when there is one (Mangle).
    private int? _status;
    private string? _contentType;

    /// <summary>HTTP method to match (case-insensitive); null matches any.</summary>
    public string? Method { get; set; }

    /// <summary>Substring of the path to match (raw or decoded form); null matches any.</summary>
    public string? PathContains { get; set; }

    /// <summary>500 unless set; with <see cref="Mangle"/>, the real answer's status unless set.</summary>
    public int Status
    {
        get => _status ?? 500;
        set => _status = value;
    }

    /// <summary>Sent verbatim; need not be JSON. Must stay empty with <see cref="Mangle"/>.</summary>
    public string Body { get; set; } = string.Empty;

    /// <summary>
    /// Sent as given; empty sends no Content-Type. application/json unless set; with <see cref="Mangle"/>,
    /// the mangled answer's unless set.
    /// </summary>
    [AllowNull]
    public string ContentType
    {
        get => _contentType ?? "application/json";
        set => _contentType = value;
    }

    /// <summary>Wait before answering; ends early when the client goes away or the emulator stops.</summary>
    public TimeSpan Delay { get; set; } = TimeSpan.Zero;

    /// <summary>Retry-After header value, sent verbatim: seconds ("2") or an HTTP date; null sends none.</summary>
    public string? RetryAfter { get; set; }

    /// <summary>Extra response headers (printable ASCII values).</summary>
    public IDictionary<string, string> Headers => _headers;

    /// <summary>How many matching requests this fault answers.</summary>
    public int Count { get; set; } = 1;

    /// <summary>
    /// Send the status line, the headers (with the whole body's Content-Length) and the first N body
    /// bytes, then cut the connection: an answer lost part way. 0 cuts right after the headers.
    /// </summary>
    public int? ResetAfterBytes { get; set; }

    /// <summary>
    /// Read the request, then cut the connection without sending a byte. On a reused connection .NET
    /// sends a bodiless request again by itself; the request log shows each arrival.
    /// </summary>
    public bool CloseWithoutAnswer { get; set; }

    /// <summary>
    /// Send the headers and the body, then keep the answer open (chunked, with no final chunk) until the
    /// client goes away or the emulator stops.
    /// </summary>
    public bool NeverEnd { get; set; }

    /// <summary>Send the body at this many bytes a second, in small flushed pieces.</summary>
    public int? DripBytesPerSecond { get; set; }

    /// <summary>
    /// Make the body this many bytes by streaming ASCII spaces after <see cref="Body"/>, never held in
    /// memory: an oversized answer (spaces keep a JSON body valid JSON, so only its size is wrong).
    /// </summary>
    public long? PadToBytes { get; set; }

    /// <summary>
    /// Handle the request as usual (state changes, the real answer is made), then send that answer
    /// changed this way; null sends the canned answer instead. The transport properties, Status,
    /// ContentType, Headers and RetryAfter apply on top; Delay holds back the answer, not the handling.
    /// </summary>
    public ResponseMangle? Mangle { get; set; }

    /// <summary>The status given, if any: with Mangle, unset means the real answer's.</summary>
    internal int? ExplicitStatus => _status;

    /// <summary>A copy, so that a caller changing its object later does not change a queued fault.</summary>
    internal EmulatorFault Copy()
    {
        var copy = (EmulatorFault)MemberwiseClone();
        copy._headers = new Dictionary<string, string>(_headers, StringComparer.OrdinalIgnoreCase);
        return copy;
    }

    /// <summary>What this fault sends: the canned answer, or <paramref name="real"/> mangled.</summary>
    internal WireAnswer ToAnswer(ApiResult? real)
    {
        WireAnswer answer = Mangle is { } mangle
            ? Mangling.Apply(mangle, real!, PadToBytes)
            : Mangling.Padded(new WireAnswer { Status = Status, ContentType = ContentType, Head = Encoding.UTF8.GetBytes(Body) }, PadToBytes);
        var headers = new Dictionary<string, string>(_headers, StringComparer.OrdinalIgnoreCase);
        if (RetryAfter is not null)
        {
            headers["Retry-After"] = RetryAfter;
        }

        (WireEnding ending, long? sendOnly) = CloseWithoutAnswer ? (WireEnding.NoAnswer, null)
            : ResetAfterBytes is { } bytes ? (WireEnding.Reset, bytes)
            : NeverEnd ? (WireEnding.HoldOpen, null)
            : (answer.Ending, answer.SendOnly);
        string? contentType = _contentType ?? answer.ContentType;
        return answer with
        {
            // What the request log shows: a canned fault that sends nothing has no status to tell.
            Status = CloseWithoutAnswer && Mangle is null ? 0 : _status ?? answer.Status,
            ContentType = contentType is { Length: > 0 } ? contentType : null,
            Headers = headers,
            Ending = ending,
            SendOnly = sendOnly,
            DripBytesPerSecond = DripBytesPerSecond,
        };
    }

    internal void Validate()
    {
        if (Status is < 200 or > 599)
        {
            throw new ArgumentOutOfRangeException(nameof(Status), Status, "A fault status must be 200-599.");
        }

        if (Count < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(Count), Count, "A fault must answer at least one request.");
        }

        if (Delay < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(Delay), Delay, "A fault delay cannot be negative.");
        }

        if (ResetAfterBytes < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(ResetAfterBytes), ResetAfterBytes, "ResetAfterBytes cannot be negative.");
        }

        if (DripBytesPerSecond < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(DripBytesPerSecond), DripBytesPerSecond, "DripBytesPerSecond must be at least 1.");
        }

        if (PadToBytes < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(PadToBytes), PadToBytes, "PadToBytes cannot be negative.");
        }

        ArgumentNullException.ThrowIfNull(Body);
        if (Mangle is { } mangle && !Enum.IsDefined(mangle))
        {
            throw new ArgumentOutOfRangeException(nameof(Mangle), mangle, "Not a ResponseMangle value.");
        }

        if (Mangle is not null && Body.Length > 0)
        {
            throw new ArgumentException("Body is a canned answer's; with Mangle the answer is the real one, changed.", nameof(Body));
        }

        ValidateEnding();
        if (Mangle is null)
        {
            ValidateLengths();
        }

        foreach ((string name, string value) in _headers)
        {
            if (name.Length == 0 || !name.All(IsTokenChar))
            {
                throw new ArgumentException($"'{name}' is not a valid header name.", nameof(Headers));
            }

            if (ReservedHeaders.TryGetValue(name, out string? instead))
            {
                throw new ArgumentException($"Headers cannot set {name}: {instead}.", nameof(Headers));
            }

            CheckHeaderValue(nameof(Headers), name, value);
        }

        if (RetryAfter is not null)
        {
            CheckHeaderValue(nameof(RetryAfter), "Retry-After", RetryAfter);
        }
    }

    private void ValidateEnding()
    {
        string[] endings = SetOf(
            (ResetAfterBytes is not null, nameof(ResetAfterBytes)),
            (CloseWithoutAnswer, nameof(CloseWithoutAnswer)),
            (NeverEnd, nameof(NeverEnd)),
            (Mangle is ResponseMangle.ResetAfterSecret or ResponseMangle.NeverEndAfterSecret, nameof(Mangle)));
        if (endings.Length > 1)
        {
            throw new ArgumentException($"An answer ends one way only, but {string.Join(" and ", endings)} both say how.", endings[1]);
        }

        if (CloseWithoutAnswer && Mangle is not (null or ResponseMangle.Intact))
        {
            throw new ArgumentException(
                "CloseWithoutAnswer sends nothing, so a mangled body would never be seen; Mangle = Intact handles the request and loses its answer.",
                nameof(Mangle));
        }

        string[] unseen = SetOf(
            (Body.Length > 0, nameof(Body)),
            (RetryAfter is not null, nameof(RetryAfter)),
            (_headers.Count > 0, nameof(Headers)),
            (DripBytesPerSecond is not null, nameof(DripBytesPerSecond)),
            (PadToBytes is not null, nameof(PadToBytes)));
        if (CloseWithoutAnswer && unseen.Length > 0)
        {
            throw new ArgumentException($"CloseWithoutAnswer sends nothing, so {string.Join(" and ", unseen)} would never be seen.", unseen[0]);
        }
    }

    private void ValidateLengths()
    {
        long bodyBytes = Encoding.UTF8.GetByteCount(Body);
        if (PadToBytes < bodyBytes)
        {
            throw new ArgumentOutOfRangeException(nameof(PadToBytes), PadToBytes, $"PadToBytes cannot be less than the {bodyBytes} bytes of Body.");
        }

        long length = PadToBytes ?? bodyBytes;
        if (ResetAfterBytes >= length)
        {
            throw new ArgumentOutOfRangeException(nameof(ResetAfterBytes), ResetAfterBytes,
                $"ResetAfterBytes must be less than the body's {length} bytes, or the whole answer arrives before the reset.");
        }
    }

    // Kestrel sends header values in ASCII only, and a line break would forge headers of its own.
    private static void CheckHeaderValue(string property, string name, string value)
    {
        if (!value.All(c => c is '\t' or (>= ' ' and <= '~')))
        {
            throw new ArgumentException($"The {name} header value must be printable ASCII.", property);
        }
    }

    private static string[] SetOf(params (bool IsSet, string Name)[] properties) =>
        properties.Where(p => p.IsSet).Select(p => p.Name).ToArray();

    private static bool IsTokenChar(char c) => char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c);
}

/// <summary>Faults in FIFO order; each answers up to its Count matching requests.</summary>
internal sealed class FaultQueue
{
    private readonly object _gate = new();
    private readonly List<(EmulatorFault Fault, int Remaining)> _queue = new();

    public void Enqueue(EmulatorFault fault)
    {
        ArgumentNullException.ThrowIfNull(fault);
        EmulatorFault copy = fault.Copy();
        copy.Validate();
        lock (_gate)
        {
            _queue.Add((copy, copy.Count));
        }
    }

    public EmulatorFault? TryTake(string method, string rawPath, string decodedPath)
    {
        lock (_gate)
        {
            for (int i = 0; i < _queue.Count; i++)
            {
                (EmulatorFault fault, int remaining) = _queue[i];
                if (!Matches(fault, method, rawPath, decodedPath))
                {
                    continue;
                }

                if (remaining <= 1)
                {
                    _queue.RemoveAt(i);
                }
                else
                {
                    _queue[i] = (fault, remaining - 1);
                }

                return fault;
            }

            return null;
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            _queue.Clear();
        }
    }

    private static bool Matches(EmulatorFault fault, string method, string rawPath, string decodedPath) =>
        (fault.Method is null || string.Equals(fault.Method, method, StringComparison.OrdinalIgnoreCase))
        && (fault.PathContains is null
            || rawPath.Contains(fault.PathContains, StringComparison.Ordinal)
            || decodedPath.Contains(fault.PathContains, StringComparison.Ordinal));
}
