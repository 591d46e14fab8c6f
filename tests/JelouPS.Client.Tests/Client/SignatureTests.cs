using System.Text;
using JelouPS.Security;
using JelouPS.Webhooks;
using Xunit;

namespace JelouPS.Tests.Client
{
    public sealed class SignatureTests
    {
        private const string Body = "{\"a\":1}";

        // Known vectors computed outside .NET: printf '%s' BODY | openssl dgst -sha256 -hmac SECRET
        [Theory]
        [InlineData("{\"a\":1}", "secret", "sha256=aa9e2e3575f5d7098b6caccd790888c36d5fdb63342a73bada2d6a51747a8494")]
        [InlineData("{\"texto\":\"ñandú 🔑\"}", "clé-🔑", "sha256=bcad930a536cc445fc3c295a1706c6233aff3fae4ce5695bdd91f0ec1af7d886")]
        public void The_signature_is_sha256_prefixed_lowercase_hex_of_the_exact_bytes(string body, string secret, string expected)
        {
            Assert.Equal(expected, JelouSignature.Compute(Encoding.UTF8.GetBytes(body), SecureStrings.FromString(secret)));
            Assert.NotEqual(expected, JelouSignature.Compute(Encoding.UTF8.GetBytes(body + " "), SecureStrings.FromString(secret)));
        }

        [Fact]
        public void The_secret_is_used_as_utf8_text_not_hex_decoded()
        {
            byte[] body = Encoding.UTF8.GetBytes(Body);
            Assert.NotEqual(JelouSignature.Compute(body, SecureStrings.FromString("ab")), JelouSignature.Compute(body, SecureStrings.FromString("AB")));
        }

        [Theory]
        [InlineData(true, "")]
        [InlineData(false, "sha256=")]
        [InlineData(false, "SHA256=")]
        public void Verification_accepts_any_prefix_case_and_hex_case(bool stripPrefix, string prefix)
        {
            byte[] body = Encoding.UTF8.GetBytes(Body);
            var secret = SecureStrings.FromString("secret");
            string hex = JelouSignature.Compute(body, secret).Substring("sha256=".Length);
            Assert.True(JelouSignature.Verify(body, (stripPrefix ? "" : prefix) + hex.ToUpperInvariant(), secret));
            Assert.True(JelouSignature.Verify(body, " " + prefix + hex + " ", secret));
        }

        [Theory]
        [InlineData(null)]
        [InlineData("")]
        [InlineData("sha256=")]
        [InlineData("sha256=abc")]
        [InlineData("sha256=zzzz")]
        [InlineData("md5=0123")]
        [InlineData("sha256=gggggggggggggggggggggggggggggggggggggggggggggggggggggggggggggggg")]
        [InlineData("sha256=-1-1-1-1-1-1-1-1-1-1-1-1-1-1-1-1-1-1-1-1-1-1-1-1-1-1-1-1-1-1-1-1")]
        public void Malformed_signatures_are_false_never_an_exception(string? signature) =>
            Assert.False(JelouSignature.Verify(Encoding.UTF8.GetBytes(Body), signature, SecureStrings.FromString("secret")));

        [Fact]
        public void A_signature_of_the_wrong_length_or_one_flipped_digit_fails()
        {
            byte[] body = Encoding.UTF8.GetBytes(Body);
            var secret = SecureStrings.FromString("secret");
            string good = JelouSignature.Compute(body, secret);
            char last = good[good.Length - 1];
            Assert.False(JelouSignature.Verify(body, good.Substring(0, good.Length - 1) + (last == '0' ? '1' : '0'), secret));
            Assert.False(JelouSignature.Verify(body, good + "0", secret));
            Assert.False(JelouSignature.Verify(body, good, SecureStrings.FromString("other")));
        }
    
        [Fact]
        public void One_signer_signs_and_verifies_many_payloads_as_one_shot_signing_does()
        {
            var secret = SecureStrings.FromString("clé-secrète-🔑");
            using var signer = new JelouSigner(secret);
            for (int size = 0; size < 3000; size += 97)
            {
                byte[] payload = Encoding.UTF8.GetBytes(new string('x', size) + "ñ");
                string signature = signer.Sign(payload);
                Assert.Equal(JelouSignature.Compute(payload, secret), signature);
                Assert.True(signer.Verify(payload, signature));
                Assert.False(signer.Verify(payload, JelouSignature.Compute(payload, SecureStrings.FromString("other"))));
            }
        }

        // What saving a signed body as text adds (Windows PowerShell 5.1: Set-Content -Encoding UTF8 writes EF BB BF and CRLF,
        // Out-File and > write UTF-16 LE and CRLF; PowerShell 7 and Unix tools a LF; -Encoding utf32 UTF-32) is said, only when
        // the rest matches: the answer explains a refusal, and a body changed otherwise, or signed as it is, is not explained away.
        [Theory]
        [InlineData("utf-8 mark", "", "begins with a UTF-8 byte order mark (EF BB BF), which Jelou does not send or sign: the rest matches the signature.")]
        [InlineData("utf-8 mark", "\r\n", "begins with a UTF-8 byte order mark (EF BB BF) and ends with a line break, which")]
        [InlineData("", "\n", "ends with a line break, which Jelou does not send or sign: the rest matches the signature.")]
        [InlineData("", "\r\n", "ends with a line break,")]
        [InlineData("", "\r", "ends with a line break,")]
        [InlineData("", "\r\n\r\n", "ends with line breaks,")]
        [InlineData("", "\n\n", "ends with line breaks,")]
        [InlineData("utf-16 le", "\r\n", "is UTF-16 text (it begins with FF FE) and ends with a line break,")]
        [InlineData("utf-16 be", "", "is UTF-16 text (it begins with FE FF), which")]
        [InlineData("utf-32 le", "\r\n", "is UTF-32 text (it begins with FF FE 00 00) and ends with a line break,")]
        [InlineData("utf-32 be", "", "is UTF-32 text (it begins with 00 00 FE FF), which")]
        [InlineData("utf-16 le, no mark", "", "is UTF-16 text without a byte order mark (it begins with 7B 00 22 00), which")]
        [InlineData("utf-16 be, no mark", "\n", "is UTF-16 text without a byte order mark (it begins with 00 7B 00 22) and ends with a line break,")]
        [InlineData("utf-32 le, no mark", "", "is UTF-32 text without a byte order mark (it begins with 7B 00 00 00), which")]
        [InlineData("", "", null)]
        [InlineData("", " ", null)]
        [InlineData("utf-8 mark twice", "", null)]
        public void What_saving_a_body_as_text_added_is_said_when_the_rest_matches(string mark, string lineBreak, string? said)
        {
            string text = Body + lineBreak;
            byte[] received = mark switch
            {
                "utf-8 mark" => Join(new byte[] { 0xEF, 0xBB, 0xBF }, Encoding.UTF8.GetBytes(text)),
                "utf-8 mark twice" => Join(new byte[] { 0xEF, 0xBB, 0xBF, 0xEF, 0xBB, 0xBF }, Encoding.UTF8.GetBytes(text)),
                "utf-16 le" => Join(new byte[] { 0xFF, 0xFE }, Encoding.Unicode.GetBytes(text)),
                "utf-16 be" => Join(new byte[] { 0xFE, 0xFF }, Encoding.BigEndianUnicode.GetBytes(text)),
                "utf-32 le" => Join(new byte[] { 0xFF, 0xFE, 0x00, 0x00 }, new UTF32Encoding(bigEndian: false, byteOrderMark: false).GetBytes(text)),
                "utf-32 be" => Join(new byte[] { 0x00, 0x00, 0xFE, 0xFF }, new UTF32Encoding(bigEndian: true, byteOrderMark: false).GetBytes(text)),
                "utf-16 le, no mark" => Encoding.Unicode.GetBytes(text),
                "utf-16 be, no mark" => Encoding.BigEndianUnicode.GetBytes(text),
                "utf-32 le, no mark" => new UTF32Encoding(bigEndian: false, byteOrderMark: false).GetBytes(text),
                _ => Encoding.UTF8.GetBytes(text),
            };
            using var signer = new JelouSigner(SecureStrings.FromString("secret"));
            string signature = signer.Sign(Encoding.UTF8.GetBytes(Body));

            string? changed = signer.ChangedAfterSigning(received, signature);

            if (said is null) Assert.Null(changed);
            else Assert.StartsWith("The webhook body " + said, changed);
            Assert.Equal(mark.Length == 0 && lineBreak.Length == 0, signer.Verify(received, signature));
            // Signed by another secret, or signed as received: nothing to say.
            Assert.Null(signer.ChangedAfterSigning(received, JelouSignature.Compute(Encoding.UTF8.GetBytes(Body), SecureStrings.FromString("other"))));
            Assert.Null(signer.ChangedAfterSigning(received, signer.Sign(received)));
        }

        [Fact]
        public void A_body_whose_utf8_was_read_as_latin1_text_is_said_so_when_its_bytes_as_sent_match()
        {
            // Windows PowerShell 5.1's Get-Content reads a file without a byte order mark as Windows-1252; written again as UTF-8,
            // "é" is "Ã©". ISO-8859-1 where the runtime has no Windows-1252 (this test's): the same for these letters.
            byte[] sent = Encoding.UTF8.GetBytes("{\"event\":\"message\",\"value\":{\"text\":\"José: ¿dónde está?\"}}");
            byte[] received = Encoding.UTF8.GetBytes(Encoding.GetEncoding(28591).GetString(sent));
            using var signer = new JelouSigner(SecureStrings.FromString("secret"));

            string? changed = signer.ChangedAfterSigning(received, signer.Sign(sent));

            Assert.StartsWith("The webhook body was read as iso-8859-1 text and written again as UTF-8, which makes each letter outside ASCII two to four others", changed);
            Assert.EndsWith(": its bytes as Jelou sent them match the signature.", changed);
            Assert.False(signer.Verify(received, signer.Sign(sent)));
            // A body with such letters, signed as received or by another secret: nothing to say.
            Assert.Null(signer.ChangedAfterSigning(sent, signer.Sign(sent)));
            Assert.Null(signer.ChangedAfterSigning(received, JelouSignature.Compute(sent, SecureStrings.FromString("other"))));
        }

        [Fact]
        public void Bytes_that_only_look_like_utf16_are_not_explained()
        {
            using var signer = new JelouSigner(SecureStrings.FromString("secret"));
            // An odd count of bytes after FF FE, and a lone surrogate, are no UTF-16 text.
            Assert.Null(signer.ChangedAfterSigning(new byte[] { 0xFF, 0xFE, 0x7B }, signer.Sign(new byte[] { 0x7B })));
            Assert.Null(signer.ChangedAfterSigning(new byte[] { 0xFF, 0xFE, 0x00, 0xD8 }, signer.Sign(new byte[0])));
        }

        private static byte[] Join(byte[] first, byte[] second)
        {
            var joined = new byte[first.Length + second.Length];
            first.CopyTo(joined, 0);
            second.CopyTo(joined, first.Length);
            return joined;
        }
    }
}
