using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Numerics;
using System.Text;
using System.Text.Json;
using JelouPS.Emulator;
using JelouPS.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace JelouPS.Tests
{
    /// <summary>
    /// Every id, URL, name, enum, free-text and secret parameter of every cmdlet, given a table of hostile values (empty,
    /// blank, 100,000 characters, control, line-break, bidi, zero-width characters and unpaired surrogates at either end
    /// and inside, path and query tricks, other schemes, passwords in URLs, international hosts, IPv6 literals, and objects
    /// of every odd kind, piped and passed). What the written rules (about_JelouPS) call invalid must fail with an error
    /// PowerShell's binder or JelouPS's ErrorId table owns, worded for people, before any request reaches the emulator;
    /// what they call valid, however odd, must reach it, ids escaped as one path segment.
    /// </summary>
    public sealed class HostileInputTests : HostedTest
    {
        // Every secret a sample carries contains this; it must never show anywhere.
        private const string Marker = "Zq9";
        private const string Secret = Marker + "Mark-token";

        private static readonly string[] RuntimeWording =
        {
            "(Parameter '", "Parameter name:", "Exception calling", "Specified method is not supported", "Invalid URI",
            "System.Collections.Hashtable", "System.Object[]", "Object reference not set", "Index was outside", "Value cannot be null",
            " at System.", "Cannot convert", "capacity",
        };

        private readonly ITestOutputHelper _log;

        public HostileInputTests(EmulatorFixture fixture, ITestOutputHelper log) : base(fixture)
        {
            _log = log;
            string standIn = Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "modules", "Microsoft.PowerShell.SecretManagement");
            Host.Invoke("Import-Module $args[0]; Reset-StandInSecretStore; Register-StandInVault -Name V; $VerbosePreference = 'Continue'; $DebugPreference = 'Continue'",
                null, standIn).ThrowIfFailed();
            Emulator.Reset();
            Hook = new Uri(Emulator.BaseAddress, "hook").ToString();
            // The conversation cmdlets need an integration to talk to; a missing one would still be a request, but this is the usual case.
            Host.Invoke("New-JelouExternalSupport p1 https://crm.example.com/jelou | Out-Null").ThrowIfFailed();
        }

        /// <summary>Where Send-JelouTestEvent posts: the emulator, so that what it sends is counted too.</summary>
        private string Hook { get; }

        private enum Kind { Id, Url, BaseUrl, HttpsUrl, Name, FreeText, Secret, SigningSecret }

        /// <summary>One parameter of one cmdlet: the command with $v where the value goes, and what the rules say of a value.</summary>
        /// <remarks>
        /// <paramref name="Whole"/>: an object with a ProjectId property binds it (the project cmdlets' -ProjectId).
        /// <paramref name="Lists"/>: a list of valid ids is valid. <paramref name="Piped"/>: the value is piped, and PowerShell unrolls lists.
        /// </remarks>
        private sealed record Target(string Script, Kind Kind, Func<Sample, bool>? Valid = null, Check Check = Check.Sent, bool Whole = false, bool Lists = false, bool Piped = false, string? Core = null);

        /// <summary>What a valid value must do.</summary>
        private enum Check { Sent, PathSegment, BodyString, WebhookUrl, Nothing }

        /// <summary>A value, and the text a parameter binds from it when it is text, a whole number or a GUID (else null).</summary>
        private sealed record Sample(string Label, object? Value)
        {
            public string? Text => Value switch
            {
                string s => s,
                Guid or BigInteger or sbyte or byte or short or ushort or int or uint or long or ulong => Convert.ToString(Value, CultureInfo.InvariantCulture),
                _ => null,
            };

            /// <summary>As free text, where a fraction binds too (a price): its invariant text.</summary>
            public string? FreeText => Text ?? (Value is double or float or decimal && !(Value is double d && !double.IsFinite(d)) && !(Value is float f && !float.IsFinite(f))
                ? Convert.ToString(Value, CultureInfo.InvariantCulture) : null);

            /// <summary>What binds as "not given": null, or a DataRow's empty cell.</summary>
            public bool IsNull => Value is null || Value is DBNull;

            public override string ToString() => Label;
        }

        private static readonly Dictionary<string, Target[]> Targets = new Dictionary<string, Target[]>
        {
            // Ids: in paths (escaped as one segment), in bodies, from pipeline objects and CSV-like rows.
            ["ids"] = new[]
            {
                new Target("Get-JelouExternalSupport -ProjectId $v", Kind.Id, Check: Check.PathSegment, Whole: true, Lists: true),
                new Target("$v | Get-JelouExternalSupport", Kind.Id, Check: Check.PathSegment, Whole: true, Piped: true),
                new Target("[pscustomobject]@{ ProjectId = $v } | Remove-JelouExternalSupport -Force", Kind.Id, Check: Check.PathSegment),
                new Target("Reset-JelouExternalSupportSecret -ProjectId $v -Force", Kind.Id, Check: Check.PathSegment, Whole: true, Lists: true),
                new Target("New-JelouExternalSupport -ProjectId $v -WebhookUrl https://crm.example.com/jelou", Kind.Id, Check: Check.PathSegment, Whole: true, Lists: true),
                new Target("Set-JelouExternalSupport -ProjectId $v -AuthType no_auth -Confirm:$false", Kind.Id, Check: Check.PathSegment, Whole: true, Lists: true),
                new Target("Get-JelouConversation -ProjectId p1 -ConversationId $v", Kind.Id, Check: Check.PathSegment),
                new Target("Start-JelouConversation -ProjectId p1 -BotId $v -UserId u1 -Confirm:$false", Kind.Id, Check: Check.BodyString),
                new Target("Close-JelouConversation -ProjectId p1 -BotId b1 -UserId $v -Confirm:$false", Kind.Id, Check: Check.BodyString),
                new Target("[pscustomobject]@{ ProjectId = 'p1'; BotId = 'b1'; UserId = $v } | Start-JelouConversation -Confirm:$false", Kind.Id, Check: Check.BodyString),
                new Target("Send-JelouSupportMessage -ProjectId $v -RoomId r1 -BotId b1 -UserId u1 -Text hi -SigningSecret s -Confirm:$false", Kind.Id, Check: Check.BodyString),
                new Target("[pscustomobject]@{ ProjectId = 'p1'; RoomId = $v; BotId = 'b1'; UserId = 'u1' } | Send-JelouSupportMessage -Text hi -SigningSecret s -Confirm:$false", Kind.Id, Check: Check.BodyString),
                new Target("Send-JelouSupportMessage -ProjectId p1 -RoomId r1 -BotId b1 -UserId u1 -MessageId $v -Text hi -SigningSecret s -Confirm:$false", Kind.Id, Check: Check.BodyString),
                new Target("Send-JelouTestEvent -WebhookUrl $hook -SigningSecret s -BotId $v -TimeoutSec 5 -Confirm:$false", Kind.Id, Check: Check.BodyString),
            },
            // URLs registered, sent to, or connected to.
            ["URLs"] = new[]
            {
                new Target("New-JelouExternalSupport -ProjectId p-url -WebhookUrl $v", Kind.Url, Check: Check.WebhookUrl),
                new Target("Set-JelouExternalSupport -ProjectId p1 -WebhookUrl $v -Confirm:$false", Kind.Url, Check: Check.WebhookUrl),
                new Target("[pscustomobject]@{ ProjectId = 'p1'; WebhookUrl = $v } | Set-JelouExternalSupport -Confirm:$false", Kind.Url, Check: Check.WebhookUrl),
                new Target("Send-JelouSupportMessage -ProjectId p1 -RoomId r1 -BotId b1 -UserId u1 -MediaType image -MediaUrl $v -MimeType image/png -SigningSecret s -Confirm:$false", Kind.HttpsUrl),
                new Target("Send-JelouTestEvent -WebhookUrl $v -SigningSecret s -WhatIf", Kind.Url, Check: Check.Nothing),
                new Target("Connect-Jelou -ApiKey k -BaseUri $v", Kind.BaseUrl, Check: Check.Nothing),
                new Target("Connect-Jelou -ApiKey k -ChatbotUri $v", Kind.BaseUrl, Check: Check.Nothing),
            },
            // Names, enum values, free text and secrets.
            ["names, enums, text and secrets"] = new[]
            {
                new Target("Send-JelouSupportMessage -ProjectId p1 -RoomId r1 -BotId b1 -UserId u1 -Text $v -SigningSecret s -Confirm:$false", Kind.FreeText, Check: Check.BodyString),
                new Target("Send-JelouSupportMessage -ProjectId p1 -RoomId r1 -BotId b1 -UserId u1 -MediaType image -MediaUrl https://cdn.example.com/a.png -MimeType image/png -Caption $v -SigningSecret s -Confirm:$false", Kind.FreeText, Check: Check.BodyString),
                new Target("Start-JelouConversation -ProjectId p1 -BotId b1 -UserId u-text -InitialMessage $v -Confirm:$false", Kind.FreeText, s => Optional(s, Kind.FreeText)),
                new Target("Close-JelouConversation -ProjectId p1 -BotId b1 -UserId u1 -RedirectText $v -Confirm:$false", Kind.FreeText, Check: Check.BodyString),
                new Target("Send-JelouTestEvent -WebhookUrl $hook -SigningSecret s -Text $v -TimeoutSec 5 -Confirm:$false", Kind.FreeText, Check: Check.BodyString),
                new Target("Start-JelouConversation -ProjectId p1 -BotId b1 -UserId u-target -AssignmentType queue -AssignmentTarget $v -Confirm:$false", Kind.Name, Check: Check.BodyString),
                new Target("Send-JelouSupportMessage -ProjectId p1 -RoomId r1 -BotId b1 -UserId u1 -MediaType document -MediaUrl https://cdn.example.com/a.pdf -MimeType application/pdf -FileName $v -SigningSecret s -Confirm:$false", Kind.Name, Check: Check.BodyString),
                new Target("Send-JelouSupportMessage -ProjectId p1 -RoomId r1 -BotId b1 -UserId u1 -MediaType audio -MediaUrl https://cdn.example.com/a.ogg -MimeType $v -SigningSecret s -Confirm:$false", Kind.Name, AudioMimeTypeOk, Check: Check.BodyString, Core: "audio/ogg"),
                new Target("New-JelouExternalSupport -ProjectId p-name -WebhookUrl https://crm.example.com/jelou -Vault V -SecretName $v -Force", Kind.Name, SecretNameOk),
                new Target("New-JelouExternalSupport -ProjectId p-vault -WebhookUrl https://crm.example.com/jelou -Vault $v", Kind.Name, s => InSet(s, false, "V")),
                new Target("New-JelouExternalSupport -ProjectId p-auth -WebhookUrl https://crm.example.com/jelou -AuthType $v", Kind.Name, s => InSet(s, true, "no_auth")),
                new Target("Start-JelouConversation -ProjectId p1 -BotId b1 -UserId u-type -AssignmentType $v -AssignmentTarget SUPPORT -Confirm:$false", Kind.Name, s => InSet(s, false, "queue", "operator", "team")),
                new Target("Close-JelouConversation -ProjectId p1 -BotId b1 -UserId u1 -RedirectType $v -RedirectText bye -Confirm:$false", Kind.Name, s => InSet(s, false, "text")),
                new Target("Send-JelouTestEvent -WebhookUrl $hook -SigningSecret s -EventType $v -TimeoutSec 5 -Confirm:$false", Kind.Name, s => InSet(s, false, "message", "conversation.start", "conversation.close")),
                new Target("Send-JelouSupportMessage -ProjectId p1 -RoomId r1 -BotId b1 -UserId u1 -MediaType $v -MediaUrl https://cdn.example.com/a.bin -MimeType a/b -SigningSecret s -Confirm:$false", Kind.Name, s => InSet(s, false, "image", "video", "audio", "document")),
                new Target("New-JelouExternalSupport -ProjectId p-secret -WebhookUrl https://crm.example.com/jelou -AuthType bearer -WebhookAuthorization $v", Kind.Secret),
                new Target("Set-JelouExternalSupport -ProjectId p1 -AuthType api_key -WebhookAuthorization $v -Confirm:$false", Kind.Secret),
                new Target("Send-JelouTestEvent -WebhookUrl $hook -SigningSecret s -AuthType basic -WebhookAuthorization $v -TimeoutSec 5 -Confirm:$false", Kind.Secret),
                new Target("Send-JelouSupportMessage -ProjectId p1 -RoomId r1 -BotId b1 -UserId u1 -Text hi -SigningSecret $v -Confirm:$false", Kind.SigningSecret),
                new Target("Connect-Jelou -ApiKey $v -BaseUri $hook", Kind.Secret, Check: Check.Nothing),
            },
        };

        [Theory]
        [InlineData("ids")]
        [InlineData("URLs")]
        [InlineData("names, enums, text and secrets")]
        public void Every_parameter_refuses_hostile_values_before_any_request_and_sends_odd_valid_ones_correctly(string parameters) => Run(Targets[parameters]);

        /// <summary>
        /// A number typed on the command line binds as typed, as it does to a [string] parameter: a user id 0593987654321 is
        /// a phone number, and 593987654321 another user; 0123 another project.
        /// </summary>
        [Theory]
        [InlineData("0593987654321")]
        [InlineData("0x1F")]
        [InlineData("10kb")]
        [InlineData("007L")]
        [InlineData("0123n")]
        [InlineData("1e3")]
        public void A_number_typed_as_an_id_or_text_is_sent_as_typed(string typed)
        {
            int before = Emulator.Requests.Count;

            Host.Invoke($"Close-JelouConversation -ProjectId {typed} -BotId {typed} -UserId {typed} -RedirectText {typed}");

            RecordedRequest close = Assert.Single(Emulator.Requests.Skip(before));
            Assert.Contains("/" + typed + "/conversations/close", close.Path, StringComparison.Ordinal);
            Assert.Equal(typed, Member(close.Body, "botId"));
            Assert.Equal(typed, Member(close.Body, "userId"));
            Assert.Contains(typed, Strings(close.Body));
        }

        /// <summary>
        /// Free text takes a fraction as typed (1.50, a price) or as [string] makes it, in any culture (de-DE writes 2,5); an
        /// id refuses it (a piped 4.5 is no id).
        /// </summary>
        [Fact]
        public void A_fraction_binds_as_free_text_as_typed_or_invariant_but_never_as_an_id()
        {
            int before = Emulator.Requests.Count;

            Host.Invoke("$c = [System.Globalization.CultureInfo]::CurrentCulture; [System.Globalization.CultureInfo]::CurrentCulture = 'de-DE'; " +
                "try { $price = 2.5; Send-JelouSupportMessage -ProjectId p1 -RoomId r1 -BotId b1 -UserId u1 -Text $price -SigningSecret s -Confirm:$false; " +
                "Close-JelouConversation -ProjectId p1 -BotId b1 -UserId u1 -RedirectText 1.50 -Confirm:$false; " +
                "Close-JelouConversation -ProjectId p1 -BotId b1 -UserId u1 -RedirectText ((0.1 + 0.2) | Write-Output) -Confirm:$false; " +
                "Close-JelouConversation -ProjectId p1 -BotId b1 -UserId u1 -RedirectText (1.1 * 3) -Confirm:$false } finally { [System.Globalization.CultureInfo]::CurrentCulture = $c }");
            Invocation refused = Host.Invoke("$id = 4.5; Close-JelouConversation -ProjectId $id -BotId b1 -UserId u1 -Confirm:$false");

            List<RecordedRequest> sent = Emulator.Requests.Skip(before).ToList();
            Assert.Equal(4, sent.Count);
            Assert.Contains("2.5", Strings(sent[0].Body));
            Assert.Contains("1.50", Strings(sent[1].Body));
            // A computed fraction as [string] makes it, wrapped by a pipeline or not: not "0,3", nor 3.3000000000000003.
            Assert.Contains("0.3", Strings(sent[2].Body));
            Assert.Contains("3.3", Strings(sent[3].Body));
            ErrorRecord error = refused.Terminating ?? refused.SingleError();
            Assert.Equal("ParameterArgumentTransformationError,JelouPS.Commands.CloseJelouConversationCommand", error.FullyQualifiedErrorId);
            Assert.Contains("not text", error.Exception.Message, StringComparison.Ordinal);
        }

        /// <summary>A number that was not typed (piped, a property, wrapped) binds as its invariant text, in any culture (sv-SE writes minus as U+2212).</summary>
        [Fact]
        public void A_number_not_typed_binds_as_its_invariant_text_in_any_culture()
        {
            int before = Emulator.Requests.Count;

            Host.Invoke("$c = [System.Globalization.CultureInfo]::CurrentCulture; [System.Globalization.CultureInfo]::CurrentCulture = 'sv-SE'; " +
                "try { [pscustomobject]@{ UserId = -5; BotId = [psobject]-7 } | Close-JelouConversation -ProjectId p-culture } finally { [System.Globalization.CultureInfo]::CurrentCulture = $c }");

            RecordedRequest close = Assert.Single(Emulator.Requests.Skip(before));
            Assert.Equal("-5", Member(close.Body, "userId"));
            Assert.Equal("-7", Member(close.Body, "botId"));
        }

        private void Run(Target[] targets)
        {
            int tried = 0, invalid = 0, reachedInvalid = 0;
            var failures = new List<string>();
            foreach (Target target in targets)
            {
                foreach (Sample sample in Samples(target))
                {
                    tried++;
                    bool valid = IsValid(target, sample);
                    if (!valid) invalid++;
                    if (target.Script.Contains("SecretName", StringComparison.Ordinal)) Host.Invoke("Reset-StandInSecretStore; Register-StandInVault -Name V").ThrowIfFailed();
                    int before = Emulator.Requests.Count;
                    Invocation result = Host.Invoke(target.Script.Replace("$hook", "'" + Hook + "'", StringComparison.Ordinal), new Hashtable { ["v"] = sample.Value });
                    List<RecordedRequest> sent = Emulator.Requests.Skip(before).ToList();
                    if (!valid && sent.Count > 0) reachedInvalid++;
                    string? problem = Judge(target, sample, valid, result, sent);
                    if (problem != null) failures.Add($"{target.Script} with {sample.Label}: {problem}");
                }
            }
            _log.WriteLine($"{tried} inputs tried, {invalid} invalid, {reachedInvalid} invalid ones reached the emulator.");
            Assert.True(failures.Count == 0, $"{failures.Count} of {tried} inputs failed:\n" + string.Join("\n", failures.Take(40)));
            Assert.Equal(0, reachedInvalid);
            Assert.DoesNotContain(Emulator.Requests, r => r.SecretsRedacted || r.Headers.Values.Any(v => v.IndexOfAny(new[] { '\r', '\n' }) >= 0));
        }

        /// <summary>
        /// Everything the user or a log sees: output, messages, advice, streams, and the target of JelouPS's own errors. (For
        /// an error binding a piped object, PowerShell's binder makes that very object the TargetObject; nothing formats it.)
        /// </summary>
        private static string Visible(Invocation result, ErrorRecord[] errors) => string.Join("\n",
            result.Output.Select(o => o?.ToString() ?? "")
                .Concat(errors.SelectMany(e => new[] { e.ToString(), e.Exception.ToString(), e.ErrorDetails?.Message ?? "", e.ErrorDetails?.RecommendedAction ?? "" }))
                .Concat(errors.Where(e => !(e.Exception is ParameterBindingException)).Select(e => e.TargetObject?.ToString() ?? ""))
                .Concat(result.Verbose).Concat(result.Debug).Concat(result.Warnings));

        private string? Judge(Target target, Sample sample, bool valid, Invocation result, List<RecordedRequest> sent)
        {
            ErrorRecord[] errors = result.Errors.Concat(result.Terminating is null ? Array.Empty<ErrorRecord>() : new[] { result.Terminating }).ToArray();
            string all = Visible(result, errors);
            if (all.Contains(Marker, StringComparison.Ordinal) || all.Contains(EmulatorOptions.DefaultApiKey, StringComparison.Ordinal)) return "a secret shows in the output, an error or a stream";
            foreach (ErrorRecord error in errors)
            {
                string message = error.Exception.Message + " " + error.ErrorDetails?.Message;
                string id = error.FullyQualifiedErrorId.Split(',')[0];
                bool binding = error.Exception is ParameterBindingException;
                bool ours = ErrorMapper.Table.TryGetValue(id, out var row) && row.Category == error.CategoryInfo.Category;
                if (!binding && !ours) return $"error {error.FullyQualifiedErrorId} ({error.CategoryInfo.Category}) is neither a binding error nor in the ErrorId table: {message}";
                if (!valid && ours && row.Category != ErrorCategory.InvalidArgument && id != ErrorMapper.VaultNotFound) return $"refused as {id}, not as an invalid argument: {message}";
                if (RuntimeWording.FirstOrDefault(w => message.Contains(w, StringComparison.Ordinal)) is string wording) return $"the message has runtime wording '{wording}': {message}";
                if (!valid && message.Length > 1200) return $"the message is {message.Length} characters long";
                if (!Whole(message) || message.Any(c => char.IsControl(c) || CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.Format)) return $"the message has an unprintable character: {message}";
                if (valid && binding) return $"a valid value was refused while binding: {message}";
            }
            if (!valid)
            {
                if (sent.Count > 0) return $"invalid, yet sent: {string.Join(", ", sent.Select(r => r.Method + " " + r.Path))}";
                if (errors.Length == 0) return "invalid, yet no error";
                return null;
            }
            if (errors.Any(e => e.FullyQualifiedErrorId.StartsWith(ErrorMapper.InvalidArgumentId + ",", StringComparison.Ordinal)))
            {
                return "a valid value was refused: " + string.Join("; ", errors.Select(e => e.Exception.Message));
            }
            if (target.Check == Check.Nothing) return sent.Count == 0 ? null : "sent a request it should not";
            if (sent.Count == 0) return "valid, yet nothing was sent: " + string.Join("; ", errors.Select(e => e.Exception.Message));
            IEnumerable<Sample> each = sample.Value is object[] items ? items.Select(i => new Sample("", i)) : new[] { sample };
            string[] expected = each.Select(e => target.Kind == Kind.FreeText ? e.FreeText! : Trim(e.Text ?? PropertyText(e) ?? "")).ToArray();
            switch (target.Check)
            {
                case Check.PathSegment:
                    string[] segments = expected.Select(e => "/" + Uri.EscapeDataString(e)).ToArray();
                    return segments.All(segment => sent.Any(r => r.Path.EndsWith(segment, StringComparison.Ordinal) || r.Path.Contains(segment + "/", StringComparison.Ordinal)))
                        ? null : $"no request has the id as one escaped segment {string.Join(", ", segments)}: {string.Join(", ", sent.Select(r => r.Path))}";
                case Check.BodyString:
                    return expected.All(e => sent.Any(r => Strings(r.Body).Contains(e))) ? null : $"no request body carries '{Escape(expected[0])}'";
                case Check.WebhookUrl:
                    string? url = sent.Select(r => Member(r.Body, "webhookUrl")).FirstOrDefault(u => u != null);
                    var given = sample.Value as Uri ?? new Uri(expected[0]);
                    if (url is null || url.Any(c => c >= 0x80)) return $"the webhook URL was not sent in ASCII: {url}";
                    var wire = new Uri(url);
                    return wire.Scheme == given.Scheme && wire.IdnHost == given.IdnHost && wire.Port == given.Port
                        && wire.GetComponents(UriComponents.PathAndQuery, UriFormat.UriEscaped) == given.GetComponents(UriComponents.PathAndQuery, UriFormat.UriEscaped)
                        ? null : $"the webhook URL {url} is not {given}";
                default:
                    return null;
            }
        }

        // ---- The written rules, as the tests read them (about_JelouPS, INPUT) ----

        private static bool IsValid(Target target, Sample sample)
        {
            if (target.Valid != null) return target.Valid(sample);
            if (target.Lists && sample.Value is object[] items) return items.Length > 0 && items.All(i => IsValid(target with { Lists = false }, new Sample("", i)));
            switch (target.Kind)
            {
                case Kind.Id:
                    string? id = sample.Text ?? (target.Whole ? PropertyText(sample) : null);
                    return id != null && IdOk(Trim(id));
                case Kind.Name:
                    return sample.Text != null && Trim(sample.Text) is string name && name.Length > 0 && LineOk(name);
                case Kind.Url:
                case Kind.BaseUrl:
                case Kind.HttpsUrl:
                    string? text = sample.Value is Uri uri ? uri.OriginalString : sample.Text is string t ? Trim(t) : null;
                    return text != null && UrlOk(text, target.Kind);
                case Kind.FreeText:
                    return sample.FreeText is string free && free.Trim().Length > 0 && TextOk(free);
                case Kind.Secret:
                    return sample.Value is string secret && secret.Trim().Length > 0 && secret.Length <= 65536 && secret.All(c => c >= 0x20 && c < 0x7f) && secret[0] != ' ' && secret[^1] != ' ' && !TypeName(secret);
                case Kind.SigningSecret:
                    // Visible characters; white space around them (a copy read from a file, with its line break), and the byte order
                    // mark such a file may begin with, are trimmed.
                    return sample.Value is string key && key.Length <= 65536 && !TypeName(key) && key.Trim().Trim('\uFEFF').Trim() is string inner && inner.Length > 0
                        && !inner.Any(c => char.IsControl(c) || char.IsWhiteSpace(c) || char.IsSurrogate(c) || CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.Format)
                        // An X-Jelou-Signature value is what a secret makes, not one.
                        && !System.Text.RegularExpressions.Regex.IsMatch(inner, "^(?i:sha256=)[0-9a-fA-F]{64}$");
                default:
                    throw new ArgumentOutOfRangeException(nameof(target));
            }
        }

        // What a conversion to text writes in place of an object (about_JelouPS): a .NET type name as .NET writes it, quoted or
        // in brackets, or an object's @{name=...} or {"name": ...}. No secret.
        private static bool TypeName(string text)
        {
            string value = text.Trim().Trim('"', '\'', '\u201C', '\u201D').Trim();
            if (value.Length > 2 && value[0] == '[' && value[^1] == ']') value = value[1..^1];
            return System.Text.RegularExpressions.Regex.IsMatch(value, @"^(?:(?:Deserialized\.)?(?:System|Microsoft)(?:\.[A-Z]\w*)+(?:`\d+\[.*\])?(?:\[\])?|SecureString|PSCredential)$")
                || System.Text.RegularExpressions.Regex.IsMatch(value, @"^(?:@\{[^=]*=.*|\{\s*""[^""]*""\s*:.*)\}$");
        }

        /// <summary>Trimmed as the rules say: whitespace and invisible format characters at either end.</summary>
        private static string Trim(string text)
        {
            static bool Blank(char c) => char.IsWhiteSpace(c) || CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.Format;
            int start = 0, end = text.Length;
            while (start < end && Blank(text[start])) start++;
            while (end > start && Blank(text[end - 1])) end--;
            return text[start..end];
        }

        // U+FFFD: what a decoder writes for bytes it could not read (a file read in the wrong encoding), never a character of an id.
        private static bool IdOk(string id) => id.Length > 0 && id != "." && id != ".." && !Quoted(id) && LineOk(id) && !LooksLikeAnother(id) && !id.Contains('\uFFFD');

        // about_JelouPS: an id has no character that shows as nothing or as another space (Unicode's default-ignorable code
        // points, the Braille blank, spaces other than U+0020), so that no two ids look alike.
        private static bool LooksLikeAnother(string id)
        {
            for (int i = 0; i < id.Length; i += char.IsSurrogatePair(id, i) ? 2 : 1)
            {
                int c = char.ConvertToUtf32(id, i);
                bool hidden = c is 0x00AD or 0x034F or 0x061C or 0x115F or 0x1160 or 0x17B4 or 0x17B5 or 0x2800 or 0x3164 or 0xFEFF or 0xFFA0
                    || c is >= 0x180B and <= 0x180F || c is >= 0x200B and <= 0x200F || c is >= 0x202A and <= 0x202E || c is >= 0x2060 and <= 0x206F
                    || c is >= 0xFE00 and <= 0xFE0F || c is >= 0xFFF0 and <= 0xFFF8 || c is >= 0x1BCA0 and <= 0x1BCA3 || c is >= 0x1D173 and <= 0x1D17A || c is >= 0xE0000 and <= 0xE0FFF
                    || (c != ' ' && c < 0x10000 && char.IsWhiteSpace((char)c));
                if (hidden) return true;
            }
            return false;
        }

        // Wrapped in quotation marks, as a spreadsheet, a copied string or a word processor leaves a value: one before it, or
        // one after it that nothing before opened. Inside a value they are sent as they are.
        private static bool Quoted(string text)
        {
            const string marks = "\"'`\u201C\u201D\u201E\u2018\u2019\u201A\u00AB\u00BB\u2039\u203A\uFF02\uFF07\u300C\u300D\u300E\u300F";
            return marks.Contains(text[0]) || (marks.Contains(text[^1]) && !text[..^1].Any(marks.Contains));
        }

        /// <summary>At most 256 characters, one line, visible: no control, format or line-separator characters, no half characters.</summary>
        private static bool LineOk(string text, int max = 256) =>
            text.Length <= max && Whole(text) && !text.Any(c => CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator);

        private static bool TextOk(string text) => Whole(text) && !text.Any(c => char.IsControl(c) && c != '\n' && c != '\r' && c != '\t');

        private static bool Whole(string text)
        {
            for (int i = 0; i < text.Length; i++)
            {
                if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])) i++;
                else if (char.IsSurrogate(text[i])) return false;
            }
            return true;
        }

        private static bool UrlOk(string text, Kind kind) =>
            text.Length > 0 && LineOk(text, 2048) && !text.Any(char.IsWhiteSpace)
            && Uri.TryCreate(text, UriKind.Absolute, out Uri? uri) && uri.UserInfo.Length == 0 && uri.Host.Length > 0 && uri.Fragment.Length == 0
            && (uri.Scheme == "https" || (uri.Scheme == "http" && uri.IsLoopback && kind != Kind.HttpsUrl))
            && (kind != Kind.BaseUrl || uri.Query.Length == 0) && (uri.HostNameType != UriHostNameType.Dns || IsDomainName(uri.Host));

        private static bool IsDomainName(string host)
        {
            try
            {
                new IdnMapping().GetAscii(host);
                return true;
            }
            catch (ArgumentException)
            {
                return false;
            }
        }

        private static string? PropertyText(Sample sample) =>
            sample.Value is PSObject row && row.Properties["ProjectId"]?.Value is object value ? new Sample("", value is PSObject p ? p.BaseObject : value).Text : null;

        // ---- The values ----

        private static IEnumerable<Sample> Samples(Target target)
        {
            string core = target.Core ?? target.Kind switch
            {
                Kind.Url or Kind.BaseUrl or Kind.HttpsUrl => "https://crm.example.com/jelou",
                Kind.FreeText => "Hello there",
                Kind.Secret or Kind.SigningSecret => Secret,
                _ => "p-ñ 1",
            };
            foreach (Sample sample in Texts(core)) yield return sample;
            // PowerShell unrolls a piped list (bytes too) into its items.
            foreach (Sample sample in Objects()) if (!(target.Piped && sample.Value is Array)) yield return sample;
            if (target.Kind is Kind.Url or Kind.BaseUrl or Kind.HttpsUrl) foreach (Sample sample in Urls()) yield return sample;
            if (target.Kind is Kind.Id or Kind.Name) foreach (Sample sample in Ids()) yield return sample;
            if (target.Kind is Kind.Secret or Kind.SigningSecret)
            {
                // What Export-Csv writes in a secret's cell.
                foreach (string placeholder in new[]
                {
                    "System.Security.SecureString", " System.Management.Automation.PSCredential ", "\"System.Security.SecureString\"", "\u201CSystem.Security.SecureString\u201D",
                    "[System.Security.SecureString]", "Deserialized.System.Security.SecureString", "System.Collections.Generic.List`1[System.String]", "SecureString",
                    "System.Object[]", "@{Length=64}", "{\"Length\":64}",
                    // Secrets that only look alike.
                    "System", "system.prod.key", "{not-an-object", "{3F2504E0-4F89-11D3-9A0C-0305E82C3301}", "@{abc}",
                })
                {
                    yield return new Sample($"the text {placeholder.Trim()}", placeholder);
                }
            }
        }

        /// <summary>Characters that hide, break a line, reorder text, end a string early, or are half a character.</summary>
        private static readonly char[] Hostile =
        {
            '\0', '\u0001', '\a', '\b', '\t', '\n', '\v', '\f', '\r', '\u001b', '\u007f', '\u0085', '\u00a0', '\u00ad', '\u061c',
            '\u200b', '\u200c', '\u200d', '\u200e', '\u200f', '\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2028', '\u2029',
            '\u2066', '\u2067', '\u2068', '\u2069', '\u3000', '\ufeff', '\ufffd', '\ud800', '\udbff', '\udc00', '\udfff',
        };

        private static IEnumerable<Sample> Texts(string core)
        {
            foreach (string blank in new[] { "", " ", "\t", "\r\n", "\u200b", "\u00a0\u3000", "\ufeff " }) yield return new Sample($"blank {Escape(blank)}", blank);
            foreach (char c in Hostile)
            {
                string shown = $"U+{(int)c:X4}";
                yield return new Sample($"{shown} first", c + core);
                yield return new Sample($"{shown} inside", core.Insert(core.Length / 2, c.ToString()));
                yield return new Sample($"{shown} last", core + c);
                yield return new Sample($"{shown} doubled inside", core.Insert(core.Length / 2, new string(c, 2)));
            }
            yield return new Sample("padded", "  " + core + " \t");
            yield return new Sample("a whole emoji", core + "🔑");
            yield return new Sample("CR LF header injection", core + "\r\nX-Injected: yes");
            yield return new Sample("256 characters", core + new string('x', 256 - core.Length));
            yield return new Sample("257 characters", core + new string('x', 257 - core.Length));
            yield return new Sample("2,048 characters", core + new string('x', 2048 - core.Length));
            yield return new Sample("2,049 characters", core + new string('x', 2049 - core.Length));
            yield return new Sample("100,000 characters", core + new string('a', 100_000 - core.Length));
            yield return new Sample("100,000 line breaks", core + new string('\n', 100_000 - core.Length));
        }

        private static IEnumerable<Sample> Ids()
        {
            foreach (string id in new[]
            {
                ".", "..", " .. ", "...", "../x", "..%2F..%2Fadmin", "a/b", "%2F", "%2e%2e", "?x=1#y", "#", "a b", "p1;rm -rf", "'quoted'", "\"q\"", "\u201Cp3\u201D", "\uFF02p4\uFF02", "\u300Cp5\u300D", "q\"", "it's", "a\"q\"", "x`n", "$env:PATH", "`n",
                "@{Name=x}", "<script>alert(1)</script>", "javascript:alert(1)", "file:///etc/passwd", "\\\\server\\share",
                "http://user:pw@h/", "日本語", "مرحبا", "a\u0301", "*", "[a]", "CON", "null",
            })
            {
                yield return new Sample($"id {Escape(id)}", id);
            }
        }

        private static IEnumerable<Sample> Urls()
        {
            foreach (string url in new[]
            {
                "https://bücher.example/jelou", "https://xn--bcher-kva.example/h", "https://[::1]:8443/h", "https://[2001:db8::1]/h", "https://[fe80::1%25eth0]/h",
                "http://127.0.0.1:9/h", "http://localhost/h", "http://[::1]/h", "http://127.0.0.1.nip.io/h", "http://localhost.example.com/h",
                "http://crm.example.com/h", "HTTPS://CRM.EXAMPLE.COM/H", "https://crm.example.com", "https://crm.example.com:443/h", "https://crm.example.com:99999/h",
                "https://crm.example.com/a%2Fb/c", "https://crm.example.com/a/../b", "https://crm.example.com/h?x=1", "https://crm.example.com/h?x=1#y", "https://crm.example.com/h#",
                "https://crm.example.com/ä ö", "https://crm.example.com/ä", "https://user:" + Secret + "@crm.example.com/h", "http://user:" + Secret + "@crm.example.com/h",
                "https://" + Secret + "@crm.example.com/h", "user:" + Secret + "@crm.example.com", "javascript:alert(1)", "JaVaScRiPt:alert(1)", "data:text/html,x",
                "file:///etc/passwd", "ftp://crm.example.com/h", "ws://127.0.0.1/h", "//crm.example.com/h", "/relative/path", "crm.example.com/h", "https://", "https:///h",
                "https://crm..example.com/h", "https://-x-.example/h", "https://crm.example.com/\u202egnp.exe", "https://crm.example.com/\u0000",
            })
            {
                yield return new Sample($"url {Escape(url)}", url);
            }
            yield return new Sample("a Uri", new Uri("https://crm.example.com/from-uri"));
            yield return new Sample("a Uri with a password", new Uri("https://user:" + Secret + "@crm.example.com/h"));
            yield return new Sample("a relative Uri", new Uri("/x", UriKind.Relative));
            yield return new Sample("a file Uri", new Uri("file:///etc/passwd"));
        }

        private static IEnumerable<Sample> Objects()
        {
            yield return new Sample("$null", null);
            yield return new Sample("DBNull", DBNull.Value);
            yield return new Sample("a hashtable", new Hashtable { ["a"] = 1 });
            yield return new Sample("a hashtable with ProjectId", new Hashtable { ["ProjectId"] = "p1" });
            yield return new Sample("a PSCustomObject without the property", new PSObject().With("Name", "x"));
            yield return new Sample("a PSCustomObject with ProjectId", new PSObject().With("ProjectId", "p obj/1"));
            yield return new Sample("a PSCustomObject with a hashtable ProjectId", new PSObject().With("ProjectId", new Hashtable()));
            yield return new Sample("a PSCustomObject with an empty ProjectId", new PSObject().With("ProjectId", " "));
            yield return new Sample("a FileInfo", new FileInfo(typeof(HostileInputTests).Assembly.Location));
            yield return new Sample("a DirectoryInfo", new DirectoryInfo("/"));
            yield return new Sample("an array of two", new object[] { "a1", "b1" });
            yield return new Sample("an array of one", new object[] { "a1" });
            yield return new Sample("an empty array", Array.Empty<object>());
            yield return new Sample("an array with a blank", new object[] { "a1", " " });
            yield return new Sample("a nested array", new object[] { "a1", new object[] { "b1" } });
            yield return new Sample("a script block", ScriptBlock.Create("'p1'"));
            yield return new Sample("0", 0);
            yield return new Sample("42", 42);
            yield return new Sample("-7", -7L);
            yield return new Sample("ulong max", ulong.MaxValue);
            yield return new Sample("a big integer", BigInteger.Parse("123456789012345678901234567890", CultureInfo.InvariantCulture));
            yield return new Sample("4.5", 4.5);
            yield return new Sample("NaN", double.NaN);
            yield return new Sample("-Infinity", double.NegativeInfinity);
            yield return new Sample("3.0m", 3.0m);
            yield return new Sample("a GUID", Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e"));
            yield return new Sample("a date", new DateTime(2026, 1, 15, 10, 30, 0, DateTimeKind.Utc));
            yield return new Sample("a DateTimeOffset", new DateTimeOffset(2026, 1, 15, 10, 30, 0, TimeSpan.Zero));
            yield return new Sample("$true", true);
            yield return new Sample("a char", 'a');
            yield return new Sample("a StringBuilder", new StringBuilder("p1"));
            yield return new Sample("bytes", new byte[] { 0x70, 0x31 });
            yield return new Sample("an enum", DayOfWeek.Monday);
        }

        private static string Escape(string text) => text.Length > 30 ? text[..30] + "…" : string.Concat(text.Select(c => c < 0x20 || c > 0x7e ? $"\\u{(int)c:X4}" : c.ToString()));

        private static HashSet<string> Strings(string json)
        {
            var found = new HashSet<string>(StringComparer.Ordinal);
            void Walk(JsonElement element)
            {
                switch (element.ValueKind)
                {
                    case JsonValueKind.String: found.Add(element.GetString()!); break;
                    case JsonValueKind.Object: foreach (JsonProperty p in element.EnumerateObject()) Walk(p.Value); break;
                    case JsonValueKind.Array: foreach (JsonElement e in element.EnumerateArray()) Walk(e); break;
                }
            }
            try
            {
                using JsonDocument document = JsonDocument.Parse(json);
                Walk(document.RootElement);
            }
            catch (JsonException)
            {
            }
            return found;
        }

        private static string? Member(string json, string name)
        {
            try
            {
                using JsonDocument document = JsonDocument.Parse(json);
                return document.RootElement.TryGetProperty(name, out JsonElement value) ? value.GetString() : null;
            }
            catch (JsonException)
            {
                return null;
            }
        }

        private static bool InSet(Sample sample, bool blankOk, params string[] values) =>
            (blankOk && sample.IsNull) || (sample.Text is string text && (Trim(text) is string trimmed)
                && (trimmed.Length == 0 ? blankOk && sample.Value is string : values.Contains(trimmed, StringComparer.OrdinalIgnoreCase)));

        // A MIME type (type/subtype, as HTTP reads one) of an audio, as -MediaType audio takes.
        private static bool AudioMimeTypeOk(Sample sample) =>
            sample.Text is string text && Trim(text) is string type && LineOk(type)
            && System.Net.Http.Headers.MediaTypeHeaderValue.TryParse(type, out var parsed) && parsed.MediaType!.StartsWith("audio/", StringComparison.OrdinalIgnoreCase);

        private static bool SecretNameOk(Sample sample) =>
            sample.IsNull || (sample.Text is string text && Trim(text) is string name
                && (name.Length == 0 || (LineOk(name) && name.IndexOfAny("*?[]".ToCharArray()) < 0 && !name.StartsWith("Jelou-", StringComparison.OrdinalIgnoreCase))));

        private static bool Optional(Sample sample, Kind kind) =>
            sample.IsNull || (sample.Text is string t && t.Trim().Length == 0) || IsValid(new Target("", kind), sample);
    }

    internal static class PSObjectExtensions
    {
        public static PSObject With(this PSObject row, string name, object? value)
        {
            row.Properties.Add(new PSNoteProperty(name, value));
            return row;
        }
    }
}
