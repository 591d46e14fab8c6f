<#
    Cost per call, side by side in one run against the local emulator (no added latency): Get- and
    New-JelouExternalSupport vs Invoke-RestMethod (plain and with -WebSession) vs one shared HttpClient driven from a
    PowerShell loop with ConvertFrom-Json (the best a hand-written script does) and from C# (the floor), and the
    module's own JelouClient driven from a PowerShell loop (the library without its cmdlet), and for creates, a bare compiled
    cmdlet of New-JelouExternalSupport's shape calling that client (what PowerShell costs a cmdlet that creates).

    The ways take turns, in a new random order each round: -WarmupRounds rounds that are thrown away (JIT tiering takes
    thousands of calls to settle, so a short cold run mostly measures the compiler), then -Rounds measured rounds of
    -Calls calls each. A way's figure is the median of its rounds: milliseconds and managed bytes allocated per call (the
    whole process, every thread). Its ratios to Invoke-RestMethod and to the PowerShell loop are taken within each round,
    so that a machine slowing down or speeding up during the run weighs on both sides alike: the median of the rounds'
    ratios, its 95% confidence interval (distribution-free, from order statistics; another run's median may fall wider),
    and the middle half of them (from the first quartile to the third) to show how much they vary.
    Also measured: whether the emulator's cost per request stays flat as the run issues thousands of secrets (its own time
    for each of the floor's GETs, which it answers in a Server-Timing header).
    Writes percall.md and percall.json to -OutPath. Run by ./build.ps1 -Task Bench.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $EmulatorDll,
    [Parameter(Mandatory)] [string] $OutPath,
    [int] $Calls = 100,
    [int] $Rounds = 40,
    [int] $WarmupRounds = 12
)
$ErrorActionPreference = 'Stop'
. (Join-Path $PSScriptRoot 'BenchSupport.ps1')
$ProgressPreference = 'SilentlyContinue'
Import-Module (Resolve-Path $ModulePath).Path
Import-Module (Join-Path $PSScriptRoot '../JelouEmulator.psm1')
Add-Type -TypeDefinition @'
using System;
using System.Net.Http;
public static class JelouBenchFloor
{
    // The emulator's own time for each request of the floor's since the last TakeEmulatorTimes (its Server-Timing), in ms.
    private static readonly System.Collections.Generic.List<double> s_emulatorTimes = new System.Collections.Generic.List<double>();

    // The floor: the same request from C#, over one shared HttpClient, body read and parsed.
    public static void Call(HttpClient http, HttpRequestMessage request)
    {
        using (request)
        using (HttpResponseMessage response = http.SendAsync(request).GetAwaiter().GetResult())
        {
            byte[] body = response.Content.ReadAsByteArrayAsync().GetAwaiter().GetResult();
            using (System.Text.Json.JsonDocument.Parse(body)) { }
            System.Collections.Generic.IEnumerable<string> timing;
            if (response.Headers.TryGetValues("Server-Timing", out timing))
            {
                foreach (string value in timing)
                {
                    int at = value.IndexOf("dur=", StringComparison.Ordinal);
                    if (at >= 0) s_emulatorTimes.Add(double.Parse(value.Substring(at + 4), System.Globalization.CultureInfo.InvariantCulture));
                }
            }
        }
    }

    public static double[] TakeEmulatorTimes()
    {
        double[] taken = s_emulatorTimes.ToArray();
        s_emulatorTimes.Clear();
        return taken;
    }

    public static void Repeat(Action<int> call, int from, int calls)
    {
        for (int i = from; i < from + calls; i++) call(i);
    }
}
'@ -ReferencedAssemblies System.Net.Http, System.Text.Json, System.Memory, System.Net.Primitives, System.Runtime, System.Console, System.Linq, System.Collections
Import-Module (Add-Type -PassThru -Path (Join-Path $PSScriptRoot 'BareCmdlets.cs') | Select-Object -First 1).Assembly
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
    $options = [JelouPS.JelouClientOptions]::new([JelouPS.JelouApiKeyCredential]::new((ConvertTo-SecureString $emulator.ApiKey -AsPlainText -Force)))
    $options.BaseUri = $emulator.GatewayUri
    $client = [JelouPS.JelouClient]::new($options)
    $settings = [JelouPS.ExternalSupportSettings]@{ WebhookUrl = 'https://crm.example.com/j' }
    [JelouBenchBare]::Client = $client
    [JelouBenchBare]::Settings = $settings
    $floorGet = [Action[int]] { param($i) [JelouBenchFloor]::Call($http, [System.Net.Http.HttpRequestMessage]::new('GET', "$base/$read")) }
    $floorCreate = [Action[int]] { param($i)
        $m = [System.Net.Http.HttpRequestMessage]::new('POST', "$base/bench-$run-c-$i")
        $m.Content = [System.Net.Http.StringContent]::new($body, [Text.Encoding]::UTF8, 'application/json')
        [JelouBenchFloor]::Call($http, $m) }

    # Each way is called with a number no other call of the run uses (creates need a new project each time).
    $ways = [ordered]@{
        GET    = [ordered]@{
            'Get-JelouExternalSupport'                        = { Get-JelouExternalSupport $read }
            'Get-JelouContext (a cmdlet that sends nothing)'  = { Get-JelouContext }
            'JelouClient (PowerShell loop, no cmdlet)'        = { $client.GetExternalSupportAsync($read).GetAwaiter().GetResult() }
            'Invoke-RestMethod'                               = { Invoke-RestMethod "$base/$read" -Headers $headers }
            'Invoke-RestMethod -WebSession'                   = { Invoke-RestMethod "$base/$read" -WebSession $session }
            'HttpClient + ConvertFrom-Json (PowerShell loop)' = { $http.GetStringAsync("$base/$read").GetAwaiter().GetResult() | ConvertFrom-Json }
            'HttpClient from C# (floor)'                      = { param($i, $n) [JelouBenchFloor]::Repeat($floorGet, $i, $n); $emulatorTimes.Add([JelouBenchFloor]::TakeEmulatorTimes()) }
        }
        create = [ordered]@{
            'New-JelouExternalSupport'                        = { param($i) New-JelouExternalSupport "bench-$run-m-$i" https://crm.example.com/j }
            'JelouClient (PowerShell loop, no cmdlet)'        = { param($i) $client.CreateExternalSupportAsync("bench-$run-l-$i", $settings).GetAwaiter().GetResult() }
            'Bare cmdlet of New-''s shape calling JelouClient' = { param($i) New-JelouBenchBareCmdlet "bench-$run-b-$i" https://crm.example.com/j }
            'Invoke-RestMethod'                               = { param($i) Invoke-RestMethod "$base/bench-$run-i-$i" -Method Post -Headers $headers -Body $body -ContentType application/json }
            'Invoke-RestMethod -WebSession'                   = { param($i) Invoke-RestMethod "$base/bench-$run-w-$i" -Method Post -WebSession $session -Body $body -ContentType application/json }
            'HttpClient + ConvertFrom-Json (PowerShell loop)' = { param($i)
                $content = [System.Net.Http.StringContent]::new($body, [Text.Encoding]::UTF8, 'application/json')
                $http.PostAsync("$base/bench-$run-h-$i", $content).GetAwaiter().GetResult().Content.ReadAsStringAsync().GetAwaiter().GetResult() | ConvertFrom-Json }
            'HttpClient from C# (floor)'                      = { param($i, $n) [JelouBenchFloor]::Repeat($floorCreate, $i, $n) }
        }
    }
    $floor = 'HttpClient from C# (floor)'
    # The emulator's own times of the floor's GETs, a list per round (warm-up rounds included); creates are not read.
    $emulatorTimes = [System.Collections.Generic.List[double[]]]::new()
    [void][JelouBenchFloor]::TakeEmulatorTimes()

    $samples = Invoke-BenchRounds $ways -Calls $Calls -Rounds $Rounds -WarmupRounds $WarmupRounds -Batched $floor
    # The emulator's cost per request as the run issues secrets: the floor's GET of the first and the last measured round.
    # Each round's GETs run before its creates: before round N, the run has issued (N - 1) rounds of creates and one secret.
    function Get-SecretsIssuedBefore([int] $Round) { 1 + ($Round - 1) * $Calls * $ways['create'].Count }
    # Its whole time includes what this process adds as it grows; the emulator's own time (its Server-Timing) does not.
    $floorGetRounds = $samples["GET|$floor"]
    $emulatorFlat = [ordered]@{
        SecretsIssued            = @((Get-SecretsIssuedBefore ($WarmupRounds + 1)), (Get-SecretsIssuedBefore ($WarmupRounds + $Rounds)))
        FloorGetMilliseconds     = @([math]::Round($floorGetRounds[0].Ms, 3), [math]::Round($floorGetRounds[-1].Ms, 3))
        EmulatorGetMicroseconds  = @($emulatorTimes[$WarmupRounds], $emulatorTimes[-1] | ForEach-Object { [math]::Round((Get-Median $_) * 1000, 1) })
    }

    $loop = 'HttpClient + ConvertFrom-Json (PowerShell loop)'
    $results = [ordered]@{}
    foreach ($kind in $ways.Keys) {
        $results[$kind] = [ordered]@{}
        foreach ($way in $ways[$kind].Keys) {
            $s = $samples["$kind|$way"]
            $results[$kind][$way] = [ordered]@{
                MillisecondsPerCall = [math]::Round((Get-Median $s.Ms), 3)
                KilobytesPerCall    = [math]::Round((Get-Median $s.Bytes) / 1KB, 1)
                VsInvokeRestMethod  = Get-Ratio $s $samples["$kind|Invoke-RestMethod"]
                VsPowerShellLoop    = Get-Ratio $s $samples["$kind|$loop"]
                Rounds              = @($s.Ms | ForEach-Object { [math]::Round($_, 3) })
            }
        }
    }

    $machine = Get-BenchMachine
    $lines = @(
        "### Per call: median of $Rounds rounds of $Calls sequential calls (after $WarmupRounds warm-up rounds), emulator without latency"
        ''
        "Machine: $machine"
        ''
        'Ratios are taken within each round (the ways take turns in a random order): the median of the rounds, in square brackets its 95% confidence interval (of this run''s median; another run''s may fall wider, as the host drifts), and in round brackets the middle half of the rounds (how much they vary).'
        ''
        '| call | way | ms per call | KB allocated per call | vs Invoke-RestMethod | vs PowerShell loop |'
        '|---|---|---:|---:|---:|---:|'
    )
    function Format-Ratio([string] $Way, [string] $Reference, $Ratio) {
        if ($Way -eq $Reference) { return '1x' }
        '{0:0.00}x [{1:0.00}–{2:0.00}] ({3:0.00}–{4:0.00})' -f $Ratio.Median, $Ratio.MedianLow95, $Ratio.MedianHigh95, $Ratio.FirstQuartile, $Ratio.ThirdQuartile
    }
    foreach ($kind in $results.Keys) {
        foreach ($way in $results[$kind].Keys) {
            $r = $results[$kind][$way]
            $lines += "| $kind | $way | $($r.MillisecondsPerCall) | $($r.KilobytesPerCall) | $(Format-Ratio $way 'Invoke-RestMethod' $r.VsInvokeRestMethod) | $(Format-Ratio $way $loop $r.VsPowerShellLoop) |"
        }
    }
    $lines += ''
    $lines += "Emulator cost per request as the run issues secrets: the emulator's own time for a GET of the C# floor's (its Server-Timing, the median of a round) was $($emulatorFlat.EmulatorGetMicroseconds[0]) µs in the first measured round ($($emulatorFlat.SecretsIssued[0]) secrets issued) and $($emulatorFlat.EmulatorGetMicroseconds[1]) µs in the last ($($emulatorFlat.SecretsIssued[1])); the floor's whole GET, which also carries what this process adds as it grows, took $($emulatorFlat.FloorGetMilliseconds[0]) and $($emulatorFlat.FloorGetMilliseconds[1]) ms."
    Write-BenchResult $OutPath 'percall' ([ordered]@{ Machine = $machine; Calls = $Calls; Rounds = $Rounds; WarmupRounds = $WarmupRounds; Ways = $results; Emulator = $emulatorFlat }) $lines
}
finally {
    $emulator | Stop-JelouEmulator
}
