using System;
using System.Management.Automation;
using Xunit;

namespace JelouPS.Tests
{
    /// <summary>JelouView.Shown, which every command's output passes through: it must never cost the output.</summary>
    public sealed class JelouViewTests
    {
        public sealed class Throwing
        {
            public string Name => throw new InvalidOperationException("a getter that fails");
        }

        public sealed class Plain
        {
            public string Name { get; } = "p1";
            public string? Text { get; init; }
        }

        [Fact]
        public void An_object_whose_property_throws_is_written_as_it_is()
        {
            var item = new Throwing();

            Assert.Same(item, JelouView.Shown(item));
        }

        [Fact]
        public void A_printable_object_is_written_as_it_is_and_one_with_a_control_character_lists_everything_else()
        {
            var plain = new Plain { Text = "hello" };
            var hostile = new Plain { Text = "hi \u001b]0;owned\u0007" };

            Assert.Same(plain, JelouView.Shown(plain));
            var shown = Assert.IsType<PSObject>(JelouView.Shown(hostile));
            var set = (PSPropertySet)((PSMemberSet)shown.Members["PSStandardMembers"]).Members["DefaultDisplayPropertySet"];
            Assert.Equal(new[] { "Name" }, set.ReferencedPropertyNames);
            Assert.Equal(hostile.Text, shown.Properties["Text"].Value);
        }

        [Fact]
        public void A_wrapper_that_holds_its_own_keeps_its_type_names_off_the_object_but_not_what_it_hides()
        {
            var hostile = new Plain { Text = "hi \u001b[2J" };
            PSObject own = JelouView.OwnWrapper(hostile);
            own.TypeNames.Insert(0, "JelouPS.Plain#Issued");

            Assert.Same(own, JelouView.Shown(own));
            // A later wrapper of the object (PowerShell's, for a typed variable or what a .NET method hands back) finds no
            // type name in PowerShell's process-wide table, whose entries each lengthen every collection; it hides the same.
            PSObject later = PSObject.AsPSObject(hostile);
            Assert.NotSame(own, later);
            Assert.Equal(typeof(Plain).FullName, later.TypeNames[0]);
            foreach (PSObject wrapper in new[] { own, later })
            {
                var set = (PSPropertySet)((PSMemberSet)wrapper.Members["PSStandardMembers"]).Members["DefaultDisplayPropertySet"];
                Assert.Equal(new[] { "Name" }, set.ReferencedPropertyNames);
            }
        }

        [Theory]
        [InlineData("short enough", 20, "short enough")]
        [InlineData("rotate to get one, Reset-JelouExternalSupportSecret 'p' -Force", 24, "rotate to get one,\nReset-JelouExternalSupportSecret\n'p' -Force")]
        [InlineData("exactly ten and more", 10, "exactly\nten and\nmore")]
        [InlineData("abcdefghij klm", 10, "abcdefghij\nklm")]
        [InlineData("first line\nsecond line is longer", 12, "first line\nsecond line\nis longer")]
        [InlineData("https://crm.example.com/a/very/long/path", 10, "https://crm.example.com/a/very/long/path")]
        [InlineData("\nstarts with a blank line", 10, "\nstarts\nwith a\nblank line")]
        [InlineData("aaaa    bbbb", 6, "aaaa\nbbbb")]
        [InlineData("left as it is", 0, "left as it is")]
        public void Wrap_breaks_lines_longer_than_the_width_between_words_and_keeps_a_longer_word_whole(string text, int width, string expected)
        {
            string wrapped = JelouView.Wrap(text, width)!;

            Assert.Equal(expected, wrapped);
            Assert.Equal(string.Join(" ", text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)), string.Join(" ", wrapped.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)));
            if (width > 0) Assert.All(wrapped.Split('\n'), line => Assert.True(line.Length <= width || !line.Contains(' '), line));
        }

        [Fact]
        public void Words_shows_a_property_printable_and_wrapped_and_nothing_for_an_absent_one()
        {
            var item = new Plain { Text = "hi \u001b[2J there you" };

            Assert.Equal("hi `e[2J\nthere you", JelouView.Words(item, nameof(Plain.Text), 9));
            Assert.Null(JelouView.Words(item, "Missing", 9));
            Assert.Null(JelouView.Wrap(null, 9));
        }

        [Fact]
        public void A_table_cell_is_whole_where_the_host_tells_no_screen_width()
        {
            var item = new Plain { Text = "Could not reach http://127.0.0.1:9: Connection refused. Nothing was sent." };

            Assert.Equal(item.Text, JelouView.Words(item, nameof(Plain.Text), host: null, otherColumns: 50));
        }

        [Fact]
        public void An_id_shows_the_invisible_characters_that_make_it_differ_and_a_message_keeps_its_joiners()
        {
            Assert.Equal("u1`u{200B}", JelouView.Id(new Plain { Text = "u1\u200B" }, nameof(Plain.Text)));
            Assert.Equal("👨\u200D👩", JelouView.Text(new Plain { Text = "👨\u200D👩" }, nameof(Plain.Text)));
            Assert.Null(JelouView.Id(new Plain(), "Missing"));
        }
    }
}
