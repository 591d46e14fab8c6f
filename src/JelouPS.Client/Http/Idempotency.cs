namespace JelouPS.Http
{
    /// <summary>
    /// Whether a request may be sent again (RFC 9110 §9.2.2). Every send states it: it decides which failures are retried,
    /// and whether a failure after the request left means the outcome is unknown.
    /// </summary>
    internal enum Idempotency
    {
        /// <summary>Sending it twice does what sending it once does (GET; PATCH and DELETE with the same body).</summary>
        Idempotent,

        /// <summary>
        /// Each send may act again (create, regenerate, conversation start and close, agent reply): sent again only when the
        /// API refused it (429) or when none of it left this process.
        /// </summary>
        NotIdempotent,
    }
}
