using System.IO.Hashing;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Orleans.Storage;

namespace Orleans.Tokens.Grains;

/// <summary>
/// The idempotency keys of one customer activation (contract section 11). A key is answered from its
/// <see cref="IdempotencyRecord"/>, read from its row, while the record is live; a key whose first request is still
/// being decided here is refused with -9003. Otherwise the mint is decided and its record appended to the same
/// write as the debit; at most every <see cref="PurgeEvery"/> that write also deletes the customer's expired rows.
/// <para>
/// A new key costs no read: on its first keyed mint the activation reads the keys and expiry of the customer's live
/// records in one go, and adds every record it writes, so a key it does not know is new. Only this activation writes
/// the customer's state meanwhile: another's write (the only way a record it does not know can appear, as records
/// are written only with the state) fails this activation's next write on the version, and the group commit reads
/// the state back. Every read-back makes the keys <see cref="Stale"/>: they are read again before the next keyed
/// mint, and a mint decided on stale keys is refused with <see cref="StorageUnavailableException"/> (-2030, nothing
/// debited) whenever it is decided again; its retry finds the key.
/// </para>
/// <para>
/// The live keys are kept as 64-bit hashes (XxHash3, seeded per activation) with their expiry, in structs only:
/// a day of keys costs the garbage collector nothing to trace. A hash not known is a new key; a known hash is looked
/// up, and a record not found (a collision) is a new key too. No record is kept in memory: a retry is rare, and a
/// record held for one would outlive the young generation and be copied by every collection until it went.
/// </para>
/// </summary>
internal sealed class IdempotencyKeys(IGrainRows rows, GrainId grainId, TimeProvider clock)
{
    /// <summary>
    /// How often a write that records a key also deletes the customer's expired rows: at most this often per
    /// activation, so the customer keeps no more than the window and this of records.
    /// </summary>
    public static readonly TimeSpan PurgeEvery = TimeSpan.FromHours(1);

    private readonly HashSet<string> _deciding = new(StringComparer.Ordinal);

    /// <summary>
    /// The live keys' hashes: a hash not here has no live record. Bounded by the window: a key written here expires
    /// after every key before it; keys read from storage may go in out of order, and a record read when its key comes
    /// again says whether it expired.
    /// </summary>
    private readonly ExpiringHashes _live = new();
    private readonly long _seed = Random.Shared.NextInt64();
    private DateTimeOffset? _purged;
    private RowsRead? _rowsRead;

    /// <summary>Another activation may have written records: the keys are read again before the next keyed mint.</summary>
    public void Stale() => Read.Stale();

    /// <summary>
    /// Answers a keyed mint: the first answer again (nothing debited), -9002 for other parameters, -9003 while the
    /// first is undecided, or, when the key is new or its record expired, what <paramref name="submit"/> answers.
    /// <paramref name="submit"/> decides the mint through the group commit, passing each debit it decides through
    /// the function it is given, which appends the key's record to that debit's write, and runs the action it is
    /// given once the mint is settled (<see cref="GroupCommit.Submit"/>). A key that is new to keys already read, the
    /// usual case, goes to <paramref name="submit"/> at once: its answer is the group commit's, with no turn of its own.
    /// </summary>
    public Task<MintResult> Mint(MintRequest request, MintIdempotency keyed, SubmitKeyed submit)
    {
        if (!_deciding.Add(keyed.Key)) return Task.FromResult(MintResult.Refused(ErrorCode.IdempotencyKeyInProgress));
        var now = clock.GetUtcNow();
        var hash = Hash(keyed.Key);
        if (Read.Current().IsCompletedSuccessfully)
        {
            _live.Expire(now);
            if (!_live.Contains(hash, now)) return Decide(request, keyed, hash, now, submit);
        }
        return FindThenDecide(request, keyed, hash, now, submit);
    }

    /// <summary>A keyed mint that waits for the stored keys, or whose key may have a record: that is read first.</summary>
    private async Task<MintResult> FindThenDecide(
        MintRequest request, MintIdempotency keyed, ulong hash, DateTimeOffset now, SubmitKeyed submit)
    {
        try
        {
            await Read.Current();
            _live.Expire(now);
            if (await Find(hash, keyed.Key, now) is { } first)
            {
                _deciding.Remove(keyed.Key);
                return Replay(first, request, keyed);
            }
        }
        catch
        {
            _deciding.Remove(keyed.Key);
            throw;
        }
        return await Decide(request, keyed, hash, now, submit);
    }

    /// <summary>Decides a mint whose key has no live record, its record appended to the debit's write.</summary>
    private Task<MintResult> Decide(MintRequest request, MintIdempotency keyed, ulong hash, DateTimeOffset now, SubmitKeyed submit)
    {
        var generation = Read.Generation;
        var recorded = false;
        return submit(debit =>
        {
            // Decided again after a failed write: the last decision is the one written.
            recorded = false;
            if (debit.State is null) return debit;
            if (!Read.IsCurrent(generation)) throw new StorageUnavailableException("idempotency keys are being read again");
            var record = new IdempotencyRecord(keyed.Fingerprint, keyed.TokenId, keyed.IssuedAt, now,
                IdempotencyRecord.WrapStoredKeys(keyed.RecordKey, debit.Result, request));
            var row = new GrainRow(IdempotencyRecord.Kind, keyed.Key, record.ToRow(), now, now + IdempotencyRecord.Window);
            var purge = _purged is not { } purged || now - purged >= PurgeEvery;
            if (purge) _purged = now;
            recorded = true;
            return debit with
            {
                State = purge ? debit.State with { PurgeExpiredBefore = now } : debit.State,
                Result = debit.Result with { TokenId = keyed.TokenId, IssuedAt = keyed.IssuedAt },
                Appends = [row],
            };
        }, () =>
        {
            _deciding.Remove(keyed.Key);
            // Known whether or not its write landed: a hash with no record costs its next mint one read, and no more.
            if (recorded) _live.Add(hash, now + IdempotencyRecord.Window);
        });
    }

    /// <summary>
    /// Adds the stored keys to those known (never drops one: a key only goes when it expires). An expiry is stored
    /// to the millisecond, rounded down: the key counts as live for that millisecond more, and its record decides.
    /// </summary>
    private async Task ReadKeys()
    {
        foreach (var (key, expires) in await rows.Keys(grainId, IdempotencyRecord.Kind))
        {
            if (expires is { } at) _live.Add(Hash(key), at.AddMilliseconds(1));
        }
    }

    /// <summary>The stored keys, read before the first keyed mint and after every <see cref="Stale"/>.</summary>
    private RowsRead Read => _rowsRead ??= new RowsRead(ReadKeys);

    private async ValueTask<IdempotencyRecord?> Find(ulong hash, string key, DateTimeOffset now) =>
        _live.Contains(hash, now) && IdempotencyRecord.FromRow(await rows.Find(grainId, IdempotencyRecord.Kind, key)) is { } record
            && record.IsLive(now)
            ? record
            : null;

    private ulong Hash(string key) => XxHash3.HashToUInt64(MemoryMarshal.AsBytes(key.AsSpan()), _seed);

    /// <summary>The first answer again, with the content keys key storage gave it; those the request gives are not echoed.</summary>
    private static MintResult Replay(IdempotencyRecord first, MintRequest request, MintIdempotency keyed) =>
        CryptographicOperations.FixedTimeEquals(first.Fingerprint, keyed.Fingerprint)
            && first.StoredKeys(keyed.RecordKey, request) is { } contentKeys
            ? new MintResult(ErrorCode.None, contentKeys[0], first.TokenId, first.IssuedAt, Replayed: true,
                MoreContentKeys: contentKeys.Length > 1 ? contentKeys[1..] : null)
            : MintResult.Refused(ErrorCode.IdempotencyKeyReused);
}

/// <summary>
/// Decides a keyed mint through the group commit: each debit decided goes through the function given (which appends
/// the key's record), and the action given runs once the mint is settled, however it ends.
/// </summary>
internal delegate Task<MintResult> SubmitKeyed(Func<Change<MintResult>, Change<MintResult>> record, Action settled);
