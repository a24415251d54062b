using System.Text;
using Orleans.Tokens.Tests.Infrastructure;

namespace Orleans.Tokens.Tests.Contract;

/// <summary>
/// Contract section 1 with RFC 9110 §9.1: methods are case-sensitive, so on every path of section 1 a method that is
/// not exactly one the path allows — <c>get</c>, <c>Post</c> — is 405 with a sentence, and nothing is debited. Sent
/// over raw sockets: HttpClient may normalise a method's case.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class MethodCaseTests(GatewayFixture gateway) : IDisposable
{
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(60));

    [Theory]
    [InlineData("get", "/metrics")]
    [InlineData("Get", "/metrics")]
    [InlineData("get", "/healthz")]
    [InlineData("gET", "/readyz")]
    [InlineData("get", "/hms/wv/rights/")]
    [InlineData("post", "/hms/pr/rights")]
    [InlineData("head", "/healthz")]
    public async Task MethodInAnotherCase_Is405(string method, string path)
    {
        var answer = await SendAsync($"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n");
        AssertMethodRefusal(answer, path.StartsWith("/hms/", StringComparison.Ordinal) ? "GET, POST" : "GET");
    }

    [Theory]
    [InlineData("get", Drm.Widevine)]
    [InlineData("post", Drm.Widevine)]
    [InlineData("Get", Drm.PlayReady)]
    [InlineData("POSt", Drm.PlayReady)]
    public async Task MintWithAMethodInAnotherCase_Is405_AndNothingIsDebited(string method, Drm drm)
    {
        var customer = await gateway.CreateCustomerAsync(productionBalance: 10);
        var form = ValidRequests.For(drm, customer).ToQueryString();
        var answer = await SendAsync(
            $"{method} {GatewayFixture.MintPath(drm)}?{form} HTTP/1.1\r\nHost: 127.0.0.1\r\n" +
            $"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {form.Length}\r\n\r\n{form}");
        AssertMethodRefusal(answer);
        Assert.Equal(10, await customer.ProductionBalanceAsync());
    }

    [Fact]
    public async Task GetInCapitals_StillServesMetrics()
    {
        // A counted request of its own first: the request counter has a series once a request was counted, and the
        // test may run before any other of its collection.
        Assert.Equal(401, (await SendAsync($"GET {GatewayFixture.WidevinePath} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"))!.Status);
        var answer = await SendAsync("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        Assert.Equal(200, answer!.Status);
        Assert.Contains("tokens_requests_total", answer.Body);
    }

    private static void AssertMethodRefusal(RawResponse? answer, string allowed = "GET, POST")
    {
        Assert.NotNull(answer);
        Assert.True(answer.Status == 405, answer.ToString());
        Assert.Equal(allowed, answer.Headers.GetValueOrDefault("allow"));
        Assert.Equal("text/plain; charset=utf-8", answer.ContentType);
        Assert.Equal("The method is not allowed here.\n", answer.Body);
    }

    private Task<RawResponse?> SendAsync(string request) => RawConnection.ExchangeAsync(gateway.Client.BaseAddress!.Port, request, _timeout.Token);

    public void Dispose() => _timeout.Dispose();
}
