using System;
using System.Linq;
using Xunit;

namespace JelouPS.Tests
{
    /// <summary>
    /// The request lines are built only when someone would see them, so each way PowerShell turns -Verbose and -Debug
    /// output on or off must still show exactly the lines PowerShell would show.
    /// </summary>
    public sealed class TraceListenerTests : HostedTest
    {
        public TraceListenerTests(EmulatorFixture fixture) : base(fixture) { }

        private string ProjectWithIntegration()
        {
            string projectId = "p-" + Guid.NewGuid().ToString("N").Substring(0, 12);
            Host.Invoke("New-JelouExternalSupport $args[0] https://crm.example.com/j", null, projectId).ThrowIfFailed();
            return projectId;
        }

        private static bool IsRequestLine(string line) => line.StartsWith("GET ", StringComparison.Ordinal);

        private static bool IsHeaderLine(string line) => line.StartsWith("Request headers: ", StringComparison.Ordinal);

        [Theory]
        [InlineData("Get-JelouExternalSupport $args[0]", false, false)]
        [InlineData("Get-JelouExternalSupport $args[0] -Verbose", true, false)]
        [InlineData("Get-JelouExternalSupport $args[0] -Debug", true, true)]
        [InlineData("Get-JelouExternalSupport $args[0] -Debug -Verbose:$false", false, true)]
        [InlineData("& { $VerbosePreference = 'Continue'; Get-JelouExternalSupport $args[0] } $args[0]", true, false)]
        [InlineData("& { $VerbosePreference = 'Continue'; Get-JelouExternalSupport $args[0] -Verbose:$false } $args[0]", false, false)]
        [InlineData("& { $DebugPreference = 'Continue'; Get-JelouExternalSupport $args[0] } $args[0]", false, true)]
        [InlineData("& { $VerbosePreference = 'Ignore'; $DebugPreference = 'SilentlyContinue'; Get-JelouExternalSupport $args[0] } $args[0]", false, false)]
        [InlineData("& { $PSDefaultParameterValues = @{ 'Get-JelouExternalSupport:Verbose' = $true }; Get-JelouExternalSupport $args[0] } $args[0]", true, false)]
        public void Request_lines_appear_exactly_where_PowerShell_shows_verbose_and_debug_output(string script, bool verbose, bool debug)
        {
            string projectId = ProjectWithIntegration();

            Invocation result = Host.Invoke(script, null, projectId);

            result.ThrowIfFailed();
            Assert.Equal(verbose, result.Verbose.Any(IsRequestLine));
            Assert.Equal(debug, result.Debug.Any(IsHeaderLine));
        }
    }
}
