using System;
using System.Globalization;

namespace JelouPS
{
    /// <summary>Times in messages: seconds, with a point whatever the culture (in de-DE a wait read "0,26 s").</summary>
    internal static class Durations
    {
        /// <summary>A wait longer than .NET reads from a Retry-After of seconds ("Retry-After: 99999999999"), which is kept as this.</summary>
        internal static readonly TimeSpan Unreadable = TimeSpan.FromSeconds(int.MaxValue);

        /// <summary>The span in seconds, up to milliseconds: "3.532", "30".</summary>
        internal static string Seconds(TimeSpan span) => span.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);

        /// <summary>
        /// A wait (a Retry-After) as a message says it: "30 s" below an hour; beyond, the UTC time it ends, clearer than
        /// 86400 s, after <paramref name="until"/> ("until 2026-12-01 09:30:00Z"); "more than 68 years" for one .NET could not
        /// count (see <see cref="Unreadable"/>).
        /// </summary>
        internal static string Wait(TimeSpan wait, string until = "") =>
            wait < TimeSpan.FromHours(1) ? Seconds(wait) + " s"
            : wait == Unreadable || DateTimeOffset.MaxValue - DateTimeOffset.UtcNow <= wait ? "more than 68 years"
            : until + (DateTimeOffset.UtcNow + wait).ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);
    }

    /// <summary>Sizes in messages.</summary>
    internal static class Sizes
    {
        /// <summary>"1 byte", "2,048 bytes": a count of bytes, grouped with commas whatever the culture.</summary>
        internal static string Bytes(long count) => count == 1 ? "1 byte" : count.ToString("N0", CultureInfo.InvariantCulture) + " bytes";
    }
}
