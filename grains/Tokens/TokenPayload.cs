using System.Text.Json.Serialization;

namespace Orleans.Tokens;

/// <summary>
/// Everything a license server needs, sealed into a token (contract section 7). KIDs, content keys and the FairPlay
/// IV are bytes, as the token carries them and the license issuers use them, from the request's parsing to the seal
/// with no hex round trip; ids and policy values are the contract's text. <see cref="TokenJson"/> is its JSON view.
/// </summary>
public sealed record TokenPayload
{
    /// <summary>A token expires at most this many days after issue (section 4, <c>expirationTime</c>).</summary>
    public const int LongestLifeDays = 30;

    public required string TokenId { get; init; }
    public required long CustomerId { get; init; }
    public required string Environment { get; init; }
    public required string Drm { get; init; }
    public required DateTimeOffset IssuedAt { get; init; }
    public required DateTimeOffset ExpiresAt { get; init; }
    public string? Cookie { get; init; }
    public string? ContentId { get; init; }
    /// <summary>The token yields one license (<c>singleUse=true</c>, contract section 8); false for tokens sealed before.</summary>
    public bool SingleUse { get; init; }
    /// <summary>
    /// Which authenticator minted the token, so that revoking it refuses the token (section 8): the first 8 bytes of
    /// the SHA-256 of its secret (<see cref="Orleans.Tokens.Authenticator.Tag"/>), 16 lower-case hex digits; null in
    /// tokens sealed before. Not a secret, but of no use to a license server: left out of the JSON.
    /// </summary>
    [JsonIgnore]
    public string? AuthenticatorTag { get; init; }
    /// <summary>The first key's KID, 16 bytes (empty in a FairPlay token whose request named none).</summary>
    [JsonConverter(typeof(HexJsonConverter))]
    public required byte[] Kid { get; init; }
    /// <summary>The first key's content key (CEK), 16 bytes.</summary>
    [JsonConverter(typeof(HexJsonConverter))]
    public required byte[] ContentKey { get; init; }
    private readonly ImmutableArray<TokenKey> _keys = [];

    /// <summary>
    /// Every key the token carries with its own policy, the first (<see cref="Kid"/>) first: 1–16 for an indexed
    /// request (contract section 14); for a plain one, or when none is set, the one key <see cref="Kid"/> under the
    /// DRM's policy.
    /// </summary>
    public ImmutableArray<TokenKey> Keys
    {
        get => _keys.IsDefaultOrEmpty ? [TokenCodec.OnlyKey(this)] : _keys;
        init => _keys = value;
    }
    /// <summary>The DRM's policy; with indexed keys its security level and HDCP are the first key's.</summary>
    public WidevinePolicy? Widevine { get; init; }
    public PlayReadyPolicy? PlayReady { get; init; }
    public FairPlayPolicy? FairPlay { get; init; }
}

/// <summary>
/// FairPlay's policy (contract section 13): the content IV (16 bytes), the flag word (bit 0x1
/// persistent), the rental duration in seconds (0: no rental limit) and the <c>fpExtension</c> values. A FairPlay
/// token's <see cref="TokenPayload.Kid"/> is empty when the request named no KID.
/// </summary>
public sealed record FairPlayPolicy
{
    [JsonConverter(typeof(HexJsonConverter))]
    public required byte[] Iv { get; init; }
    public uint GeneralFlags { get; init; }
    public long RentalDuration { get; init; }
    public ImmutableArray<WvExtension> Extensions { get; init; } = [];
}

/// <summary>
/// One key of a token and its per-key policy (section 14): Widevine's security level (1–5), HDCP output control
/// (0–5) and track type (0 SD, 1 HD, 2 AUDIO, 3 UHD1, 4 UHD2; null for any track); PlayReady's minimum client
/// certificate security level (150, 2000, 3000). A policy the DRM does not have is null.
/// </summary>
public sealed record TokenKey
{
    /// <summary>16 bytes.</summary>
    [JsonConverter(typeof(HexJsonConverter))]
    public required byte[] Kid { get; init; }
    /// <summary>16 bytes.</summary>
    [JsonConverter(typeof(HexJsonConverter))]
    public required byte[] ContentKey { get; init; }
    public int? SecurityLevel { get; init; }
    public int? HdcpOutputControl { get; init; }
    public int? TrackType { get; init; }
    public int? MinCertSecurityLevel { get; init; }

    /// <summary>Equal when every field is, the KID's and content key's bytes compared.</summary>
    public bool Equals(TokenKey? other) =>
        other is not null && Kid.AsSpan().SequenceEqual(other.Kid) && ContentKey.AsSpan().SequenceEqual(other.ContentKey)
        && SecurityLevel == other.SecurityLevel && HdcpOutputControl == other.HdcpOutputControl
        && TrackType == other.TrackType && MinCertSecurityLevel == other.MinCertSecurityLevel;

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.AddBytes(Kid);
        hash.Add(SecurityLevel);
        hash.Add(HdcpOutputControl);
        hash.Add(TrackType);
        hash.Add(MinCertSecurityLevel);
        return hash.ToHashCode();
    }
}

public sealed record WidevinePolicy
{
    public required int SecurityLevel { get; init; }
    public required int HdcpOutputControl { get; init; }
    /// <summary>Seconds from the start of playback; null is unlimited.</summary>
    public long? LicenseDuration { get; init; }
    public uint GeneralFlags { get; init; }
    public ImmutableArray<WvExtension> Extensions { get; init; } = [];
}

public sealed record WvExtension(string Type, string Payload);

public sealed record PlayReadyPolicy
{
    public required string RightsType { get; init; }
    public DateTimeOffset? RentalPeriodEndTime { get; init; }
    public long? RentalPlayDuration { get; init; }
    public uint GeneralFlags { get; init; }
    public required int AnalogVideoOpl { get; init; }
    public required int CompressedDigitalAudioOpl { get; init; }
    public required int CompressedDigitalVideoOpl { get; init; }
    public required int UncompressedDigitalAudioOpl { get; init; }
    public required int UncompressedDigitalVideoOpl { get; init; }
    public string UnknownOutputBehavior { get; init; } = "Allow";
    /// <summary>8 hex digits.</summary>
    public string? OutputControlFlags { get; init; }
    public string? ExtensionType { get; init; }
    public string? ExtensionPayload { get; init; }
    /// <summary>32 lower-case hex digits.</summary>
    public string? DeviceId { get; init; }
    /// <summary>The content's encryption: <c>aesctr</c> (CENC, the default) or <c>aescbc</c> (CBCS); section 14.</summary>
    public string AlgId { get; init; } = "aesctr";
    /// <summary>The unindexed <c>minCertSecurityLevel</c> (150, 2000, 3000), or null.</summary>
    public int? MinCertSecurityLevel { get; init; }
}

/// <summary>
/// The payload as JSON, for people (the admin tool's <c>token inspect</c>) and license servers (the forwarding
/// issuer, section 8); tokens carry it as CBOR. Bytes are lower-case hex strings in it (<see cref="HexJsonConverter"/>).
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(TokenPayload))]
public sealed partial class TokenJson : JsonSerializerContext;
