using Orleans.Tokens.Hosting.Tls;
using Orleans.Tokens.Tests.ClusterLevel;
using Orleans.Tokens.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace Orleans.Tokens.Tests.ProcessLevel;

/// <summary>
/// The embedded default's Orleans ports take only its own CA's certificates, each port only the roles it serves
/// (issue 9, must-show 1; <see cref="OrleansPortChecks"/>), and the admin tool with another CA's admin certificate
/// changes nothing, while with the embedded default's own (the one it finds under the data directory) it works.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class ClusterTlsTests(ITestOutputHelper log)
{
    [Fact]
    public async Task Orleans_ports_refuse_clients_without_a_certificate_of_the_cluster_CA_in_the_right_role()
    {
        await using var gateway = await GatewayProcess.StartAsync(log);
        var customer = await gateway.Admin.CreateCustomerAsync(4300001, balance: 5);

        var otherAdmin = await OrleansPortChecks.AssertRefusedAsync(gateway.SiloPort, gateway.GatewayPort,
            EmbeddedCertificates.Files(gateway.DataDirectory, ClusterRole.Silo),
            EmbeddedCertificates.Files(gateway.DataDirectory, ClusterRole.Admin),
            Path.Combine(gateway.DataDirectory, "other-ca"), log);

        var intruder = new AdminProcess(new Dictionary<string, string>(ClusterProcesses.Tls(otherAdmin))
        {
            ["Cluster__GatewayPort"] = gateway.GatewayPort.ToString(),
            ["Tokens__DataDirectory"] = gateway.DataDirectory,
        }, log);
        var credit = await intruder.RunAsync("customer", "credit", customer.Id.ToString(), "1000");
        Assert.NotEqual(0, credit.ExitCode);
        Assert.Contains("cluster unreachable", credit.Stderr);

        Assert.Equal(5, await gateway.Admin.ProductionBalanceAsync(customer.Id));
    }
}
