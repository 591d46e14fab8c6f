# The platform's proxy as .NET finds it: HTTPS_PROXY, read once per process. Each case runs in a fresh PowerShell
# started with only HTTPS_PROXY set among the proxy variables, so what this process read long ago does not matter.
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')

    # A loopback port nothing listens on: connecting to it is refused at once.
    $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    $listener.Start()
    $ProxyPort = $listener.LocalEndpoint.Port
    $listener.Stop()

    # Runs $Script, after importing the module, in a fresh PowerShell whose HTTPS_PROXY is $Proxy; returns its output lines.
    function Invoke-WithEnvironmentProxy([string] $Proxy, [string] $Script) {
        $names = 'HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'ALL_PROXY', 'all_proxy', 'NO_PROXY', 'no_proxy'
        $saved = @{}
        foreach ($name in $names) {
            $saved[$name] = [Environment]::GetEnvironmentVariable($name)
            [Environment]::SetEnvironmentVariable($name, $null)
        }
        [Environment]::SetEnvironmentVariable('HTTPS_PROXY', $Proxy)
        try {
            Invoke-FreshPwsh "Import-Module '$(Join-Path $ModulePath 'JelouPS.psd1')'; $Script"
        }
        finally {
            foreach ($name in $names) { [Environment]::SetEnvironmentVariable($name, $saved[$name]) }
        }
    }
}

Describe 'The platform''s proxy (HTTPS_PROXY)' {
    BeforeAll {
        # jelou-emulator.test never resolves (.test is reserved): directly it fails on DNS; through the proxy, on the proxy.
        $script = {
            function Report($label) { "$label|$($failed[0].FullyQualifiedErrorId)|$($failed[0].Exception.Message)" }
            Connect-Jelou -ApiKey k -BaseUri https://jelou-emulator.test/jelouapi
            "context|$((Get-JelouContext).Proxy)"
            Get-JelouExternalSupport p1 -ErrorAction SilentlyContinue -ErrorVariable failed; Report 'default'
            Connect-Jelou -ApiKey k -BaseUri https://jelou-emulator.test/jelouapi -NoProxy
            "context|$((Get-JelouContext).Proxy)"
            Get-JelouExternalSupport p1 -ErrorAction SilentlyContinue -ErrorVariable failed; Report 'noproxy'
            Disconnect-Jelou
            Send-JelouTestEvent https://jelou-emulator.test/hook -SigningSecret s -Confirm:$false -ErrorAction SilentlyContinue -ErrorVariable failed | Out-Null; Report 'event'
            Send-JelouTestEvent https://jelou-emulator.test/hook -SigningSecret s -Confirm:$false -NoProxy -ErrorAction SilentlyContinue -ErrorVariable failed | Out-Null; Report 'event-noproxy'
        }
        $Output = Invoke-WithEnvironmentProxy "http://env-user:env-pass-R4@127.0.0.1:$ProxyPort" $script.ToString()
        # One line per step: label|value (the context's proxy, or the error's id)|message.
        $Steps = foreach ($line in $Output) {
            $label, $value, $message = "$line" -split '\|', 3
            [pscustomobject]@{ Label = $label; Value = $value; Message = $message }
        }
        function Step([string] $Label) { @($Steps | Where-Object Label -eq $Label) }
    }

    It 'is used when no proxy parameter is given, and named without its user name or password' {
        (Step 'context')[0].Value | Should -Be 'Default'
        (Step 'default').Value | Should -Be 'JelouProxyError,JelouPS.Commands.GetJelouExternalSupportCommand'
        (Step 'default').Message | Should -BeLike "Project 'p1': Could not reach the platform's proxy http://127.0.0.1:$ProxyPort (from HTTPS_PROXY*) for https://jelou-emulator.test: *"
        ($Output -join "`n") | Should -Not -Match 'env-pass-R4|env-user'
    }

    It 'is ignored with -NoProxy, which goes direct' {
        (Step 'context')[1].Value | Should -Be 'None'
        (Step 'noproxy').Value | Should -Be 'JelouConnectionFailed,JelouPS.Commands.GetJelouExternalSupportCommand'
        (Step 'noproxy').Message | Should -BeLike '*Could not reach https://jelou-emulator.test:*'
    }

    It 'carries Send-JelouTestEvent too, unless it is given -NoProxy' {
        (Step 'event').Value | Should -Be 'JelouProxyError,JelouPS.Commands.SendJelouTestEventCommand'
        (Step 'event-noproxy').Value | Should -Be 'JelouTestEventFailed,JelouPS.Commands.SendJelouTestEventCommand'
        (Step 'event-noproxy').Message | Should -BeLike '*Could not reach https://jelou-emulator.test:*'
    }
}

Describe 'Get-JelouContext' {
    AfterAll { Disconnect-Jelou }

    It 'shows the proxy by its address, never its credential' {
        $credential = [pscredential]::new('proxy-user', (ConvertTo-SecureString 'proxy-pass-V2' -AsPlainText -Force))
        $context = Connect-Jelou -ApiKey k -BaseUri https://gateway.example.test/jelouapi -Proxy http://proxy.example.test:3128 -ProxyCredential $credential -PassThru

        $text = $context | Format-List | Out-String
        $all = $text + ($context | Format-List * | Out-String) + ($context | ConvertTo-Json) + $context.ToString()

        $text | Should -Match 'Proxy\s+: http://proxy\.example\.test:3128'
        $all | Should -Not -Match 'proxy-pass-V2|proxy-user'
    }
}
