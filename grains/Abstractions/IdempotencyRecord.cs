namespace Orleans.Tokens;

/// <summary>
/// The record of an idempotency key (contract section 11), kept in a <see cref="GrainRow"/> of kind
/// <see cref="Kind"/> written with the debit. It never holds the content key in the clear: only wrapped (RFC 3394)
/// under the request's <see cref="MintIdempotency.RecordKey"/>, which is derived from the request's parameters and
/// never stored, so only a request with the same parameters can unwrap it.
/// </summary>
/// <param name="Fingerprint">SHA-256 over the first request's parameters (<see cref="MintIdempotency.Fingerprint"/>).</param>
/// <param name="RecordedAt">When the debit was decided, by the grain's clock: the 24-hour window starts here.</param>
/// <param name="WrappedContentKey">The token's content keys, 16 bytes each in the token's order, wrapped as one.</param>
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
}

/// <summary>
/// The idempotency part of a keyed mint. <see cref="Key"/> is the key as unquoted (1–255 printable ASCII
/// characters); <see cref="Fingerprint"/> and <see cref="RecordKey"/> are two different SHA-256 digests of the
/// request's parameters (names and values, <c>errorFormat</c> and <c>requestId</c> aside, with the DRM and the
/// environment), 32 bytes each; <see cref="TokenId"/> and <see cref="IssuedAt"/> are what the token gets if this
/// request is the first with its key.
/// </summary>
[GenerateSerializer, Immutable, Alias("Orleans.Tokens.MintIdempotency")]
public sealed record MintIdempotency(
    [property: Id(0)] string Key,
    [property: Id(1)] byte[] Fingerprint,
    [property: Id(2)] byte[] RecordKey,
    [property: Id(3)] string TokenId,
    [property: Id(4)] DateTimeOffset IssuedAt);
