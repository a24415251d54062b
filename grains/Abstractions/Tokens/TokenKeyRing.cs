using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Orleans.Tokens;

/// <summary>
/// Seals and opens tokens: AES-256-GCM under a token key named by an id that travels in the token, so keys rotate
/// (new tokens use the active key; every key in the ring still opens). Layout before base64url, no padding:
/// <c>version(1) | idLength(1) | id | nonce(12) | ciphertext | tag(16)</c>, the header authenticated as data.
/// </summary>
public sealed class TokenKeyRing
{
    public const int MaxTokenLength = 2048;
    private const byte Version = 1;
    private const int NonceSize = 12;
    private const int TagSize = 16;

    private readonly IReadOnlyDictionary<string, byte[]> _keys;
    private readonly byte[] _activeHeader;
    private readonly byte[] _activeKey;
    // An AesGcm holds native cipher state that is costly to set up and not safe to share between threads.
    private readonly ThreadLocal<AesGcm> _sealer;

    public TokenKeyRing(string activeKeyId, IReadOnlyDictionary<string, byte[]> keys)
    {
        foreach (var (id, key) in keys)
        {
            if (!IsKeyId(id)) throw new ArgumentException($"token key id '{id}' must be 1–32 letters, digits, '-' or '_'");
            if (key.Length != 32) throw new ArgumentException($"token key '{id}' must be 32 bytes");
        }
        _keys = keys;
        _activeKey = keys.TryGetValue(activeKeyId, out var active)
            ? active
            : throw new ArgumentException($"the active token key '{activeKeyId}' is not in the key ring");
        _activeHeader = Header(activeKeyId);
        _sealer = new ThreadLocal<AesGcm>(() => new AesGcm(_activeKey, TagSize));
    }

    public static bool IsKeyId(string id) =>
        id.Length is >= 1 and <= 32 && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    public string Seal(TokenPayload payload)
    {
        var plaintext = TokenCodec.Encode(payload);
        var sealedBytes = new byte[_activeHeader.Length + NonceSize + plaintext.Length + TagSize];
        _activeHeader.CopyTo(sealedBytes, 0);
        var nonce = sealedBytes.AsSpan(_activeHeader.Length, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        var ciphertext = sealedBytes.AsSpan(_activeHeader.Length + NonceSize, plaintext.Length);
        var tag = sealedBytes.AsSpan(sealedBytes.Length - TagSize);
        _sealer.Value!.Encrypt(nonce, plaintext, ciphertext, tag, _activeHeader);
        return Base64Url.EncodeToString(sealedBytes);
    }

    /// <summary>The verified payload, or null with the reason (never key material).</summary>
    public TokenPayload? Open(string token, DateTimeOffset now, out string reason)
    {
        reason = "malformed";
        if (token.Length is 0 or > MaxTokenLength || !Base64Url.IsValid(token) || token.Contains('=')) return null;
        var bytes = Base64Url.DecodeFromChars(token);
        // Unused low bits of the last character do not change the bytes: only the canonical spelling is the token.
        if (Base64Url.EncodeToString(bytes) != token) return null;
        if (bytes.Length < 2 || bytes[0] != Version) return null;
        var headerLength = 2 + bytes[1];
        if (bytes.Length < headerLength + NonceSize + TagSize) return null;
        var keyId = Encoding.ASCII.GetString(bytes, 2, bytes[1]);
        if (!_keys.TryGetValue(keyId, out var key))
        {
            reason = "unknown token key";
            return null;
        }
        var plaintext = new byte[bytes.Length - headerLength - NonceSize - TagSize];
        try
        {
            using var aes = new AesGcm(key, TagSize);
            aes.Decrypt(
                bytes.AsSpan(headerLength, NonceSize),
                bytes.AsSpan(headerLength + NonceSize, plaintext.Length),
                bytes.AsSpan(bytes.Length - TagSize),
                plaintext,
                bytes.AsSpan(0, headerLength));
        }
        catch (AuthenticationTagMismatchException)
        {
            reason = "authentication failed";
            return null;
        }
        var payload = TokenCodec.Decode(plaintext);
        if (payload is null) return null;
        if (payload.ExpiresAt <= now)
        {
            reason = "expired";
            return null;
        }
        reason = "";
        return payload;
    }

    private static byte[] Header(string keyId)
    {
        var id = Encoding.ASCII.GetBytes(keyId);
        return [Version, (byte)id.Length, .. id];
    }
}
