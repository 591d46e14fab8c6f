using System.Globalization;
using System.Management.Automation.Language;
using JelouPS.Infrastructure;
using Xunit;

namespace JelouPS.Tests
{
    /// <summary>
    /// The names and values that advice writes into commands (Set-Secret -Name ..., -Vault ...) are pasted and run: each must
    /// parse back to exactly the value, whatever it holds, and show every character (a raw tab pasted into a console completes
    /// a name; a zero-width or direction character hides what is run).
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
        [InlineData("\u202Eevil")]
        [InlineData("--%")]
        public void A_value_written_into_a_command_parses_back_to_itself_and_shows_every_character(string value)
        {
            string literal = SecretIssuer.Quote(value);

            Assert.DoesNotContain(literal, c => char.IsControl(c) || CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.Format);

            ScriptBlockAst parsed = Parser.ParseInput(literal, out _, out ParseError[] errors);

            Assert.Empty(errors);
            var statement = (PipelineAst)Assert.Single(parsed.EndBlock.Statements);
            ExpressionAst expression = Assert.IsAssignableFrom<CommandExpressionAst>(Assert.Single(statement.PipelineElements)).Expression;
            if (expression is ParenExpressionAst paren) expression = ((CommandExpressionAst)((PipelineAst)paren.Pipeline).PipelineElements[0]).Expression;
            string parsedValue = expression switch
            {
                StringConstantExpressionAst constant => constant.Value,
                ExpandableStringExpressionAst expandable when expandable.NestedExpressions.Count == 0 => expandable.Value,
                _ => "<not a constant: " + expression.GetType().Name + ">",
            };
            Assert.Equal(value, parsedValue);
        }
    }
}
