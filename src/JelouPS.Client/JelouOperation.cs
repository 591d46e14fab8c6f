namespace JelouPS
{
    /// <summary>Which documented call failed, so that advice can fit it (a 404 means a missing conversation to one, a missing integration to another).</summary>
    public enum JelouOperation
    {
        /// <summary>Not one of the API's calls (a test event to the provider's own webhook).</summary>
        None,
        /// <summary><c>POST /v1/external-support/{projectId}</c>.</summary>
        CreateIntegration,
        /// <summary><c>GET /v1/external-support/{projectId}</c>.</summary>
        GetIntegration,
        /// <summary><c>PATCH /v1/external-support/{projectId}</c>.</summary>
        UpdateIntegration,
        /// <summary><c>DELETE /v1/external-support/{projectId}</c>.</summary>
        DeleteIntegration,
        /// <summary><c>POST /v1/external-support/{projectId}/secret/regenerate</c>.</summary>
        RegenerateSecret,
        /// <summary><c>POST .../conversations/start</c>.</summary>
        StartConversation,
        /// <summary><c>POST .../conversations/close</c>.</summary>
        CloseConversation,
        /// <summary><c>GET .../conversations/{conversationId}</c>.</summary>
        GetConversation,
        /// <summary><c>POST {ChatbotUri}/v1/external-support/webhook</c>, an agent's signed reply.</summary>
        SendMessage,
    }

    internal static class JelouOperations
    {
        /// <summary>A create or a rotation: its answer carries the signing secret, shown this once.</summary>
        internal static bool IssuesSecret(this JelouOperation operation) =>
            operation == JelouOperation.CreateIntegration || operation == JelouOperation.RegenerateSecret;
    }
}
