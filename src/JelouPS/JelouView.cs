using System;
using System.Globalization;
using System.Management.Automation;

namespace JelouPS
{
    /// <summary>
    /// What the module's views (JelouPS.Format.ps1xml) show of a value: public because format files call it by type name.
    /// Each reads the property by name, so a property the object lacks shows nothing under any strict mode.
    /// </summary>
    public static class JelouView
    {
        /// <summary>
        /// The date in <paramref name="property"/> as every view shows dates: UTC in ISO 8601, "2026-01-02 08:04:05Z". Read
        /// from a DateTimeOffset or a DateTime, and from a DateTimeOffset that came back from Import-Clixml or remoting (a
        /// property bag, whose UtcDateTime is a DateTime) or from a job (serialised at depth 1: its text, which PowerShell
        /// writes in the invariant culture); any other value is shown as its text, made printable. Null when absent.
        /// </summary>
        public static string? Date(object? item, string property)
        {
            object? value = Value(item, property);
            if (value is PSObject bag && bag.Properties["UtcDateTime"]?.Value is object utc) value = Unwrap(utc);
            switch (value)
            {
                case null:
                    return null;
                case DateTimeOffset date:
                    return Iso(date.UtcDateTime);
                case DateTime date:
                    return Iso(date.Kind == DateTimeKind.Local ? date.ToUniversalTime() : date);
                case string text when DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset parsed):
                    return Iso(parsed.UtcDateTime);
                default:
                    return Text(value.ToString());
            }
        }

        /// <summary>
        /// The URL in <paramref name="property"/> without its query or user information, where keys travel (Azure Functions'
        /// ?code=): "…" in their place, so that a view, and a transcript of it, shows no key. The object keeps the whole URL.
        /// Null when absent.
        /// </summary>
        public static string? Url(object? item, string property) => Value(item, property) is object value ? Text(JelouUris.WithoutCredentials(value.ToString())) : null;

        /// <summary>The text in <paramref name="property"/>, made printable as <see cref="Text(string)"/> does. Null when absent.</summary>
        public static string? Text(object? item, string property) => Value(item, property) is object value ? Text(value.ToString()) : null;

        /// <summary>
        /// Text from outside (an end user's message, a name, an id) as the views show it: each control character but the line
        /// break and the tab, and each bidirectional override or isolate, is written as PowerShell writes it in a
        /// double-quoted string (`e, `r, `u{009B}, `u{202E}; a backtick, then, as ``), so that no escape sequence in what an
        /// end user sent reaches the terminal (to clear lines, move the cursor or retitle the window), a carriage return cannot
        /// hide what came before it, and nothing shows in another order than it is; a \r\n line end is shown as a line break.
        /// The objects keep the text as it arrived.
        /// </summary>
        public static string? Text(string? text) => Require.Printable(text)?.Replace("\r\n", "\n");

        /// <summary>
        /// <paramref name="item"/> as a command writes it: when the URL in its <paramref name="property"/> carries a query or user
        /// information (a key), with a default display property set that leaves that property out. An object shown after
        /// another type's output (Get-Date, then an integration) gets PowerShell's own list of every property, not a view of
        /// ours, which would show the URL without its key; with the set, that list leaves the URL out. The object keeps it.
        /// </summary>
        internal static object Shown(object item, string? url, string property)
        {
            if (url is null || JelouUris.WithoutCredentials(url) == url) return item;
            PSObject shown = PSObject.AsPSObject(item);
            if (shown.Members[StandardMembers] is PSMemberSet) return shown;
            var names = new System.Collections.Generic.List<string>();
            foreach (PSPropertyInfo each in shown.Properties) if (each.Name != property) names.Add(each.Name);
            shown.Members.Add(new PSMemberSet(StandardMembers, new PSMemberInfo[] { new PSPropertySet("DefaultDisplayPropertySet", names) }));
            return shown;
        }

        private const string StandardMembers = "PSStandardMembers";

        private static object? Value(object? item, string property) =>
            item is null ? null : Unwrap(PSObject.AsPSObject(item).Properties[property]?.Value);

        private static object? Unwrap(object? value) => value is PSObject wrapped && !(wrapped.BaseObject is PSCustomObject) ? wrapped.BaseObject : value;

        private static string Iso(DateTime utc) => utc.ToString("u", CultureInfo.InvariantCulture);
    }
}
