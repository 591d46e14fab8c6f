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
# p = 1/2; of 40 values, the 14th and the 27th: 96.2% coverage). It says where the median of another run of as many rounds
# may fall, where the middle half says how much the rounds vary.
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

# Writes <Name>.json and <Name>.md to the folder, and the Markdown to the output.
function Write-BenchResult([string] $OutPath, [string] $Name, $Data, [string[]] $Markdown) {
    New-Item -ItemType Directory $OutPath -Force | Out-Null
    $Data | ConvertTo-Json -Depth 8 | Set-Content (Join-Path $OutPath "$Name.json")
    $md = $Markdown -join "`n"
    Set-Content (Join-Path $OutPath "$Name.md") $md
    $md
}
