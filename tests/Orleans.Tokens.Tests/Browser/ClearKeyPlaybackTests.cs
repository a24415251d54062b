using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Orleans.Tokens.Tests.ProcessLevel;
using Xunit.Abstractions;

namespace Orleans.Tokens.Tests.Browser;

/// <summary>
/// Redemption closes the loop (contract section 8, Clear Key): a clip encrypted with CENC under a KID and key plays
/// in a real browser — Debian's Chromium, headless, driven by <c>tests/browser/play.mjs</c> through playwright-core —
/// in shaka-player, with its license from the rights URL of a token minted through <c>/hms/ck/token</c> on the real
/// gateway. A tampered token and a token for another KID do not play, and the player says why. Each run keeps a
/// screenshot in <see cref="BrowserTools.Artifacts"/>.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class ClearKeyPlaybackTests(ClearKeyStage stage, ITestOutputHelper log) : IClassFixture<ClearKeyStage>
{
    private const string MintPath = "/hms/ck/token";
    private const string RightsPath = "/hms/ck/rights";

    // shaka.util.Error codes and categories, as shaka-player 5.2 reports them (lib/util/error.js).
    private const int DrmCategory = 6;
    private const int LicenseRequestFailed = 6007;
    private const int LicenseResponseRejected = 6008;

    [BrowserFact]
    public async Task The_clip_plays_with_the_license_of_a_minted_token()
    {
        var setup = await stage.SetupAsync();
        var rightsUrl = await MintAsync(setup, setup.Kid, setup.Key);

        var outcome = await PlayAsync(setup, rightsUrl, "clear-key-plays");

        Assert.True(outcome.Played, $"did not play: {outcome}");
        Assert.True(outcome.CurrentTime > 2, outcome.ToString());
        Assert.True(outcome.DecodedFrames > 0, outcome.ToString());
    }

    /// <summary>The rights URL refuses the token (400 -4010), which shaka reports as a failed license request.</summary>
    [BrowserFact]
    public async Task A_tampered_token_is_a_license_request_error()
    {
        var setup = await stage.SetupAsync();
        var rightsUrl = await MintAsync(setup, setup.Kid, setup.Key);
        var tampered = Tamper(rightsUrl);

        var outcome = await PlayAsync(setup, tampered, "clear-key-tampered-token");

        Assert.False(outcome.Played, outcome.ToString());
        Assert.Equal((LicenseRequestFailed, DrmCategory), (outcome.Error?.Code, outcome.Error?.Category));
    }

    /// <summary>
    /// The license answers no key for the clip's KID: the token carries another, and section 8 leaves out a requested
    /// KID the token does not carry, so the answer holds no key at all, which Chromium's Clear Key CDM refuses as an
    /// invalid response (shaka 6008, license response rejected).
    /// </summary>
    [BrowserFact]
    public async Task A_token_for_another_KID_is_a_key_error()
    {
        var setup = await stage.SetupAsync();
        var rightsUrl = await MintAsync(setup, TokenRequests.RandomHex(16), TokenRequests.RandomHex(16));
        var clipKid = Base64Url(setup.Kid);
        using var license = await setup.Gateway.Http.PostAsJsonAsync(rightsUrl, new { kids = new[] { clipKid }, type = "temporary" });
        var answer = await license.Content.ReadAsStringAsync();
        Assert.True(license.StatusCode == HttpStatusCode.OK, $"{(int)license.StatusCode}: {answer}");
        Assert.Empty(JsonDocument.Parse(answer).RootElement.GetProperty("keys").EnumerateArray());

        var outcome = await PlayAsync(setup, rightsUrl, "clear-key-other-kid");

        Assert.False(outcome.Played, outcome.ToString());
        Assert.Equal((LicenseResponseRejected, DrmCategory), (outcome.Error?.Code, outcome.Error?.Category));
    }

    /// <summary>Mints a Clear Key token (the Widevine parameters) and returns the rights URL the answer is.</summary>
    private async Task<string> MintAsync(ClearKeySetup setup, string kid, string contentKey)
    {
        var answer = await TokenRequests.GetAsync(setup.Gateway.Http, MintPath, TokenRequests.Widevine(setup.Customer.Production, kid, contentKey));
        Assert.True(answer.Status == HttpStatusCode.OK, $"{MintPath}: {answer}");
        var prefix = new Uri(setup.Gateway.BaseUrl, RightsPath) + "?ExpressPlayToken=";
        Assert.StartsWith(prefix, answer.Body);
        Assert.Matches(TokenRequests.Base64UrlNoPadding(), answer.Body[prefix.Length..]);
        return answer.Body;
    }

    /// <summary>The rights URL with one character in the middle of its token changed (every bit of it counts, unlike the last one's).</summary>
    private static string Tamper(string rightsUrl)
    {
        var start = rightsUrl.IndexOf("ExpressPlayToken=", StringComparison.Ordinal) + "ExpressPlayToken=".Length;
        var middle = start + (rightsUrl.Length - start) / 2;
        var changed = rightsUrl[middle] == 'A' ? 'B' : 'A';
        return rightsUrl[..middle] + changed + rightsUrl[(middle + 1)..];
    }

    private static string Base64Url(string hex) =>
        Convert.ToBase64String(Convert.FromHexString(hex)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>Runs play.mjs on the clip with <paramref name="rightsUrl"/> as its license server; the screenshot is <paramref name="name"/>.png.</summary>
    private async Task<PlayOutcome> PlayAsync(ClearKeySetup setup, string rightsUrl, string name)
    {
        Directory.CreateDirectory(BrowserTools.Artifacts);
        var screenshot = Path.Combine(BrowserTools.Artifacts, name + ".png");
        var watch = Stopwatch.StartNew();
        var run = await BrowserTools.RunAsync(
            "node",
            ["play.mjs", "--chromium", BrowserTools.Chromium, "--media", setup.ClipFolder, "--license", rightsUrl, "--screenshot", screenshot],
            TimeSpan.FromSeconds(60));
        log.WriteLine($"play.mjs exited {run.ExitCode} in {watch.ElapsedMilliseconds} ms: {run.Stdout.Trim()}");
        if (run.Stderr.Length > 0) log.WriteLine($"play.mjs stderr: {run.Stderr.Trim()}");
        Assert.True(run.ExitCode == 0, $"play.mjs exited {run.ExitCode}:\n{run.Stdout}\n{run.Stderr}");
        log.WriteLine($"screenshot: {screenshot}");
        return JsonSerializer.Deserialize<PlayOutcome>(run.Stdout.Trim(), JsonSerializerOptions.Web)!;
    }

    /// <summary>The JSON line play.mjs prints.</summary>
    private sealed record PlayOutcome(bool Played, double CurrentTime, int DecodedFrames, ShakaError? Error, bool TimedOut);

    /// <summary>A shaka.util.Error as play.mjs reports it; <c>Detail</c> is its data as short JSON text.</summary>
    private sealed record ShakaError(int Code, int Category, int Severity, string? Detail);
}
