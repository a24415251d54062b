namespace Orleans.Tokens;

/// <summary>
/// What the grain needs to decide a mint. The gateway sends the SHA-256 of the authenticator secret, never the
/// secret; <see cref="ContentKey"/> is null when the key is to come from the customer's key storage.
/// </summary>
[GenerateSerializer, Immutable, Alias("Orleans.Tokens.MintRequest")]
public sealed record MintRequest(
    [property: Id(0)] TokenEnvironment Environment,
    [property: Id(1)] byte[] SecretHash,
    [property: Id(2)] Drm Drm,
    [property: Id(3)] byte[] Kid,
    [property: Id(4)] byte[]? ContentKey);

/// <summary>The refusal code, or <see cref="ErrorCode.None"/> with the content key the token must carry.</summary>
[GenerateSerializer, Immutable, Alias("Orleans.Tokens.MintResult")]
public sealed record MintResult(
    [property: Id(0)] ErrorCode Code,
    [property: Id(1)] byte[]? ContentKey)
{
    public static MintResult Refused(ErrorCode code) => new(code, null);
}
