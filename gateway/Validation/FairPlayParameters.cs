namespace Orleans.Tokens.Gateway.Validation;

/// <summary>
/// Contract section 13, FairPlay (<c>/hms/fp/token</c>): section 4's rows with FairPlay's key rules (<c>kid</c>
/// optional; the content key given, wrapped under <c>kek</c> as <c>ek</c>, or the stored key of <c>kid</c>), then
/// FairPlay's own rows. No indexed keys: section 14 gives them to Widevine and PlayReady.
/// </summary>
internal static class FairPlayParameters
{
    // Section 13's FairPlay parameters, by their names in a request.
    public static readonly Parameter<byte[]> Iv = new("iv");
    public static readonly Parameter<long> RentalDuration = new("rentalDuration");
    public static readonly Parameter<IReadOnlyList<WvExtension>> FpExtension = new("fpExtension");

    /// <summary><c>type,payload</c> as <c>wvExtension</c>; every way of getting it wrong is -6001.</summary>
    private static readonly ValueParser<WvExtension> FpExtensions =
        Values.Extension(ErrorCode.InvalidFpExtension, ErrorCode.InvalidFpExtension, ErrorCode.InvalidFpExtension);

    /// <summary>Whole seconds, 0 (the default: no rental limit) or more.</summary>
    private static readonly ValueParser<long> RentalDurations = Values.Integer(0, int.MaxValue, ErrorCode.InvalidRentalTime);

    /// <summary>
    /// The key rows: <c>kek</c> with <c>contentKey</c> is -5007; <c>ek</c> without <c>kek</c>, or <c>kek</c> with
    /// neither <c>ek</c> nor <c>kid</c>, is -2035; with no key at all the <c>kid</c> to look one up is missing (-4018).
    /// </summary>
    private static Rule[] Keys =>
    [
        new Exclusive(CommonParameters.Kek, CommonParameters.ContentKey, ErrorCode.KekAndContentKey),
        new Requires(CommonParameters.Ek, [CommonParameters.Kek], ErrorCode.NoMatchingValue),
        new Requires(CommonParameters.Kek, [CommonParameters.Ek, CommonParameters.Kid], ErrorCode.NoMatchingValue),
        new AnyOf([CommonParameters.Kid, CommonParameters.ContentKey, CommonParameters.Ek], ErrorCode.MissingKid, CommonParameters.Kid),
        Param.Optional(CommonParameters.Kid, Values.Kid, ErrorCode.InvalidKid),
        Param.Optional(CommonParameters.ContentKey, CommonParameters.ContentKeys, ErrorCode.InvalidContentKey),
        Param.Optional(CommonParameters.Kek, Values.Kek, ErrorCode.InvalidEncryptedKey),
        Param.Optional(CommonParameters.Ek, Values.WrappedKey(CommonParameters.Kek), ErrorCode.InvalidEncryptedKey),
    ];

    public static Rule[] Table =>
    [
        .. CommonParameters.First,
        .. Keys,
        .. CommonParameters.Rest,
        Param.Required(Iv, ErrorCode.InvalidIv, Values.HexBytes(32, ErrorCode.InvalidIv), ErrorCode.InvalidIv),
        Param.Optional(RentalDuration, RentalDurations, ErrorCode.InvalidRentalTime),
        new RepeatableField<WvExtension>(FpExtension, 4, ErrorCode.InvalidFpExtension, FpExtensions),
        new Forbidden(CommonParameters.DeviceId, ErrorCode.DeviceIdNotSupportedForFairPlay),
    ];
}
