namespace Orleans.Tokens;

/// <summary>
/// What the grain needs to decide a mint. The gateway sends the SHA-256 of the authenticator secret, never the
/// secret; <see cref="ContentKey"/> is null when the key is to come from the customer's key storage.
/// <see cref="Idempotency"/> is null for a mint without an idempotency key.
/// </summary>
[GenerateSerializer, Immutable, Alias("Orleans.Tokens.MintRequest")]
public sealed record MintRequest(
    [property: Id(0)] TokenEnvironment Environment,
    [property: Id(1)] byte[] SecretHash,
    [property: Id(2)] Drm Drm,
    [property: Id(3)] byte[] Kid,
    [property: Id(4)] byte[]? ContentKey,
    [property: Id(5)] MintIdempotency? Idempotency = null);

/// <summary>
/// The refusal code, or <see cref="ErrorCode.None"/> with the content key the token must carry. For a keyed mint,
/// <see cref="TokenId"/> and <see cref="IssuedAt"/> are the token's (the first request's, on a replay) and
/// <see cref="Replayed"/> says that the answer is the first one's again and nothing was debited.
/// </summary>
[GenerateSerializer, Immutable, Alias("Orleans.Tokens.MintResult")]
public sealed record MintResult(
    [property: Id(0)] ErrorCode Code,
    [property: Id(1)] byte[]? ContentKey,
    [property: Id(2)] string? TokenId = null,
    [property: Id(3)] DateTimeOffset? IssuedAt = null,
    [property: Id(4)] bool Replayed = false,
    [property: Id(5)] TimeSpan? RetryAfter = null)
{
    public static MintResult Refused(ErrorCode code) => new(code, null);

    /// <summary>-9010: the customer's mint rate limit; the next mint is allowed after <paramref name="retryAfter"/>.</summary>
    public static MintResult TooManyRequests(TimeSpan retryAfter) => new(ErrorCode.TooManyRequests, null, RetryAfter: retryAfter);
}
