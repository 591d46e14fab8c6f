using System;
using System.Threading;
using System.Threading.Tasks;
using JelouPS.Infrastructure;
using Xunit;

namespace JelouPS.Tests
{
    /// <summary>
    /// One vault write of a project's signing secret at a time in the process: an older secret that checked it was the
    /// project's latest cannot finish writing after a newer one that checked later (JelouSession.StoreTurn).
    /// </summary>
    public sealed class StoreTurnTests
    {
        private static readonly Uri Api = new Uri("https://gateway.example.com/jelouapi");

        private static IDisposable Turn(string projectId, CancellationToken cancellation) => JelouSession.StoreTurn(Api, projectId, cancellation);

        // A wait that a broken turn would make endless fails instead.
        private static CancellationToken Bounded => new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token;

        [Fact]
        public async Task A_write_waiting_for_the_project_gets_its_turn_once_the_first_is_done()
        {
            string projectId = "turn-" + Guid.NewGuid().ToString("N");
            IDisposable first = Turn(projectId, Bounded);
            Task second = Task.Run(() => Turn(projectId, Bounded).Dispose());

            first.Dispose();

            await second.WaitAsync(TimeSpan.FromSeconds(30));
        }

        [Fact]
        public void Another_project_does_not_wait()
        {
            using (Turn("turn-" + Guid.NewGuid().ToString("N"), Bounded))
            using (Turn("turn-" + Guid.NewGuid().ToString("N"), Bounded))
            {
            }
        }

        [Fact]
        public void After_ctrl_c_a_free_turn_is_still_given_and_a_busy_one_is_not_waited_for()
        {
            string projectId = "turn-" + Guid.NewGuid().ToString("N");
            using var stopped = new CancellationTokenSource();
            stopped.Cancel();

            IDisposable held = Turn(projectId, stopped.Token);

            Assert.ThrowsAny<OperationCanceledException>(() => Turn(projectId, stopped.Token));
            held.Dispose();
            held.Dispose();
            using (Turn(projectId, stopped.Token))
            {
                // Disposed twice, the first turn was given back once: this one is held, so another still waits.
                Assert.ThrowsAny<OperationCanceledException>(() => Turn(projectId, stopped.Token));
            }
        }
    }
}
