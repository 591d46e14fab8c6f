<#
    What Get- and New-JelouExternalSupport cost per call beyond what PowerShell itself costs a cmdlet, without a network:
    the module's client answers from memory (an HttpMessageHandler that replays Jelou's answers, given through the client's
    internal constructor and made the session's connection), so the microseconds a socket and a server add to every call
    (and vary by, on a busy host) do not hide the few the module's own work takes.

    Side by side, in one run, the same rounds as PerCall.Bench.ps1: each cmdlet; a bare compiled cmdlet of its shape that
    calls the library and writes the answer (BareCmdlets.cs: what PowerShell costs any cmdlet); the library from a
    PowerShell loop; and one HttpClient over the same handler driven from a PowerShell loop with ConvertFrom-Json. The
    cmdlet's own work is its time over the bare cmdlet's, round by round: the window that settles calls in input order and
    writes their -Verbose lines (issue 10: at most 10 µs with -Verbose and -Debug off), the session's bookkeeping, the
    views and, for a create, the issued secret's record. Writes overhead.md and overhead.json to -OutPath. Run by
    ./build.ps1 -Task Bench.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $OutPath,
    [int] $Calls = 2000,
    [int] $Rounds = 40,
    [int] $WarmupRounds = 10
)
$ErrorActionPreference = 'Stop'
. (Join-Path $PSScriptRoot 'BenchSupport.ps1')
$ProgressPreference = 'SilentlyContinue'
# A create's answer tells that the secret is in no vault, once per runspace.
$WarningPreference = 'SilentlyContinue'
Import-Module (Resolve-Path $ModulePath).Path
Import-Module (Add-Type -PassThru -Path (Join-Path $PSScriptRoot 'BareCmdlets.cs') | Select-Object -First 1).Assembly
Add-Type -TypeDefinition @'
using System.Net;
using System.Net.Http;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

// Jelou's answers (jelou-api.md §4.1, §4.2), for the project the request's path names.
public sealed class JelouBenchReplay : HttpMessageHandler
{
    private const string Integration = "\"id\":\"9e6d801bede77ecfbdd4e66c\",\"brainId\":\"{0}\",\"webhookUrl\":\"https://crm.example.com/j\",\"authType\":\"no_auth\"";

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        string path = request.RequestUri.AbsolutePath;
        string project = path.Substring(path.LastIndexOf('/') + 1);
        string body = request.Method == HttpMethod.Post
            ? "{\"message\":[\"Integration created successfully\"],\"statusMessage\":\"success\",\"status\":1,\"data\":{" + string.Format(Integration, project) +
              ",\"signingSecret\":\"7fa4178b8773c072e4d8e47a181a65d85ef905eff24f0a304d0554143668f88e\",\"createdAt\":\"2026-11-30T18:42:06.193Z\"}}"
            : "{\"message\":[\"Integration found\"],\"statusMessage\":\"success\",\"status\":1,\"data\":{" + string.Format(Integration, project) +
              ",\"createdAt\":\"2026-11-30T18:42:06.193Z\",\"updatedAt\":\"2026-11-30T18:42:06.193Z\"}}";
        return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(body, Encoding.UTF8, "application/json"), RequestMessage = request });
    }
}
'@ -ReferencedAssemblies System.Net.Http, System.Net.Primitives, System.Runtime, System.Text.Encoding.Extensions

$base = 'http://127.0.0.1:9/jelouapi'
$handler = [JelouBenchReplay]::new()
$options = [JelouPS.JelouClientOptions]::new([JelouPS.JelouApiKeyCredential]::new((ConvertTo-SecureString 'bench-api-key' -AsPlainText -Force)))
$options.BaseUri = $base
# The client's constructor for tests (options, handler, retry delay, stop grace) and the session's connection are
# internal: a change of either fails here, by name.
$nonPublic = [Reflection.BindingFlags]'NonPublic, Instance'
$client = [JelouPS.JelouClient].GetConstructor($nonPublic, $null, [type[]]@([JelouPS.JelouClientOptions], [System.Net.Http.HttpMessageHandler], [Func[TimeSpan, Threading.CancellationToken, Threading.Tasks.Task]], [Nullable[TimeSpan]]), $null).
    Invoke(@($options, $handler, $null, $null))
$context = [JelouPS.JelouContext].GetConstructor($nonPublic, $null, [type[]]@([JelouPS.JelouClient]), $null).Invoke(@($client))
[JelouPS.JelouContext].Assembly.GetType('JelouPS.Infrastructure.JelouSession', $true).
    GetMethod('Set', [Reflection.BindingFlags]'NonPublic, Static').Invoke($null, @([runspace]::DefaultRunspace, $context))
$settings = [JelouPS.ExternalSupportSettings]@{ WebhookUrl = 'https://crm.example.com/j' }
[JelouBenchBare]::Client = $client
[JelouBenchBare]::Settings = $settings
$http = [System.Net.Http.HttpClient]::new($handler, $false)
$http.DefaultRequestHeaders.Add('x-api-key', 'bench-api-key')
$body = '{"webhookUrl":"https://crm.example.com/j","authType":"no_auth"}'
$gateway = "$base/v1/external-support"
$run = [guid]::NewGuid().ToString('N').Substring(0, 6)
$read = "bench-$run-read"

$bare = @{ GET = 'Bare cmdlet of Get-''s shape calling JelouClient'; create = 'Bare cmdlet of New-''s shape calling JelouClient' }
$cmdlet = @{ GET = 'Get-JelouExternalSupport'; create = 'New-JelouExternalSupport' }
$loop = 'HttpClient + ConvertFrom-Json (PowerShell loop)'
$ways = [ordered]@{
    GET    = [ordered]@{
        $cmdlet.GET                                = { Get-JelouExternalSupport $read }
        $bare.GET                                  = { Get-JelouBenchBareCmdlet $read }
        'JelouClient (PowerShell loop, no cmdlet)' = { $client.GetExternalSupportAsync($read).GetAwaiter().GetResult() }
        $loop                                      = { $http.GetStringAsync("$gateway/$read").GetAwaiter().GetResult() | ConvertFrom-Json }
    }
    create = [ordered]@{
        $cmdlet.create                             = { param($i) New-JelouExternalSupport "bench-$run-m-$i" https://crm.example.com/j }
        $bare.create                               = { param($i) New-JelouBenchBareCmdlet "bench-$run-b-$i" https://crm.example.com/j }
        'JelouClient (PowerShell loop, no cmdlet)' = { param($i) $client.CreateExternalSupportAsync("bench-$run-l-$i", $settings).GetAwaiter().GetResult() }
        $loop                                      = { param($i)
            $content = [System.Net.Http.StringContent]::new($body, [Text.Encoding]::UTF8, 'application/json')
            $http.PostAsync("$gateway/bench-$run-h-$i", $content).GetAwaiter().GetResult().Content.ReadAsStringAsync().GetAwaiter().GetResult() | ConvertFrom-Json }
    }
}
$samples = Invoke-BenchRounds $ways -Calls $Calls -Rounds $Rounds -WarmupRounds $WarmupRounds

$results = [ordered]@{}
foreach ($kind in $ways.Keys) {
    $results[$kind] = [ordered]@{}
    foreach ($way in $ways[$kind].Keys) {
        $s = $samples["$kind|$way"]
        $results[$kind][$way] = [ordered]@{
            MicrosecondsPerCall         = [math]::Round((Get-Median $s.Ms) * 1000, 1)
            KilobytesPerCall            = [math]::Round((Get-Median $s.Bytes) / 1KB, 1)
            MicrosecondsOverBareCmdlet  = Get-Difference $s $samples["$kind|$($bare[$kind])"]
            VsPowerShellLoop            = Get-Ratio $s $samples["$kind|$loop"]
            Rounds                      = @($s.Ms | ForEach-Object { [math]::Round($_ * 1000, 1) })
        }
    }
}

$machine = Get-BenchMachine
$lines = @(
    "### The cmdlets' own work per call: median of $Rounds rounds of $Calls sequential calls (after $WarmupRounds warm-up rounds), answers from memory"
    ''
    "Machine: $machine"
    ''
    'No network: the client answers from memory, so what the cmdlet itself does is not lost in what a socket and a server add. Differences and ratios are taken within each round: the median of the rounds, in square brackets its 95% confidence interval, in round brackets the middle half of the rounds.'
    ''
    '| call | way | µs per call | KB allocated per call | µs over the bare cmdlet | vs PowerShell loop |'
    '|---|---|---:|---:|---:|---:|'
)
foreach ($kind in $results.Keys) {
    foreach ($way in $results[$kind].Keys) {
        $r = $results[$kind][$way]
        $over = if ($way -eq $bare[$kind]) { '0' } else { '{0:0.0} [{1:0.0} to {2:0.0}] ({3:0.0} to {4:0.0})' -f $r.MicrosecondsOverBareCmdlet.Median, $r.MicrosecondsOverBareCmdlet.MedianLow95, $r.MicrosecondsOverBareCmdlet.MedianHigh95, $r.MicrosecondsOverBareCmdlet.FirstQuartile, $r.MicrosecondsOverBareCmdlet.ThirdQuartile }
        $vsLoop = if ($way -eq $loop) { '1x' } else { '{0:0.00}x [{1:0.00}–{2:0.00}]' -f $r.VsPowerShellLoop.Median, $r.VsPowerShellLoop.MedianLow95, $r.VsPowerShellLoop.MedianHigh95 }
        $lines += "| $kind | $way | $($r.MicrosecondsPerCall) | $($r.KilobytesPerCall) | $over | $vsLoop |"
    }
}
Write-BenchResult $OutPath 'overhead' ([ordered]@{ Machine = $machine; Calls = $Calls; Rounds = $Rounds; WarmupRounds = $WarmupRounds; Ways = $results }) $lines
