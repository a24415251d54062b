using System.Buffers.Binary;
using System.Text;

namespace Orleans.Tokens;

/// <summary>
/// The record of an idempotency key (contract section 11), kept in a <see cref="GrainRow"/> of kind
/// <see cref="Kind"/> written with the debit (in the form of <see cref="ToRow"/>). It never holds the content key in the clear: only wrapped (RFC 3394)
/// under the request's <see cref="MintIdempotency.RecordKey"/>, which is derived from the request's parameters and
/// never stored, so only a request with the same parameters can unwrap it.
/// </summary>
/// <param name="Fingerprint">SHA-256 over the first request's parameters (<see cref="MintIdempotency.Fingerprint"/>).</param>
/// <param name="RecordedAt">When the debit was decided, by the grain's clock: the 24-hour window starts here.</param>
/// <param name="WrappedContentKey">
/// The content keys that key storage gave the token (those the request left to it: kid-only), 16 bytes each in the
/// token's order, wrapped as one; empty when the request gave every key, as its retry gives them again. Records
/// written before 2026-11-30 wrap every key of the token; <see cref="StoredKeys"/> reads both.
/// </param>
[GenerateSerializer, Immutable, Alias("Orleans.Tokens.IdempotencyRecord")]
public sealed record IdempotencyRecord(
    [property: Id(0)] byte[] Fingerprint,
    [property: Id(1)] string TokenId,
    [property: Id(2)] DateTimeOffset IssuedAt,
    [property: Id(3)] DateTimeOffset RecordedAt,
    [property: Id(4)] byte[] WrappedContentKey)
{
    /// <summary>The <see cref="GrainRow.Kind"/> of idempotency records.</summary>
    public const string Kind = "idempotency";

    /// <summary>How long a key is remembered (section 11).</summary>
    public static readonly TimeSpan Window = TimeSpan.FromHours(24);

    /// <summary>True while <paramref name="now"/> is within <see cref="Window"/> of <see cref="RecordedAt"/>.</summary>
    public bool IsLive(DateTimeOffset now) => now - RecordedAt < Window;

    private const byte RowVersion = 1;
    private const int FingerprintLength = 32;

    /// <summary>
    /// The record as its row holds it, written with every keyed debit, so without a general serializer:
    /// <c>1 | fingerprint(32) | tokenIdLength(1) | tokenId (UTF-8) | issuedAt(8) | recordedAt(8) | wrapped keys</c>,
    /// the times as UTC ticks, big-endian.
    /// </summary>
    /// <exception cref="ArgumentException">A fingerprint that is not 32 bytes, or a token id over 255 bytes.</exception>
    public byte[] ToRow()
    {
        var tokenId = Encoding.UTF8.GetBytes(TokenId);
        if (Fingerprint.Length != FingerprintLength || tokenId.Length > byte.MaxValue)
            throw new ArgumentException("an idempotency record holds a 32-byte fingerprint and a token id of at most 255 bytes");
        var row = new byte[1 + FingerprintLength + 1 + tokenId.Length + 16 + WrappedContentKey.Length];
        row[0] = RowVersion;
        Fingerprint.CopyTo(row, 1);
        var at = 1 + FingerprintLength;
        row[at++] = (byte)tokenId.Length;
        tokenId.CopyTo(row, at);
        at += tokenId.Length;
        BinaryPrimitives.WriteInt64BigEndian(row.AsSpan(at), IssuedAt.UtcTicks);
        BinaryPrimitives.WriteInt64BigEndian(row.AsSpan(at + 8), RecordedAt.UtcTicks);
        WrappedContentKey.CopyTo(row, at + 16);
        return row;
    }

    /// <summary>
    /// The record a row holds: the form of <see cref="ToRow"/>, or the record itself as rows written before
    /// 2026-11-30 hold it; null for anything else.
    /// </summary>
    public static IdempotencyRecord? FromRow(object? value)
    {
        if (value is IdempotencyRecord record) return record;
        if (value is not byte[] row || row.Length < 1 + FingerprintLength + 1 || row[0] != RowVersion) return null;
        var at = 1 + FingerprintLength;
        var tokenIdLength = row[at++];
        if (row.Length < at + tokenIdLength + 16) return null;
        var tokenId = Encoding.UTF8.GetString(row, at, tokenIdLength);
        at += tokenIdLength;
        var issuedAt = new DateTimeOffset(BinaryPrimitives.ReadInt64BigEndian(row.AsSpan(at)), TimeSpan.Zero);
        var recordedAt = new DateTimeOffset(BinaryPrimitives.ReadInt64BigEndian(row.AsSpan(at + 8)), TimeSpan.Zero);
        return new IdempotencyRecord(row[1..(1 + FingerprintLength)], tokenId, issuedAt, recordedAt, row[(at + 16)..]);
    }

    /// <summary>
    /// The <see cref="WrappedContentKey"/> of a first mint's <paramref name="result"/>: the keys that
    /// <paramref name="request"/> left to key storage, wrapped (RFC 3394) under <paramref name="recordKey"/>.
    /// </summary>
    public static byte[] WrapStoredKeys(byte[] recordKey, MintResult result, MintRequest request)
    {
        if (!request.LeavesKeysToStorage) return [];
        byte[] stored = [.. request.Keys.Zip(result.ContentKeysFor(request))
            .Where(pair => pair.First.ContentKey is null).SelectMany(pair => pair.Second)];
        return KeyWrap.Wrap(recordKey, stored);
    }

    /// <summary>
    /// The first mint's content keys for a <paramref name="request"/> with the same parameters, by the token's key
    /// order: the 16-byte key where key storage gave it, null where the request gives it. Null when the keys do not
    /// unwrap under <paramref name="recordKey"/> (so the parameters were not the first request's).
    /// </summary>
    public byte[]?[]? StoredKeys(byte[] recordKey, MintRequest request)
    {
        var given = request.Keys.Select(key => key.ContentKey is not null).ToArray();
        var stored = given.Count(gives => !gives);
        // The request gives every key: the fingerprint matched, and there is nothing to unwrap.
        if (stored == 0) return new byte[]?[given.Length];
        var keys = KeyWrap.Unwrap(recordKey, WrappedContentKey)?.Chunk(16).ToArray();
        // A record of the earlier form holds every key of the token, the given ones too: those are skipped.
        var everyKey = keys?.Length == given.Length && keys.Length != stored;
        if (keys is null || (keys.Length != stored && !everyKey)) return null;
        var answer = new byte[]?[given.Length];
        for (int index = 0, next = 0; index < given.Length; index++)
        {
            if (!given[index]) answer[index] = keys[everyKey ? index : next++];
        }
        return answer;
    }
}

/// <summary>
/// The idempotency part of a keyed mint. <see cref="Key"/> is the key as unquoted (1–255 printable ASCII
/// characters); <see cref="Fingerprint"/> and <see cref="RecordKey"/> are two different SHA-256 digests of the
/// request's parameters (names and values, <c>errorFormat</c> and <c>requestId</c> aside, with the DRM and the
/// environment), 32 bytes each, <see cref="RecordKey"/> empty for a request that gives every content key (it wraps
/// only the keys that key storage gives); <see cref="TokenId"/> and <see cref="IssuedAt"/> are what the token gets
/// if this request is the first with its key.
/// </summary>
[GenerateSerializer, Immutable, Alias("Orleans.Tokens.MintIdempotency")]
public sealed record MintIdempotency(
    [property: Id(0)] string Key,
    [property: Id(1)] byte[] Fingerprint,
    [property: Id(2)] byte[] RecordKey,
    [property: Id(3)] string TokenId,
    [property: Id(4)] DateTimeOffset IssuedAt);
