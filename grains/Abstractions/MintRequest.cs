namespace Orleans.Tokens;

/// <summary>
/// What the grain needs to decide a mint. The gateway sends the SHA-256 of the authenticator secret, never the
/// secret. <see cref="Kid"/> and <see cref="ContentKey"/> are the token's first key (the only one of a plain
/// request), <see cref="MoreKeys"/> the rest of an indexed request's (section 14: <c>kid.1</c>…<c>kid.15</c>); a
/// content key is null when it is to come from the customer's key storage. <see cref="Idempotency"/> is null for a
/// mint without an idempotency key. <see cref="Kek"/> is a FairPlay mint's <c>kek</c> given with <c>kid</c> and no key
/// (section 12): it unwraps a stored key that key storage holds only wrapped under the customer's KEK.
/// </summary>
[GenerateSerializer, Immutable, Alias("Orleans.Tokens.MintRequest")]
public sealed record MintRequest(
    [property: Id(0)] TokenEnvironment Environment,
    [property: Id(1)] byte[] SecretHash,
    [property: Id(2)] Drm Drm,
    [property: Id(3)] byte[] Kid,
    [property: Id(4)] byte[]? ContentKey,
    [property: Id(5)] MintIdempotency? Idempotency = null,
    [property: Id(6)] MintKey[]? MoreKeys = null,
    [property: Id(7)] byte[]? Kek = null)
{
    /// <summary>Every key of the token, the first one first (1–16).</summary>
    public IEnumerable<MintKey> Keys => [new MintKey(Kid, ContentKey), .. MoreKeys ?? []];

    /// <summary>Whether some key is to come from key storage; asked on every mint, so without building <see cref="Keys"/>.</summary>
    public bool LeavesKeysToStorage => ContentKey is null || (MoreKeys?.Any(key => key.ContentKey is null) ?? false);
}

/// <summary>One key of a mint: its 16-byte KID and its 16-byte content key, or null for the one in key storage.</summary>
[GenerateSerializer, Immutable, Alias("Orleans.Tokens.MintKey")]
public sealed record MintKey(
    [property: Id(0)] byte[] Kid,
    [property: Id(1)] byte[]? ContentKey);

/// <summary>
/// The refusal code, or <see cref="ErrorCode.None"/> with the content keys that came from key storage: the first
/// key's in <see cref="ContentKey"/>, the others' in <see cref="MoreContentKeys"/> (in the order of
/// <see cref="MintRequest.MoreKeys"/>), each null where the request gave the key (the grain never echoes a key it
/// was given; <see cref="ContentKeysFor"/> puts the two together). For a keyed mint,
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
    [property: Id(5)] TimeSpan? RetryAfter = null,
    [property: Id(6)] byte[]?[]? MoreContentKeys = null)
{
    /// <summary>
    /// Every content key of a mint decided for <paramref name="request"/>, the first one first, 16 bytes each: the
    /// request's own where it gave one, else this result's from key storage.
    /// </summary>
    public byte[][] ContentKeysFor(MintRequest request) =>
        [.. request.Keys.Select((key, index) => key.ContentKey ?? (index == 0 ? ContentKey : MoreContentKeys![index - 1])
            ?? throw new InvalidOperationException($"key {index} of the mint has no content key"))];

    /// <summary>This result with only the keys that <paramref name="request"/> did not give (the rest null).</summary>
    public MintResult WithoutKeysOf(MintRequest request)
    {
        var keys = request.Keys.ToArray();
        return this with
        {
            ContentKey = keys[0].ContentKey is null ? ContentKey : null,
            MoreContentKeys = MoreContentKeys is null ? null : [.. MoreContentKeys.Select((key, index) => keys[index + 1].ContentKey is null ? key : null)],
        };
    }

    public static MintResult Refused(ErrorCode code) => new(code, null);

    /// <summary>-9010: the customer's mint rate limit; the next mint is allowed after <paramref name="retryAfter"/>.</summary>
    public static MintResult TooManyRequests(TimeSpan retryAfter) => new(ErrorCode.TooManyRequests, null, RetryAfter: retryAfter);
}
