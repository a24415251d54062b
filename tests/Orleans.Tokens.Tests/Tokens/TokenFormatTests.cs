using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Orleans.Tokens.Tests.ProcessLevel;
using Xunit;
using Xunit.Abstractions;

namespace Orleans.Tokens.Tests.Tokens;

/// <summary>
/// Contract section 7's token formats (issue 9, must-show 4): a v1 token sealed before the upgrade (by the v1
/// sealer of commit 023b813, with the key below) still opens and inspects; v2 tokens are distinct, open, and each is
/// sealed under a key and nonce of its own, derived as the layout says (checked here by an independent decryption).
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class TokenFormatTests(ITestOutputHelper log)
{
    private const string LegacyKeyId = "legacy";
    private static readonly byte[] LegacyKey = Convert.FromBase64String("oKGio6SlpqeoqaqrrK2ur7CxsrO0tba3uLm6u7y9vr8=");

    // Sealed by TokenKeyRing v1 (version byte 1, a random nonce under the token key itself), expiring in 2099.
    private const string V1Token =
        "AQZsZWdhY3nDQqF7CdIkKpYRyLytF-w0niuOyUVeYizfA6B4BM0WgDr6pAEVkEgl7cMcsS6Llx-quLzQPCe0l4MWGl2qDz7t4sl4fa5-G3M7tBcnupXLi5N55QeI9YK0CxZegU2rNc7d8kWAMiVyGMS3Svx2VzpvNaCgtnXpggYNFtnF8Cz84UbOGClUfZcniQhhK0ygGJXwBcehh_YL5ypygD_c";

    private static TokenKeyRing Ring() => new(LegacyKeyId, new Dictionary<string, byte[]> { [LegacyKeyId] = LegacyKey });

    [Fact]
    public async Task A_v1_token_sealed_before_the_upgrade_opens_and_inspects()
    {
        Assert.Equal(1, Base64Url.DecodeFromChars(V1Token)[0]);
        var payload = Ring().Open(V1Token, DateTimeOffset.UtcNow, out var reason);
        Assert.True(payload is not null, reason);
        Assert.Equal(4400001, payload.CustomerId);
        Assert.Equal("minted-by-v1", payload.Cookie);
        Assert.Equal("0123456789abcdef0123456789abcdef", payload.Kid.Hex());

        // The real admin tool, configured with the key as a cluster configures its token keys.
        var admin = new AdminProcess(new Dictionary<string, string>
        {
            [$"Tokens__TokenKeys__{LegacyKeyId}"] = Convert.ToBase64String(LegacyKey),
            ["Tokens__ActiveTokenKey"] = LegacyKeyId,
        }, log);
        var inspected = await admin.RunOkAsync("token", "inspect", V1Token);
        Assert.Equal(4400001, inspected.GetProperty("customerId").GetInt64());
        Assert.Equal("minted-by-v1", inspected.GetProperty("cookie").GetString());
    }

    [Fact]
    public void V2_tokens_are_distinct_and_each_sealed_under_a_key_derived_for_it()
    {
        var ring = Ring();
        var payload = Ring().Open(V1Token, DateTimeOffset.UtcNow, out _)!;
        var tokens = Enumerable.Range(0, 10_000).Select(_ => ring.Seal(payload)).ToList();
        Assert.Equal(tokens.Count, tokens.Distinct().Count());

        var salts = new HashSet<string>();
        foreach (var token in tokens.Take(100))
        {
            AssertSame(payload, ring.Open(token, DateTimeOffset.UtcNow, out _));
            var bytes = Base64Url.DecodeFromChars(token);
            // 2 | id length | id | salt(16) | ciphertext | tag(16)
            Assert.Equal(2, bytes[0]);
            Assert.Equal(LegacyKeyId, Encoding.ASCII.GetString(bytes, 2, bytes[1]));
            var header = 2 + bytes[1] + 16;
            var salt = bytes.AsSpan(2 + bytes[1], 16);
            Assert.True(salts.Add(Convert.ToHexString(salt)));

            // HKDF-Expand(token key, "orleans-tokens token v2" | salt) = AES-256-GCM key (32) | nonce (12).
            var derived = HKDF.Expand(HashAlgorithmName.SHA256, LegacyKey, 44, [.. "orleans-tokens token v2"u8, .. salt]);
            var plaintext = new byte[bytes.Length - header - 16];
            using (var aes = new AesGcm(derived.AsSpan(0, 32), 16))
                aes.Decrypt(derived.AsSpan(32, 12), bytes.AsSpan(header, plaintext.Length), bytes.AsSpan(bytes.Length - 16), plaintext, bytes.AsSpan(0, header));
            AssertSame(payload, TokenCodec.Decode(plaintext));

            // Not the token key itself: the same bytes do not open under it.
            using var direct = new AesGcm(LegacyKey, 16);
            Assert.ThrowsAny<CryptographicException>(() =>
                direct.Decrypt(derived.AsSpan(32, 12), bytes.AsSpan(header, plaintext.Length), bytes.AsSpan(bytes.Length - 16), plaintext, bytes.AsSpan(0, header)));
        }
    }

    /// <summary>The same payload: its JSON view (KIDs and keys as hex) and the authenticator tag the view leaves out.</summary>
    private static void AssertSame(TokenPayload expected, TokenPayload? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(JsonSerializer.Serialize(expected, TokenJson.Default.TokenPayload), JsonSerializer.Serialize(actual, TokenJson.Default.TokenPayload));
        Assert.Equal(expected.AuthenticatorTag, actual.AuthenticatorTag);
    }
}
