using System;
using System.Linq;
using System.Threading.Tasks;
using JelouPS.Emulator;
using Xunit;
using static JelouPS.Tests.Client.TestClients;

namespace JelouPS.Tests.Client
{
    /// <summary>
    /// The client against the emulator's faults on a real connection: nothing unsafe reaches the server twice, every send is
    /// a -Verbose line, and every signing secret the emulator really issued reaches the caller, whatever became of the answer.
    /// </summary>
    public sealed class WireFaultTests : IClassFixture<EmulatorFixture>
    {
        private readonly JelouEmulator _emulator;

        public WireFaultTests(EmulatorFixture fixture)
        {
            _emulator = fixture.Emulator;
            _emulator.Shape = ResponseShape.Envelope;
        }

        private int Arrivals(string method, string projectId, string suffix = "") =>
            _emulator.Requests.Count(r => r.Method == method && r.Path.EndsWith(projectId + suffix, StringComparison.Ordinal));

        private static int Sends(RecordingTrace trace, string method) =>
            trace.Lines.Count(line => line.StartsWith("VERBOSE: " + method + " ", StringComparison.Ordinal) && !line.Contains(" answered ") && !line.Contains("; "));

        [Fact]
        public async Task A_rotation_whose_connection_closes_unanswered_reaches_the_server_once_and_its_outcome_is_unknown()
        {
            using JelouClient client = ForEmulator(_emulator, retries: 3, delay: new RecordingDelay());
            string projectId = NewProjectId();
            await client.CreateExternalSupportAsync(projectId, Settings());
            _emulator.EnqueueFault(new EmulatorFault { Method = "POST", PathContains = projectId + "/secret", Mangle = ResponseMangle.Intact, CloseWithoutAnswer = true });
            var trace = new RecordingTrace();

            var error = await Assert.ThrowsAsync<JelouApiException>(() => client.RegenerateSigningSecretAsync(projectId, trace));

            Assert.Equal(JelouErrorKind.OutcomeUnknown, error.Kind);
            Assert.Equal(1, Arrivals("POST", projectId, "/secret/regenerate"));
            Assert.Equal(1, Sends(trace, "POST"));
        }

        [Fact]
        public async Task A_create_whose_connection_closes_unanswered_reaches_the_server_once()
        {
            using JelouClient client = ForEmulator(_emulator, retries: 3, delay: new RecordingDelay());
            string projectId = NewProjectId();
            _emulator.EnqueueFault(new EmulatorFault { Method = "POST", PathContains = projectId, Mangle = ResponseMangle.Intact, CloseWithoutAnswer = true });

            var error = await Assert.ThrowsAsync<JelouApiException>(() => client.CreateExternalSupportAsync(projectId, Settings()));

            Assert.Equal(JelouErrorKind.OutcomeUnknown, error.Kind);
            Assert.Equal(1, Arrivals("POST", projectId));
            Assert.NotNull(_emulator.FindIntegration(projectId));
        }

        [Fact]
        public async Task A_delete_whose_connection_closes_is_retried_visibly_and_never_silently()
        {
            using JelouClient client = ForEmulator(_emulator, retries: 3, delay: new RecordingDelay());
            string projectId = NewProjectId();
            await client.CreateExternalSupportAsync(projectId, Settings());
            _emulator.EnqueueFault(new EmulatorFault { Method = "DELETE", PathContains = projectId, CloseWithoutAnswer = true });
            var trace = new RecordingTrace();

            await client.DeleteExternalSupportAsync(projectId, trace);

            // One closed, one retried by JelouPS (a DELETE is idempotent), each a -Verbose line.
            Assert.Equal(2, Arrivals("DELETE", projectId));
            Assert.Equal(2, Sends(trace, "DELETE"));
            Assert.Null(_emulator.FindIntegration(projectId));
        }

        [Fact]
        public async Task A_read_carries_no_body_so_only_the_http_stack_may_resend_it()
        {
            // RFC 9110 §8.6: no Content-Length on a request without content whose method expects none; .NET Framework
            // refuses content on a GET. So a GET whose connection closes unanswered may be resent by .NET itself (it is
            // safe to repeat), without a -Verbose line: the one send JelouPS cannot show.
            using JelouClient client = ForEmulator(_emulator, retries: 0);
            string projectId = NewProjectId();
            await client.CreateExternalSupportAsync(projectId, Settings());
            _emulator.EnqueueFault(new EmulatorFault { Method = "GET", PathContains = projectId, CloseWithoutAnswer = true, Count = 10 });

            var error = await Assert.ThrowsAsync<JelouApiException>(() => client.GetExternalSupportAsync(projectId));

            Assert.Equal(JelouErrorKind.ConnectionFailed, error.Kind);
            Assert.DoesNotContain(_emulator.Requests.Where(r => r.Method == "GET" && r.Path.EndsWith(projectId, StringComparison.Ordinal)), r => r.Headers.ContainsKey("Content-Length"));
        }

        [Theory]
        [InlineData(null)]
        [InlineData(500)]
        [InlineData(502)]
        public async Task A_delete_whose_answer_was_lost_and_whose_retry_finds_nothing_is_done(int? status)
        {
            using JelouClient client = ForEmulator(_emulator, retries: 3, delay: new RecordingDelay());
            string projectId = NewProjectId();
            await client.CreateExternalSupportAsync(projectId, Settings());
            // The emulator deletes it for real, then answers as a failing server or gateway would (or closes the connection).
            _emulator.EnqueueFault(status is int failed
                ? new EmulatorFault { Method = "DELETE", PathContains = projectId, Mangle = ResponseMangle.Intact, Status = failed }
                : new EmulatorFault { Method = "DELETE", PathContains = projectId, Mangle = ResponseMangle.Intact, CloseWithoutAnswer = true });
            var trace = new RecordingTrace();

            await client.DeleteExternalSupportAsync(projectId, trace);

            Assert.Null(_emulator.FindIntegration(projectId));
            Assert.Equal(2, Arrivals("DELETE", projectId));
            Assert.Contains(trace.Lines, line => line.Contains("the earlier attempt, which got no answer or a server error, most likely deleted it"));
        }

        [Fact]
        public async Task A_delete_that_finds_nothing_is_still_not_found_after_a_refusal()
        {
            using JelouClient client = ForEmulator(_emulator, retries: 3, delay: new RecordingDelay());
            string projectId = NewProjectId();
            var error = await Assert.ThrowsAsync<JelouApiException>(() => client.DeleteExternalSupportAsync(projectId));
            Assert.Equal(JelouErrorKind.NotFound, error.Kind);

            // A 503 refused the first attempt: the 404 of the retry is the truth.
            _emulator.EnqueueFault(new EmulatorFault { Method = "DELETE", PathContains = projectId, Status = 503 });
            error = await Assert.ThrowsAsync<JelouApiException>(() => client.DeleteExternalSupportAsync(projectId));
            Assert.Equal(JelouErrorKind.NotFound, error.Kind);
        }

        [Theory]
        [InlineData(true)]
        [InlineData(false)]
        public async Task A_secret_in_the_body_of_an_error_status_is_handed_over(bool creating)
        {
            using JelouClient client = ForEmulator(_emulator);
            string projectId = NewProjectId();
            if (!creating) await client.CreateExternalSupportAsync(projectId, Settings());
            _emulator.EnqueueFault(new EmulatorFault { Method = "POST", PathContains = projectId, Mangle = ResponseMangle.Intact, Status = 500 });

            var error = await Assert.ThrowsAsync<JelouApiException>(() => creating ? client.CreateExternalSupportAsync(projectId, Settings()) : client.RegenerateSigningSecretAsync(projectId));

            Assert.Equal(JelouErrorKind.ServerError, error.Kind);
            Assert.Equal(_emulator.FindIntegration(projectId)!.SigningSecret, Plain(error.Integration!.SigningSecret!));
        }

        [Theory]
        [InlineData("{}")]
        [InlineData("{\"message\":[\"ok\"],\"statusMessage\":\"success\",\"status\":1}")]
        public async Task A_conversation_read_that_names_no_conversation_is_an_invalid_response(string body)
        {
            using JelouClient client = ForEmulator(_emulator);
            string projectId = NewProjectId();
            _emulator.EnqueueFault(new EmulatorFault { Method = "GET", PathContains = projectId, Status = 200, Body = body });

            var error = await Assert.ThrowsAsync<JelouApiException>(() => client.GetConversationAsync(projectId, "c1"));

            Assert.Equal(JelouErrorKind.InvalidResponse, error.Kind);
        }

        [Fact]
        public async Task A_read_is_retried_after_a_reset_mid_answer()
        {
            using JelouClient client = ForEmulator(_emulator, retries: 3, delay: new RecordingDelay());
            string projectId = NewProjectId();
            await client.CreateExternalSupportAsync(projectId, Settings());
            _emulator.EnqueueFault(new EmulatorFault { Method = "GET", PathContains = projectId, Mangle = ResponseMangle.Intact, ResetAfterBytes = 10 });

            ExternalSupportIntegration read = await client.GetExternalSupportAsync(projectId);

            Assert.Equal("https://crm.example.com/jelou", read.WebhookUrl);
        }

        public static TheoryData<ResponseMangle, ResponseShape, bool> SecretMangles()
        {
            var data = new TheoryData<ResponseMangle, ResponseShape, bool>();
            foreach (ResponseMangle mangle in new[]
            {
                ResponseMangle.Intact, ResponseMangle.CutAfterSecret, ResponseMangle.TrailingBytes, ResponseMangle.Bom, ResponseMangle.ArrayRoot,
                ResponseMangle.DataAsString, ResponseMangle.LoneSurrogateInOtherField, ResponseMangle.ResetAfterSecret, ResponseMangle.NeverEndAfterSecret,
                ResponseMangle.OversizedAfterSecret, ResponseMangle.MissingFields, ResponseMangle.ExtraFields, ResponseMangle.WrongContentType,
            })
            {
                foreach (ResponseShape shape in new[] { ResponseShape.Envelope, ResponseShape.Flat })
                {
                    data.Add(mangle, shape, true);
                    data.Add(mangle, shape, false);
                }
            }
            return data;
        }

        [Theory]
        [MemberData(nameof(SecretMangles))]
        public async Task Every_secret_the_emulator_issued_reaches_the_caller(ResponseMangle mangle, ResponseShape shape, bool creating)
        {
            // Tests of a class run one at a time, so the class's emulator can take this test's shape.
            JelouEmulator emulator = _emulator;
            emulator.Shape = shape;
            // A body that never ends fails at the timeout: keep that short (but long enough for a loaded 2-core machine to answer).
            using JelouClient client = ForEmulator(emulator, timeout: TimeSpan.FromSeconds(mangle == ResponseMangle.NeverEndAfterSecret ? 1.5 : 10), retries: 3, delay: new RecordingDelay());
            string projectId = NewProjectId();
            if (!creating)
            {
                using JelouClient setup = ForEmulator(emulator, timeout: TimeSpan.FromSeconds(10), retries: 3, delay: new RecordingDelay());
                await setup.CreateExternalSupportAsync(projectId, Settings());
            }
            emulator.EnqueueFault(new EmulatorFault { Method = "POST", PathContains = projectId, Mangle = mangle });

            ExternalSupportIntegration? received;
            try
            {
                received = creating ? await client.CreateExternalSupportAsync(projectId, Settings()) : await client.RegenerateSigningSecretAsync(projectId);
            }
            catch (JelouApiException ex)
            {
                Assert.NotEqual(JelouErrorKind.UnexpectedStatus, ex.Kind);
                received = ex.Integration;
            }

            Assert.NotNull(received);
            Assert.Equal(emulator.FindIntegration(projectId)!.SigningSecret, Plain(received!.SigningSecret!));
            Assert.Equal(projectId, received.ProjectId);
            // Dated even when the answer lost its time; a rotation reads the rest back whatever became of its answer.
            Assert.NotNull(received.SecretIssuedAt);
            if (!creating) Assert.Equal("https://crm.example.com/jelou", received.WebhookUrl);
            Assert.Equal(1, emulator.Requests.Count(r => r.Method == "POST" && r.Path.Contains(projectId, StringComparison.Ordinal) && (creating || r.Path.EndsWith("/regenerate", StringComparison.Ordinal))));
        }

        [Theory]
        [InlineData(ResponseMangle.EmptyObject)]
        [InlineData(ResponseMangle.EnvelopeWithoutData)]
        [InlineData(ResponseMangle.HtmlBody)]
        public async Task An_answer_without_the_secret_is_an_invalid_response_sent_once(ResponseMangle mangle)
        {
            using JelouClient client = ForEmulator(_emulator, retries: 3, delay: new RecordingDelay());
            string projectId = NewProjectId();
            _emulator.EnqueueFault(new EmulatorFault { Method = "POST", PathContains = projectId, Mangle = mangle });

            var error = await Assert.ThrowsAsync<JelouApiException>(() => client.CreateExternalSupportAsync(projectId, Settings()));

            Assert.Equal(JelouErrorKind.InvalidResponse, error.Kind);
            Assert.Null(error.Integration);
            Assert.Equal(1, Arrivals("POST", projectId));
        }

        [Fact]
        public async Task Retry_After_as_an_http_date_is_honoured_on_the_wire()
        {
            var delay = new RecordingDelay();
            using JelouClient client = ForEmulator(_emulator, retries: 3, delay: delay);
            string projectId = NewProjectId();
            await client.CreateExternalSupportAsync(projectId, Settings());
            _emulator.EnqueueFault(new EmulatorFault { Method = "GET", PathContains = projectId, Status = 503, RetryAfter = DateTimeOffset.UtcNow.AddSeconds(4).ToString("r") });

            await client.GetExternalSupportAsync(projectId);

            Assert.InRange(Assert.Single(delay.Waits).TotalSeconds, 1, 4.01);
        }
    }
}
