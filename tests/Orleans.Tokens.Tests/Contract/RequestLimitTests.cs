using System.Text;
using Orleans.Tokens.Tests.Infrastructure;

namespace Orleans.Tokens.Tests.Contract;

/// <summary>
/// Contract section 1: any other path 404, any other method on the listed paths 405, a request target (path and
/// query) over 8 KiB 414, a body over 64 KiB 413 — refused before anything is parsed, with no code: a short
/// <c>text/plain</c> sentence. The limits themselves (exactly 8 KiB, exactly 64 KiB) are still served.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class RequestLimitTests(GatewayFixture gateway)
{
    private const int MaxTarget = 8 * 1024;
    private const int MaxBody = 64 * 1024;

    // ---- 404 ----

    [Theory]
    [InlineData("/")]
    [InlineData("/hms")]
    [InlineData("/hms/wv")]
    [InlineData("/hms/xx/token")]
    [InlineData("/hms/wv/token/extra")]
    [InlineData("/hms/pr/tokens")]
    [InlineData("/nope?errorFormat=json")]
    [InlineData("/favicon.ico")]
    [InlineData("/robots.txt")]
    [InlineData("/hms/wv/token.json")]
    public async Task UnknownPath_Is404(string target)
    {
        await Expect.PlainRefusalAsync(await gateway.Client.GetAsync(target), 404);
    }

    [Fact]
    public async Task UnknownPath_Post_Is404()
    {
        await Expect.PlainRefusalAsync(await gateway.Client.PostAsync("/hms/xx/token", new Params { { "a", "b" } }.ToForm()), 404);
    }

    // ---- 405 ----

    [Theory]
    [InlineData("PUT", "/hms/wv/token")]
    [InlineData("DELETE", "/hms/wv/token")]
    [InlineData("PATCH", "/hms/pr/token")]
    [InlineData("PUT", "/hms/pr/token")]
    [InlineData("DELETE", "/hms/wv/rights/")]
    [InlineData("PUT", "/hms/pr/rights")]
    [InlineData("POST", "/metrics")]
    [InlineData("DELETE", "/metrics")]
    [InlineData("POST", "/healthz")]
    [InlineData("PUT", "/readyz")]
    public async Task OtherMethod_Is405(string method, string path)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path + "?errorFormat=json")
        {
            Content = new StringContent("", Encoding.UTF8, "application/x-www-form-urlencoded"),
        };
        await Expect.PlainRefusalAsync(await gateway.Client.SendAsync(request), 405);
    }

    // ---- 414 ----

    [Theory]
    [InlineData(Drm.Widevine)]
    [InlineData(Drm.PlayReady)]
    public async Task Target_Over8KiB_Is414(Drm drm)
    {
        var customer = await gateway.CreateCustomerAsync(productionBalance: 10);
        var target = PaddedTarget(GatewayFixture.MintPath(drm), ValidRequests.For(drm, customer), MaxTarget + 1);
        await Expect.PlainRefusalAsync(await gateway.Client.GetAsync(target), 414);
        Assert.Equal(10, await customer.ProductionBalanceAsync());
    }

    [Fact]
    public async Task Target_Over8KiB_Is414_BeforeAnyParameterCheck()
    {
        var query = new Params { { "errorFormat", "xml" }, { "kid", "zz" } };
        var target = PaddedTarget(GatewayFixture.WidevinePath, query, MaxTarget + 100);
        await Expect.PlainRefusalAsync(await gateway.Client.GetAsync(target), 414);
        await Expect.PlainRefusalAsync(await gateway.Client.PostAsync(target, new Params { { "kid", "zz" } }.ToForm()), 414);
    }

    [Fact]
    public async Task Target_ofExactly8KiB_IsServed()
    {
        var customer = await gateway.CreateCustomerAsync(productionBalance: 10);
        var target = PaddedTarget(GatewayFixture.WidevinePath, ValidRequests.Widevine(customer), MaxTarget);
        await Expect.WidevineTokenAsync(await gateway.Client.GetAsync(target));
        Assert.Equal(9, await customer.ProductionBalanceAsync());
    }

    // ---- 413 ----

    [Theory]
    [InlineData(Drm.Widevine)]
    [InlineData(Drm.PlayReady)]
    public async Task FormBody_Over64KiB_Is413(Drm drm)
    {
        var customer = await gateway.CreateCustomerAsync(productionBalance: 10);
        var body = PaddedForm(ValidRequests.For(drm, customer), MaxBody + 1);
        var response = await gateway.Client.PostAsync(GatewayFixture.MintPath(drm), Form(body));
        await Expect.PlainRefusalAsync(response, 413);
        Assert.Equal(10, await customer.ProductionBalanceAsync());
    }

    [Fact]
    public async Task Body_Over64KiB_Is413_BeforeAnyParameterCheck()
    {
        var body = PaddedForm(new Params { { "errorFormat", "xml" }, { "kid", "zz" } }, MaxBody + 1000);
        await Expect.PlainRefusalAsync(await gateway.Client.PostAsync(GatewayFixture.WidevinePath + "?errorFormat=xml", Form(body)), 413);
    }

    [Fact]
    public async Task NonFormBody_Over64KiB_Is413()
    {
        var content = new StringContent(new string('x', MaxBody + 1), Encoding.ASCII, "application/json");
        await Expect.PlainRefusalAsync(await gateway.Client.PostAsync(GatewayFixture.PlayReadyPath, content), 413);
    }

    [Fact]
    public async Task ChunkedBody_Over64KiB_Is413()
    {
        var customer = await gateway.CreateCustomerAsync(productionBalance: 10);
        var body = PaddedForm(ValidRequests.Widevine(customer), MaxBody + 1);
        using var request = new HttpRequestMessage(HttpMethod.Post, GatewayFixture.WidevinePath) { Content = Form(body) };
        request.Headers.TransferEncodingChunked = true;
        await Expect.PlainRefusalAsync(await gateway.Client.SendAsync(request), 413);
        Assert.Equal(10, await customer.ProductionBalanceAsync());
    }

    [Fact]
    public async Task FormBody_ofExactly64KiB_IsServed()
    {
        var customer = await gateway.CreateCustomerAsync(productionBalance: 10);
        var body = PaddedForm(ValidRequests.Widevine(customer), MaxBody);
        await Expect.WidevineTokenAsync(await gateway.Client.PostAsync(GatewayFixture.WidevinePath, Form(body)));
        Assert.Equal(9, await customer.ProductionBalanceAsync());
    }

    // ---- helpers ----

    /// <summary><c>path?query&amp;pad=xxx…</c> of exactly <paramref name="length"/> bytes (an unknown parameter pads).</summary>
    private static string PaddedTarget(string path, Params query, int length)
    {
        var target = $"{path}?{query.ToQueryString()}&pad=";
        Assert.True(target.Length < length);
        return target + new string('x', length - target.Length);
    }

    /// <summary>A form body of exactly <paramref name="length"/> bytes (an unknown parameter pads).</summary>
    private static string PaddedForm(Params form, int length)
    {
        var body = form.ToQueryString() + "&pad=";
        return body + new string('x', length - body.Length);
    }

    private static ByteArrayContent Form(string body)
    {
        var content = new ByteArrayContent(Encoding.ASCII.GetBytes(body));
        content.Headers.ContentType = new("application/x-www-form-urlencoded");
        return content;
    }
}
