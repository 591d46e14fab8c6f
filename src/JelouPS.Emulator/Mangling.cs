using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace JelouPS.Emulator;

/// <summary>
/// How a fault with <see cref="EmulatorFault.Mangle"/> changes a real answer. The request has been
/// handled as usual (an integration really created, a secret really regenerated), so a test can prove
/// that a secret that was issued reaches the user however its answer arrives.
/// </summary>
/// <remarks>
/// "The secret" is the value of the signingSecret member. In an answer that has none (a GET, a
/// conversation, an error) the mangles that cut after it cut after the first member whose value is a
/// string instead: never refused, always on the wire as documented.
/// </remarks>
public enum ResponseMangle
{
    /// <summary>The real answer as it is: with the transport properties, a real call whose answer is cut, lost, slowed or padded.</summary>
    Intact,

    /// <summary>The body ends right after the secret's closing quote (its Content-Length says so: a whole answer, broken JSON).</summary>
    CutAfterSecret,

    /// <summary>The body, then the bytes <c>garbage</c>.</summary>
    TrailingBytes,

    /// <summary>A UTF-8 byte order mark, then the body: a valid answer.</summary>
    Bom,

    /// <summary>The body inside <c>[</c> and <c>]</c>.</summary>
    ArrayRoot,

    /// <summary>
    /// The value of <c>data</c> replaced by a string holding its JSON. A body without <c>data</c> (the flat
    /// shape, an error) keeps its members and gains a <c>data</c> string holding the whole body's JSON.
    /// </summary>
    DataAsString,

    /// <summary>The value of webhookUrl (without one, the first other string value) ends in the escape <c>\ud800</c>; the secret is intact.</summary>
    LoneSurrogateInOtherField,

    /// <summary>The headers (with the whole body's Content-Length) and the body up to the end of the secret, then the connection is cut.</summary>
    ResetAfterSecret,

    /// <summary>The headers and the body up to the end of the secret, then the answer stays open until the client goes away.</summary>
    NeverEndAfterSecret,

    /// <summary>
    /// After the secret, a member <c>filler</c> whose string value is spaces, then the rest: valid JSON of
    /// exactly <see cref="EmulatorFault.PadToBytes"/> bytes (50 MiB unless set), streamed.
    /// </summary>
    OversizedAfterSecret,

    /// <summary>The members id, webhookUrl and createdAt removed wherever they are; the secret kept.</summary>
    MissingFields,

    /// <summary>A member the docs do not list, <c>emulatorExtra</c>, added to every object.</summary>
    ExtraFields,

    /// <summary>The body as it is, labelled text/html.</summary>
    WrongContentType,

    /// <summary>The body <c>{}</c>.</summary>
    EmptyObject,

    /// <summary>
    /// The envelope without <c>data</c>: message, statusMessage and status. A body without <c>data</c> (the
    /// flat shape, an error) becomes <c>{"message":["Success"],"statusMessage":"success","status":1}</c>.
    /// </summary>
    EnvelopeWithoutData,

    /// <summary>An HTML error page labelled text/html, with the real status: 200 for a create that worked.</summary>
    HtmlBody,
}

internal static class Mangling
{
    public const long DefaultOversize = 50L * 1024 * 1024;

    private const string HtmlContentType = "text/html; charset=utf-8";

    // What a gateway in front of the API shows when it gives up on it.
    private static readonly byte[] HtmlPage = Encoding.UTF8.GetBytes(
        "<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>"
        + "<body><h1>502 Bad Gateway</h1><p>The upstream server did not answer in time.</p></body></html>\n");

    private static readonly string[] MissingMembers = ["id", "webhookUrl", "createdAt"];

    public static WireAnswer Apply(ResponseMangle mangle, ApiResult real, long? padToBytes)
    {
        byte[] body = real.Body;
        var answer = new WireAnswer { Status = real.Status, ContentType = real.ContentType, Head = body };
        (int secretEnd, int surrogateAt) = Landmarks(body);
        if (mangle == ResponseMangle.OversizedAfterSecret)
        {
            byte[] head = [.. body.AsSpan(0, secretEnd), .. ",\"filler\":\""u8];
            byte[] tail = [(byte)'"', .. body.AsSpan(secretEnd)];
            return answer with { Head = head, FillerLength = Math.Max(0, (padToBytes ?? DefaultOversize) - head.Length - tail.Length), Tail = tail };
        }

        WireAnswer mangled = mangle switch
        {
            ResponseMangle.Intact => answer,
            ResponseMangle.CutAfterSecret => answer with { Head = body[..secretEnd] },
            ResponseMangle.TrailingBytes => answer with { Head = [.. body, .. "garbage"u8] },
            ResponseMangle.Bom => answer with { Head = [0xEF, 0xBB, 0xBF, .. body] },
            ResponseMangle.ArrayRoot => answer with { Head = [(byte)'[', .. body, (byte)']'] },
            ResponseMangle.DataAsString => answer with { Head = Rewrite(body, DataAsString) },
            ResponseMangle.LoneSurrogateInOtherField => answer with { Head = [.. body.AsSpan(0, surrogateAt), .. "\\ud800"u8, .. body.AsSpan(surrogateAt)] },
            ResponseMangle.ResetAfterSecret => answer with { Ending = WireEnding.Reset, SendOnly = secretEnd },
            ResponseMangle.NeverEndAfterSecret => answer with { Ending = WireEnding.HoldOpen, SendOnly = secretEnd },
            ResponseMangle.MissingFields => answer with { Head = Rewrite(body, root => EveryObject(root).ForEach(o => Array.ForEach(MissingMembers, m => o.Remove(m)))) },
            ResponseMangle.ExtraFields => answer with { Head = Rewrite(body, root => EveryObject(root).ForEach(AddExtra)) },
            ResponseMangle.WrongContentType => answer with { ContentType = HtmlContentType },
            ResponseMangle.EmptyObject => answer with { Head = "{}"u8.ToArray() },
            ResponseMangle.EnvelopeWithoutData => answer with { Head = WithoutData(body) },
            ResponseMangle.HtmlBody => answer with { Head = HtmlPage, ContentType = HtmlContentType },
            _ => throw new ArgumentOutOfRangeException(nameof(mangle), mangle, null),
        };
        return Padded(mangled, padToBytes);
    }

    /// <summary>The answer with spaces after its body up to <paramref name="padToBytes"/>; a longer body is sent as it is.</summary>
    public static WireAnswer Padded(WireAnswer answer, long? padToBytes) =>
        answer with { FillerLength = Math.Max(0, (padToBytes ?? 0) - answer.Head.Length) };

    /// <summary>
    /// Just past the closing quote of the secret, and just before the closing quote of the string that
    /// gets the lone surrogate. Every answer the emulator makes has string values; were there none, both
    /// would be the end of the body.
    /// </summary>
    private static (int SecretEnd, int SurrogateAt) Landmarks(byte[] body)
    {
        int? secret = null, firstMember = null, webhookUrl = null, firstOther = null;
        bool isSecret = false, isWebhookUrl = false, isMember = false;
        var reader = new Utf8JsonReader(body);
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.PropertyName)
            {
                // The emulator's own JSON: names are plain, so comparing them cannot throw.
                isSecret = reader.ValueTextEquals("signingSecret"u8);
                isWebhookUrl = reader.ValueTextEquals("webhookUrl"u8);
                isMember = true;
                continue;
            }

            if (reader.TokenType == JsonTokenType.String)
            {
                int end = (int)reader.BytesConsumed;
                if (isSecret)
                {
                    secret ??= end;
                }
                else
                {
                    firstOther ??= end - 1;
                    webhookUrl ??= isWebhookUrl ? end - 1 : null;
                }

                firstMember ??= isMember ? end : null;
            }

            isSecret = isWebhookUrl = isMember = false;
        }

        return (secret ?? firstMember ?? body.Length, webhookUrl ?? firstOther ?? body.Length);
    }

    private static byte[] Rewrite(byte[] body, Action<JsonObject> change)
    {
        JsonObject root = JsonNode.Parse(body)!.AsObject();
        change(root);
        return Json.Write(w => root.WriteTo(w));
    }

    private static void DataAsString(JsonObject root)
    {
        JsonNode payload = root["data"] ?? root;
        root["data"] = Encoding.UTF8.GetString(Json.Write(w => payload.WriteTo(w)));
    }

    private static byte[] WithoutData(byte[] body)
    {
        JsonObject root = JsonNode.Parse(body)!.AsObject();
        return root.Remove("data") ? Json.Write(w => root.WriteTo(w)) : ApiResult.Message("Success").Body;
    }

    /// <summary>Every object in the tree, listed before any is changed.</summary>
    private static List<JsonObject> EveryObject(JsonNode root)
    {
        var objects = new List<JsonObject>();
        void Visit(JsonNode? node)
        {
            switch (node)
            {
                case JsonObject o:
                    objects.Add(o);
                    o.Select(p => p.Value).ToList().ForEach(Visit);
                    break;
                case JsonArray a:
                    a.ToList().ForEach(Visit);
                    break;
            }
        }

        Visit(root);
        return objects;
    }

    private static void AddExtra(JsonObject target) =>
        target["emulatorExtra"] = new JsonObject { ["note"] = "a member the docs do not list", ["values"] = new JsonArray(1, 2.5, true, null) };
}
