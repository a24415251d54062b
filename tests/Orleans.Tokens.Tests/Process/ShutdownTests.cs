using System.Net;
using Xunit.Abstractions;

namespace Orleans.Tokens.Tests.ProcessLevel;

/// <summary>
/// Graceful shutdown (README "Graceful shutdown"; contract section 1's <c>/readyz</c>): once SIGTERM arrives, a new
/// connection to <c>/readyz</c> is still accepted for the drain delay and answered 503, then the gateway stops
/// accepting, and a mint that was already in flight is still answered, with its token, before the process exits.
/// The embedded default here; a client-mode gateway in <c>ClusterLevel.GatewayShutdownTests</c>.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class ShutdownTests(ITestOutputHelper log)
{
    [Fact]
    public async Task On_SIGTERM_readyz_turns_503_and_the_request_in_flight_is_answered()
    {
        await using var gateway = await GatewayProcess.StartAsync(log, HostSettings.TestedDrain, HostSettings.RequestLogging);
        var customer = await gateway.Admin.CreateCustomerAsync(4400001, balance: 5);
        Assert.Equal(HttpStatusCode.OK, (await gateway.Http.GetAsync("/readyz")).StatusCode);

        using var mint = await HalfSentMint.StartAsync(gateway.HttpPort, customer.Production);
        await GracefulStop.AssertDrainsAsync(gateway.Process, gateway.BaseUrl, mint, log);
    }
}
