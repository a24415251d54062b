namespace Orleans.Tokens.Tests;

/// <summary>Bytes as the contract writes them (KIDs, keys, IVs: lower-case hex), for comparing a token's bytes with a request's text.</summary>
public static class HexText
{
    public static string Hex(this byte[] bytes) => Convert.ToHexStringLower(bytes);
}
