using System;

namespace JelouPS.Emulator;

/// <summary>An integration as the emulator stores it (test-only view: it holds the secrets).</summary>
public sealed record IntegrationRecord
{
    public required string Id { get; init; }
    public required string ProjectId { get; init; }
    public required string BrainId { get; init; }
    public required string WebhookUrl { get; init; }
    public required string AuthType { get; init; }

    /// <summary>The credential Jelou presents to the webhook; null for no_auth.</summary>
    public string? Authorization { get; init; }

    public required string SigningSecret { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required DateTimeOffset UpdatedAt { get; init; }
    public DateTimeOffset? SecretRegeneratedAt { get; init; }

    // The synthesised record ToString would print the secrets into any assertion message or log.
    public override string ToString() =>
        $"IntegrationRecord {{ ProjectId = {ProjectId}, Id = {Id}, WebhookUrl = {WebhookUrl}, AuthType = {AuthType} }}";
}

/// <summary>A conversation started through §4.6.</summary>
public sealed record ConversationRecord
{
    public const string Active = "active";
    public const string Closed = "closed";

    public required string Id { get; init; }
    public required string ProjectId { get; init; }
    public required string RoomId { get; init; }
    public required string BotId { get; init; }
    public required string UserId { get; init; }
    public required string State { get; init; }
    public required DateTimeOffset StartAt { get; init; }
    public DateTimeOffset? EndAt { get; init; }
    public string? EndedReason { get; init; }
    public string? InitialMessage { get; init; }

    /// <summary>The start request's <c>metadata</c>, re-serialised compactly; null when absent.</summary>
    public string? MetadataJson { get; init; }

    public string? AssignmentType { get; init; }
    public string? AssignmentTarget { get; init; }

    /// <summary>The close request's <c>redirectPayload</c>, re-serialised compactly; null when absent.</summary>
    public string? RedirectPayloadJson { get; init; }

    public bool IsActive => State == Active;
}

/// <summary>An agent reply accepted by the chatbot endpoint (§4.9).</summary>
public sealed record AgentMessage
{
    public required string ProjectId { get; init; }
    public required string ConversationId { get; init; }
    public required string RoomId { get; init; }
    public required string BotId { get; init; }
    public required string UserId { get; init; }
    public required string MessageId { get; init; }

    /// <summary>text, image, video, audio or document.</summary>
    public required string Type { get; init; }

    public string? Text { get; init; }
    public string? Url { get; init; }
    public string? MimeType { get; init; }
    public string? Caption { get; init; }
    public string? FileName { get; init; }

    /// <summary>The request body exactly as received (it was signed over these bytes).</summary>
    public required string RawBody { get; init; }

    public required DateTimeOffset ReceivedAt { get; init; }
}

/// <summary>One attempt to deliver an event to an integration's webhookUrl.</summary>
public sealed record DeliveryRecord
{
    /// <summary>conversation.start, conversation.close or message.</summary>
    public required string Event { get; init; }

    public required string ProjectId { get; init; }
    public required string Url { get; init; }

    /// <summary>The exact JSON sent (events carry no credentials).</summary>
    public required string Body { get; init; }

    /// <summary>The X-Jelou-Signature header sent.</summary>
    public required string Signature { get; init; }

    /// <summary>The receiver's HTTP status; null when no response was had (see <see cref="Error"/>).</summary>
    public int? Status { get; init; }

    public string? Error { get; init; }
    public required DateTimeOffset StartedAt { get; init; }
    public required TimeSpan Duration { get; init; }

    public bool Succeeded => Status is >= 200 and < 300;
}
