using System;

namespace JelouPS.Retry
{
    /// <summary>
    /// Exponential backoff with jitter, as Azure.Core's retry policy waits: the n-th retry waits first·2^(n-1), capped
    /// at max, then spread by ±20% so that many clients failing together do not retry together.
    /// </summary>
    public static class Backoff
    {
        private static readonly Random Shared = new Random();

        /// <summary>The wait before retry number <paramref name="retry"/> (1 for the first retry).</summary>
        public static TimeSpan Delay(int retry, TimeSpan first, TimeSpan max, Func<double>? unitRandom = null)
        {
            if (retry < 1) throw new ArgumentOutOfRangeException(nameof(retry), "The first retry is number 1.");
            double exponential = first.TotalMilliseconds * Math.Pow(2, Math.Min(retry - 1, 30));
            double capped = Math.Min(exponential, max.TotalMilliseconds);
            double unit = unitRandom?.Invoke() ?? NextDouble();
            return TimeSpan.FromMilliseconds(capped * (0.8 + 0.4 * unit));
        }

        private static double NextDouble()
        {
            lock (Shared) return Shared.NextDouble();
        }
    }
}
