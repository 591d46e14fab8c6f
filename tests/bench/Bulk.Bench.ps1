<#
    Bulk speed and memory, side by side in one run, against the local emulator with a latency added to every API
    request (a gateway some distance away): sequential vs -ThrottleLimit vs a hand-written ForEach-Object -Parallel
    over the same connection, the peak managed memory of a bulk read of 1,000 and of 5,000 items, and the pause of a
    garbage collection as the session issues -GrowBy more secrets, twice (it keeps each one), and a Save of 100 then 400 unsaved
    secrets into SecretManagement's stand-in vault. Writes bulk.md and bulk.json to
    -OutPath. Run by ./build.ps1 -Task Bench.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $EmulatorDll,
    [Parameter(Mandatory)] [string] $OutPath,
    [int] $Count = 1000,
    [int] $ThrottleLimit = 8,
    [int] $LatencyMs = 20,
    [int] $GrowBy = 10000
)
$ErrorActionPreference = 'Stop'
. (Join-Path $PSScriptRoot 'BenchSupport.ps1')
$ProgressPreference = 'SilentlyContinue'
# As installed: ForEach-Object -Parallel's runspaces find the module by name.
$env:PSModulePath = (Split-Path (Resolve-Path $ModulePath)) + [IO.Path]::PathSeparator + $env:PSModulePath
Import-Module (Resolve-Path $ModulePath).Path
Import-Module (Join-Path $PSScriptRoot '../JelouEmulator.psm1')
$emulator = Start-JelouEmulator -EmulatorDll $EmulatorDll
try {
    Invoke-JelouEmulatorControl $emulator 'latency' -Method PUT -Body @{ ms = $LatencyMs } | Out-Null
    $context = Connect-Jelou -ApiKey $emulator.ApiKey -BaseUri $emulator.GatewayUri -ChatbotUri $emulator.ChatbotUri -PassThru
    $run = [guid]::NewGuid().ToString('N').Substring(0, 6)
    function Get-Ids([string] $Kind, [int] $N) { 1..$N | ForEach-Object { "bench-$run-$Kind-$_" } }

    # Warm-up: JIT, the connection pool, the emulator.
    Get-Ids 'warm' 50 | New-JelouExternalSupport -WebhookUrl https://crm.example.com/j -ThrottleLimit $ThrottleLimit | Out-Null

    # The pause of a gen-0 collection while the process allocates short-lived objects (as any command does), the median of
    # five runs. The session keeps every secret it issued (in no vault: $JelouUnsavedIntegrations; in one: each project's
    # latest), so what it keeps per secret must not make each collection longer.
    $growth = [System.Collections.Generic.List[object]]::new()
    function Measure-Collection([string] $Urls = '') {
        [GC]::Collect(); [GC]::WaitForPendingFinalizers(); [GC]::Collect()
        $runs = foreach ($run in 1..5) {
            $paused = [GC]::GetTotalPauseDuration(); $collections = [GC]::CollectionCount(0)
            for ($k = 0; $k -lt 2000; $k++) { $null = [byte[]]::new(30000); $null = [object[]]::new(200) }
            ([GC]::GetTotalPauseDuration() - $paused).TotalMilliseconds * 1000 / [math]::Max(1, [GC]::CollectionCount(0) - $collections)
        }
        $growth.Add([pscustomobject]@{ Issued = $script:issued; LastUrls = $Urls; PauseMicroseconds = [math]::Round((Get-Median $runs), 1) })
    }
    $script:issued = 51
    Measure-Collection 'plain'

    $rows = [System.Collections.Generic.List[object]]::new()
    function Measure-Case([string] $Name, [scriptblock] $Body) {
        [GC]::Collect()
        $clock = [Diagnostics.Stopwatch]::StartNew()
        & $Body
        $clock.Stop()
        $rows.Add([pscustomobject]@{ Case = $Name; Items = $Count; Seconds = [math]::Round($clock.Elapsed.TotalSeconds, 2); PerSecond = [math]::Round($Count / $clock.Elapsed.TotalSeconds, 1) })
    }

    Measure-Case 'New-JelouExternalSupport, sequential' { Get-Ids 'seq' $Count | New-JelouExternalSupport -WebhookUrl https://crm.example.com/j | Out-Null }
    Measure-Case "New-JelouExternalSupport -ThrottleLimit $ThrottleLimit" { Get-Ids 'bulk' $Count | New-JelouExternalSupport -WebhookUrl https://crm.example.com/j -ThrottleLimit $ThrottleLimit | Out-Null }
    Measure-Case "ForEach-Object -Parallel -ThrottleLimit $ThrottleLimit" {
        Get-Ids 'par' $Count | ForEach-Object -ThrottleLimit $ThrottleLimit -Parallel {
            New-JelouExternalSupport $_ -WebhookUrl https://crm.example.com/j -Context $using:context
        } | Out-Null
    }
    $sequential = $rows[0].Seconds
    foreach ($row in $rows) { $row | Add-Member Speedup ([math]::Round($sequential / $row.Seconds, 2)) }
    $script:issued += 3 * $Count
    Measure-Collection 'plain'
    Invoke-JelouEmulatorControl $emulator 'latency' -Method PUT -Body @{ ms = 0 } | Out-Null
    Get-Ids 'grow' $GrowBy | New-JelouExternalSupport -WebhookUrl https://crm.example.com/j -ThrottleLimit $ThrottleLimit | Out-Null
    $script:issued += $GrowBy
    Measure-Collection 'plain'
    # A key in the URL's query (Azure Functions' ?code=), which no view shows: what hides it from PowerShell's own list is
    # kept on the integration itself, wherever it goes, and that costs each collection as in 0.4.8.
    Get-Ids 'keyed' $GrowBy | New-JelouExternalSupport -WebhookUrl 'https://fn.example.net/api/jelou?code=bench' -ThrottleLimit $ThrottleLimit | Out-Null
    $script:issued += $GrowBy
    Measure-Collection 'with ?code='
    Invoke-JelouEmulatorControl $emulator 'latency' -Method PUT -Body @{ ms = $LatencyMs } | Out-Null
    foreach ($point in $growth) { $point | Add-Member Ratio ([math]::Round($point.PauseMicroseconds / $growth[0].PauseMicroseconds, 2)) }

    # Memory: the peak of managed memory above the start while a bulk read streams through, for two sizes.
    $memory = foreach ($n in 1000, 5000) {
        $ids = Get-Ids 'bulk' $Count
        [GC]::Collect(); [GC]::WaitForPendingFinalizers(); [GC]::Collect()
        $start = [GC]::GetTotalMemory($true)
        $peak = $start
        $seen = 0
        1..$n | ForEach-Object { $ids[$_ % $ids.Count] } | Get-JelouExternalSupport -ThrottleLimit $ThrottleLimit | ForEach-Object {
            if ((++$seen % 100) -eq 0) { $peak = [math]::Max($peak, [GC]::GetTotalMemory($false)) }
        }
        [pscustomobject]@{ Items = $n; PeakAboveStartMB = [math]::Round(($peak - $start) / 1MB, 1) }
    }

    # Saving many unsaved secrets into a vault, without latency: SecretManagement's stand-in (tests/modules, a script module
    # as most extensions are), three batches into one vault (the first, of 20, warms up and is not shown). Each project gets
    # a listing of the whole vault, made just before deciding for it, so the time per secret grows with the vault.
    Invoke-JelouEmulatorControl $emulator 'latency' -Method PUT -Body @{ ms = 0 } | Out-Null
    Import-Module (Join-Path $PSScriptRoot '../modules/Microsoft.PowerShell.SecretManagement')
    Reset-StandInSecretStore
    Register-StandInVault -Name BenchVault
    $saves = foreach ($n in 20, 100, 400) {
        $unsaved = Get-Ids "vault$n" $n | New-JelouExternalSupport -WebhookUrl https://crm.example.com/j -ThrottleLimit $ThrottleLimit -WarningAction SilentlyContinue
        Clear-StandInCallLog
        $clock = [Diagnostics.Stopwatch]::StartNew()
        $null = $unsaved | Save-JelouSigningSecret -Vault BenchVault
        $clock.Stop()
        $lookups = @(Get-StandInCallLog Get-SecretInfo)
        [pscustomobject]@{ Secrets = $n; MsPerSecret = [math]::Round($clock.Elapsed.TotalMilliseconds / $n, 2)
            LookupsPerSecret = [math]::Round($lookups.Count / $n, 2); Listings = @($lookups | Where-Object Name -eq '*').Count }
    }
    $saves = $saves | Select-Object -Skip 1  # the first warms up the stand-in and the Save

    $machine = Get-BenchMachine
    $result = [ordered]@{ Machine = $machine; LatencyMs = $LatencyMs; ThrottleLimit = $ThrottleLimit; Runs = $rows; Memory = @($memory); SessionGrowth = @($growth); VaultSave = @($saves) }
    Write-BenchResult $OutPath 'bulk' $result @(
        "### Bulk: $Count creates, emulator with $LatencyMs ms latency per request"
        ''
        "Machine: $machine"
        ''
        '| case | seconds | per second | speed-up |'
        '|---|---:|---:|---:|'
        $rows | ForEach-Object { "| $($_.Case) | $($_.Seconds) | $($_.PerSecond) | $($_.Speedup)x |" }
        ''
        "| bulk read, -ThrottleLimit $ThrottleLimit | peak managed memory above start |"
        '|---|---:|'
        $memory | ForEach-Object { "| $($_.Items) items | $($_.PeakAboveStartMB) MB |" }
        ''
        '| secrets issued in the session | webhook URL of the last ones | pause per gen-0 collection | vs the first |'
        '|---:|---|---:|---:|'
        $growth | ForEach-Object { "| $($_.Issued.ToString('N0', [cultureinfo]::InvariantCulture)) | $($_.LastUrls) | $($_.PauseMicroseconds) µs | $($_.Ratio)x |" }
        ''
        '| Save-JelouSigningSecret -Vault (stand-in, no latency) of | ms per secret | Get-SecretInfo calls per secret | of them listing the whole vault |'
        '|---:|---:|---:|---:|'
        $saves | ForEach-Object { "| $($_.Secrets) unsaved secrets | $($_.MsPerSecret) | $($_.LookupsPerSecret) | $($_.Listings) |" }
    )
}
finally {
    $emulator | Stop-JelouEmulator
}
