namespace Orleans.Tokens;

/// <summary>
/// A key object as the key-storage API answers it (contract section 12, SKM's JSON key object) before the gateway
/// applies a request's <c>kek</c>: <see cref="ContentKey"/> the 16-byte key in the clear (the customer's own, for its
/// own authenticator), or, for a key held only wrapped under the customer's KEK, <see cref="WrappedKey"/> (SKM's
/// <c>ek</c>, RFC 3394) and <see cref="KekId"/> instead.
/// </summary>
[GenerateSerializer, Immutable, Alias("Orleans.Tokens.KeyObject")]
public sealed record KeyObject(
    [property: Id(0)] byte[] Kid,
    [property: Id(1)] byte[]? ContentKey,
    [property: Id(2)] byte[]? WrappedKey,
    [property: Id(3)] string? KekId,
    [property: Id(4)] string? Info,
    [property: Id(5)] string? ContentId,
    [property: Id(6)] DateTimeOffset? Expiration,
    [property: Id(7)] DateTimeOffset LastUpdate);

/// <summary>
/// The fields a create or an update gives (SKM's key object after the gateway parsed it and unwrapped a body
/// <c>ek</c> it had the KEK of): each null field is left as it is (on create: a random key, no text, no expiry).
/// <see cref="WrappedKey"/> with <see cref="KekId"/> is a key given only wrapped under the customer's KEK.
/// </summary>
[GenerateSerializer, Immutable, Alias("Orleans.Tokens.KeyFields")]
public sealed record KeyFields(
    [property: Id(0)] byte[]? ContentKey = null,
    [property: Id(1)] byte[]? WrappedKey = null,
    [property: Id(2)] string? KekId = null,
    [property: Id(3)] string? Info = null,
    [property: Id(4)] string? ContentId = null,
    [property: Id(5)] DateTimeOffset? Expiration = null);

/// <summary>Who calls the key-storage API: an authenticator's environment and the SHA-256 of its secret (section 4).</summary>
[GenerateSerializer, Immutable, Alias("Orleans.Tokens.KeyAccess")]
public sealed record KeyAccess(
    [property: Id(0)] TokenEnvironment Environment,
    [property: Id(1)] byte[] SecretHash);

/// <summary>How a key-storage call ended (contract section 12's statuses).</summary>
[GenerateSerializer, Alias("Orleans.Tokens.KeyStoreStatus")]
public enum KeyStoreStatus
{
    /// <summary>200.</summary>
    Ok,
    /// <summary>201: a create made the key.</summary>
    Created,
    /// <summary>401: the authenticator is not the customer's (or of the other environment).</summary>
    Unauthorized,
    /// <summary>404: no key of that KID.</summary>
    NotFound,
    /// <summary>400 "Key storage full": the customer holds its most keys already.</summary>
    Full,
}

/// <summary>
/// The answer of a key-storage call: its <see cref="Status"/>, the key object of a call on one key, the objects of
/// a list, the count of a count.
/// </summary>
[GenerateSerializer, Immutable, Alias("Orleans.Tokens.KeyStoreResult")]
public sealed record KeyStoreResult(
    [property: Id(0)] KeyStoreStatus Status,
    [property: Id(1)] KeyObject? Key = null,
    [property: Id(2)] ImmutableArray<KeyObject> Keys = default,
    [property: Id(3)] long Count = 0);
