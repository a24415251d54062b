namespace Orleans.Tokens.Gateway.Validation;

/// <summary>
/// Contract section 13, FairPlay (<c>/hms/fp/token</c>): section 4's rows with FairPlay's key rules (<c>kid</c>
/// optional; the content key given, wrapped under <c>kek</c> as <c>ek</c>, or the stored key of <c>kid</c>), then
/// FairPlay's own rows. No indexed keys: section 14 gives them to Widevine and PlayReady.
/// </summary>
internal static class FairPlayParameters
{
    /// <summary><c>type,payload</c> as <c>wvExtension</c>; every way of getting it wrong is -6001.</summary>
    private static readonly ValueParser FpExtension =
        Values.Extension(ErrorCode.InvalidFpExtension, ErrorCode.InvalidFpExtension, ErrorCode.InvalidFpExtension);

    /// <summary>Whole seconds, 0 (the default: no rental limit) or more.</summary>
    private static readonly ValueParser RentalDuration = Values.Integer(0, int.MaxValue, ErrorCode.InvalidRentalTime);

    /// <summary>
    /// The key rows: <c>kek</c> with <c>contentKey</c> is -5007; <c>ek</c> without <c>kek</c>, or <c>kek</c> with
    /// neither <c>ek</c> nor <c>kid</c>, is -2035; with no key at all the <c>kid</c> to look one up is missing (-4018).
    /// </summary>
    private static Rule[] Keys =>
    [
        new Exclusive("kek", "contentKey", ErrorCode.KekAndContentKey),
        new Requires("ek", ["kek"], ErrorCode.NoMatchingValue),
        new Requires("kek", ["ek", "kid"], ErrorCode.NoMatchingValue),
        new AnyOf(["kid", "contentKey", "ek"], ErrorCode.MissingKid, "kid"),
        Param.Optional("kid", Values.Kid, ErrorCode.InvalidKid),
        Param.Optional("contentKey", CommonParameters.ContentKey, ErrorCode.InvalidContentKey),
        Param.Optional("kek", Values.Kek, ErrorCode.InvalidEncryptedKey),
        Param.Optional("ek", Values.WrappedKey("kek"), ErrorCode.InvalidEncryptedKey),
    ];

    public static Rule[] Table =>
    [
        .. CommonParameters.First,
        .. Keys,
        .. CommonParameters.Rest,
        Param.Required("iv", ErrorCode.InvalidIv, Values.HexBytes(32, ErrorCode.InvalidIv), ErrorCode.InvalidIv),
        Param.Optional("rentalDuration", RentalDuration, ErrorCode.InvalidRentalTime),
        new RepeatableField("fpExtension", 4, ErrorCode.InvalidFpExtension, FpExtension),
        Param.Forbidden("deviceId", ErrorCode.DeviceIdNotSupportedForFairPlay),
    ];
}
