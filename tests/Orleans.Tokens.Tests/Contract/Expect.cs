using System.Text.Json;
using System.Text.RegularExpressions;
using Orleans.Tokens.Tests.Infrastructure;

namespace Orleans.Tokens.Tests.Contract;

/// <summary>Assertions on the response shapes of section 2 (and the code-less responses of section 1).</summary>
public static partial class Expect
{
    public const string Json = "application/json";
    public const string Html = "text/html; charset=utf-8";

    /// <summary>
    /// A json error (section 2): status from the code, <c>Content-Type: application/json</c>, a body with exactly
    /// <c>errorCode</c> (that code) and <c>errorText</c> (section 6's text, optionally <c>": details"</c> where the
    /// table shows details).
    /// </summary>
    public static async Task<ErrorResponse> ErrorAsync(HttpResponseMessage response, int code)
    {
        var error = await ErrorResponse.ReadAsync(response);
        var context = Describe(error);
        Assert.True(SpecErrors.StatusFor(code) == (int)error.Status, $"expected status {SpecErrors.StatusFor(code)} for {code}; {context}");
        Assert.True(error.ContentType == Json, $"expected Content-Type {Json}; {context}");
        Assert.True(error.Code == code, $"expected errorCode {code}; {context}");
        using var json = JsonDocument.Parse(error.Body);
        var names = json.RootElement.EnumerateObject().Select(p => p.Name).Order().ToArray();
        Assert.Equal(["errorCode", "errorText"], names);
        Assert.Equal(JsonValueKind.Number, json.RootElement.GetProperty("errorCode").ValueKind);
        AssertText(code, error.Text, exact: true, context);
        return error;
    }

    /// <summary>An html error (section 2): status from the code, <c>text/html; charset=utf-8</c>, the code and text in the document.</summary>
    public static async Task<ErrorResponse> HtmlErrorAsync(HttpResponseMessage response, int code)
    {
        var error = await ErrorResponse.ReadAsync(response);
        var context = Describe(error);
        Assert.True(SpecErrors.StatusFor(code) == (int)error.Status, $"expected status {SpecErrors.StatusFor(code)} for {code}; {context}");
        Assert.True(error.ContentType == Html, $"expected Content-Type {Html}; {context}");
        Assert.True(error.Code == code, $"expected code {code} in the html; {context}");
        AssertText(code, error.Text, exact: false, context);
        return error;
    }

    /// <summary>Section 1's four code-less refusals: the status, a short <c>text/plain</c> sentence, no code.</summary>
    public static async Task PlainRefusalAsync(HttpResponseMessage response, int status)
    {
        var error = await ErrorResponse.ReadAsync(response);
        var context = Describe(error);
        Assert.True(status == (int)error.Status, $"expected status {status}; {context}");
        Assert.True(response.Content.Headers.ContentType?.MediaType == "text/plain", $"expected text/plain; {context}");
        Assert.False(string.IsNullOrWhiteSpace(error.Body), $"expected a short sentence; {context}");
        Assert.True(error.Body.Length < 500, $"expected a short sentence; {context}");
        Assert.True(error.Code is null, $"expected no error code; {context}");
        Assert.DoesNotContain("errorCode", error.Body);
    }

    /// <summary>A Widevine or PlayReady success of section 2, exactly; returns the token after checking section 7's form.</summary>
    public static Task<string> TokenAsync(Drm drm, HttpResponseMessage response) =>
        drm == Drm.Widevine ? WidevineTokenAsync(response) : PlayReadyTokenAsync(response);

    /// <summary><c>200</c>, <c>text/uri-list</c>, the one URL with no line terminator (section 2) <c>{PublicBaseUrl}/hms/wv/rights/?ExpressPlayToken={token}</c>.</summary>
    public static async Task<string> WidevineTokenAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        var context = $"status {(int)response.StatusCode}, Content-Type '{response.Content.Headers.ContentType}', body: {Shorten(body)}";
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.OK, $"expected 200; {context}");
        Assert.True(response.Content.Headers.ContentType?.ToString() == "text/uri-list", $"expected Content-Type text/uri-list; {context}");
        const string prefix = GatewayFixture.PublicBaseUrl + "/hms/wv/rights/?ExpressPlayToken=";
        Assert.StartsWith(prefix, body);
        var token = body[prefix.Length..];
        Assert.Equal($"{prefix}{token}", body);
        AssertTokenForm(token);
        return token;
    }

    /// <summary><c>200</c>, <c>application/json</c>, body exactly <c>{"licenseAcquisitionUrl":"{PublicBaseUrl}/hms/pr/rights","token":"{token}"}</c>.</summary>
    public static async Task<string> PlayReadyTokenAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        var context = $"status {(int)response.StatusCode}, Content-Type '{response.Content.Headers.ContentType}', body: {Shorten(body)}";
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.OK, $"expected 200; {context}");
        Assert.True(response.Content.Headers.ContentType?.ToString() == Json, $"expected Content-Type {Json}; {context}");
        var match = PlayReadyBody().Match(body);
        Assert.True(match.Success, $"expected the exact PlayReady body; {context}");
        var token = match.Groups["token"].Value;
        Assert.Equal($$"""{"licenseAcquisitionUrl":"{{GatewayFixture.PublicBaseUrl}}/hms/pr/rights","token":"{{token}}"}""", body);
        AssertTokenForm(token);
        return token;
    }

    /// <summary>Section 7: base64url (RFC 4648 section 5) without padding, at most 2,048 characters.</summary>
    public static void AssertTokenForm(string token)
    {
        Assert.True(token.Length is >= 1 and <= 2048, $"token of {token.Length} characters (section 7: at most 2,048)");
        Assert.Matches("^[A-Za-z0-9_-]+$", token);
        Assert.NotEqual(1, token.Length % 4); // no base64 text has a length of 4n+1
    }

    private static void AssertText(int code, string? text, bool exact, string context)
    {
        Assert.True(text is not null, $"expected an error text; {context}");
        var (expected, hasDetails) = SpecErrors.Texts[code];
        if (!exact)
        {
            Assert.True(text.Contains(expected, StringComparison.Ordinal), $"expected the text '{expected}'; {context}");
            return;
        }
        var ok = text == expected || (hasDetails && text.StartsWith(expected + ": ", StringComparison.Ordinal));
        Assert.True(ok, $"expected errorText '{expected}'{(hasDetails ? " [: details]" : "")}; {context}");
    }

    private static string Describe(ErrorResponse error) =>
        $"got status {(int)error.Status}, Content-Type '{error.ContentType}', code {error.Code?.ToString() ?? "none"}, body: {Shorten(error.Body)}";

    private static string Shorten(string body) => body.Length <= 400 ? body : body[..400] + "…";

    [GeneratedRegex("""^\{"licenseAcquisitionUrl":"[^"]*","token":"(?<token>[^"]*)"\}$""")]
    private static partial Regex PlayReadyBody();
}
