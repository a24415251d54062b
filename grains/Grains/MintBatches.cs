namespace Orleans.Tokens.Grains;

/// <summary>
/// The mints of <see cref="ICustomerGrain.MintMany"/> calls under way in one activation, each with the cancellation
/// that <see cref="ICustomerGrain.WithdrawMint"/> fires, so that a batched mint whose client is gone is withdrawn as
/// a single call's cancellation would withdraw it. A withdrawal that arrives before its batch, or after its mint
/// was answered, finds nothing and does nothing.
/// </summary>
internal sealed class MintBatches
{
    private readonly Dictionary<(Guid Batch, int Index), CancellationTokenSource> _withdrawals = [];

    /// <summary>
    /// Starts <paramref name="mint"/> for each of the <paramref name="count"/> mints of <paramref name="batch"/> (by
    /// index, with its withdrawal), in order, before it first awaits; one outcome each.
    /// </summary>
    public async Task<ImmutableArray<MintOutcome>> Run(Guid batch, int count, Func<int, CancellationToken, Task<MintResult>> mint)
    {
        var sources = new CancellationTokenSource[count];
        var mints = new Task<MintResult>[count];
        try
        {
            for (var i = 0; i < count; i++)
            {
                sources[i] = new CancellationTokenSource();
                _withdrawals[(batch, i)] = sources[i];
                mints[i] = Guarded(mint, i, sources[i].Token);
            }
            // Each mint's failure is its own outcome, not the batch's. Awaited one by one, not with Task.WhenAll: a
            // mint's task runs its continuations asynchronously, so WhenAll's per-task callback would cost a
            // thread-pool work item per mint; here one continuation per batch resumes in this activation's turn, and
            // the mints after it are mostly done by then.
            foreach (var started in mints)
                await ((Task)started).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext);
        }
        finally
        {
            for (var i = 0; i < count && sources[i] is { } source; i++)
            {
                _withdrawals.Remove((batch, i));
                source.Dispose();
            }
        }
        return [.. mints.Select(MintOutcome.Of)];
    }

    /// <summary>Withdraws the mint at <paramref name="index"/> of <paramref name="batch"/> if it is still under way.</summary>
    public void Withdraw(Guid batch, int index)
    {
        if (_withdrawals.TryGetValue((batch, index), out var source)) source.Cancel();
    }

    /// <summary>A mint whose synchronous throw is a failed task like any other, so that the rest of the batch goes on.</summary>
    private static Task<MintResult> Guarded(Func<int, CancellationToken, Task<MintResult>> mint, int index, CancellationToken withdrawn)
    {
        try
        {
            return mint(index, withdrawn);
        }
        catch (Exception failure)
        {
            return Task.FromException<MintResult>(failure);
        }
    }
}
