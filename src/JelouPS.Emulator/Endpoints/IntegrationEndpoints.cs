using System;
using System.Text.Json;

namespace JelouPS.Emulator;

/// <summary>Integration CRUD and secret rotation (jelou-api.md §4.1–4.5).</summary>
internal static class IntegrationEndpoints
{
    private const string NoAuth = "no_auth";
    private static readonly string[] AuthTypes = ["bearer", "api_key", "basic", NoAuth];
    private static readonly string[] Members = ["webhookUrl", "authType", "authorization"];

    public static ApiResult Create(EmulatorCore core, EmulatorRequest request, string projectId)
    {
        if (!request.TryReadJsonObject(out JsonElement body, out ApiResult? bad))
        {
            return bad!;
        }

        var errors = new ValidationErrors();
        var fields = new FieldReader(body, errors, string.Empty, Members);
        string? webhookUrl = fields.RequiredHttpsUrl("webhookUrl", allowLoopbackHttp: true);
        string authType = fields.OptionalOneOf("authType", AuthTypes) ?? NoAuth;
        string? authorization = CheckAuthorization(fields, errors, authType, stored: null);
        if (errors.Any)
        {
            return Errors.Validation(errors);
        }

        DateTimeOffset now = DateTimeOffset.UtcNow;
        var integration = new IntegrationRecord
        {
            Id = Signing.NewObjectId(),
            ProjectId = projectId,
            BrainId = projectId,
            WebhookUrl = webhookUrl!,
            AuthType = authType,
            Authorization = authorization,
            SigningSecret = Signing.NewSigningSecret(),
            CreatedAt = now,
            UpdatedAt = now,
        };
        lock (core.State.Sync)
        {
            // Undocumented (§8 item 5); one integration per project is implied, so a second is a conflict.
            if (!core.State.Integrations.TryAdd(projectId, integration))
            {
                return Errors.Conflict($"An integration already exists for project {projectId}");
            }
        }

        core.State.Secrets.Add(integration.SigningSecret);
        core.State.Secrets.Add(integration.Authorization);
        return ApiResult.Shaped(core.Shape, "Integration created successfully", w =>
        {
            w.WriteStartObject();
            w.WriteString("id", integration.Id);
            w.WriteString("brainId", integration.BrainId);
            w.WriteString("webhookUrl", integration.WebhookUrl);
            w.WriteString("authType", integration.AuthType);
            w.WriteString("signingSecret", integration.SigningSecret);
            w.WriteString("createdAt", Json.Timestamp(integration.CreatedAt));
            w.WriteEndObject();
        });
    }

    public static ApiResult Get(EmulatorCore core, string projectId)
    {
        IntegrationRecord? integration = core.State.FindIntegration(projectId);
        return integration is null
            ? NotFound(projectId)
            : ApiResult.Shaped(core.Shape, "Integration retrieved successfully", w => WriteIntegration(w, integration));
    }

    /// <summary>Partial update; documented as 400 (not 422) for a bad value.</summary>
    public static ApiResult Update(EmulatorCore core, EmulatorRequest request, string projectId)
    {
        if (!request.TryReadJsonObject(out JsonElement body, out ApiResult? bad))
        {
            return bad!;
        }

        IntegrationRecord updated;
        lock (core.State.Sync)
        {
            if (!core.State.Integrations.TryGetValue(projectId, out IntegrationRecord? existing))
            {
                return NotFound(projectId);
            }

            var errors = new ValidationErrors();
            var fields = new FieldReader(body, errors, string.Empty, Members);
            string? webhookUrl = null;
            if (fields.Has("webhookUrl"))
            {
                webhookUrl = fields.RequiredHttpsUrl("webhookUrl", allowLoopbackHttp: true);
            }

            string authType = fields.OptionalOneOf("authType", AuthTypes) ?? existing.AuthType;
            string? authorization = CheckAuthorization(fields, errors, authType, existing.Authorization);
            if (errors.Any)
            {
                return Errors.Validation(errors, status: 400);
            }

            bool changed = body.EnumerateObject().MoveNext();
            updated = existing with
            {
                WebhookUrl = webhookUrl ?? existing.WebhookUrl,
                AuthType = authType,
                Authorization = authorization,
                UpdatedAt = changed ? DateTimeOffset.UtcNow : existing.UpdatedAt,
            };
            core.State.Integrations[projectId] = updated;
        }

        core.State.Secrets.Add(updated.Authorization);
        return ApiResult.Shaped(core.Shape, "Integration updated successfully", w => WriteIntegration(w, updated));
    }

    public static ApiResult Delete(EmulatorCore core, string projectId)
    {
        lock (core.State.Sync)
        {
            if (!core.State.Integrations.Remove(projectId))
            {
                return NotFound(projectId);
            }
        }

        return ApiResult.Message("Integration deleted successfully");
    }

    /// <summary>The old secret dies at once: it is replaced, and both signing and verification read the current one.</summary>
    public static ApiResult RegenerateSecret(EmulatorCore core, string projectId)
    {
        IntegrationRecord updated;
        lock (core.State.Sync)
        {
            if (!core.State.Integrations.TryGetValue(projectId, out IntegrationRecord? existing))
            {
                return NotFound(projectId);
            }

            DateTimeOffset now = DateTimeOffset.UtcNow;
            updated = existing with { SigningSecret = Signing.NewSigningSecret(), SecretRegeneratedAt = now, UpdatedAt = now };
            core.State.Integrations[projectId] = updated;
        }

        core.State.Secrets.Add(updated.SigningSecret);
        if (core.Shape == ResponseShape.Flat)
        {
            return ApiResult.Json(200, w =>
            {
                w.WriteStartObject();
                w.WriteString("signingSecret", updated.SigningSecret);
                w.WriteString("regeneratedAt", Json.Timestamp(updated.SecretRegeneratedAt!.Value));
                w.WriteEndObject();
            });
        }

        return ApiResult.Envelope("Signing secret regenerated successfully", w =>
        {
            w.WriteStartObject();
            w.WriteString("brainId", updated.BrainId);
            w.WriteString("signingSecret", updated.SigningSecret);
            w.WriteEndObject();
        });
    }

    /// <summary>
    /// The webhook credential rules: required (non-blank) for bearer, api_key and basic, absent for
    /// no_auth. On PATCH a credential already stored satisfies the requirement.
    /// </summary>
    /// <returns>The credential to store.</returns>
    private static string? CheckAuthorization(FieldReader fields, ValidationErrors errors, string authType, string? stored)
    {
        bool sent = fields.Has("authorization");
        string? given = fields.OptionalString("authorization");
        if (errors.Has("authorization"))
        {
            return null;
        }

        if (authType == NoAuth)
        {
            if (sent)
            {
                errors.Add("authorization", "authorization must not be set when authType is no_auth");
            }

            return null;
        }

        string? effective = sent ? given : stored;
        if (string.IsNullOrWhiteSpace(effective))
        {
            errors.Add("authorization", $"authorization should not be empty when authType is {authType}");
            return null;
        }

        return effective;
    }

    private static void WriteIntegration(Utf8JsonWriter w, IntegrationRecord integration)
    {
        // Never the signing secret nor the webhook credential: neither can be read back (§4.2).
        w.WriteStartObject();
        w.WriteString("id", integration.Id);
        w.WriteString("brainId", integration.BrainId);
        w.WriteString("webhookUrl", integration.WebhookUrl);
        w.WriteString("authType", integration.AuthType);
        w.WriteString("createdAt", Json.Timestamp(integration.CreatedAt));
        w.WriteString("updatedAt", Json.Timestamp(integration.UpdatedAt));
        w.WriteEndObject();
    }

    private static ApiResult NotFound(string projectId) => Errors.NotFound($"No integration exists for project {projectId}");
}
