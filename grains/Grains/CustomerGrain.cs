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
public sealed partial class CustomerGrain(
    [PersistentState("customer", StorageNames.Customers)] IPersistentState<CustomerState> state,
    [PersistentState("usage", StorageNames.Customers)] IPersistentState<UsageHistory> usage,
    [FromKeyedServices(CustomerGrain.ClockKey)] TimeProvider clock,
    [FromKeyedServices(StorageNames.Customers)] IGrainRows rows,
    KeyStorageOptions keyStorage,
    RedemptionOptions redemption,
    BalanceMetrics balances,
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
        if (_balanceSeries) balances.Remove(CustomerId);
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
        if (_balanceSeries) balances.Update(CustomerId, durable.ProductionBalance, durable.TestBalance);
        else if (!_balanceDropped)
        {
            _balanceSeries = balances.TryAdd(CustomerId, durable.ProductionBalance, durable.TestBalance);
            _balanceDropped = !_balanceSeries;
        }
    }

    public Task<ImmutableArray<UsageDay>> Usage(DateOnly? since) => Task.FromResult(
        usage.State.With(Existing(Commit.Durable)).Where(day => since is null || day.Day >= since).ToImmutableArray());

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
