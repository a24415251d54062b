using System.Security.Cryptography;
using System.Text;

namespace Orleans.Tokens;

/// <summary>A key id: 32 hex digits, or <c>^name</c> meaning the first 16 bytes of SHA-1(name).</summary>
public static class Kid
{
    public const int MaxNameLength = 64;

    /// <summary>Parses a KID as the contract's <c>kid</c> row reads it.</summary>
    public static ErrorCode TryParse(string text, out byte[] kid)
    {
        kid = [];
        if (text.StartsWith('^'))
        {
            var name = text[1..];
            if (name.Length == 0) return ErrorCode.InvalidKid;
            if (name.Length > MaxNameLength) return ErrorCode.KidNameTooLong;
            kid = SHA1.HashData(Encoding.UTF8.GetBytes(name))[..16];
            return ErrorCode.None;
        }
        if (!Hex.IsHex(text)) return ErrorCode.InvalidKid;
        if (text.Length != 32) return ErrorCode.KidLength;
        kid = Convert.FromHexString(text);
        return ErrorCode.None;
    }

    public static string ToHex(byte[] kid) => Convert.ToHexStringLower(kid);
}
