using Microsoft.Extensions.Logging;
using Orleans.Storage;

namespace Orleans.Tokens.Grains;

/// <summary>
/// What a change decided: the next state (null when nothing changes), the caller's answer, and the rows to append
/// in the same transaction as the state (<see cref="GrainRow"/>; none by default).
/// </summary>
public readonly record struct Change<T>(CustomerState? State, T Result, ImmutableArray<GrainRow> Appends = default)
{
    public static Change<T> None(T result) => new(null, result);
}

/// <summary>
/// Group commit for a reentrant grain, after Chirper's <c>ChirperAccount</c>: changes apply at once to a working
/// copy of the state; one storage write is in flight at a time and the changes that arrive meanwhile share the
/// next one. A caller is answered only after the write holding its change has landed.
/// <para>
/// Every write attempt carries a new <see cref="CustomerState.WriteId"/>. After a failed write the state is read
/// back: the write landed exactly when the stored state carries that id (an acknowledgement lost after the commit);
/// otherwise it did not (another activation wrote first, or the storage refused it), its changes fail with
/// <see cref="StorageUnavailableException"/>, and the queued changes are decided anew against the stored state.
/// When that cannot be settled (the storage says the outcome is unknown, or the state cannot be read back after a
/// failure the storage did not call certain), the write's changes fail with <see cref="OutcomeUnknownException"/>,
/// the queued ones (never handed to the storage) with <see cref="StorageUnavailableException"/>, and the activation
/// refuses everything until it is gone.
/// </para>
/// <para>
/// A change whose caller cancels while it waits for the next write is withdrawn (never written; the queued changes
/// are decided anew without it); once its write is in flight, cancelling changes nothing.
/// </para>
/// <para>
/// The rows of a write's changes (<see cref="Change{T}.Appends"/>) travel with its state
/// (<see cref="CustomerState.Appends"/>), so the storage writes them in the state's transaction, and only then; so
/// does a purge that a change asked for (<see cref="CustomerState.PurgeExpiredBefore"/>, carried to the next write).
/// Another activation's rows can appear only with its state write, which fails this activation's next write:
/// <paramref name="onReadBack"/> runs when a failed write's recovery starts, before anything is decided again, so
/// that what the grain knows of its rows can be read again too.
/// </para>
/// </summary>
internal sealed partial class GroupCommit(
    IPersistentState<CustomerState> storage, ILogger logger, Action onStateLost, Action<CustomerState> onDurable, Action onReadBack)
{
    private CustomerState? _durable;
    private CustomerState? _inFlight;
    private CustomerState? _working;
    private List<IPending> _queued = [];
    private Task? _writer;
    private bool _lost;
    private int _holding;

    /// <summary>The state as last known stored: what views show.</summary>
    public CustomerState Durable => _lost
        ? throw new StorageUnavailableException("storage unavailable")
        : _durable ??= storage.State;

    /// <summary>The state including changes not yet durable: what changes are decided against.</summary>
    public CustomerState Current => _lost
        ? throw new StorageUnavailableException("storage unavailable")
        : _working ??= Durable;

    /// <summary>
    /// Decides <paramref name="decide"/> against the current state now and answers once its change is durable (at
    /// once when it changes nothing). Fails as described on the class; cancelled when <paramref name="cancellation"/>
    /// fires before its write is in flight. <paramref name="settled"/>, when given, runs once in this grain's turn
    /// just before the answer is set, however it ends: what a caller keeps until then needs no turn of its own.
    /// </summary>
    public Task<T> Submit<T>(Func<CustomerState, Change<T>> decide, CancellationToken cancellation = default, Action? settled = null)
    {
        if (_lost || cancellation.IsCancellationRequested)
        {
            settled?.Invoke();
            // Until the activation is gone, its state is unknown: nothing may be decided against it.
            return _lost
                ? Task.FromException<T>(new StorageUnavailableException("storage unavailable"))
                : Task.FromCanceled<T>(cancellation);
        }
        var pending = new Pending<T>(decide, settled);
        if (!pending.Decide(Current, out var next)) return pending.Task;
        _working = next;
        _queued.Add(pending);
        if (cancellation.CanBeCanceled)
        {
            // The callback runs on any thread, before Orleans acknowledges the cancellation to the caller: it marks the
            // change at once (no later batch takes it), and withdraws it in a turn of this grain, like everything else.
            var scheduler = TaskScheduler.Current;
            pending.OnCancel(cancellation, () => Task.Factory.StartNew(
                () => Withdraw(pending), CancellationToken.None, TaskCreationOptions.None, scheduler));
        }
        if (_holding == 0) StartWriter();
        return pending.Task;
    }

    /// <summary>
    /// Holds back the next write until the returned scope is disposed, so that the changes submitted meanwhile (the
    /// mints of one <see cref="ICustomerGrain.MintMany"/>) go in one write rather than the first alone and the rest
    /// in the next. Dispose it within the same turn.
    /// </summary>
    public HeldWrites HoldWrites()
    {
        _holding++;
        return new HeldWrites(this);
    }

    /// <summary>The scope of <see cref="HoldWrites"/>: disposing it lets the writer start.</summary>
    public readonly struct HeldWrites(GroupCommit commit) : IDisposable
    {
        public void Dispose()
        {
            if (--commit._holding == 0 && commit._queued.Count > 0) commit.StartWriter();
        }
    }

    private void StartWriter()
    {
        // A writer that finished within this turn (its write completed synchronously) is done: start another.
        if (_writer is not { IsCompleted: false }) _writer = WriteQueued();
    }

    private void Withdraw(IPending pending)
    {
        if (!_queued.Remove(pending)) return; // in flight or answered: too late to withdraw
        pending.Cancel();
        DecideAgain(_inFlight ?? Durable);
    }

    private async Task WriteQueued()
    {
        while (_queued.Count > 0 && !_lost)
        {
            if (_queued.Exists(pending => pending.CancelRequested))
            {
                foreach (var cancelled in _queued.FindAll(pending => pending.CancelRequested)) Withdraw(cancelled);
            }
            if (_queued.Count == 0) break;
            var batch = _queued;
            _queued = [];
            var purge = Current.PurgeExpiredBefore;
            var target = Current with { WriteId = RandomBytes.NewGuid(), Appends = [], PurgeExpiredBefore = null };
            _working = target;
            _inFlight = target;
            storage.State = target with { Appends = AppendsOf(batch), PurgeExpiredBefore = purge };
            try
            {
                await storage.WriteStateAsync();
                _inFlight = null;
                _durable = target;
                onDurable(target);
                foreach (var pending in batch) pending.Succeed();
            }
            catch (Exception exception)
            {
                _inFlight = null;
                await Recover(batch, target.WriteId, StorageCause(exception));
            }
        }
    }

    /// <summary>The rows of a batch's changes, in order; most batches (plain mints) have none.</summary>
    private static ImmutableArray<GrainRow> AppendsOf(List<IPending> batch)
    {
        var count = 0;
        foreach (var pending in batch) count += pending.Appends.Length;
        if (count == 0) return [];
        var rows = ImmutableArray.CreateBuilder<GrainRow>(count);
        foreach (var pending in batch) rows.AddRange(pending.Appends);
        return rows.MoveToImmutable();
    }

    private async Task Recover(List<IPending> batch, Guid attempted, Exception writeError)
    {
        onReadBack();
        if (writeError is OutcomeUnknownException)
        {
            Lose(batch, writeError, new OutcomeUnknownException("the write's outcome is unknown"));
            return;
        }
        try
        {
            await storage.ReadStateAsync();
        }
        catch (Exception readError)
        {
            // The storage says when a write certainly did not land; any other failure may hide one that did.
            Lose(batch, readError, writeError is InconsistentStateException or StorageUnavailableException
                ? new StorageUnavailableException("storage unavailable")
                : new OutcomeUnknownException("the write's outcome is unknown"));
            return;
        }

        _durable = storage.State;
        onDurable(_durable);
        if (_durable.WriteId == attempted)
        {
            foreach (var pending in batch) pending.Succeed();
        }
        else
        {
            logger.LogWarning(writeError, "Grain state write did not land; {Count} changes refused", batch.Count);
            var failure = new StorageUnavailableException("storage unavailable");
            foreach (var pending in batch) pending.Fail(failure);
        }
        DecideAgain(_durable);
    }

    /// <summary>Orleans wraps a storage's own exceptions (all but its <see cref="OrleansException"/>s): the storage's.</summary>
    private static Exception StorageCause(Exception exception) =>
        exception is OrleansException { InnerException: { } inner } and not InconsistentStateException ? inner : exception;

    /// <summary>Decides the queued changes again, in order, on <paramref name="from"/>.</summary>
    private void DecideAgain(CustomerState from)
    {
        var queued = _queued;
        _queued = [];
        _working = from;
        foreach (var pending in queued)
        {
            if (pending.Decide(_working, out var next))
            {
                _working = next;
                _queued.Add(pending);
            }
        }
    }

    /// <summary>The stored state is unknown: the batch fails with <paramref name="outcome"/>, the activation goes.</summary>
    private void Lose(List<IPending> batch, Exception cause, Exception outcome)
    {
        logger.LogError(cause, "Grain state could not be settled after a failed write; the activation is dropped");
        foreach (var pending in batch) pending.Fail(outcome);
        var unavailable = new StorageUnavailableException("storage unavailable");
        foreach (var pending in _queued) pending.Fail(unavailable);
        _queued = [];
        _lost = true;
        onStateLost();
    }
}
