using System.Management.Automation;

namespace JelouPS.Infrastructure
{
    /// <summary>
    /// Refuses, in words of its own, a -Context that crossed into another process (Start-Job, Invoke-Command,
    /// Import-Clixml): deserialized, it is only a property bag, which holds no credential and cannot send a request.
    /// PowerShell's own conversion error would say only that the type does not convert.
    /// </summary>
    internal sealed class LiveContextAttribute : ArgumentTransformationAttribute
    {
        public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
        {
            if (inputData is PSObject wrapped && !(wrapped.BaseObject is JelouContext) && wrapped.TypeNames.Contains("Deserialized." + typeof(JelouContext).FullName))
            {
                throw new ArgumentTransformationMetadataException(
                    "This connection was made in another process (it came through Start-Job, Invoke-Command or Import-Clixml), and a connection does not cross " +
                    "processes: it carries no credential. Run Connect-Jelou in the job itself (ForEach-Object -Parallel and thread jobs, in this process, take -Context $using:context).");
            }
            return inputData;
        }
    }
}
