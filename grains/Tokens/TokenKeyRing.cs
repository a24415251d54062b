using System.Buffers.Text;
using System.Formats.Cbor;
using System.Security.Cryptography;
using System.Text;

namespace Orleans.Tokens;

/// <summary>
/// Seals and opens tokens (contract section 7): AES-256-GCM under a token key named by an id that travels in the
/// token, so keys rotate (new tokens use the active key; every key in the ring still opens). Before base64url, no
/// padding:
/// <list type="bullet">
/// <item>v2 (sealed now): <c>2 | idLength(1) | id | salt(16) | ciphertext | tag(16)</c>. Each token has its own
/// AES-256-GCM key and nonce, the 44 bytes of HKDF-Expand (RFC 5869, SHA-256) from the token key with the info
/// <c>"orleans-tokens token v2" | salt</c>, the salt random: no key ever seals two tokens, so AES-GCM's bound of
/// 2^32 random nonces per key does not apply. The token key is 32 uniformly random bytes, so HKDF-Extract is
/// skipped (RFC 5869 section 3.3).</item>
/// <item>v1 (opened until its tokens expire): <c>1 | idLength(1) | id | nonce(12) | ciphertext | tag(16)</c>, the
/// token key itself with a random nonce.</item>
/// </list>
/// The header (everything before the ciphertext) is authenticated as associated data.
/// </summary>
public sealed class TokenKeyRing
{
    public const int MaxTokenLength = 2048;
    private const byte Version1 = 1, Version2 = 2;
    private const int NonceSize = 12;
    private const int SaltSize = 16;
    private const int KeySize = 32;
    private const int TagSize = 16;
    private static readonly byte[] DerivationLabel = "orleans-tokens token v2"u8.ToArray();

    private readonly IReadOnlyDictionary<string, byte[]> _keys;
    private readonly byte[] _activeHeader;
    private readonly byte[] _activeKey;

    public TokenKeyRing(string activeKeyId, IReadOnlyDictionary<string, byte[]> keys)
    {
        foreach (var (id, key) in keys)
        {
            if (!IsKeyId(id)) throw new ArgumentException($"token key id '{id}' must be 1–32 letters, digits, '-' or '_'");
            if (key.Length != KeySize) throw new ArgumentException($"token key '{id}' must be 32 bytes");
        }
        _keys = keys;
        _activeKey = keys.TryGetValue(activeKeyId, out var active)
            ? active
            : throw new ArgumentException($"the active token key '{activeKeyId}' is not in the key ring");
        ActiveKeyId = activeKeyId;
        _activeHeader = Header(Version2, activeKeyId);
    }

    /// <summary>The id of the key that <see cref="Seal"/> uses.</summary>
    public string ActiveKeyId { get; }

    public static bool IsKeyId(string id) =>
        id.Length is >= 1 and <= 32 && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    /// <summary>Seals <paramref name="payload"/> as a v2 token under the active key: base64url, at most 2,048 characters for what section 7 allows.</summary>
    public string Seal(TokenPayload payload)
    {
        // Each thread reuses one CBOR writer and encodes straight into the token's buffer, encrypted there in place.
        var writer = t_writer ??= TokenCodec.NewWriter();
        writer.Reset();
        TokenCodec.Write(writer, payload);
        var headerLength = _activeHeader.Length + SaltSize;
        var sealedBytes = new byte[headerLength + writer.BytesWritten + TagSize];
        var body = sealedBytes.AsSpan(headerLength, writer.BytesWritten);
        writer.Encode(body);
        _activeHeader.CopyTo(sealedBytes, 0);
        var salt = sealedBytes.AsSpan(_activeHeader.Length, SaltSize);
        RandomBytes.Fill(salt);
        Span<byte> keyAndNonce = stackalloc byte[KeySize + NonceSize];
        Derive(_activeKey, salt, keyAndNonce);
        using (var aes = new AesGcm(keyAndNonce[..KeySize], TagSize))
        {
            aes.Encrypt(keyAndNonce[KeySize..], body, body, sealedBytes.AsSpan(sealedBytes.Length - TagSize), sealedBytes.AsSpan(0, headerLength));
        }
        CryptographicOperations.ZeroMemory(keyAndNonce);
        return Base64Url.EncodeToString(sealedBytes);
    }

    [ThreadStatic] private static CborWriter? t_writer;

    /// <summary>The verified payload, or null with the reason (never key material).</summary>
    public TokenPayload? Open(string token, DateTimeOffset now, out string reason)
    {
        reason = "malformed";
        if (token.Length is 0 or > MaxTokenLength || !Base64Url.IsValid(token) || token.Contains('=')) return null;
        var bytes = Base64Url.DecodeFromChars(token);
        // Unused low bits of the last character do not change the bytes: only the canonical spelling is the token.
        if (Base64Url.EncodeToString(bytes) != token) return null;
        if (bytes.Length < 2 || bytes[0] is not (Version1 or Version2)) return null;
        var idEnd = 2 + bytes[1];
        // v1 carries a nonce after the id; v2 a salt, which is part of its header.
        var headerLength = bytes[0] == Version2 ? idEnd + SaltSize : idEnd;
        var bodyStart = bytes[0] == Version2 ? headerLength : idEnd + NonceSize;
        if (bytes.Length < bodyStart + TagSize) return null;
        var keyId = Encoding.ASCII.GetString(bytes, 2, bytes[1]);
        if (!_keys.TryGetValue(keyId, out var key))
        {
            reason = "unknown token key";
            return null;
        }
        var plaintext = new byte[bytes.Length - bodyStart - TagSize];
        Span<byte> keyAndNonce = stackalloc byte[KeySize + NonceSize];
        if (bytes[0] == Version2)
        {
            Derive(key, bytes.AsSpan(idEnd, SaltSize), keyAndNonce);
        }
        else
        {
            key.CopyTo(keyAndNonce);
            bytes.AsSpan(idEnd, NonceSize).CopyTo(keyAndNonce[KeySize..]);
        }
        try
        {
            using var aes = new AesGcm(keyAndNonce[..KeySize], TagSize);
            aes.Decrypt(keyAndNonce[KeySize..], bytes.AsSpan(bodyStart, plaintext.Length), bytes.AsSpan(bytes.Length - TagSize),
                plaintext, bytes.AsSpan(0, headerLength));
        }
        catch (AuthenticationTagMismatchException)
        {
            reason = "authentication failed";
            return null;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(keyAndNonce);
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

    /// <summary>A v2 token's AES-256-GCM key and nonce: HKDF-Expand(token key, label | salt, 44 bytes).</summary>
    private static void Derive(byte[] tokenKey, ReadOnlySpan<byte> salt, Span<byte> keyAndNonce)
    {
        Span<byte> info = stackalloc byte[DerivationLabel.Length + SaltSize];
        DerivationLabel.CopyTo(info);
        salt.CopyTo(info[DerivationLabel.Length..]);
        HKDF.Expand(HashAlgorithmName.SHA256, tokenKey, keyAndNonce, info);
    }

    private static byte[] Header(byte version, string keyId)
    {
        var id = Encoding.ASCII.GetBytes(keyId);
        return [version, (byte)id.Length, .. id];
    }
}
