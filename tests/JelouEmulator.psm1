<#
    Starts and stops the local Jelou emulator (src/JelouPS.Emulator) as a child process, for the
    Pester suite and the demo. The emulator prints its address as its first line and exits when its
    standard input closes, so it never outlives the PowerShell that started it.
#>
Set-StrictMode -Version 3.0

function Start-JelouEmulator {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] [string] $EmulatorDll,
        [ValidateSet('envelope', 'flat')] [string] $Shape = 'envelope',
        [int] $StartTimeoutSec = 60
    )
    if (-not (Test-Path $EmulatorDll)) { throw "The emulator is not built: $EmulatorDll is missing. Run dotnet pwsh ./build.ps1 -Task Build." }

    $info = [System.Diagnostics.ProcessStartInfo]::new('dotnet')
    foreach ($argument in $EmulatorDll, '--urls', 'http://127.0.0.1:0', '--shape', $Shape, '--exit-on-stdin-close') {
        $info.ArgumentList.Add($argument)
    }
    $info.UseShellExecute = $false
    $info.RedirectStandardInput = $true
    $info.RedirectStandardOutput = $true
    $process = [System.Diagnostics.Process]::Start($info)

    $firstLine = $process.StandardOutput.ReadLineAsync()
    if (-not $firstLine.Wait([timespan]::FromSeconds($StartTimeoutSec)) -or $firstLine.Result -notmatch 'listening on (?<url>http://\S+)') {
        $process.Kill()
        throw "The emulator did not start within $StartTimeoutSec s (first line: '$($firstLine.Result)')."
    }
    $base = [uri]$Matches.url
    [pscustomobject]@{
        PSTypeName  = 'JelouPS.Tests.Emulator'
        Process     = $process
        BaseAddress = $base
        GatewayUri  = [uri]::new($base, 'jelouapi')
        ChatbotUri  = $base
        ApiKey      = 'emulator-api-key'
    }
}

function Stop-JelouEmulator {
    [CmdletBinding()]
    param([Parameter(Mandatory, ValueFromPipeline)] $Emulator)
    process {
        $Emulator.Process.StandardInput.Close()
        if (-not $Emulator.Process.WaitForExit(10000)) { $Emulator.Process.Kill() }
        $Emulator.Process.Dispose()
    }
}

# Calls one of the emulator's /_emulator control endpoints (request log, faults, shape, reset).
function Invoke-JelouEmulatorControl {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] $Emulator,
        [Parameter(Mandatory)] [string] $Path,
        [string] $Method = 'GET',
        $Body
    )
    $request = @{ Uri = [uri]::new($Emulator.BaseAddress, "_emulator/$Path"); Method = $Method }
    if ($PSBoundParameters.ContainsKey('Body')) {
        $request.Body = $Body | ConvertTo-Json -Depth 10 -Compress
        $request.ContentType = 'application/json'
    }
    # Invoke-RestMethod writes a JSON array as one object; unroll it so Where-Object sees each item.
    Invoke-RestMethod @request | ForEach-Object { $_ }
}

# A webhook receiver on 127.0.0.1 (what a provider's CRM would run), to watch Jelou's signed events arrive.
function Start-TestWebhookReceiver {
    # HttpListener needs a concrete port: take a free one, and take another if something grabbed it meanwhile.
    for ($attempt = 1; ; $attempt++) {
        $probe = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
        $probe.Start()
        $port = $probe.LocalEndpoint.Port
        $probe.Stop()
        $listener = [System.Net.HttpListener]::new()
        $listener.Prefixes.Add("http://127.0.0.1:$port/hooks/jelou/")
        try {
            $listener.Start()
            return [pscustomobject]@{ Listener = $listener; Url = [uri]"http://127.0.0.1:$port/hooks/jelou/" }
        }
        catch [System.Net.HttpListenerException] {
            $listener.Close()
            if ($attempt -ge 5) { throw }
        }
    }
}

# Waits for the next delivery, answers 200, and returns its raw body and headers.
function Receive-TestWebhook {
    param([Parameter(Mandatory)] $Receiver, [int] $TimeoutSec = 15)
    $pending = $Receiver.Listener.GetContextAsync()
    if (-not $pending.Wait([timespan]::FromSeconds($TimeoutSec))) { throw "No webhook delivery within $TimeoutSec s." }
    $context = $pending.Result
    $buffer = [System.IO.MemoryStream]::new()
    $context.Request.InputStream.CopyTo($buffer)
    $context.Response.StatusCode = 200
    $context.Response.Close()
    [pscustomobject]@{
        Body          = $buffer.ToArray()
        Signature     = $context.Request.Headers['X-Jelou-Signature']
        Authorization = $context.Request.Headers['Authorization']
        ApiKey        = $context.Request.Headers['X-API-Key']
    }
}

function Stop-TestWebhookReceiver {
    param([Parameter(Mandatory, ValueFromPipeline)] $Receiver)
    process { $Receiver.Listener.Close() }
}

Export-ModuleMember -Function Start-JelouEmulator, Stop-JelouEmulator, Invoke-JelouEmulatorControl, Start-TestWebhookReceiver, Receive-TestWebhook, Stop-TestWebhookReceiver
