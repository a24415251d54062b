using System.Security.Cryptography;
using Microsoft.Extensions.Primitives;

namespace Orleans.Tokens.Gateway.KeyStorage;

/// <summary>A customer's key-encryption key as the SKM API takes it (contract section 12): AES-128/192/256, in hex.</summary>
internal static class KeyEncryptionKey
{
    private static readonly byte[] KekIdLabel = "KEKID_1"u8.ToArray();

    /// <summary>The query's <c>kek</c>: null when absent; 32, 48 or 64 hex digits, else 400.</summary>
    public static byte[]? FromQuery(StringValues values)
    {
        if (values.Count == 0) return null;
        var text = values.Count == 1 ? values.ToString() : "";
        return text.Length is 32 or 48 or 64 && Hex.IsHex(text)
            ? Convert.FromHexString(text)
            : throw KeyStoreRefusal.BadRequest("Invalid KEK");
    }

    /// <summary>
    /// The KEK's id as ExpressPlay and the SKM specification derive it: <c>"#1." + hex(SHA-1("KEKID_1" ‖ KEK))</c>, its
    /// first 32 hex digits (contract section 12), over the KEK's raw bytes.
    /// </summary>
    public static string Id(byte[] kek) =>
        "#1." + Convert.ToHexStringLower(SHA1.HashData([.. KekIdLabel, .. kek]))[..32];
}
