namespace Orleans.Tokens.Gateway.Validation;

/// <summary>
/// Contract section 5, PlayReady (<c>/hms/pr/token</c>), with section 14's <c>algId</c> and
/// <c>minCertSecurityLevel(.N)</c>.
/// </summary>
internal static class PlayReadyParameters
{
    // Section 5's PlayReady parameters (and section 14's algId and minCertSecurityLevel), by their names in a request.
    public static readonly Parameter<string> RightsType = new("rightsType");
    public static readonly Parameter<DateTimeOffset> RentalPeriodEndTime = new("rental.periodEndTime");
    public static readonly Parameter<long> RentalPlayDuration = new("rental.playDuration");
    public static readonly Parameter<long> AnalogVideoOpl = new("analogVideoOPL");
    public static readonly Parameter<long> CompressedDigitalAudioOpl = new("compressedDigitalAudioOPL");
    public static readonly Parameter<long> CompressedDigitalVideoOpl = new("compressedDigitalVideoOPL");
    public static readonly Parameter<long> UncompressedDigitalAudioOpl = new("uncompressedDigitalAudioOPL");
    public static readonly Parameter<long> UncompressedDigitalVideoOpl = new("uncompressedDigitalVideoOPL");
    public static readonly Parameter<string> UnknownOutputBehavior = new("unknownOutputBehavior");
    public static readonly Parameter<byte[]> OutputControlFlags = new("outputControlFlags");
    public static readonly Parameter<string> ExtensionType = new("extensionType");
    public static readonly Parameter<string> ExtensionPayload = new("extensionPayload");
    public static readonly Parameter<string> AlgId = new("algId");
    public static readonly Parameter<long> MinCertSecurityLevel = new("minCertSecurityLevel");

    /// <summary>The output protection levels, all required.</summary>
    private static readonly Parameter<long>[] Opls =
    [
        AnalogVideoOpl, CompressedDigitalAudioOpl, CompressedDigitalVideoOpl, UncompressedDigitalAudioOpl, UncompressedDigitalVideoOpl,
    ];

    private static bool IsRental(ParsedValues parsed) => parsed.Find(RightsType) == "Rental";

    /// <summary>The client certificate's minimum security level: the integer 150, 2000 or 3000, written with any number of digits (section 14).</summary>
    private static readonly ValueParser<long> MinCertSecurityLevels = (value, parsed) =>
        Values.Integer(0, 3000, ErrorCode.InvalidGeneralFlags)(value, parsed) is { Error: ErrorCode.None, Value: var level } && level is 150 or 2000 or 3000
            ? Parsed.Ok(level)
            : Parsed.Fail(ErrorCode.InvalidGeneralFlags);

    private static readonly ValueParser<string> ExtensionTypes = (value, _) =>
        value.Length == 4 ? Parsed.Ok(value) : Parsed.Fail(ErrorCode.ExtensionTypeLength);

    private static readonly ValueParser<string> ExtensionPayloads = (value, _) =>
        Values.IsBase64(value, 128) ? Parsed.Ok(value) : Parsed.Fail(ErrorCode.ExtensionPayloadNotBase64);

    public static readonly Rule[] Table =
    [
        Param.Required(RightsType, ErrorCode.MissingRightsType, Values.OneOf(ErrorCode.InvalidRightsType, "BuyToOwn", "Rental"), ErrorCode.InvalidRightsType),
        new Field<DateTimeOffset>(RentalPeriodEndTime, Values.FutureTime(ErrorCode.InvalidRentalTime), ErrorCode.InvalidRentalTime)
            { Missing = ErrorCode.MissingRentalPeriodEndTime, RequiredWhen = IsRental, AllowedWhen = IsRental, NotAllowed = ErrorCode.InvalidRentalTime },
        new Field<long>(RentalPlayDuration, Values.PositiveSeconds(ErrorCode.InvalidRentalPlayDuration), ErrorCode.InvalidRentalPlayDuration)
            { AllowedWhen = IsRental, NotAllowed = ErrorCode.InvalidRentalPlayDuration },
        new Condition(parsed => !IsRental(parsed) || ((parsed.FindValue(CommonParameters.GeneralFlags) ?? 0) & CommonParameters.PersistentLicense) != 0, ErrorCode.InvalidGeneralFlags),
        .. Opls.Select(opl =>
            Param.Required(opl, ErrorCode.MissingOpl, Values.Integer(0, 999, ErrorCode.InvalidOutputControl, ErrorCode.OutputControlOutOfRange), ErrorCode.InvalidOutputControl)),
        Param.Optional(UnknownOutputBehavior, Values.OneOf(ErrorCode.InvalidUnknownOutputBehavior, "Allow", "Disallow", "SDOnly"), ErrorCode.InvalidUnknownOutputBehavior),
        Param.Optional(OutputControlFlags, Values.HexBytes(8, ErrorCode.OutputControlFlagsLength), ErrorCode.OutputControlFlagsLength),
        new Together(ExtensionType, ExtensionPayload, ErrorCode.NoMatchingValue),
        Param.Optional(ExtensionType, ExtensionTypes, ErrorCode.ExtensionTypeLength),
        Param.Optional(ExtensionPayload, ExtensionPayloads, ErrorCode.ExtensionPayloadNotBase64),
        Param.Optional(CommonParameters.DeviceId, Values.HexBytes(32, ErrorCode.InvalidDeviceId, ErrorCode.DeviceIdLength), ErrorCode.InvalidDeviceId),
        Param.Optional(AlgId, Values.OneOf(ErrorCode.InvalidAlgorithmId, "aesctr", "aescbc"), ErrorCode.InvalidAlgorithmId),
        Param.Optional(MinCertSecurityLevel, MinCertSecurityLevels, ErrorCode.InvalidGeneralFlags),
        new IndexedField<long>(MinCertSecurityLevel, MinCertSecurityLevels, ErrorCode.InvalidGeneralFlags),
    ];
}
