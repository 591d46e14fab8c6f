using System;
using System.Collections.Generic;
using System.Text.Json;
using System.Threading.Tasks;

namespace JelouPS.Emulator;

/// <summary>
/// <c>/_emulator/…</c>: what the in-process API offers, for a child-process user (Pester, the demo).
/// No auth (loopback only), and never a secret: integrations are shown without authorization or
/// signing secret. Bodies are read as JSON whatever their Content-Type, to be easy to call from a shell.
/// </summary>
internal static class ControlEndpoints
{
    private static readonly string[] FaultMembers =
    [
        "method", "pathContains", "status", "body", "contentType", "delayMs", "retryAfter", "headers", "count",
        "resetAfterBytes", "closeWithoutAnswer", "neverEnd", "dripBytesPerSecond", "padToBytes", "mangle",
    ];

    private static readonly string[] Mangles = Enum.GetNames<ResponseMangle>();

    public static ApiResult Handle(EmulatorCore core, EmulatorRequest request) => (request.Method, request.Segments) switch
    {
        ("GET", [_, "requests"]) => ApiResult.Json(200, w => WriteArray(w, core.Log.Snapshot(), WriteRequest)),
        ("DELETE", [_, "requests"]) => Done(core.Log.Clear),
        ("GET", [_, "shape"]) => ShapeResult(core.Shape),
        ("PUT", [_, "shape"]) => SetShape(core, request),
        ("GET", [_, "latency"]) => LatencyResult(core.Latency),
        ("PUT", [_, "latency"]) => SetLatency(core, request),
        ("POST", [_, "faults"]) => AddFault(core, request),
        ("DELETE", [_, "faults"]) => Done(core.Faults.Clear),
        ("POST", [_, "faults", "release"]) => Done(core.ReleaseHeld),
        ("GET", [_, "integrations", var projectId]) => GetIntegration(core, projectId),
        ("GET", [_, "deliveries"]) => ApiResult.Json(200, w => WriteArray(w, core.Events.Snapshot(), WriteDelivery)),
        ("GET", [_, "agent-messages"]) => ApiResult.Json(200, w => WriteArray(w, core.State.AgentMessagesSnapshot(), WriteAgentMessage)),
        ("POST", [_, "conversations", var projectId, var conversationId, "user-message"]) => UserMessage(core, request, projectId, conversationId),
        ("POST", [_, "reset"]) => Done(core.Reset),
        _ => Errors.RouteNotFound(request.Method, request.RawPath),
    };

    private static ApiResult Done(Action action)
    {
        action();
        return ApiResult.NoContent();
    }

    private static ApiResult ShapeResult(ResponseShape shape) => ApiResult.Json(200, w =>
    {
        w.WriteStartObject();
        w.WriteString("shape", shape == ResponseShape.Flat ? "flat" : "envelope");
        w.WriteEndObject();
    });

    private static ApiResult SetShape(EmulatorCore core, EmulatorRequest request)
    {
        if (!TryReadBody(request, out JsonElement body, out ApiResult? bad))
        {
            return bad!;
        }

        var errors = new ValidationErrors();
        string? shape = new FieldReader(body, errors, string.Empty, "shape").RequiredOneOf("shape", "envelope", "flat");
        if (errors.Any)
        {
            return Errors.Validation(errors, status: 400);
        }

        core.Shape = shape == "flat" ? ResponseShape.Flat : ResponseShape.Envelope;
        return ShapeResult(core.Shape);
    }

    private static ApiResult LatencyResult(TimeSpan latency) => ApiResult.Json(200, w =>
    {
        w.WriteStartObject();
        w.WriteNumber("ms", (long)latency.TotalMilliseconds);
        w.WriteEndObject();
    });

    private static ApiResult SetLatency(EmulatorCore core, EmulatorRequest request)
    {
        if (!TryReadBody(request, out JsonElement body, out ApiResult? bad))
        {
            return bad!;
        }

        var errors = new ValidationErrors();
        long? ms = new FieldReader(body, errors, string.Empty, "ms").RequiredInteger("ms", 0, int.MaxValue);
        if (errors.Any)
        {
            return Errors.Validation(errors, status: 400);
        }

        core.Latency = TimeSpan.FromMilliseconds(ms!.Value);
        return LatencyResult(core.Latency);
    }

    private static ApiResult AddFault(EmulatorCore core, EmulatorRequest request)
    {
        if (!TryReadBody(request, out JsonElement body, out ApiResult? bad))
        {
            return bad!;
        }

        var errors = new ValidationErrors();
        var fields = new FieldReader(body, errors, string.Empty, FaultMembers);
        var fault = new EmulatorFault
        {
            Method = fields.OptionalString("method"),
            PathContains = fields.OptionalString("pathContains"),
            RetryAfter = fields.OptionalString("retryAfter"),
            Delay = TimeSpan.FromMilliseconds(fields.OptionalInteger("delayMs", 0, int.MaxValue) ?? 0),
            ResetAfterBytes = (int?)fields.OptionalInteger("resetAfterBytes", 0, int.MaxValue),
            CloseWithoutAnswer = fields.OptionalBoolean("closeWithoutAnswer") ?? false,
            NeverEnd = fields.OptionalBoolean("neverEnd") ?? false,
            DripBytesPerSecond = (int?)fields.OptionalInteger("dripBytesPerSecond", 1, int.MaxValue),
            PadToBytes = fields.OptionalInteger("padToBytes", 0, long.MaxValue),
            Mangle = fields.OptionalOneOf("mangle", Mangles) is { } mangle ? Enum.Parse<ResponseMangle>(mangle) : null,
        };

        // Absent members keep the in-process defaults (with a mangle, the real answer's status and content type).
        if (fields.OptionalInteger("status", 200, 599) is { } status)
        {
            fault.Status = (int)status;
        }

        if (fields.OptionalString("body") is { } text)
        {
            fault.Body = text;
        }

        if (fields.OptionalString("contentType") is { } contentType)
        {
            fault.ContentType = contentType;
        }

        if (fields.OptionalInteger("count", 1, int.MaxValue) is { } count)
        {
            fault.Count = (int)count;
        }

        if (fields.OptionalObject("headers") is { } headers)
        {
            var values = new FieldReader(headers, errors, "headers.", allowed: null);
            foreach (JsonProperty header in headers.EnumerateObject())
            {
                string name = Json.ReadName(header);
                if (values.OptionalString(name) is { } value)
                {
                    fault.Headers[name] = value;
                }
            }
        }

        if (!errors.Any)
        {
            try
            {
                core.Faults.Enqueue(fault);
            }
            catch (ArgumentException e)
            {
                // A rule between members (two endings, say): reported under the member the fault names.
                errors.Add(JsonNamingPolicy.CamelCase.ConvertName(e.ParamName ?? "fault"), e.Message);
            }
        }

        return errors.Any ? Errors.Validation(errors, status: 400) : ApiResult.Json(201, w => WriteFault(w, fault));
    }

    private static ApiResult GetIntegration(EmulatorCore core, string projectId)
    {
        IntegrationRecord? i = core.State.FindIntegration(projectId);
        if (i is null)
        {
            return Errors.NotFound($"No integration exists for project {projectId}");
        }

        return ApiResult.Json(200, w =>
        {
            w.WriteStartObject();
            w.WriteString("projectId", i.ProjectId);
            w.WriteString("id", i.Id);
            w.WriteString("brainId", i.BrainId);
            w.WriteString("webhookUrl", i.WebhookUrl);
            w.WriteString("authType", i.AuthType);
            w.WriteBoolean("hasAuthorization", i.Authorization is not null);
            w.WriteString("createdAt", Json.Timestamp(i.CreatedAt));
            w.WriteString("updatedAt", Json.Timestamp(i.UpdatedAt));
            w.WriteEndObject();
        });
    }

    /// <summary>Answers 202 at once and delivers in the background (see GET deliveries): a caller
    /// that is also the single-threaded receiver must not be blocked by its own delivery.</summary>
    private static ApiResult UserMessage(EmulatorCore core, EmulatorRequest request, string projectId, string conversationId)
    {
        if (!TryReadBody(request, out JsonElement body, out ApiResult? bad))
        {
            return bad!;
        }

        var errors = new ValidationErrors();
        string? text = new FieldReader(body, errors, string.Empty, "text").RequiredString("text");
        if (errors.Any)
        {
            return Errors.Validation(errors, status: 400);
        }

        ApiResult? failure = core.TrySendUserMessage(projectId, conversationId, text!, out Task<DeliveryRecord>? _, out string? messageId);
        return failure ?? ApiResult.Json(202, w =>
        {
            w.WriteStartObject();
            w.WriteString("messageId", messageId);
            w.WriteString("conversationId", conversationId);
            w.WriteEndObject();
        });
    }

    private static bool TryReadBody(EmulatorRequest request, out JsonElement body, out ApiResult? error)
    {
        error = null;
        if (Json.TryParse(request.Body, out body) && body.ValueKind == JsonValueKind.Object)
        {
            return true;
        }

        error = Errors.BadRequest("Request body must be a JSON object");
        return false;
    }

    private static void WriteArray<T>(Utf8JsonWriter w, T[] items, Action<Utf8JsonWriter, T> write)
    {
        w.WriteStartArray();
        foreach (T item in items)
        {
            write(w, item);
        }

        w.WriteEndArray();
    }

    /// <summary>The queued fault, without its canned body and content type; status null means the real answer's.</summary>
    private static void WriteFault(Utf8JsonWriter w, EmulatorFault f)
    {
        w.WriteStartObject();
        w.WriteString("method", f.Method);
        w.WriteString("pathContains", f.PathContains);
        WriteNumberOrNull(w, "status", f.Mangle is null ? f.Status : f.ExplicitStatus);
        w.WriteNumber("delayMs", (long)f.Delay.TotalMilliseconds);
        w.WriteString("retryAfter", f.RetryAfter);
        WriteHeaders(w, f.Headers);
        w.WriteNumber("count", f.Count);
        WriteNumberOrNull(w, "resetAfterBytes", f.ResetAfterBytes);
        w.WriteBoolean("closeWithoutAnswer", f.CloseWithoutAnswer);
        w.WriteBoolean("neverEnd", f.NeverEnd);
        WriteNumberOrNull(w, "dripBytesPerSecond", f.DripBytesPerSecond);
        WriteNumberOrNull(w, "padToBytes", f.PadToBytes);
        w.WriteString("mangle", f.Mangle?.ToString());
        w.WriteEndObject();
    }

    private static void WriteHeaders(Utf8JsonWriter w, IEnumerable<KeyValuePair<string, string>> headers)
    {
        w.WriteStartObject("headers");
        foreach ((string name, string value) in headers)
        {
            w.WriteString(name, value);
        }

        w.WriteEndObject();
    }

    private static void WriteNumberOrNull(Utf8JsonWriter w, string name, long? value)
    {
        if (value is { } number)
        {
            w.WriteNumber(name, number);
        }
        else
        {
            w.WriteNull(name);
        }
    }

    private static void WriteRequest(Utf8JsonWriter w, RecordedRequest r)
    {
        w.WriteStartObject();
        w.WriteString("requestId", r.RequestId);
        w.WriteString("receivedAt", Json.Timestamp(r.ReceivedAt));
        w.WriteString("method", r.Method);
        w.WriteString("path", r.Path);
        w.WriteString("query", r.Query);
        w.WriteString("contentType", r.ContentType);
        w.WriteString("authentication", r.Authentication);
        WriteHeaders(w, r.Headers);
        w.WriteString("body", r.Body);
        w.WriteNumber("bodyLength", r.BodyLength);
        w.WriteNumber("responseStatus", r.ResponseStatus);
        w.WriteBoolean("aborted", r.Aborted);
        w.WriteBoolean("secretsRedacted", r.SecretsRedacted);
        w.WriteEndObject();
    }

    private static void WriteDelivery(Utf8JsonWriter w, DeliveryRecord d)
    {
        w.WriteStartObject();
        w.WriteString("event", d.Event);
        w.WriteString("projectId", d.ProjectId);
        w.WriteString("url", d.Url);
        w.WriteString("body", d.Body);
        w.WriteString("signature", d.Signature);
        WriteNumberOrNull(w, "status", d.Status);

        w.WriteString("error", d.Error);
        w.WriteString("startedAt", Json.Timestamp(d.StartedAt));
        w.WriteNumber("durationMs", (long)d.Duration.TotalMilliseconds);
        w.WriteEndObject();
    }

    private static void WriteAgentMessage(Utf8JsonWriter w, AgentMessage m)
    {
        w.WriteStartObject();
        w.WriteString("projectId", m.ProjectId);
        w.WriteString("conversationId", m.ConversationId);
        w.WriteString("roomId", m.RoomId);
        w.WriteString("botId", m.BotId);
        w.WriteString("userId", m.UserId);
        w.WriteString("messageId", m.MessageId);
        w.WriteString("type", m.Type);
        w.WriteString("text", m.Text);
        w.WriteString("url", m.Url);
        w.WriteString("mimeType", m.MimeType);
        w.WriteString("caption", m.Caption);
        w.WriteString("fileName", m.FileName);
        w.WriteString("receivedAt", Json.Timestamp(m.ReceivedAt));
        w.WriteEndObject();
    }
}
