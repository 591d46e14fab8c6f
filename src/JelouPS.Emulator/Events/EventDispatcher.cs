using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace JelouPS.Emulator;

/// <summary>
/// Delivers signed events to webhooks, in the background and best-effort (one try, 5 s), and keeps a
/// record of each attempt. Delivery guarantees are undocumented (§5.4); this is the simplest reading.
/// </summary>
internal sealed class EventDispatcher : IAsyncDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    private readonly CancellationToken _stopping;
    private readonly HttpClient _http;
    private readonly object _gate = new();
    private readonly List<DeliveryRecord> _deliveries = new();
    private readonly HashSet<Task> _pending = new();

    public EventDispatcher(CancellationToken stopping)
    {
        _stopping = stopping;

        // No proxy (the receiver is on this machine) and no redirects (a webhook answers, it does not move).
        _http = new HttpClient(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false, ConnectTimeout = Timeout })
        {
            Timeout = System.Threading.Timeout.InfiniteTimeSpan,
        };
    }

    public DeliveryRecord[] Snapshot()
    {
        lock (_gate)
        {
            return _deliveries.ToArray();
        }
    }

    /// <summary>Starts a delivery without waiting for it; the task never faults.</summary>
    public Task<DeliveryRecord> Deliver(IntegrationRecord integration, string eventName, byte[] body)
    {
        // Task.Run: the caller is a request handler and must not wait on a connect to the receiver.
        Task<DeliveryRecord> delivery = Task.Run(() => SendAsync(integration, eventName, body));
        lock (_gate)
        {
            _pending.Add(delivery);
        }

        _ = delivery.ContinueWith(
            done =>
            {
                lock (_gate)
                {
                    _pending.Remove(done);
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
        return delivery;
    }

    /// <summary>Completes when every delivery started so far has finished.</summary>
    public Task WhenIdleAsync(CancellationToken cancellationToken)
    {
        Task[] pending;
        lock (_gate)
        {
            pending = [.. _pending];
        }

        return Task.WhenAll(pending).WaitAsync(cancellationToken);
    }

    public void Clear()
    {
        lock (_gate)
        {
            _deliveries.Clear();
        }
    }

    public async ValueTask DisposeAsync()
    {
        // The stopping token is already cancelled by the owner, so in-flight sends end promptly.
        await WhenIdleAsync(CancellationToken.None);
        _http.Dispose();
    }

    private async Task<DeliveryRecord> SendAsync(IntegrationRecord integration, string eventName, byte[] body)
    {
        DateTimeOffset startedAt = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        string signature = Signing.Sign(body, integration.SigningSecret);
        int? status = null;
        string? error = null;

        if (!Uri.TryCreate(integration.WebhookUrl, UriKind.Absolute, out Uri? url) || !LoopbackEndpoint.IsLoopbackHost(url))
        {
            // The emulator is for offline use: it never posts to a real host on the network.
            error = "not delivered: the emulator only delivers to loopback webhook URLs";
        }
        else
        {
            using var cancel = CancellationTokenSource.CreateLinkedTokenSource(_stopping);
            cancel.CancelAfter(Timeout);
            try
            {
                using HttpRequestMessage request = BuildRequest(url, integration, body, signature);
                using HttpResponseMessage response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancel.Token);
                status = (int)response.StatusCode;
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
                error = "cancelled: the emulator is stopping";
            }
            catch (OperationCanceledException)
            {
                error = $"timed out after {Timeout.TotalSeconds:0} s";
            }
            catch (HttpRequestException e)
            {
                error = e.Message;
            }
        }

        var record = new DeliveryRecord
        {
            Event = eventName,
            ProjectId = integration.ProjectId,
            Url = integration.WebhookUrl,
            Body = Encoding.UTF8.GetString(body),
            Signature = signature,
            Status = status,
            Error = error,
            StartedAt = startedAt,
            Duration = clock.Elapsed,
        };
        lock (_gate)
        {
            _deliveries.Add(record);
        }

        return record;
    }

    /// <summary>The body goes out as the exact bytes signed; the auth header follows §2.3.</summary>
    private static HttpRequestMessage BuildRequest(Uri url, IntegrationRecord integration, byte[] body, string signature)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.TryAddWithoutValidation(Signing.HeaderName, signature);
        request.Headers.TryAddWithoutValidation("User-Agent", "JelouPS.Emulator");
        switch (integration.AuthType)
        {
            case "bearer":
                request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + integration.Authorization);
                break;
            case "api_key":
                request.Headers.TryAddWithoutValidation("X-API-Key", integration.Authorization);
                break;
            case "basic":
                // Sent as given: the docs do not say whether Jelou encodes user:pass itself (§8 item 4).
                request.Headers.TryAddWithoutValidation("Authorization", "Basic " + integration.Authorization);
                break;
        }

        return request;
    }
}
