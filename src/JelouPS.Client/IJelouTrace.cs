namespace JelouPS
{
    /// <summary>
    /// Receives the client's diagnostic lines. Lines are built from an allow-list (method, path, status,
    /// timing, request id, safe headers) and never carry a secret. Called from whatever thread runs the
    /// request: a PowerShell host must queue them and write them from the pipeline thread.
    /// </summary>
    public interface IJelouTrace
    {
        void Verbose(string message);
        void Debug(string message);
    }
}
