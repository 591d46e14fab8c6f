using System;
using System.Globalization;
using System.Linq;
using CsCheck;
using JelouPS.Security;
using Xunit;

namespace JelouPS.Tests.Client
{
    /// <summary>The client's rules for ids, one-line values, free text and URLs, over generated hostile text.</summary>
    public sealed class HostileTextTests
    {
        private static readonly Uri Base = new Uri("https://gateway.example.com/jelouapi");

        // Hostile characters weighted up: controls, line and paragraph separators, bidi and zero-width characters, surrogate
        // halves, path and query delimiters, and the rest of the BMP.
        private static readonly Gen<char> Character = Gen.OneOf(
            Gen.Char[(char)0, (char)0x1f], Gen.Char['\u007f', '\u009f'], Gen.Char['\ud800', '\udfff'], Gen.Char[' ', '~'], Gen.Char['\u0080', '\uffff'],
            Gen.OneOfConst('/', '\\', '?', '#', '%', '.', '@', ':', '\u200b', '\u200e', '\u202e', '\u2066', '\u2028', '\u2029', '\ufeff', '\u00ad', '\u00a0'));

        private static readonly Gen<string> Text = Gen.OneOf(
            Character.Array[0, 12].Select(c => new string(c)),
            Character.Array[250, 300].Select(c => new string(c)),
            Gen.OneOfConst(".", "..", "...", "%2e%2e", "../x", "a/b", "?x=1#y", " p1 ", new string('a', 100_000)));

        private static bool Printable(string message)
        {
            for (int i = 0; i < message.Length; i++)
            {
                char c = message[i];
                if (char.IsHighSurrogate(c) && i + 1 < message.Length && char.IsLowSurrogate(message[i + 1])) i++;
                else if (char.IsSurrogate(c) || char.IsControl(c)) return false;
                else if (CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator) return false;
            }
            return true;
        }

        [Fact]
        public void An_accepted_id_is_exactly_one_path_segment_and_reads_back_as_itself() =>
            Text.Sample(id =>
            {
                if (Require.IdProblem(id) != null) return true;
                string segment = JelouUris.Segment(id, "ProjectId");
                Uri uri = JelouUris.Combine(Base, "v1/external-support/" + segment);
                return uri.AbsolutePath == "/jelouapi/v1/external-support/" + segment && !segment.Contains('/') && Uri.UnescapeDataString(segment) == id;
            });

        [Fact]
        public void An_id_with_an_invisible_character_or_half_a_character_is_refused_and_shown_printable() =>
            Text.Sample(id =>
            {
                bool hostile = id.Length > Require.MaxLineLength || id.Trim().Length == 0 || id == "." || id == ".."
                    || !Printable(id) || Quoted(id) || id.Any(ShowsAsNothingOrAnotherSpace) || id.Contains('\uFFFD');
                string? problem = Require.IdProblem(id);
                return hostile == (problem != null) && (problem is null || (Printable(problem) && problem.Length < 600));
            });

        // The README's rule: an id has nothing that shows as nothing or as another space (a no-break space, a Hangul filler, a
        // variation selector), so that no two look alike. The generator's characters are of the BMP, or surrogate halves.
        private static bool ShowsAsNothingOrAnotherSpace(char c) =>
            (c != ' ' && char.IsWhiteSpace(c)) || c is '\u034F' or '\u115F' or '\u1160' or '\u17B4' or '\u17B5' or '\u2800' or '\u3164' or '\uFFA0'
            || c is >= '\u180B' and <= '\u180F' || c is >= '\uFE00' and <= '\uFE0F' || c is >= '\uFFF0' and <= '\uFFF8' || c is >= '\u2060' and <= '\u206F';

        // The README's rule: an id does not start with a quotation mark, nor end with one that nothing before opened (a
        // spreadsheet's or word processor's quotes: straight, typographic, guillemets, full-width, CJK corners, backtick).
        private static bool Quoted(string id)
        {
            const string quotes = "\"'`\u201C\u201D\u201E\u2018\u2019\u201A\u00AB\u00BB\u2039\u203A\uFF02\uFF07\u300C\u300D\u300E\u300F";
            return id.Length > 0 && (quotes.Contains(id[0]) || (quotes.Contains(id[id.Length - 1]) && !id.Take(id.Length - 1).Any(quotes.Contains)));
        }

        [Fact]
        public void Free_text_keeps_line_breaks_tabs_and_joiners_but_refuses_other_controls_and_half_characters() =>
            Text.Sample(text =>
            {
                bool refused = text.Trim().Length == 0 || text.Any(c => char.IsControl(c) && c != '\n' && c != '\r' && c != '\t') || HasHalf(text);
                try
                {
                    Require.Text(text, "Text");
                    return !refused;
                }
                catch (ArgumentException ex)
                {
                    return refused && Printable(ex.Message);
                }
            }, print: t => string.Join(",", t.Take(20).Select(c => ((int)c).ToString("x"))));

        private static bool HasHalf(string text)
        {
            for (int i = 0; i < text.Length; i++)
            {
                if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])) i++;
                else if (char.IsSurrogate(text[i])) return true;
            }
            return false;
        }

        [Fact]
        public void Show_is_printable_short_and_says_how_long_a_cut_value_was() =>
            Text.Sample(value =>
            {
                string shown = Require.Show(value);
                return Printable(shown) && shown.Length <= 40 * 8 + 30 && (value.Length <= 40 || shown.EndsWith($"({value.Length} characters)", StringComparison.Ordinal));
            });

        [Fact]
        public void Any_text_given_as_a_URL_is_judged_without_an_exception_and_never_repeats_a_password() =>
            Gen.Select(Text, Gen.Char['0', '9'].Array[6, 12].Select(c => "Pw" + new string(c)), Gen.OneOfConst("https", "http", "ftp", "javascript", "file"))
                .Sample((tail, password, scheme) =>
                {
                    foreach (string url in new[] { tail, $"{scheme}://user:{password}@crm.example.com/{tail}", $"{scheme}://{password}@{tail}", $"user:{password}@{tail}", $"{scheme}://crm.example.com/{tail}" })
                    {
                        string? problem = JelouUris.Problem(url, baseUri: false, out Uri? sent);
                        if (problem != null && (!Printable(problem) || problem.Contains(password, StringComparison.Ordinal))) return false;
                        if (problem is null && (sent is null || sent.OriginalString.Any(c => c >= 0x80 || char.IsWhiteSpace(c)) || sent.UserInfo.Length > 0)) return false;
                    }
                    return true;
                });

        [Theory]
        [InlineData("https://bücher.example/jelou", "https://xn--bcher-kva.example/jelou")]
        [InlineData("https://crm.example.com/ä?q=ü", "https://crm.example.com/%C3%A4?q=%C3%BC")]
        [InlineData("https://[::1]:8443/h", "https://[::1]:8443/h")]
        [InlineData("https://crm.example.com/a%2Fb?x=1", "https://crm.example.com/a%2Fb?x=1")]
        [InlineData("http://127.0.0.1:9/h", "http://127.0.0.1:9/h")]
        public void Odd_valid_URLs_are_sent_in_ASCII_as_every_receiver_reads_them(string given, string sent) =>
            Assert.Equal(sent, JelouUris.RequireSecure(given, "WebhookUrl").OriginalString);

        [Fact]
        public void Each_host_is_judged_on_its_own_whatever_host_was_judged_just_before()
        {
            // The IDNA mapping of the last host is kept: a refused host must stay refused next to a valid one, both ways.
            foreach (string order in new[] { "bad", "good", "bad", "bad", "good", "good" })
            {
                if (order == "good")
                {
                    Assert.Equal("https://xn--bcher-kva.example/h", JelouUris.RequireSecure("https://bücher.example/h", "WebhookUrl").OriginalString);
                    continue;
                }
                var error = Assert.Throws<ArgumentException>(() => JelouUris.RequireSecure("https://xn--zz.example/h", "WebhookUrl"));
                Assert.Contains("not a valid international domain name", error.Message);
            }
        }

        [Fact]
        public void A_password_with_a_double_slash_before_a_later_at_sign_is_still_hidden()
        {
            string? problem = JelouUris.Problem("user:Pw1149210@x//y z@host", baseUri: false, out _);

            Assert.DoesNotContain("Pw1149210", problem);
        }

        // A '#' or '?' in a password would otherwise start what is cut as the fragment or query, leaving the part before it.
        [Theory]
        [InlineData("https://admin:Pw1149210#x@crm.example.com/jelou")]
        [InlineData("admin:Pw1149210#1@localhost:80/x")]
        [InlineData("https://admin:Pw1149210?x@crm.example.com/jelou")]
        public void A_password_holding_a_hash_or_question_mark_is_still_hidden(string url)
        {
            Assert.DoesNotContain("Pw1149210", JelouUris.Problem(url, baseUri: false, out _));
            Assert.DoesNotContain("Pw1149210", JelouUris.Problem(url, baseUri: true, out _));
        }

        [Theory]
        [InlineData("https://crm.example.com/h#frag", "fragment")]
        [InlineData("https://user:Pw123456@crm.example.com/h", "user name or password")]
        [InlineData("http://user:Pw123456@crm.example.com/h", "user name or password")]
        [InlineData("javascript:alert(1)", "does not start with https://")]
        [InlineData("localhost:8080/hook", "does not start with https://")]
        [InlineData("file:///etc/passwd", "must use https")]
        [InlineData("https://crm.example.com/a b", "a space")]
        [InlineData("https://crm.example.com/a\u202eb", "invisible formatting character")]
        [InlineData("https://", "not an absolute URL")]
        [InlineData("https://@crm.example.com/h", "user name or password")]
        [InlineData("https://:@crm.example.com/h", "user name or password")]
        [InlineData("https:\\\\@crm.example.com/h", "user name or password")]
        [InlineData("https:/\\@crm.example.com/h", "user name or password")]
        [InlineData("https:\\/@crm.example.com/h", "user name or password")]
        [InlineData("https:\\\\crm.example.com\\h", "backslash")]
        [InlineData("https://crm.example.com/a\\b", "backslash")]
        [InlineData("https://crm.example.com:0/h", "port 0")]
        [InlineData("https://crm.example.com:99999/h", "names port 99999: ports run from 1 to 65535")]
        [InlineData("\"https://crm.example.com/h\"", "quotation mark")]
        [InlineData("'https://crm.example.com/h'", "quotation mark")]
        [InlineData("https://crm.example.com/h\"", "quotation mark")]
        [InlineData("\u201Chttps://crm.example.com/h\u201D", "quotation mark")]
        public void Hostile_URLs_are_refused_naming_the_rule(string url, string rule)
        {
            var error = Assert.Throws<ArgumentException>(() => JelouUris.RequireSecure(url, "WebhookUrl"));
            Assert.Contains(rule, error.Message);
            Assert.StartsWith("-WebhookUrl", error.Message);
            Assert.DoesNotContain("Pw123456", error.Message);
        }

        [Theory]
        [InlineData("https://gateway.example.com/jelouapi?x=1")]
        [InlineData("https://gateway.example.com/jelouapi#x")]
        public void A_base_URI_takes_no_query_or_fragment(string url) =>
            Assert.Throws<ArgumentException>(() => JelouUris.RequireBase(new Uri(url), "BaseUri"));

        [Fact]
        public void A_header_secret_is_printable_ASCII_without_spaces_at_the_ends_and_its_problem_never_quotes_it() =>
            Gen.OneOf(Text, Gen.String).Sample(secret =>
            {
                if (secret.Length == 0 || secret.Length > 65536) return true;
                string? problem = SecureStrings.HeaderProblem(SecureStrings.FromString(secret));
                bool fine = secret.Trim().Length > 0 && secret.All(c => c >= 0x20 && c < 0x7f) && secret[0] != ' ' && secret[^1] != ' ';
                return fine == (problem is null) && (problem is null || secret.Length < 3 || !problem.Contains(secret, StringComparison.Ordinal));
            });
    }
}
