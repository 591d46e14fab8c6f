using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;

namespace JelouPS
{
    /// <summary>
    /// A live, read-only view of a list the session keeps for the whole process (any runspace): each enumeration is a
    /// snapshot, so piping it into a command that takes items off the list is safe. A read-only list (its changes throw
    /// NotSupportedException, as ReadOnlyCollection's do) because PowerShell counts a negative index from the end
    /// ([-1] is the newest) for lists only: a view that counted it too took [-4] of three items for the last.
    /// </summary>
    public abstract class SessionView<T> : IList<T>, IReadOnlyList<T>, ICollection
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

        public bool IsReadOnly => true;

        /// <summary>An item by position, from 0 (the oldest).</summary>
        public T this[int index]
        {
            get => Shown(_snapshot()[index]);
            set => throw ReadOnly();
        }

        public IEnumerator<T> GetEnumerator() => _snapshot().Select(Shown).GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

        /// <summary>Where the item is (as kept, or as handed out); -1 when it is not there.</summary>
        public int IndexOf(T item)
        {
            object? kept = item is PSObject wrapped ? wrapped.BaseObject : item;
            return Array.FindIndex(_snapshot(), each => Equals(each, kept));
        }

        public bool Contains(T item) => IndexOf(item) >= 0;

        // From the snapshot: LINQ's ToArray of this list calls CopyTo.
        public void CopyTo(T[] array, int arrayIndex) => HandedOut().CopyTo(array, arrayIndex);

        // The non-generic collection, which ArrayList's constructor and [System.Collections.ICollection] take.
        void ICollection.CopyTo(Array array, int index) => HandedOut().CopyTo(array, index);

        bool ICollection.IsSynchronized => false;

        object ICollection.SyncRoot => this;

        void ICollection<T>.Add(T item) => throw ReadOnly();

        void ICollection<T>.Clear() => throw ReadOnly();

        bool ICollection<T>.Remove(T item) => throw ReadOnly();

        void IList<T>.Insert(int index, T item) => throw ReadOnly();

        void IList<T>.RemoveAt(int index) => throw ReadOnly();

        private T Shown(T item) => _shown is null ? item : _shown(item);

        private T[] HandedOut() => Array.ConvertAll(_snapshot(), Shown);

        private Exception ReadOnly() => new NotSupportedException($"{GetType().Name} is a read-only view of what the session keeps: the commands that store, read or remove its items take them off.");
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
