namespace Orleans.Tokens.Gateway.Validation;

/// <summary>
/// Contract section 5, Widevine (<c>/hms/wv/token</c>), with section 14's HDCP levels 0–5 and per-key
/// <c>securityLevel.N</c>, <c>hdcpOutputControl.N</c> and <c>trackType.N</c>.
/// </summary>
internal static class WidevineParameters
{
    // Section 5's Widevine parameters (and section 14's trackType), by their names in a request.
    public static readonly Parameter<long> SecurityLevel = new("securityLevel");
    public static readonly Parameter<long> HdcpOutputControl = new("hdcpOutputControl");
    public static readonly Parameter<long> TrackType = new("trackType");
    public static readonly Parameter<long> LicenseDuration = new("licenseDuration");
    public static readonly Parameter<IReadOnlyList<WvExtension>> WvExtension = new("wvExtension");

    /// <summary><c>type,payload</c>: type exactly 4 characters, payload standard base64 of at most 128 characters.</summary>
    private static readonly ValueParser<WvExtension> WvExtensions =
        Values.Extension(ErrorCode.InvalidWvExtension, ErrorCode.ExtensionTypeLength, ErrorCode.ExtensionPayloadNotBase64);

    private static readonly ValueParser<long> SecurityLevels = Values.Integer(1, 5, ErrorCode.InvalidSecurityLevel);

    private static readonly ValueParser<long> HdcpOutputControls = Values.Integer(0, 5, ErrorCode.InvalidOutputControl, ErrorCode.OutputControlOutOfRange);

    /// <summary>0 SD, 1 HD, 2 AUDIO, 3 UHD1, 4 UHD2 (section 14).</summary>
    private static readonly ValueParser<long> TrackTypes = Values.Integer(0, 4, ErrorCode.InvalidWvExtension);

    // With indexed keys the unindexed securityLevel and hdcpOutputControl are defaults: every key needs one or its own.
    public static readonly Rule[] Table =
    [
        new EveryKey(SecurityLevel, ErrorCode.MissingSecurityLevel),
        Param.Optional(SecurityLevel, SecurityLevels, ErrorCode.InvalidSecurityLevel),
        new IndexedField<long>(SecurityLevel, SecurityLevels, ErrorCode.InvalidSecurityLevel),
        new EveryKey(HdcpOutputControl, ErrorCode.MissingHdcpOutputControl),
        Param.Optional(HdcpOutputControl, HdcpOutputControls, ErrorCode.InvalidOutputControl),
        new IndexedField<long>(HdcpOutputControl, HdcpOutputControls, ErrorCode.InvalidOutputControl),
        new IndexedField<long>(TrackType, TrackTypes, ErrorCode.InvalidWvExtension),
        Param.Optional(LicenseDuration, Values.PositiveSeconds(ErrorCode.InvalidLicenseDuration), ErrorCode.InvalidLicenseDuration),
        new RepeatableField<WvExtension>(WvExtension, 4, ErrorCode.InvalidWvExtension, WvExtensions),
        new Forbidden(CommonParameters.DeviceId, ErrorCode.DeviceIdNotSupported),
    ];
}
