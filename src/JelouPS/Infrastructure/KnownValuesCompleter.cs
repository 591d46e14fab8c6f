using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace JelouPS.Infrastructure
{
    /// <summary>
    /// Tab completion of the documented values for parameters that also bind from CSV columns. A ValidateSet
    /// would reject a blank cell at binding, without saying which row; these parameters are checked in code
    /// instead, per input, and a blank counts as not given.
    /// </summary>
    public sealed class KnownValuesCompleter : IArgumentCompleter
    {
        private static readonly Dictionary<string, string[]> Values = new Dictionary<string, string[]>(StringComparer.OrdinalIgnoreCase)
        {
            ["AuthType"] = WebhookAuthTypes.All,
            ["AssignmentType"] = StartConversationRequest.AssignmentTypes,
        };

        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            if (!Values.TryGetValue(parameterName, out string[]? values)) return Enumerable.Empty<CompletionResult>();
            string prefix = (wordToComplete ?? "").Trim('\'', '"');
            return values
                .Where(v => v.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
                .Select(v => new CompletionResult(v, v, CompletionResultType.ParameterValue, v));
        }
    }
}
