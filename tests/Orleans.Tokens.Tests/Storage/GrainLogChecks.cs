using Orleans.Tokens.Hosting.Storage;

namespace Orleans.Tokens.Tests.Storage;

/// <summary>
/// What both databases must do with the log of expiring rows (<see cref="GrainLog"/>): rows of many grains
/// interleaved in one append-only table, each grain's read along its own chain, the newest row of a key the one read,
/// no row of a write that failed its version check, purged from the oldest end only, ids never handed out twice.
/// Each check starts from an empty database; <c>logRows</c> counts the log's rows.
/// </summary>
internal static class GrainLogChecks
{
    public const string Kind = "idempotency";
    private static readonly CancellationToken None = CancellationToken.None;

    /// <summary>Every check, by name.</summary>
    public static readonly (string Name, Func<IStateDatabase, Func<long>, Task> Run)[] All =
    [
        (nameof(Each_grain_reads_its_own_rows_of_an_interleaved_log), Each_grain_reads_its_own_rows_of_an_interleaved_log),
        (nameof(A_newer_row_of_the_same_key_is_the_one_read), A_newer_row_of_the_same_key_is_the_one_read),
        (nameof(A_write_that_fails_its_version_check_leaves_no_row_in_the_log), A_write_that_fails_its_version_check_leaves_no_row_in_the_log),
        (nameof(The_purge_deletes_the_oldest_rows_up_to_the_first_live_one), The_purge_deletes_the_oldest_rows_up_to_the_first_live_one),
        (nameof(A_purged_row_id_is_never_handed_out_again), A_purged_row_id_is_never_handed_out_again),
    ];

    public static async Task Each_grain_reads_its_own_rows_of_an_interleaved_log(IStateDatabase database, Func<long> logRows)
    {
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

    public static async Task A_newer_row_of_the_same_key_is_the_one_read(IStateDatabase database, Func<long> logRows)
    {
        Assert.Equal([1L], await database.Write([new StateWrite("customer", "customer/a", null, [1]) { Rows = [Row("k", 5_000, [1], createdAtMs: 1)] }], None));
        Assert.Equal([2L], await database.Write([new StateWrite("customer", "customer/a", 1, [1]) { Rows = [Row("k", 9_000, [2], createdAtMs: 2)] }], None));

        Assert.Equal([2], await database.ReadRow("customer/a", Kind, "k", None));
        Assert.Equal([("k", 9_000L)], await database.ReadKeys("customer/a", Kind, None));
        Assert.Equal([[2]], await database.ReadRows("customer/a", Kind, None));
    }

    public static async Task A_write_that_fails_its_version_check_leaves_no_row_in_the_log(IStateDatabase database, Func<long> logRows)
    {
        Assert.Equal([1L], await database.Write([new StateWrite("customer", "customer/a", null, [1]) { Rows = [Row("a1", 9_000, [1])] }], None));

        // A stale version, and a "new" state that already exists, each with a row, beside a write that lands.
        var versions = await database.Write(
        [
            new StateWrite("customer", "customer/a", 7, [2]) { Rows = [Row("stale", 9_000, [2])] },
            new StateWrite("customer", "customer/b", null, [1]) { Rows = [Row("b1", 9_000, [3])] },
        ], None);
        Assert.Equal([null, 1L], versions);
        Assert.Equal([null], await database.Write([new StateWrite("customer", "customer/b", null, [1]) { Rows = [Row("b2", 9_000, [4])] }], None));

        Assert.Equal(2, logRows());
        Assert.Equal(["a1"], await Keys(database, "customer/a"));
        Assert.Equal(["b1"], await Keys(database, "customer/b"));
        Assert.Null(await database.ReadRow("customer/a", Kind, "stale", None));

        // The chain goes on from the row that landed, beside a stale write in the same batch whose row stays out.
        Assert.Equal([null, 2L], await database.Write(
        [
            new StateWrite("customer", "customer/b", 9, [2]) { Rows = [Row("b-stale", 9_000, [7])] },
            new StateWrite("customer", "customer/a", 1, [1]) { Rows = [Row("a2", 9_000, [5]), Row("a3", 9_000, [6])] },
        ], None));
        Assert.Equal(["a1", "a2", "a3"], await Keys(database, "customer/a"));
        Assert.Equal(["b1"], await Keys(database, "customer/b"));
        Assert.Equal([6], await database.ReadRow("customer/a", Kind, "a3", None));
        Assert.Equal(4, logRows());
    }

    public static async Task The_purge_deletes_the_oldest_rows_up_to_the_first_live_one(IStateDatabase database, Func<long> logRows)
    {
        // In log order: a1 expires at 1,000, b1 at 5,000, a2 at 1,000.
        long? a = (await database.Write([new StateWrite("customer", "customer/a", null, [1]) { Rows = [Row("a1", 1_000, [1])] }], None))[0];
        long? b = (await database.Write([new StateWrite("customer", "customer/b", null, [1]) { Rows = [Row("b1", 5_000, [2])] }], None))[0];
        a = (await database.Write([new StateWrite("customer", "customer/a", a, [1]) { Rows = [Row("a2", 1_000, [3])] }], None))[0];

        // At 2,000, a1 goes; a2 stays behind the live b1, and a's chain still reaches it.
        a = (await database.Write([new StateWrite("customer", "customer/a", a, [1]) { PurgeBeforeMs = 2_000 }], None))[0];
        Assert.Equal(2, logRows());
        Assert.Equal(["a2"], await Keys(database, "customer/a"));
        Assert.Equal(["b1"], await Keys(database, "customer/b"));

        // At 6,000 everything goes.
        await database.Write([new StateWrite("customer", "customer/b", b, [1]) { PurgeBeforeMs = 6_000 }], None);
        Assert.Equal(0, logRows());
        Assert.Empty(await Keys(database, "customer/a"));
        Assert.Empty(await Keys(database, "customer/b"));
        Assert.Null(await database.ReadRow("customer/a", Kind, "a2", None));
    }

    public static async Task A_purged_row_id_is_never_handed_out_again(IStateDatabase database, Func<long> logRows)
    {
        var a = (await database.Write([new StateWrite("customer", "customer/a", null, [1]) { Rows = [Row("a1", 1_000, [1])] }], None))[0];
        await database.Write([new StateWrite("customer", "customer/a", a, [1]) { PurgeBeforeMs = 2_000 }], None);
        Assert.Equal(0, logRows());

        // The log is empty; b's first row must not take the id that a's state row still points to.
        await database.Write([new StateWrite("customer", "customer/b", null, [1]) { Rows = [Row("b1", 9_000, [2])] }], None);
        Assert.Empty(await Keys(database, "customer/a"));
        Assert.Null(await database.ReadRow("customer/a", Kind, "b1", None));
        Assert.Equal(["b1"], await Keys(database, "customer/b"));
    }

    /// <summary>An idempotency row of <paramref name="key"/>.</summary>
    public static RowWrite Row(string key, long expiresAtMs, byte[] payload, long createdAtMs = 100) =>
        new(Kind, key, payload, createdAtMs, expiresAtMs);

    /// <summary>The keys of a grain's idempotency rows, ordinal order.</summary>
    public static async Task<List<string>> Keys(IStateDatabase database, string grain) =>
        [.. (await database.ReadKeys(grain, Kind, None)).Select(row => row.Key).Order(StringComparer.Ordinal)];
}
