using System;
using System.Collections;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using System.Reflection;
using System.Security;

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
        /// The id in <paramref name="property"/> (a user's, a room's, a project's) made printable as <see cref="Text(string)"/>
        /// does, on one line, with its zero-width, direction and other invisible characters written out too (`u{200B}): two
        /// ids must not look alike ("u1" and "u1`u{200B}"), where a message keeps its joiners and marks. Null when absent.
        /// </summary>
        public static string? Id(object? item, string property) => Value(item, property) is object value ? Require.Printable(value.ToString(), TextLayout.Id) : null;

        /// <summary>
        /// The text in <paramref name="property"/>, made printable as <see cref="Text(string)"/> does, in lines of at most
        /// <paramref name="width"/> characters broken between words (<see cref="Wrap"/>): a list view breaks a long value at the
        /// terminal's width, mid-word. Null when absent.
        /// </summary>
        public static string? Words(object? item, string property, int width) => Wrap(Text(item, property), width);

        /// <summary>
        /// The text in <paramref name="property"/> as <see cref="Words(object, string, int)"/> gives it, for a table's last
        /// column, whose other columns take <paramref name="otherColumns"/> characters (their widths and the spaces between
        /// them): broken between words to fit the screen of <paramref name="host"/> ($Host), the width PowerShell lays a
        /// table out to on a terminal and in a redirected log, less one column, which a console reserves. A table would
        /// break it at the column's width, mid-word. A host that tells no width (a hosted runspace) gets the text whole, and
        /// Out-String -Width, which the view cannot see, gets lines for the host's width.
        /// </summary>
        public static string? Words(object? item, string property, System.Management.Automation.Host.PSHost? host, int otherColumns) =>
            Words(Text(item, property), host, otherColumns);

        /// <summary>
        /// <paramref name="text"/> (a view's own choice of what to show, such as a message event's text or its media type and
        /// caption) made printable and broken between words for a table's last column, as
        /// <see cref="Words(object, string, System.Management.Automation.Host.PSHost, int)"/> does.
        /// </summary>
        public static string? Words(string? text, System.Management.Automation.Host.PSHost? host, int otherColumns) =>
            Wrap(Text(text), ScreenWidth(host) is int width && width > otherColumns + 1 ? width - otherColumns - 1 : 0);

        private static int? ScreenWidth(System.Management.Automation.Host.PSHost? host)
        {
            try
            {
                return host?.UI?.RawUI?.BufferSize.Width;
            }
            // A host may implement no raw user interface at all (NotImplementedException, HostException).
            catch (Exception ex) when (!(ex is OutOfMemoryException))
            {
                return null;
            }
        }

        /// <summary>
        /// <paramref name="text"/> with each of its lines longer than <paramref name="width"/> broken at the last space that
        /// keeps it within the width (the spaces there dropped); a word longer than the width stays whole, on a line of its
        /// own. A width below 1 leaves the text as it is.
        /// </summary>
        internal static string? Wrap(string? text, int width)
        {
            if (text is null || width <= 0 || text.Length <= width) return text;
            var wrapped = new System.Text.StringBuilder(text.Length + 8);
            string[] lines = text.Split('\n');
            for (int i = 0; i < lines.Length; i++)
            {
                string line = lines[i];
                if (i > 0) wrapped.Append('\n');
                int start = 0;
                while (line.Length - start > width)
                {
                    // A space at start + width ends a line of exactly the width.
                    int space = line.LastIndexOf(' ', start + width, width);
                    if (space < 0) space = line.IndexOf(' ', start + width);
                    if (space < 0) break;
                    // A run of spaces goes with the break: no line ends or begins with one.
                    int end = space;
                    while (end > start && line[end - 1] == ' ') end--;
                    wrapped.Append(line, start, end - start).Append('\n');
                    start = space + 1;
                    while (start < line.Length && line[start] == ' ') start++;
                }
                wrapped.Append(line, start, line.Length - start);
            }
            return wrapped.ToString();
        }

        /// <summary>
        /// Where an integration's signing secret is (its SecretLocation, printable), after <paramref name="prefix"/>: longer
        /// than <paramref name="width"/> characters, "&lt;name&gt; in vault &lt;vault&gt;" goes on two lines, broken before
        /// "in vault", since a table cuts a long cell at its width, mid-word. Null when it has none.
        /// </summary>
        public static string? Location(object? item, int width, string prefix = "")
        {
            string? location = Text(item, nameof(ExternalSupportIntegration.SecretLocation));
            if (string.IsNullOrEmpty(location)) return null;
            string line = prefix + location;
            return line.Length > width ? line.Replace(" in vault ", "\nin vault ") : line;
        }

        /// <summary>
        /// Text from outside (an end user's message, a name, an id) as the views show it: each control character but the line
        /// break, and each bidirectional override or isolate, is written as PowerShell writes it in a double-quoted string
        /// (`e, `r, `t, `u{009B}, `u{202E}; a backtick, then, as ``: only then, so that "run `cmd`" stays readable, and a
        /// backtick typed alone before an e reads as an escape would), so that no escape sequence in what an end user sent
        /// reaches the terminal (to clear lines, move the cursor or retitle the window), a carriage return cannot hide what
        /// came before it, a tab cannot push a column past its width, and nothing shows in another order than it is; a \r\n
        /// line end is shown as a line break. The objects keep the text as it arrived.
        /// </summary>
        public static string? Text(string? text) => Require.Printable(text, TextLayout.Lines)?.Replace("\r\n", "\n");

        /// <summary>
        /// <paramref name="item"/> (a model object, or its PSObject) as a command writes it. An object shown after another
        /// type's output (Get-Date, then an integration; a context, then an event) gets PowerShell's own list of its
        /// properties, not a view of ours, so text a view shows otherwise would reach the screen and the log as it is: a webhook
        /// URL's key (Azure Functions' ?code=), control characters an end user or a server sent (escape sequences that clear
        /// the screen or retitle the window). Such an object gets a default display property set without those properties,
        /// which that list keeps to; the object keeps them, and the views are unchanged. Any other object is written as it is.
        /// </summary>
        internal static object Shown(object item)
        {
            try
            {
                return HideUnshowable(item);
            }
            catch (Exception)
            {
                // What a command writes matters more than how PowerShell lists it: an object is written whatever its properties do.
                return item;
            }
        }

        private static object HideUnshowable(object item)
        {
            object model = item is PSObject wrapped ? wrapped.BaseObject : item;
            List<string>? hidden = null;
            foreach (PropertyInfo property in ShownProperties.GetOrAdd(model.GetType(), type => type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                .Where(p => !p.PropertyType.IsValueType && p.PropertyType != typeof(SecureString) && p.GetIndexParameters().Length == 0).ToArray()))
            {
                object? value = property.GetValue(model);
                if (!Printable(value, 0) || (property.Name == nameof(ExternalSupportIntegration.WebhookUrl) && value != null && JelouUris.WithoutCredentials(value.ToString()) != value.ToString()))
                {
                    (hidden ??= new List<string>()).Add(property.Name);
                }
            }
            if (hidden is null) return item;
            PSObject shown = PSObject.AsPSObject(item);
            // On the object itself too, where a wrapper holds its own (OwnWrapper): PowerShell unwraps an object for a typed
            // variable or parameter and for a .NET method, and what it wraps anew must hide the same. That entry lives in
            // PowerShell's process-wide table as long as the object: for an issued integration whose URL has a key, what
            // must not be shown outranks the cost to every garbage collection (see OwnWrapper).
            foreach (PSObject each in new[] { shown, PSObject.AsPSObject(model) })
            {
                if (each.Members[StandardMembers] is PSMemberSet) continue;
                string[] names = each.Properties.Select(p => p.Name).Where(name => !hidden.Contains(name)).ToArray();
                each.Members.Add(new PSMemberSet(StandardMembers, new PSMemberInfo[] { new PSPropertySet("DefaultDisplayPropertySet", names) }));
            }
            return shown;
        }

        /// <summary>
        /// A new PSObject around <paramref name="model"/> that holds the type names and members added to it itself. Those a
        /// wrapper from PowerShell's public AsPSObject gets are kept in a process-wide ConditionalWeakTable keyed by the .NET
        /// object, for as long as that object lives, and each entry is a dependent handle that every garbage collection scans,
        /// gen 0 included. The session keeps each integration it issued (JelouSession), so with the view's type name added
        /// there every collection of the process grew longer with each secret issued: 2.7 times as long after 23,000 (the
        /// Bulk benchmark). The wrapper's own entry lives as long as the wrapper, as any PowerShell object's with added
        /// members does. PowerShell's overload that keeps them on the wrapper is internal (in Windows PowerShell 5.1 as in
        /// 7); where it cannot be reached, the public one. What hides a property is put on the object too (see Shown).
        /// </summary>
        internal static PSObject OwnWrapper(object model) => WrapperHoldingItsOwn?.Invoke(model, true) ?? PSObject.AsPSObject(model);

        private static readonly Func<object, bool, PSObject>? WrapperHoldingItsOwn = FindWrapperHoldingItsOwn();

        private static Func<object, bool, PSObject>? FindWrapperHoldingItsOwn()
        {
            try
            {
                MethodInfo? method = typeof(PSObject).GetMethod(nameof(PSObject.AsPSObject), BindingFlags.NonPublic | BindingFlags.Static, null, new[] { typeof(object), typeof(bool) }, null);
                return method?.ReturnType == typeof(PSObject) ? (Func<object, bool, PSObject>)method.CreateDelegate(typeof(Func<object, bool, PSObject>)) : null;
            }
            catch (Exception)
            {
                return null;
            }
        }

        // The properties of each model type that Shown looks at: all but numbers, dates, flags and enums (value types, whose
        // text is the runtime's, not from outside) and secrets (shown as their type's name).
        private static readonly ConcurrentDictionary<Type, PropertyInfo[]> ShownProperties = new ConcurrentDictionary<Type, PropertyInfo[]>();

        /// <summary>
        /// Whether what PowerShell's own list shows of <paramref name="value"/> is printable as a message is (line breaks and tabs
        /// kept: that list has no columns a tab could push, and hiding a message for a tab would hide too much): its text, or,
        /// a few levels in, the keys and values of a dictionary (an event's metadata) and the items of a list.
        /// </summary>
        private static bool Printable(object? value, int depth)
        {
            switch (value)
            {
                case null:
                    return true;
                case string text:
                    return Require.Printable(text) == text;
                case PSObject wrapped:
                    return Printable(wrapped.BaseObject, depth);
                case IDictionary dictionary when depth < MaxDepth:
                    foreach (DictionaryEntry entry in dictionary) if (!Printable(entry.Key, depth + 1) || !Printable(entry.Value, depth + 1)) return false;
                    return true;
                case IEnumerable list when depth < MaxDepth:
                    foreach (object? each in list) if (!Printable(each, depth + 1)) return false;
                    return true;
                default:
                    return value.GetType().IsValueType || value is SecureString || Printable(value.ToString(), depth);
            }
        }

        private const int MaxDepth = 8;

        private const string StandardMembers = "PSStandardMembers";

        private static object? Value(object? item, string property) =>
            item is null ? null : Unwrap(PSObject.AsPSObject(item).Properties[property]?.Value);

        private static object? Unwrap(object? value) => value is PSObject wrapped && !(wrapped.BaseObject is PSCustomObject) ? wrapped.BaseObject : value;

        private static string Iso(DateTime utc) => utc.ToString("u", CultureInfo.InvariantCulture);
    }
}
