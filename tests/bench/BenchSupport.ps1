# Shared by the *.Bench.ps1 scripts (dot-sourced): the machine line, medians, and writing a result.

# The machine a result was measured on, as every table names it.
function Get-BenchMachine {
    "$([Environment]::ProcessorCount) cores, $([System.Runtime.InteropServices.RuntimeInformation]::OSDescription), PowerShell $($PSVersionTable.PSVersion), .NET $([Environment]::Version)"
}

function Get-Median([double[]] $Values) {
    $sorted = [double[]]($Values | Sort-Object)
    $sorted[[int][math]::Floor($sorted.Count / 2)]
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
