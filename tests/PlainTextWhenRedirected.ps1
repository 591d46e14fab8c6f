# Dot-sourced by build.ps1 and by the scripts it starts (the demo, the Pester suite), which also run on
# their own. A log captured from a file or a pipe must be plain text, yet PowerShell and Pester colour
# redirected output too. NO_COLOR (no-color.org) turns that off: this process reads it here, and every
# child inherits it (pwsh sets $PSStyle.OutputRendering from it at start, Pester its render mode).
if ([Console]::IsOutputRedirected -or [Console]::IsErrorRedirected) { $env:NO_COLOR = '1' }
# Windows PowerShell has no $PSStyle: its host colours only through the console, which a redirection bypasses.
if ($env:NO_COLOR -and (Get-Variable PSStyle -ErrorAction Ignore)) { $PSStyle.OutputRendering = 'PlainText' }
