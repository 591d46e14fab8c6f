using System;
using System.Collections;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Linq;
using System.Management.Automation;
using System.Security;
using System.Threading;
using JelouPS.Retry;
using JelouPS.Secrets;
using JelouPS.Security;

namespace JelouPS.Infrastructure
{
    /// <summary>
    /// A SecretManagement vault, reached by calling SecretManagement's commands by name in the caller's runspace
    /// (so the caller's registered vaults, and any stand-in, are found; we never link its assembly). Secrets travel
    /// as SecureString parameters, never in script text. Must be used from the pipeline thread.
    /// </summary>
    /// <remarks>
    /// A nested command runs in the caller's scope and would obey the caller's preference variables: a
    /// $WhatIfPreference would make Set-Secret write nothing and report no error, a low $ConfirmPreference would make
    /// it prompt (and fail in a non-interactive runbook), an $ErrorActionPreference of Stop would turn its first error
    /// into an exception, and its $PSDefaultParameterValues could add -NoClobber, -AsPlainText, -Metadata or a vault's
    /// -Name. The JelouPS cmdlet has already asked ShouldProcess, so every call states its own preferences and those
    /// parameters, and every write is read back before it counts as stored.
    /// </remarks>
    internal sealed class SecretVault
    {
        private const string Module = "Microsoft.PowerShell.SecretManagement";

        // SecretManagement's own ErrorIds (src/code/Utils.cs, SecretManagement.cs): decisions are made on these, never on English text.
        internal const string MetadataNotSupported = "SetSecretMetadataCommandNotSupported";
        internal const string AlreadyExists = "SetSecretCommandAlreadyExistsWithNoClobber";
        internal const string PasswordRequired = "PasswordRequiredException";
        internal const string NotFound = "GetSecretNotFound";

        /// <summary>Writes tried in all: a vault that fails for a moment (throttled, busy) gets this many chances.</summary>
        internal const int WriteAttempts = 3;

        private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(250);
        private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(2);

        private SecretVault(string name, string? moduleName)
        {
            Name = name;
            ModuleName = moduleName;
            Extension = VaultExtension.For(moduleName);
        }

        public string Name { get; }

        /// <summary>The extension module behind the vault (Get-SecretVault's ModuleName), e.g. Az.KeyVault.</summary>
        public string? ModuleName { get; }

        /// <summary>What this vault's extension can take: names, metadata.</summary>
        public VaultExtension Extension { get; }

        /// <summary>"'KV' (Az.KeyVault)", for messages.</summary>
        public string Display => ModuleName is null ? $"'{Name}'" : $"'{Name}' ({ModuleName})";

        /// <summary>
        /// Checks that SecretManagement is there and the vault exists and is unlocked. With no name, SecretManagement's
        /// default vault is used, as Set-Secret would; <paramref name="whyDefault"/> says why, should there be none.
        /// </summary>
        /// <summary>
        /// How to make SecretManagement usable from the caller's session when it cannot be found there (a clean profile has none;
        /// a session with autoloading off has not imported it); null when it can.
        /// </summary>
        internal static string? SetupAdvice(PSCmdlet cmdlet)
        {
            if (cmdlet.InvokeCommand.GetCommand(Module + "\\Get-SecretVault", CommandTypes.Cmdlet | CommandTypes.Function) != null) return null;
            using PowerShell ps = PowerShell.Create(RunspaceMode.CurrentRunspace);
            // Said of a secret just issued, which lives only in this session: nothing that runs the command again, or ends it.
            return Unusable(ps) switch
            {
                SecretManagementState.NotImported => $"Import-Module {Module} ($PSModuleAutoLoadingPreference is 'None' here), then Save-JelouSigningSecret -Vault <vault> in this session.",
                SecretManagementState.FailsToLoad => $"{Module} is installed but does not load (Import-Module {Module} shows why): keep this session open until a vault can be used here.",
                _ => ErrorMapper.SecretManagementSetup,
            };
        }

        internal static SecretVault Open(string? name, string whyDefault)
        {
            if (name != null && WildcardPattern.ContainsWildcardCharacters(name))
            {
                throw new VaultException(ErrorMapper.VaultNotFound, $"'{name}' is a pattern; -Vault takes the name of one vault.", "Get-SecretVault lists the registered vaults.", transient: false);
            }
            PSObject info;
            if (name is null)
            {
                // Every vault, named so: a caller's default -Name for Get-SecretVault would otherwise hide the default vault.
                info = Invoke("Get-SecretVault", new Hashtable { ["Name"] = "*" }, failure => VaultException.NotFound("(default)", failure))
                    .FirstOrDefault(vault => LanguagePrimitives.IsTrue(vault?.Properties["IsDefault"]?.Value))
                    ?? throw new VaultException(ErrorMapper.VaultNotFound,
                        $"{whyDefault}, and SecretManagement has no default vault.",
                        "Name the vault with -Vault, or make one the default: Set-SecretVaultDefault -Name <vault>.");
                name = (string)info.Properties["Name"].Value;
            }
            else
            {
                info = Invoke("Get-SecretVault", new Hashtable { ["Name"] = name }, failure => VaultException.NotFound(name, failure)).FirstOrDefault()
                    ?? throw VaultException.NotFound(name, null);
            }
            var vault = new SecretVault(name, info.Properties["ModuleName"]?.Value as string);
            Collection<PSObject> test = Invoke("Test-SecretVault", new Hashtable { ["Name"] = name }, failure => vault.Unavailable(failure));
            if (!test.Any(result => result?.BaseObject is bool ok && ok))
            {
                throw vault.Unavailable(null, "Test-SecretVault reported a problem.");
            }
            return vault;
        }

        /// <summary>
        /// Throws <see cref="ArgumentException"/> naming the rule when this vault's extension cannot take <paramref name="secretName"/>
        /// (to write, or to read: a name the store reads as a pattern may find another secret).
        /// </summary>
        internal void CheckName(string secretName)
        {
            string? problem = Extension.Check(secretName);
            if (problem != null)
            {
                throw new ArgumentException(
                    $"-SecretName {Require.Show(secretName)} cannot name a signing secret in vault {Display}: {problem}. {Extension.RuleFor(secretName)} " +
                    "Choose another -SecretName (a secret kept under this name must be stored again under that one), or leave -SecretName out for the name JelouPS gives the project's secret.");
            }
        }

        /// <summary>The secrets whose metadata names <paramref name="projectId"/> (on <paramref name="source"/>, when it says).</summary>
        internal PSObject[] FindByProject(string projectId, Uri? source) =>
            List("*")
                .Where(info => SecretOwner.FromMetadata(info?.Properties["Metadata"]?.Value as IDictionary)?.Is(projectId, source) == true)
                .ToArray();

        /// <summary>The secret of exactly this name, as Get-SecretInfo describes it (name, type, metadata), or null.</summary>
        internal PSObject? Find(string secretName) =>
            List(WildcardPattern.Escape(secretName))
                .FirstOrDefault(info => string.Equals(info?.Properties["Name"]?.Value as string, secretName, StringComparison.OrdinalIgnoreCase));

        /// <summary>
        /// Reads a signing secret: stored as a SecureString (or a string, which Get-Secret returns as one), or as a
        /// PSCredential whose password is the secret (KeePass, LastPass, 1Password login items).
        /// </summary>
        /// <param name="credential">The vault holds a PSCredential: a command that stores it again must keep its user name.</param>
        /// <param name="given">The name is -SecretName, not the project's default: what to check is said so.</param>
        internal SecureString Read(string secretName, out bool credential, bool given) =>
            ReadOrNull(secretName, CancellationToken.None, out credential) ?? throw Missing(secretName, given);

        /// <summary>
        /// The error for a secret name (<paramref name="given"/> as -SecretName, or a project's default) the vault has no secret
        /// of; where the vault refuses to list its secrets, nothing says to list them.
        /// </summary>
        internal VaultException Missing(string secretName, bool given)
        {
            string twin = SpacedTwin(secretName, out bool listed);
            return new VaultException(ErrorMapper.VaultReadFailed, $"Vault {Display} has no secret named {Require.Show(secretName)}.{twin}",
                (given ? "Check -SecretName" : "Give -SecretName, the name of the project's signing secret in the vault") +
                (listed ? $" (Get-SecretInfo -Vault {SecretIssuer.Quote(Name)} lists the names)" : ": it must be the exact name, since this vault does not list its secrets to you") +
                ", or store the secret first with Save-JelouSigningSecret.", transient: false);
        }

        // A secret stored by hand under the name with spaces (or characters that show as nothing) around it, which -SecretName
        // (trimmed, as a CSV cell is) cannot name: said, with how to rename it. Nothing, and not listed, when the vault cannot
        // list its secrets.
        private string SpacedTwin(string secretName, out bool listed)
        {
            listed = true;
            try
            {
                string? twin = List("*" + WildcardPattern.Escape(secretName) + "*")
                    .Select(info => info?.Properties["Name"]?.Value as string)
                    .FirstOrDefault(name => name != null && name != secretName && TrimmedAttribute.Trim(name) == secretName);
                return twin is null ? "" :
                    $" It has {SecretIssuer.Quote(twin)}, with spaces or characters that do not show around the name: -SecretName is trimmed of them, as a CSV cell is, so store that secret under {SecretIssuer.Quote(secretName)} " +
                    $"(Set-Secret -Vault {SecretIssuer.Quote(Name)} -Name {SecretIssuer.Quote(secretName)} -Secret (Get-Secret -Vault {SecretIssuer.Quote(Name)} -Name {SecretIssuer.Quote(twin)})" +
                    (Extension.KeepsMetadata ? $" -Metadata (Get-SecretInfo -Vault {SecretIssuer.Quote(Name)} -Name {SecretIssuer.Quote(twin)}).Metadata" : "") +
                    // Renamed, not copied (two copies of the project's secret, neither saying which is newer, are refused); and the
                    // old one removed only once the new one is there, whatever failed before.
                    $"; if (Get-SecretInfo -Vault {SecretIssuer.Quote(Name)} -Name {SecretIssuer.Quote(secretName)}) {{ Remove-Secret -Vault {SecretIssuer.Quote(Name)} -Name {SecretIssuer.Quote(twin)} }}).";
            }
            catch (VaultException)
            {
                listed = false;
                return "";
            }
        }

        /// <summary>As <see cref="Read"/>, but null when the vault has no secret of that name.</summary>
        internal SecureString? ReadIfAny(string secretName, out bool credential) => ReadOrNull(secretName, CancellationToken.None, out credential);

        private SecureString? ReadOrNull(string secretName, CancellationToken stop, out bool credential)
        {
            credential = false;
            Collection<PSObject> found;
            try
            {
                // AsPlainText given: a caller's default of $true would put the secret in a string.
                found = Invoke(stop, "Get-Secret", new Hashtable { ["Name"] = secretName, ["Vault"] = Name, ["AsPlainText"] = false },
                    failure => new VaultException(ErrorMapper.VaultReadFailed, $"Could not read '{secretName}' from vault {Display}: {failure}", vaultError: failure));
            }
            catch (VaultException ex) when (ex.VaultErrorId == NotFound)
            {
                return null;
            }
            foreach (PSObject item in found)
            {
                switch (item?.BaseObject)
                {
                    case SecureString secret: return secret;
                    case PSCredential login:
                        credential = true;
                        return login.Password;
                    case string text: return SecureStrings.FromString(text);
                    case null: continue;
                    case object other:
                        throw new VaultException(ErrorMapper.VaultReadFailed,
                            $"'{secretName}' in vault {Display} is a {Describe(other)}; a signing secret is read from a SecureString, a string or a PSCredential (its password).",
                            "Store the signing secret on its own: Save-JelouSigningSecret, or Set-Secret -Name <name> -SecureStringSecret <secret>.", transient: false);
                }
            }
            return null;
        }

        /// <summary>
        /// Stores <paramref name="secret"/> and reads it back. A vault that keeps no metadata gets the secret without it,
        /// and the returned text says so (for a warning). A failing write is tried <see cref="WriteAttempts"/> times with
        /// backoff (or <paramref name="attempts"/>), each retry told to <paramref name="verbose"/>. Throws
        /// <see cref="VaultException"/> when the secret is not confirmed stored.
        /// </summary>
        internal string? Store(string secretName, SecureString secret, Hashtable metadata, bool overwrite, Action<string> verbose, CancellationToken cancellation, int attempts = WriteAttempts)
        {
            string noMetadata = $"Vault {Display} keeps no metadata: signing secrets are stored there without their project id, integration id, webhook URL and times.";
            var parameters = new Hashtable
            {
                ["Name"] = secretName,
                ["SecureStringSecret"] = secret,
                ["Vault"] = Name,
            };
            // An extension known to keep none is not asked: SecretManagement would write the secret, fail the metadata,
            // and remove the secret again (with an overwrite, the one that was there before too). Null is given rather than
            // nothing, so that a caller's default -Metadata does not come in instead.
            parameters["Metadata"] = Extension.KeepsMetadata ? metadata : null;
            // Given either way: a caller's $PSDefaultParameterValues['Set-Secret:NoClobber'] would make every overwrite fail.
            parameters["NoClobber"] = !overwrite;
            string? warning = Extension.KeepsMetadata ? null : noMetadata;
            // An extension's error may quote the value it refused (a validation message), and SecretManagement nests it
            // as it is: what reaches the caller has the secret hidden, at every depth. Made only when a write fails.
            SecretRedaction? redaction = null;
            VaultException? Hidden(VaultException? failure) => failure?.Redacted(redaction ??= new SecretRedaction(new[] { secret }));
            try
            {
                for (int attempt = 1; ; attempt++)
                {
                    VaultException? failure = Hidden(TryWrite("Set-Secret", parameters, cancellation));
                    if (failure?.VaultErrorId == MetadataNotSupported)
                    {
                        // SecretManagement removed the secret again, "since it did not fully write": store it without metadata.
                        parameters["Metadata"] = null;
                        warning = noMetadata;
                        failure = Hidden(TryWrite("Set-Secret", parameters, cancellation));
                    }
                    // The vault decides, whatever the write said: one that reported an error may have stored the secret
                    // (then NoClobber refuses the next try), one that reported none may not have.
                    VaultException? unconfirmed = Hidden(Confirm(secretName, secret, reportedSuccess: failure is null, cancellation));
                    if (unconfirmed is null) return warning;
                    failure ??= unconfirmed;
                    if (!failure.IsTransient || attempt >= attempts || cancellation.IsCancellationRequested) throw failure.After(attempt);
                    TimeSpan wait = Backoff.Delay(attempt, FirstRetryDelay, MaxRetryDelay);
                    verbose($"Vault {Display} did not take '{secretName}' (attempt {attempt} of {attempts}): {failure.Message.TrimEnd('.')}. Trying again in {Durations.Seconds(wait)} s.");
                    if (cancellation.WaitHandle.WaitOne(wait)) throw failure.After(attempt);
                }
            }
            finally
            {
                redaction?.Dispose();
            }
        }

        /// <summary>Removes a secret. Throws <see cref="VaultException"/> when the vault did not remove it.</summary>
        internal void Remove(string secretName)
        {
            VaultException? failure = TryWrite("Remove-Secret", new Hashtable { ["Name"] = secretName, ["Vault"] = Name }, CancellationToken.None);
            if (failure != null) throw failure;
        }

        private VaultException? TryWrite(string command, Hashtable parameters, CancellationToken stop)
        {
            try
            {
                Invoke(stop, command, parameters, failure => new VaultException(ErrorMapper.VaultWriteFailed, $"{command} failed: {failure}", vaultError: failure), changesState: true);
                return null;
            }
            catch (VaultException ex) when (ex.ErrorId == ErrorMapper.VaultWriteFailed)
            {
                return ex;
            }
        }

        /// <summary>Null when the vault holds this very secret under the name; else why the write is not confirmed.</summary>
        private VaultException? Confirm(string secretName, SecureString expected, bool reportedSuccess, CancellationToken stop)
        {
            string said = reportedSuccess ? "Set-Secret reported success, but " : "";
            SecureString? stored;
            try
            {
                stored = ReadOrNull(secretName, stop, out _);
            }
            catch (VaultException ex)
            {
                // It may well be stored (a vault identity allowed to write but not to read): say so, and keep the secret.
                return new VaultException(ErrorMapper.VaultWriteFailed,
                    $"{said}reading '{secretName}' back from vault {Display} to confirm it failed, so it may or may not be stored: {ex.Message}",
                    vaultError: ex.VaultError, transient: ex.IsTransient);
            }
            if (stored != null && SecureStrings.Equal(stored, expected)) return null;
            return new VaultException(ErrorMapper.VaultWriteFailed,
                $"{said}vault {Display} does not hold the new secret under '{secretName}'" + (stored is null ? "." : " (it holds another one)."), transient: true);
        }

        private VaultException Unavailable(ErrorRecord? vaultError, string? failure = null) =>
            new VaultException(ErrorMapper.VaultUnavailable, $"Vault {Display} cannot be used now: {failure ?? vaultError?.ToString()}",
                $"Test-SecretVault -Name {SecretIssuer.Quote(Name)} shows the problem; unlock the vault (Unlock-SecretVault -Name {SecretIssuer.Quote(Name)}) or sign in to its service, then try again.", vaultError, transient: false);

        /// <summary>Whether a listing of this vault succeeded since the command opened it.</summary>
        internal bool HasListed { get; private set; }

        // Get-SecretInfo of the names matching a pattern.
        private Collection<PSObject> List(string pattern)
        {
            Collection<PSObject> found = Invoke("Get-SecretInfo", new Hashtable { ["Name"] = pattern, ["Vault"] = Name }, CannotList);
            HasListed = true;
            return found;
        }

        // Get-SecretInfo failed once Test-SecretVault passed: most often an identity that may read a secret by name but not
        // list them (Azure Key Vault's Get and not List permission; its extension answers Forbidden), which that test does not
        // show. The extension's own reason is said: SecretManagement's message names none.
        private VaultException CannotList(ErrorRecord vaultError)
        {
            bool locked = vaultError.FullyQualifiedErrorId.IndexOf(PasswordRequired, StringComparison.Ordinal) >= 0;
            Exception innermost = vaultError.Exception;
            for (Exception? inner = innermost; inner != null; inner = inner.InnerException)
            {
                locked |= inner.GetType().Name == PasswordRequired;
                innermost = inner;
            }
            // Locked since it was opened (a SecretStore's password timeout): unlocking is the way.
            if (locked) return Unavailable(vaultError);
            string reason = vaultError.ToString();
            if (innermost != vaultError.Exception && reason.IndexOf(innermost.Message, StringComparison.Ordinal) < 0) reason += $" ({innermost.Message})";
            return new VaultException(ErrorMapper.VaultUnavailable, $"Vault {Display} could not list its secrets: {reason}",
                "Finding where a project's signing secret is (to create, rotate, save or remove it with -Vault) lists the vault: let the identity list its secrets " +
                "(Azure Key Vault: the List permission), then try again. A reply or a receiver reads a secret by name without listing.", vaultError, transient: false);
        }

        private static string Describe(object value) => value is Hashtable ? "Hashtable" : value is byte[] ? "byte array" : value.GetType().Name;

        /// <summary>
        /// Runs one SecretManagement command with its own preferences; any error it writes or throws becomes the exception
        /// <paramref name="fail"/> makes (the vault's own ErrorRecord kept inside it).
        /// </summary>
        private static Collection<PSObject> Invoke(string command, Hashtable parameters, Func<ErrorRecord, VaultException> fail, bool changesState = false) =>
            Invoke(CancellationToken.None, command, parameters, fail, changesState);

        /// <summary>
        /// <see cref="Invoke(string, Hashtable, Func{ErrorRecord, VaultException}, bool)"/>, stopped a few seconds (the same
        /// grace a create in flight gets) after <paramref name="stop"/>: a write that began when the user pressed Ctrl+C may
        /// still store the secret, but a slow vault does not hold the stop.
        /// </summary>
        private static Collection<PSObject> Invoke(CancellationToken stop, string command, Hashtable parameters, Func<ErrorRecord, VaultException> fail, bool changesState = false)
        {
            using PowerShell ps = PowerShell.Create(RunspaceMode.CurrentRunspace);
            using var grace = new CancellationTokenSource();
            using CancellationTokenRegistration stopping = stop.Register(() => grace.CancelAfter(Http.JelouTransport.DefaultStopGrace));
            using CancellationTokenRegistration abort = grace.Token.Register(() => ps.BeginStop(null, null));
            var arguments = new Hashtable(parameters)
            {
                ["ErrorAction"] = ActionPreference.Continue,
                ["WarningAction"] = ActionPreference.SilentlyContinue,
                ["InformationAction"] = ActionPreference.SilentlyContinue,
                ["Verbose"] = false,
                ["Debug"] = false,
            };
            if (changesState)
            {
                arguments["WhatIf"] = false;
                arguments["Confirm"] = false;
            }
            AddCommand(ps, command, arguments);
            Collection<PSObject> results;
            try
            {
                results = ps.Invoke();
            }
            catch (RuntimeException ex)
            {
                Forget(ps, ex.ErrorRecord.Exception);
                throw fail(ex.ErrorRecord);
            }
            if (ps.Streams.Error.Count > 0)
            {
                ErrorRecord first = ps.Streams.Error[0];
                // PowerShell's own record of the failed lookup (CommandNotFoundException) would sit in $Error beside ours.
                Forget(ps, ps.Streams.Error.Select(error => error.Exception).ToArray());
                if (first.Exception is CommandNotFoundException missing && missing.CommandName == Module + "\\" + command)
                {
                    throw Unusable(ps) switch
                    {
                        SecretManagementState.NotImported => new VaultException(ErrorMapper.SecretManagementMissing,
                            $"The {Module} module is installed but not imported, and $PSModuleAutoLoadingPreference is 'None' in this session, so PowerShell does not import it when its commands are used.",
                            $"Import-Module {Module}, then run the command again.", first, transient: false),
                        // PowerShell's record says why it did not load.
                        SecretManagementState.FailsToLoad => new VaultException(ErrorMapper.SecretManagementMissing,
                            $"The {Module} module is installed but could not be imported, so no vault can be used (PowerShell's error is the inner one).",
                            $"Import-Module {Module} shows why; if its files are damaged, Install-PSResource {Module} -Reinstall, then start a new session.", first, transient: false),
                        _ => new VaultException(ErrorMapper.SecretManagementMissing, $"The {Module} module is not installed, so no vault can be used.", ErrorMapper.SecretManagementSetup),
                    };
                }
                throw fail(first);
            }
            return results;
        }

        /// <summary>
        /// Adds one SecretManagement command to <paramref name="ps"/> (in the caller's runspace), run in a scope of its own where
        /// the caller's $PSDefaultParameterValues is empty and errors do not end it. The module sets every common parameter it
        /// cares about; a caller's default for another ('*:ErrorVariable', '*:OutVariable') would have collected the vault's own
        /// records (a secret its extension quoted among them) and the values it read, and replaced the variable the module's
        /// own error went to. A command that is not found is reported in the error stream, as any other error.
        /// </summary>
        internal static void AddCommand(PowerShell ps, string command, IDictionary parameters) =>
            ps.AddScript(CommandScript, useLocalScope: true).AddArgument(Module + "\\" + command).AddArgument(parameters);

        private const string CommandScript = "param($command, $parameters) $PSDefaultParameterValues = @{}; $ErrorActionPreference = 'Continue'; & $command @parameters";

        private enum SecretManagementState { NotInstalled, NotImported, FailsToLoad }

        // Why SecretManagement's commands are not found: not installed; installed, but autoloading is off; installed, and it
        // does not load (a damaged copy, a file it needs that another module holds).
        private static SecretManagementState Unusable(PowerShell ps)
        {
            ps.Commands.Clear();
            ps.AddScript(AvailabilityScript, useLocalScope: true).AddArgument(Module);
            Collection<PSObject> found = ps.Invoke();
            if (found.Count != 2 || !(found[0]?.BaseObject is true)) return SecretManagementState.NotInstalled;
            return found[1]?.BaseObject is true ? SecretManagementState.NotImported : SecretManagementState.FailsToLoad;
        }

        private const string AvailabilityScript = "param($module) $PSDefaultParameterValues = @{}; " +
            "[bool](Microsoft.PowerShell.Core\\Get-Module -ListAvailable -Name $module -ErrorAction Ignore); $PSModuleAutoLoadingPreference -eq 'None'";

        /// <summary>
        /// Takes the vault's own errors back out of $Error: the caller sees them inside ours, or not at all when a retry
        /// or a fallback worked, so a script that checks $Error after a success finds nothing.
        /// </summary>
        private static void Forget(PowerShell ps, params Exception[] errors)
        {
            // A script in the caller's runspace: session state cannot be reached from C# while the caller's pipeline runs.
            ps.Commands.Clear();
            ps.AddScript(ForgetScript, useLocalScope: true).AddArgument(errors);
            ps.Invoke();
        }

        private const string ForgetScript =
            "param($exceptions) for ($i = $global:Error.Count - 1; $i -ge 0; $i--) { " +
            "$entry = $global:Error[$i]; if ($entry -is [System.Management.Automation.ErrorRecord]) { $entry = $entry.Exception }; " +
            "foreach ($e in $exceptions) { if ([object]::ReferenceEquals($entry, $e)) { $global:Error.RemoveAt($i); break } } }";
    }

    /// <summary>A vault call failed; carries the ErrorId it is reported with and the vault's own ErrorRecord (as the inner exception's).</summary>
    internal sealed class VaultException : Exception
    {
        internal VaultException(string errorId, string message, string? advice = null, ErrorRecord? vaultError = null, bool? transient = null, bool endsCommand = false)
            : base(message, vaultError is null ? null : new RuntimeException(vaultError.ToString(), vaultError.Exception, vaultError))
        {
            ErrorId = errorId;
            Advice = advice;
            VaultError = vaultError;
            IsTransient = transient ?? (vaultError != null && !IsPermanent(vaultError));
            EndsCommand = endsCommand;
        }

        public string ErrorId { get; }

        /// <summary>What to do about it, for RecommendedAction.</summary>
        public string? Advice { get; }

        /// <summary>The error SecretManagement (or the extension) wrote.</summary>
        public ErrorRecord? VaultError { get; }

        /// <summary>The vault's own ErrorId (before the comma of its FullyQualifiedErrorId).</summary>
        public string? VaultErrorId => VaultError?.FullyQualifiedErrorId.Split(',')[0];

        /// <summary>Whether trying again may help: not for a locked vault, an existing name, a missing feature or a refusal.</summary>
        public bool IsTransient { get; }

        /// <summary>The vault cannot be used by the command at all, as when it cannot be opened: every input would fail alike.</summary>
        public bool EndsCommand { get; }

        /// <summary>
        /// The vault could not be read now (locked, its service failing, listing refused), as against holding no such secret
        /// or one of another shape: whether it holds one is unknown.
        /// </summary>
        public bool CannotReadNow => ErrorId == ErrorMapper.VaultUnavailable || (ErrorId == ErrorMapper.VaultReadFailed && VaultError != null);

        internal static VaultException NotFound(string name, ErrorRecord? vaultError) =>
            new VaultException(ErrorMapper.VaultNotFound, $"There is no SecretManagement vault named '{name}'.",
                "Get-SecretVault lists the registered vaults; register one with Register-SecretVault.", vaultError, transient: false);

        /// <summary>This failure, saying how many writes were tried.</summary>
        internal VaultException After(int attempts) => attempts == 1 ? this : WithMessage(Message.TrimEnd('.') + $" (tried {attempts} times).");

        /// <summary>This failure, ending the command (see <see cref="EndsCommand"/>).</summary>
        internal VaultException EndingCommand() => new VaultException(ErrorId, Message, Advice, VaultError, IsTransient, endsCommand: true);

        /// <summary>This failure with another message (the item it is about named first), everything else kept.</summary>
        internal VaultException WithMessage(string message) => new VaultException(ErrorId, message, Advice, VaultError, IsTransient, EndsCommand);

        /// <summary>
        /// This failure with <paramref name="redaction"/>'s secrets hidden in its message and in the vault's error: the record
        /// is rebuilt (same ErrorId, category and details) over a copy of its exceptions that keeps each one's type name and
        /// hidden message, since their own messages cannot be changed. The vault's TargetObject is kept unless it is text.
        /// </summary>
        internal VaultException Redacted(SecretRedaction redaction)
        {
            if (VaultError is null) return new VaultException(ErrorId, redaction.Apply(Message)!, Advice, null, IsTransient, EndsCommand);
            var record = new ErrorRecord(RedactedException.Of(VaultError.Exception, redaction), VaultError.FullyQualifiedErrorId, VaultError.CategoryInfo.Category,
                VaultError.TargetObject is string text ? redaction.Apply(text) : VaultError.TargetObject);
            if (VaultError.ErrorDetails?.Message is string details) record.ErrorDetails = new ErrorDetails(redaction.Apply(details));
            return new VaultException(ErrorId, redaction.Apply(Message)!, Advice, record, IsTransient, EndsCommand);
        }

        private static bool IsPermanent(ErrorRecord error)
        {
            string id = error.FullyQualifiedErrorId;
            ErrorCategory category = error.CategoryInfo.Category;
            return id.StartsWith(SecretVault.AlreadyExists, StringComparison.Ordinal) || id.IndexOf(SecretVault.PasswordRequired, StringComparison.Ordinal) >= 0
                || category == ErrorCategory.NotImplemented || category == ErrorCategory.ObjectNotFound || category == ErrorCategory.ResourceExists
                || category == ErrorCategory.PermissionDenied || category == ErrorCategory.InvalidArgument;
        }
    }

    /// <summary>
    /// A vault's exception with the secrets it quoted hidden: its type's name (<see cref="OriginalType"/>), its message
    /// redacted, and its inner exceptions copied the same way. Its stack trace is not kept.
    /// </summary>
    public sealed class RedactedException : Exception
    {
        private RedactedException(string originalType, string message, Exception? inner) : base(message, inner) => OriginalType = originalType;

        /// <summary>The full name of the exception's type, as the vault threw it.</summary>
        public string OriginalType { get; }

        internal static RedactedException Of(Exception exception, SecretRedaction redaction) =>
            new RedactedException(exception.GetType().FullName!, redaction.Apply(exception.Message)!,
                exception.InnerException is null ? null : Of(exception.InnerException, redaction));
    }
}
