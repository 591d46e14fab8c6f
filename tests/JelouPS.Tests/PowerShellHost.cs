using System;
using System.Collections;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Threading.Tasks;
using JelouPS.Commands;
using JelouPS.Emulator;
using Xunit;

namespace JelouPS.Tests
{
    /// <summary>One emulator for a test class.</summary>
    public sealed class EmulatorFixture : IAsyncLifetime
    {
        public JelouEmulator Emulator { get; private set; } = null!;

        public async Task InitializeAsync() => Emulator = await JelouEmulator.StartAsync(new EmulatorOptions());

        public async Task DisposeAsync() => await Emulator.DisposeAsync();
    }

    /// <summary>A test class with a runspace of its own per test, connected to the class's emulator unless it says not.</summary>
    public abstract class HostedTest : IClassFixture<EmulatorFixture>, IDisposable
    {
        protected HostedTest(EmulatorFixture fixture, bool connect = true)
        {
            Emulator = fixture.Emulator;
            Emulator.Shape = ResponseShape.Envelope;
            if (connect) Host.Connect(Emulator);
        }

        protected JelouEmulator Emulator { get; }

        protected PowerShellHost Host { get; } = new PowerShellHost();

        public virtual void Dispose() => Host.Dispose();
    }

    /// <summary>Everything one invocation wrote, on every stream.</summary>
    public sealed class Invocation
    {
        public Collection<PSObject> Output { get; init; } = new Collection<PSObject>();
        public ErrorRecord[] Errors { get; init; } = Array.Empty<ErrorRecord>();
        public string[] Verbose { get; init; } = Array.Empty<string>();
        public string[] Debug { get; init; } = Array.Empty<string>();
        public string[] Warnings { get; init; } = Array.Empty<string>();
        /// <summary>The error that ended the script (a terminating or statement-terminating error), if any.</summary>
        public ErrorRecord? Terminating { get; init; }

        public ErrorRecord SingleError() => Assert.Single(Errors);

        /// <summary>All text a user could see or log: streams, ToString of outputs and errors, error details.</summary>
        public string AllText() => string.Join("\n",
            Output.Select(o => o?.ToString() ?? "")
                .Concat(Output.SelectMany(o => o?.Properties.Select(p => SafeValue(p)) ?? Enumerable.Empty<string>()))
                .Concat(Errors.SelectMany(e => new[] { e.ToString(), e.Exception.ToString(), e.ErrorDetails?.Message ?? "", e.ErrorDetails?.RecommendedAction ?? "", e.TargetObject?.ToString() ?? "" }))
                .Concat(Verbose).Concat(Debug).Concat(Warnings)
                .Append(Terminating?.ToString() ?? ""));

        private static string SafeValue(PSPropertyInfo property)
        {
            try { return property.Name + "=" + property.Value; }
            catch (GetValueException) { return property.Name; }
        }
    }

    /// <summary>The built cmdlet assembly imported as a binary module into a real runspace, as a user imports it.</summary>
    public sealed class PowerShellHost : IDisposable
    {
        private readonly Runspace _runspace;

        public PowerShellHost()
        {
            InitialSessionState state = InitialSessionState.CreateDefault2();
            _runspace = RunspaceFactory.CreateRunspace(state);
            _runspace.Open();
            Invoke("Import-Module $args[0]", args: new object[] { typeof(ConnectJelouCommand).Assembly.Location }).ThrowIfFailed();
        }

        public Invocation Invoke(string script, IDictionary? variables = null, params object[] args)
        {
            // try/catch sees statement-terminating errors (ThrowTerminatingError, binding failures), which
            // a script otherwise reports like any other error; non-terminating ones pass it by.
            using PowerShell ps = Create("$global:JelouTestTerminating = $null\ntry {\n" + script + "\n} catch { $global:JelouTestTerminating = $_ }", variables, args);
            Collection<PSObject> output = ps.Invoke();
            var terminating = _runspace.SessionStateProxy.GetVariable("JelouTestTerminating") as ErrorRecord;
            return Collect(ps, output, terminating);
        }

        /// <summary>A PowerShell on this runspace, for tests that drive it themselves (BeginInvoke, Stop).</summary>
        public PowerShell Create(string script, IDictionary? variables = null, params object[] args)
        {
            PowerShell ps = PowerShell.Create();
            ps.Runspace = _runspace;
            if (variables != null)
            {
                foreach (DictionaryEntry variable in variables)
                {
                    _runspace.SessionStateProxy.SetVariable((string)variable.Key, variable.Value);
                }
            }
            ps.AddScript(script);
            foreach (object arg in args) ps.AddArgument(arg);
            return ps;
        }

        public static Invocation Collect(PowerShell ps, Collection<PSObject> output, ErrorRecord? terminating) => new Invocation
        {
            Output = output,
            Errors = ps.Streams.Error.ToArray(),
            Verbose = ps.Streams.Verbose.Select(v => v.Message).ToArray(),
            Debug = ps.Streams.Debug.Select(d => d.Message).ToArray(),
            Warnings = ps.Streams.Warning.Select(w => w.Message).ToArray(),
            Terminating = terminating,
        };

        /// <summary>Connects this runspace to the emulator with its default API key.</summary>
        public void Connect(JelouEmulator emulator, string extra = "") =>
            Invoke($"Connect-Jelou -ApiKey '{EmulatorOptions.DefaultApiKey}' -BaseUri $args[0] -ChatbotUri $args[1] {extra}", null, emulator.GatewayUri, emulator.ChatbotUri).ThrowIfFailed();

        public void Dispose() => _runspace.Dispose();
    }

    public static class InvocationExtensions
    {
        public static Invocation ThrowIfFailed(this Invocation invocation)
        {
            if (invocation.Terminating != null) throw new InvalidOperationException("Script failed: " + invocation.Terminating);
            if (invocation.Errors.Length > 0) throw new InvalidOperationException("Script wrote errors: " + string.Join("; ", invocation.Errors.Select(e => e.ToString())));
            return invocation;
        }
    }
}
