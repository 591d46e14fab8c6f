using System;

namespace JelouPS.Emulator;

/// <summary>Maps method + decoded segments to a handler; strict (no trailing slash, exact methods).</summary>
internal static class Router
{
    public static ApiResult Dispatch(EmulatorCore core, EmulatorRequest request)
    {
        string[]? s = request.Segments;

        // Surface A under both documented prefixes (§1).
        if (s is ["jelouapi" or "platform", "v1", "external-support", _, ..])
        {
            Func<ApiResult>? handler = MatchManagement(core, request, s);
            if (handler is null)
            {
                return Errors.RouteNotFound(request.Method, request.RawPath);
            }

            return EmulatorCore.IsAuthenticated(request.Authentication) ? handler() : Errors.Unauthorized();
        }

        // Surface C, on the chatbot host (here the emulator's root): no API key, only the signature.
        if (request.Method == "POST" && s is ["v1", "external-support", "webhook"])
        {
            return AgentReplyEndpoint.Handle(core, request);
        }

        return Errors.RouteNotFound(request.Method, request.RawPath);
    }

    private static Func<ApiResult>? MatchManagement(EmulatorCore core, EmulatorRequest r, string[] s) => (r.Method, s) switch
    {
        ("POST", [_, _, _, var p]) => () => IntegrationEndpoints.Create(core, r, p),
        ("GET", [_, _, _, var p]) => () => IntegrationEndpoints.Get(core, p),
        ("PATCH", [_, _, _, var p]) => () => IntegrationEndpoints.Update(core, r, p),
        ("DELETE", [_, _, _, var p]) => () => IntegrationEndpoints.Delete(core, p),
        ("POST", [_, _, _, var p, "secret", "regenerate"]) => () => IntegrationEndpoints.RegenerateSecret(core, p),
        ("POST", [_, _, _, var p, "conversations", "start"]) => () => ConversationEndpoints.Start(core, r, p),
        ("POST", [_, _, _, var p, "conversations", "close"]) => () => ConversationEndpoints.Close(core, r, p),
        ("GET", [_, _, _, var p, "conversations", var c]) => () => ConversationEndpoints.Get(core, p, c),
        _ => null,
    };
}
