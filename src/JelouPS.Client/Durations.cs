using System;
using System.Globalization;

namespace JelouPS
{
    /// <summary>Times in messages: seconds, with a point whatever the culture (in de-DE a wait read "0,26 s").</summary>
    internal static class Durations
    {
        /// <summary>The span in seconds, up to milliseconds: "3.532", "30".</summary>
        internal static string Seconds(TimeSpan span) => span.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);
    }
}
