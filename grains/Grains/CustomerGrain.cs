using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Concurrency;
using Orleans.Tokens.Grains.Metrics;

namespace Orleans.Tokens.Grains;

/// <summary>
/// One customer account. Reentrant so that calls arriving while a write is in flight can share the next write
/// (<see cref="GroupCommit"/>); every decision runs in one turn against the working state, so it stays exact.
/// <para>
/// Its durable balances are on this silo's <c>tokens_balance</c> gauge while it is active here: added on
/// activation, updated after each write, removed on deactivation. Kept active for a day of idleness so that
/// balances stay visible (an account's state is small).
/// </para>
/// <para>
/// Usage counters: the day being counted travels in the account state with each debit; a day that ends moves to
/// the account's <see cref="UsageHistory"/>, a state of its own, so the state written per debit does not grow.
/// </para>
/// <para>
/// Idempotency keys (<see cref="IdempotencyKeys"/>) are remembered in rows of their own (<see cref="IGrainRows"/>),
/// written in the same transaction as the debit, so the state written per debit does not grow with them either.
/// </para>
/// <para>
/// Key storage (<see cref="ContentKeys"/>) is rows of its own too, sealed, read on demand; a kid-only mint reads its
/// keys before the decision and writes nothing but the debit. Changes of one KID run one at a time, so that the count
/// of keys the state keeps stays exact; changes of different KIDs share writes. An account written before keys had
/// rows has them moved on activation.
/// </para>
/// <para>
/// Redemptions (<see cref="Redemptions"/>): revoked and used-up tokens and redemption records are rows of their own
/// too, written with the state; a single-use token is held for its redemption in this activation's memory.
/// </para>
/// </summary>
[Reentrant]
[CollectionAgeLimit(Days = 1)]
public sealed class CustomerGrain(
    [PersistentState("customer", StorageNames.Customers)] IPersistentState<CustomerState> state,
    [PersistentState("usage", StorageNames.Customers)] IPersistentState<UsageHistory> usage,
    [FromKeyedServices(CustomerGrain.ClockKey)] TimeProvider clock,
    [FromKeyedServices(StorageNames.Customers)] IGrainRows rows,
    KeyStorageOptions keyStorage,
    RedemptionOptions redemption,
    TokensMetrics metrics,
    ILogger<CustomerGrain> logger) : Grain, ICustomerGrain
{
    /// <summary>
    /// The key of the clock that dates usage and idempotency records (the 24-hour window); any key resolves to the
    /// silo's clock unless one is registered.
    /// </summary>
    public const string ClockKey = "usage";

    private GroupCommit? _commit;
    private bool _balanceSeries;
    private bool _balanceDropped;
    private Task? _archiving;

    private IdempotencyKeys? _idempotency;
    private ContentKeys? _keys;
    private Redemptions? _redemptions;
    private readonly Dictionary<string, Task> _keyChanges = new(StringComparer.Ordinal);
    private readonly MintRateLimiter _mintRate = new();
    private readonly MintBatches _batches = new();
    private readonly HashSet<string> _crediting = new(StringComparer.Ordinal);

    /// <summary>The actor journalled for a change made without one (a grain call that names nobody).</summary>
    private const string UnnamedActor = "grain call";

    private GroupCommit Commit =>
        _commit ??= new GroupCommit(state, logger, DeactivateOnIdle, OnDurable, () =>
        {
            _idempotency?.Stale();
            _redemptions?.Stale();
            _keys?.Forget();
        });

    private IdempotencyKeys Idempotency => _idempotency ??= new IdempotencyKeys(rows, this.GetGrainId(), clock);

    private Redemptions Redemptions => _redemptions ??= new Redemptions(rows, this.GetGrainId(), clock, redemption);

    private ContentKeys Keys => _keys ??= new ContentKeys(rows, this.GetGrainId(), CustomerId, keyStorage.Ring);

    private long CustomerId => this.GetPrimaryKeyLong();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        ReportBalance(state.State);
        if (!state.State.Keys.IsEmpty) await MoveKeysToRows();
    }

    /// <summary>
    /// An account written before key storage had rows keeps its keys in the state: they move to sealed rows, and
    /// leave the state, in one write.
    /// </summary>
    private Task MoveKeysToRows() =>
        Commit.Submit(account =>
        {
            if (account.Keys.IsEmpty) return Change<bool>.None(false);
            var now = clock.GetUtcNow();
            ImmutableArray<GrainRow> moved = [.. account.Keys.Select(pair =>
                ContentKeys.Row(Keys.Seal(Convert.FromHexString(pair.Key), null, new KeyFields(pair.Value), now)))];
            var next = account with { Keys = ImmutableDictionary<string, byte[]>.Empty, KeyCount = account.KeyCount + account.Keys.Count };
            return new Change<bool>(next, true, moved);
        });

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_balanceSeries) metrics.RemoveBalance(CustomerId);
        _balanceSeries = false;
        if (_archiving is { } archiving) await archiving;
    }

    private void OnDurable(CustomerState durable)
    {
        ReportBalance(durable);
        if (durable.ClosedDays.Count > 0 && _archiving is not { IsCompleted: false }) _archiving = ArchiveClosedDays();
    }

    /// <summary>
    /// Moves ended days into the usage history: the history is written first, then the days leave the account
    /// state through the group commit, so a crash in between leaves a day in both, never in neither. Where both
    /// hold a day, the account's counts are the ones read (<see cref="UsageHistory.With"/>) and archiving it again
    /// replaces it. Goes on while days end meanwhile; a failure leaves them for the next durable write.
    /// </summary>
    private async Task ArchiveClosedDays()
    {
        try
        {
            while (Commit.Current.ClosedDays is { Count: > 0 } closed)
            {
                usage.State = usage.State.Archive(closed);
                await usage.WriteStateAsync();
                await Commit.Submit(account => new Change<bool>(account.WithoutClosed(closed), true));
            }
        }
        catch (Exception failure)
        {
            logger.LogWarning(failure, "Usage history not archived; trying again after the next write");
            await ReadUsageAgain();
        }
    }

    /// <summary>After a failed write the stored version is unknown (it may have landed): read it again.</summary>
    private async Task ReadUsageAgain()
    {
        try
        {
            await usage.ReadStateAsync();
        }
        catch (Exception failure)
        {
            logger.LogWarning(failure, "Usage history could not be read again");
        }
    }

    /// <summary>The durable state, as read or just written: the balance gauge follows it.</summary>
    private void ReportBalance(CustomerState durable)
    {
        if (!durable.Exists) return;
        if (_balanceSeries) metrics.UpdateBalance(CustomerId, durable.ProductionBalance, durable.TestBalance);
        else if (!_balanceDropped)
        {
            _balanceSeries = metrics.TryAddBalance(CustomerId, durable.ProductionBalance, durable.TestBalance);
            _balanceDropped = !_balanceSeries;
        }
    }

    public Task<ImmutableArray<UsageDay>> Usage(DateOnly? since) => Task.FromResult(
        usage.State.With(Existing(Commit.Durable)).Where(day => since is null || day.Day >= since).ToImmutableArray());

    public Task<MintResult> Mint(MintRequest request, CancellationToken cancellation)
    {
        var account = Commit.Current;
        if (!account.Exists) Unknown();
        // Only a caller that authenticates spends the customer's allowance: a flood with a wrong secret cannot.
        else if (account.MaxMintsPerSecond is { } limit && MintRules.Authenticated(account, request)
                 && !_mintRate.TryTake(clock.GetUtcNow(), limit, out var retryAfter))
            return Task.FromResult(MintResult.TooManyRequests(retryAfter));
        return Submit(request, cancellation);
    }

    public Task<ImmutableArray<MintOutcome>> MintMany(Guid batch, ImmutableArray<MintRequest> requests)
    {
        // Every mint decided now shares the next write.
        using var held = Commit.HoldWrites();
        return _batches.Run(batch, requests, Mint);
    }

    public Task WithdrawMint(Guid batch, int index)
    {
        _batches.Withdraw(batch, index);
        return Task.CompletedTask;
    }

    private Task<MintResult> Submit(MintRequest request, CancellationToken cancellation) =>
        request.LeavesKeysToStorage && MintRules.Authenticated(Commit.Current, request)
            ? SubmitWithStoredKeys(request, cancellation)
            : Submit(request, null, cancellation);

    /// <summary>A mint of keys from key storage, for a caller that authenticates: its keys are read, then it is decided.</summary>
    private async Task<MintResult> SubmitWithStoredKeys(MintRequest request, CancellationToken cancellation)
    {
        var stored = new List<StoredContentKey>();
        foreach (var key in request.Keys)
        {
            stored.Add(key.ContentKey is null && await Keys.Find(key.Kid) is { } found
                ? Keys.ForMint(found, request.Kek)
                : new StoredContentKey(null));
        }
        return await Submit(request, stored, cancellation);
    }

    private Task<MintResult> Submit(MintRequest request, IReadOnlyList<StoredContentKey>? stored, CancellationToken cancellation) => request.Idempotency switch
    {
        null => Commit.Submit(account => Decide(account, request, stored), cancellation),
        // A key is the customer's own: a caller that does not authenticate learns nothing of it (-2018 first).
        _ when !MintRules.Authenticated(Commit.Current, request) => Task.FromResult(MintResult.Refused(ErrorCode.InvalidAuthenticator)),
        { } keyed => Idempotency.Mint(request, keyed, record => Commit.Submit(account => record(Decide(account, request, stored)), cancellation)),
    };

    private Change<MintResult> Decide(CustomerState account, MintRequest request, IReadOnlyList<StoredContentKey>? stored) =>
        MintRules.Decide(account, request, DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime), stored);

    public Task<CustomerCreated> Create(CustomerOptions options, long productionBalance, long testBalance) =>
        Commit.Submit(account =>
        {
            if (account.Exists) throw new AccountException($"customer {CustomerId} already exists");
            if (productionBalance < 0 || testBalance < 0) throw new AccountException("a balance cannot be negative");
            var now = DateTimeOffset.UtcNow;
            var (production, productionStored) = NewAuthenticator(TokenEnvironment.Production, now);
            var (test, testStored) = NewAuthenticator(TokenEnvironment.Test, now);
            var journalled = clock.GetUtcNow();
            var created = new CustomerState
            {
                Exists = true,
                Enabled = true,
                Options = options,
                ProductionBalance = productionBalance,
                TestBalance = testBalance,
                Authenticators = [productionStored, testStored],
                JournalLength = 2,
            };
            ImmutableArray<GrainRow> opening =
            [
                new JournalEntry(journalled, JournalEntry.Opening, TokenEnvironment.Production, productionBalance, productionBalance, null, UnnamedActor).Row(1),
                new JournalEntry(journalled, JournalEntry.Opening, TokenEnvironment.Test, testBalance, testBalance, null, UnnamedActor).Row(2),
            ];
            return new Change<CustomerCreated>(created, new CustomerCreated(CustomerId, production, test), opening);
        });

    public Task<CustomerView> Show() => Task.FromResult(View(Existing(Commit.Durable)));

    public async Task<long> Credit(TokenEnvironment environment, long tokens) =>
        (await Credit(environment, tokens, null, UnnamedActor)).Entry.Balance;

    public async Task<Credited> Credit(TokenEnvironment environment, long tokens, string? reference, string actor)
    {
        if (reference is null) return await CreditNow(environment, tokens, null, actor);
        if (!_crediting.Add(reference)) throw new AccountException($"a credit with reference {reference} is in progress");
        try
        {
            return await rows.Find(this.GetGrainId(), JournalEntry.ReferenceKind, reference) is JournalEntry first
                ? new Credited(first, Repeated: true)
                : await CreditNow(environment, tokens, reference, actor);
        }
        finally
        {
            _crediting.Remove(reference);
        }
    }

    private Task<Credited> CreditNow(TokenEnvironment environment, long tokens, string? reference, string actor) =>
        Commit.Submit(account =>
        {
            Existing(account);
            if (tokens < 1) throw new AccountException("a credit must be at least 1 token");
            if (tokens > long.MaxValue - account.Balance(environment)) throw new AccountException("the balance would overflow");
            var balance = account.Balance(environment) + tokens;
            var entry = new JournalEntry(clock.GetUtcNow(), JournalEntry.Credit, environment, tokens, balance, reference, actor);
            var next = account.WithBalance(environment, balance) with { JournalLength = account.JournalLength + 1 };
            ImmutableArray<GrainRow> journalled = reference is null
                ? [entry.Row(next.JournalLength)]
                : [entry.Row(next.JournalLength), new GrainRow(JournalEntry.ReferenceKind, reference, entry, entry.Time, null)];
            return new Change<Credited>(next, new Credited(entry, Repeated: false), journalled);
        });

    public async Task<JournalView> Journal()
    {
        var account = Existing(Commit.Durable);
        var entries = (await rows.List(this.GetGrainId(), JournalEntry.Kind)).Cast<JournalEntry>().ToImmutableArray();
        var days = usage.State.With(account);
        JournalTotals Totals(TokenEnvironment environment)
        {
            var of = entries.Where(entry => entry.Environment == environment).ToList();
            return new JournalTotals(
                of.Where(entry => entry.Change == JournalEntry.Opening).Sum(entry => entry.Amount),
                of.Where(entry => entry.Change == JournalEntry.Credit).Sum(entry => entry.Amount),
                days.Sum(day => day.Count(environment)),
                account.Balance(environment));
        }
        return new JournalView(entries, Totals(TokenEnvironment.Production), Totals(TokenEnvironment.Test));
    }

    public Task<CustomerView> SetEnabled(bool enabled) =>
        Change(account => enabled
            ? account with { Enabled = true }
            : account with { Enabled = false, DisabledAt = account.Enabled ? clock.GetUtcNow() : account.DisabledAt });

    public Task<RedemptionStart> StartRedemption(RedemptionTicket ticket, bool hold) =>
        Redemptions.Start(() => Commit.Current, ticket, hold);

    public Task<RedemptionRefusal> EndRedemption(RedemptionTicket ticket, Guid hold, RedemptionRecord record) =>
        Redemptions.End(ticket, hold, record, decide => Commit.Submit(decide));

    public async Task<RecordsResult> FindRecords(KeyAccess access, RecordsQuery query) =>
        MintRules.Authenticated(Commit.Durable, access.Environment, access.SecretHash)
            ? new RecordsResult(true, await Redemptions.Find(query))
            : new RecordsResult(false, []);

    public Task<ImmutableArray<RedemptionRecord>> Records(RecordsQuery query)
    {
        Existing(Commit.Durable);
        return Redemptions.Find(query);
    }

    public Task<bool> RevokeToken(string tokenId)
    {
        Existing(Commit.Current);
        return Redemptions.Revoke(tokenId, decide => Commit.Submit(decide));
    }

    public Task<CustomerView> SetOptions(bool? widevine, bool? playReady, bool? fairPlay = null) =>
        Change(account => account with
        {
            Options = new CustomerOptions(
                widevine ?? account.Options.Widevine, playReady ?? account.Options.PlayReady, fairPlay ?? account.Options.FairPlay),
        });

    public Task<CustomerView> SetMintRateLimit(int? maxMintsPerSecond)
    {
        if (maxMintsPerSecond < 1) throw new AccountException("a mint rate limit must be at least 1 a second");
        return Change(account => account with { MaxMintsPerSecond = maxMintsPerSecond });
    }

    public Task<IssuedAuthenticator> AddAuthenticator(TokenEnvironment environment) =>
        Commit.Submit(account =>
        {
            Existing(account);
            var (issued, stored) = NewAuthenticator(environment, DateTimeOffset.UtcNow);
            return new Change<IssuedAuthenticator>(account with { Authenticators = account.Authenticators.Add(stored) }, issued);
        });

    public Task RevokeAuthenticator(string authenticatorId) =>
        Commit.Submit(account =>
        {
            var found = Existing(account).Authenticators.Find(a => a.Id == authenticatorId)
                ?? throw new AccountException($"customer {CustomerId} has no authenticator {authenticatorId}");
            var now = clock.GetUtcNow();
            return new Change<bool>(account with
            {
                Authenticators = account.Authenticators.Remove(found),
                // Its tokens are refused from now on; once none of them can still be valid, it need not be kept.
                RevokedAuthenticators = account.RevokedAuthenticators
                    .RemoveAll(revoked => now - revoked.RevokedAt > Grains.Redemptions.LongestTokenLife)
                    .Add(new RevokedAuthenticator(Authenticator.Tag(found.SecretHash), now)),
            }, true);
        });

    public Task PutKey(byte[] kid, byte[] contentKey)
    {
        Existing(Commit.Current);
        if (kid.Length != 16 || contentKey.Length != 16) throw new AccountException("KID and key are 16 bytes each");
        return ChangingKey(kid, async () =>
        {
            var current = await Keys.Find(kid);
            if (!await StoreKey(kid, current, new KeyFields(contentKey)))
                throw new AccountException($"key storage full: customer {CustomerId} holds {keyStorage.MaxKeysPerCustomer} keys");
            return true;
        });
    }

    public async Task<byte[]?> GetKey(byte[] kid)
    {
        Existing(Commit.Durable);
        return await Keys.Find(kid) is { } stored ? Keys.ContentKey(stored) : null;
    }

    public Task<bool> DeleteKey(byte[] kid)
    {
        Existing(Commit.Current);
        return ChangingKey(kid, async () => await Keys.Find(kid) is not null && await RemoveKey(kid));
    }

    public async Task<ImmutableArray<string>> ListKeys()
    {
        Existing(Commit.Durable);
        return [.. (await rows.Keys(this.GetGrainId(), StoredKey.Kind)).Keys.Order(StringComparer.Ordinal)];
    }

    public Task<KeyStoreResult> CreateStoredKey(KeyAccess access, byte[]? kid, KeyFields fields) =>
        Authorized(access, () => ChangingKey(kid ??= RandomNumberGenerator.GetBytes(16), async () =>
        {
            if (await Keys.Find(kid) is { } current) return new KeyStoreResult(KeyStoreStatus.Ok, Keys.View(current));
            return await StoreKey(kid, null, fields)
                ? new KeyStoreResult(KeyStoreStatus.Created, Keys.View((await Keys.Find(kid))!))
                : new KeyStoreResult(KeyStoreStatus.Full);
        }));

    public Task<KeyStoreResult> FindStoredKey(KeyAccess access, byte[] kid) =>
        Authorized(access, async () => await Keys.Find(kid) is { } stored
            ? new KeyStoreResult(KeyStoreStatus.Ok, Keys.View(stored))
            : new KeyStoreResult(KeyStoreStatus.NotFound));

    public Task<KeyStoreResult> ListStoredKeys(KeyAccess access) =>
        Authorized(access, async () => new KeyStoreResult(KeyStoreStatus.Ok,
            Keys: [.. (await Keys.List()).OrderBy(stored => Kid.ToHex(stored.Kid), StringComparer.Ordinal).Select(Keys.View)]));

    public Task<KeyStoreResult> UpdateStoredKey(KeyAccess access, byte[] kid, KeyFields fields) =>
        Authorized(access, () => ChangingKey(kid, async () =>
        {
            if (await Keys.Find(kid) is not { } current) return new KeyStoreResult(KeyStoreStatus.NotFound);
            await StoreKey(kid, current, fields);
            return new KeyStoreResult(KeyStoreStatus.Ok, Keys.View((await Keys.Find(kid))!));
        }));

    public Task<KeyStoreResult> DeleteStoredKey(KeyAccess access, byte[] kid) =>
        Authorized(access, () => ChangingKey(kid, async () =>
            new KeyStoreResult(await Keys.Find(kid) is not null && await RemoveKey(kid) ? KeyStoreStatus.Ok : KeyStoreStatus.NotFound)));

    public Task<KeyStoreResult> CountStoredKeys(KeyAccess access) =>
        Authorized(access, () => Task.FromResult(new KeyStoreResult(KeyStoreStatus.Ok, Count: Commit.Durable.KeyCount)));

    /// <summary>Runs <paramref name="call"/> for a caller with one of the customer's authenticators; 401 for any other.</summary>
    private Task<KeyStoreResult> Authorized(KeyAccess access, Func<Task<KeyStoreResult>> call)
    {
        if (MintRules.Authenticated(Commit.Current, access.Environment, access.SecretHash)) return call();
        if (!Commit.Current.Exists) Unknown();
        return Task.FromResult(new KeyStoreResult(KeyStoreStatus.Unauthorized));
    }

    /// <summary>
    /// One change of a KID at a time: each reads whether the KID is stored, then writes the count with it, so two
    /// creates of one KID count it once. Changes of other KIDs run meanwhile and share the group commit's writes.
    /// </summary>
    private async Task<T> ChangingKey<T>(byte[] kid, Func<Task<T>> change)
    {
        var hex = Kid.ToHex(kid);
        while (_keyChanges.TryGetValue(hex, out var running))
        {
            try
            {
                await running;
            }
            catch
            {
                // That change's caller has its failure; this one goes on.
            }
        }
        var changing = change();
        _keyChanges[hex] = changing;
        try
        {
            return await changing;
        }
        finally
        {
            if (_keyChanges.TryGetValue(hex, out var last) && last == changing) _keyChanges.Remove(hex);
        }
    }

    /// <summary>
    /// Stores <paramref name="fields"/> over <paramref name="current"/> (null: a new key, counted); false, writing
    /// nothing, when a new key would pass the most a customer may hold.
    /// </summary>
    private async Task<bool> StoreKey(byte[] kid, StoredKey? current, KeyFields fields)
    {
        var stored = Keys.Seal(kid, current, fields, clock.GetUtcNow());
        var written = await Commit.Submit(account =>
        {
            if (current is not null) return new Change<bool>(account, true, [ContentKeys.Row(stored)]);
            if (account.KeyCount >= keyStorage.MaxKeysPerCustomer) return Change<bool>.None(false);
            return new Change<bool>(account with { KeyCount = account.KeyCount + 1 }, true, [ContentKeys.Row(stored)]);
        });
        if (written) Keys.Written(kid, stored);
        return written;
    }

    private async Task<bool> RemoveKey(byte[] kid)
    {
        await Commit.Submit(account => new Change<bool>(account with { KeyCount = account.KeyCount - 1 }, true,
            [GrainRow.Deleted(StoredKey.Kind, Kid.ToHex(kid), clock.GetUtcNow())]));
        Keys.Written(kid, null);
        return true;
    }

    private Task<CustomerView> Change(Func<CustomerState, CustomerState> change) =>
        Commit.Submit(account =>
        {
            var next = change(Existing(account));
            return new Change<CustomerView>(next, View(next));
        });

    private CustomerState Existing(CustomerState account)
    {
        if (account.Exists) return account;
        Unknown();
        throw new AccountException($"customer {CustomerId} does not exist");
    }

    /// <summary>
    /// A call for a customer that does not exist leaves no activation behind: once idle it goes, so that calls with
    /// made-up customer ids cost their reads but no lasting memory (issue 9).
    /// </summary>
    private void Unknown() => DeactivateOnIdle();

    private (IssuedAuthenticator Issued, StoredAuthenticator Stored) NewAuthenticator(TokenEnvironment environment, DateTimeOffset now)
    {
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
        var (secret, hash) = Authenticator.NewSecret();
        return (new IssuedAuthenticator(id, environment, Authenticator.Format(CustomerId, secret)),
                new StoredAuthenticator(id, environment, hash, now));
    }

    private CustomerView View(CustomerState account) => new(
        CustomerId,
        account.Enabled,
        account.Options,
        account.ProductionBalance,
        account.TestBalance,
        [.. account.Authenticators.Select(a => new AuthenticatorView(a.Id, a.Environment, a.CreatedAt))],
        account.MaxMintsPerSecond);
}
