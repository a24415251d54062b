using Orleans.Tokens.Hosting.Tls;
using Orleans.Tokens.Tests.ClusterLevel;
using Orleans.Tokens.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace Orleans.Tokens.Tests.ProcessLevel;

/// <summary>
/// The embedded default's Orleans ports take only its own CA's certificates, each port only the roles it serves
/// (issue 9, must-show 1; <see cref="OrleansPortChecks"/>), and the admin tool with another CA's admin certificate
/// changes nothing, while with the embedded default's own (the one it finds under the data directory) it works;
/// with the gateway's certificate it connects and is refused every admin operation (<see cref="GatewayIdentityChecks"/>).
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

    [Fact]
    public async Task The_gateway_identity_is_refused_every_admin_operation()
    {
        await using var gateway = await GatewayProcess.StartAsync(log);
        var customer = await gateway.Admin.CreateCustomerAsync(4300101, balance: 5);
        var asGateway = new AdminProcess(new Dictionary<string, string>(
            ClusterProcesses.Tls(EmbeddedCertificates.Files(gateway.DataDirectory, ClusterRole.Gateway)))
        {
            ["Cluster__GatewayPort"] = gateway.GatewayPort.ToString(),
            ["Tokens__DataDirectory"] = gateway.DataDirectory,
        }, log);
        await GatewayIdentityChecks.AssertAdminOperationsRefusedAsync(asGateway, gateway.Admin, customer.Id, log);
        Assert.Contains("Refused ICustomerGrain.Credit", gateway.Output);
    }

    [Fact]
    public async Task An_Orleans_client_with_the_gateway_identity_may_mint_but_calls_no_admin_operation()
    {
        await using var gateway = await GatewayProcess.StartAsync(log);
        var customer = await gateway.Admin.CreateCustomerAsync(4300201, balance: 5);
        var account = (await gateway.Admin.RunOkAsync("customer", "show", customer.Id.ToString())).GetRawText();
        var files = EmbeddedCertificates.Files(gateway.DataDirectory, ClusterRole.Gateway);
        await using var client = await GatewayClient.ConnectAsync(new Dictionary<string, string>
        {
            ["Cluster:GatewayPort"] = gateway.GatewayPort.ToString(),
            ["Tokens:DataDirectory"] = gateway.DataDirectory,
            ["Cluster:Tls:CaCertificate"] = files.CaCertificate,
            ["Cluster:Tls:Certificate"] = files.Certificate,
            ["Cluster:Tls:PrivateKey"] = files.PrivateKey,
        });
        var grain = client.Client.GetGrain<ICustomerGrain>(customer.Id);
        var kid = Convert.FromHexString("0123456789abcdef0123456789abcdef");

        // What the contract gives a gateway: the readiness ping, and key storage for a caller with the customer's
        // authenticator (a gateway alone gets nothing from it).
        await client.Client.GetGrain<IReadinessGrain>(0).Ping();
        Assert.Equal(KeyStoreStatus.Unauthorized,
            (await grain.FindStoredKey(new KeyAccess(TokenEnvironment.Production, new byte[32]), kid)).Status);

        (string What, Func<Task> Call)[] admin =
        [
            ("Credit", () => grain.Credit(TokenEnvironment.Production, 1000)),
            ("Credit with a reference", () => grain.Credit(TokenEnvironment.Production, 1000, "planted", "gateway")),
            ("Create", () => client.Client.GetGrain<ICustomerGrain>(customer.Id + 1).Create(new CustomerOptions(true, true), 1000, 0)),
            ("SetEnabled", () => grain.SetEnabled(false)),
            ("SetOptions", () => grain.SetOptions(false, false)),
            ("AddAuthenticator", () => grain.AddAuthenticator(TokenEnvironment.Production)),
            ("RevokeAuthenticator", () => grain.RevokeAuthenticator("a1")),
            ("PutKey", () => grain.PutKey(kid, new byte[16])),
            ("GetKey", () => grain.GetKey(kid)),
            ("DeleteKey", () => grain.DeleteKey(kid)),
            ("Show", () => grain.Show()),
            ("Journal", () => grain.Journal()),
            ("Usage", () => grain.Usage(null)),
            ("ListKeys", () => grain.ListKeys()),
        ];
        foreach (var (what, call) in admin)
        {
            var refused = await Assert.ThrowsAsync<AdminCommandRefusedException>(call);
            log.WriteLine($"{what}: {refused.Message}");
        }

        Assert.Equal(account, (await gateway.Admin.RunOkAsync("customer", "show", customer.Id.ToString())).GetRawText());
        Assert.Equal(0, (await gateway.Admin.RunOkAsync("key", "list", customer.Id.ToString())).GetProperty("kids").GetArrayLength());
        Assert.NotEqual(0, (await gateway.Admin.RunAsync("customer", "show", (customer.Id + 1).ToString())).ExitCode);
    }
}
