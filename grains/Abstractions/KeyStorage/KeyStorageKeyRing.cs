using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Orleans.Tokens;

/// <summary>
/// Seals what key storage keeps of a content key (contract section 12: stored encrypted under a service
/// key-encryption key, kept like the token keys of section 7). AES-256-GCM under the key-storage key named by an id
/// that is stored with the sealed bytes, so the key rotates (new seals use the active key; every key in the ring
/// still opens). Sealed form: <c>idLength(1) | id | nonce(12) | ciphertext | tag(16)</c>; the associated data binds
/// it to its customer and KID (and to the header), so a sealed key copied to another customer's or KID's row does
/// not open. The nonce is random: a key-storage key seals far fewer than the 2^32 keys that AES-GCM allows it.
/// </summary>
public sealed class KeyStorageKeyRing
{
    private const int KeySize = 32, NonceSize = 12, TagSize = 16;
    private static readonly byte[] Purpose = "orleans-tokens stored key v1"u8.ToArray();

    private readonly IReadOnlyDictionary<string, byte[]> _keys;

    /// <param name="activeKeyId">The id of the key that seals; 1–32 letters, digits, '-' or '_' like every id.</param>
    /// <param name="keys">Every key that may open, 32 bytes each, by id.</param>
    /// <exception cref="ArgumentException">An id or key of the wrong form, or an active id not in the ring.</exception>
    public KeyStorageKeyRing(string activeKeyId, IReadOnlyDictionary<string, byte[]> keys)
    {
        foreach (var (id, key) in keys)
        {
            if (!TokenKeyRing.IsKeyId(id)) throw new ArgumentException($"key-storage key id '{id}' must be 1–32 letters, digits, '-' or '_'");
            if (key.Length != KeySize) throw new ArgumentException($"key-storage key '{id}' must be 32 bytes");
        }
        if (!keys.ContainsKey(activeKeyId)) throw new ArgumentException($"the active key-storage key '{activeKeyId}' is not in the ring");
        _keys = keys;
        ActiveKeyId = activeKeyId;
    }

    /// <summary>The id of the key that <see cref="Seal"/> uses.</summary>
    public string ActiveKeyId { get; }

    /// <summary>
    /// <paramref name="secret"/> (a 16-byte content key, or a customer's wrapped key) sealed for
    /// <paramref name="customerId"/> and <paramref name="kid"/> (16 bytes) under the active key.
    /// </summary>
    public byte[] Seal(long customerId, byte[] kid, ReadOnlySpan<byte> secret)
    {
        var id = Encoding.ASCII.GetBytes(ActiveKeyId);
        var header = 1 + id.Length;
        var sealedBytes = new byte[header + NonceSize + secret.Length + TagSize];
        sealedBytes[0] = (byte)id.Length;
        id.CopyTo(sealedBytes, 1);
        var nonce = sealedBytes.AsSpan(header, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_keys[ActiveKeyId], TagSize);
        aes.Encrypt(nonce, secret, sealedBytes.AsSpan(header + NonceSize, secret.Length),
            sealedBytes.AsSpan(sealedBytes.Length - TagSize), AssociatedData(customerId, kid, sealedBytes.AsSpan(0, header)));
        return sealedBytes;
    }

    /// <summary>
    /// What <see cref="Seal"/> sealed for <paramref name="customerId"/> and <paramref name="kid"/>, or null when it
    /// does not open (sealed for another customer or KID, or changed).
    /// </summary>
    /// <exception cref="KeyStorageKeyMissingException">It was sealed under a key that is not in the ring.</exception>
    public byte[]? Open(long customerId, byte[] kid, byte[] sealedBytes)
    {
        if (sealedBytes.Length < 1 || sealedBytes.Length < 1 + sealedBytes[0] + NonceSize + TagSize) return null;
        var header = 1 + sealedBytes[0];
        var id = Encoding.ASCII.GetString(sealedBytes, 1, sealedBytes[0]);
        if (!_keys.TryGetValue(id, out var key)) throw new KeyStorageKeyMissingException(id);
        var secret = new byte[sealedBytes.Length - header - NonceSize - TagSize];
        using var aes = new AesGcm(key, TagSize);
        try
        {
            aes.Decrypt(sealedBytes.AsSpan(header, NonceSize), sealedBytes.AsSpan(header + NonceSize, secret.Length),
                sealedBytes.AsSpan(sealedBytes.Length - TagSize), secret,
                AssociatedData(customerId, kid, sealedBytes.AsSpan(0, header)));
            return secret;
        }
        catch (AuthenticationTagMismatchException)
        {
            return null;
        }
    }

    private static byte[] AssociatedData(long customerId, byte[] kid, ReadOnlySpan<byte> header)
    {
        var data = new byte[Purpose.Length + 8 + kid.Length + header.Length];
        Purpose.CopyTo(data, 0);
        BinaryPrimitives.WriteInt64BigEndian(data.AsSpan(Purpose.Length), customerId);
        kid.CopyTo(data, Purpose.Length + 8);
        header.CopyTo(data.AsSpan(Purpose.Length + 8 + kid.Length));
        return data;
    }
}

/// <summary>A stored key was sealed under a key-storage key that the ring does not hold (its key file was lost or not configured).</summary>
public sealed class KeyStorageKeyMissingException(string keyId)
    : Exception($"a stored key is sealed under the key-storage key '{keyId}', which is not configured");
