using System;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace JelouPS.Emulator;

/// <summary>A request read in full, with its path split and decoded by the emulator itself.</summary>
internal sealed class EmulatorRequest
{
    public required string Method { get; init; }

    /// <summary>As received, still escaped.</summary>
    public required string RawPath { get; init; }

    public required string DecodedPath { get; init; }
    public required string Query { get; init; }

    /// <summary>Decoded path segments; null when the path has an empty segment (e.g. "//" or a trailing "/").</summary>
    public required string[]? Segments { get; init; }

    public required byte[] Body { get; init; }
    public required string? ContentType { get; init; }
    public required IHeaderDictionary Headers { get; init; }

    /// <summary>"api-key", "basic", "none" or "invalid".</summary>
    public required string Authentication { get; init; }

    /// <summary>
    /// Splits on '/' before decoding: ASP.NET leaves %2F encoded in its path, and a project id such as
    /// "a b/c" arrives as one segment "a%20b%2Fc" that must decode to one id.
    /// </summary>
    public static (string[]? Segments, string Decoded) SplitPath(string rawPath)
    {
        string[] parts = rawPath.TrimStart('/').Split('/');
        var segments = new string[parts.Length];
        bool valid = true;
        for (int i = 0; i < parts.Length; i++)
        {
            segments[i] = Uri.UnescapeDataString(parts[i]);
            valid &= segments[i].Length > 0;
        }

        return (valid ? segments : null, "/" + string.Join('/', segments));
    }

    /// <summary>The body as a JSON object, or the 400 a Node/Express JSON parser would answer.</summary>
    public bool TryReadJsonObject(out JsonElement root, out ApiResult? error)
    {
        root = default;
        if (!IsJsonContentType(ContentType))
        {
            error = Errors.BadRequest("Content-Type must be application/json (UTF-8)");
            return false;
        }

        if (Body.Length == 0 || !Json.TryParse(Body, out root))
        {
            error = Errors.BadRequest("Request body is not valid JSON");
            return false;
        }

        if (root.ValueKind != JsonValueKind.Object)
        {
            error = Errors.BadRequest("Request body must be a JSON object");
            return false;
        }

        error = null;
        return true;
    }

    private static bool IsJsonContentType(string? contentType) =>
        contentType is not null
        && MediaTypeHeaderValue.TryParse(contentType, out MediaTypeHeaderValue? parsed)
        && string.Equals(parsed.MediaType, "application/json", StringComparison.OrdinalIgnoreCase)
        && (parsed.CharSet is null || string.Equals(parsed.CharSet.Trim('"'), "utf-8", StringComparison.OrdinalIgnoreCase));
}
