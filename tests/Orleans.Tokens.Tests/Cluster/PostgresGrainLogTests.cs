using Npgsql;
using Orleans.Tokens.Hosting;
using Orleans.Tokens.Hosting.Storage;
using Orleans.Tokens.Tests.Storage;
using Xunit.Abstractions;
using static Orleans.Tokens.Tests.Storage.GrainLogChecks;

namespace Orleans.Tokens.Tests.ClusterLevel;

/// <summary>
/// The cluster's log of expiring rows: <see cref="GrainLogChecks"/> on <see cref="PostgresStateDatabase"/> over the
/// schema a silo applies, and a database made before the log, upgraded by applying the schema, with its rows still
/// found.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class PostgresGrainLogTests(ITestOutputHelper log)
{
    private static readonly CancellationToken None = CancellationToken.None;

    [PostgresFact]
    public async Task Every_log_check_passes_on_PostgreSQL()
    {
        await using var postgres = await PostgresServer.StartAsync(log);
        PostgresSchema.Apply(postgres.ConnectionString);
        await using var dataSource = NpgsqlDataSource.Create(postgres.ConnectionString);
        foreach (var (name, run) in GrainLogChecks.All)
        {
            log.WriteLine(name);
            await Execute(dataSource, "TRUNCATE GrainState, GrainRow, GrainLog");
            await run(new PostgresStateDatabase(dataSource, "log-test"), () => LogRows(dataSource));
        }
    }

    [PostgresFact]
    public async Task A_database_made_before_the_log_is_upgraded_and_keeps_its_rows()
    {
        await using var postgres = await PostgresServer.StartAsync(log);
        await using var dataSource = NpgsqlDataSource.Create(postgres.ConnectionString);
        // The grain-state tables of the previous release: no GrainState.LogHead, expiring rows in GrainRow.
        await Execute(dataSource, """
            CREATE TABLE GrainState (ServiceId text NOT NULL, StateName text NOT NULL, GrainId text NOT NULL,
                Version bigint NOT NULL, Payload bytea NULL, ModifiedOn timestamptz NOT NULL,
                PRIMARY KEY (ServiceId, StateName, GrainId));
            CREATE TABLE GrainRow (ServiceId text NOT NULL, GrainId text NOT NULL, Kind text NOT NULL, RowKey text NOT NULL,
                Payload bytea NOT NULL, CreatedAtMs bigint NOT NULL, ExpiresAtMs bigint NULL,
                PRIMARY KEY (ServiceId, GrainId, Kind, RowKey));
            INSERT INTO GrainState VALUES ('log-test', 'customer', 'customer/a', 4, '\x01', now());
            INSERT INTO GrainRow VALUES ('log-test', 'customer/a', 'idempotency', 'old', '\x07', 100, 3000);
            INSERT INTO GrainRow VALUES ('log-test', 'customer/a', 'journal', '0000000000000000001', '\x08', 100, NULL);
            """);
        PostgresSchema.Apply(postgres.ConnectionString);
        var database = new PostgresStateDatabase(dataSource, "log-test");

        Assert.Equal([7], await database.ReadRow("customer/a", Kind, "old", None));
        Assert.Equal([5L], await database.Write([new StateWrite("customer", "customer/a", 4, [1]) { Rows = [Row("new", 9_000, [9])] }], None));
        Assert.Equal(1, LogRows(dataSource));
        Assert.Equal(["new", "old"], await Keys(database, "customer/a"));
        Assert.Equal([[8]], await database.ReadRows("customer/a", "journal", None));

        // The old expiring row goes with a purge that asks for it; the journal row stays.
        Assert.Equal([6L], await database.Write([new StateWrite("customer", "customer/a", 5, [1]) { PurgeBeforeMs = 4_000 }], None));
        Assert.Equal(["new"], await Keys(database, "customer/a"));
        Assert.Equal([[8]], await database.ReadRows("customer/a", "journal", None));
    }

    private static async Task Execute(NpgsqlDataSource dataSource, string text)
    {
        await using var command = dataSource.CreateCommand(text);
        await command.ExecuteNonQueryAsync();
    }

    private static long LogRows(NpgsqlDataSource dataSource)
    {
        using var command = dataSource.CreateCommand("SELECT count(*) FROM GrainLog");
        return (long)command.ExecuteScalar()!;
    }
}
