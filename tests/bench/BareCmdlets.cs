// What PowerShell itself costs a cmdlet that calls the API: compiled cmdlets of Get- and New-JelouExternalSupport's shape
// that call the module's library and write its answer, and nothing else (no window of calls in flight, no session
// bookkeeping, no vault, no view). Loaded by the *.Bench.ps1 scripts with Add-Type; each sets Client (and Settings) first.
// The library lives in the module's load context, so it is called through reflection (a cached MethodInfo).
using System;
using System.Management.Automation;
using System.Reflection;
using System.Threading;
using System.Threading.Tasks;

public static class JelouBenchBare
{
    public static object Client;
    public static object Settings;

    // Each call's Task<T>.Result: the property is looked up once per method, as the method is.
    internal static object Call(ref MethodInfo method, ref PropertyInfo result, string name, object[] arguments)
    {
        if (method == null) method = Client.GetType().GetMethod(name);
        if (result == null) result = method.ReturnType.GetProperty("Result");
        var task = (Task)method.Invoke(Client, arguments);
        task.GetAwaiter().GetResult();
        return result.GetValue(task);
    }
}

public sealed class JelouBenchVaultParameters
{
    [Parameter] public string Vault { get; set; }
    [Parameter(ValueFromPipelineByPropertyName = true)] public string SecretName { get; set; }
}

// New-'s shape: two positional arguments, -Force, dynamic -Vault/-SecretName, ShouldProcess.
[Cmdlet(VerbsCommon.New, "JelouBenchBareCmdlet", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
public sealed class NewJelouBenchBareCmdletCommand : PSCmdlet, IDynamicParameters
{
    private static MethodInfo s_create;
    private static PropertyInfo s_created;
    private readonly JelouBenchVaultParameters _vault = new JelouBenchVaultParameters();

    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string ProjectId { get; set; }

    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNull]
    public Uri WebhookUrl { get; set; }

    [Parameter] public SwitchParameter Force { get; set; }

    public object GetDynamicParameters() { return _vault; }

    protected override void ProcessRecord()
    {
        if (!ShouldProcess(ProjectId, "Create")) return;
        WriteObject(JelouBenchBare.Call(ref s_create, ref s_created, "CreateExternalSupportAsync", new object[] { ProjectId, JelouBenchBare.Settings, null, CancellationToken.None, null }));
    }
}

// Get-'s shape: one positional argument.
[Cmdlet(VerbsCommon.Get, "JelouBenchBareCmdlet")]
public sealed class GetJelouBenchBareCmdletCommand : PSCmdlet
{
    private static MethodInfo s_get;
    private static PropertyInfo s_got;

    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string ProjectId { get; set; }

    protected override void ProcessRecord()
    {
        WriteObject(JelouBenchBare.Call(ref s_get, ref s_got, "GetExternalSupportAsync", new object[] { ProjectId, null, CancellationToken.None, null }));
    }
}
