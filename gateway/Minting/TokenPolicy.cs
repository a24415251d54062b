using Orleans.Tokens.Gateway.Validation;

namespace Orleans.Tokens.Gateway.Minting;

/// <summary>Builds the token payload from a validated request, with every policy field given or its default.</summary>
internal static class TokenPolicy
{
    /// <summary>The payload; a new token id unless <paramref name="tokenId"/> (a keyed mint's) is given.</summary>
    public static TokenPayload Payload(TokenRequest request, TokenEnvironment environment, byte[] contentKey, string? tokenId = null)
    {
        var values = request.Values;
        return new TokenPayload
        {
            TokenId = tokenId ?? Guid.NewGuid().ToString("N"),
            CustomerId = request.Authenticator.CustomerId,
            Environment = environment.Name(),
            Drm = request.Drm.Name(),
            IssuedAt = values.IssuedAt,
            ExpiresAt = values.FindValue<DateTimeOffset>("expirationTime")
                ?? values.IssuedAt.AddDays(CommonParameters.MaxDaysToExpiry),
            Cookie = values.Find<string>("cookie"),
            ContentId = values.Find<string>("contentId"),
            Kid = Kid.ToHex(request.Kid),
            ContentKey = Convert.ToHexStringLower(contentKey),
            Widevine = request.Drm == Drm.Widevine ? Widevine(values) : null,
            PlayReady = request.Drm == Drm.PlayReady ? PlayReady(values) : null,
        };
    }

    private static WidevinePolicy Widevine(ParsedValues values) => new()
    {
        SecurityLevel = (int)values.Get<long>("securityLevel"),
        HdcpOutputControl = (int)values.Get<long>("hdcpOutputControl"),
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
    };

    private static int Opl(ParsedValues values, string name) => (int)values.Get<long>(name);
}
