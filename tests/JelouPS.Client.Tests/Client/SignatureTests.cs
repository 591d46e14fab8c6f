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

        // Only a mark in front of what was signed, never the signed bytes themselves: the answer explains a refusal.
        [Theory]
        [InlineData(new byte[] { 0xEF, 0xBB, 0xBF }, "signed without", true)]
        [InlineData(new byte[] { 0xEF, 0xBB, 0xBF }, "signed with", false)]
        [InlineData(new byte[] { 0xEF, 0xBB, 0xBF }, "another secret", false)]
        [InlineData(new byte[] { 0xEF, 0xBB }, "signed without", false)]
        [InlineData(new byte[0], "signed without", false)]
        public void A_payload_matches_without_a_byte_order_mark_only_when_the_mark_is_all_that_was_added(byte[] prefix, string how, bool matches)
        {
            byte[] signed = Encoding.UTF8.GetBytes(Body);
            byte[] received = new byte[prefix.Length + signed.Length];
            prefix.CopyTo(received, 0);
            signed.CopyTo(received, prefix.Length);
            using var signer = new JelouSigner(SecureStrings.FromString("secret"));
            string signature = how == "signed with" ? signer.Sign(received) : how == "another secret" ? JelouSignature.Compute(signed, SecureStrings.FromString("other")) : signer.Sign(signed);

            Assert.Equal(matches, signer.MatchesWithoutByteOrderMark(received, signature));
            Assert.Equal(how == "signed with" || prefix.Length == 0 && how == "signed without", signer.Verify(received, signature));
        }
    }
}
