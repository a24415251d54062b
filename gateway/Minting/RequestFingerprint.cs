using System.Security.Cryptography;
using System.Text;
using Orleans.Tokens.Gateway.Requests;
using Orleans.Tokens.Gateway.Validation;

namespace Orleans.Tokens.Gateway.Minting;

/// <summary>
/// What makes two keyed mints "the same parameters" (contract section 11): the DRM, the environment, and every
/// parameter's name and values (a name's values in the order given, names in any order), <c>errorFormat</c> and
/// <c>requestId</c> aside. Two SHA-256 digests of that: the fingerprint the grain compares, and the key that wraps
/// the content key in the stored record. The parameters hold the authenticator's secret, so neither digest can be
/// recomputed from what is stored.
/// </summary>
internal static class RequestFingerprint
{
    private static readonly HashSet<string> Aside = new(StringComparer.Ordinal) { "errorFormat", IdempotencyKey.Name };

    public static MintIdempotency For(TokenRequest request, TokenEnvironment environment, RequestParameters parameters)
    {
        using var canonical = new MemoryStream();
        Append(canonical, request.Drm.Name());
        Append(canonical, environment.Name());
        foreach (var (name, values) in parameters.Ordered())
        {
            if (Aside.Contains(name)) continue;
            Append(canonical, name);
            Append(canonical, values.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
            foreach (var value in values) Append(canonical, value);
        }
        var bytes = canonical.ToArray();
        return new MintIdempotency(
            request.IdempotencyKey!,
            Digest("fingerprint", bytes),
            Digest("record key", bytes),
            Guid.NewGuid().ToString("N"),
            request.Values.IssuedAt);
    }

    /// <summary>Length-prefixed, so that no two different parameter lists give the same bytes.</summary>
    private static void Append(Stream stream, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        Span<byte> length = stackalloc byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(length, bytes.Length);
        stream.Write(length);
        stream.Write(bytes);
    }

    private static byte[] Digest(string purpose, byte[] canonical) =>
        SHA256.HashData([.. Encoding.ASCII.GetBytes(purpose), 0, .. canonical]);
}
