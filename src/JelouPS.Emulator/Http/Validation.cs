using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;

namespace JelouPS.Emulator;

/// <summary>Every violation of a request, by field path (the <c>validationError</c> member).</summary>
/// <remarks>Messages follow class-validator's wording, the NestJS library the error body suggests.</remarks>
internal sealed class ValidationErrors
{
    private readonly OrderedDictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    public bool Any => _errors.Count > 0;

    public bool Has(string field) => _errors.ContainsKey(field);

    public void Add(string field, string message)
    {
        if (!_errors.TryGetValue(field, out List<string>? messages))
        {
            messages = new List<string>();
            _errors.Add(field, messages);
        }

        messages.Add(message);
    }

    public string Summary() => string.Join("; ", _errors.Values.SelectMany(m => m));

    public void WriteTo(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        foreach ((string field, List<string> messages) in _errors)
        {
            writer.WriteStartArray(field);
            foreach (string message in messages)
            {
                writer.WriteStringValue(message);
            }

            writer.WriteEndArray();
        }

        writer.WriteEndObject();
    }
}

/// <summary>Reads the members of one JSON object, recording violations as it goes.</summary>
/// <remarks>
/// JSON null counts as absent (class-validator's IsOptional does the same). Members that are not
/// documented are rejected, so a client's typo ("webhookURL") fails loudly instead of being ignored.
/// </remarks>
internal sealed class FieldReader
{
    private readonly JsonElement _object;
    private readonly ValidationErrors _errors;
    private readonly string _prefix;

    public FieldReader(JsonElement obj, ValidationErrors errors, string prefix, params string[]? allowed)
    {
        _object = obj;
        _errors = errors;
        _prefix = prefix;
        if (allowed is null)
        {
            return;
        }

        foreach (JsonProperty property in obj.EnumerateObject())
        {
            string name = Json.ReadName(property);
            if (Array.IndexOf(allowed, name) < 0)
            {
                errors.Add(PathOf(name), $"property {PathOf(name)} should not exist");
            }
        }
    }

    public string PathOf(string name) => _prefix + name;

    public bool Has(string name) => TryGet(name, out _);

    public string? RequiredString(string name)
    {
        string path = PathOf(name);
        if (!TryGet(name, out JsonElement value))
        {
            _errors.Add(path, $"{path} should not be empty");
            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            _errors.Add(path, $"{path} must be a string");
            return null;
        }

        string text = Json.ReadString(value);
        if (string.IsNullOrWhiteSpace(text))
        {
            _errors.Add(path, $"{path} should not be empty");
            return null;
        }

        return text;
    }

    /// <summary>Null when absent; an empty string is returned as is (callers decide).</summary>
    public string? OptionalString(string name)
    {
        if (!TryGet(name, out JsonElement value))
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            _errors.Add(PathOf(name), $"{PathOf(name)} must be a string");
            return null;
        }

        return Json.ReadString(value);
    }

    public long? RequiredInteger(string name, long min, long max)
    {
        if (!Has(name))
        {
            _errors.Add(PathOf(name), $"{PathOf(name)} should not be empty");
            return null;
        }

        return OptionalInteger(name, min, max);
    }

    /// <summary>Null when absent; anything but a whole number from min to max is a violation.</summary>
    public long? OptionalInteger(string name, long min, long max)
    {
        if (!TryGet(name, out JsonElement value))
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out long number) && number >= min && number <= max)
        {
            return number;
        }

        _errors.Add(PathOf(name), $"{PathOf(name)} must be an integer from {min} to {max}");
        return null;
    }

    public bool? OptionalBoolean(string name)
    {
        if (!TryGet(name, out JsonElement value))
        {
            return null;
        }

        if (value.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            return value.GetBoolean();
        }

        _errors.Add(PathOf(name), $"{PathOf(name)} must be a boolean value");
        return null;
    }

    public string? RequiredOneOf(string name, params string[] allowed)
    {
        if (!Has(name))
        {
            _errors.Add(PathOf(name), $"{PathOf(name)} should not be empty");
            return null;
        }

        return OptionalOneOf(name, allowed);
    }

    /// <summary>Case-sensitive, as the documented values are.</summary>
    public string? OptionalOneOf(string name, params string[] allowed)
    {
        if (!TryGet(name, out JsonElement value))
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.String && Array.IndexOf(allowed, Json.ReadString(value)) is var index and >= 0)
        {
            return allowed[index];
        }

        string message = allowed.Length == 1
            ? $"{PathOf(name)} must be equal to {allowed[0]}"
            : $"{PathOf(name)} must be one of the following values: {string.Join(", ", allowed)}";
        _errors.Add(PathOf(name), message);
        return null;
    }

    public JsonElement? RequiredObject(string name)
    {
        if (!Has(name))
        {
            _errors.Add(PathOf(name), $"{PathOf(name)} should not be empty");
            return null;
        }

        return OptionalObject(name);
    }

    public JsonElement? OptionalObject(string name)
    {
        if (!TryGet(name, out JsonElement value))
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            _errors.Add(PathOf(name), $"{PathOf(name)} must be an object");
            return null;
        }

        return value;
    }

    /// <summary>Absolute https URL; plain http only for a loopback host when allowed.</summary>
    public string? RequiredHttpsUrl(string name, bool allowLoopbackHttp)
    {
        string? text = RequiredString(name);
        return text is not null && CheckHttpsUrl(name, text, allowLoopbackHttp) ? text : null;
    }

    public bool CheckHttpsUrl(string name, string text, bool allowLoopbackHttp)
    {
        string path = PathOf(name);
        if (!Uri.TryCreate(text, UriKind.Absolute, out Uri? uri)
            || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp)
            || uri.Host.Length == 0)
        {
            _errors.Add(path, $"{path} must be a URL address");
            return false;
        }

        bool ok = uri.Scheme == Uri.UriSchemeHttps || (allowLoopbackHttp && LoopbackEndpoint.IsLoopbackHost(uri));
        if (!ok)
        {
            _errors.Add(path, $"{path} must be an HTTPS URL");
        }

        return ok;
    }

    /// <summary>The member's value; false when it is absent or JSON null.</summary>
    private bool TryGet(string name, out JsonElement value) =>
        Json.TryGetMember(_object, name, out value) && value.ValueKind != JsonValueKind.Null;
}
