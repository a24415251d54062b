using Orleans.Tokens.Tests.Infrastructure;

namespace Orleans.Tokens.Tests.Metrics;

/// <summary>
/// <c>/healthz</c> and <c>/readyz</c> on the shared test gateway. The metrics themselves are checked on a gateway
/// process of its own (<see cref="ProcessLevel.MetricsProcessTests"/>): in this test process several hosts share
/// meter names, and OpenTelemetry merges (and on a host's disposal drops) same-named instruments across them.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class HealthTests(GatewayFixture gateway)
{
    [Fact]
    public async Task Healthz_And_Readyz_AnswerOk_WhileRunning()
    {
        var health = await gateway.Client.GetAsync("/healthz");
        Assert.Equal(200, (int)health.StatusCode);
        var ready = await gateway.Client.GetAsync("/readyz");
        Assert.Equal(200, (int)ready.StatusCode);
        Assert.Equal("ready", (await ready.Content.ReadAsStringAsync()).Trim());
        Assert.Equal(405, (int)(await gateway.Client.PostAsync("/readyz", null)).StatusCode);
    }
}
