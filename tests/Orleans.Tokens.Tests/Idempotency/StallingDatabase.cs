using System.Collections.Concurrent;
using Orleans.Tokens.Hosting.Storage;

namespace Orleans.Tokens.Tests.Idempotency;

/// <summary>
/// Test double around the real SQLite database: a write that appends a row keyed <see cref="StalledKey"/> waits
/// until <see cref="Release"/> (or its deadline), so that a keyed mint stays undecided while a test sends the same
/// key again (-9003). A double because nothing in the real storage holds a write on purpose; every other write, and
/// every read, goes straight to the real database. It counts the point reads of each row key
/// (<see cref="RowReads"/>).
/// </summary>
public sealed class StallingDatabase(IStateDatabase inner) : IStateDatabase
{
    public const string StalledKey = "stall-this-write";

    private readonly ConcurrentDictionary<string, int> _rowReads = new(StringComparer.Ordinal);

    private TaskCompletionSource _stalled = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when a write with the stalled key is being held.</summary>
    public Task Stalled => _stalled.Task;

    /// <summary>Lets the held write go on; the next write with the key is held again.</summary>
    public void Release()
    {
        var release = _release;
        _stalled = new(TaskCreationOptions.RunContinuationsAsynchronously);
        _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        release.TrySetResult();
    }

    public Task<StoredState?> Read(string stateName, string grainId, CancellationToken cancellation) =>
        inner.Read(stateName, grainId, cancellation);

    public async Task<long?[]> Write(IReadOnlyList<StateWrite> writes, CancellationToken cancellation)
    {
        if (writes.Any(w => w.Rows.Any(r => r.Key == StalledKey)))
        {
            var release = _release.Task;
            _stalled.TrySetResult();
            await release.WaitAsync(cancellation);
        }
        return await inner.Write(writes, cancellation);
    }

    /// <summary>How many point reads asked for a row of <paramref name="key"/> (of any grain and kind).</summary>
    public int RowReads(string key) => _rowReads.GetValueOrDefault(key);

    public Task<byte[]?> ReadRow(string grainId, string kind, string key, CancellationToken cancellation)
    {
        _rowReads.AddOrUpdate(key, 1, (_, reads) => reads + 1);
        return inner.ReadRow(grainId, kind, key, cancellation);
    }

    public Task<IReadOnlyList<byte[]>> ReadRows(string grainId, string kind, CancellationToken cancellation) =>
        inner.ReadRows(grainId, kind, cancellation);

    public Task<IReadOnlyList<(string Key, long? ExpiresAtMs)>> ReadKeys(string grainId, string kind, CancellationToken cancellation) =>
        inner.ReadKeys(grainId, kind, cancellation);
}
