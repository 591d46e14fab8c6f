using System.Management.Automation;

namespace JelouPS.Infrastructure
{
    /// <summary>
    /// $JelouUnsavedIntegrations and $JelouUnknownOutcomes: live views of what <see cref="JelouSession"/> keeps for the
    /// process, set as global variables in each runspace by every JelouPS command. Not at import: a session state is
    /// reachable only from a running command, and a nested pipeline to reach one costs every import about 30 ms.
    /// </summary>
    internal static class SessionVariables
    {
        private static readonly UnsavedIntegrations Unsaved = new UnsavedIntegrations(JelouSession.Unsaved, integration => SecretIssuer.Issued((ExternalSupportIntegration)integration));

        private static readonly UnknownOutcomes Unknown = new UnknownOutcomes(JelouSession.Unknown);

        /// <summary>Sets both in the caller's runspace, unless they are already there.</summary>
        internal static void Show(PSCmdlet cmdlet)
        {
            if (!ReferenceEquals(cmdlet.SessionState.PSVariable.GetValue("global:" + JelouSession.UnsavedVariable), Unsaved))
            {
                cmdlet.SessionState.PSVariable.Set("global:" + JelouSession.UnsavedVariable, Unsaved);
            }
            if (!ReferenceEquals(cmdlet.SessionState.PSVariable.GetValue("global:" + JelouSession.UnknownVariable), Unknown))
            {
                cmdlet.SessionState.PSVariable.Set("global:" + JelouSession.UnknownVariable, Unknown);
            }
        }
    }
}
