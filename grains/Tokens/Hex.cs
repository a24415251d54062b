namespace Orleans.Tokens;

public static class Hex
{
    /// <summary>True for a non-empty string of hex digits, either case.</summary>
    public static bool IsHex(ReadOnlySpan<char> text) => !text.IsEmpty && !text.ContainsAnyExcept(Digits);

    private static readonly System.Buffers.SearchValues<char> Digits =
        System.Buffers.SearchValues.Create("0123456789abcdefABCDEF");
}
