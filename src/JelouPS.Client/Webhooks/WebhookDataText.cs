using System;
using System.Collections.Generic;
using System.Text.Json;

namespace JelouPS.Webhooks
{
    /// <summary>
    /// Azure Automation's $WebhookData as PowerShell 7 runbooks may get it: JSON text of { WebhookName, RequestBody,
    /// RequestHeader }. Parsed here, in the client, so that System.Text.Json is only ever the module's own copy (the
    /// cmdlet assembly loads in PowerShell's default context, whose System.Text.Json is the runtime's: 6.0 on 7.2).
    /// </summary>
    internal static class WebhookDataText
    {
        /// <summary>The body and headers (by name, any case), or false when the text is not that JSON.</summary>
        internal static bool TryRead(string text, out string body, out IReadOnlyDictionary<string, string?> headers)
        {
            body = "";
            headers = new Dictionary<string, string?>();
            try
            {
                using JsonDocument document = JsonDocument.Parse(text);
                JsonElement root = document.RootElement;
                if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("RequestBody", out JsonElement bodyElement) || bodyElement.ValueKind != JsonValueKind.String
                    || !root.TryGetProperty("RequestHeader", out JsonElement headerElement) || headerElement.ValueKind != JsonValueKind.Object)
                {
                    return false;
                }
                var names = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
                foreach (JsonProperty header in headerElement.EnumerateObject())
                {
                    names[header.Name] = header.Value.ValueKind == JsonValueKind.String ? header.Value.GetString() : header.Value.GetRawText();
                }
                body = bodyElement.GetString()!;
                headers = names;
                return true;
            }
            // Not JSON, or a name or header holding a lone surrogate escape, which System.Text.Json cannot decode.
            catch (Exception ex) when (ex is JsonException || ex is InvalidOperationException)
            {
                return false;
            }
        }
    }
}
