# Shared by the *.Bench.ps1 scripts (dot-sourced): the machine line, medians, and writing a result.

# The machine a result was measured on, as every table names it.
function Get-BenchMachine {
    "$([Environment]::ProcessorCount) cores, $([System.Runtime.InteropServices.RuntimeInformation]::OSDescription), PowerShell $($PSVersionTable.PSVersion), .NET $([Environment]::Version)"
}

# Of an even count, the mean of the two middle values (the upper one alone leans high: 40 rounds give 40 ratios).
function Get-Median([double[]] $Values) {
    $sorted = [double[]]($Values | Sort-Object)
    $middle = [int][math]::Floor($sorted.Count / 2)
    if ($sorted.Count % 2) { $sorted[$middle] } else { ($sorted[$middle - 1] + $sorted[$middle]) / 2 }
}

# A 95% confidence interval of the median, distribution-free: the j-th smallest and j-th largest value, for the largest j
# where fewer than j of n values fall under the true median with chance at most 2.5% (the binomial distribution with
# p = 1/2; of 40 values, the 14th and the 27th: 96.2% coverage), taking the rounds as independent. It bounds this run's
# true median, where the middle half says how much the rounds vary; another run's median may fall wider (by about 1.4
# times, and more as the host drifts between runs).
function Get-MedianInterval([double[]] $Values) {
    $sorted = [double[]]($Values | Sort-Object)
    $n = $sorted.Count
    # P(B <= j - 1) for B ~ Binomial(n, 1/2), j rising while twice it stays within 5%.
    $term = [math]::Pow(0.5, $n)
    $cumulative = $term
    $j = 0
    while (2 * $cumulative -le 0.05) {
        $j++
        $term = $term * ($n - $j + 1) / $j
        $cumulative += $term
    }
    $j = [math]::Max($j, 1)
    [ordered]@{ Low = $sorted[$j - 1]; High = $sorted[$n - $j] }
}

# The value below which the fraction $Fraction of the values lie (nearest rank): 0.25 and 0.75 bound the middle half.
function Get-Quantile([double[]] $Values, [double] $Fraction) {
    $sorted = [double[]]($Values | Sort-Object)
    $sorted[[int][math]::Round($Fraction * ($sorted.Count - 1))]
}

# Runs the ways side by side: $Ways maps a kind of call (GET, create) to its ways, each a scriptblock given a number no
# other call of the run uses (creates need a new project each time). Each round every way, in a new random order, makes
# $Calls calls; a way named in $Batched is given (first number, count) once and makes its calls itself (from C#). The
# first $WarmupRounds rounds are thrown away: JIT tiering takes thousands of calls to settle. Returns, for each
# "kind|way", its measured rounds: milliseconds and managed bytes allocated (the whole process, every thread) per call.
# The ways' scriptblocks run in this function's scope, so they must not read variables of these names: $Ways, $Calls,
# $Rounds, $WarmupRounds, $Batched, $number, $measured, $round, $kind, $way, $call, $first, $clock, $allocated, $n, $sample.
function Invoke-BenchRounds($Ways, [int] $Calls, [int] $Rounds, [int] $WarmupRounds, [string[]] $Batched = @()) {
    $number = 0
    $measured = @{}
    for ($round = 1; $round -le $WarmupRounds + $Rounds; $round++) {
        foreach ($kind in $Ways.Keys) {
            foreach ($way in ($Ways[$kind].Keys | Get-Random -Shuffle)) {
                $call = $Ways[$kind][$way]
                $first = $number
                $number += $Calls
                $clock = [Diagnostics.Stopwatch]::StartNew()
                $allocated = [GC]::GetTotalAllocatedBytes($true)
                if ($way -in $Batched) { & $call $first $Calls }
                else { for ($n = $first; $n -lt $first + $Calls; $n++) { & $call $n | Out-Null } }
                $sample = [pscustomobject]@{ Ms = $clock.Elapsed.TotalMilliseconds / $Calls; Bytes = ([GC]::GetTotalAllocatedBytes($true) - $allocated) / $Calls }
                if ($round -gt $WarmupRounds) { $measured["$kind|$way"] += , $sample }
            }
        }
    }
    $measured
}

# The median, its 95% confidence interval and the middle half of values taken round by round, rounded to $Digits.
function Get-RoundStatistics([double[]] $Values, [int] $Digits) {
    $interval = Get-MedianInterval $Values
    [ordered]@{
        Median        = [math]::Round((Get-Median $Values), $Digits)
        MedianLow95   = [math]::Round($interval.Low, $Digits)
        MedianHigh95  = [math]::Round($interval.High, $Digits)
        FirstQuartile = [math]::Round((Get-Quantile $Values 0.25), $Digits)
        ThirdQuartile = [math]::Round((Get-Quantile $Values 0.75), $Digits)
    }
}

# A way's time over another's, round by round (so that the machine slowing down or speeding up weighs on both alike).
function Get-Ratio($Samples, $Against) {
    Get-RoundStatistics @(for ($r = 0; $r -lt $Samples.Count; $r++) { $Samples[$r].Ms / $Against[$r].Ms }) 2
}

# How many microseconds a call of one way takes more than a call of another, round by round.
function Get-Difference($Samples, $Against) {
    Get-RoundStatistics @(for ($r = 0; $r -lt $Samples.Count; $r++) { ($Samples[$r].Ms - $Against[$r].Ms) * 1000 }) 1
}

# Writes <Name>.json and <Name>.md to the folder, and the Markdown to the output.
function Write-BenchResult([string] $OutPath, [string] $Name, $Data, [string[]] $Markdown) {
    New-Item -ItemType Directory $OutPath -Force | Out-Null
    $Data | ConvertTo-Json -Depth 8 | Set-Content (Join-Path $OutPath "$Name.json")
    $md = $Markdown -join "`n"
    Set-Content (Join-Path $OutPath "$Name.md") $md
    $md
}
