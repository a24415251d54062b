using Orleans.Storage;

namespace Orleans.Tokens.Tests.Commit;

/// <summary>
/// One activation's view of a stored grain state: <see cref="IPersistentState{T}"/> straight over a grain storage,
/// as Orleans' own bridge does inside a grain, so that a test can hold two activations of one grain.
/// </summary>
internal sealed class StoredGrainState<T>(IGrainStorage storage, string stateName, GrainId grainId) : IPersistentState<T>
    where T : new()
{
    private readonly GrainState<T> _state = new(new T());

    public T State
    {
        get => _state.State!;
        set => _state.State = value;
    }

    public string? Etag => _state.ETag;

    public bool RecordExists => _state.RecordExists;

    public Task ReadStateAsync() => storage.ReadStateAsync(stateName, grainId, _state);

    public Task WriteStateAsync() => storage.WriteStateAsync(stateName, grainId, _state);

    public Task ClearStateAsync() => storage.ClearStateAsync(stateName, grainId, _state);
}
