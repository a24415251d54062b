using Npgsql;
using Orleans.Tokens.Hosting;
using Orleans.Tokens.Hosting.Storage;
using Orleans.Tokens.Tests.Storage;
using Xunit.Abstractions;

namespace Orleans.Tokens.Tests.ClusterLevel;

/// <summary><see cref="GrainRowChecks"/> on the cluster's PostgreSQL schema, applied as a silo applies it.</summary>
[Collection(ClusterCollection.Name)]
public sealed class PostgresGrainRowTests(ITestOutputHelper log)
{
    [PostgresFact]
    public async Task Rows_go_with_their_state_and_expired_ones_are_purged()
    {
        await using var postgres = await PostgresServer.StartAsync(log);
        PostgresSchema.Apply(postgres.ConnectionString);
        await using var dataSource = NpgsqlDataSource.Create(postgres.ConnectionString);
        await GrainRowChecks.RunAsync(new PostgresStateDatabase(dataSource, "rows-test"));
    }
}
