using System;
using System.Management.Automation;

namespace JelouPS.Infrastructure
{
    /// <summary>Binding-time check of <see cref="JelouUris.RequireSecure(Uri, string)"/>, so a bad URL fails before any request or prompt.</summary>
    internal sealed class ValidateSecureUriAttribute : ValidateArgumentsAttribute
    {
        protected override void Validate(object arguments, EngineIntrinsics engineIntrinsics)
        {
            object value = arguments is PSObject wrapped ? wrapped.BaseObject : arguments;
            try
            {
                if (value is Uri uri) JelouUris.RequireSecure(uri, "uri");
                else JelouUris.RequireSecure(value?.ToString(), "uri");
            }
            catch (ArgumentException ex)
            {
                // The binder already names the parameter.
                throw new ValidationMetadataException(ErrorMapper.WithoutParameterName(ex));
            }
        }
    }
}
