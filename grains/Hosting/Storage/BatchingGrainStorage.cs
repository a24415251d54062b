using System.Diagnostics;
using System.Globalization;
using Orleans.Storage;

namespace Orleans.Tokens.Hosting.Storage;

/// <summary>
/// Grain storage that writes the states of many grains in one transaction. Each grain keeps at most one write in
/// flight (its own group commit); across grains, writes that arrive while a transaction is in flight queue and go
/// together in the next one, so a thousand grains with one request each cost one round trip, not a thousand.
/// Every row keeps its own version check: a stale write fails that grain alone.
/// </summary>
public sealed class BatchingGrainStorage(IStateDatabase database, IGrainStorageSerializer serializer, StorageMetrics metrics)
    : IGrainStorage
{
    /// <summary>An upper bound on one transaction, so one slow batch cannot grow without end.</summary>
    public const int MaxBatch = 2048;

    private readonly object _lock = new();
    private List<Pending> _queued = [];
    private bool _flushing;

    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        StoredState? stored;
        try
        {
            stored = await database.Read(stateName, grainId.ToString(), CancellationToken.None);
        }
        catch (Exception failure)
        {
            throw Unavailable(failure);
        }
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

    private async Task Write<T>(string stateName, GrainId grainId, IGrainState<T> grainState, byte[]? payload)
    {
        var expected = grainState.ETag is { } etag ? long.Parse(etag, CultureInfo.InvariantCulture) : (long?)null;
        var pending = new Pending(new StateWrite(stateName, grainId.ToString(), expected, payload));
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
        _ = Task.Run(Flush);
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
                if (_queued.Count <= MaxBatch)
                {
                    batch = _queued;
                    _queued = [];
                }
                else
                {
                    batch = _queued.GetRange(0, MaxBatch);
                    _queued.RemoveRange(0, MaxBatch);
                }
            }
            var started = Stopwatch.GetTimestamp();
            try
            {
                var versions = await database.Write(batch.ConvertAll(p => p.Write), CancellationToken.None);
                metrics.Written(batch.Count, Stopwatch.GetElapsedTime(started));
                for (var i = 0; i < batch.Count; i++) batch[i].Done.TrySetResult(versions[i]);
            }
            catch (Exception failure)
            {
                metrics.Failed(batch.Count);
                var unavailable = Unavailable(failure);
                foreach (var pending in batch) pending.Done.TrySetException(unavailable);
            }
        }
    }

    private static StorageUnavailableException Unavailable(Exception failure) =>
        new($"grain storage unavailable: {failure.GetType().Name}: {failure.Message}");

    private sealed record Pending(StateWrite Write)
    {
        public TaskCompletionSource<long?> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
