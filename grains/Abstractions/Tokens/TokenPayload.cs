using System.Text.Json.Serialization;

namespace Orleans.Tokens;

/// <summary>Everything a license server needs, sealed into a token (contract section 7).</summary>
public sealed record TokenPayload
{
    public required string TokenId { get; init; }
    public required long CustomerId { get; init; }
    public required string Environment { get; init; }
    public required string Drm { get; init; }
    public required DateTimeOffset IssuedAt { get; init; }
    public required DateTimeOffset ExpiresAt { get; init; }
    public string? Cookie { get; init; }
    public string? ContentId { get; init; }
    /// <summary>32 lower-case hex digits.</summary>
    public required string Kid { get; init; }
    /// <summary>32 lower-case hex digits.</summary>
    public required string ContentKey { get; init; }
    public WidevinePolicy? Widevine { get; init; }
    public PlayReadyPolicy? PlayReady { get; init; }
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
}

/// <summary>The payload as JSON, for people (the admin tool's <c>token inspect</c>); tokens carry it as CBOR.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(TokenPayload))]
public sealed partial class TokenJson : JsonSerializerContext;
