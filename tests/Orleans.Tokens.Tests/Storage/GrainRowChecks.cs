using Orleans.Tokens.Hosting.Storage;

namespace Orleans.Tokens.Tests.Storage;

/// <summary>
/// What both databases must do with a grain's rows (<see cref="RowWrite"/>): written in the state's transaction
/// only when the state's version check passes, replaced by kind and key (alone or in a batch with new rows), read back one or all (or only their keys
/// and expiry), expired ones purged by a later write of the grain that asks for it, and deleted by a write that
/// asks for it.
/// </summary>
internal static class GrainRowChecks
{
    public static async Task RunAsync(IStateDatabase database)
    {
        var grain = "customer/" + Guid.NewGuid().ToString("N");
        var other = "customer/" + Guid.NewGuid().ToString("N");
        var none = CancellationToken.None;

        // A new state with two rows, and another grain's state with one.
        var versions = await database.Write(
        [
            new StateWrite("customer", grain, null, [1]) { Rows = [Row("k", "b", [2], 1_000, 2_000), Row("k", "a", [3], 1_000, null)] },
            new StateWrite("customer", other, null, [1]) { Rows = [Row("k", "a", [9], 1_000, null)] },
        ], none);
        Assert.Equal([1L, 1L], versions);
        Assert.Equal([2], await database.ReadRow(grain, "k", "b", none));
        Assert.Equal([[3], [2]], await database.ReadRows(grain, "k", none));
        Assert.Null(await database.ReadRow(grain, "other kind", "a", none));
        Assert.Equal([("a", null), ("b", 2_000L)], (await database.ReadKeys(grain, "k", none)).Order());
        Assert.Empty(await database.ReadKeys(grain, "other kind", none));

        // A stale version writes neither the state nor its rows.
        Assert.Equal([null], await database.Write([new StateWrite("customer", grain, 7, [5]) { Rows = [Row("k", "c", [4], 1_000, null)] }], none));
        Assert.Null(await database.ReadRow(grain, "k", "c", none));

        // A row of the same kind and key is replaced; expired "b" stays until a write asks for the purge.
        Assert.Equal([2L], await database.Write([new StateWrite("customer", grain, 1, [6]) { Rows = [Row("k", "a", [7], 3_000, null)] }], none));
        Assert.Equal([[7], [2]], await database.ReadRows(grain, "k", none));

        // A batch where one grain replaces a row and another appends a new one: both land.
        var third = "customer/" + Guid.NewGuid().ToString("N");
        Assert.Equal([2L, 1L], await database.Write(
        [
            new StateWrite("customer", other, 1, [1]) { Rows = [Row("k", "a", [10], 3_000, null)] },
            new StateWrite("customer", third, null, [1]) { Rows = [Row("k", "a", [11], 3_000, null)] },
        ], none));
        Assert.Equal([10], await database.ReadRow(other, "k", "a", none));
        Assert.Equal([11], await database.ReadRow(third, "k", "a", none));

        Assert.Equal([3L], await database.Write([new StateWrite("customer", grain, 2, [8]) { PurgeBeforeMs = 3_000 }], none));
        Assert.Equal([[7]], await database.ReadRows(grain, "k", none));

        // A row without a payload deletes its kind and key: not with a stale version; with the write beside a new
        // row; and a row that is not there, in a batch with another grain's write.
        Assert.Equal([null], await database.Write([new StateWrite("customer", grain, 1, [9]) { Rows = [Deleted("k", "a")] }], none));
        Assert.Equal([7], await database.ReadRow(grain, "k", "a", none));
        Assert.Equal([4L], await database.Write(
            [new StateWrite("customer", grain, 3, [9]) { Rows = [Deleted("k", "a"), Row("k", "d", [12], 4_000, null)] }], none));
        Assert.Null(await database.ReadRow(grain, "k", "a", none));
        Assert.Equal([("d", null)], await database.ReadKeys(grain, "k", none));
        Assert.Equal([5L, 2L], await database.Write(
        [
            new StateWrite("customer", grain, 4, [9]) { Rows = [Deleted("k", "gone")] },
            new StateWrite("customer", third, 1, [1]) { Rows = [Deleted("k", "a")] },
        ], none));
        Assert.Null(await database.ReadRow(third, "k", "a", none));
        Assert.Equal([10], await database.ReadRow(other, "k", "a", none));
    }

    private static RowWrite Deleted(string kind, string key) => new(kind, key, null, 4_000, null);

    private static RowWrite Row(string kind, string key, byte[] payload, long createdAtMs, long? expiresAtMs) =>
        new(kind, key, payload, createdAtMs, expiresAtMs);
}
