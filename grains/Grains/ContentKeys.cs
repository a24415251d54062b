using System.Security.Cryptography;
using Orleans.Storage;

namespace Orleans.Tokens.Grains;

/// <summary>
/// One customer activation's view of its key storage (contract sections 9 and 12): keys in rows of their own
/// (<see cref="StoredKey"/>, read on demand through <see cref="IGrainRows"/>), sealed for the customer and KID by the
/// service's <see cref="KeyStorageKeyRing"/>, never in the account state written with each debit. The last
/// <see cref="Cached"/> keys read or written are kept (sealed, as stored); the activation forgets them all when
/// another may have written (<see cref="Forget"/>), as after a read-back of the state.
/// </summary>
internal sealed class ContentKeys(IGrainRows rows, GrainId grainId, long customerId, KeyStorageKeyRing ring)
{
    /// <summary>How many keys an activation keeps at most: a bounded few hundred kilobytes however many are stored.</summary>
    public const int Cached = 1024;

    private readonly Dictionary<string, StoredKey?> _cache = new(StringComparer.Ordinal);
    private readonly Queue<string> _order = new();

    /// <summary>Another activation may have changed the keys: they are read again.</summary>
    public void Forget()
    {
        _cache.Clear();
        _order.Clear();
    }

    /// <summary>The stored key of <paramref name="kid"/>, or null.</summary>
    /// <exception cref="StorageUnavailableException">The row could not be read.</exception>
    public async ValueTask<StoredKey?> Find(byte[] kid)
    {
        var hex = Kid.ToHex(kid);
        if (_cache.TryGetValue(hex, out var cached)) return cached;
        var stored = await rows.Find(grainId, StoredKey.Kind, hex) as StoredKey;
        Remember(hex, stored);
        return stored;
    }

    /// <summary>Every stored key, by KID.</summary>
    public async Task<IReadOnlyList<StoredKey>> List() => [.. (await rows.List(grainId, StoredKey.Kind)).Cast<StoredKey>()];

    /// <summary>
    /// The 16-byte content key of <paramref name="stored"/>, or null for a key held only wrapped under the customer's
    /// KEK. A key that does not open for this customer and KID (a row copied from elsewhere) is refused.
    /// </summary>
    /// <exception cref="StorageUnavailableException">It does not open.</exception>
    public byte[]? ContentKey(StoredKey stored) => stored.WrappedOnly ? null : Open(stored);

    /// <summary>
    /// The content key of <paramref name="stored"/> for a mint: as stored, or, for a key held only wrapped under the
    /// customer's KEK, unwrapped with the mint's <paramref name="kek"/> (section 12). Null when there is none to use:
    /// <see cref="ErrorCode.KeyNotInStorage"/> without a KEK, <see cref="ErrorCode.InvalidEncryptedKey"/> with one
    /// that does not unwrap it.
    /// </summary>
    public StoredContentKey ForMint(StoredKey stored, byte[]? kek)
    {
        if (!stored.WrappedOnly) return new StoredContentKey(Open(stored));
        if (kek is null) return new StoredContentKey(null);
        return KeyWrap.Unwrap(kek, Open(stored)) is { Length: 16 } unwrapped
            ? new StoredContentKey(unwrapped)
            : new StoredContentKey(null, ErrorCode.InvalidEncryptedKey);
    }

    /// <summary>What the key-storage API answers of <paramref name="stored"/>: the clear key, or the wrapped one.</summary>
    public KeyObject View(StoredKey stored)
    {
        var opened = Open(stored);
        return new KeyObject(stored.Kid, stored.WrappedOnly ? null : opened, stored.WrappedOnly ? opened : null,
            stored.KekId, stored.Info, stored.ContentId, stored.Expiration, stored.LastUpdate);
    }

    /// <summary>
    /// The key to store for <paramref name="kid"/>: <paramref name="fields"/> over <paramref name="current"/> (null
    /// for a new key, whose content key is random unless given), sealed, dated <paramref name="now"/>.
    /// </summary>
    public StoredKey Seal(byte[] kid, StoredKey? current, KeyFields fields, DateTimeOffset now)
    {
        var (secret, kekId) = (fields.ContentKey, fields.WrappedKey) switch
        {
            ({ } contentKey, _) => (contentKey, null),
            (null, { } wrapped) => (wrapped, fields.KekId),
            _ when current is not null => (Open(current), current.KekId),
            _ => (RandomNumberGenerator.GetBytes(16), null),
        };
        return new StoredKey(kid, ring.Seal(customerId, kid, secret), kekId,
            fields.Info ?? current?.Info, fields.ContentId ?? current?.ContentId, fields.Expiration ?? current?.Expiration, now);
    }

    /// <summary>The row that writes <paramref name="stored"/> with the account's next write.</summary>
    public static GrainRow Row(StoredKey stored) => new(StoredKey.Kind, Kid.ToHex(stored.Kid), stored, stored.LastUpdate, null);

    /// <summary>After a write that stored (or, null, deleted) the key of <paramref name="kid"/>.</summary>
    public void Written(byte[] kid, StoredKey? stored) => Remember(Kid.ToHex(kid), stored);

    /// <summary>
    /// The sealed secret of <paramref name="stored"/>. One that does not open (sealed for another customer or KID, or
    /// under a key-storage key the ring lacks) is key storage failing, not the caller: a mint that needs it is
    /// refused with -2030, nothing debited.
    /// </summary>
    /// <exception cref="StorageUnavailableException">The key does not open.</exception>
    private byte[] Open(StoredKey stored)
    {
        try
        {
            return ring.Open(customerId, stored.Kid, stored.Sealed)
                ?? throw new StorageUnavailableException($"the stored key {Kid.ToHex(stored.Kid)} does not open for customer {customerId}");
        }
        catch (KeyStorageKeyMissingException missing)
        {
            throw new StorageUnavailableException(missing.Message);
        }
    }

    private void Remember(string hex, StoredKey? stored)
    {
        if (_cache.TryAdd(hex, stored)) _order.Enqueue(hex);
        else _cache[hex] = stored;
        while (_cache.Count > Cached) _cache.Remove(_order.Dequeue());
    }
}
