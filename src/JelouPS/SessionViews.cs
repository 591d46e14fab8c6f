using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;

namespace JelouPS
{
    /// <summary>
    /// A live, read-only view of a list the session keeps for the whole process (any runspace): each enumeration is a
    /// snapshot, so piping it into a command that takes items off the list is safe.
    /// </summary>
    public abstract class SessionView<T> : IReadOnlyList<T>
    {
        private readonly Func<T[]> _snapshot;
        private readonly Func<T, T>? _shown;

        /// <param name="snapshot">The items as the session keeps them.</param>
        /// <param name="shown">Each item as handed out, applied to those handed out only (Count and one index cost no more).</param>
        private protected SessionView(Func<T[]> snapshot, Func<T, T>? shown = null)
        {
            _snapshot = snapshot;
            _shown = shown;
        }

        public int Count => _snapshot().Length;

        /// <summary>An item by position; a negative index counts from the end, as with arrays ([-1] is the newest).</summary>
        public T this[int index]
        {
            get
            {
                T[] items = _snapshot();
                T item = items[index < 0 ? items.Length + index : index];
                return _shown is null ? item : _shown(item);
            }
        }

        public IEnumerator<T> GetEnumerator() => _shown is null ? ((IEnumerable<T>)_snapshot()).GetEnumerator() : _snapshot().Select(_shown).GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }

    /// <summary>
    /// $JelouUnsavedIntegrations: the integrations whose one-time signing secret was issued in this session (any runspace of
    /// the process) and is in no vault yet, oldest first.
    /// </summary>
    /// <remarks>
    /// Its items are <see cref="ExternalSupportIntegration"/>s as New-JelouExternalSupport writes them (in a PSObject that
    /// selects the view of where the secret is), typed as objects: on PowerShell 7 the client loads in the module's own
    /// context, and a public type of the cmdlet assembly that named a client type in its base type would need the client
    /// before the module has registered that context (PowerShell lists the exported types first).
    /// </remarks>
    public sealed class UnsavedIntegrations : SessionView<object>
    {
        internal UnsavedIntegrations(Func<object[]> snapshot, Func<object, object> shown) : base(snapshot, shown) { }

        public override string ToString() => $"{Count} integration(s) whose signing secret is in no vault";
    }

    /// <summary>
    /// $JelouUnknownOutcomes: creates and rotations of this session (any runspace of the process) that were sent and got no
    /// answer (a timeout, a broken connection, Ctrl+C), oldest first. Jelou may have carried them out; each says how to
    /// find out. An entry goes once the project's integration is read, created, rotated or removed again.
    /// </summary>
    public sealed class UnknownOutcomes : SessionView<UnknownOutcome>
    {
        internal UnknownOutcomes(Func<UnknownOutcome[]> snapshot) : base(snapshot) { }

        public override string ToString() => $"{Count} request(s) whose outcome is unknown";
    }

    /// <summary>A create or rotation that was sent and got no answer.</summary>
    public sealed class UnknownOutcome
    {
        internal UnknownOutcome(string projectId, string command, bool isCreate, Uri? apiBaseUri, DateTimeOffset at, string check, string vaultArguments)
        {
            VaultArguments = vaultArguments;
            ProjectId = projectId;
            Command = command;
            IsCreate = isCreate;
            ApiBaseUri = apiBaseUri;
            At = at;
            Check = check;
        }

        public string ProjectId { get; }

        /// <summary>The cmdlet that sent it.</summary>
        public string Command { get; }

        /// <summary>A create, else a rotation. (A bool, not the client's JelouOperation: PowerShell loads this type before the module's resolver can find the client.)</summary>
        internal bool IsCreate { get; }

        public Uri? ApiBaseUri { get; }

        /// <summary>When the request was sent (UTC, by this computer's clock): an integration it created is not older.</summary>
        public DateTimeOffset At { get; }

        /// <summary>How to find out what happened, and what to do then.</summary>
        public string Check { get; }

        /// <summary>The -Vault (and -SecretName) the command had, for advice that gets a new secret: -Vault &lt;vault&gt; when none.</summary>
        internal string VaultArguments { get; }

        public override string ToString() => $"{Command} {ProjectId} at {At:u}: {Check}";
    }
}
