using Orleans.Tokens.Gateway.Validation;

namespace Orleans.Tokens.Gateway.Minting;

/// <summary>Builds the token payload from a validated request, with every policy field given or its default.</summary>
internal static class TokenPolicy
{
    /// <summary>
    /// The payload of a token carrying <paramref name="contentKeys"/> (16 bytes each, in the order of
    /// <see cref="TokenRequest.Keys"/>); a new token id unless <paramref name="tokenId"/> (a keyed mint's) is given.
    /// </summary>
    public static TokenPayload Payload(TokenRequest request, TokenEnvironment environment, byte[][] contentKeys, string? tokenId = null)
    {
        var values = request.Values;
        var keys = request.Keys.Select((key, index) => Key(request, index, key.Kid, contentKeys[index])).ToImmutableArray();
        return new TokenPayload
        {
            TokenId = tokenId ?? TokenIds.New(request.Authenticator.CustomerId),
            CustomerId = request.Authenticator.CustomerId,
            Environment = environment.Name(),
            Drm = request.Drm.Name(),
            IssuedAt = values.IssuedAt,
            ExpiresAt = values.FindValue<DateTimeOffset>("expirationTime")
                ?? values.IssuedAt.AddDays(CommonParameters.MaxDaysToExpiry),
            Cookie = values.Find<string>("cookie"),
            ContentId = values.Find<string>("contentId"),
            SingleUse = request.SingleUse,
            AuthenticatorTag = Authenticator.Tag(request.Authenticator.SecretHash),
            Kid = keys[0].Kid,
            ContentKey = keys[0].ContentKey,
            Keys = keys,
            Widevine = request.Drm is Drm.Widevine or Drm.ClearKey ? Widevine(values, keys[0]) : null,
            PlayReady = request.Drm == Drm.PlayReady ? PlayReady(values) : null,
            FairPlay = request.Drm == Drm.FairPlay ? FairPlay(values) : null,
        };
    }

    private static FairPlayPolicy FairPlay(ParsedValues values) => new()
    {
        Iv = Convert.ToHexStringLower(values.Get<byte[]>("iv")),
        GeneralFlags = values.FindValue<uint>("generalFlags") ?? 0,
        RentalDuration = values.FindValue<long>("rentalDuration") ?? 0,
        Extensions = [.. values.Get<List<object>>("fpExtension").Cast<WvExtension>()],
    };

    /// <summary>Key <paramref name="index"/> with its own policy, or the unindexed value it defaults to (section 14).</summary>
    private static TokenKey Key(TokenRequest request, int index, byte[] kid, byte[] contentKey) => new()
    {
        Kid = Kid.ToHex(kid),
        ContentKey = Convert.ToHexStringLower(contentKey),
        SecurityLevel = (int?)IndexedKeys.PerKey<long>(request.Values, "securityLevel", index),
        HdcpOutputControl = (int?)IndexedKeys.PerKey<long>(request.Values, "hdcpOutputControl", index),
        TrackType = (int?)IndexedKeys.PerKey<long>(request.Values, "trackType", index),
        MinCertSecurityLevel = (int?)IndexedKeys.PerKey<long>(request.Values, "minCertSecurityLevel", index),
    };

    /// <summary>The Widevine policy; its security level and HDCP are the first key's.</summary>
    private static WidevinePolicy Widevine(ParsedValues values, TokenKey first) => new()
    {
        SecurityLevel = first.SecurityLevel!.Value,
        HdcpOutputControl = first.HdcpOutputControl!.Value,
        LicenseDuration = values.FindValue<long>("licenseDuration"),
        GeneralFlags = values.FindValue<uint>("generalFlags") ?? 0,
        Extensions = [.. values.Get<List<object>>("wvExtension").Cast<WvExtension>()],
    };

    private static PlayReadyPolicy PlayReady(ParsedValues values) => new()
    {
        RightsType = values.Get<string>("rightsType"),
        RentalPeriodEndTime = values.FindValue<DateTimeOffset>("rental.periodEndTime"),
        RentalPlayDuration = values.FindValue<long>("rental.playDuration"),
        GeneralFlags = values.FindValue<uint>("generalFlags") ?? 0,
        AnalogVideoOpl = Opl(values, "analogVideoOPL"),
        CompressedDigitalAudioOpl = Opl(values, "compressedDigitalAudioOPL"),
        CompressedDigitalVideoOpl = Opl(values, "compressedDigitalVideoOPL"),
        UncompressedDigitalAudioOpl = Opl(values, "uncompressedDigitalAudioOPL"),
        UncompressedDigitalVideoOpl = Opl(values, "uncompressedDigitalVideoOPL"),
        UnknownOutputBehavior = values.Find<string>("unknownOutputBehavior") ?? "Allow",
        OutputControlFlags = values.Find<byte[]>("outputControlFlags") is { } flags ? Convert.ToHexStringLower(flags) : null,
        ExtensionType = values.Find<string>("extensionType"),
        ExtensionPayload = values.Find<string>("extensionPayload"),
        DeviceId = values.Find<byte[]>("deviceId") is { } deviceId ? Convert.ToHexStringLower(deviceId) : null,
        AlgId = values.Find<string>("algId") ?? "aesctr",
        MinCertSecurityLevel = (int?)values.FindValue<long>("minCertSecurityLevel"),
    };

    private static int Opl(ParsedValues values, string name) => (int)values.Get<long>(name);
}
