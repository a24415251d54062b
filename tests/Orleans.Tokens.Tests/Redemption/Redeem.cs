using System.Net;
using System.Text;
using System.Text.Json;
using Orleans.Tokens.Tests.Contract;
using Orleans.Tokens.Tests.Infrastructure;

namespace Orleans.Tokens.Tests.Redemption;

/// <summary>Minting, redeeming and reading records for the section 8 tests, through the gateway's HTTP surface.</summary>
public static class Redeem
{
    public const string WidevineRights = "/hms/wv/rights/";
    public const string PlayReadyRights = "/hms/pr/rights";
    public const string ClearKeyRights = "/hms/ck/rights";
    public const string ClearKeyMint = "/hms/ck/token";

    public static string RightsPath(Drm drm) => drm == Drm.Widevine ? WidevineRights : PlayReadyRights;

    /// <summary>Mints a Widevine or PlayReady token with <paramref name="extra"/> parameters set on a valid request.</summary>
    public static async Task<string> MintAsync(GatewayFixture gateway, string authenticator, Drm drm, params (string Name, string Value)[] extra)
    {
        var request = drm == Drm.Widevine ? Widevine(authenticator) : PlayReady(authenticator);
        foreach (var (name, value) in extra) request.Set(name, value);
        return await Expect.TokenAsync(drm, await gateway.MintAsync(drm, request));
    }

    public static Task<string> MintAsync(GatewayFixture gateway, TestCustomer customer, Drm drm, params (string Name, string Value)[] extra) =>
        MintAsync(gateway, customer.Authenticator, drm, extra);

    /// <summary>Mints at <c>/hms/ck/token</c>: a 200 whose body is the Clear Key rights URL with the token, which it returns.</summary>
    public static async Task<string> MintClearKeyAsync(GatewayFixture gateway, Params request)
    {
        var response = await gateway.GetAsync(ClearKeyMint, request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"expected 200, got {(int)response.StatusCode}: {body}");
        const string prefix = GatewayFixture.PublicBaseUrl + ClearKeyRights + "?ExpressPlayToken=";
        Assert.StartsWith(prefix, body);
        var token = body[prefix.Length..];
        Assert.Matches("^[A-Za-z0-9_-]+$", token);
        return token;
    }

    public static Params Widevine(string authenticator) => new()
    {
        { "customerAuthenticator", authenticator },
        { "errorFormat", "json" },
        { "kid", ValidRequests.Kid },
        { "contentKey", ValidRequests.ContentKey },
        { "securityLevel", "1" },
        { "hdcpOutputControl", "0" },
    };

    public static Params PlayReady(string authenticator)
    {
        var request = new Params
        {
            { "customerAuthenticator", authenticator },
            { "errorFormat", "json" },
            { "kid", ValidRequests.Kid },
            { "contentKey", ValidRequests.ContentKey },
            { "rightsType", "BuyToOwn" },
        };
        foreach (var opl in ValidRequests.Opls) request.Add(opl, "100");
        return request;
    }

    /// <summary>Section 8's Clear Key request body for these KIDs (hex), each as base64url.</summary>
    public static string ClearKeyBody(params string[] hexKids) =>
        JsonSerializer.Serialize(new { kids = hexKids.Select(k => Base64Url(Convert.FromHexString(k))).ToArray(), type = "temporary" });

    public static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>A Clear Key license request for the default KID to a rights URL that Clear Key serves.</summary>
    public static Task<HttpResponseMessage> ClearKeyAsync(GatewayFixture gateway, string rightsPath, string token, string? body = null) =>
        PostAsync(gateway, rightsPath, token, body ?? ClearKeyBody(ValidRequests.Kid), "application/json");

    public static Task<HttpResponseMessage> PostAsync(GatewayFixture gateway, string rightsPath, string token, string body, string contentType)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"{rightsPath}?ExpressPlayToken={token}")
        {
            Content = new StringContent(body, Encoding.UTF8),
        };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(contentType);
        return gateway.Client.SendAsync(request);
    }

    /// <summary>A license answered: 200 (the body in the message otherwise).</summary>
    public static async Task IssuedAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"expected 200, got {(int)response.StatusCode}: {body}");
    }

    /// <summary>Section 8's bad token: 400 -4010 with <paramref name="details"/> in the text.</summary>
    public static async Task RefusedAsync(HttpResponseMessage response, string details)
    {
        var error = await ErrorResponse.ReadAsync(response);
        Assert.True(error.Status == HttpStatusCode.BadRequest, $"expected 400 -4010 {details}, got {(int)error.Status}: {error.Body}");
        Assert.True(error.Code == -4010, $"expected -4010 {details}: {error.Body}");
        Assert.True((error.Text ?? error.Body).Contains(details, StringComparison.Ordinal), $"expected details '{details}': {error.Body}");
    }

    /// <summary>An error with <paramref name="status"/> and <paramref name="code"/> (any rendering of section 2).</summary>
    public static async Task<ErrorResponse> ErrorAsync(HttpResponseMessage response, HttpStatusCode status, int code)
    {
        var error = await ErrorResponse.ReadAsync(response);
        Assert.True(error.Status == status && error.Code == code,
            $"expected {(int)status} {code}, got {(int)error.Status} {error.Code}: {error.Body}");
        return error;
    }

    public static string TokenId(GatewayFixture gateway, string token) =>
        (gateway.OpenToken(token) ?? throw new InvalidOperationException("the token does not open")).TokenId;

    public sealed record RecordRow(DateTimeOffset Time, string TokenId, string Drm, string Kid, string? Cookie, string Outcome, string? Address);

    /// <summary><c>GET /hms/records</c> with these parameters; the response as it came.</summary>
    public static Task<HttpResponseMessage> RecordsResponseAsync(GatewayFixture gateway, Params query) =>
        gateway.GetAsync("/hms/records", query);

    /// <summary><c>GET /hms/records</c>: 200 <c>application/json</c> <c>{"records":[…]}</c>, each record with exactly section 8's fields.</summary>
    public static async Task<RecordRow[]> RecordsAsync(GatewayFixture gateway, Params query)
    {
        var response = await RecordsResponseAsync(gateway, query);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"expected 200, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(body);
        Assert.Equal(["records"], json.RootElement.EnumerateObject().Select(p => p.Name).ToArray());
        var records = new List<RecordRow>();
        foreach (var item in json.RootElement.GetProperty("records").EnumerateArray())
        {
            Assert.Equal(["address", "cookie", "drm", "kid", "outcome", "time", "tokenId"],
                item.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal).ToArray());
            string? Text(string name) => item.GetProperty(name).ValueKind == JsonValueKind.Null ? null : item.GetProperty(name).GetString();
            records.Add(new RecordRow(
                DateTimeOffset.Parse(Text("time")!, System.Globalization.CultureInfo.InvariantCulture),
                Text("tokenId")!, Text("drm")!, Text("kid")!, Text("cookie"), Text("outcome")!, Text("address")));
        }
        return records.ToArray();
    }

    /// <summary>Polls <paramref name="probe"/> until <paramref name="done"/> holds or 10 s pass; the last value.</summary>
    public static async Task<T> WaitForAsync<T>(Func<Task<T>> probe, Func<T, bool> done)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            var value = await probe();
            if (done(value) || DateTime.UtcNow > deadline) return value;
            await Task.Delay(50);
        }
    }
}
