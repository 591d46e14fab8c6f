using System;
using System.Collections;
using System.Collections.Generic;
using System.Collections.Specialized;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using System.Text;
using JelouPS.Webhooks;

namespace JelouPS.Infrastructure
{
    /// <summary>
    /// Finds the raw body and the headers in the request object a webhook host hands its script, so that a receiver is one
    /// line in each. Never uses a parsed body: Jelou signs the exact bytes (jelou-api.md §6). Recognised, by their members:
    /// <list type="bullet">
    /// <item>Azure Functions' <c>$Request</c> (HttpRequestContext): <c>RawBody</c>, the body as the host read it, and
    /// <c>Headers</c>, a dictionary that ignores case; <c>Body</c> is parsed JSON and is never used.</item>
    /// <item>Azure Automation's <c>$WebhookData</c>: <c>RequestBody</c> and <c>RequestHeader</c> (an object whose
    /// properties are the headers); in PowerShell 7 runbooks it may arrive as a JSON string of the same.</item>
    /// <item>Pode's <c>$WebEvent</c>: its <c>Request</c>, whose <c>RawBody</c> holds the exact bytes and <c>Headers</c> a
    /// hashtable that ignores case.</item>
    /// <item>Anything else with a raw body (<c>RawBody</c>, <c>RequestBody</c>, or a string or byte[] <c>Body</c> or
    /// <c>Payload</c>) and headers (<c>Headers</c>, <c>RequestHeader</c>: a dictionary, a header collection or an object),
    /// or a <c>Signature</c>, as a stored delivery has.</item>
    /// </list>
    /// </summary>
    internal static class WebhookRequests
    {
        /// <summary>
        /// What an error about <paramref name="request"/> names as its target: its type, and method and URL when it has
        /// them. Never the object itself, whose headers hold the webhook's credential and would stay in $Error.
        /// </summary>
        internal static string Describe(object? request)
        {
            object? value = Unwrap(request);
            if (value is null) return "null";
            if (value is string) return "request text";
            string method = Convert.ToString(Member(value, "Method"), CultureInfo.InvariantCulture) ?? "";
            // Without its query (Azure Functions' ?code= is the function's key) or user information.
            string url = JelouUris.WithoutCredentials(Convert.ToString(Member(value, "Url") ?? Member(value, "Path"), CultureInfo.InvariantCulture) ?? "");
            string where = (method + " " + url).Trim();
            return $"{TypeName(value)} request" + (where.Length == 0 ? "" : " " + where);
        }

        /// <summary>
        /// What to do about a delivery refused, or $false, because it matches only without what saving it as text added
        /// (WebhookVerdict.ChangedAfterSigning): a stored delivery's, or one a host got from something that rewrote it.
        /// </summary>
        internal const string ChangedAfterSigningAdvice = "Saving a body to a file as text adds such things: keep each body as the bytes received ([IO.File]::WriteAllBytes, " +
            "or Set-Content -AsByteStream), and read one saved as text with (Get-Content -Raw -Encoding UTF8 <file>).TrimEnd(); make bytes of a text with [Text.Encoding]::UTF8.GetBytes($text). " +
            "If it came straight from Jelou, find out what on the way rewrites request bodies.";

        // Text bodies are the bytes Jelou signed in UTF-8, without a BOM.
        private static readonly UTF8Encoding Utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);

        private static readonly string[] BodyNames = { "RawBody", "RequestBody", "Body", "Payload" };
        private static readonly string[] HeaderNames = { "Headers", "RequestHeader", "Header" };

        /// <summary>The delivery <paramref name="request"/> carries; an ArgumentException says what is missing.</summary>
        internal static WebhookDelivery Read(object? request)
        {
            object? value = Unwrap(request);
            if (value is null) throw new ArgumentException("The request is null: pass the host's request object ($Request, $WebhookData or $WebEvent).");
            if (value is string text) return ReadWebhookDataText(text);
            // Pode's $WebEvent holds the request as Request; Pode inside Azure Functions holds the Functions request there.
            if (Member(value, "Request") is object inner && !(inner is string) && Member(value, "RawBody") is null) return Read(inner);

            object? headers = null;
            foreach (string name in HeaderNames)
            {
                headers = Member(value, name);
                if (headers != null) break;
            }
            object? body = null;
            string? bodyName = null;
            foreach (string name in BodyNames)
            {
                body = Member(value, name);
                bodyName = name;
                if (body != null) break;
            }
            if (headers != null && (Unwrap(headers) is string || Unwrap(headers) is ValueType))
            {
                throw new ArgumentException($"The request's headers are a {TypeName(Unwrap(headers)!)}, not a dictionary or an object with one property per header.");
            }
            // A stored delivery ({ Payload; Signature }, as Test-JelouWebhookSignature takes by property name) has its signature
            // beside the body (null: simply unsigned); it also stands in for a signature header the headers lack.
            bool hasSignature = HasMember(value, "Signature");
            string? signature = hasSignature && Unwrap(Member(value, "Signature")) is object given ? Convert.ToString(given, CultureInfo.InvariantCulture) : null;
            if (headers is null && hasSignature) headers = new Hashtable();
            if (body is null || headers is null)
            {
                string missing = body is null && headers is null ? "raw body and no headers" : body is null ? "raw body" : "headers";
                throw new ArgumentException($"The request object ({TypeName(value)}) has no {missing}: pass the host's request object as it is ($Request in Azure Functions, " +
                    "$WebhookData in Azure Automation, $WebEvent in Pode), or the raw body with -Payload and the X-Jelou-Signature header with -Signature.");
            }
            byte[] bytes = Unwrap(body) switch
            {
                byte[] raw => raw,
                string raw => Utf8.GetBytes(raw),
                // What PowerShell makes of bytes it collects or adds ($mark + $bytes; Get-Content -AsByteStream without -Raw), or
                // a List[byte], which Test-JelouWebhookSignature's -Payload binds as byte[]: no parsed body holds a System.Byte.
                IList items when items.Count > 0 && items.Cast<object>().All(item => Unwrap(item) is byte) => items.Cast<object>().Select(item => (byte)Unwrap(item)!).ToArray(),
                _ => throw new ArgumentException($"The request's {bodyName} is a parsed {TypeName(Unwrap(body)!)}, not the body as received: Jelou signs the exact bytes, so a " +
                    "re-serialised body may not verify. Pass the raw body (Azure Functions: $Request.RawBody; Pode: $WebEvent.Request.RawBody) with -Payload."),
            };
            return new WebhookDelivery(bytes, name => HeaderValue(headers, name)
                ?? (string.Equals(name, JelouSignature.HeaderName, StringComparison.OrdinalIgnoreCase) ? signature : null));
        }

        // PowerShell 7 runbooks may get $WebhookData as text: JSON of { WebhookName, RequestBody, RequestHeader }.
        private static WebhookDelivery ReadWebhookDataText(string text)
        {
            if (WebhookDataText.TryRead(text, out string body, out IReadOnlyDictionary<string, string?> headers))
            {
                return new WebhookDelivery(Utf8.GetBytes(body), name => headers.TryGetValue(name, out string? value) ? value : null);
            }
            throw new ArgumentException("The request is text, but not $WebhookData as JSON (RequestBody and RequestHeader): pass the host's request object, or the raw body " +
                "with -Payload and the X-Jelou-Signature header with -Signature. In a PowerShell 7 runbook whose $WebhookData is not valid JSON, the body cannot be " +
                "recovered as sent: use a Windows PowerShell 5.1 runbook, as Azure Automation advises.");
        }

        /// <summary>A header's value, any case: from a dictionary, a header collection, or an object's properties.</summary>
        private static string? HeaderValue(object headers, string name)
        {
            object? value = Unwrap(headers) switch
            {
                NameValueCollection collection => collection[name],
                IDictionary dictionary => Entry(dictionary, name),
                object other => Member(other, name),
                null => null,
            };
            value = Unwrap(value);
            // A header given several times is its values joined, as HTTP combines them (RFC 9110 §5.3): a credential given
            // twice then matches neither, rather than whichever came first; a signature, only when the values differ.
            if (value is IList values && !(value is string))
            {
                var parts = new List<string>();
                foreach (object? part in values) parts.Add(Convert.ToString(Unwrap(part), CultureInfo.InvariantCulture) ?? "");
                return parts.Count == 0 ? null : string.Join(", ", parts);
            }
            return value is null ? null : Convert.ToString(value, CultureInfo.InvariantCulture);
        }

        // The entry by name in any case; several entries whose names differ only in case are its values.
        private static object? Entry(IDictionary dictionary, string key)
        {
            var found = new List<object?>();
            foreach (DictionaryEntry entry in dictionary)
            {
                if (string.Equals(Convert.ToString(Unwrap(entry.Key), CultureInfo.InvariantCulture), key, StringComparison.OrdinalIgnoreCase)) found.Add(entry.Value);
            }
            return found.Count == 0 ? null : found.Count == 1 ? found[0] : found;
        }

        private static bool HasMember(object container, string name)
        {
            if (!(container is IDictionary dictionary)) return PSObject.AsPSObject(container).Properties[name] != null;
            foreach (object key in dictionary.Keys)
            {
                if (string.Equals(Convert.ToString(Unwrap(key), CultureInfo.InvariantCulture), name, StringComparison.OrdinalIgnoreCase)) return true;
            }
            return false;
        }

        /// <summary>A member by name, any case: a dictionary's entry, else a property.</summary>
        private static object? Member(object container, string name)
        {
            if (container is IDictionary dictionary) return Entry(dictionary, name);
            PSPropertyInfo? property = PSObject.AsPSObject(container).Properties[name];
            try
            {
                return property?.Value;
            }
            catch (GetValueException)
            {
                return null;
            }
        }

        private static object? Unwrap(object? value) => value is PSObject wrapped && !(wrapped.BaseObject is PSCustomObject) ? wrapped.BaseObject : value;

        private static string TypeName(object value) => value is PSObject ? "PSCustomObject" : value.GetType().FullName ?? value.GetType().Name;
    }
}
