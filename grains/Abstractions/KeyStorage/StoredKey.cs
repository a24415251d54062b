namespace Orleans.Tokens;

/// <summary>
/// A content key in a customer's key storage (contract sections 9 and 12), kept in a <see cref="GrainRow"/> of kind
/// <see cref="Kind"/> keyed by the KID in lower-case hex, never in the account state written with each debit.
/// <see cref="Sealed"/> holds the key sealed by <see cref="KeyStorageKeyRing"/> for the customer and KID: the
/// 16-byte content key, or, for a key given only wrapped under the customer's own KEK (SKM's <c>ek</c> without
/// <c>kek</c>), that wrapped key (RFC 3394) with the KEK's id in <see cref="KekId"/>.
/// </summary>
/// <param name="Kid">The KID, 16 bytes.</param>
/// <param name="Info">SKM's <c>info</c>: any text of the customer's.</param>
/// <param name="ContentId">SKM's <c>contentId</c>.</param>
/// <param name="Expiration">SKM's <c>expiration</c>: kept and answered; the key is not removed at that time.</param>
/// <param name="LastUpdate">When the key object was last written.</param>
[GenerateSerializer, Immutable, Alias("Orleans.Tokens.StoredKey")]
public sealed record StoredKey(
    [property: Id(0)] byte[] Kid,
    [property: Id(1)] byte[] Sealed,
    [property: Id(2)] string? KekId,
    [property: Id(3)] string? Info,
    [property: Id(4)] string? ContentId,
    [property: Id(5)] DateTimeOffset? Expiration,
    [property: Id(6)] DateTimeOffset LastUpdate)
{
    /// <summary>The <see cref="GrainRow.Kind"/> of stored keys.</summary>
    public const string Kind = "key";

    /// <summary>Whether the service holds the key only wrapped under the customer's KEK (<see cref="KekId"/>).</summary>
    public bool WrappedOnly => KekId is not null;
}
