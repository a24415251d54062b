using System.Collections.Concurrent;

namespace Orleans.Tokens.Gateway.Minting;

/// <summary>
/// The gateway's grain calls for mints, one lane per customer: a mint whose customer has no call under way goes at
/// once, alone (<see cref="ICustomerGrain.Mint"/>, with its request's cancellation), so mints spread over many
/// customers never wait; the mints of a customer that arrive while its call is under way wait for it and then go
/// together in one call (<see cref="ICustomerGrain.MintMany"/>, at most <see cref="MaxBatch"/>), so a hot customer
/// costs one grain message per batch rather than per mint (issue 13).
/// <para>
/// A keyed mint (section 11) always goes at once, alone: its answer may not wait for another call; so does any mint
/// whose customer's call has been under way for <see cref="MaxWait"/> (a stalled write), so that mints are still
/// decided as they come (a rate limit counts them as they come).
/// A mint whose client leaves while it waits is never sent; once sent in a batch it is withdrawn
/// (<see cref="ICustomerGrain.WithdrawMint"/>), as a single call's cancellation would withdraw it: not debited unless
/// its write is under way. Either way its task is cancelled at once. A batch call that fails fails each of its
/// mints as a single call would have failed.
/// </para>
/// <para>
/// <paramref name="clock"/> times a call under way against <see cref="MaxWait"/> (the system clock; a test's fake one
/// makes the batching deterministic).
/// </para>
/// </summary>
internal sealed class CustomerMints(CustomerGrains customers, TimeProvider clock)
{
    /// <summary>The most mints one <see cref="ICustomerGrain.MintMany"/> call carries.</summary>
    public const int MaxBatch = 256;

    /// <summary>How long a customer's call may be under way and still hold its next mints back (a write takes a few ms).</summary>
    public static readonly TimeSpan MaxWait = TimeSpan.FromMilliseconds(10);

    private readonly ConcurrentDictionary<long, Lane> _lanes = new();

    /// <summary>Mints <paramref name="request"/> for <paramref name="customerId"/>: the grain's answer, or its failure (section 11).</summary>
    public Task<MintResult> Mint(long customerId, MintRequest request, CancellationToken aborted)
    {
        // A keyed mint never waits: while another mint of its key is undecided its answer is -9003 at once (section 11).
        if (request.Idempotency is not null) return customers.Get(customerId).Mint(request, aborted);
        while (true)
        {
            var lane = _lanes.GetOrAdd(customerId, static (id, grains) => new Lane(id, grains.Get(id)), customers);
            lock (lane)
            {
                // A lane closes when it runs empty and leaves the map; a caller that found it just then takes a new one.
                if (lane.Closed) continue;
                if (lane.Busy && clock.GetElapsedTime(lane.CallStarted) < MaxWait)
                {
                    var waiting = new Waiting(request, aborted);
                    lane.Queue.Add(waiting);
                    return waiting.Task;
                }
                // A call under way for longer (a stalled write) holds no more mints back: this one goes at once,
                // beside it, so that the grain still decides mints as they come (its rate limit among them).
                if (lane.Busy) return lane.Grain.Mint(request, aborted);
                lane.Busy = true;
                lane.CallStarted = clock.GetTimestamp();
            }
            return Alone(lane, request, aborted);
        }
    }

    private async Task<MintResult> Alone(Lane lane, MintRequest request, CancellationToken aborted)
    {
        try
        {
            return await lane.Grain.Mint(request, aborted);
        }
        finally
        {
            Next(lane);
        }
    }

    /// <summary>After a call of <paramref name="lane"/>: sends the mints that waited for it, or closes the lane.</summary>
    private void Next(Lane lane)
    {
        List<Waiting> batch;
        lock (lane)
        {
            lane.Queue.RemoveAll(static waiting => waiting.Task.IsCompleted);
            if (lane.Queue.Count == 0)
            {
                lane.Busy = false;
                lane.Closed = true;
                _lanes.TryRemove(new KeyValuePair<long, Lane>(lane.CustomerId, lane));
                return;
            }
            lane.CallStarted = clock.GetTimestamp();
            var count = Math.Min(lane.Queue.Count, MaxBatch);
            batch = lane.Queue.GetRange(0, count);
            lane.Queue.RemoveRange(0, count);
        }
        _ = Send(lane, batch);
    }

    private async Task Send(Lane lane, List<Waiting> batch)
    {
        try
        {
            if (batch is [var only])
            {
                only.Complete(await lane.Grain.Mint(only.Request, only.Aborted));
                return;
            }
            var id = RandomBytes.NewGuid();
            for (var i = 0; i < batch.Count; i++) batch[i].SentAs(lane.Grain, id, i);
            var call = lane.Grain.MintMany(id, [.. batch.Select(static waiting => waiting.Request)]);
            // A client that left between the batch's making and its sending: its withdrawal follows the batch.
            for (var i = 0; i < batch.Count; i++)
            {
                if (batch[i].Task.IsCanceled) _ = lane.Grain.WithdrawMint(id, i);
            }
            var outcomes = await call;
            for (var i = 0; i < batch.Count; i++) batch[i].Complete(outcomes[i]);
        }
        catch (Exception failure)
        {
            foreach (var waiting in batch) waiting.Fail(failure);
        }
        finally
        {
            Next(lane);
        }
    }

    private sealed class Lane(long customerId, ICustomerGrain grain)
    {
        public long CustomerId { get; } = customerId;
        public ICustomerGrain Grain { get; } = grain;
        public List<Waiting> Queue { get; } = [];
        public bool Busy { get; set; }
        /// <summary>When the call under way started (<see cref="TimeProvider.GetTimestamp"/> of the lanes' clock).</summary>
        public long CallStarted { get; set; }
        public bool Closed { get; set; }
    }

    /// <summary>A mint waiting for its lane's call, then sent in a batch: its answer, and its withdrawal if its client leaves.</summary>
    private sealed class Waiting
    {
        private readonly TaskCompletionSource<MintResult> _answer = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly CancellationTokenRegistration _abort;
        private SentAt? _sent;

        public Waiting(MintRequest request, CancellationToken aborted)
        {
            Request = request;
            Aborted = aborted;
            _abort = aborted.Register(static state => ((Waiting)state!).Abort(), this);
        }

        public MintRequest Request { get; }
        public CancellationToken Aborted { get; }
        public Task<MintResult> Task => _answer.Task;

        /// <summary>Marks it sent at <paramref name="index"/> of <paramref name="batch"/>, before the call goes.</summary>
        public void SentAs(ICustomerGrain grain, Guid batch, int index) => Interlocked.Exchange(ref _sent, new SentAt(grain, batch, index));

        public void Complete(MintResult result)
        {
            _abort.Dispose();
            _answer.TrySetResult(result);
        }

        public void Complete(MintOutcome outcome)
        {
            if (outcome.Exception() is { } failure) Fail(failure);
            else Complete(outcome.Result!);
        }

        public void Fail(Exception failure)
        {
            _abort.Dispose();
            if (failure is OperationCanceledException) _answer.TrySetCanceled(Aborted);
            else _answer.TrySetException(failure);
        }

        private void Abort()
        {
            if (!_answer.TrySetCanceled(Aborted)) return;
            if (Volatile.Read(ref _sent) is { } sent) _ = sent.Grain.WithdrawMint(sent.Batch, sent.Index);
        }

        private sealed record SentAt(ICustomerGrain Grain, Guid Batch, int Index);
    }
}
