using Orleans.Tokens.Tests.Infrastructure;

namespace Orleans.Tokens.Tests.Contract;

/// <summary>
/// Contract section 2, success (Widevine <c>text/uri-list</c> line, PlayReady json, rights URLs from
/// <c>PublicBaseUrl</c>), and section 7's token form: base64url without padding, at most 2,048 characters, unique.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class SuccessResponseTests(GatewayFixture gateway)
{
    [Fact]
    public async Task Widevine_IsOneUriListLine()
    {
        var customer = await gateway.CreateCustomerAsync();
        var response = await gateway.MintAsync(Drm.Widevine, ValidRequests.Widevine(customer));
        var token = await Expect.WidevineTokenAsync(response);
        Assert.Equal($"http://tokens.test/hms/wv/rights/?ExpressPlayToken={token}", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task PlayReady_IsTheJsonObject()
    {
        var customer = await gateway.CreateCustomerAsync();
        var response = await gateway.MintAsync(Drm.PlayReady, ValidRequests.PlayReady(customer));
        var token = await Expect.PlayReadyTokenAsync(response);
        Assert.Equal(
            $$"""{"licenseAcquisitionUrl":"http://tokens.test/hms/pr/rights","token":"{{token}}"}""",
            await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData(Drm.Widevine, "html")]
    [InlineData(Drm.Widevine, "json")]
    [InlineData(Drm.PlayReady, "html")]
    public async Task ErrorFormat_DoesNotChangeTheSuccessShape(Drm drm, string format)
    {
        var customer = await gateway.CreateCustomerAsync();
        var request = ValidRequests.For(drm, customer).Set("errorFormat", format);
        await Expect.TokenAsync(drm, await gateway.MintAsync(drm, request));
    }

    [Theory]
    [InlineData(Drm.Widevine)]
    [InlineData(Drm.PlayReady)]
    public async Task Tokens_AreUnique_AndEachDebitsOne(Drm drm)
    {
        var customer = await gateway.CreateCustomerAsync(productionBalance: 10, testBalance: 10);
        var request = ValidRequests.For(drm, customer);
        var tokens = new HashSet<string>();
        for (var i = 0; i < 5; i++) tokens.Add(await Expect.TokenAsync(drm, await gateway.MintAsync(drm, request)));
        Assert.Equal(5, tokens.Count);
        Assert.Equal(5, await customer.ProductionBalanceAsync());
        Assert.Equal(10, await customer.TestBalanceAsync());
    }

    [Fact]
    public async Task Widevine_LargestRequest_TokenStaysWithin2048()
    {
        var customer = await gateway.CreateCustomerAsync();
        var request = ValidRequests.Full(Drm.Widevine, customer)
            .Set("contentId", Printable(256)).Set("cookie", Printable(32)).Set("kid", "^" + new string('n', 64))
            .Set("securityLevel", "5").Set("hdcpOutputControl", "2").Set("licenseDuration", "999999999")
            .Set("expirationTime", "+2592000");
        request.Without("wvExtension");
        for (var i = 0; i < 4; i++) request.Append("wvExtension", $"ty{i:00},{new string('A', 124)}AA==");
        await Expect.WidevineTokenAsync(await gateway.MintAsync(Drm.Widevine, request));
    }

    [Fact]
    public async Task PlayReady_LargestRequest_TokenStaysWithin2048()
    {
        var customer = await gateway.CreateCustomerAsync();
        var request = ValidRequests.Full(Drm.PlayReady, customer)
            .Set("contentId", Printable(256)).Set("cookie", Printable(32)).Set("kid", "^" + new string('n', 64))
            .Set("expirationTime", "+2592000").Set("rental.playDuration", "999999999")
            .Set("unknownOutputBehavior", "Disallow").Set("outputControlFlags", "FFFFFFFF")
            .Set("extensionPayload", new string('A', 124) + "AA==");
        foreach (var opl in ValidRequests.Opls) request.Set(opl, "999");
        await Expect.PlayReadyTokenAsync(await gateway.MintAsync(Drm.PlayReady, request));
    }

    // Section 4 allows any printable ASCII in contentId and any 32 characters in cookie; section 7 still caps the
    // token at 2,048 characters, and the token must be one the service itself can open.
    [Theory]
    [InlineData(Drm.Widevine, '"', '"')]
    [InlineData(Drm.Widevine, '<', 'é')]
    [InlineData(Drm.PlayReady, '\\', '&')]
    [InlineData(Drm.PlayReady, '\'', 'ü')]
    public async Task LongestContentIdAndCookie_OfAnyAllowedCharacter_TokenStaysWithin2048(Drm drm, char contentIdChar, char cookieChar)
    {
        var customer = await gateway.CreateCustomerAsync();
        var request = ValidRequests.Full(drm, customer)
            .Set("contentId", new string(contentIdChar, 256)).Set("cookie", new string(cookieChar, 32));
        var token = await Expect.TokenAsync(drm, await gateway.MintAsync(drm, request));
        var payload = gateway.OpenToken(token);
        Assert.True(payload is not null, "the minted token does not open");
        Assert.Equal(new string(contentIdChar, 256), payload.ContentId);
    }

    /// <summary>The printable ASCII range 0x20–0x7E, repeated to <paramref name="length"/> characters.</summary>
    private static string Printable(int length) =>
        new(Enumerable.Range(0, length).Select(i => (char)(0x20 + i % 95)).ToArray());
}
