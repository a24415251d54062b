using System.Security.Cryptography;

namespace Orleans.Tokens;

/// <summary>
/// A customer authenticator, <c>customerId,secret</c>: customerId 1–10 decimal digits without a leading zero,
/// secret 32 hex digits. Secrets are 128 random bits, so a plain SHA-256 of their bytes is a safe stored form.
/// </summary>
public static class Authenticator
{
    public static bool TryParse(string text, out long customerId, out byte[] secretHash)
    {
        customerId = 0;
        secretHash = [];
        var comma = text.IndexOf(',');
        if (comma < 0) return false;
        var id = text.AsSpan(0, comma);
        var secret = text.AsSpan(comma + 1);
        if (!IsCustomerId(id) || secret.Length != 32 || !Hex.IsHex(secret)) return false;
        customerId = long.Parse(id);
        secretHash = SHA256.HashData(Convert.FromHexString(secret));
        return true;
    }

    public static bool IsCustomerId(ReadOnlySpan<char> text) =>
        text.Length is >= 1 and <= 10 && text[0] is >= '1' and <= '9' && !text.ContainsAnyExceptInRange('0', '9');

    /// <summary>A new secret and the hash to store for it.</summary>
    public static (string Secret, byte[] Hash) NewSecret()
    {
        var secret = RandomNumberGenerator.GetBytes(16);
        return (Convert.ToHexStringLower(secret), SHA256.HashData(secret));
    }

    public static string Format(long customerId, string secret) => $"{customerId},{secret}";

    /// <summary>
    /// The tag a token carries of the authenticator that minted it (contract section 8, revocation): the first 8 bytes
    /// of <paramref name="secretHash"/> (the SHA-256 of the secret), as 16 lower-case hex digits.
    /// </summary>
    public static string Tag(byte[] secretHash) => Convert.ToHexStringLower(secretHash, 0, 8);
}
