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
            ExpiresAt = values.FindValue(CommonParameters.ExpirationTime)
                ?? values.IssuedAt.AddDays(CommonParameters.MaxDaysToExpiry),
            Cookie = values.Find(CommonParameters.Cookie),
            ContentId = values.Find(CommonParameters.ContentId),
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
        Iv = values.Get(FairPlayParameters.Iv),
        GeneralFlags = values.FindValue(CommonParameters.GeneralFlags) ?? 0,
        RentalDuration = values.FindValue(FairPlayParameters.RentalDuration) ?? 0,
        Extensions = [.. values.Get(FairPlayParameters.FpExtension)],
    };

    /// <summary>Key <paramref name="index"/> with its own policy, or the unindexed value it defaults to (section 14).</summary>
    private static TokenKey Key(TokenRequest request, int index, byte[] kid, byte[] contentKey) => new()
    {
        Kid = kid,
        ContentKey = contentKey,
        SecurityLevel = (int?)IndexedKeys.PerKey(request.Values, WidevineParameters.SecurityLevel, index),
        HdcpOutputControl = (int?)IndexedKeys.PerKey(request.Values, WidevineParameters.HdcpOutputControl, index),
        TrackType = (int?)IndexedKeys.PerKey(request.Values, WidevineParameters.TrackType, index),
        MinCertSecurityLevel = (int?)IndexedKeys.PerKey(request.Values, PlayReadyParameters.MinCertSecurityLevel, index),
    };

    /// <summary>The Widevine policy; its security level and HDCP are the first key's.</summary>
    private static WidevinePolicy Widevine(ParsedValues values, TokenKey first) => new()
    {
        SecurityLevel = first.SecurityLevel!.Value,
        HdcpOutputControl = first.HdcpOutputControl!.Value,
        LicenseDuration = values.FindValue(WidevineParameters.LicenseDuration),
        GeneralFlags = values.FindValue(CommonParameters.GeneralFlags) ?? 0,
        Extensions = [.. values.Get(WidevineParameters.WvExtension)],
    };

    private static PlayReadyPolicy PlayReady(ParsedValues values) => new()
    {
        RightsType = values.Get(PlayReadyParameters.RightsType),
        RentalPeriodEndTime = values.FindValue(PlayReadyParameters.RentalPeriodEndTime),
        RentalPlayDuration = values.FindValue(PlayReadyParameters.RentalPlayDuration),
        GeneralFlags = values.FindValue(CommonParameters.GeneralFlags) ?? 0,
        AnalogVideoOpl = Opl(values, PlayReadyParameters.AnalogVideoOpl),
        CompressedDigitalAudioOpl = Opl(values, PlayReadyParameters.CompressedDigitalAudioOpl),
        CompressedDigitalVideoOpl = Opl(values, PlayReadyParameters.CompressedDigitalVideoOpl),
        UncompressedDigitalAudioOpl = Opl(values, PlayReadyParameters.UncompressedDigitalAudioOpl),
        UncompressedDigitalVideoOpl = Opl(values, PlayReadyParameters.UncompressedDigitalVideoOpl),
        UnknownOutputBehavior = values.Find(PlayReadyParameters.UnknownOutputBehavior) ?? "Allow",
        OutputControlFlags = values.Find(PlayReadyParameters.OutputControlFlags) is { } flags ? Convert.ToHexStringLower(flags) : null,
        ExtensionType = values.Find(PlayReadyParameters.ExtensionType),
        ExtensionPayload = values.Find(PlayReadyParameters.ExtensionPayload),
        DeviceId = values.Find(CommonParameters.DeviceId) is { } deviceId ? Convert.ToHexStringLower(deviceId) : null,
        AlgId = values.Find(PlayReadyParameters.AlgId) ?? "aesctr",
        MinCertSecurityLevel = (int?)values.FindValue(PlayReadyParameters.MinCertSecurityLevel),
    };

    private static int Opl(ParsedValues values, Parameter<long> opl) => (int)values.Get(opl);
}
