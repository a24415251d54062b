namespace Orleans.Tokens;

/// <summary>
/// A verified token that a rights request redeems, as its customer's grain checks it (contract section 8): the
/// gateway has opened the token (key id, tag, expiry, DRM and environment); the grain knows what revokes it and
/// whether a single-use token was used.
/// </summary>
/// <param name="AuthenticatorTag">The minting authenticator's tag (<see cref="Authenticator.Tag"/>); null in tokens sealed before.</param>
[GenerateSerializer, Immutable, Alias("Orleans.Tokens.RedemptionTicket")]
public sealed record RedemptionTicket(
    [property: Id(0)] string TokenId,
    [property: Id(1)] DateTimeOffset IssuedAt,
    [property: Id(2)] DateTimeOffset ExpiresAt,
    [property: Id(3)] bool SingleUse,
    [property: Id(4)] string? AuthenticatorTag);

/// <summary>Why a verified token is refused at redemption (section 8's -4010 details), or <see cref="None"/>.</summary>
[GenerateSerializer, Alias("Orleans.Tokens.RedemptionRefusal")]
public enum RedemptionRefusal
{
    None = 0,
    /// <summary>The token, its authenticator or its account was revoked or disabled after it was minted: <c>revoked</c>.</summary>
    Revoked = 1,
    /// <summary>A single-use token that yielded its license, or is being redeemed right now: <c>already used</c>.</summary>
    AlreadyUsed = 2,
}

/// <summary>
/// The answer to the start of a redemption: the refusal, or none and, for a single-use token, the hold that keeps
/// the token for this redemption until it ends (<see cref="Guid.Empty"/> otherwise).
/// </summary>
[GenerateSerializer, Immutable, Alias("Orleans.Tokens.RedemptionStart")]
public sealed record RedemptionStart(
    [property: Id(0)] RedemptionRefusal Refusal,
    [property: Id(1)] Guid Hold);

/// <summary>Extensions of <see cref="RedemptionRefusal"/>.</summary>
public static class RedemptionRefusals
{
    /// <summary>The -4010 details of a refusal (section 8).</summary>
    public static string Details(this RedemptionRefusal refusal) => refusal == RedemptionRefusal.AlreadyUsed ? "already used" : "revoked";
}
