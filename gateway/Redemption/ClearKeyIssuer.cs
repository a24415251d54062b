using System.Text.Json;
using System.Text.Json.Serialization;

namespace Orleans.Tokens.Gateway.Redemption;

/// <summary>
/// The Clear Key issuer (contract section 8; W3C Encrypted Media Extensions, "Clear Key", license request and
/// license formats): a challenge <c>{"kids":["&lt;base64url KID&gt;", …],"type":"temporary"}</c> is answered
/// <c>{"keys":[{"kty":"oct","kid":"…","k":"…"}, …],"type":"temporary"}</c> with the keys of the token's KIDs among
/// those asked (a KID the token does not carry is left out), base64url without padding, as JSON. An empty challenge
/// (a GET, a client with nothing to post) is answered every key of the token. The type asked for is answered back;
/// anything but <c>temporary</c> or <c>persistent-license</c>, a KID that is not 16 bytes, or a body that is not
/// such JSON is a bad challenge.
/// </summary>
internal sealed class ClearKeyIssuer : ILicenseIssuer
{
    private const string Temporary = "temporary";

    public Task<IssuerAnswer> Issue(TokenPayload token, ReadOnlyMemory<byte> challenge, CancellationToken cancellation)
    {
        var request = challenge.IsEmpty ? new LicenseRequest(null, Temporary) : Parse(challenge);
        if (request is null) return Task.FromResult<IssuerAnswer>(new BadChallenge("not a Clear Key license request"));
        if (request.Type is not (Temporary or "persistent-license"))
            return Task.FromResult<IssuerAnswer>(new BadChallenge("unknown license type"));
        var asked = new List<byte[]>();
        foreach (var kid in request.Kids ?? [])
        {
            if (Base64Url(kid) is not { Length: 16 } bytes) return Task.FromResult<IssuerAnswer>(new BadChallenge("a kid is not 16 bytes of base64url"));
            asked.Add(bytes);
        }
        var keys = token.Keys
            .Where(key => request.Kids is null || asked.Any(kid => kid.AsSpan().SequenceEqual(key.Kid)))
            .Select(key => new JsonWebKey("oct", Base64Url(key.Kid), Base64Url(key.ContentKey)))
            .ToArray();
        var body = JsonSerializer.SerializeToUtf8Bytes(new License(keys, request.Type ?? Temporary), ClearKeyJson.Default.License);
        return Task.FromResult<IssuerAnswer>(new IssuedAnswer(StatusCodes.Status200OK, "application/json", body));
    }

    private static LicenseRequest? Parse(ReadOnlyMemory<byte> challenge)
    {
        try
        {
            return JsonSerializer.Deserialize(challenge.Span, ClearKeyJson.Default.LicenseRequest);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string Base64Url(byte[] bytes) => System.Buffers.Text.Base64Url.EncodeToString(bytes);

    private static byte[]? Base64Url(string? text)
    {
        if (text is null || !System.Buffers.Text.Base64Url.IsValid(text)) return null;
        return System.Buffers.Text.Base64Url.DecodeFromChars(text);
    }
}

/// <summary>EME's Clear Key license request: the KIDs asked for and the session type.</summary>
internal sealed record LicenseRequest(string?[]? Kids, string? Type);

/// <summary>A JSON Web Key (RFC 7517) of type <c>oct</c>: KID and key, base64url without padding.</summary>
internal sealed record JsonWebKey(string Kty, string Kid, string K);

/// <summary>EME's Clear Key license: a JSON Web Key Set and the session type.</summary>
internal sealed record License(JsonWebKey[] Keys, string Type);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip)]
[JsonSerializable(typeof(LicenseRequest))]
[JsonSerializable(typeof(License))]
internal sealed partial class ClearKeyJson : JsonSerializerContext;
