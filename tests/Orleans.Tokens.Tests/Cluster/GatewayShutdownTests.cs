using Orleans.Tokens.Tests.ProcessLevel;
using Xunit.Abstractions;

namespace Orleans.Tokens.Tests.ClusterLevel;

/// <summary>
/// Graceful shutdown of a client-mode gateway: after SIGTERM it accepts new connections for the drain delay (with
/// <c>/readyz</c> 503), then stops accepting; the web server stops before the cluster client, so a mint in flight at
/// SIGTERM still reaches its grain, is debited and answered with its token; then the process exits.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class GatewayShutdownTests(ITestOutputHelper log)
{
    [PostgresFact]
    public async Task On_SIGTERM_a_client_gateway_answers_the_mint_in_flight_through_the_cluster()
    {
        await using var postgres = await PostgresServer.StartAsync(log);
        await using var cluster = await ClusterProcesses.StartAsync(postgres, log, silos: 1, gateways: 0);
        await cluster.StartGatewaysAsync(1, HostSettings.TestedDrain, HostSettings.RequestLogging);
        var customer = (await cluster.Admin.CreateCustomersAsync(5600001, 1, balance: 5))[0];
        var gateway = cluster.Gateways[0];

        using var mint = await HalfSentMint.StartAsync(gateway.HttpPort, customer.Production);
        await GracefulStop.AssertDrainsAsync(gateway.Process, gateway.BaseUrl, mint, log);
        Assert.Equal(4, (await cluster.Admin.BalancesAsync([customer.Id]))[customer.Id].Production);
    }
}
