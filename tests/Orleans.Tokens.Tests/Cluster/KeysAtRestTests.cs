using System.Text;
using Orleans.Tokens.Tests.KeyStorage;
using Xunit.Abstractions;

namespace Orleans.Tokens.Tests.ClusterLevel;

/// <summary>
/// Contract section 12 on the PostgreSQL cluster: 1,000 keys stored through a gateway's key-storage API, then a
/// <c>pg_dump</c> of the database (what a backup holds) searched for each key: none is there, raw or in hex.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class KeysAtRestTests(ITestOutputHelper log)
{
    [PostgresFact]
    public async Task A_thousand_stored_keys_are_nowhere_in_a_dump_of_the_database()
    {
        await using var postgres = await PostgresServer.StartAsync(log);
        await using var cluster = await ClusterProcesses.StartAsync(postgres, log, silos: 1, gateways: 1);
        var customer = (await cluster.Admin.CreateCustomersAsync(5700001, 1, balance: 1))[0];

        var keys = await StoredKeySearch.StoreKeysAsync(cluster.Gateways[0].Http, customer.Production, 1000);
        var dump = await postgres.DumpAsync();

        Assert.Contains("grainrow", dump, StringComparison.OrdinalIgnoreCase);
        Assert.Empty(StoredKeySearch.Found(Encoding.UTF8.GetBytes(dump), keys));
        log.WriteLine($"dump of {dump.Length:N0} characters: none of the {keys.Count} keys in it");
    }
}
