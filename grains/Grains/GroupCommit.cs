using Microsoft.Extensions.Logging;

namespace Orleans.Tokens.Grains;

/// <summary>What a change decided: the next state (null when nothing changes) and the caller's answer.</summary>
public readonly record struct Change<T>(CustomerState? State, T Result)
{
    public static Change<T> None(T result) => new(null, result);
}

/// <summary>
/// Group commit for a reentrant grain, after Chirper's <c>ChirperAccount</c>: changes apply at once to a working
/// copy of the state; one storage write is in flight at a time and the changes that arrive meanwhile share the
/// next one. A caller is answered only after the write holding its change has succeeded. A failed write fails
/// exactly the changes it held; the state is read again and the queued changes are decided anew against it.
/// </summary>
internal sealed class GroupCommit(IPersistentState<CustomerState> storage, ILogger logger, Action onStateLost, Action<CustomerState> onDurable)
{
    private CustomerState? _working;
    private List<IPending> _queued = [];
    private Task? _writer;
    private bool _lost;

    /// <summary>The state including changes not yet durable.</summary>
    public CustomerState Current => _lost
        ? throw new StorageUnavailableException("storage unavailable")
        : _working ??= storage.State;

    public Task<T> Submit<T>(Func<CustomerState, Change<T>> decide)
    {
        // Until the activation is gone, its state is unknown: nothing may be decided against it.
        if (_lost) return Task.FromException<T>(new StorageUnavailableException("storage unavailable"));
        var pending = new Pending<T>(decide);
        if (!pending.Decide(Current, out var next)) return pending.Task;
        _working = next;
        _queued.Add(pending);
        _writer ??= WriteQueued();
        return pending.Task;
    }

    private async Task WriteQueued()
    {
        while (_queued.Count > 0)
        {
            var batch = _queued;
            _queued = [];
            var target = Current with { Revision = storage.State.Revision + 1 };
            _working = target;
            storage.State = target;
            try
            {
                await storage.WriteStateAsync();
                onDurable(target);
                foreach (var pending in batch) pending.Succeed();
            }
            catch (Exception exception)
            {
                await Recover(batch, target.Revision, exception);
            }
        }
        _writer = null;
    }

    private async Task Recover(List<IPending> batch, long attempted, Exception writeError)
    {
        try
        {
            await storage.ReadStateAsync();
        }
        catch (Exception readError)
        {
            logger.LogError(readError, "Grain state could not be read back after a failed write; the activation is dropped");
            var failure = new StorageUnavailableException("storage unavailable");
            foreach (var pending in batch.Concat(_queued)) pending.Fail(failure);
            _queued = [];
            _lost = true;
            onStateLost();
            return;
        }

        onDurable(storage.State);
        // A write can fail after its transaction committed (a lost acknowledgement): then it did land.
        if (storage.State.Revision == attempted)
        {
            foreach (var pending in batch) pending.Succeed();
        }
        else
        {
            logger.LogWarning(writeError, "Grain state write failed; {Count} changes refused", batch.Count);
            var failure = new StorageUnavailableException("storage unavailable");
            foreach (var pending in batch) pending.Fail(failure);
        }

        _working = storage.State;
        var queued = _queued;
        _queued = [];
        foreach (var pending in queued)
        {
            if (pending.Decide(Current, out var next))
            {
                _working = next;
                _queued.Add(pending);
            }
        }
    }

    private interface IPending
    {
        /// <summary>Decides against <paramref name="state"/>; answers at once when nothing changes.</summary>
        bool Decide(CustomerState state, out CustomerState next);
        void Succeed();
        void Fail(Exception exception);
    }

    private sealed class Pending<T>(Func<CustomerState, Change<T>> decide) : IPending
    {
        private readonly TaskCompletionSource<T> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private T _result = default!;

        public Task<T> Task => _done.Task;

        public bool Decide(CustomerState state, out CustomerState next)
        {
            next = state;
            Change<T> change;
            try
            {
                change = decide(state);
            }
            catch (Exception refused)
            {
                _done.TrySetException(refused);
                return false;
            }
            _result = change.Result;
            if (change.State is null)
            {
                _done.TrySetResult(change.Result);
                return false;
            }
            next = change.State;
            return true;
        }

        public void Succeed() => _done.TrySetResult(_result);

        public void Fail(Exception exception) => _done.TrySetException(exception);
    }
}
