using System;
using System.Diagnostics;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using JelouPS.Emulator;
using Xunit;

namespace JelouPS.Tests.EmulatorContract;

/// <summary>The emulator as the PowerShell demo and Pester start it: a child process.</summary>
public sealed class EmulatorCommandLineTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task It_announces_its_address_honours_its_options_and_exits_when_stdin_closes()
    {
        using Process process = Start("--urls", "http://127.0.0.1:0", "--api-key", "cli-key", "--shape", "flat", "--exit-on-stdin-close");
        try
        {
            string? first = await process.StandardOutput.ReadLineAsync().WaitAsync(Patience);
            Match match = Regex.Match(first ?? string.Empty, @"^Jelou emulator listening on (http://127\.0\.0\.1:\d+/)$");
            Assert.True(match.Success, first);

            using var http = new HttpClient { BaseAddress = new Uri(match.Groups[1].Value) };
            using var create = new HttpRequestMessage(HttpMethod.Post, "jelouapi/v1/external-support/cli")
            {
                Content = new StringContent("""{"webhookUrl":"https://crm.example.com/h"}""", System.Text.Encoding.UTF8, "application/json"),
            };
            create.Headers.Add("x-api-key", "cli-key");
            using HttpResponseMessage created = await http.SendAsync(create);
            using var oldKey = new HttpRequestMessage(HttpMethod.Get, "jelouapi/v1/external-support/cli");
            oldKey.Headers.Add("x-api-key", EmulatorOptions.DefaultApiKey);
            using HttpResponseMessage refused = await http.SendAsync(oldKey);

            Assert.Equal(HttpStatusCode.OK, created.StatusCode);
            Assert.Contains("\"signingSecret\"", await created.Content.ReadAsStringAsync());
            Assert.DoesNotContain("\"data\"", await created.Content.ReadAsStringAsync());
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);

            process.StandardInput.Close();
            await process.WaitForExitAsync().WaitAsync(Patience);
            Assert.Equal(0, process.ExitCode);
        }
        finally
        {
            Kill(process);
        }
    }

    [Theory]
    [InlineData("--urls", "http://0.0.0.0:0")]
    [InlineData("--shape", "xml")]
    [InlineData("--client-id", "only-the-id")]
    [InlineData("--bogus", "x")]
    public async Task Bad_arguments_exit_with_2_and_say_why_on_stderr(string name, string value)
    {
        using Process process = Start(name, value);
        try
        {
            string stderr = await process.StandardError.ReadToEndAsync().WaitAsync(Patience);
            await process.WaitForExitAsync().WaitAsync(Patience);

            Assert.Equal(2, process.ExitCode);
            Assert.StartsWith("error: ", stderr);
            Assert.Equal(string.Empty, await process.StandardOutput.ReadToEndAsync());
        }
        finally
        {
            Kill(process);
        }
    }

    private static Process Start(params string[] args)
    {
        // The emulator's dll sits beside the test assembly (project reference), with its runtimeconfig.
        string dll = Path.Combine(AppContext.BaseDirectory, "JelouPS.Emulator.dll");
        var info = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(dll);
        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        return Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start");
    }

    private static void Kill(Process process)
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
        }
    }
}
