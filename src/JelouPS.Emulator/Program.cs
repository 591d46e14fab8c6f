using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace JelouPS.Emulator;

/// <summary>
/// <c>dotnet JelouPS.Emulator.dll [options]</c>: the emulator as a child process. The first stdout line
/// is the listening address (callers parse it); everything else the process says goes to stderr, so
/// a parent that stops reading stdout after that line can never block it.
/// </summary>
internal static class Program
{
    private const string Usage = """
        Usage: dotnet JelouPS.Emulator.dll [options]
          --urls URL              listen address, loopback only (default http://127.0.0.1:0 = a free port)
          --api-key KEY           accepted x-api-key; repeatable; replaces the default 'emulator-api-key'
          --client-id ID          accepted Basic client id (with --client-secret); replaces the default
          --client-secret SECRET  its secret (default pair: emulator-client / emulator-client-secret)
          --shape envelope|flat   success response shape (default envelope)
          --exit-on-stdin-close   stop when standard input reaches end of file
          --help                  show this text
        """;

    public static async Task<int> Main(string[] args)
    {
        CommandLine command;
        try
        {
            command = CommandLine.Parse(args);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            Console.Error.WriteLine(Usage);
            return 2;
        }

        if (command.ShowHelp)
        {
            Console.Out.WriteLine(Usage);
            return 0;
        }

        var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnSignal(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.TrySetResult();
        }

        using PosixSignalRegistration sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using PosixSignalRegistration sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        using PosixSignalRegistration sigquit = PosixSignalRegistration.Create(PosixSignal.SIGQUIT, OnSignal);

        JelouEmulator emulator;
        try
        {
            emulator = await JelouEmulator.StartAsync(command.Options, ConfigureLogging, CancellationToken.None);
        }
        catch (Exception e) when (e is ArgumentException or IOException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }

        await using (emulator)
        {
            Console.Out.WriteLine($"Jelou emulator listening on {emulator.BaseAddress}");
            Console.Out.Flush();
            if (command.ExitOnStdinClose)
            {
                WatchStdin(stop);
            }

            await stop.Task;
            await emulator.StopAsync();
        }

        return 0;
    }

    private static void ConfigureLogging(ILoggingBuilder logging)
    {
        logging.SetMinimumLevel(LogLevel.Warning);
        logging.AddSimpleConsole(o => o.SingleLine = true);
        logging.Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
    }

    /// <summary>So the emulator never outlives the test process that started it with a pipe on stdin.</summary>
    private static void WatchStdin(TaskCompletionSource stop)
    {
        var watcher = new Thread(() =>
        {
            try
            {
                using Stream stdin = Console.OpenStandardInput();
                byte[] buffer = new byte[256];
                while (stdin.Read(buffer, 0, buffer.Length) > 0)
                {
                    // Input is ignored; only its end matters.
                }
            }
            catch (IOException)
            {
                // A broken pipe is an end too.
            }

            stop.TrySetResult();
        })
        {
            IsBackground = true,
            Name = "stdin watcher",
        };
        watcher.Start();
    }

    private sealed class CommandLine
    {
        public EmulatorOptions Options { get; } = new();
        public bool ExitOnStdinClose { get; private set; }
        public bool ShowHelp { get; private set; }

        public static CommandLine Parse(string[] args)
        {
            var result = new CommandLine();
            var apiKeys = new List<string>();
            string? clientId = null, clientSecret = null;
            for (int i = 0; i < args.Length; i++)
            {
                string arg = args[i];
                string? inline = null;
                int equals = arg.IndexOf('=', StringComparison.Ordinal);
                if (arg.StartsWith("--", StringComparison.Ordinal) && equals > 0)
                {
                    inline = arg[(equals + 1)..];
                    arg = arg[..equals];
                }

                string Value() => inline ?? (++i < args.Length ? args[i] : throw new ArgumentException($"{arg} needs a value."));

                switch (arg)
                {
                    case "--urls":
                        string url = Value();
                        if (url.Contains(';', StringComparison.Ordinal))
                        {
                            throw new ArgumentException("--urls takes a single URL.");
                        }

                        LoopbackEndpoint.Parse(url);
                        result.Options.Url = url;
                        break;
                    case "--api-key":
                        apiKeys.Add(Value());
                        break;
                    case "--client-id":
                        clientId = Value();
                        break;
                    case "--client-secret":
                        clientSecret = Value();
                        break;
                    case "--shape":
                        result.Options.Shape = Value().ToLowerInvariant() switch
                        {
                            "envelope" => ResponseShape.Envelope,
                            "flat" => ResponseShape.Flat,
                            _ => throw new ArgumentException("--shape must be envelope or flat."),
                        };
                        break;
                    case "--exit-on-stdin-close":
                        result.ExitOnStdinClose = true;
                        break;
                    case "--help" or "-h" or "-?":
                        result.ShowHelp = true;
                        break;
                    default:
                        throw new ArgumentException($"Unknown argument '{arg}'.");
                }
            }

            if (apiKeys.Count > 0)
            {
                result.Options.ApiKeys.Clear();
                apiKeys.ForEach(k => result.Options.ApiKeys.Add(k));
            }

            if ((clientId is null) != (clientSecret is null))
            {
                throw new ArgumentException("--client-id and --client-secret go together.");
            }

            if (clientId is not null)
            {
                result.Options.ClientCredentials.Clear();
                result.Options.ClientCredentials[clientId] = clientSecret!;
            }

            return result;
        }
    }
}
