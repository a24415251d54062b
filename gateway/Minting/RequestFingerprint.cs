using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Orleans.Tokens.Gateway.Requests;
using Orleans.Tokens.Gateway.Validation;

namespace Orleans.Tokens.Gateway.Minting;

/// <summary>
/// What makes two keyed mints "the same parameters" (contract section 11): the DRM, the environment, and every
/// parameter's name and values (a name's values in the order given, names in any order), <c>errorFormat</c> and
/// <c>requestId</c> aside. Two SHA-256 digests of that: the fingerprint the grain compares, and the key that wraps
/// the content keys that key storage gave in the stored record (only made for a request that leaves a key to key
/// storage). The parameters hold the authenticator's secret, so neither digest can be recomputed from what is stored.
/// </summary>
internal static class RequestFingerprint
{
    private static readonly HashSet<string> Aside = new(StringComparer.Ordinal) { "errorFormat", IdempotencyKey.Name };

    // The purposes that set the two digests apart, each followed by a zero byte; the canonical bytes go after the
    // longer one, so that each digest is one pass over one buffer.
    private static readonly byte[] FingerprintPurpose = "fingerprint\0"u8.ToArray();
    private static readonly byte[] RecordKeyPurpose = "record key\0"u8.ToArray();
    private static readonly int Start = Math.Max(FingerprintPurpose.Length, RecordKeyPurpose.Length);

    /// <summary>The idempotency part of <paramref name="request"/>, whose token has <paramref name="keys"/>.</summary>
    public static MintIdempotency For(
        TokenRequest request, MintKey[] keys, TokenEnvironment environment, RequestParameters parameters)
    {
        var drm = request.Drm.Name();
        var name = environment.Name();
        var ordered = parameters.Ordered(Aside);
        // An upper bound of the canonical bytes, so that they are encoded in one pass.
        var size = Start + MaxSize(drm) + MaxSize(name);
        foreach (var (parameter, values) in ordered)
        {
            size += MaxSize(parameter) + 4 + MaxCountDigits;
            foreach (var value in values.Span) size += MaxSize(value);
        }
        var buffer = ArrayPool<byte>.Shared.Rent(size);
        try
        {
            var at = Start;
            at = Append(buffer, at, drm);
            at = Append(buffer, at, name);
            foreach (var (parameter, values) in ordered)
            {
                at = Append(buffer, at, parameter);
                at = AppendCount(buffer, at, values.Length);
                foreach (var value in values.Span) at = Append(buffer, at, value);
            }
            return new MintIdempotency(
                request.IdempotencyKey!,
                Digest(FingerprintPurpose, buffer, at),
                keys.Any(key => key.ContentKey is null) ? Digest(RecordKeyPurpose, buffer, at) : [],
                TokenIds.New(request.Authenticator.CustomerId),
                request.Values.IssuedAt);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The most digits a value count takes (<see cref="int.MaxValue"/>).</summary>
    private const int MaxCountDigits = 10;

    private static int MaxSize(string text) => 4 + Encoding.UTF8.GetMaxByteCount(text.Length);

    /// <summary>A name's value count, as its decimal digits (UTF-8), length-prefixed like any text.</summary>
    private static int AppendCount(byte[] buffer, int at, int count)
    {
        count.TryFormat(buffer.AsSpan(at + 4), out var length, default, CultureInfo.InvariantCulture);
        BinaryPrimitives.WriteInt32BigEndian(buffer.AsSpan(at), length);
        return at + 4 + length;
    }

    /// <summary>Length-prefixed, so that no two different parameter lists give the same bytes.</summary>
    private static int Append(byte[] buffer, int at, string text)
    {
        var length = Encoding.UTF8.GetBytes(text, buffer.AsSpan(at + 4));
        BinaryPrimitives.WriteInt32BigEndian(buffer.AsSpan(at), length);
        return at + 4 + length;
    }

    /// <summary>SHA-256 over <paramref name="purpose"/> and the canonical bytes, written just before them.</summary>
    private static byte[] Digest(byte[] purpose, byte[] buffer, int end)
    {
        var from = Start - purpose.Length;
        purpose.CopyTo(buffer, from);
        return SHA256.HashData(buffer.AsSpan(from, end - from));
    }
}
