using System;
using System.Threading;
using System.Threading.Tasks;
using JelouPS.Infrastructure;
using JelouPS.Security;
using Xunit;

namespace JelouPS.Tests
{
    /// <summary>
    /// One vault write of a project's signing secret at a time in the process: an older secret that checked it was the
    /// project's latest cannot finish writing after a newer one that checked later (JelouSession.StoreTurn).
    /// </summary>
    public sealed class StoreTurnTests
    {
        private static ExternalSupportIntegration Issued(string projectId) =>
            new ExternalSupportIntegration(projectId, "i-1", projectId, "https://crm.example.com/j", "no_auth", SecureStrings.FromString("whsec-test"), DateTimeOffset.UtcNow, null, null);

        [Fact]
        public async Task A_write_waiting_for_the_project_gets_its_turn_once_the_first_is_done()
        {
            string projectId = "turn-" + Guid.NewGuid().ToString("N");
            IDisposable first = JelouSession.StoreTurn(Issued(projectId), CancellationToken.None);
            Task second = Task.Run(() => JelouSession.StoreTurn(Issued(projectId), CancellationToken.None).Dispose());

            first.Dispose();

            await second.WaitAsync(TimeSpan.FromSeconds(30));
        }

        [Fact]
        public void Another_project_does_not_wait()
        {
            using (JelouSession.StoreTurn(Issued("turn-" + Guid.NewGuid().ToString("N")), CancellationToken.None))
            using (JelouSession.StoreTurn(Issued("turn-" + Guid.NewGuid().ToString("N")), CancellationToken.None))
            {
            }
        }

        [Fact]
        public void After_ctrl_c_a_free_turn_is_still_given_and_a_busy_one_is_not_waited_for()
        {
            string projectId = "turn-" + Guid.NewGuid().ToString("N");
            using var stopped = new CancellationTokenSource();
            stopped.Cancel();

            IDisposable held = JelouSession.StoreTurn(Issued(projectId), stopped.Token);

            Assert.ThrowsAny<OperationCanceledException>(() => JelouSession.StoreTurn(Issued(projectId), stopped.Token));
            held.Dispose();
            held.Dispose();
            using (JelouSession.StoreTurn(Issued(projectId), stopped.Token))
            {
                // Disposed twice, the first turn was given back once: this one is held, so another still waits.
                Assert.ThrowsAny<OperationCanceledException>(() => JelouSession.StoreTurn(Issued(projectId), stopped.Token));
            }
        }
    }
}
