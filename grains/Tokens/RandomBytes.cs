using System.Security.Cryptography;

namespace Orleans.Tokens;

/// <summary>
/// Random bytes from a per-thread buffer of the system's CSPRNG output that is refilled when used up: one call into
/// the CSPRNG per 512 bytes instead of one per value. For the salts of sealing (contract section 7) and for unique
/// ids on hot paths (a state write's id, a batch's id), where <see cref="Guid.NewGuid"/> costs a system call each.
/// Every byte is handed out once and the buffer's used part is zeroed, so no value is given twice or left behind.
/// </summary>
public static class RandomBytes
{
    private const int BufferSize = 512;

    [ThreadStatic] private static byte[]? t_buffer;
    [ThreadStatic] private static int t_used;

    /// <summary>Fills <paramref name="bytes"/> (at most 512 bytes) with fresh random bytes.</summary>
    public static void Fill(Span<byte> bytes)
    {
        var buffer = t_buffer ??= new byte[BufferSize];
        if (t_used == 0 || t_used + bytes.Length > BufferSize)
        {
            RandomNumberGenerator.Fill(buffer);
            t_used = 0;
        }
        var taken = buffer.AsSpan(t_used, bytes.Length);
        taken.CopyTo(bytes);
        CryptographicOperations.ZeroMemory(taken);
        t_used += bytes.Length;
    }

    /// <summary>A random id of 122 random bits, an RFC 9562 version 4 UUID like <see cref="Guid.NewGuid"/>'s.</summary>
    public static Guid NewGuid()
    {
        Span<byte> bytes = stackalloc byte[16];
        Fill(bytes);
        bytes[7] = (byte)(bytes[7] & 0x0F | 0x40); // version 4, in the little-endian layout Guid(ReadOnlySpan<byte>) reads
        bytes[8] = (byte)(bytes[8] & 0x3F | 0x80); // variant 10
        return new Guid(bytes);
    }
}
