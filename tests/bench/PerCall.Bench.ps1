<#
    Cost per call, side by side in one run against the local emulator (no added latency): Get- and
    New-JelouExternalSupport vs Invoke-RestMethod (plain and with -WebSession) vs one shared HttpClient
    driven from a PowerShell loop with ConvertFrom-Json (the best a hand-written script does) and from C#
    (the floor). Writes percall.md and percall.json to -OutPath. Run by ./build.ps1 -Task Bench.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $EmulatorDll,
    [Parameter(Mandatory)] [string] $OutPath,
    [int] $Calls = 500
)
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
Import-Module (Resolve-Path $ModulePath).Path
Import-Module (Join-Path $PSScriptRoot '../JelouEmulator.psm1')
Add-Type -TypeDefinition @'
using System;
using System.Diagnostics;
using System.Net.Http;
using System.Text;
public static class JelouBenchFloor
{
    // The floor: the same requests from C#, over one shared HttpClient, body read and parsed.
    public static double MillisecondsPerCall(HttpClient http, Func<int, HttpRequestMessage> request, int calls)
    {
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < calls; i++)
        {
            using (HttpRequestMessage message = request(i))
            using (HttpResponseMessage response = http.SendAsync(message).GetAwaiter().GetResult())
            {
                byte[] body = response.Content.ReadAsByteArrayAsync().GetAwaiter().GetResult();
                using (System.Text.Json.JsonDocument.Parse(body)) { }
            }
        }
        return clock.Elapsed.TotalMilliseconds / calls;
    }
}
'@ -ReferencedAssemblies System.Net.Http, System.Text.Json, System.Memory, System.Net.Primitives, System.Runtime, System.Console, System.Linq, System.Collections
$emulator = Start-JelouEmulator -EmulatorDll $EmulatorDll
try {
    Connect-Jelou -ApiKey $emulator.ApiKey -BaseUri $emulator.GatewayUri -ChatbotUri $emulator.ChatbotUri
    $base = "$($emulator.GatewayUri)/v1/external-support"
    $headers = @{ 'x-api-key' = $emulator.ApiKey }
    $body = '{"webhookUrl":"https://crm.example.com/j","authType":"no_auth"}'
    $run = [guid]::NewGuid().ToString('N').Substring(0, 6)
    $read = "bench-$run-read"
    New-JelouExternalSupport $read https://crm.example.com/j | Out-Null
    $http = [System.Net.Http.HttpClient]::new()
    $http.DefaultRequestHeaders.Add('x-api-key', $emulator.ApiKey)
    $session = $null
    Invoke-RestMethod "$base/$read" -Headers $headers -SessionVariable session | Out-Null

    function Measure-PerCall([scriptblock] $Call) {
        & $Call 0 | Out-Null   # warm-up
        [GC]::Collect()
        $clock = [Diagnostics.Stopwatch]::StartNew()
        for ($i = 1; $i -le $Calls; $i++) { & $Call $i | Out-Null }
        [math]::Round($clock.Elapsed.TotalMilliseconds / $Calls, 3)
    }
    $kinds = [ordered]@{}
    $kinds['GET'] = [ordered]@{
        'Get-JelouExternalSupport'            = Measure-PerCall { Get-JelouExternalSupport $read }
        'Invoke-RestMethod'                   = Measure-PerCall { Invoke-RestMethod "$base/$read" -Headers $headers }
        'Invoke-RestMethod -WebSession'       = Measure-PerCall { Invoke-RestMethod "$base/$read" -WebSession $session }
        'HttpClient + ConvertFrom-Json (PowerShell loop)' = Measure-PerCall { $http.GetStringAsync("$base/$read").GetAwaiter().GetResult() | ConvertFrom-Json }
        'HttpClient from C# (floor)'          = [math]::Round([JelouBenchFloor]::MillisecondsPerCall($http, [Func[int, System.Net.Http.HttpRequestMessage]] { param($i) [System.Net.Http.HttpRequestMessage]::new('GET', "$base/$read") }, $Calls), 3)
    }
    $kinds['create'] = [ordered]@{
        'New-JelouExternalSupport'            = Measure-PerCall { param($i) New-JelouExternalSupport "bench-$run-m-$i" https://crm.example.com/j }
        'Invoke-RestMethod'                   = Measure-PerCall { param($i) Invoke-RestMethod "$base/bench-$run-i-$i" -Method Post -Headers $headers -Body $body -ContentType application/json }
        'Invoke-RestMethod -WebSession'       = Measure-PerCall { param($i) Invoke-RestMethod "$base/bench-$run-w-$i" -Method Post -WebSession $session -Body $body -ContentType application/json }
        'HttpClient + ConvertFrom-Json (PowerShell loop)' = Measure-PerCall { param($i)
            $content = [System.Net.Http.StringContent]::new($body, [Text.Encoding]::UTF8, 'application/json')
            $http.PostAsync("$base/bench-$run-h-$i", $content).GetAwaiter().GetResult().Content.ReadAsStringAsync().GetAwaiter().GetResult() | ConvertFrom-Json }
        'HttpClient from C# (floor)'          = [math]::Round([JelouBenchFloor]::MillisecondsPerCall($http, [Func[int, System.Net.Http.HttpRequestMessage]] { param($i)
            $m = [System.Net.Http.HttpRequestMessage]::new('POST', "$base/bench-$run-c-$i"); $m.Content = [System.Net.Http.StringContent]::new($body, [Text.Encoding]::UTF8, 'application/json'); $m }, $Calls), 3)
    }

    $machine = "$([Environment]::ProcessorCount) cores, $([System.Runtime.InteropServices.RuntimeInformation]::OSDescription), PowerShell $($PSVersionTable.PSVersion), .NET $([Environment]::Version)"
    New-Item -ItemType Directory $OutPath -Force | Out-Null
    [ordered]@{ Machine = $machine; Calls = $Calls; MillisecondsPerCall = $kinds } | ConvertTo-Json -Depth 5 | Set-Content (Join-Path $OutPath 'percall.json')
    $lines = @("### Per call: $Calls sequential calls each, emulator without latency", '', "Machine: $machine", '', '| call | way | ms per call | vs Invoke-RestMethod |', '|---|---|---:|---:|')
    foreach ($kind in $kinds.Keys) {
        $irm = $kinds[$kind]['Invoke-RestMethod']
        foreach ($way in $kinds[$kind].Keys) { $lines += "| $kind | $way | $($kinds[$kind][$way]) | $([math]::Round($kinds[$kind][$way] / $irm, 2))x |" }
    }
    $md = $lines -join "`n"
    Set-Content (Join-Path $OutPath 'percall.md') $md
    $md
}
finally {
    $emulator | Stop-JelouEmulator
}
