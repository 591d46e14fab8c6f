using System.Collections.Generic;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Runtime.CompilerServices;

namespace JelouPS.Infrastructure
{
    /// <summary>
    /// What each runspace keeps: its current connection, and the signing secrets issued in it that are stored in no
    /// vault. Keyed by runspace, not held in a static field, so two runspaces in one process (hosted apps, thread jobs)
    /// never share a connection or see each other's secrets.
    /// </summary>
    internal static class JelouSession
    {
        /// <summary>The global variable that shows the unsaved integrations (a copy of the session's list).</summary>
        internal const string UnsavedVariable = "JelouUnsavedIntegrations";

        private sealed class Slot
        {
            public JelouContext? Context;
            public readonly List<ExternalSupportIntegration> Unsaved = new List<ExternalSupportIntegration>();
        }

        private static readonly ConditionalWeakTable<Runspace, Slot> Slots = new ConditionalWeakTable<Runspace, Slot>();

        internal static JelouContext? Get(Runspace runspace) =>
            Slots.TryGetValue(runspace, out Slot? slot) ? slot.Context : null;

        internal static void Set(Runspace runspace, JelouContext? context) =>
            Slots.GetOrCreateValue(runspace).Context = context;

        /// <summary>The integrations whose signing secret was issued in this session and is in no vault, oldest first.</summary>
        internal static IReadOnlyList<ExternalSupportIntegration> Unsaved(Runspace runspace) => Slots.GetOrCreateValue(runspace).Unsaved.ToArray();

        /// <summary>
        /// Keeps an integration whose secret is in no vault until the session ends (or it is saved), and shows the
        /// kept ones in $JelouUnsavedIntegrations.
        /// </summary>
        internal static void KeepUnsaved(PSCmdlet cmdlet, ExternalSupportIntegration integration) =>
            Change(cmdlet, unsaved => { if (!unsaved.Contains(integration)) unsaved.Add(integration); });

        /// <summary>Forgets a kept integration once its secret is stored.</summary>
        internal static void Saved(PSCmdlet cmdlet, ExternalSupportIntegration integration) => Change(cmdlet, unsaved => unsaved.Remove(integration));

        /// <summary>
        /// Forgets the project's kept secrets when Jelou has made them worthless: a new secret was issued for the
        /// project (the old one stops working at once), or its integration was deleted.
        /// </summary>
        internal static void Superseded(PSCmdlet cmdlet, string projectId) => Change(cmdlet, unsaved => unsaved.RemoveAll(i => i.ProjectId == projectId));

        /// <summary>
        /// Changes the session's list, then sets $JelouUnsavedIntegrations to a copy of it: a command that stores them
        /// may be reading the variable in the same pipeline, and a variable removed or overwritten comes back.
        /// </summary>
        private static void Change(PSCmdlet cmdlet, System.Action<List<ExternalSupportIntegration>> change)
        {
            List<ExternalSupportIntegration> unsaved = Slots.GetOrCreateValue(Runspace.DefaultRunspace).Unsaved;
            int before = unsaved.Count;
            change(unsaved);
            if (unsaved.Count != before || cmdlet.SessionState.PSVariable.Get("global:" + UnsavedVariable) is null)
            {
                cmdlet.SessionState.PSVariable.Set("global:" + UnsavedVariable, unsaved.ToArray());
            }
        }
    }
}
