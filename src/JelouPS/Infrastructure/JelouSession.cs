using System.Management.Automation.Runspaces;
using System.Runtime.CompilerServices;

namespace JelouPS.Infrastructure
{
    /// <summary>
    /// The current connection of each runspace. Keyed by runspace, not held in a static field, so two
    /// runspaces in one process (hosted apps, thread jobs) never share or overwrite a connection.
    /// </summary>
    internal static class JelouSession
    {
        private sealed class Slot
        {
            public JelouContext? Context;
        }

        private static readonly ConditionalWeakTable<Runspace, Slot> Slots = new ConditionalWeakTable<Runspace, Slot>();

        internal static JelouContext? Get(Runspace runspace) =>
            Slots.TryGetValue(runspace, out Slot? slot) ? slot.Context : null;

        internal static void Set(Runspace runspace, JelouContext? context) =>
            Slots.GetOrCreateValue(runspace).Context = context;
    }
}
