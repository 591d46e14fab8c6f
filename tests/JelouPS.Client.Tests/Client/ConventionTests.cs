using System.Linq;
using System.Reflection;
using Xunit;

namespace JelouPS.Tests.Client
{
    public sealed class ConventionTests
    {
        [Fact]
        public void The_client_library_does_not_reference_PowerShell()
        {
            AssemblyName[] references = typeof(JelouClient).Assembly.GetReferencedAssemblies();
            Assert.DoesNotContain(references, r => r.Name!.StartsWith("System.Management.Automation") || r.Name.StartsWith("Microsoft.PowerShell"));
        }

        [Fact]
        public void No_public_type_exposes_a_secret_as_a_string()
        {
            var offenders = typeof(JelouClient).Assembly.GetExportedTypes()
                .SelectMany(t => t.GetProperties().Select(p => (Type: t, Property: p)))
                .Where(x => x.Property.PropertyType == typeof(string))
                .Where(x => new[] { "secret", "key", "password", "authorization", "token" }.Any(word => x.Property.Name.ToLowerInvariant().Contains(word)))
                // These name where a secret is kept (a vault and a secret name), never the secret itself.
                .Where(x => !new[] { "ErrorKey", "SecretVault", "SecretName", "SecretLocation" }.Contains(x.Property.Name))
                .Select(x => x.Type.Name + "." + x.Property.Name)
                .ToList();
            Assert.Empty(offenders);
        }
    }
}
