using System;
using System.Collections;
using System.Collections.Generic;

namespace JelouPS
{
    /// <summary>
    /// $JelouUnsavedIntegrations: the integrations whose one-time signing secret was issued in this session (any runspace of
    /// the process) and is in no vault yet, oldest first. A live, read-only view: each enumeration is a snapshot, so
    /// piping it into Save-JelouSigningSecret, which takes items off the list, is safe.
    /// </summary>
    public sealed class UnsavedIntegrations : IReadOnlyList<ExternalSupportIntegration>
    {
        private readonly Func<ExternalSupportIntegration[]> _snapshot;

        internal UnsavedIntegrations(Func<ExternalSupportIntegration[]> snapshot) => _snapshot = snapshot;

        public int Count => _snapshot().Length;

        /// <summary>An integration by position; a negative index counts from the end, as with arrays ([-1] is the newest).</summary>
        public ExternalSupportIntegration this[int index]
        {
            get
            {
                ExternalSupportIntegration[] items = _snapshot();
                return items[index < 0 ? items.Length + index : index];
            }
        }

        internal ExternalSupportIntegration[] ToArray() => _snapshot();

        public IEnumerator<ExternalSupportIntegration> GetEnumerator() => ((IEnumerable<ExternalSupportIntegration>)_snapshot()).GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

        public override string ToString() => $"{Count} integration(s) whose signing secret is in no vault";
    }
}
