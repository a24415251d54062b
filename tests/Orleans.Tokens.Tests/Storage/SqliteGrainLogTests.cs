using Microsoft.Data.Sqlite;
using Orleans.Tokens.Hosting;
using Orleans.Tokens.Hosting.Storage;
using static Orleans.Tokens.Tests.Storage.GrainLogChecks;

namespace Orleans.Tokens.Tests.Storage;

/// <summary>
/// The embedded default's log of expiring rows: <see cref="GrainLogChecks"/> on <see cref="SqliteStateDatabase"/>,
/// and a file made before the log opened with its rows still found.
/// </summary>
public sealed class SqliteGrainLogTests : IDisposable
{
    private static readonly CancellationToken None = CancellationToken.None;

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "orleans-tokens-log-" + Guid.NewGuid().ToString("N"));
    private string File => Path.Combine(_directory, "tokens.db");

    [Fact]
    public async Task Each_grain_reads_its_own_rows_of_an_interleaved_log()
    {
        using var database = Open();
        await GrainLogChecks.Each_grain_reads_its_own_rows_of_an_interleaved_log(database, LogRows);
    }

    [Fact]
    public async Task A_newer_row_of_the_same_key_is_the_one_read()
    {
        using var database = Open();
        await GrainLogChecks.A_newer_row_of_the_same_key_is_the_one_read(database, LogRows);
    }

    [Fact]
    public async Task A_write_that_fails_its_version_check_leaves_no_row_in_the_log()
    {
        using var database = Open();
        await GrainLogChecks.A_write_that_fails_its_version_check_leaves_no_row_in_the_log(database, LogRows);
    }

    [Fact]
    public async Task The_purge_deletes_the_oldest_rows_up_to_the_first_live_one()
    {
        using var database = Open();
        await GrainLogChecks.The_purge_deletes_the_oldest_rows_up_to_the_first_live_one(database, LogRows);
    }

    [Fact]
    public async Task A_purged_row_id_is_never_handed_out_again()
    {
        using var database = Open();
        await GrainLogChecks.A_purged_row_id_is_never_handed_out_again(database, LogRows);
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
