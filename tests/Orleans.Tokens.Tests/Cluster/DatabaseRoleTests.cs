using System.Net;
using Npgsql;
using Orleans.Tokens.Tests.ProcessLevel;
using Xunit;
using Xunit.Abstractions;

namespace Orleans.Tokens.Tests.ClusterLevel;

/// <summary>
/// Issue 9's database roles on a real cluster: a migration (the silo host with <c>Cluster:Migrate=true</c>, as the
/// database's owner) applies the schema and grants; silos then run as a role that may only read and write the
/// membership and state tables, gateways as one that may only read membership. Mints work; the gateway's role
/// cannot read or change grain state, and neither role can change the schema.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class DatabaseRoleTests(ITestOutputHelper log)
{
    private const string InsufficientPrivilege = "42501";

    [PostgresFact]
    public async Task Silos_and_gateways_run_with_least_privilege_after_a_migration()
    {
        await using var postgres = await PostgresServer.StartAsync(log);
        var silo = await postgres.CreateLoginRoleAsync("tokens_silo");
        var gateway = await postgres.CreateLoginRoleAsync("tokens_gateway");

        var directory = Directory.CreateTempSubdirectory("orleans-tokens-migrate-").FullName;
        try
        {
            using var migration = ChildProcess.Start(ProcessBinaries.Silo, ["--Cluster:Migrate=true"], new Dictionary<string, string>
            {
                ["Cluster__Storage"] = "PostgreSql",
                ["ConnectionStrings__Tokens"] = postgres.ConnectionString,
                ["Cluster__SiloDatabaseRole"] = "tokens_silo",
                ["Cluster__GatewayDatabaseRole"] = "tokens_gateway",
            }, directory);
            await migration.WaitForOutputAsync(new System.Text.RegularExpressions.Regex("schema applied"), TimeSpan.FromSeconds(60));
            await migration.DrainOutputAsync();
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while (!migration.HasExited && DateTime.UtcNow < deadline) await Task.Delay(50);
            Assert.True(migration.HasExited && migration.ExitCode == 0, migration.Output);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }

        await using var cluster = await ClusterProcesses.StartAsync(postgres, log, silos: 0, gateways: 0, applySchema: false);
        await cluster.StartSilosAsync(2, new Dictionary<string, string> { ["ConnectionStrings__Tokens"] = silo });
        await cluster.StartGatewaysAsync(1, $"--ConnectionStrings:Tokens={gateway}");
        var customer = (await cluster.Admin.CreateCustomersAsync(5400001, 1, balance: 5, testBalance: 0))[0];
        var mint = await TokenRequests.GetAsync(cluster.Gateways[0].Http, TokenRequests.WidevinePath,
            TokenRequests.Widevine(customer.Production, TokenRequests.RandomHex(16), TokenRequests.RandomHex(16)));
        Assert.Equal(HttpStatusCode.OK, mint.Status);
        Assert.Equal((4L, 0L), (await cluster.Admin.BalancesAsync([customer.Id]))[customer.Id]);

        // What each role may not do.
        await AssertRefusedAsync(gateway, "SELECT count(*) FROM GrainState");
        await AssertRefusedAsync(gateway, "UPDATE GrainState SET Version = Version + 1");
        await AssertRefusedAsync(gateway, "DELETE FROM OrleansMembership");
        await AssertRefusedAsync(gateway, "CREATE TABLE intruder (id int)");
        await AssertRefusedAsync(silo, "CREATE TABLE intruder (id int)");
        await AssertRefusedAsync(silo, "DROP TABLE GrainState");
        await AssertRefusedAsync(silo, "UPDATE OrleansQuery SET QueryText = ''");
        Assert.Equal((4L, 0L), (await cluster.Admin.BalancesAsync([customer.Id]))[customer.Id]);
    }

    private async Task AssertRefusedAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        var refused = await Assert.ThrowsAsync<PostgresException>(() => command.ExecuteNonQueryAsync());
        log.WriteLine($"{new NpgsqlConnectionStringBuilder(connectionString).Username}: {sql} → {refused.SqlState} {refused.MessageText}");
        Assert.Equal(InsufficientPrivilege, refused.SqlState);
    }
}
