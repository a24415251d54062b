using System.Security.Cryptography;

namespace Orleans.Tokens.Tests.KeyStorage;

/// <summary>
/// Contract section 12's encryption at rest, as <see cref="KeyStorageKeyRing"/> seals: a sealed key opens only for
/// its customer and KID, not altered, and under a key of the ring; a rotated ring still opens what the old key sealed.
/// </summary>
public sealed class KeyStorageKeyRingTests
{
    private static readonly byte[] Kid = RandomNumberGenerator.GetBytes(16);
    private static readonly byte[] ContentKey = RandomNumberGenerator.GetBytes(16);
    private static readonly Dictionary<string, byte[]> OneKey = new() { ["k1"] = RandomNumberGenerator.GetBytes(32) };

    [Fact]
    public void A_sealed_key_opens_for_its_customer_and_KID_and_holds_no_clear_key()
    {
        var ring = new KeyStorageKeyRing("k1", OneKey);
        var sealedKey = ring.Seal(42, Kid, ContentKey);

        Assert.Equal(ContentKey, ring.Open(42, Kid, sealedKey));
        Assert.True(sealedKey.AsSpan().IndexOf(ContentKey) < 0);
    }

    [Fact]
    public void A_sealed_key_does_not_open_for_another_customer_or_KID_or_once_altered()
    {
        var ring = new KeyStorageKeyRing("k1", OneKey);
        var sealedKey = ring.Seal(42, Kid, ContentKey);
        var altered = (byte[])sealedKey.Clone();
        altered[^20] ^= 1;

        Assert.Null(ring.Open(43, Kid, sealedKey));
        Assert.Null(ring.Open(42, RandomNumberGenerator.GetBytes(16), sealedKey));
        Assert.Null(ring.Open(42, Kid, altered));
        Assert.Null(ring.Open(42, Kid, sealedKey[..10]));
    }

    [Fact]
    public void A_rotated_ring_opens_what_the_old_key_sealed_and_a_ring_without_it_says_which_key_is_missing()
    {
        var old = new KeyStorageKeyRing("k1", OneKey);
        var sealedKey = old.Seal(42, Kid, ContentKey);
        var rotated = new KeyStorageKeyRing("k2", new Dictionary<string, byte[]>(OneKey) { ["k2"] = RandomNumberGenerator.GetBytes(32) });
        var without = new KeyStorageKeyRing("k2", new Dictionary<string, byte[]> { ["k2"] = RandomNumberGenerator.GetBytes(32) });

        Assert.Equal(ContentKey, rotated.Open(42, Kid, sealedKey));
        Assert.Equal(ContentKey, rotated.Open(42, Kid, rotated.Seal(42, Kid, ContentKey)));
        Assert.Contains("'k1'", Assert.Throws<KeyStorageKeyMissingException>(() => without.Open(42, Kid, sealedKey)).Message);
    }
}
