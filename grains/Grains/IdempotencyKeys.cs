using System.IO.Hashing;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Orleans.Storage;

namespace Orleans.Tokens.Grains;

/// <summary>
/// The idempotency keys of one customer activation (contract section 11). A key is answered from its
/// <see cref="IdempotencyRecord"/> while the record is live: from this activation's memory when it wrote or read
/// the record recently, else from the record's row; a key whose first request is still being decided here is
/// refused with -9003. Otherwise the mint is decided and its record appended to the same write as the debit; at
/// most every <see cref="PurgeEvery"/> that write also deletes the customer's expired rows.
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
/// up, and a record not found (a collision) is a new key too.
/// </para>
/// </summary>
internal sealed class IdempotencyKeys(IGrainRows rows, GrainId grainId, TimeProvider clock)
{
    /// <summary>Records kept in memory for retries that come soon; older ones are read from their rows again.</summary>
    public const int Remembered = 16;

    /// <summary>
    /// How often a write that records a key also deletes the customer's expired rows: at most this often per
    /// activation, so the customer keeps no more than the window and this of records.
    /// </summary>
    public static readonly TimeSpan PurgeEvery = TimeSpan.FromHours(1);

    private readonly Dictionary<string, IdempotencyRecord> _records = new(StringComparer.Ordinal);
    private readonly Queue<string> _order = new();
    private readonly HashSet<string> _deciding = new(StringComparer.Ordinal);

    /// <summary>The live keys' hashes with their expiry (UTC ticks): a hash not here has no live record. Bounded by the window.</summary>
    private readonly Dictionary<ulong, long> _live = [];
    private readonly PriorityQueue<ulong, long> _expiring = new();
    private readonly long _seed = Random.Shared.NextInt64();
    private DateTimeOffset? _purged;
    private int _generation = 1;
    private int _loaded;
    private Task? _loading;

    /// <summary>Another activation may have written records: the keys are read again before the next keyed mint.</summary>
    public void Stale() => _generation++;

    /// <summary>
    /// Answers a keyed mint: the first answer again (nothing debited), -9002 for other parameters, -9003 while the
    /// first is undecided, or, when the key is new or its record expired, what <paramref name="submit"/> answers.
    /// <paramref name="submit"/> decides the mint through the group commit, passing each debit it decides through
    /// the function it is given, which appends the key's record to that debit's write.
    /// </summary>
    public async Task<MintResult> Mint(
        MintRequest request, MintIdempotency keyed, Func<Func<Change<MintResult>, Change<MintResult>>, Task<MintResult>> submit)
    {
        if (!_deciding.Add(keyed.Key)) return MintResult.Refused(ErrorCode.IdempotencyKeyInProgress);
        try
        {
            var now = clock.GetUtcNow();
            await Loaded();
            var generation = _loaded;
            Expire(now);
            if (await Find(keyed.Key, now) is { } first) return Replay(first, request, keyed);
            IdempotencyRecord? recorded = null;
            var result = await submit(debit =>
            {
                // Decided again after a failed write: the last decision is the one written.
                recorded = null;
                if (debit.State is null) return debit;
                if (generation != _generation) throw new StorageUnavailableException("idempotency keys are being read again");
                recorded = new IdempotencyRecord(keyed.Fingerprint, keyed.TokenId, keyed.IssuedAt, now,
                    KeyWrap.Wrap(keyed.RecordKey, [.. debit.Result.ContentKeysFor(request).SelectMany(key => key)]));
                var row = new GrainRow(IdempotencyRecord.Kind, keyed.Key, recorded, now, now + IdempotencyRecord.Window);
                var purge = _purged is not { } purged || now - purged >= PurgeEvery;
                if (purge) _purged = now;
                return debit with
                {
                    State = purge ? debit.State with { PurgeExpiredBefore = now } : debit.State,
                    Result = debit.Result with { TokenId = keyed.TokenId, IssuedAt = keyed.IssuedAt },
                    Appends = [row],
                };
            });
            if (recorded is not null)
            {
                Live(keyed.Key, now + IdempotencyRecord.Window);
                Remember(keyed.Key, recorded);
            }
            return result;
        }
        finally
        {
            _deciding.Remove(keyed.Key);
        }
    }

    /// <summary>Completes once the keys read are no older than the last <see cref="Stale"/>.</summary>
    private Task Loaded()
    {
        if (_loaded == _generation) return Task.CompletedTask;
        if (_loading is not { IsCompleted: false }) _loading = Load();
        return _loading;
    }

    /// <summary>
    /// Adds the stored keys to those known (never drops one: a key only goes when it expires). An expiry is stored
    /// to the millisecond, rounded down: the key counts as live for that millisecond more, and its record decides.
    /// </summary>
    private async Task Load()
    {
        while (_loaded != _generation)
        {
            var generation = _generation;
            foreach (var (key, expires) in await rows.Keys(grainId, IdempotencyRecord.Kind))
            {
                if (expires is { } at) Live(key, at.AddMilliseconds(1));
            }
            _loaded = generation;
        }
    }

    private void Live(string key, DateTimeOffset expires)
    {
        var hash = Hash(key);
        var ticks = expires.UtcTicks;
        if (_live.TryGetValue(hash, out var known) && known >= ticks) return;
        // A later expiry is a newer record (another activation's, once the key had expired): not the one remembered.
        _records.Remove(key);
        _live[hash] = ticks;
        _expiring.Enqueue(hash, ticks);
    }

    private void Expire(DateTimeOffset now)
    {
        while (_expiring.TryPeek(out var hash, out var expires) && expires <= now.UtcTicks)
        {
            _expiring.Dequeue();
            if (_live.TryGetValue(hash, out var known) && known == expires) _live.Remove(hash);
        }
    }

    private async Task<IdempotencyRecord?> Find(string key, DateTimeOffset now)
    {
        if (!_live.ContainsKey(Hash(key))) return null;
        if (!_records.TryGetValue(key, out var record))
        {
            record = await rows.Find(grainId, IdempotencyRecord.Kind, key) as IdempotencyRecord;
            if (record is null) return null;
            Remember(key, record);
        }
        return record.IsLive(now) ? record : null;
    }

    private ulong Hash(string key) => XxHash3.HashToUInt64(MemoryMarshal.AsBytes(key.AsSpan()), _seed);

    /// <summary>The first answer again: the record holds every content key; those the request gives are not echoed.</summary>
    private static MintResult Replay(IdempotencyRecord first, MintRequest request, MintIdempotency keyed)
    {
        var contentKeys = CryptographicOperations.FixedTimeEquals(first.Fingerprint, keyed.Fingerprint)
            ? KeyWrap.Unwrap(keyed.RecordKey, first.WrappedContentKey)?.Chunk(16).ToArray()
            : null;
        return contentKeys is null
            ? MintResult.Refused(ErrorCode.IdempotencyKeyReused)
            : new MintResult(ErrorCode.None, contentKeys[0], first.TokenId, first.IssuedAt, Replayed: true,
                MoreContentKeys: contentKeys.Length > 1 ? contentKeys[1..] : null).WithoutKeysOf(request);
    }

    private void Remember(string key, IdempotencyRecord record)
    {
        if (_records.TryAdd(key, record)) _order.Enqueue(key);
        else _records[key] = record;
        while (_records.Count > Remembered) _records.Remove(_order.Dequeue());
    }
}
