using System.IO.Hashing;
using System.Runtime.InteropServices;

namespace Orleans.Tokens.Grains;

/// <summary>
/// The redemptions of one customer activation (contract section 8): what refuses a verified token, the single-use
/// tokens used up, and the records.
/// <para>
/// Revoked and used-up tokens are rows of their own (kinds <see cref="RevokedKind"/> and <see cref="UsedKind"/>,
/// keyed by token id, expiring when no token of theirs can still be valid), written with the state. The activation
/// knows them as 64-bit hashes (XxHash3, seeded per activation), read in one go before its first redemption and
/// again after every read-back of the state (<see cref="Stale"/>), as <see cref="IdempotencyKeys"/> does; a hash
/// collision would refuse a good token, at odds of one in 2^64 per token known.
/// </para>
/// <para>
/// A single-use token is held for the redemption that started with it, in this activation's memory, until that
/// redemption ends or the hold lapses. It is used up only by the durable write of the redemption that issued its
/// license, and that write is refused when another redemption used it first, so however the cluster's activations
/// and silos come and go, at most one redemption answers a license: a second activation of the customer can write
/// only by failing this one's next write (the state's version), after which the rows are read again.
/// </para>
/// </summary>
internal sealed class Redemptions(IGrainRows rows, GrainId grainId, TimeProvider clock, RedemptionOptions options)
{
    /// <summary>The <see cref="GrainRow.Kind"/> of revoked tokens (<c>admin token revoke</c>).</summary>
    public const string RevokedKind = "token-revoked";

    /// <summary>The <see cref="GrainRow.Kind"/> of single-use tokens used up.</summary>
    public const string UsedKind = "token-used";

    /// <summary>A token is valid at most this long after issue, so a revocation or a use need not be kept longer.</summary>
    public static readonly TimeSpan LongestTokenLife = TimeSpan.FromDays(TokenPayload.LongestLifeDays);

    private readonly ExpiringHashes _revoked = new();
    private readonly ExpiringHashes _used = new();
    private readonly Dictionary<string, (Guid Hold, DateTimeOffset Until)> _held = new(StringComparer.Ordinal);
    private readonly long _seed = Random.Shared.NextInt64();
    private DateTimeOffset? _purged;
    private RowsRead? _rowsRead;

    /// <summary>Another activation may have written rows: they are read again before the next redemption.</summary>
    public void Stale() => Read.Stale();

    /// <summary>Starts a redemption against <paramref name="account"/> (<see cref="ICustomerGrain.StartRedemption"/>).</summary>
    public async Task<RedemptionStart> Start(Func<CustomerState> account, RedemptionTicket ticket, bool hold)
    {
        await Read.Current();
        var now = clock.GetUtcNow();
        _revoked.Expire(now);
        _used.Expire(now);
        if (Refusal(account(), ticket, now) is not RedemptionRefusal.None and var refusal) return new(refusal, Guid.Empty);
        if (!ticket.SingleUse || !hold) return new(RedemptionRefusal.None, Guid.Empty);
        if (_held.TryGetValue(ticket.TokenId, out var held) && held.Until > now) return new(RedemptionRefusal.AlreadyUsed, Guid.Empty);
        var taken = RandomBytes.NewGuid();
        _held[ticket.TokenId] = (taken, now + options.Hold);
        return new(RedemptionRefusal.None, taken);
    }

    /// <summary>
    /// Ends a redemption (<see cref="ICustomerGrain.EndRedemption"/>). <paramref name="submit"/> is the group commit's:
    /// the record, and the use of a single-use token whose license was issued, go in the state's next write.
    /// </summary>
    public async Task<RedemptionRefusal> End(
        RedemptionTicket ticket, Guid hold, RedemptionRecord record, Func<Func<CustomerState, Change<RedemptionRefusal>>, Task<RedemptionRefusal>> submit)
    {
        var usesUp = ticket.SingleUse && record.Outcome == RedemptionOutcomes.Issued;
        try
        {
            await Read.Current();
            var generation = Read.Generation;
            var now = clock.GetUtcNow();
            var refusal = await submit(account =>
            {
                if (!Read.IsCurrent(generation)) throw new StorageUnavailableException("token rows are being read again");
                if (usesUp && (_used.Contains(Hash(ticket.TokenId), now) || HeldByAnother(ticket.TokenId, hold, now)))
                    return Change<RedemptionRefusal>.None(RedemptionRefusal.AlreadyUsed);
                // Dated by this grain's clock, which keeps the records' days.
                var recordRow = new GrainRow(RedemptionRecord.Kind, $"{now.UtcTicks:D19}.{RandomBytes.NewGuid():N}", record with { Time = now }, now, now + options.RecordLife);
                ImmutableArray<GrainRow> appends = usesUp
                    ? [recordRow, new GrainRow(UsedKind, ticket.TokenId, true, now, ticket.ExpiresAt)]
                    : [recordRow];
                return new Change<RedemptionRefusal>(Purged(account, now), RedemptionRefusal.None, appends);
            });
            if (usesUp && refusal == RedemptionRefusal.None) _used.Add(Hash(ticket.TokenId), ticket.ExpiresAt);
            return refusal;
        }
        finally
        {
            if (_held.TryGetValue(ticket.TokenId, out var held) && held.Hold == hold) _held.Remove(ticket.TokenId);
        }
    }

    /// <summary>Revokes a token (<see cref="ICustomerGrain.RevokeToken"/>) through <paramref name="submit"/>; false when it was revoked already.</summary>
    public async Task<bool> Revoke(string tokenId, Func<Func<CustomerState, Change<bool>>, Task<bool>> submit)
    {
        await Read.Current();
        var generation = Read.Generation;
        var now = clock.GetUtcNow();
        var until = now + LongestTokenLife;
        var revoked = await submit(account =>
        {
            if (!Read.IsCurrent(generation)) throw new StorageUnavailableException("token rows are being read again");
            if (_revoked.Contains(Hash(tokenId), now)) return Change<bool>.None(false);
            return new Change<bool>(account, true, [new GrainRow(RevokedKind, tokenId, true, now, until)]);
        });
        if (revoked) _revoked.Add(Hash(tokenId), until);
        return revoked;
    }

    /// <summary>The live records <paramref name="query"/> names, newest first.</summary>
    public async Task<ImmutableArray<RedemptionRecord>> Find(RecordsQuery query)
    {
        var now = clock.GetUtcNow();
        var live = (await rows.List(grainId, RedemptionRecord.Kind)).OfType<RedemptionRecord>()
            .Where(record => now - record.Time < options.RecordLife)
            .Reverse();
        if (query.Cookie is { } cookie) live = live.Where(record => record.Cookie == cookie);
        else if (query.TokenId is { } tokenId) live = live.Where(record => record.TokenId == tokenId);
        return [.. live.Skip(query.Start).Take(query.Length)];
    }

    /// <summary>Why the account refuses the token, revocations and use aside from holds: <see cref="RedemptionRefusal.None"/> when it does not.</summary>
    private RedemptionRefusal Refusal(CustomerState account, RedemptionTicket ticket, DateTimeOffset now)
    {
        if (!account.Exists || !account.Enabled || account.DisabledAt > ticket.IssuedAt) return RedemptionRefusal.Revoked;
        if (ticket.AuthenticatorTag is { } tag
            && account.RevokedAuthenticators.Any(revoked => revoked.Tag == tag && revoked.RevokedAt > ticket.IssuedAt))
            return RedemptionRefusal.Revoked;
        if (_revoked.Contains(Hash(ticket.TokenId), now)) return RedemptionRefusal.Revoked;
        if (ticket.SingleUse && _used.Contains(Hash(ticket.TokenId), now)) return RedemptionRefusal.AlreadyUsed;
        return RedemptionRefusal.None;
    }

    private bool HeldByAnother(string tokenId, Guid hold, DateTimeOffset now) =>
        _held.TryGetValue(tokenId, out var held) && held.Hold != hold && held.Until > now;

    /// <summary>The account, asking its write to delete expired rows (records past their days) at most hourly.</summary>
    private CustomerState Purged(CustomerState account, DateTimeOffset now) =>
        _purged is { } purged && now - purged < IdempotencyKeys.PurgeEvery
            ? account
            : account with { PurgeExpiredBefore = _purged = now };

    /// <summary>Adds the stored revoked and used-up tokens to those known (an expiry is stored to the millisecond, rounded down).</summary>
    private async Task ReadTokens()
    {
        foreach (var (set, kind) in new[] { (_revoked, RevokedKind), (_used, UsedKind) })
        {
            foreach (var (key, expires) in await rows.Keys(grainId, kind))
            {
                if (expires is { } at) set.Add(Hash(key), at.AddMilliseconds(1));
            }
        }
    }

    /// <summary>The stored tokens, read before the first redemption and after every <see cref="Stale"/>.</summary>
    private RowsRead Read => _rowsRead ??= new RowsRead(ReadTokens);

    private ulong Hash(string tokenId) => XxHash3.HashToUInt64(MemoryMarshal.AsBytes(tokenId.AsSpan()), _seed);
}
