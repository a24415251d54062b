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
            await Execute(dataSource, "TRUNCATE GrainState, GrainRow, GrainLog, GrainLogBatch");
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

    [PostgresFact]
    public async Task Records_of_the_log_of_one_row_each_are_still_read_along_the_chains_that_batch_rows_continue()
    {
        await using var postgres = await PostgresServer.StartAsync(log);
        PostgresSchema.Apply(postgres.ConnectionString);
        await using var dataSource = NpgsqlDataSource.Create(postgres.ConnectionString);
        // As the log before 2026-12-01 held them: one row per record, ids a sequence value (2) times 2^20 plus the
        // record's position, a's two records linked, b's one; LogHead the last of each.
        await Execute(dataSource, """
            SELECT setval('GrainLogIds', 2);
            INSERT INTO GrainState VALUES ('log-test', 'customer', 'customer/a', 4, '\x01', now(), 2097155);
            INSERT INTO GrainState VALUES ('log-test', 'customer', 'customer/b', 2, '\x01', now(), 2097153);
            INSERT INTO GrainLog VALUES (2097153, NULL, 'customer/b', 'idempotency', 'b-old', '\x0b', 100, 3000);
            INSERT INTO GrainLog VALUES (2097154, NULL, 'customer/a', 'idempotency', 'a-old1', '\x09', 100, 3000);
            INSERT INTO GrainLog VALUES (2097155, 2097154, 'customer/a', 'idempotency', 'a-old2', '\x0a', 100, 9000);
            """);
        var database = new PostgresStateDatabase(dataSource, "log-test");

        Assert.Equal([5L, 3L], await database.Write(
        [
            new StateWrite("customer", "customer/a", 4, [1]) { Rows = [Row("a-new", 9_000, [1])] },
            new StateWrite("customer", "customer/b", 2, [1]) { Rows = [Row("b-new", 9_000, [2])] },
        ], None));
        Assert.Equal(["a-new", "a-old1", "a-old2"], await Keys(database, "customer/a"));
        Assert.Equal(["b-new", "b-old"], await Keys(database, "customer/b"));
        Assert.Equal([9], await database.ReadRow("customer/a", Kind, "a-old1", None));
        Assert.Equal([1], await database.ReadRow("customer/a", Kind, "a-new", None));
        Assert.Null(await database.ReadRow("customer/a", Kind, "b-old", None));
        Assert.Equal(5, LogRows(dataSource));

        // At 4,000 the purge takes b-old and a-old1, the oldest rows, and stops at a-old2, which is live; the batch
        // row stays, and a's chain still reaches a-old2.
        Assert.Equal([6L], await database.Write([new StateWrite("customer", "customer/a", 5, [1]) { PurgeBeforeMs = 4_000 }], None));
        Assert.Equal(["b-new"], await Keys(database, "customer/b"));
        Assert.Equal(["a-new", "a-old2"], await Keys(database, "customer/a"));
        Assert.Equal(3, LogRows(dataSource));

        // At 10,000 everything goes, from both tables.
        Assert.Equal([7L], await database.Write([new StateWrite("customer", "customer/a", 6, [1]) { PurgeBeforeMs = 10_000 }], None));
        Assert.Empty(await Keys(database, "customer/a"));
        Assert.Empty(await Keys(database, "customer/b"));
        Assert.Equal(0, LogRows(dataSource));
    }

    private static async Task Execute(NpgsqlDataSource dataSource, string text)
    {
        await using var command = dataSource.CreateCommand(text);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>The log's records: rows of the earlier table, and records held in batch rows.</summary>
    private static long LogRows(NpgsqlDataSource dataSource)
    {
        using var command = dataSource.CreateCommand(
            "SELECT (SELECT count(*) FROM GrainLog) + (SELECT coalesce(sum(cardinality(Entries)), 0) FROM GrainLogBatch)");
        return (long)command.ExecuteScalar()!;
    }
}
