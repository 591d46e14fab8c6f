using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Net.Http;
using System.Security;
using System.Threading;
using System.Threading.Tasks;
using JelouPS.Emulator;
using JelouPS.Security;
using Xunit;

namespace JelouPS.Tests.Client
{
    /// <summary>One emulator for a test class; each test uses its own project ids.</summary>
    public sealed class EmulatorFixture : IAsyncLifetime
    {
        public JelouEmulator Emulator { get; private set; } = null!;

        public async Task InitializeAsync() => Emulator = await JelouEmulator.StartAsync(new EmulatorOptions());

        public async Task DisposeAsync() => await Emulator.DisposeAsync();
    }

    /// <summary>Collects the client's trace lines so tests can read them and scan them for secrets.</summary>
    internal sealed class RecordingTrace : IJelouTrace
    {
        public ConcurrentQueue<string> Lines { get; } = new ConcurrentQueue<string>();

        public void Verbose(string message) => Lines.Enqueue("VERBOSE: " + message);

        public void Debug(string message) => Lines.Enqueue("DEBUG: " + message);
    }

    /// <summary>A handler that answers with whatever the test says, to fake networks the emulator can't.</summary>
    internal sealed class StubHandler : HttpMessageHandler
    {
        private readonly Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> _answer;

        public StubHandler(Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> answer) => _answer = answer;

        public List<HttpRequestMessage> Requests { get; } = new List<HttpRequestMessage>();

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Requests.Add(request);
            return _answer(request, cancellationToken);
        }
    }

    /// <summary>Retry waits that return at once and are recorded, so tests of backoff never sleep.</summary>
    internal sealed class RecordingDelay
    {
        public ConcurrentQueue<TimeSpan> Waits { get; } = new ConcurrentQueue<TimeSpan>();

        public Task WaitAsync(TimeSpan wait, CancellationToken cancellationToken)
        {
            Waits.Enqueue(wait);
            cancellationToken.ThrowIfCancellationRequested();
            return Task.CompletedTask;
        }
    }

    internal static class TestClients
    {
        public static SecureString Secure(string value) => SecureStrings.FromString(value);

        /// <summary>A client of the emulator; without <paramref name="retries"/> it does not retry, so one fault is one failure.</summary>
        public static JelouClient ForEmulator(JelouEmulator emulator, JelouCredential? credential = null, TimeSpan? timeout = null, int retries = 0, RecordingDelay? delay = null) =>
            new JelouClient(
                new JelouClientOptions(credential ?? new JelouApiKeyCredential(Secure(EmulatorOptions.DefaultApiKey)))
                {
                    BaseUri = emulator.GatewayUri,
                    ChatbotUri = emulator.ChatbotUri,
                    Timeout = timeout ?? TimeSpan.FromSeconds(10),
                    MaximumRetryCount = retries,
                },
                handler: null,
                delay is null ? null : delay.WaitAsync);

        public static JelouClient ForStub(StubHandler handler, TimeSpan? timeout = null, int retries = 0, RecordingDelay? delay = null, TimeSpan? stopGrace = null) =>
            new JelouClient(
                new JelouClientOptions(new JelouApiKeyCredential(Secure("stub-api-key")))
                {
                    BaseUri = new Uri("https://gateway.example.test/jelouapi"),
                    Timeout = timeout ?? TimeSpan.FromSeconds(10),
                    MaximumRetryCount = retries,
                },
                handler,
                delay is null ? null : delay.WaitAsync,
                stopGrace);

        /// <summary>Valid create settings: a bearer webhook.</summary>
        public static ExternalSupportSettings Settings() =>
            new ExternalSupportSettings { WebhookUrl = new Uri("https://crm.example.com/jelou"), AuthType = "bearer", Authorization = Secure("tok-123") };

        public static string NewProjectId() => "p-" + Guid.NewGuid().ToString("N").Substring(0, 12);

        public static string Plain(SecureString secret) => SecureStrings.UseChars(secret, chars => new string(chars));
    }
}
