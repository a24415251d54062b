namespace Orleans.Tokens.Grains;

/// <summary>
/// A customer's mints (contract sections 4, 5, 11): alone (<see cref="Mint(MintRequest, CancellationToken)"/>) or
/// several of one gateway at once (<see cref="MintMany"/>), each decided by <see cref="MintRules"/> against the
/// working state and answered once its debit is durable (<see cref="GroupCommit"/>); a keyed one through
/// <see cref="IdempotencyKeys"/>.
/// </summary>
public sealed partial class CustomerGrain
{
    public Task<MintResult> Mint(MintRequest request, CancellationToken cancellation) => Mint(request, null, cancellation);

    /// <summary>
    /// A mint, its stored keys read here first (<paramref name="stored"/> null) or already read by the batch it is in.
    /// </summary>
    private Task<MintResult> Mint(MintRequest request, IReadOnlyList<StoredContentKey>? stored, CancellationToken cancellation)
    {
        var account = Commit.Current;
        if (!account.Exists) Unknown();
        // Only a caller that authenticates spends the customer's allowance: a flood with a wrong secret cannot.
        else if (account.MaxMintsPerSecond is { } limit && MintRules.Authenticated(account, request)
                 && !_mintRate.TryTake(clock.GetUtcNow(), limit, out var retryAfter))
            return Task.FromResult(MintResult.TooManyRequests(retryAfter));
        return stored is null && ReadsStoredKeys(request)
            ? SubmitWithStoredKeys(request, cancellation)
            : Submit(request, stored, cancellation);
    }

    public async Task<ImmutableArray<MintOutcome>> MintMany(Guid batch, ImmutableArray<MintRequest> requests)
    {
        if (requests.Any(request => request.Idempotency is not null))
            throw new ArgumentException("a keyed mint goes alone (Mint), never in a batch", nameof(requests));
        // Every read first, so that the mints are then decided in order, in one turn, and share one write.
        var stored = new IReadOnlyList<StoredContentKey>?[requests.Length];
        for (var i = 0; i < requests.Length; i++)
        {
            if (ReadsStoredKeys(requests[i])) stored[i] = await StoredKeys(requests[i]);
        }
        return await DecideHeld(batch, requests, stored);
    }

    /// <summary>Decides a batch's mints now, in order, holding the next write until all are decided.</summary>
    private Task<ImmutableArray<MintOutcome>> DecideHeld(Guid batch, ImmutableArray<MintRequest> requests, IReadOnlyList<StoredContentKey>?[] stored)
    {
        using var held = Commit.HoldWrites();
        return _batches.Run(batch, requests.Length, (index, withdrawn) => Mint(requests[index], stored[index], withdrawn));
    }

    public Task WithdrawMint(Guid batch, int index)
    {
        _batches.Withdraw(batch, index);
        return Task.CompletedTask;
    }

    /// <summary>Whether a mint takes keys from key storage, for a caller that authenticates (no other learns of them).</summary>
    private bool ReadsStoredKeys(MintRequest request) =>
        request.LeavesKeysToStorage && MintRules.Authenticated(Commit.Current, request);

    /// <summary>A mint of keys from key storage: its keys are read, then it is decided.</summary>
    private async Task<MintResult> SubmitWithStoredKeys(MintRequest request, CancellationToken cancellation) =>
        await Submit(request, await StoredKeys(request), cancellation);

    /// <summary>What key storage gives each key of <paramref name="request"/> that the request did not give, in its order.</summary>
    private async Task<IReadOnlyList<StoredContentKey>> StoredKeys(MintRequest request)
    {
        var stored = new List<StoredContentKey>();
        foreach (var key in request.Keys)
        {
            stored.Add(key.ContentKey is null && await Keys.Find(key.Kid) is { } found
                ? Keys.ForMint(found, request.Kek)
                : new StoredContentKey(null));
        }
        return stored;
    }

    private Task<MintResult> Submit(MintRequest request, IReadOnlyList<StoredContentKey>? stored, CancellationToken cancellation) => request.Idempotency switch
    {
        null => Commit.Submit(account => Decide(account, request, stored), cancellation),
        // A key is the customer's own: a caller that does not authenticate learns nothing of it (-2018 first).
        _ when !MintRules.Authenticated(Commit.Current, request) => Task.FromResult(MintResult.Refused(ErrorCode.InvalidAuthenticator)),
        { } keyed => Idempotency.Mint(request, keyed,
            (record, settled) => Commit.Submit(account => record(Decide(account, request, stored)), cancellation, settled)),
    };

    private Change<MintResult> Decide(CustomerState account, MintRequest request, IReadOnlyList<StoredContentKey>? stored) =>
        MintRules.Decide(account, request, DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime), stored);
}
