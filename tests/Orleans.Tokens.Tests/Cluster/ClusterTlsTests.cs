using Orleans.Tokens.Hosting.Tls;
using Orleans.Tokens.Tests.Infrastructure;
using Orleans.Tokens.Tests.ProcessLevel;
using Xunit;
using Xunit.Abstractions;

namespace Orleans.Tokens.Tests.ClusterLevel;

/// <summary>
/// A PostgreSQL cluster's Orleans ports (each silo's silo port and client port) take only the cluster CA's
/// certificates, each port only the roles it serves (issue 9, must-show 1; <see cref="OrleansPortChecks"/>); the
/// admin tool with another CA's admin certificate changes nothing, while the cluster's silos, gateways and admin
/// tool, each with its own certificate, work; with a gateway's certificate it is refused every admin operation.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ClusterTlsTests(ITestOutputHelper log)
{
    [PostgresFact]
    public async Task Orleans_ports_refuse_clients_without_a_certificate_of_the_cluster_CA_in_the_right_role()
    {
        await using var postgres = await PostgresServer.StartAsync(log);
        await using var cluster = await ClusterProcesses.StartAsync(postgres, log, silos: 2, gateways: 1);
        var customer = (await cluster.Admin.CreateCustomersAsync(5300001, 1, balance: 5, testBalance: 0))[0];

        var otherAdmin = new List<ClusterTlsFiles>();
        foreach (var silo in cluster.Silos)
        {
            otherAdmin.Add(await OrleansPortChecks.AssertRefusedAsync(silo.SiloPort, silo.GatewayPort, cluster.SiloTls, cluster.AdminTls,
                cluster.ScratchDirectory("other-ca-" + silo.Name), log));
        }

        var intruder = new AdminProcess(ClusterProcesses.Merged(cluster.Environment, ClusterProcesses.Tls(otherAdmin[0])), log);
        var credit = await intruder.RunAsync("customer", "credit", customer.Id.ToString(), "1000");
        Assert.NotEqual(0, credit.ExitCode);
        Assert.Contains("cluster unreachable", credit.Stderr);

        var mint = await TokenRequests.GetAsync(cluster.Gateways[0].Http, TokenRequests.WidevinePath,
            [.. TokenRequests.Widevine(customer.Production, TokenRequests.RandomHex(16), TokenRequests.RandomHex(16)), new("errorFormat", "json")]);
        Assert.Equal(System.Net.HttpStatusCode.OK, mint.Status);
        Assert.Equal((4L, 0L), (await cluster.Admin.BalancesAsync([customer.Id]))[customer.Id]);

        // A client with a gateway's identity (through the membership table, as the gateways connect).
        var asGateway = new AdminProcess(ClusterProcesses.Merged(cluster.Environment, ClusterProcesses.Tls(cluster.GatewayTls)), log);
        await GatewayIdentityChecks.AssertAdminOperationsRefusedAsync(asGateway, cluster.Admin, customer.Id, log);
        Assert.Equal((4L, 0L), (await cluster.Admin.BalancesAsync([customer.Id]))[customer.Id]);
    }
}
