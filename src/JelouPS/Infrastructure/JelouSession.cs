using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Runtime.CompilerServices;

namespace JelouPS.Infrastructure
{
    /// <summary>
    /// What the session keeps. The connection is per runspace, so two runspaces in one process (hosted apps, thread jobs)
    /// never share or overwrite one. The signing secrets issued and stored in no vault are per process: a secret issued
    /// in ForEach-Object -Parallel or a thread job must outlive that runspace, and the user looks for it in their own.
    /// </summary>
    internal static class JelouSession
    {
        /// <summary>The global variable that shows the unsaved integrations (a live, read-only view of the process's list).</summary>
        internal const string UnsavedVariable = "JelouUnsavedIntegrations";

        private sealed class Slot
        {
            public JelouContext? Context;
        }

        private static readonly ConditionalWeakTable<Runspace, Slot> Slots = new ConditionalWeakTable<Runspace, Slot>();

        private static readonly object Gate = new object();
        private static readonly List<ExternalSupportIntegration> UnsavedList = new List<ExternalSupportIntegration>();

        // The latest secret issued per API and project (null once the integration is deleted): any earlier one is dead.
        private static readonly Dictionary<string, ExternalSupportIntegration?> Latest = new Dictionary<string, ExternalSupportIntegration?>(StringComparer.Ordinal);

        // Which project's secret this process stored under a vault's name: an owner for vaults that keep no metadata;
        // and, the other way, under which name it stored a project's secret in a vault.
        private static readonly Dictionary<string, string> StoredFor = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        private static readonly Dictionary<string, string> StoredAt = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

        // Where a secret was meant to go when the vault did not take it: where storing it by hand should put it.
        private static readonly ConditionalWeakTable<ExternalSupportIntegration, Tuple<string, string>> MeantFor = new ConditionalWeakTable<ExternalSupportIntegration, Tuple<string, string>>();

        internal static readonly UnsavedIntegrations View = new UnsavedIntegrations(() => { lock (Gate) return UnsavedList.ToArray(); });

        internal static JelouContext? Get(Runspace runspace) =>
            Slots.TryGetValue(runspace, out Slot? slot) ? slot.Context : null;

        internal static void Set(Runspace runspace, JelouContext? context) =>
            Slots.GetOrCreateValue(runspace).Context = context;

        /// <summary>The integrations whose signing secret was issued in this process and is in no vault, oldest first.</summary>
        internal static IReadOnlyList<ExternalSupportIntegration> Unsaved() => View.ToArray();

        /// <summary>Sets $JelouUnsavedIntegrations in the caller's runspace, unless it is already there.</summary>
        internal static void ShowUnsaved(PSCmdlet cmdlet)
        {
            if (!ReferenceEquals(cmdlet.SessionState.PSVariable.GetValue("global:" + UnsavedVariable), View))
            {
                cmdlet.SessionState.PSVariable.Set("global:" + UnsavedVariable, View);
            }
        }

        /// <summary>
        /// Records a secret Jelou just issued: it is the project's only live one, so earlier ones kept for the project are
        /// dropped (Jelou stops accepting them at once), and it is kept itself until it is stored.
        /// </summary>
        internal static void Issued(PSCmdlet cmdlet, ExternalSupportIntegration integration)
        {
            lock (Gate)
            {
                string key = Key(integration.Source, integration.ProjectId);
                Latest[key] = integration;
                UnsavedList.RemoveAll(kept => Key(kept.Source, kept.ProjectId) == key);
                UnsavedList.Add(integration);
            }
            ShowUnsaved(cmdlet);
        }

        /// <summary>Keeps an integration that is not (or no longer) in a vault, unless Jelou has issued a newer secret since.</summary>
        internal static void KeepUnsaved(PSCmdlet cmdlet, ExternalSupportIntegration integration)
        {
            lock (Gate)
            {
                if (IsLatest(integration) && !UnsavedList.Contains(integration)) UnsavedList.Add(integration);
            }
            ShowUnsaved(cmdlet);
        }

        /// <summary>The project's integration was deleted: its kept secrets are worthless.</summary>
        internal static void Deleted(Uri source, string projectId)
        {
            lock (Gate)
            {
                string key = Key(source, projectId);
                Latest[key] = null;
                UnsavedList.RemoveAll(kept => Key(kept.Source, kept.ProjectId) == key);
            }
        }

        /// <summary>A secret is in a vault now: no longer kept, and the vault's name is known to hold that project's secret.</summary>
        internal static void Stored(ExternalSupportIntegration integration, string vault, string secretName)
        {
            lock (Gate)
            {
                UnsavedList.Remove(integration);
                StoredFor[vault + "\n" + secretName] = integration.ProjectId;
                StoredAt[vault + "\n" + integration.ProjectId] = secretName;
            }
        }

        /// <summary>The vault did not take the secret: remember where it was meant to go, for storing it by hand.</summary>
        internal static void NotStored(ExternalSupportIntegration integration, string vault, string secretName)
        {
            lock (Gate)
            {
                MeantFor.Remove(integration);
                MeantFor.Add(integration, Tuple.Create(vault, secretName));
            }
        }

        /// <summary>The project whose secret this process stored under the vault's name, or null.</summary>
        internal static string? StoredProject(string vault, string secretName)
        {
            lock (Gate) return StoredFor.TryGetValue(vault + "\n" + secretName, out string? projectId) ? projectId : null;
        }

        /// <summary>
        /// Where this process put (or meant to put) a project's secret in the vault: for <paramref name="integration"/>, the
        /// name its own store aimed at; else the name it last stored the project's secret under. Null when it never did.
        /// </summary>
        internal static string? KnownName(string vault, string projectId, ExternalSupportIntegration? integration)
        {
            lock (Gate)
            {
                if (integration != null && MeantFor.TryGetValue(integration, out Tuple<string, string>? meant) && string.Equals(meant.Item1, vault, StringComparison.OrdinalIgnoreCase)) return meant.Item2;
                return StoredAt.TryGetValue(vault + "\n" + projectId, out string? name) ? name : null;
            }
        }

        /// <summary>The vault holds a newer secret of the project than this one: it is dead, and no longer kept.</summary>
        internal static void Replaced(ExternalSupportIntegration integration)
        {
            lock (Gate)
            {
                UnsavedList.Remove(integration);
                string key = Key(integration.Source, integration.ProjectId);
                if (!Latest.TryGetValue(key, out ExternalSupportIntegration? latest) || ReferenceEquals(latest, integration)) Latest[key] = null;
            }
        }

        /// <summary>Whether the integration's secret is still the project's live one, as far as this process knows.</summary>
        internal static bool IsLatest(ExternalSupportIntegration integration)
        {
            lock (Gate) return !Latest.TryGetValue(Key(integration.Source, integration.ProjectId), out ExternalSupportIntegration? latest) || ReferenceEquals(latest, integration);
        }

        private static string Key(Uri? source, string projectId) => (source?.AbsoluteUri ?? "") + "\n" + projectId;
    }
}
