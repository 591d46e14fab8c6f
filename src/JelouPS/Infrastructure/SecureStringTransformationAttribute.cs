using System.Management.Automation;
using System.Security;
using JelouPS.Security;

namespace JelouPS.Infrastructure
{
    /// <summary>
    /// Lets a SecureString parameter take a plain string too: runbooks read keys from automation
    /// variables as strings. The string is converted during binding and never kept.
    /// </summary>
    internal sealed class SecureStringTransformationAttribute : ArgumentTransformationAttribute
    {
        public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
        {
            object? value = inputData is PSObject wrapped ? wrapped.BaseObject : inputData;
            return value switch
            {
                string text => SecureStrings.FromString(text),
                PSCredential credential => credential.Password,
                _ => value,
            };
        }
    }
}
