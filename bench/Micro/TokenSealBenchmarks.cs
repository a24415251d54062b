using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;

namespace Orleans.Tokens.Micro;

/// <summary>
/// What a token costs to seal and open (contract section 7, issue 9): the v2 format (a key and nonce derived per
/// token with HKDF-SHA256, then AES-256-GCM), against the v1 way of sealing, AES-256-GCM under the token key itself
/// with a random nonce and a reused cipher, kept here as the baseline. The payload is a typical Widevine token's.
/// </summary>
[MemoryDiagnoser]
public class TokenSealBenchmarks
{
    private readonly TokenKeyRing _ring = new("k1", new Dictionary<string, byte[]> { ["k1"] = RandomNumberGenerator.GetBytes(32) });
    private readonly TokenPayload _payload = new()
    {
        TokenId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)),
        CustomerId = 201722,
        Environment = "production",
        Drm = "widevine",
        IssuedAt = DateTimeOffset.UtcNow,
        ExpiresAt = DateTimeOffset.UtcNow.AddHours(1),
        Cookie = "session-4711",
        Kid = RandomNumberGenerator.GetBytes(16),
        ContentKey = RandomNumberGenerator.GetBytes(16),
        Widevine = new WidevinePolicy { SecurityLevel = 1, HdcpOutputControl = 0 },
    };
    private readonly AesGcm _v1Cipher = new(RandomNumberGenerator.GetBytes(32), 16);
    private string _token = "";

    [GlobalSetup]
    public void Setup() => _token = _ring.Seal(_payload);

    [Benchmark(Baseline = true, Description = "v1 way: AES-GCM under the token key")]
    public byte[] SealV1Way()
    {
        var plaintext = TokenCodec.Encode(_payload);
        var sealedBytes = new byte[12 + plaintext.Length + 16];
        RandomNumberGenerator.Fill(sealedBytes.AsSpan(0, 12));
        _v1Cipher.Encrypt(sealedBytes.AsSpan(0, 12), plaintext, sealedBytes.AsSpan(12, plaintext.Length), sealedBytes.AsSpan(12 + plaintext.Length));
        return sealedBytes;
    }

    [Benchmark(Description = "v2 seal (TokenKeyRing.Seal)")]
    public string SealV2() => _ring.Seal(_payload);

    [Benchmark(Description = "v2 open (TokenKeyRing.Open)")]
    public TokenPayload? OpenV2() => _ring.Open(_token, DateTimeOffset.UtcNow, out _);
}
