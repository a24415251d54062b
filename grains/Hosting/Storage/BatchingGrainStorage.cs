using System.Diagnostics;
using System.Globalization;
using Orleans.Storage;

namespace Orleans.Tokens.Hosting.Storage;

/// <summary>
/// Grain storage that writes the states of many grains in one transaction. Each grain keeps at most one write in
/// flight (its own group commit); across grains, writes that arrive while a transaction is in flight queue and go
/// together in the next one, so a thousand grains with one request each cost one round trip, not a thousand.
/// Every row keeps its own version check: a stale write fails that grain alone.
/// <para>
/// Every outcome of a write is certain or says it is not (contract section 11): success (also for a write whose
/// acknowledgement was lost, found by <see cref="IFencingStateDatabase.Fence"/>); <see cref="InconsistentStateException"/>
/// when the row's version differed and <see cref="StorageUnavailableException"/> when the write failed: not written
/// either way; <see cref="OutcomeUnknownException"/> when a failed write could not be settled. Each write
/// waits in the queue and runs within <see cref="Deadlines.Storage"/>; so does each fence and read.
/// </para>
/// <para>
/// A state that <see cref="IAppendsRows"/> has its rows written in the same transaction as its state row, and only
/// when that row is written (with the purge of its expired rows that it asks for); <see cref="IGrainRows"/> reads them back.
/// </para>
/// </summary>
public sealed class BatchingGrainStorage(IStateDatabase database, IGrainStorageSerializer serializer, StorageMetrics metrics, Deadlines deadlines)
    : IGrainStorage, IGrainRows
{
    /// <summary>An upper bound on one transaction, so one slow batch cannot grow without end.</summary>
    public const int MaxBatch = 2048;

    private readonly object _lock = new();
    private List<Pending> _queued = [];
    private bool _flushing;

    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var stored = await WithinDeadline(cancellation => database.Read(stateName, grainId.ToString(), cancellation));
        if (stored?.Payload is { } payload)
        {
            grainState.State = serializer.Deserialize<T>(new BinaryData(payload));
            grainState.RecordExists = true;
        }
        else
        {
            grainState.State = Activator.CreateInstance<T>();
            grainState.RecordExists = false;
        }
        grainState.ETag = stored?.Version.ToString(CultureInfo.InvariantCulture);
    }

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        Write(stateName, grainId, grainState, serializer.Serialize(grainState.State).ToArray());

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        Write(stateName, grainId, grainState, null);

    public async Task<object?> Find(GrainId grainId, string kind, string key)
    {
        var payload = await WithinDeadline(cancellation => database.ReadRow(grainId.ToString(), kind, key, cancellation));
        return payload is null ? null : serializer.Deserialize<object>(new BinaryData(payload));
    }

    public async Task<IReadOnlyList<object>> List(GrainId grainId, string kind)
    {
        var payloads = await WithinDeadline(cancellation => database.ReadRows(grainId.ToString(), kind, cancellation));
        return [.. payloads.Select(payload => serializer.Deserialize<object>(new BinaryData(payload))!)];
    }

    public async Task<IReadOnlyDictionary<string, DateTimeOffset?>> Keys(GrainId grainId, string kind)
    {
        var keys = await WithinDeadline(cancellation => database.ReadKeys(grainId.ToString(), kind, cancellation));
        return keys.ToDictionary(row => row.Key,
            row => row.ExpiresAtMs is { } ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : (DateTimeOffset?)null,
            StringComparer.Ordinal);
    }

    /// <summary>One read within <see cref="Deadlines.Storage"/>; any failure is <see cref="StorageUnavailableException"/>.</summary>
    private async Task<TRead> WithinDeadline<TRead>(Func<CancellationToken, Task<TRead>> read)
    {
        try
        {
            using var deadline = new CancellationTokenSource(deadlines.Storage);
            return await read(deadline.Token);
        }
        catch (Exception failure)
        {
            throw Unavailable(failure);
        }
    }

    /// <summary>The rows a state appends, in order, the last of each kind and key only (a write holds one row of each).</summary>
    private RowWrite[] Rows<T>(IGrainState<T> grainState)
    {
        if (grainState.State is not IAppendsRows { Appends: { IsDefaultOrEmpty: false } rows }) return [];
        if (rows.Length == 1) return [Row(rows[0])];
        var seen = new HashSet<(string, string)>();
        var last = new List<RowWrite>(rows.Length);
        for (var i = rows.Length - 1; i >= 0; i--)
        {
            if (seen.Add((rows[i].Kind, rows[i].Key))) last.Add(Row(rows[i]));
        }
        last.Reverse();
        return [.. last];
    }

    private RowWrite Row(GrainRow row) =>
        new(row.Kind, row.Key, row.Value is null ? null : serializer.Serialize<object>(row.Value).ToArray(),
            row.CreatedAt.ToUnixTimeMilliseconds(), row.ExpiresAt?.ToUnixTimeMilliseconds());

    private async Task Write<T>(string stateName, GrainId grainId, IGrainState<T> grainState, byte[]? payload)
    {
        var expected = grainState.ETag is { } etag ? long.Parse(etag, CultureInfo.InvariantCulture) : (long?)null;
        var write = new StateWrite(stateName, grainId.ToString(), expected, payload)
        {
            Rows = Rows(grainState),
            PurgeBeforeMs = (grainState.State as IAppendsRows)?.PurgeExpiredBefore?.ToUnixTimeMilliseconds(),
        };
        var pending = new Pending(write,
            Stopwatch.GetTimestamp() + (long)(deadlines.Storage.TotalSeconds * Stopwatch.Frequency));
        Enqueue(pending);
        var version = await pending.Done.Task;
        if (version is null)
        {
            throw new InconsistentStateException(
                $"the stored version of {stateName} for {grainId} is not {grainState.ETag}", null, grainState.ETag);
        }
        grainState.ETag = version.Value.ToString(CultureInfo.InvariantCulture);
        grainState.RecordExists = payload is not null;
    }

    private void Enqueue(Pending pending)
    {
        lock (_lock)
        {
            _queued.Add(pending);
            if (_flushing) return;
            _flushing = true;
        }
        // Off the grain's scheduler, and without its execution context (its request context has no place in the
        // writes of other grains): a work item rather than Task.Run, which would capture both the context and a Task.
        ThreadPool.UnsafeQueueUserWorkItem(static storage => _ = storage.Flush(), this, preferLocal: false);
    }

    private async Task Flush()
    {
        while (true)
        {
            List<Pending> batch;
            lock (_lock)
            {
                if (_queued.Count == 0)
                {
                    _flushing = false;
                    return;
                }
                batch = TakeBatch();
            }
            await WriteBatch(batch);
        }
    }

    /// <summary>
    /// Up to <see cref="MaxBatch"/> queued writes, at most one per row: two writes of one row (two activations of a
    /// grain) go in separate transactions, so that each row's version check decides between them.
    /// </summary>
    private List<Pending> TakeBatch()
    {
        var batch = new List<Pending>(Math.Min(_queued.Count, MaxBatch));
        var rows = new HashSet<(string, string)>();
        var later = new List<Pending>();
        foreach (var pending in _queued)
        {
            if (batch.Count < MaxBatch && rows.Add((pending.Write.StateName, pending.Write.GrainId))) batch.Add(pending);
            else later.Add(pending);
        }
        _queued = later;
        return batch;
    }

    private async Task WriteBatch(List<Pending> batch)
    {
        var started = Stopwatch.GetTimestamp();
        // A write that waited past its deadline was never sent: it certainly did not land.
        var expired = batch.FindAll(p => p.Deadline <= started);
        if (expired.Count > 0)
        {
            metrics.Failed(expired.Count);
            var late = new StorageUnavailableException("grain storage unavailable: the write waited past its deadline");
            foreach (var pending in expired) pending.Done.TrySetException(late);
            batch = batch.FindAll(p => p.Deadline > started);
            if (batch.Count == 0) return;
        }

        try
        {
            using var deadline = new CancellationTokenSource(Stopwatch.GetElapsedTime(started, batch.Min(p => p.Deadline)));
            var versions = await database.Write(batch.ConvertAll(p => p.Write), deadline.Token);
            metrics.Written(batch.Count, Stopwatch.GetElapsedTime(started));
            for (var i = 0; i < batch.Count; i++) batch[i].Done.TrySetResult(versions[i]);
        }
        catch (StorageUnavailableException certain)
        {
            metrics.Failed(batch.Count);
            foreach (var pending in batch) pending.Done.TrySetException(certain);
        }
        catch (Exception failure)
        {
            metrics.Failed(batch.Count);
            await Settle(batch, failure);
        }
    }

    /// <summary>
    /// After a failed transaction whose outcome is open: fences its rows and reads them. A row that carries exactly
    /// the payload written landed (a lost acknowledgement; the payload holds a unique write id); any other did not.
    /// Where fencing is impossible or fails, the outcome is unknown.
    /// </summary>
    private async Task Settle(List<Pending> batch, Exception failure)
    {
        StoredState?[] stored;
        try
        {
            if (database is not IFencingStateDatabase fencing) throw new NotSupportedException("the database cannot fence");
            using var deadline = new CancellationTokenSource(deadlines.Storage);
            stored = await fencing.Fence(batch.ConvertAll(p => p.Write), deadline.Token);
        }
        catch (Exception fenceFailure)
        {
            var unknown = new OutcomeUnknownException(
                $"grain storage write failed ({failure.GetType().Name}) and could not be settled ({fenceFailure.GetType().Name})");
            foreach (var pending in batch) pending.Done.TrySetException(unknown);
            return;
        }
        var unavailable = Unavailable(failure);
        for (var i = 0; i < batch.Count; i++)
        {
            if (stored[i] is { } row && Landed(row, batch[i].Write)) batch[i].Done.TrySetResult(row.Version);
            else batch[i].Done.TrySetException(unavailable);
        }
    }

    private static bool Landed(StoredState row, StateWrite write) =>
        write.Payload is null ? row.Payload is null : row.Payload is not null && row.Payload.AsSpan().SequenceEqual(write.Payload);

    private static StorageUnavailableException Unavailable(Exception failure) =>
        new($"grain storage unavailable: {failure.GetType().Name}: {failure.Message}");

    /// <param name="Deadline">A <see cref="Stopwatch"/> timestamp past which the write is not sent.</param>
    private sealed record Pending(StateWrite Write, long Deadline)
    {
        public TaskCompletionSource<long?> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
