using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Parameters;

namespace Orleans.Tokens;

/// <summary>AES Key Wrap (RFC 3394). .NET has only the padded variant (RFC 5649), so this is BouncyCastle's.</summary>
public static class KeyWrap
{
    /// <summary><paramref name="key"/> (a multiple of 8 bytes, at least 16) wrapped under <paramref name="kek"/> (16, 24 or 32 bytes).</summary>
    public static byte[] Wrap(byte[] kek, byte[] key)
    {
        var engine = new AesWrapEngine();
        engine.Init(true, new KeyParameter(kek));
        return engine.Wrap(key, 0, key.Length);
    }

    /// <summary>The unwrapped key, or null when the integrity check fails.</summary>
    public static byte[]? Unwrap(byte[] kek, byte[] wrapped)
    {
        var engine = new AesWrapEngine();
        engine.Init(false, new KeyParameter(kek));
        try
        {
            return engine.Unwrap(wrapped, 0, wrapped.Length);
        }
        catch (InvalidCipherTextException)
        {
            return null;
        }
    }
}
