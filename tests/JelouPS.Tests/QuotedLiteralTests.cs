using System.Globalization;
using System.Management.Automation;
using JelouPS.Infrastructure;
using Xunit;

namespace JelouPS.Tests
{
    /// <summary>
    /// The names and values that advice writes into commands (Set-Secret -Name ..., -Vault ...) are pasted and run: each must
    /// evaluate to exactly the value, whatever it holds; show every character (a raw tab pasted into a console completes a
    /// name; a zero-width or direction character hides what is run); and use no escape Windows PowerShell 5.1 lacks.
    /// </summary>
    public sealed class QuotedLiteralTests
    {
        [Theory]
        [InlineData("TestVault")]
        [InlineData("crm signing ")]
        [InlineData("it's")]
        // PowerShell takes the curly single quotes for quotes in a single-quoted string, and the curly double ones in a double-quoted.
        [InlineData("it\u2019s \u2018q\u2019 \u201As\u201B")]
        [InlineData("\tsig")]
        [InlineData("sig\u200B")]
        [InlineData("a\u201Cb\u201D\u201E\t$x `y\"z")]
        [InlineData("\u202Eevil\u001B[2J")]
        [InlineData("tag\U000E0041")]
        [InlineData("--%")]
        public void A_value_written_into_a_command_evaluates_to_itself_shows_every_character_and_runs_on_5_1(string value)
        {
            string literal = SecretIssuer.Quote(value);

            // None of these has a character outside the BMP that shows (a tag character shows as nothing): no half is left.
            Assert.DoesNotContain(literal, c => char.IsControl(c) || char.IsSurrogate(c) || CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.Format);
            Assert.DoesNotContain("`u{", literal);
            Assert.DoesNotContain("`e", literal);
            using PowerShell shell = PowerShell.Create();
            Assert.Equal(value, Assert.Single(shell.AddScript(literal).Invoke()).BaseObject);
        }
    }
}
