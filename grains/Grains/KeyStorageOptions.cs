namespace Orleans.Tokens.Grains;

/// <summary>
/// Key storage's settings (contract section 12): the key-storage key ring that seals stored keys, and the most keys a
/// customer may hold (<c>KeyStorage:MaxKeysPerCustomer</c>, default 100,000), past which a create is refused.
/// </summary>
public sealed record KeyStorageOptions(KeyStorageKeyRing Ring, int MaxKeysPerCustomer = KeyStorageOptions.DefaultMaxKeysPerCustomer)
{
    public const int DefaultMaxKeysPerCustomer = 100_000;
}
