using System;
using System.Linq;
using CsCheck;
using JelouPS.Retry;
using JelouPS.Secrets;
using Xunit;

namespace JelouPS.Tests.Client
{
    /// <summary>Secret names each vault extension can take, and the default name made valid for it.</summary>
    public sealed class VaultExtensionTests
    {
        private static readonly string[] Modules =
        {
            "Az.KeyVault", "Microsoft.PowerShell.SecretStore", "SecretManagement.KeePass", "SecretManagement.LastPass",
            "SecretManagement.1Password", "SecretManagement.BitWarden", "SecretManagement.Hashicorp.Vault.KV",
            "SecretManagement.JustinGrote.CredMan", "Microsoft.PowerShell.CredManStore", "Some.Unknown.Extension",
        };

        [Theory]
        [InlineData("Az.KeyVault", "Jelou-acme-prod", null)]
        [InlineData("az.keyvault", "Jelou-acme_prod", "it has '_'")]
        [InlineData("Az.KeyVault", "Jelou p1", "it has a space")]
        [InlineData("Az.KeyVault", "Jelou-ñandú", "it has 'ñ'")]
        [InlineData("Microsoft.PowerShell.SecretStore", "Jelou-acme_prod", null)]
        [InlineData("Microsoft.PowerShell.SecretStore", "Jelou-*", "it has '*'")]
        [InlineData("Microsoft.PowerShell.SecretStore", "psht:x", "it starts with 'psht:'")]
        [InlineData("Microsoft.PowerShell.SecretStore", " Jelou-p1", "it starts or ends with a space")]
        [InlineData("SecretManagement.KeePass", "team/Jelou-p1", "it has '/'")]
        [InlineData("SecretManagement.LastPass", "12345", "LastPass would read it as an item id")]
        [InlineData("SecretManagement.LastPass", "Jelou (id: 7)", "LastPass would read it as an item id")]
        [InlineData("SecretManagement.1Password", "Jelou-\"p1\"", "it has '\"'")]
        [InlineData("SecretManagement.BitWarden", "Jelou p1", "it has a space")]
        [InlineData("Some.Unknown.Extension", "Jelou-a[1]", "it has '['")]
        [InlineData("Some.Unknown.Extension", "Jelou-\u0007", "it has control character U+0007")]
        [InlineData("Some.Unknown.Extension", "", "it is empty")]
        public void Check_says_why_a_vault_cannot_take_a_name(string module, string name, string? problem)
        {
            Assert.Equal(problem, VaultExtension.For(module).Check(name));
        }

        [Theory]
        [InlineData("AzureKeyVault.Extension")]
        [InlineData("Contoso.KeyVault.SecretManagement")]
        [InlineData("az.keyvault")]
        public void A_module_named_after_Key_Vault_gets_its_rule(string module)
        {
            Assert.Equal("it has '_'", VaultExtension.For(module).Check("Jelou-acme_prod"));
        }

        [Fact]
        public void Key_Vault_takes_at_most_127_characters()
        {
            VaultExtension rule = VaultExtension.For("Az.KeyVault");
            Assert.Null(rule.Check(new string('a', 127)));
            Assert.Equal("it is 128 characters long", rule.Check(new string('a', 128)));
            Assert.Contains("letters, digits and '-' only", rule.Description);
            Assert.Contains("at most 127 characters", rule.Description);
        }

        [Theory]
        [InlineData("Contoso.Vault", "sig[1]", "In any vault, JelouPS uses only names with no wildcard characters (* ? [ ]), control characters or spaces around them: SecretManagement and several extensions look names up as wildcard patterns.")]
        // SecretStore itself holds a name with '[' (stored by hand): the rule broken is JelouPS's, and said so.
        [InlineData("Microsoft.PowerShell.SecretStore", "sig[1]", "In any vault, JelouPS uses only names with")]
        [InlineData("Microsoft.PowerShell.SecretStore", "psht:sig", "SecretStore's rule for names: not starting with 'psht:'.")]
        [InlineData("Az.KeyVault", "Jelou-\u00e9", "Azure Key Vault's rule for names: ASCII letters, digits and '-' only; at most 127 characters.")]
        [InlineData("SecretManagement.KeePass", "a/b", "KeePass's rule for names: no '/'.")]
        [InlineData("SecretManagement.LastPass", "12345", "LastPass's rule for names: no '/' or '\\'; not a bare number or a name ending in '(id: N)' (LastPass reads those as item ids).")]
        [InlineData("SecretManagement.BitWarden", "a b", "Bitwarden's rule for names: no '\"', spaces or tabs.")]
        public void The_rule_a_name_breaks_is_said_as_a_sentence_of_whose_it_is(string module, string name, string start)
        {
            VaultExtension rule = VaultExtension.For(module);
            Assert.NotNull(rule.Check(name));
            Assert.StartsWith(start, rule.RuleFor(name));
            Assert.EndsWith(".", rule.RuleFor(name));
        }

        [Theory]
        [InlineData("p1", "Jelou-p1")]
        [InlineData("acme-prod", "Jelou-acme-prod")]
        public void The_default_name_is_Jelou_and_the_project_when_the_vault_takes_it(string projectId, string expected)
        {
            foreach (string module in Modules) Assert.Equal(expected, VaultExtension.For(module).Derive(projectId));
        }

        [Fact]
        public void Ids_that_differ_only_in_case_get_names_that_differ_in_more_than_case()
        {
            foreach (string module in Modules)
            {
                VaultExtension rule = VaultExtension.For(module);
                Assert.Equal("Jelou-acme-prod", rule.Derive("acme-prod"));
                Assert.Matches("^Jelou-Acme-prod--[0-9a-f]{8}$", rule.Derive("Acme-prod"));
            }
        }

        [Fact]
        public void A_project_id_Key_Vault_cannot_take_gets_a_readable_name_of_its_own()
        {
            VaultExtension rule = VaultExtension.For("Az.KeyVault");

            string underscore = rule.Derive("acme_prod");
            string dot = rule.Derive("acme.prod");

            Assert.StartsWith("Jelou-acme-prod-", underscore, StringComparison.Ordinal);
            Assert.Matches("^Jelou-acme-prod--[0-9a-f]{8}$", underscore);
            Assert.NotEqual(underscore, dot);
            Assert.NotEqual("Jelou-acme-prod", underscore);
            Assert.Equal(underscore, rule.Derive("acme_prod"));
        }

        [Fact]
        public void Every_derived_name_is_one_the_vault_takes_and_never_another_projects()
        {
            Gen<char> character = Gen.OneOf(Gen.Char[' ', '~'], Gen.Char['\u0000', '\u001f'], Gen.Char['\u0080', '\uffff'], Gen.OneOfConst('_', '-', '*', '[', '/', '"'));
            Gen<string> projectIds = Gen.OneOf(character.Array[1, 40].Select(chars => new string(chars)), character.Array[120, 300].Select(chars => new string(chars)));
            projectIds.Select(projectIds)
                .Sample((projectId, other) =>
                {
                    foreach (string module in Modules)
                    {
                        VaultExtension rule = VaultExtension.For(module);
                        string name = rule.Derive(projectId);
                        Assert.Null(rule.Check(name));
                        // Stores compare names without case: different ids must differ in more than case.
                        Assert.True(projectId == other || !string.Equals(name, rule.Derive(other), StringComparison.OrdinalIgnoreCase), $"{module}: '{projectId}' and '{other}' share '{name}'");
                    }
                }, iter: 300);
        }

        [Fact]
        public void Project_ids_that_differ_only_where_the_vault_is_strict_get_different_names()
        {
            string[] ids = { "acme_prod", "acme.prod", "acme prod", "acme-prod", "acme*prod", "acme/prod", "acme\\prod", "Acme-prod", "ACME-PROD" };
            foreach (string module in Modules)
            {
                string[] names = ids.Select(VaultExtension.For(module).Derive).ToArray();
                Assert.Equal(names.Length, names.Distinct(StringComparer.OrdinalIgnoreCase).Count());
            }
        }

        [Fact]
        public void No_project_has_another_projects_hashed_name_as_its_own()
        {
            VaultExtension keyVault = VaultExtension.For("Az.KeyVault");
            string hashed = keyVault.Derive("acme_prod");
            string lookalike = hashed.Substring(VaultExtension.Prefix.Length);

            Assert.NotEqual(hashed, keyVault.Derive(lookalike), StringComparer.OrdinalIgnoreCase);
            Assert.False(keyVault.IsNameOf(hashed, lookalike));
            Assert.True(keyVault.IsNameOf(hashed, "acme_prod"));
        }

        [Theory]
        [InlineData("Jelou-p5", "p5")]
        [InlineData("Jelou-P5", "P5")]
        // A hashed name says no project, in any letter case (a vault may give it back in capitals, or a user type it so).
        [InlineData("Jelou-p5--fbeae7c1", null)]
        [InlineData("JELOU-P5--FBEAE7C1", null)]
        public void A_plain_Jelou_name_tells_its_project_and_a_hashed_one_none(string secretName, string? projectId)
        {
            Assert.Equal(projectId, VaultExtension.PlainNameOf(secretName));
        }

        [Theory]
        [InlineData("Jelou-p5", "p5", true)]
        [InlineData("JELOU-p5", "p5", true)]
        [InlineData("Jelou-P5", "p5", false)]
        [InlineData("Jelou-p5", "P5", false)]
        [InlineData("Jelou-P5", "P5", true)]
        [InlineData("Jelou-p5-old", "p5", false)]
        [InlineData("crm-p5", "p5", false)]
        public void A_Jelou_name_is_a_projects_by_its_exact_id(string secretName, string projectId, bool expected)
        {
            Assert.Equal(expected, VaultExtension.For("Microsoft.PowerShell.SecretStore").IsNameOf(secretName, projectId));
        }

        [Theory]
        [InlineData(1, 0.0, 200)]
        [InlineData(1, 1.0, 300)]
        [InlineData(2, 0.5, 500)]
        [InlineData(3, 0.5, 1000)]
        [InlineData(10, 0.5, 2000)]
        public void Backoff_doubles_from_the_first_delay_up_to_the_cap_with_twenty_percent_jitter(int retry, double random, double expectedMs)
        {
            TimeSpan delay = Backoff.Delay(retry, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(2), () => random);
            Assert.Equal(expectedMs, delay.TotalMilliseconds, precision: 6);
        }
    }
}
