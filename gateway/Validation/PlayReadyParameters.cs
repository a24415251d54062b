namespace Orleans.Tokens.Gateway.Validation;

/// <summary>
/// Contract section 5, PlayReady (<c>/hms/pr/token</c>), with section 14's <c>algId</c> and
/// <c>minCertSecurityLevel(.N)</c>.
/// </summary>
internal static class PlayReadyParameters
{
    public static readonly string[] Opls =
    [
        "analogVideoOPL", "compressedDigitalAudioOPL", "compressedDigitalVideoOPL",
        "uncompressedDigitalAudioOPL", "uncompressedDigitalVideoOPL",
    ];

    private static bool IsRental(ParsedValues parsed) => parsed.Find<string>("rightsType") == "Rental";

    /// <summary>The client certificate's minimum security level: the integer 150, 2000 or 3000, written with any number of digits (section 14).</summary>
    private static readonly ValueParser MinCertSecurityLevel = (value, parsed) =>
        Values.Integer(0, 3000, ErrorCode.InvalidGeneralFlags)(value, parsed) is { Error: ErrorCode.None, Value: long level } && level is 150 or 2000 or 3000
            ? Parsed.Ok(level)
            : Parsed.Fail(ErrorCode.InvalidGeneralFlags);

    private static readonly ValueParser ExtensionType = (value, _) =>
        value.Length == 4 ? Parsed.Ok(value) : Parsed.Fail(ErrorCode.ExtensionTypeLength);

    private static readonly ValueParser ExtensionPayload = (value, _) =>
        Values.IsBase64(value, 128) ? Parsed.Ok(value) : Parsed.Fail(ErrorCode.ExtensionPayloadNotBase64);

    public static readonly Rule[] Table =
    [
        Param.Required("rightsType", ErrorCode.MissingRightsType, Values.OneOf(ErrorCode.InvalidRightsType, "BuyToOwn", "Rental"), ErrorCode.InvalidRightsType),
        new Field("rental.periodEndTime", Values.FutureTime(ErrorCode.InvalidRentalTime), ErrorCode.InvalidRentalTime)
            { Missing = ErrorCode.MissingRentalPeriodEndTime, RequiredWhen = IsRental, AllowedWhen = IsRental, NotAllowed = ErrorCode.InvalidRentalTime },
        new Field("rental.playDuration", Values.PositiveSeconds(ErrorCode.InvalidRentalPlayDuration), ErrorCode.InvalidRentalPlayDuration)
            { AllowedWhen = IsRental, NotAllowed = ErrorCode.InvalidRentalPlayDuration },
        new Condition(parsed => !IsRental(parsed) || ((parsed.FindValue<uint>("generalFlags") ?? 0) & CommonParameters.PersistentLicense) != 0, ErrorCode.InvalidGeneralFlags),
        .. Opls.Select(name =>
            Param.Required(name, ErrorCode.MissingOpl, Values.Integer(0, 999, ErrorCode.InvalidOutputControl, ErrorCode.OutputControlOutOfRange), ErrorCode.InvalidOutputControl)),
        Param.Optional("unknownOutputBehavior", Values.OneOf(ErrorCode.InvalidUnknownOutputBehavior, "Allow", "Disallow", "SDOnly"), ErrorCode.InvalidUnknownOutputBehavior),
        Param.Optional("outputControlFlags", Values.HexBytes(8, ErrorCode.OutputControlFlagsLength), ErrorCode.OutputControlFlagsLength),
        new Together("extensionType", "extensionPayload", ErrorCode.NoMatchingValue),
        Param.Optional("extensionType", ExtensionType, ErrorCode.ExtensionTypeLength),
        Param.Optional("extensionPayload", ExtensionPayload, ErrorCode.ExtensionPayloadNotBase64),
        Param.Optional("deviceId", Values.HexBytes(32, ErrorCode.InvalidDeviceId, ErrorCode.DeviceIdLength), ErrorCode.InvalidDeviceId),
        Param.Optional("algId", Values.OneOf(ErrorCode.InvalidAlgorithmId, "aesctr", "aescbc"), ErrorCode.InvalidAlgorithmId),
        Param.Optional("minCertSecurityLevel", MinCertSecurityLevel, ErrorCode.InvalidGeneralFlags),
        new IndexedField("minCertSecurityLevel", MinCertSecurityLevel, ErrorCode.InvalidGeneralFlags),
    ];
}
