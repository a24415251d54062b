using System.Security.Cryptography;

namespace Orleans.Tokens.Grains;

/// <summary>
/// The idempotency keys of one customer activation (contract section 11). A key is answered from its
/// <see cref="IdempotencyRecord"/> while the record is live: from this activation's memory when it wrote or read
/// the record, else from the record's row (another activation, or one before a restart, wrote it); a key whose
/// first request is still being decided here is refused with -9003. Otherwise the mint is decided and its record
/// appended to the same write as the debit.
/// </summary>
internal sealed class IdempotencyKeys(IGrainRows rows, GrainId grainId, TimeProvider clock)
{
    /// <summary>Records kept in memory; older ones are looked up in their rows again.</summary>
    public const int Remembered = 10_000;

    private readonly Dictionary<string, IdempotencyRecord> _records = new(StringComparer.Ordinal);
    private readonly Queue<string> _order = new();
    private readonly HashSet<string> _deciding = new(StringComparer.Ordinal);

    /// <summary>
    /// Answers a keyed mint: the first answer again (nothing debited), -9002 for other parameters, -9003 while the
    /// first is undecided, or, when the key is new or its record expired, what <paramref name="submit"/> answers.
    /// <paramref name="submit"/> decides the mint through the group commit, passing each debit it decides through
    /// the function it is given, which appends the key's record to that debit's write.
    /// </summary>
    public async Task<MintResult> Mint(
        MintIdempotency keyed, Func<Func<Change<MintResult>, Change<MintResult>>, Task<MintResult>> submit)
    {
        if (!_deciding.Add(keyed.Key)) return MintResult.Refused(ErrorCode.IdempotencyKeyInProgress);
        try
        {
            var now = clock.GetUtcNow();
            if (await Find(keyed.Key, now) is { } first) return Replay(first, keyed);
            IdempotencyRecord? recorded = null;
            var result = await submit(debit =>
            {
                // Decided again after a failed write: the last decision is the one written.
                recorded = null;
                if (debit.State is null) return debit;
                recorded = new IdempotencyRecord(keyed.Fingerprint, keyed.TokenId, keyed.IssuedAt, now,
                    KeyWrap.Wrap(keyed.RecordKey, debit.Result.ContentKey!));
                var row = new GrainRow(IdempotencyRecord.Kind, keyed.Key, recorded, now, now + IdempotencyRecord.Window);
                return debit with
                {
                    Result = debit.Result with { TokenId = keyed.TokenId, IssuedAt = keyed.IssuedAt },
                    Appends = [row],
                };
            });
            if (recorded is not null) Remember(keyed.Key, recorded);
            return result;
        }
        finally
        {
            _deciding.Remove(keyed.Key);
        }
    }

    private async Task<IdempotencyRecord?> Find(string key, DateTimeOffset now)
    {
        if (!_records.TryGetValue(key, out var record))
        {
            record = await rows.Find(grainId, IdempotencyRecord.Kind, key) as IdempotencyRecord;
            if (record is null) return null;
            Remember(key, record);
        }
        return record.IsLive(now) ? record : null;
    }

    private static MintResult Replay(IdempotencyRecord first, MintIdempotency keyed)
    {
        var contentKey = CryptographicOperations.FixedTimeEquals(first.Fingerprint, keyed.Fingerprint)
            ? KeyWrap.Unwrap(keyed.RecordKey, first.WrappedContentKey)
            : null;
        return contentKey is null
            ? MintResult.Refused(ErrorCode.IdempotencyKeyReused)
            : new MintResult(ErrorCode.None, contentKey, first.TokenId, first.IssuedAt, Replayed: true);
    }

    private void Remember(string key, IdempotencyRecord record)
    {
        if (_records.TryAdd(key, record)) _order.Enqueue(key);
        else _records[key] = record;
        while (_records.Count > Remembered) _records.Remove(_order.Dequeue());
    }
}
