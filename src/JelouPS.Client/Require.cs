using System;
using System.Linq;
using System.Globalization;
using System.Text;

namespace JelouPS
{
    /// <summary>
    /// What JelouPS sends as an id, a one-line value (a name, a type, an enum value) or free text, in one place, and how a
    /// refused value is shown. Each rule has two forms: <c>...Problem</c> says what is wrong with the value, for parameter
    /// binding (which names the parameter itself); the other throws an ArgumentException whose message names it.
    /// </summary>
    internal static class Require
    {
        /// <summary>
        /// The longest id or one-line value: real ones are far shorter, and one this long is a mistake (a file's content
        /// pasted in) that would make a path or a header no server takes.
        /// </summary>
        internal const int MaxLineLength = 256;

        // Enough of a refused value to recognise it, little enough that a 100,000-character one does not fill the screen.
        private const int ShownLength = 40;

        internal static void NotEmpty(string? value, string name)
        {
            if (string.IsNullOrEmpty(value)) throw new ArgumentException($"-{name} must not be empty.", name);
        }

        internal static string OneOf(string value, string[] allowed, string name)
        {
            foreach (string known in allowed)
            {
                if (string.Equals(known, value, StringComparison.OrdinalIgnoreCase)) return known;
            }
            throw new ArgumentException($"{Show(value)} is not a valid {name}; use one of {string.Join(", ", allowed)}.", name);
        }

        /// <summary>Whether every character of <paramref name="text"/> is ASCII.</summary>
        internal static bool IsAscii(string text)
        {
            foreach (char c in text)
            {
                if (c >= 0x80) return false;
            }
            return true;
        }

        /// <summary>An id (project, bot, user, room, conversation, message): sent as a path segment or a payload member.</summary>
        internal static string Id(string? value, string name) => Throw(IdProblem(value, "-" + name), value, name);

        /// <inheritdoc cref="Id"/>
        internal static string? IdProblem(string? value, string subject = "The id")
        {
            if (value is null || value.Trim().Length == 0) return $"{subject} is empty (or only spaces).";
            // A path normalises these away: "p1/.." would reach the collection instead of the project.
            if (value == "." || value == "..") return $"{subject} '{value}' cannot be used: in a URL path it means this folder or the one above.";
            return QuoteProblem(value, subject) ?? LineProblem(value, subject) ?? LookAlikeProblem(value, subject) ?? DecodingProblem(value, subject);
        }

        // U+FFFD is what a decoder writes for bytes it cannot read: a file Excel saved in Windows-1252 ("CSV (Comma delimited)")
        // and read as UTF-8 turns "café-1" into "caf\uFFFD-1", another project, and the letter is lost.
        private static string? DecodingProblem(string value, string subject)
        {
            int at = value.IndexOf('\uFFFD');
            return at < 0 ? null
                : $"{subject} {Show(value)} has U+FFFD at position {at + 1}, which text read in the wrong encoding has where a letter was: read the file in " +
                  "its own (a CSV Excel saved as \"CSV (Comma delimited)\": Import-Csv -Encoding Default on Windows PowerShell 5.1, -Encoding 1252 on " +
                  "PowerShell 7), or save it as \"CSV UTF-8\".";
        }

        // An id is compared, not read: one holding a character that shows as nothing or as another space (a Hangul filler, a
        // tag character, a no-break space) looks like another id in every log, so it is refused where a name would be taken.
        private static string? LookAlikeProblem(string value, string subject)
        {
            int at = FirstHidden(value);
            return at < 0 ? null
                : $"{subject} {Show(value)} has a character that shows as nothing or as another space ({EscapeCodePoint(CodePointAt(value, at))}) at position {at + 1}: " +
                  "an id must read as it is, so that no two look alike (only U+0020 as a space; no fillers, variation selectors or tag characters).";
        }

        /// <summary>
        /// Why a value that never starts with a quotation mark, nor ends with one that no other opened (a spreadsheet cell, a
        /// copied string or a word processor may add them), does; null when it does not.
        /// </summary>
        internal static string? QuoteProblem(string value, string subject, Func<string, string>? show = null) =>
            value.Length > 0 && (IsQuote(value[0]) || (IsQuote(value[value.Length - 1]) && !value.Take(value.Length - 1).Any(IsQuote)))
                ? $"{subject} {(show ?? Show)(value)} starts or ends with a quotation mark: leave the quotes out."
                : null;

        // Straight, typographic (also low), guillemets, full-width and CJK corner brackets, and the backtick.
        private static bool IsQuote(char c) => "\"'`\u201C\u201D\u201E\u2018\u2019\u201A\u00AB\u00BB\u2039\u203A\uFF02\uFF07\u300C\u300D\u300E\u300F".IndexOf(c) >= 0;

        /// <summary>A one-line value other than an id (a name, a MIME type, an assignment target); null passes.</summary>
        internal static string? Line(string? value, string name) => value is null ? null : Throw(LineProblem(value, "-" + name), value, name);

        /// <summary>
        /// Why <paramref name="value"/> is not one line of visible characters at most <paramref name="maxLength"/> long, or
        /// null; <paramref name="show"/> is how the message shows it, when not as <see cref="Show"/> does (a URL hides its password):
        /// called only for a message, since showing a URL costs more than checking it.
        /// </summary>
        internal static string? LineProblem(string value, string subject = "The value", int maxLength = MaxLineLength, Func<string, string>? show = null)
        {
            show ??= Show;
            if (value.Length > maxLength) return $"{subject} {show(value)} is too long: at most {maxLength} characters are accepted.";
            int at = Unprintable(value, freeText: false);
            return at < 0 ? null
                : $"{subject} {show(value)} has {Describe(value, at)} at position {at + 1}: only one line of visible characters is accepted " +
                  "(no control, zero-width or direction characters, no line breaks).";
        }

        /// <summary>
        /// Free text (a message, a caption): line breaks, tabs, joiners and direction marks belong in text, but other control
        /// characters do not, and half a character (an unpaired surrogate, a cut emoji) cannot be sent as UTF-8.
        /// </summary>
        internal static string? Text(string? value, string name)
        {
            if (value is null) return null;
            if (value.Trim().Length == 0) throw new ArgumentException($"-{name} is blank: give some text.", name);
            int at = Unprintable(value, freeText: true);
            if (at < 0) return value;
            throw new ArgumentException($"-{name} has {Describe(value, at)} at position {at + 1}; text may have line breaks and tabs, but no other control characters and no half characters.", name);
        }

        /// <summary>
        /// <paramref name="value"/> as a PowerShell literal a user can read and copy: single-quoted when every character is
        /// visible, else double-quoted with backtick escapes (`n, `u{200B}); cut after 40 characters, with the full length.
        /// </summary>
        internal static string Show(string value) => Literal(value, ShownLength);

        /// <summary>
        /// <paramref name="value"/> as a PowerShell literal, as <see cref="Show"/> writes it, cut after <paramref name="shownLength"/>
        /// characters (a command's argument is never cut). <paramref name="portable"/>: for a command to run on Windows PowerShell
        /// 5.1 too, which knows neither `u{} nor `e, a character that does not show is written as $([char]0x200B).
        /// </summary>
        internal static string Literal(string value, int shownLength = int.MaxValue, bool portable = false)
        {
            int end = Math.Min(value.Length, shownLength);
            if (end < value.Length && char.IsHighSurrogate(value[end - 1])) end--;
            string head = value.Substring(0, end);
            bool plain = Unprintable(head, freeText: false) < 0 && FirstHidden(head) < 0;
            var shown = new StringBuilder(plain ? "'" : "\"");
            for (int i = 0; i < head.Length; i++)
            {
                char c = head[i];
                // PowerShell takes the curly single quotes for quotes too.
                if (plain) shown.Append(c is '\'' or '\u2018' or '\u2019' or '\u201A' or '\u201B' ? new string(c, 2) : c.ToString());
                else if (!AppendedPair(shown, head, ref i, portable)) shown.Append(Escape(c, portable));
            }
            if (end < value.Length) shown.Append('…');
            shown.Append(plain ? '\'' : '"');
            if (end < value.Length) shown.Append(" (").Append(value.Length.ToString(CultureInfo.InvariantCulture)).Append(" characters)");
            return shown.ToString();
        }

        private static string Throw(string? problem, string? value, string name) =>
            problem is null ? value! : throw new ArgumentException(problem, name);

        /// <summary>The index of the first character <paramref name="value"/> may not have, or -1.</summary>
        private static int Unprintable(string value, bool freeText)
        {
            for (int i = 0; i < value.Length; i++)
            {
                char c = value[i];
                if (Paired(value, i))
                {
                    i++;
                    continue;
                }
                if (char.IsSurrogate(c)) return i;
                if (freeText ? char.IsControl(c) && c != '\n' && c != '\r' && c != '\t' : IsInvisible(c)) return i;
            }
            return -1;
        }

        private static bool IsInvisible(char c)
        {
            UnicodeCategory category = CharUnicodeInfo.GetUnicodeCategory(c);
            return category == UnicodeCategory.Control || category == UnicodeCategory.Format
                || category == UnicodeCategory.LineSeparator || category == UnicodeCategory.ParagraphSeparator;
        }

        // The index of the first character of a value that shows as nothing or as another space (see IsHiddenInId), or -1.
        private static int FirstHidden(string value)
        {
            for (int i = 0; i < value.Length; i += Paired(value, i) ? 2 : 1)
            {
                if (IsHiddenInId(CodePointAt(value, i))) return i;
            }
            return -1;
        }

        // The character at i, a whole one when a surrogate pair starts there.
        private static int CodePointAt(string value, int i) => Paired(value, i) ? char.ConvertToUtf32(value[i], value[i + 1]) : value[i];

        // A character outside the BMP at i, appended as it is, or written out when it shows as nothing (a tag character);
        // i is moved past it. False when no pair starts at i.
        private static bool AppendedPair(StringBuilder shown, string text, ref int i, bool portable = false)
        {
            if (!Paired(text, i)) return false;
            int codePoint = CodePointAt(text, i);
            if (IsHiddenInId(codePoint)) shown.Append(EscapeCodePoint(codePoint, portable));
            else shown.Append(text, i, 2);
            i++;
            return true;
        }

        private static bool Paired(string value, int i) => char.IsHighSurrogate(value[i]) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]);

        private static string Describe(string value, int at)
        {
            char c = value[at];
            string kind = c == '\n' || c == '\r' || c == '\u2028' || c == '\u2029' ? "a line break"
                : c == '\0' ? "a NUL character"
                : char.IsControl(c) ? "a control character"
                : "an invisible formatting character";
            return char.IsSurrogate(c) ? $"an unpaired surrogate ({Escape(c)}), half of a character," : $"{kind} ({Escape(c)})";
        }

        /// <summary>
        /// Free text made safe to print on a terminal, for messages and views (JelouView.Text in the cmdlet assembly says how),
        /// keeping what <paramref name="keep"/> names as it is: line breaks and tabs in a message; line breaks alone in a view,
        /// whose columns a tab would push past their width; nothing in a one-line text (ToString).
        /// </summary>
        internal static string? Printable(string? text, TextLayout keep = TextLayout.LinesAndTabs)
        {
            if (text is null) return null;
            int i = 0;
            while (i < text.Length && !IsEscaped(text, i, keep)) i++;
            if (i == text.Length) return text;
            var shown = new StringBuilder(text.Length + 16);
            for (i = 0; i < text.Length; i++)
            {
                if (keep == TextLayout.Id && AppendedPair(shown, text, ref i)) continue;
                // Once anything is written escaped, a backtick is too: "`e" typed by a user must not read as an escape.
                if (IsEscaped(text, i, keep) || text[i] == '`') shown.Append(Escape(text[i]));
                else shown.Append(text[i]);
            }
            return shown.ToString();
        }

        /// <summary><see cref="Printable"/> on one line, for a ToString that may hold text from outside (an end user's message); "" for null.</summary>
        internal static string PrintableOnOneLine(string? text) => Printable(text, TextLayout.None) ?? "";

        /// <summary>
        /// An id for a ToString, as a view shows it: on one line, its invisible characters written out too, so that two ids
        /// that differ only by them do not look alike in a log; "" for null. Each part of a ToString is made printable
        /// alone: one escaped with another would have its backticks written twice.
        /// </summary>
        internal static string PrintableId(string? id) => Printable(id, TextLayout.Id) ?? "";

        // A character a terminal acts on rather than prints: the C0 and C1 control characters and DEL, but the line break,
        // the tab and a carriage return that ends a line (\r\n) where kept; and the bidirectional overrides and isolates,
        // which make a terminal show text in another order than it is (U+202A-U+202E, U+2066-U+2069). Also half a character
        // (a lone surrogate, as text cut inside an emoji arrives), which a terminal shows as a replacement mark or not at all.
        // The line and paragraph separators (U+2028, U+2029) are line breaks a message may hold as it was written (a
        // terminal shows them as it can), but a view's column or one line must not: there they are written out.
        private static bool IsEscaped(string text, int i, TextLayout keep) =>
            (IsTerminalControl(text[i]) && !Kept(text, i, keep))
            || ((text[i] == '\u2028' || text[i] == '\u2029') && keep != TextLayout.LinesAndTabs)
            || (keep == TextLayout.Id && (Paired(text, i) || !char.IsSurrogate(text[i])) && IsHiddenInId(CodePointAt(text, i)))
            || (char.IsHighSurrogate(text[i]) && !Paired(text, i))
            || (char.IsLowSurrogate(text[i]) && !(i > 0 && Paired(text, i - 1)));

        private static bool Kept(string text, int i, TextLayout keep) =>
            text[i] == '\t' ? keep == TextLayout.LinesAndTabs
            : keep != TextLayout.None && keep != TextLayout.Id && (text[i] == '\n' || (text[i] == '\r' && i + 1 < text.Length && text[i + 1] == '\n'));

        // What shows as nothing, or as a space that is not one, and so would make two ids look alike: format and control
        // characters, spaces other than U+0020, the Braille blank (U+2800), and Unicode's other default-ignorable code points
        // (UAX #44): the Hangul fillers, the combining grapheme joiner, Khmer vowels inherent, variation selectors (Mongolian
        // too) and tags (U+E0000-U+E0FFF), musical formatting (U+1D173-U+1D17A), shorthand format controls.
        private static bool IsHiddenInId(int codePoint) =>
            codePoint < 0x10000
                ? IsInvisible((char)codePoint) || (codePoint != ' ' && char.IsWhiteSpace((char)codePoint))
                  || codePoint == 0x034F || codePoint == 0x115F || codePoint == 0x1160 || codePoint == 0x17B4 || codePoint == 0x17B5
                  || (codePoint >= 0x180B && codePoint <= 0x180F) || codePoint == 0x2800 || codePoint == 0x3164
                  || (codePoint >= 0xFE00 && codePoint <= 0xFE0F) || codePoint == 0xFFA0
                : (codePoint >= 0xE0000 && codePoint <= 0xE0FFF) || (codePoint >= 0x1D173 && codePoint <= 0x1D17A) || (codePoint >= 0x1BCA0 && codePoint <= 0x1BCA3);

        private static bool IsTerminalControl(char c) =>
            c < ' ' || (c >= '\u007F' && c <= '\u009F') || (c >= '\u202A' && c <= '\u202E') || (c >= '\u2066' && c <= '\u2069');

        /// <summary>One character as PowerShell writes it in a double-quoted string.</summary>
        private static string Escape(char c, bool portable = false)
        {
            switch (c)
            {
                case '\0': return "`0";
                case '\a': return "`a";
                case '\b': return "`b";
                case '\f': return "`f";
                case '\n': return "`n";
                case '\r': return "`r";
                case '\t': return "`t";
                case '\v': return "`v";
                case '\u001b': return portable ? EscapeCodePoint(c, portable) : "`e";
                case '`': return "``";
                case '"': case '\u201C': case '\u201D': case '\u201E': return "`" + c;
                case '$': return "`$";
            }
            return IsHiddenInId(c) || char.IsSurrogate(c) ? EscapeCodePoint(c, portable) : c.ToString();
        }

        /// <summary>A character as PowerShell's `u{} escape writes it, at least four hex digits.</summary>
        private static string EscapeCodePoint(int codePoint, bool portable = false) =>
            !portable ? "`u{" + codePoint.ToString("X4", CultureInfo.InvariantCulture) + "}"
            : codePoint <= 0xFFFF ? "$([char]0x" + codePoint.ToString("X4", CultureInfo.InvariantCulture) + ")"
            : "$([char]::ConvertFromUtf32(0x" + codePoint.ToString("X", CultureInfo.InvariantCulture) + "))";
    }

    /// <summary>What <see cref="Require.Printable"/> leaves as it is besides printable characters.</summary>
    internal enum TextLayout
    {
        /// <summary>Line breaks (also U+2028 and U+2029) and tabs: a message.</summary>
        LinesAndTabs,

        /// <summary>\n and \r\n: a view's column, which a tab would push past its width; a server's text in a message.</summary>
        Lines,

        /// <summary>Nothing: one line.</summary>
        None,

        /// <summary>Nothing, and the invisible characters too (zero-width, direction marks): an id, which must not look like another.</summary>
        Id,
    }
}
