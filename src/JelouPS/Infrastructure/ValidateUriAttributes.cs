using System;
using System.Management.Automation;

namespace JelouPS.Infrastructure
{
    /// <summary>Checks a URL parameter during binding, with a rule of the client's, so a bad URL fails before any request or prompt.</summary>
    internal abstract class ValidateUriAttribute : ValidateArgumentsAttribute
    {
        protected override void Validate(object arguments, EngineIntrinsics engineIntrinsics)
        {
            // The binder has converted the argument to the parameter's type; null is for ValidateNotNull to refuse.
            if (!((arguments is PSObject wrapped ? wrapped.BaseObject : arguments) is Uri uri)) return;
            try
            {
                Check(uri);
            }
            catch (ArgumentException ex)
            {
                // The binder already names the parameter.
                throw new ValidationMetadataException(ErrorMapper.WithoutParameterName(ex));
            }
        }

        /// <summary>Throws ArgumentException when <paramref name="uri"/> breaks the rule.</summary>
        private protected abstract void Check(Uri uri);
    }

    /// <summary><see cref="JelouUris.RequireSecure(Uri, string)"/>: https, plain http only on loopback.</summary>
    internal sealed class ValidateSecureUriAttribute : ValidateUriAttribute
    {
        private protected override void Check(Uri uri) => JelouUris.RequireSecure(uri, "uri");
    }

    /// <summary><see cref="ProxySettings.RequireProxyAddress"/>: an http or https proxy, with no user information.</summary>
    internal sealed class ValidateProxyUriAttribute : ValidateUriAttribute
    {
        private protected override void Check(Uri uri) => ProxySettings.RequireProxyAddress(uri, "uri");
    }
}
