using System;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace JelouPS.Emulator;

/// <summary>A response computed in full before anything is written, so it can be logged first (see <see cref="WireAnswer"/>).</summary>
internal sealed class ApiResult
{
    private const string JsonContentType = "application/json; charset=utf-8";

    private ApiResult(int status, byte[] body, string? contentType)
    {
        Status = status;
        Body = body;
        ContentType = contentType;
    }

    public int Status { get; }
    public byte[] Body { get; }
    public string? ContentType { get; }

    /// <summary>The human message of an error result, for in-process callers that throw instead.</summary>
    public string? ErrorMessage { get; private init; }

    public static ApiResult Json(int status, Action<Utf8JsonWriter> write) =>
        new(status, JelouPS.Emulator.Json.Write(write), JsonContentType);

    public static ApiResult NoContent() => new(StatusCodes.Status204NoContent, Array.Empty<byte>(), null);

    /// <summary>Surface A success in the current shape; <paramref name="writeObject"/> writes one whole object.</summary>
    public static ApiResult Shaped(ResponseShape shape, string message, Action<Utf8JsonWriter> writeObject) =>
        shape == ResponseShape.Flat ? Json(200, writeObject) : Envelope(message, writeObject);

    public static ApiResult Envelope(string message, Action<Utf8JsonWriter> writeData) => Json(200, w =>
    {
        WriteSuccessHead(w, message);
        w.WritePropertyName("data");
        writeData(w);
        w.WriteEndObject();
    });

    /// <summary>A success without data (delete, agent reply): the same in both shapes.</summary>
    public static ApiResult Message(string message) => Json(200, w =>
    {
        WriteSuccessHead(w, message);
        w.WriteEndObject();
    });

    /// <summary>The documented error body (§3), used for every non-2xx the emulator makes up.</summary>
    public static ApiResult Error(int status, string code, string key, string message, ValidationErrors? validation = null, string? description = null) =>
        new(status, JelouPS.Emulator.Json.Write(w =>
        {
            w.WriteStartObject();
            w.WriteString("message", message);
            w.WriteString("statusMessage", "error");
            w.WriteNumber("status", 0);
            w.WriteStartObject("error");
            w.WriteString("code", code);
            w.WriteString("key", key);
            w.WriteString("description", description ?? message);
            w.WriteStartObject("developerMessages");
            w.WriteEndObject();
            w.WriteStartObject("clientMessages");
            w.WriteEndObject();
            w.WriteEndObject();
            w.WritePropertyName("validationError");
            if (validation is null)
            {
                w.WriteStartObject();
                w.WriteEndObject();
            }
            else
            {
                validation.WriteTo(w);
            }

            w.WriteEndObject();
        }), JsonContentType)
        {
            ErrorMessage = message,
        };

    private static void WriteSuccessHead(Utf8JsonWriter w, string message)
    {
        w.WriteStartObject();
        w.WriteStartArray("message");
        w.WriteStringValue(message);
        w.WriteEndArray();
        w.WriteString("statusMessage", "success");
        w.WriteNumber("status", 1);
    }
}

/// <summary>The error bodies the emulator answers with. Codes and keys are invented (§8 item 13).</summary>
internal static class Errors
{
    public static ApiResult Unauthorized() => ApiResult.Error(401, "UNAUTHORIZED", "external_support.unauthorized",
        "Missing or invalid credentials: send x-api-key or HTTP Basic client credentials");

    public static ApiResult InvalidSignature(string message) =>
        ApiResult.Error(401, "INVALID_SIGNATURE", "external_support.invalid_signature", message);

    public static ApiResult NotFound(string message) =>
        ApiResult.Error(404, "NOT_FOUND", "external_support.not_found", message);

    public static ApiResult RouteNotFound(string method, string path) =>
        ApiResult.Error(404, "NOT_FOUND", "external_support.route_not_found", $"Cannot {method} {path}");

    public static ApiResult Conflict(string message) =>
        ApiResult.Error(409, "CONFLICT", "external_support.conflict", message);

    public static ApiResult BadRequest(string message, int status = 400) =>
        ApiResult.Error(status, "BAD_REQUEST", "external_support.bad_request", message);

    public static ApiResult PayloadTooLarge(long limit) =>
        ApiResult.Error(413, "PAYLOAD_TOO_LARGE", "external_support.payload_too_large", $"Request body larger than {limit} bytes");

    public static ApiResult Forbidden(string message) =>
        ApiResult.Error(403, "FORBIDDEN", "external_support.forbidden", message);

    public static ApiResult Validation(ValidationErrors errors, int status = 422) =>
        ApiResult.Error(status, "VALIDATION_ERROR", "external_support.validation_error", "Validation failed", errors, errors.Summary());

    public static ApiResult Internal() =>
        ApiResult.Error(500, "INTERNAL_ERROR", "external_support.internal_error", "Internal server error (emulator)");
}
