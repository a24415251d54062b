using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Orleans.Tokens;

/// <summary>
/// Token ids (contract section 7): 48 lower-case hex digits, the customer id (8 bytes, big-endian) and 16 random
/// bytes, so that <c>admin token revoke &lt;token id&gt;</c> finds the customer from the id alone. Tokens sealed
/// before hold 32 random hex digits and name no customer.
/// </summary>
public static class TokenIds
{
    /// <summary>A new token id of <paramref name="customerId"/>.</summary>
    public static string New(long customerId)
    {
        Span<byte> id = stackalloc byte[24];
        BinaryPrimitives.WriteInt64BigEndian(id, customerId);
        RandomNumberGenerator.Fill(id[8..]);
        return Convert.ToHexStringLower(id);
    }

    /// <summary>Whether <paramref name="text"/> has a token id's form: 48 hex digits, or 32 for tokens sealed before.</summary>
    public static bool IsTokenId(string text) => text.Length is 32 or 48 && Hex.IsHex(text);

    /// <summary>The customer a token id names, or null for an id of the earlier form or one that is not a token id.</summary>
    public static long? CustomerOf(string tokenId)
    {
        if (tokenId.Length != 48 || !Hex.IsHex(tokenId)) return null;
        var customerId = BinaryPrimitives.ReadInt64BigEndian(Convert.FromHexString(tokenId.AsSpan(0, 16)));
        return customerId > 0 ? customerId : null;
    }
}
