using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using Xunit;

namespace Orleans.Tokens.Tests.ProcessLevel;

/// <summary>Valid mint requests of contract sections 4 and 5, and reading their answers (section 2).</summary>
internal static partial class TokenRequests
{
    public const string WidevinePath = "/hms/wv/token";
    public const string PlayReadyPath = "/hms/pr/token";
    public const string FairPlayPath = "/hms/fp/token";

    public static string RandomHex(int bytes) => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(bytes));

    /// <summary>The required Widevine parameters, with the content key given.</summary>
    public static List<KeyValuePair<string, string>> Widevine(string authenticator, string kid, string contentKey) =>
    [
        new("customerAuthenticator", authenticator),
        new("kid", kid),
        new("contentKey", contentKey),
        new("securityLevel", "1"),
        new("hdcpOutputControl", "0"),
    ];

    /// <summary>The required PlayReady parameters (BuyToOwn), with the content key given.</summary>
    public static List<KeyValuePair<string, string>> PlayReady(string authenticator, string kid, string contentKey) =>
    [
        new("customerAuthenticator", authenticator),
        new("kid", kid),
        new("contentKey", contentKey),
        new("rightsType", "BuyToOwn"),
        new("analogVideoOPL", "100"),
        new("compressedDigitalAudioOPL", "100"),
        new("compressedDigitalVideoOPL", "500"),
        new("uncompressedDigitalAudioOPL", "100"),
        new("uncompressedDigitalVideoOPL", "300"),
    ];

    public static string Query(IEnumerable<KeyValuePair<string, string>> parameters) =>
        string.Join('&', parameters.Select(p => Uri.EscapeDataString(p.Key) + "=" + Uri.EscapeDataString(p.Value)));

    public static async Task<MintAnswer> GetAsync(HttpClient http, string path, IEnumerable<KeyValuePair<string, string>> parameters)
    {
        using var response = await http.GetAsync(path + "?" + Query(parameters));
        return await MintAnswer.ReadAsync(response);
    }

    public static async Task<MintAnswer> PostAsync(HttpClient http, string path, IEnumerable<KeyValuePair<string, string>> parameters)
    {
        using var content = new FormUrlEncodedContent(parameters);
        using var response = await http.PostAsync(path, content);
        return await MintAnswer.ReadAsync(response);
    }

    [GeneratedRegex("^[A-Za-z0-9_-]+$")]
    public static partial Regex Base64UrlNoPadding();
}

/// <summary>One answer of a token endpoint.</summary>
internal sealed partial record MintAnswer(HttpStatusCode Status, string? ContentType, string Body)
{
    public static async Task<MintAnswer> ReadAsync(HttpResponseMessage response) =>
        new(response.StatusCode, response.Content.Headers.ContentType?.ToString(), await response.Content.ReadAsStringAsync());

    /// <summary>The errorCode of a JSON or HTML error body (contract section 2), or null.</summary>
    public int? ErrorCode
    {
        get
        {
            if (ContentType?.StartsWith("application/json", StringComparison.Ordinal) == true)
            {
                try
                {
                    using var json = JsonDocument.Parse(Body);
                    return json.RootElement.TryGetProperty("errorCode", out var code) && code.TryGetInt32(out var value) ? value : null;
                }
                catch (JsonException)
                {
                    return null;
                }
            }
            var match = HtmlErrorCode().Match(Body);
            return match.Success ? int.Parse(match.Groups[1].Value) : null;
        }
    }

    /// <summary>The token of a Widevine answer (<c>{url}?ExpressPlayToken={token}</c>, no line terminator, text/uri-list).</summary>
    public string WidevineToken(Uri baseUrl)
    {
        Assert.True(Status == HttpStatusCode.OK, $"expected 200, got {(int)Status}: {Body}");
        Assert.StartsWith("text/uri-list", ContentType);
        var prefix = new Uri(baseUrl, "/hms/wv/rights/") + "?ExpressPlayToken=";
        Assert.StartsWith(prefix, Body);
        var token = Body[prefix.Length..];
        Assert.DoesNotContain('\n', token);
        return token;
    }

    /// <summary>The token of a PlayReady answer (<c>{"licenseAcquisitionUrl":…,"token":…}</c>).</summary>
    public string PlayReadyToken(Uri baseUrl)
    {
        Assert.True(Status == HttpStatusCode.OK, $"expected 200, got {(int)Status}: {Body}");
        Assert.StartsWith("application/json", ContentType);
        using var json = JsonDocument.Parse(Body);
        Assert.Equal(new Uri(baseUrl, "/hms/pr/rights").ToString(), json.RootElement.GetProperty("licenseAcquisitionUrl").GetString());
        return json.RootElement.GetProperty("token").GetString()!;
    }

    public override string ToString() => $"{(int)Status} {ContentType}: {(Body.Length > 300 ? Body[..300] + "…" : Body)}";

    [GeneratedRegex(@"errorCode:?\s*(-[0-9]+)")]
    private static partial Regex HtmlErrorCode();
}
