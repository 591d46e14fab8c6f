using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Runtime.CompilerServices;
using System.Threading;
using JelouPS.Webhooks;

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

        /// <summary>The global variable that shows the requests whose outcome is unknown.</summary>
        internal const string UnknownVariable = "JelouUnknownOutcomes";

        private sealed class Slot
        {
            public JelouContext? Context;
            public int SaidUnsaved;
        }

        private static readonly ConditionalWeakTable<Runspace, Slot> Slots = new ConditionalWeakTable<Runspace, Slot>();

        private static readonly object Gate = new object();
        private static readonly KeptIntegrations UnsavedKept = new KeptIntegrations();

        // The latest secret issued per server and project (null once the integration is deleted): any earlier one is dead.
        private static readonly Dictionary<string, ExternalSupportIntegration?> Latest = new Dictionary<string, ExternalSupportIntegration?>(StringComparer.Ordinal);

        // The API keys and client secrets of every connection made in this process (a few): a server may quote one in an
        // answer to a call that did not carry it (a reply, which carries only its signature; another connection's call).
        // The latest ones, each value once: a runbook that connects in a loop does not grow it.
        private static readonly List<System.Security.SecureString> Credentials = new List<System.Security.SecureString>();
        private const int CredentialsKept = 16;

        // The webhook credentials this process sent or read, per server and project: a server may quote them in an error of
        // another call (a delivery to the webhook that failed), as it may a signing secret (see HeldSecrets).
        private static readonly Dictionary<string, WebhookCredentials> Webhooks = new Dictionary<string, WebhookCredentials>(StringComparer.Ordinal);

        // Which project's secret (on which server) this process stored under a vault's name: an owner for vaults that keep
        // no metadata; and, the other way, the name it stored a project's secret under in a vault. Vault and secret names
        // compare without case, as vaults compare them; project ids compare exactly. The names are by project, then by vault:
        // a rotation or a delete reads its own project's, not all a bulk run stored.
        private static readonly Dictionary<string, SecretOwner> StoredFor = new Dictionary<string, SecretOwner>(StringComparer.Ordinal);
        private static readonly Dictionary<string, Dictionary<string, KeyValuePair<string, string>>> StoredAt = new Dictionary<string, Dictionary<string, KeyValuePair<string, string>>>(StringComparer.Ordinal);

        // The issue time of the secret this process last stored under a vault's name: a secret there with another one is not
        // this process's doing.
        private static readonly Dictionary<string, DateTimeOffset?> LastStoredIssuedAt = new Dictionary<string, DateTimeOffset?>(StringComparer.Ordinal);

        // Where a secret was meant to go when the vault did not take it: where storing it by hand should put it.
        private static readonly ConditionalWeakTable<ExternalSupportIntegration, Tuple<string, string>> MeantFor = new ConditionalWeakTable<ExternalSupportIntegration, Tuple<string, string>>();

        private static readonly List<UnknownOutcome> UnknownList = new List<UnknownOutcome>();

        // Projects (per server) whose rotation reached Jelou without a usable answer, and when: the secret kept from before
        // may be dead.
        private static readonly Dictionary<string, Doubt> Doubtful = new Dictionary<string, Doubt>(StringComparer.Ordinal);

        // Projects (per server) whose secrets arrived from requests that crossed (see Depart): each may be the live one.
        private static readonly Dictionary<string, List<ExternalSupportIntegration>> Crossed = new Dictionary<string, List<ExternalSupportIntegration>>(StringComparer.Ordinal);

        // The request each secret in Crossed came from (by reference): when it ended, and what it crossed.
        private static readonly Dictionary<ExternalSupportIntegration, Flight> CandidateFlights = new Dictionary<ExternalSupportIntegration, Flight>();

        // When a secret of the project (per server) last arrived.
        private static readonly Dictionary<string, long> LastArrival = new Dictionary<string, long>(StringComparer.Ordinal);

        // When a request of the project (per server) that may have changed it last ended: an answer, a lost answer, a delete.
        private static readonly Dictionary<string, long> LastActed = new Dictionary<string, long>(StringComparer.Ordinal);

        // Creates, rotations and deletes in flight per project (per server), and when the last of them ended.
        private static readonly Dictionary<string, FlightLog> Flights = new Dictionary<string, FlightLog>(StringComparer.Ordinal);

        // One vault write of a project's (per server) secret at a time in the process (see StoreTurn).
        private static readonly Dictionary<string, SemaphoreSlim> StoreTurns = new Dictionary<string, SemaphoreSlim>(StringComparer.Ordinal);

        // Reply-only clients by chatbot URI, for the life of the process: an Azure Function or a listener that replies to each
        // event reuses one HttpClient and its connections.
        private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, JelouClient> ReplyClients =
            new System.Collections.Concurrent.ConcurrentDictionary<string, JelouClient>(StringComparer.Ordinal);

        /// <summary>A client that only sends agent replies to <paramref name="chatbotUri"/>, shared by the process.</summary>
        internal static JelouClient ReplyClient(Uri chatbotUri) =>
            ReplyClients.GetOrAdd(chatbotUri.AbsoluteUri, _ => new JelouClient(new JelouClientOptions { ChatbotUri = chatbotUri, HeldSecrets = HeldSecrets }));

        /// <summary>A tester of webhook receivers whose results are redacted of the secrets the session holds, as the clients' errors are.</summary>
        internal static WebhookTester Tester(ProxySettings proxy, bool skipCertificateCheck = false) =>
            new WebhookTester(proxy, skipCertificateCheck) { HeldSecrets = HeldSecrets };

        /// <summary>
        /// The signing secrets this process holds (each project's latest, and those kept unsaved), the webhook credentials
        /// it sent or read (see <see cref="HoldWebhookCredentials"/>) and its connections' API keys and client secrets, for
        /// every client to redact in error answers: a server may quote a project's current secret or webhook URL, a key, or
        /// dump a project's record, in an error of another call.
        /// Up to <see cref="AllHeldUpTo"/>, all of them; beyond, for a call to an API this process holds secrets from, those
        /// of the projects its path names (so an error costs what its own projects do, not what a bulk run issued), and for
        /// any other (a reply, a receiver's test), all of them.
        /// </summary>
        internal static IEnumerable<Security.HeldSecret> HeldSecrets(Uri request) => HeldSecrets(request, AllHeldUpTo);

        /// <inheritdoc cref="HeldSecrets(Uri)"/>
        internal static IEnumerable<Security.HeldSecret> HeldSecrets(Uri request, int allUpTo)
        {
            lock (Gate)
            {
                // A session of a few hundred secrets redacts them all in any error answer (a server's 500 on one project may
                // dump another's record); a bulk run's thousands cost every error too much.
                // By project: one kept unsaved is its project's latest too.
                // With the connections' keys, a few, always; a webhook credential is looked for whole only (see HeldSecret.WholeOnly).
                List<Security.HeldSecret> Held(IEnumerable<System.Security.SecureString> secrets, IEnumerable<WebhookCredentials> webhooks) =>
                    secrets.Concat(Credentials).Distinct().Select(secret => new Security.HeldSecret(secret))
                        .Concat(webhooks.SelectMany(held => held.All).Distinct().Select(credential => new Security.HeldSecret(credential, wholeOnly: true))).ToList();
                List<Security.HeldSecret> Every() => Held(Latest.Values.Concat(UnsavedKept.All()).Select(i => i?.Secret).OfType<System.Security.SecureString>(), Webhooks.Values);
                if (Latest.Count + Webhooks.Count <= allUpTo) return Every();
                // Looked up by key, the projects the path names: a bulk run's thousands are not read at each error (only its
                // keys are looked at, up to the first of the call's API, when the path names none).
                var its = new HashSet<System.Security.SecureString>();
                var webhooks = new List<WebhookCredentials>();
                foreach (string segment in request.Segments)
                {
                    string key = Key(request, Uri.UnescapeDataString(segment.TrimEnd('/')));
                    if (Latest.TryGetValue(key, out ExternalSupportIntegration? latest) && latest?.Secret != null) its.Add(latest.Secret);
                    foreach (ExternalSupportIntegration kept in UnsavedKept.Of(key)) its.Add(kept.Secret!);
                    if (Webhooks.TryGetValue(key, out WebhookCredentials? held)) webhooks.Add(held);
                }
                if (its.Count > 0 || webhooks.Count > 0) return Held(its, webhooks);
                // A reply names no project, whatever host serves it (the emulator serves both on one).
                bool reply = request.AbsolutePath.EndsWith("/" + JelouUris.ReplyPath, StringComparison.OrdinalIgnoreCase);
                string onItsServer = Key(request, "");
                if (!reply && Latest.Keys.Concat(Webhooks.Keys).Any(key => key.StartsWith(onItsServer, StringComparison.Ordinal))) return Held(its, webhooks);
                return Every();
            }
        }

        /// <summary>Up to how many held secrets every error answer is redacted of (see <see cref="HeldSecrets"/>).</summary>
        internal const int AllHeldUpTo = 256;

        internal static JelouContext? Get(Runspace runspace) =>
            Slots.TryGetValue(runspace, out Slot? slot) ? slot.Context : null;

        internal static void Set(Runspace runspace, JelouContext? context)
        {
            Slots.GetOrCreateValue(runspace).Context = context;
            if (context?.Client.Options.Credential is JelouCredential credential)
            {
                lock (Gate)
                {
                    foreach (System.Security.SecureString secret in credential.Secrets) KeepLatest(Credentials, secret, CredentialsKept);
                }
            }
        }

        /// <summary>True the first time it is asked in the runspace: a reminder that a secret is in no vault is said once there.</summary>
        internal static bool FirstUnsavedInRunspace(Runspace runspace) => Interlocked.Exchange(ref Slots.GetOrCreateValue(runspace).SaidUnsaved, 1) == 0;

        /// <summary>The integrations whose signing secret was issued in this process and is in no vault, oldest first.</summary>
        internal static ExternalSupportIntegration[] Unsaved() { lock (Gate) return UnsavedKept.Snapshot(); }

        /// <summary>The requests whose outcome is unknown, oldest first.</summary>
        internal static UnknownOutcome[] Unknown() { lock (Gate) return UnknownList.ToArray(); }

        /// <summary>Records a create or rotation of the project that was sent and got no answer.</summary>
        internal static void OutcomeUnknown(UnknownOutcome outcome)
        {
            lock (Gate) UnknownList.Add(outcome);
        }

        /// <summary>Why the secrets this session holds of a project may no longer work, and what to do: Save-JelouSigningSecret says it.</summary>
        internal sealed class Doubt
        {
            internal Doubt(string why, string advice)
            {
                Why = why;
                Advice = advice;
            }

            /// <summary>A sentence without its full stop: "A rotation of p1 sent at ... brought back no secret".</summary>
            internal string Why { get; }
            internal string Advice { get; }
        }

        /// <summary>
        /// A rotation of the project may have replaced the secrets this session holds of it: one reached Jelou and brought
        /// back no secret, or a copy of a later secret came from elsewhere (a job's).
        /// </summary>
        internal static void MayBeReplaced(Uri? source, string projectId, Doubt doubt)
        {
            string key = Key(source, projectId);
            lock (Gate)
            {
                Doubtful[key] = doubt;
                // What the objects' SecretLocation shows, as Save-JelouSigningSecret refuses them (see DoubtOf).
                if (Latest.TryGetValue(key, out ExternalSupportIntegration? latest)) latest?.MarkDoubtful();
                foreach (ExternalSupportIntegration kept in UnsavedKept.Of(key)) kept.MarkDoubtful();
            }
        }

        /// <summary>
        /// Why a rotation may have replaced the project's secret (on <paramref name="source"/>'s server, or any when the caller
        /// knows no API); null when nothing says so.
        /// </summary>
        internal static Doubt? DoubtAbout(Uri? source, string projectId)
        {
            lock (Gate) return KeysOf(Doubtful, source, projectId).Select(key => Doubtful[key]).FirstOrDefault();
        }

        /// <summary>Why a rotation may have replaced the integration's secret since it arrived; null when nothing says so.</summary>
        internal static Doubt? DoubtOf(ExternalSupportIntegration integration)
        {
            lock (Gate) return Doubtful.TryGetValue(ProjectKey(integration), out Doubt? doubt) ? doubt : null;
        }

        /// <summary>The project was found to have no integration: an earlier create or rotation of unknown outcome left none.</summary>
        internal static void Settled(Uri? source, string projectId)
        {
            string key = Key(source, projectId);
            lock (Gate) ForgetUnknown(key);
        }

        /// <summary>
        /// Keeps, for redacting error answers (see <see cref="HeldSecrets"/>), the webhook credentials of the project on
        /// <paramref name="source"/>'s server that this process sends or reads: the keys in <paramref name="webhookUrl"/>'s
        /// query (Azure Functions' code) and the <paramref name="authorization"/> given (copied).
        /// </summary>
        internal static void HoldWebhookCredentials(Uri? source, string projectId, string? webhookUrl, System.Security.SecureString? authorization)
        {
            // Every read and every issued secret passes here: most URLs have no query.
            if (authorization is null && (webhookUrl is null || webhookUrl.IndexOf('?') < 0)) return;
            List<System.Security.SecureString> keys = JelouUris.QueryCredentials(webhookUrl);
            if (keys.Count == 0 && authorization is null) return;
            string key = Key(source, projectId);
            lock (Gate)
            {
                if (!Webhooks.TryGetValue(key, out WebhookCredentials? held)) Webhooks[key] = held = new WebhookCredentials();
                if (authorization != null) held.Keep(authorization);
                if (keys.Count > 0) held.Keep(webhookUrl!, keys);
            }
        }

        // Adds a secret to a list of the latest few, each value once (given again, it becomes the latest); past max, the oldest goes.
        private static void KeepLatest(List<System.Security.SecureString> kept, System.Security.SecureString secret, int max)
        {
            kept.RemoveAll(held => ReferenceEquals(held, secret) || Security.SecureStrings.Equal(held, secret));
            kept.Add(secret);
            if (kept.Count > max) kept.RemoveRange(0, kept.Count - max);
        }

        /// <summary>A project's webhook credentials this process knows (see <see cref="HoldWebhookCredentials"/>).</summary>
        private sealed class WebhookCredentials
        {
            // A server may still quote a URL or credential replaced since (a delivery in flight; a receiver that takes the old
            // token while a change propagates): a few of each are kept, latest last.
            private const int Kept = 4;
            private readonly List<KeyValuePair<string, List<System.Security.SecureString>>> _urlKeys = new List<KeyValuePair<string, List<System.Security.SecureString>>>();
            private readonly List<System.Security.SecureString> _authorizations = new List<System.Security.SecureString>();

            internal IEnumerable<System.Security.SecureString> All => _urlKeys.SelectMany(url => url.Value).Concat(_authorizations);

            /// <summary>A credential given, copied.</summary>
            internal void Keep(System.Security.SecureString authorization) => KeepLatest(_authorizations, authorization.Copy(), Kept);

            /// <summary>The keys of a URL; a URL already kept (the same integration read again) adds nothing.</summary>
            internal void Keep(string url, List<System.Security.SecureString> keys)
            {
                if (_urlKeys.Any(kept => kept.Key == url))
                {
                    keys.ForEach(copy => copy.Dispose());
                    return;
                }
                if (_urlKeys.Count == Kept) _urlKeys.RemoveAt(0);
                _urlKeys.Add(new KeyValuePair<string, List<System.Security.SecureString>>(url, keys));
            }
        }

        /// <summary>The project was read: its creates and rotations of unknown outcome that this read settles, and those it does not.</summary>
        /// <remarks>
        /// An integration created (or, for a rotation, whose secret was regenerated) well before the request of unknown
        /// outcome was given up is older than that request, which therefore changed nothing: Jelou refuses a second create,
        /// and a rotation would have been stamped later. "Well before": more than the longest a call may take (-TimeoutSec
        /// at most 3600 s) and a few minutes of clock difference. Otherwise the read cannot tell.
        /// </remarks>
        internal static UnknownOutcome[] Read(Uri? source, ExternalSupportIntegration integration)
        {
            HoldWebhookCredentials(source, integration.ProjectId, integration.WebhookUrl, null);
            lock (Gate)
            {
                // Empty but after a lost answer: every read asks.
                if (UnknownList.Count == 0) return Array.Empty<UnknownOutcome>();
                var left = new List<UnknownOutcome>();
                foreach (UnknownOutcome outcome in Unknown(source, integration.ProjectId))
                {
                    DateTimeOffset? stamp = outcome.IsCreate ? integration.CreatedAt : integration.SecretRegeneratedAt;
                    if (stamp < outcome.At - OlderThanAnyCall) UnknownList.Remove(outcome);
                    else left.Add(outcome);
                }
                return left.ToArray();
            }
        }

        private static readonly TimeSpan OlderThanAnyCall = TimeSpan.FromSeconds(3600 + 300);

        /// <summary>The creates and rotations of the project on <paramref name="source"/>'s server that got no answer and are not settled, oldest first.</summary>
        internal static UnknownOutcome[] Unknown(Uri? source, string projectId)
        {
            string key = Key(source, projectId);
            lock (Gate) return UnknownList.FindAll(unknown => Key(unknown.ApiBaseUri, unknown.ProjectId) == key).ToArray();
        }

        /// <summary>
        /// Records a secret Jelou just issued: it is the project's only live one, so earlier ones kept for the project are
        /// dropped (Jelou stops accepting them at once), and it is kept itself until it is stored. It does not touch the
        /// runspace, so any thread may call it the moment a secret arrives; returns the integration. Recording the same one
        /// again changes nothing.
        /// </summary>
        /// <remarks>
        /// The request's <paramref name="flight"/> ends here, under the same lock, so nothing lands between. When it crossed
        /// another create, rotation or delete of the project (see <see cref="Depart"/>), Jelou carried them out in an order
        /// this process cannot know: the secret is kept beside the project's others, each of them may be the live one
        /// (<see cref="IsCrossed"/>), and none leaves the list once stored.
        /// </remarks>
        internal static ExternalSupportIntegration Arrived(ExternalSupportIntegration integration, Flight? flight = null)
        {
            HoldWebhookCredentials(integration.ApiBaseUri, integration.ProjectId, integration.WebhookUrl, null);
            lock (Gate)
            {
                flight?.EndLocked(acted: true);
                bool crossed = flight?.Crossed == true;
                string key = ProjectKey(integration);
                LastArrival[key] = System.Diagnostics.Stopwatch.GetTimestamp();
                if (Latest.TryGetValue(key, out ExternalSupportIntegration? latest) && ReferenceEquals(latest, integration)) return integration;
                if (crossed)
                {
                    // The first of the crossing answers: what was kept from before any of them is dead either way. So is a
                    // candidate that arrived before this request left: Jelou carried this one out after it.
                    if (!Crossed.TryGetValue(key, out List<ExternalSupportIntegration>? candidates))
                    {
                        Crossed[key] = candidates = new List<ExternalSupportIntegration>();
                        Superseded(latest);
                        UnsavedKept.RemoveAll(key);
                    }
                    foreach (ExternalSupportIntegration superseded in candidates.FindAll(c => CandidateFlights[c].Ended < flight!.Departed))
                    {
                        candidates.Remove(superseded);
                        CandidateFlights.Remove(superseded);
                        UnsavedKept.Remove(key, superseded);
                        Superseded(superseded);
                    }
                    candidates.Add(integration);
                    CandidateFlights[integration] = flight!;
                    flight!.Arrival = integration;
                }
                else
                {
                    // A later answer settles what came before it; a crossed one, arriving in no known order, settles nothing.
                    Superseded(latest);
                    ForgetCrossed(key);
                    UnsavedKept.RemoveAll(key);
                    ForgetUnknown(key);
                    Doubtful.Remove(key);
                }
                Latest[key] = integration;
                UnsavedKept.Add(key, integration);
            }
            return integration;
        }

        /// <summary>
        /// A copy of a secret issued after <paramref name="held"/>, the one this session received of the project, was stored
        /// on the caller's word (-Force): it is the project's live secret now, as if it had arrived here, and what the session
        /// kept of the project is dead (a project has one live secret), so that no later save puts that back over it.
        /// </summary>
        internal static void Adopt(ExternalSupportIntegration copy, ExternalSupportIntegration held)
        {
            lock (Gate)
            {
                string key = ProjectKey(held);
                Superseded(held);
                ForgetCrossed(key);
                UnsavedKept.RemoveAll(key);
                Doubtful.Remove(key);
                Latest[key] = copy;
            }
        }

        /// <summary>
        /// A create, rotation or delete of the project on <paramref name="source"/>'s server is about to be sent, in any
        /// runspace of the process; end the flight when it ends, answered or not. Two whose flights overlap were carried out
        /// by Jelou in an order nobody here can know, so neither answer may supersede the other.
        /// </summary>
        internal static Flight Depart(Uri? source, string projectId)
        {
            var flight = new Flight(Key(source, projectId));
            lock (Gate)
            {
                if (!Flights.TryGetValue(flight.Key, out FlightLog? log)) Flights[flight.Key] = log = new FlightLog();
                log.Active.Add(flight);
            }
            return flight;
        }

        /// <summary>
        /// The integration this process holds that <paramref name="copy"/> is a copy of (the same project and API, the same
        /// secret), so that what the session knows of it applies; else the copy itself.
        /// </summary>
        internal static ExternalSupportIntegration Original(ExternalSupportIntegration copy)
        {
            lock (Gate)
            {
                var known = new List<ExternalSupportIntegration>();
                foreach (string key in KeysOf(Latest, copy.ApiBaseUri, copy.ProjectId).Concat(KeysOf(Crossed, copy.ApiBaseUri, copy.ProjectId)).Distinct().ToList())
                {
                    known.AddRange(UnsavedKept.Of(key));
                    if (Latest.TryGetValue(key, out ExternalSupportIntegration? latest) && latest != null) known.Add(latest);
                    if (Crossed.TryGetValue(key, out List<ExternalSupportIntegration>? candidates)) known.AddRange(candidates);
                }
                ExternalSupportIntegration? original = known.Find(held => held.Secret != null && JelouPS.Security.SecureStrings.Equal(held.Secret, copy.Secret!));
                if (original != null) return original;
                if (DeadSecrets.Contains(JelouPS.Security.SecureStrings.Fingerprint(copy.Secret!)))
                {
                    // A copy of a secret the session received, and saw die.
                    copy.MarkSuperseded();
                    return copy;
                }
                // A secret the session never held: what the session knows of the project does not decide for it.
                copy.IsCopy = true;
                return copy;
            }
        }

        // The secrets this process saw replaced or deleted, by their fingerprint (not the secrets: see SecureStrings.Fingerprint):
        // a copy with a SecureString of its own (Import-Clixml, Receive-Job) is recognised too. Kept for the process's life.
        private static readonly HashSet<string> DeadSecrets = new HashSet<string>(StringComparer.Ordinal);

        // Under Gate: Jelou no longer accepts the integration's secret.
        private static void Superseded(ExternalSupportIntegration? integration)
        {
            if (integration is null) return;
            integration.MarkSuperseded();
            if (integration.Secret != null) DeadSecrets.Add(JelouPS.Security.SecureStrings.Fingerprint(integration.Secret));
        }

        /// <summary>
        /// Whether this process received a secret of the copy's project, or saw its integration deleted (on the copy's server,
        /// or any server when the copy does not say), other than the copy: then <paramref name="held"/> is the latest one it
        /// received (null after a delete).
        /// </summary>
        internal static bool KnowsOther(ExternalSupportIntegration copy, out ExternalSupportIntegration? held)
        {
            lock (Gate)
            {
                foreach (string key in KeysOf(Latest, copy.ApiBaseUri, copy.ProjectId))
                {
                    if (ReferenceEquals(Latest[key], copy)) continue;
                    held = Latest[key];
                    return true;
                }
            }
            held = null;
            return false;
        }

        /// <summary>
        /// The keys of <paramref name="table"/> that are the project's: on <paramref name="source"/>'s server, found by key; or,
        /// when the source is unknown (a receiver; a copy that lost its ApiBaseUri to Select-Object), on any server, which
        /// takes reading every key. A bulk run's thousands of projects are read only then.
        /// </summary>
        private static IEnumerable<string> KeysOf<T>(Dictionary<string, T> table, Uri? source, string projectId)
        {
            if (source != null)
            {
                string key = Key(source, projectId);
                return table.ContainsKey(key) ? new[] { key } : Array.Empty<string>();
            }
            string suffix = "\n" + projectId;
            return table.Keys.Where(key => key.EndsWith(suffix, StringComparison.Ordinal));
        }

        /// <summary>The project's latest secret this process received on that server; null when none (or it was deleted).</summary>
        internal static ExternalSupportIntegration? LatestOf(Uri? source, string projectId)
        {
            lock (Gate) return Latest.TryGetValue(Key(source, projectId), out ExternalSupportIntegration? latest) ? latest : null;
        }

        /// <summary>
        /// The project's latest secret this process received: on <paramref name="source"/>'s server, or on any when the caller
        /// knows no API (a reply-only client); null when none, or the integration was deleted.
        /// </summary>
        internal static ExternalSupportIntegration? LiveOf(Uri? source, string projectId)
        {
            lock (Gate) return KeysOf(Latest, source, projectId).Select(key => Latest[key]).FirstOrDefault(live => live != null);
        }

        /// <summary>Whether the integration is the project's latest secret that this process received (not merely one it knows nothing against).</summary>
        internal static bool IsReceivedLatest(ExternalSupportIntegration integration) => ReferenceEquals(LatestOf(integration.ApiBaseUri, integration.ProjectId), integration);

        /// <summary>The key of the integration's project on its server: one per project a command may store.</summary>
        internal static string ProjectKey(ExternalSupportIntegration integration) => Key(integration.ApiBaseUri, integration.ProjectId);

        // How long a delivery or a delete's settling waits for the project's other requests in flight to end, before saying
        // they crossed: a refusal comes back at once; longer is a request that is still being carried out.
        private static readonly TimeSpan CrossingWait = TimeSpan.FromSeconds(5);

        /// <summary>
        /// Waits, at most 5 s, for the requests of the project that were still in flight when the integration's own request
        /// ended (see <see cref="Flight.Crossed"/>): one refused (a duplicate create answered 409) crossed nothing, which is
        /// known only once it ends. Returns at once for anything else.
        /// </summary>
        internal static void AwaitCrossing(ExternalSupportIntegration integration, CancellationToken cancellation)
        {
            Flight? flight;
            lock (Gate) CandidateFlights.TryGetValue(integration, out flight);
            if (flight != null) AwaitCrossing(flight, cancellation);
        }

        /// <inheritdoc cref="AwaitCrossing(ExternalSupportIntegration, CancellationToken)"/>
        internal static void AwaitCrossing(Flight flight, CancellationToken cancellation)
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            lock (Gate)
            {
                while (flight.Undecided && !cancellation.IsCancellationRequested)
                {
                    TimeSpan left = CrossingWait - clock.Elapsed;
                    if (left <= TimeSpan.Zero) return;
                    // Woken by every flight's end; the slice lets Ctrl+C end the wait.
                    Monitor.Wait(Gate, left < TimeSpan.FromMilliseconds(100) ? left : TimeSpan.FromMilliseconds(100));
                }
            }
        }

        /// <summary>Whether the integration's secret arrived from a request that crossed another of its project's (see <see cref="Arrived"/>).</summary>
        internal static bool IsCrossed(ExternalSupportIntegration integration)
        {
            lock (Gate) return IsCandidate(ProjectKey(integration), integration);
        }

        /// <summary>One create, rotation or delete in flight (see <see cref="Depart"/>).</summary>
        internal sealed class Flight
        {
            /// <summary>When it left (a Stopwatch timestamp).</summary>
            internal long Departed { get; } = System.Diagnostics.Stopwatch.GetTimestamp();

            /// <summary>When it left, by the clock (UTC): what a record of a request that got no answer says it was sent at.</summary>
            internal DateTimeOffset DepartedAt { get; } = DateTimeOffset.UtcNow;

            internal Flight(string key) => Key = key;

            internal string Key { get; }

            /// <summary>
            /// Set when it ended: another of the project's that may have changed it (see <see cref="End"/>) was in flight at some
            /// time during this one, or still is. Cleared once all of those still in flight then turn out to have changed nothing.
            /// </summary>
            internal bool Crossed { get; private set; }

            /// <summary>When it ended (a Stopwatch timestamp).</summary>
            internal long Ended { get; private set; }

            /// <summary>The secret it brought, when it arrived as a crossing candidate.</summary>
            internal ExternalSupportIntegration? Arrival { get; set; }

            // When it ended: the project's others still in flight, and whether one that may have acted ended while it flew.
            private HashSet<Flight> _pending = new HashSet<Flight>();
            private bool _crossedByEnded;

            /// <summary>Ended as crossed only by others still in flight, which may turn out to have changed nothing.</summary>
            internal bool Undecided => Crossed && !_crossedByEnded && _pending.Count > 0;

            /// <summary>
            /// The request ended with no answer to record; <paramref name="acted"/> is false when it certainly changed nothing
            /// (never sent, or refused), so that it makes no other flight count as crossed. Call once.
            /// </summary>
            internal void End(bool acted)
            {
                lock (Gate) EndLocked(acted);
            }

            /// <summary>
            /// Whether a request that failed with <paramref name="failure"/> may have changed the project: all but one never sent
            /// and one refused (4xx), unless an earlier attempt of it may have acted. More cautious than the retry policy's
            /// reading (a 503 there is a refusal): a crossing cleared wrongly would let a dead secret pass for the live one.
            /// </summary>
            internal static bool MayHaveActed(Exception failure) =>
                !(failure is JelouApiException api) || api.EarlierAttemptMayHaveActed || !(api.NothingSent
                    || (api.StatusCode is System.Net.HttpStatusCode status && (int)status >= 400 && (int)status < 500 && status != System.Net.HttpStatusCode.RequestTimeout));

            // Under Gate.
            internal void EndLocked(bool acted)
            {
                FlightLog log = Flights[Key];
                log.Active.Remove(this);
                _crossedByEnded = log.LastEnded > Departed;
                _pending = new HashSet<Flight>(log.Active);
                Crossed = _crossedByEnded || _pending.Count > 0;
                Ended = System.Diagnostics.Stopwatch.GetTimestamp();
                if (acted)
                {
                    log.LastEnded = Ended;
                    LastActed[Key] = Ended;
                }
                // The ones that ended while this flew learn what it did: a refused one (two creates of one project, one
                // answered 409) crossed nothing after all.
                foreach (Flight ended in log.Ended.ToArray())
                {
                    if (!ended._pending.Remove(this)) continue;
                    if (acted) ended._crossedByEnded = true;
                    if (ended._pending.Count > 0) continue;
                    log.Ended.Remove(ended);
                    // One that may have acted and ended after it (a rotation that lost its answer, a delete) left doubts
                    // about it that a refusal cannot clear.
                    if (!ended._crossedByEnded && log.LastEnded <= ended.Ended)
                    {
                        ended.Crossed = false;
                        if (ended.Arrival != null) Uncrossed(ended.Arrival);
                    }
                }
                if (_pending.Count > 0) log.Ended.Add(this);
                // With none in flight, every later flight departs after this: the log has nothing left to tell.
                if (log.Active.Count == 0) Flights.Remove(Key);
                Monitor.PulseAll(Gate);
            }
        }

        private sealed class FlightLog
        {
            /// <summary>The flights in the air: what a flight that ends now crossed, or may have.</summary>
            public readonly List<Flight> Active = new List<Flight>();

            /// <summary>Ended flights whose crossing waits on others still in the air.</summary>
            public readonly List<Flight> Ended = new List<Flight>();

            public long LastEnded;
        }

        // Under Gate: a candidate's request turned out to cross nothing that acted. Still the latest, it is the live secret:
        // the other candidates were carried out before it (one that overlapped it would have acted, and crossed it), and it
        // settles what an answer that crossed nothing settles.
        private static void Uncrossed(ExternalSupportIntegration integration)
        {
            string key = ProjectKey(integration);
            if (!IsCandidate(key, integration) || !Latest.TryGetValue(key, out ExternalSupportIntegration? latest) || !ReferenceEquals(latest, integration)) return;
            foreach (ExternalSupportIntegration other in Crossed[key])
            {
                CandidateFlights.Remove(other);
                if (ReferenceEquals(other, integration)) continue;
                UnsavedKept.Remove(key, other);
                Superseded(other);
            }
            Crossed.Remove(key);
            // Kept, also once stored, while it was a candidate: stored, it leaves the list as any other does.
            if (integration.SecretVault != null) UnsavedKept.Remove(key, integration);
            ForgetUnknown(key);
            Doubtful.Remove(key);
        }

        /// <summary>Keeps an integration that is not (or no longer) in a vault, unless Jelou has issued a newer secret since.</summary>
        internal static void KeepUnsaved(ExternalSupportIntegration integration)
        {
            lock (Gate)
            {
                string key = ProjectKey(integration);
                if (IsLatest(integration) && !UnsavedKept.Contains(key, integration)) UnsavedKept.Add(key, integration);
            }
        }

        /// <summary>
        /// The project's integration was deleted (its <paramref name="flight"/> ends here, under the same lock): its kept
        /// secrets are worthless, and no vault name holds a live one. Unless the delete crossed a create or rotation (see
        /// <see cref="Depart"/>): then the project may have an integration again, what is kept stays, and this returns true.
        /// </summary>
        internal static bool Deleted(Uri source, string projectId, Flight flight)
        {
            lock (Gate)
            {
                flight.EndLocked(acted: true);
                if (flight.Crossed) return true;
                Forget(Key(source, projectId));
            }
            return false;
        }

        /// <summary>
        /// Whether a delete that ended crossing other requests of the project (see <see cref="Deleted"/>) still counts as
        /// crossed: false once they all turned out refused (a create answered 409) and nothing that may have acted ended since,
        /// and then its effect is recorded as <see cref="Deleted"/> records it for a delete that crossed nothing.
        /// </summary>
        internal static bool StillCrossed(Uri source, string projectId, Flight flight)
        {
            lock (Gate)
            {
                string key = Key(source, projectId);
                // Anything that may have changed the project since (an answer, a lost one, another delete) is newer than the
                // delete: what the session recorded of it stays.
                if (flight.Crossed || (LastActed.TryGetValue(key, out long at) && at > flight.Ended)) return true;
                Forget(key);
                return false;
            }
        }

        // Under Gate: the project's integration is gone; what is kept of it is worthless.
        private static void Forget(string key)
        {
            if (Latest.TryGetValue(key, out ExternalSupportIntegration? latest)) Superseded(latest);
            ForgetCrossed(key);
            Latest[key] = null;
            UnsavedKept.RemoveAll(key);
            ForgetUnknown(key);
            Doubtful.Remove(key);
            StoredAt.Remove(key);
        }

        /// <summary>
        /// Whether a secret of the project arrived after <paramref name="since"/> (a Stopwatch timestamp), in any runspace: on
        /// <paramref name="source"/>'s server, or on any when the caller knows no API (a receiver).
        /// </summary>
        internal static bool ArrivedAfter(Uri? source, string projectId, long since)
        {
            lock (Gate) return KeysOf(LastArrival, source, projectId).Any(key => LastArrival[key] > since);
        }

        /// <summary>A secret is in a vault now: no longer kept, and the vault's name is known to hold that project's secret.</summary>
        internal static void Stored(ExternalSupportIntegration integration, string vault, string secretName)
        {
            lock (Gate)
            {
                // A crossed one stays kept: the vault's name may next get the other, which may be the dead one; and the one
                // it replaces there no longer says it is in the vault.
                string key = ProjectKey(integration);
                if (IsCandidate(key, integration))
                {
                    foreach (ExternalSupportIntegration other in Crossed[key])
                    {
                        if (!ReferenceEquals(other, integration) && other.SecretVault != null && NameKey(other.SecretVault, other.SecretName ?? "") == NameKey(vault, secretName)) other.MarkReplaced();
                    }
                }
                else
                {
                    UnsavedKept.Remove(key, integration);
                }
                StoredFor[NameKey(vault, secretName)] = new SecretOwner(integration.ProjectId, integration.ApiBaseUri);
                LastStoredIssuedAt[NameKey(vault, secretName)] = integration.SecretIssuedAt;
                string project = Key(integration.ApiBaseUri, integration.ProjectId);
                if (!StoredAt.TryGetValue(project, out Dictionary<string, KeyValuePair<string, string>>? byVault)) StoredAt[project] = byVault = new Dictionary<string, KeyValuePair<string, string>>(StringComparer.Ordinal);
                byVault[Fold(vault)] = new KeyValuePair<string, string>(vault, secretName);
            }
        }

        /// <summary>
        /// Waits until no other vault write of the project's secret (from <paramref name="source"/>'s server) is under way in
        /// the process, and holds the turn until disposed. Checking <see cref="IsLatest"/> with the turn held means an older
        /// secret never overwrites a newer one that another runspace, or a later input of a command settling in input order,
        /// stored in the meantime; a delete's vault cleanup holds it too, so no write lands after it. A write after Ctrl+C
        /// (a secret that arrived as the pipeline stopped) still gets a free turn; waiting for a busy one ends with
        /// OperationCanceledException when <paramref name="cancellation"/> does.
        /// </summary>
        internal static IDisposable StoreTurn(Uri? source, string projectId, CancellationToken cancellation, Action? waiting = null)
        {
            SemaphoreSlim? turn;
            lock (Gate)
            {
                string key = Key(source, projectId);
                if (!StoreTurns.TryGetValue(key, out turn)) StoreTurns[key] = turn = new SemaphoreSlim(1, 1);
            }
            if (!turn.Wait(0))
            {
                waiting?.Invoke();
                turn.Wait(cancellation);
            }
            return new Turn(turn);
        }

        private sealed class Turn : IDisposable
        {
            private SemaphoreSlim? _held;

            internal Turn(SemaphoreSlim held) => _held = held;

            public void Dispose() => Interlocked.Exchange(ref _held, null)?.Release();
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

        /// <summary>
        /// Whether the last secret this process stored under the vault's name was issued at <paramref name="issuedAt"/> (as the
        /// vault's metadata gives it back, to the second: some vaults keep no fractions).
        /// </summary>
        internal static bool LastStoredHere(string vault, string secretName, DateTimeOffset? issuedAt)
        {
            lock (Gate)
            {
                return LastStoredIssuedAt.TryGetValue(NameKey(vault, secretName), out DateTimeOffset? stored)
                    && stored is DateTimeOffset ours && issuedAt is DateTimeOffset theirs && Math.Abs((ours - theirs).TotalSeconds) < 1;
            }
        }

        /// <summary>Whose secret this process stored under the vault's name, or null.</summary>
        internal static SecretOwner? StoredOwner(string vault, string secretName)
        {
            lock (Gate) return StoredFor.TryGetValue(NameKey(vault, secretName), out SecretOwner? owner) ? owner : null;
        }

        /// <summary>Where <paramref name="integration"/>'s own store aimed, when the vault did not take it; null otherwise.</summary>
        internal static string? MeantName(ExternalSupportIntegration integration, string vault)
        {
            lock (Gate) return MeantFor.TryGetValue(integration, out Tuple<string, string>? meant) && Fold(meant.Item1) == Fold(vault) ? meant.Item2 : null;
        }

        /// <summary>The name this process last stored the project's secret (from that API) under in the vault; null when it never did.</summary>
        internal static string? StoredName(string vault, Uri? source, string projectId)
        {
            lock (Gate)
            {
                return StoredAt.TryGetValue(Key(source, projectId), out Dictionary<string, KeyValuePair<string, string>>? byVault)
                    && byVault.TryGetValue(Fold(vault), out KeyValuePair<string, string> stored) ? stored.Value : null;
            }
        }

        /// <summary>
        /// The vaults and names where this process last stored a secret of the project (from that API) that still hold it as
        /// far as the process knows, other than in <paramref name="exceptVault"/>: after a rotation, copies that no longer work.
        /// </summary>
        internal static List<KeyValuePair<string, string>> StoredCopies(Uri? source, string projectId, string? exceptVault)
        {
            lock (Gate)
            {
                if (!StoredAt.TryGetValue(Key(source, projectId), out Dictionary<string, KeyValuePair<string, string>>? byVault)) return new List<KeyValuePair<string, string>>();
                return byVault.Values.Where(stored => (exceptVault is null || Fold(stored.Key) != Fold(exceptVault))
                        && StoredFor.TryGetValue(NameKey(stored.Key, stored.Value), out SecretOwner? holder) && holder.Is(projectId, source))
                    .ToList();
            }
        }

        /// <summary>Whether the secret is one this process saw Jelou replace or delete (by value: any copy of it).</summary>
        internal static bool IsDead(System.Security.SecureString secret)
        {
            string fingerprint = JelouPS.Security.SecureStrings.Fingerprint(secret);
            lock (Gate) return DeadSecrets.Contains(fingerprint);
        }

        /// <summary>Whether the integration's secret is still the project's live one, as far as this process knows.</summary>
        internal static bool IsLatest(ExternalSupportIntegration integration)
        {
            string key = ProjectKey(integration);
            lock (Gate)
            {
                return !Latest.TryGetValue(key, out ExternalSupportIntegration? latest) || ReferenceEquals(latest, integration) || IsCandidate(key, integration);
            }
        }

        // Under Gate: whether the integration is one of the project's secrets from crossing requests.
        private static bool IsCandidate(string key, ExternalSupportIntegration integration) =>
            Crossed.TryGetValue(key, out List<ExternalSupportIntegration>? candidates) && candidates.Contains(integration);

        // Under Gate.
        private static void ForgetCrossed(string key)
        {
            if (!Crossed.TryGetValue(key, out List<ExternalSupportIntegration>? candidates)) return;
            foreach (ExternalSupportIntegration candidate in candidates)
            {
                CandidateFlights.Remove(candidate);
                Superseded(candidate);
            }
            Crossed.Remove(key);
        }

        // Under Gate.
        private static void ForgetUnknown(string key) => UnknownList.RemoveAll(unknown => Key(unknown.ApiBaseUri, unknown.ProjectId) == key);

        private static string Key(Uri? source, string projectId) => SecretOwner.Server(source) + "\n" + projectId;

        private static string Fold(string name) => name.ToUpperInvariant();

        /// <summary>
        /// The kept integrations, oldest first, found by project (per server) in constant time: a bulk create keeps
        /// thousands, and each new one replaces only its own project's.
        /// </summary>
        private sealed class KeptIntegrations
        {
            private readonly Dictionary<string, List<KeyValuePair<long, ExternalSupportIntegration>>> _byKey =
                new Dictionary<string, List<KeyValuePair<long, ExternalSupportIntegration>>>(StringComparer.Ordinal);

            private long _added;

            internal void Add(string key, ExternalSupportIntegration integration)
            {
                if (!_byKey.TryGetValue(key, out List<KeyValuePair<long, ExternalSupportIntegration>>? kept)) _byKey[key] = kept = new List<KeyValuePair<long, ExternalSupportIntegration>>(1);
                kept.Add(new KeyValuePair<long, ExternalSupportIntegration>(_added++, integration));
            }

            internal bool Contains(string key, ExternalSupportIntegration integration) =>
                _byKey.TryGetValue(key, out List<KeyValuePair<long, ExternalSupportIntegration>>? kept) && kept.Exists(k => ReferenceEquals(k.Value, integration));

            internal void Remove(string key, ExternalSupportIntegration integration)
            {
                if (!_byKey.TryGetValue(key, out List<KeyValuePair<long, ExternalSupportIntegration>>? kept)) return;
                kept.RemoveAll(k => ReferenceEquals(k.Value, integration));
                if (kept.Count == 0) _byKey.Remove(key);
            }

            /// <summary>The project's kept secrets.</summary>
            internal IEnumerable<ExternalSupportIntegration> Of(string key) =>
                _byKey.TryGetValue(key, out List<KeyValuePair<long, ExternalSupportIntegration>>? kept) ? kept.ConvertAll(k => k.Value) : new List<ExternalSupportIntegration>();

            /// <summary>Drops the project's kept secrets, which no longer work.</summary>
            internal void RemoveAll(string key)
            {
                if (!_byKey.TryGetValue(key, out List<KeyValuePair<long, ExternalSupportIntegration>>? kept)) return;
                foreach (KeyValuePair<long, ExternalSupportIntegration> dead in kept) Superseded(dead.Value);
                _byKey.Remove(key);
            }

            /// <summary>Every kept secret, in no order.</summary>
            internal IEnumerable<ExternalSupportIntegration> All() => _byKey.Values.SelectMany(kept => kept.Select(k => k.Value));

            internal ExternalSupportIntegration[] Snapshot()
            {
                var all = new List<KeyValuePair<long, ExternalSupportIntegration>>();
                foreach (List<KeyValuePair<long, ExternalSupportIntegration>> kept in _byKey.Values) all.AddRange(kept);
                all.Sort((a, b) => a.Key.CompareTo(b.Key));
                return all.ConvertAll(k => k.Value).ToArray();
            }
        }

        private static string NameKey(string vault, string secretName) => Fold(vault) + "\n" + Fold(secretName);
    }

    /// <summary>A project, and the API base URI it lives on (null when unknown).</summary>
    internal sealed class SecretOwner
    {
        internal SecretOwner(string projectId, Uri? source)
        {
            ProjectId = projectId;
            Source = source;
        }

        public string ProjectId { get; }
        public Uri? Source { get; }

        /// <summary>
        /// The owner a secret's metadata names, when JelouPS wrote it: ProjectId together with ApiBaseUri or IntegrationId,
        /// as JelouPS stores them with every secret. A bare ProjectId proves nothing: other tools (Terraform, Azure DevOps,
        /// Sentry) tag their own secrets with one.
        /// </summary>
        internal static SecretOwner? FromMetadata(IDictionary? metadata)
        {
            string? project = Value(metadata, "ProjectId");
            string? api = Value(metadata, "ApiBaseUri");
            if (project is null || (api is null && Value(metadata, "IntegrationId") is null)) return null;
            return new SecretOwner(project, Uri.TryCreate(api, UriKind.Absolute, out Uri? uri) ? uri : null);
        }

        private static string? Value(IDictionary? metadata, string key) =>
            PowerShellValues.Entry(metadata, key) is object value ? Convert.ToString(value, CultureInfo.InvariantCulture) : null;

        /// <summary>Whether this is <paramref name="projectId"/> on <paramref name="source"/>'s server; an unknown API matches any.</summary>
        public bool Is(string projectId, Uri? source) =>
            string.Equals(ProjectId, projectId, StringComparison.Ordinal) && (Source is null || source is null || Server(Source) == Server(source));

        /// <summary>
        /// The server an API base URI names (scheme, host, port): its projects are the same whatever the path, since the docs
        /// give the same API under /jelouapi and /platform (jelou-api.md §1), with or without a trailing slash; and
        /// localhost is 127.0.0.1 (an emulator or a tunnel).
        /// </summary>
        internal static string Server(Uri? source) =>
            source is null ? "" : source.IsLoopback ? $"{source.Scheme}://loopback:{source.Port}" : source.GetLeftPart(UriPartial.Authority).ToLowerInvariant();

        public override string ToString() => Source is null ? $"project '{ProjectId}'" : $"project '{ProjectId}' on {Source.GetLeftPart(UriPartial.Authority)}";
    }
}
