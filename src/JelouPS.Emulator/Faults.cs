using System;
using System.Collections.Generic;

namespace JelouPS.Emulator;

/// <summary>
/// A canned answer for the next matching API request(s), to exercise a client's error handling:
/// 5xx and retries, Retry-After, non-JSON bodies, slow servers and timeouts.
/// </summary>
public sealed class EmulatorFault
{
    /// <summary>HTTP method to match (case-insensitive); null matches any.</summary>
    public string? Method { get; set; }

    /// <summary>Substring of the path to match (raw or decoded form); null matches any.</summary>
    public string? PathContains { get; set; }

    public int Status { get; set; } = 500;

    /// <summary>Sent verbatim; need not be JSON.</summary>
    public string Body { get; set; } = string.Empty;

    public string ContentType { get; set; } = "application/json";

    /// <summary>Wait before answering; ends early when the client goes away or the emulator stops.</summary>
    public TimeSpan Delay { get; set; } = TimeSpan.Zero;

    /// <summary>Retry-After header value, e.g. "2" or an HTTP date; null sends none.</summary>
    public string? RetryAfter { get; set; }

    /// <summary>How many matching requests this fault answers.</summary>
    public int Count { get; set; } = 1;

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

        ArgumentNullException.ThrowIfNull(Body);
        ArgumentNullException.ThrowIfNull(ContentType);
    }
}

/// <summary>Faults in FIFO order; each answers up to its Count matching requests.</summary>
internal sealed class FaultQueue
{
    private readonly object _gate = new();
    private readonly List<(EmulatorFault Fault, int Remaining)> _queue = new();

    public void Enqueue(EmulatorFault fault)
    {
        ArgumentNullException.ThrowIfNull(fault);
        fault.Validate();

        // Copied so a caller changing its object later does not change a queued fault.
        var copy = new EmulatorFault
        {
            Method = fault.Method,
            PathContains = fault.PathContains,
            Status = fault.Status,
            Body = fault.Body,
            ContentType = fault.ContentType,
            Delay = fault.Delay,
            RetryAfter = fault.RetryAfter,
            Count = fault.Count,
        };
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
