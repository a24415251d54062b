using System.Security.Cryptography;

namespace Orleans.Tokens;

/// <summary>
/// Random salts for sealing (contract section 7), taken from a per-thread buffer of the system's CSPRNG output that
/// is refilled when used up: one call into the CSPRNG per 32 salts of 16 bytes instead of one per token. Every byte
/// is handed out once and the buffer's used part is zeroed, so no salt is given twice or left behind.
/// </summary>
internal static class Salts
{
    private const int BufferSize = 512;

    [ThreadStatic] private static byte[]? t_buffer;
    [ThreadStatic] private static int t_used;

    /// <summary>Fills <paramref name="salt"/> (at most 512 bytes) with fresh random bytes.</summary>
    public static void Fill(Span<byte> salt)
    {
        var buffer = t_buffer ??= new byte[BufferSize];
        if (t_used == 0 || t_used + salt.Length > BufferSize)
        {
            RandomNumberGenerator.Fill(buffer);
            t_used = 0;
        }
        var taken = buffer.AsSpan(t_used, salt.Length);
        taken.CopyTo(salt);
        CryptographicOperations.ZeroMemory(taken);
        t_used += salt.Length;
    }
}
