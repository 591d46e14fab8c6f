namespace JelouPS
{
    /// <summary>What went wrong with a call to Jelou, independent of how a host reports it.</summary>
    public enum JelouErrorKind
    {
        /// <summary>400 or 422: the API rejected the request's content.</summary>
        ValidationFailed,
        /// <summary>401: missing or wrong API key or client credentials.</summary>
        Unauthorized,
        /// <summary>401 from the agent-reply endpoint: the reply's <c>X-Jelou-Signature</c> was refused, so the signing secret used is not the project's current one.</summary>
        SignatureRejected,
        /// <summary>403: the credentials are valid but not allowed to do this.</summary>
        Forbidden,
        /// <summary>404: no such integration, bot, user or conversation.</summary>
        NotFound,
        /// <summary>409: the resource already exists (for example a second integration for a project).</summary>
        Conflict,
        /// <summary>429: too many requests.</summary>
        RateLimited,
        /// <summary>5xx: the API failed.</summary>
        ServerError,
        /// <summary>Any other unexpected HTTP status.</summary>
        UnexpectedStatus,
        /// <summary>The body is not the JSON the API documents (HTML, empty, truncated, wrong shape).</summary>
        InvalidResponse,
        /// <summary>No answer within the connection's timeout.</summary>
        Timeout,
        /// <summary>The connection failed: before the request left (DNS, refused connection, TLS), or broke during the call.</summary>
        ConnectionFailed,
        /// <summary>
        /// A request that is not idempotent (create, regenerate, conversation start or close, agent reply) left, and no answer
        /// came (timeout, broken connection, a stop): it may or may not have been carried out.
        /// </summary>
        OutcomeUnknown,
        /// <summary>407 from a proxy, to the request or to its tunnel: the proxy wants a credential, or refused the one given.</summary>
        ProxyAuthenticationRequired,
        /// <summary>The proxy could not be reached, or refused the tunnel to the server (a 502, 503 or 403 to CONNECT).</summary>
        ProxyFailed,
    }
}
