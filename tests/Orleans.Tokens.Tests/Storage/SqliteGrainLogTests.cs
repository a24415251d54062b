using Microsoft.Data.Sqlite;
using Orleans.Tokens.Hosting;
using Orleans.Tokens.Hosting.Storage;

namespace Orleans.Tokens.Tests.Storage;

/// <summary>
/// The embedded default's log of expiring rows (<see cref="SqliteStateDatabase"/>): rows of many grains
/// interleaved in one append-only table, each grain's read along its own chain, purged from the oldest end only,
/// and a file made before the log opened with its rows still found.
/// </summary>
public sealed class SqliteGrainLogTests : IDisposable
{
    private const string Kind = "idempotency";
    private static readonly CancellationToken None = CancellationToken.None;

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "orleans-tokens-log-" + Guid.NewGuid().ToString("N"));
    private string File => Path.Combine(_directory, "tokens.db");

    [Fact]
    public async Task Each_grain_reads_its_own_rows_of_an_interleaved_log()
    {
        using var database = Open();
        var versions = new Dictionary<string, long?> { ["customer/a"] = null, ["customer/b"] = null };
        // Three batches; in each, both grains append, a twice in the second.
        for (var batch = 0; batch < 3; batch++)
        {
            var writes = versions.Keys.Select(grain => new StateWrite("customer", grain, versions[grain], [1])
            {
                Rows = batch == 1 && grain == "customer/a"
                    ? [Row($"{grain}-{batch}", 10_000, [(byte)batch]), Row($"{grain}-{batch}x", 10_000, [9])]
                    : [Row($"{grain}-{batch}", 10_000, [(byte)batch])],
            }).ToList();
            var written = await database.Write(writes, None);
            for (var i = 0; i < writes.Count; i++) versions[writes[i].GrainId] = written[i];
        }

        Assert.Equal(["customer/a-0", "customer/a-1", "customer/a-1x", "customer/a-2"], await Keys(database, "customer/a"));
        Assert.Equal(["customer/b-0", "customer/b-1", "customer/b-2"], await Keys(database, "customer/b"));
        Assert.Equal([1], await database.ReadRow("customer/b", Kind, "customer/b-1", None));
        Assert.Null(await database.ReadRow("customer/a", Kind, "customer/b-1", None));
        Assert.Equal([[0], [1], [9], [2]], await database.ReadRows("customer/a", Kind, None));
    }

    [Fact]
    public async Task A_newer_row_of_the_same_key_is_the_one_read()
    {
        using var database = Open();
        Assert.Equal([1L], await database.Write([new StateWrite("customer", "customer/a", null, [1]) { Rows = [Row("k", 5_000, [1], createdAtMs: 1)] }], None));
        Assert.Equal([2L], await database.Write([new StateWrite("customer", "customer/a", 1, [1]) { Rows = [Row("k", 9_000, [2], createdAtMs: 2)] }], None));

        Assert.Equal([2], await database.ReadRow("customer/a", Kind, "k", None));
        Assert.Equal([("k", 9_000L)], await database.ReadKeys("customer/a", Kind, None));
        Assert.Equal([[2]], await database.ReadRows("customer/a", Kind, None));
    }

    [Fact]
    public async Task A_write_that_fails_its_version_check_leaves_no_row_in_the_log()
    {
        using var database = Open();
        Assert.Equal([1L], await database.Write([new StateWrite("customer", "customer/a", null, [1]) { Rows = [Row("a1", 9_000, [1])] }], None));

        // A stale version, and a "new" state that already exists, each with a row, beside a write that lands.
        var versions = await database.Write(
        [
            new StateWrite("customer", "customer/a", 7, [2]) { Rows = [Row("stale", 9_000, [2])] },
            new StateWrite("customer", "customer/b", null, [1]) { Rows = [Row("b1", 9_000, [3])] },
        ], None);
        Assert.Equal([null, 1L], versions);
        Assert.Equal([null], await database.Write([new StateWrite("customer", "customer/b", null, [1]) { Rows = [Row("b2", 9_000, [4])] }], None));

        Assert.Equal(2, LogRows());
        Assert.Equal(["a1"], await Keys(database, "customer/a"));
        Assert.Equal(["b1"], await Keys(database, "customer/b"));
        Assert.Null(await database.ReadRow("customer/a", Kind, "stale", None));

        // The chain goes on from the row that landed.
        Assert.Equal([2L], await database.Write([new StateWrite("customer", "customer/a", 1, [1]) { Rows = [Row("a2", 9_000, [5]), Row("a3", 9_000, [6])] }], None));
        Assert.Equal(["a1", "a2", "a3"], await Keys(database, "customer/a"));
    }

    [Fact]
    public async Task The_purge_deletes_the_oldest_rows_up_to_the_first_live_one()
    {
        using var database = Open();
        // In log order: a1 expires at 1,000, b1 at 5,000, a2 at 1,000.
        long? a = (await database.Write([new StateWrite("customer", "customer/a", null, [1]) { Rows = [Row("a1", 1_000, [1])] }], None))[0];
        long? b = (await database.Write([new StateWrite("customer", "customer/b", null, [1]) { Rows = [Row("b1", 5_000, [2])] }], None))[0];
        a = (await database.Write([new StateWrite("customer", "customer/a", a, [1]) { Rows = [Row("a2", 1_000, [3])] }], None))[0];

        // At 2,000, a1 goes; a2 stays behind the live b1, and a's chain still reaches it.
        a = (await database.Write([new StateWrite("customer", "customer/a", a, [1]) { PurgeBeforeMs = 2_000 }], None))[0];
        Assert.Equal(2, LogRows());
        Assert.Equal(["a2"], await Keys(database, "customer/a"));
        Assert.Equal(["b1"], await Keys(database, "customer/b"));

        // At 6,000 everything goes.
        await database.Write([new StateWrite("customer", "customer/b", b, [1]) { PurgeBeforeMs = 6_000 }], None);
        Assert.Equal(0, LogRows());
        Assert.Empty(await Keys(database, "customer/a"));
        Assert.Empty(await Keys(database, "customer/b"));
        Assert.Null(await database.ReadRow("customer/a", Kind, "a2", None));
    }

    [Fact]
    public async Task A_purged_row_id_is_never_handed_out_again()
    {
        using var database = Open();
        var a = (await database.Write([new StateWrite("customer", "customer/a", null, [1]) { Rows = [Row("a1", 1_000, [1])] }], None))[0];
        await database.Write([new StateWrite("customer", "customer/a", a, [1]) { PurgeBeforeMs = 2_000 }], None);
        Assert.Equal(0, LogRows());

        // The log is empty; b's first row must not take the id that a's state row still points to.
        await database.Write([new StateWrite("customer", "customer/b", null, [1]) { Rows = [Row("b1", 9_000, [2])] }], None);
        Assert.Empty(await Keys(database, "customer/a"));
        Assert.Null(await database.ReadRow("customer/a", Kind, "b1", None));
        Assert.Equal(["b1"], await Keys(database, "customer/b"));
    }

    [Fact]
    public async Task A_file_made_before_the_log_opens_and_keeps_its_rows()
    {
        // The schema of the previous release: no GrainState.LogHead, expiring rows in GrainRow.
        Directory.CreateDirectory(_directory);
        using (var before = new SqliteConnection($"Data Source={File}"))
        {
            before.Open();
            using var create = before.CreateCommand();
            create.CommandText = """
                PRAGMA journal_mode = WAL;
                CREATE TABLE GrainState (ServiceId TEXT NOT NULL, StateName TEXT NOT NULL, GrainId TEXT NOT NULL,
                    Version INTEGER NOT NULL, Payload BLOB NULL, ModifiedOn TEXT NOT NULL,
                    PRIMARY KEY (ServiceId, StateName, GrainId)) WITHOUT ROWID;
                CREATE TABLE GrainRow (ServiceId TEXT NOT NULL, GrainId TEXT NOT NULL, Kind TEXT NOT NULL,
                    RowKey TEXT NOT NULL, Payload BLOB NOT NULL, CreatedAtMs INTEGER NOT NULL, ExpiresAtMs INTEGER NULL,
                    PRIMARY KEY (ServiceId, GrainId, Kind, RowKey)) WITHOUT ROWID;
                INSERT INTO GrainState VALUES ('log-test', 'customer', 'customer/a', 4, x'01', '2026-11-29T00:00:00.000Z');
                INSERT INTO GrainRow VALUES ('log-test', 'customer/a', 'idempotency', 'old', x'07', 100, 3000);
                INSERT INTO GrainRow VALUES ('log-test', 'customer/a', 'journal', '0000000000000000001', x'08', 100, NULL);
                """;
            create.ExecuteNonQuery();
        }
        SqliteConnection.ClearAllPools();

        using var database = Open();
        Assert.Equal([7], await database.ReadRow("customer/a", Kind, "old", None));
        Assert.Equal([5L], await database.Write([new StateWrite("customer", "customer/a", 4, [1]) { Rows = [Row("new", 9_000, [9])] }], None));
        Assert.Equal(["new", "old"], await Keys(database, "customer/a"));
        Assert.Equal([[8]], await database.ReadRows("customer/a", "journal", None));

        // The old expiring row goes with a purge that asks for it; the journal row stays.
        Assert.Equal([6L], await database.Write([new StateWrite("customer", "customer/a", 5, [1]) { PurgeBeforeMs = 4_000 }], None));
        Assert.Equal(["new"], await Keys(database, "customer/a"));
        Assert.Equal([[8]], await database.ReadRows("customer/a", "journal", None));
    }

    private SqliteStateDatabase Open() =>
        new(SqliteSchema.EnsureCreated(File, TimeSpan.FromSeconds(3)), "log-test", fullSync: false);

    private static RowWrite Row(string key, long expiresAtMs, byte[] payload, long createdAtMs = 100) =>
        new(Kind, key, payload, createdAtMs, expiresAtMs);

    private static async Task<List<string>> Keys(SqliteStateDatabase database, string grain) =>
        [.. (await database.ReadKeys(grain, Kind, None)).Select(row => row.Key).Order(StringComparer.Ordinal)];

    private long LogRows()
    {
        using var connection = new SqliteConnection($"Data Source={File}");
        connection.Open();
        using var count = connection.CreateCommand();
        count.CommandText = "SELECT count(*) FROM GrainLog";
        return (long)count.ExecuteScalar()!;
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }
}
