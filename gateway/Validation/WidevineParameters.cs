namespace Orleans.Tokens.Gateway.Validation;

/// <summary>
/// Contract section 5, Widevine (<c>/hms/wv/token</c>), with section 14's HDCP levels 0–5 and per-key
/// <c>securityLevel.N</c>, <c>hdcpOutputControl.N</c> and <c>trackType.N</c>.
/// </summary>
internal static class WidevineParameters
{
    /// <summary><c>type,payload</c>: type exactly 4 characters, payload standard base64 of at most 128 characters.</summary>
    private static readonly ValueParser WvExtension =
        Values.Extension(ErrorCode.InvalidWvExtension, ErrorCode.ExtensionTypeLength, ErrorCode.ExtensionPayloadNotBase64);

    private static readonly ValueParser SecurityLevel = Values.Integer(1, 5, ErrorCode.InvalidSecurityLevel);

    private static readonly ValueParser HdcpOutputControl = Values.Integer(0, 5, ErrorCode.InvalidOutputControl, ErrorCode.OutputControlOutOfRange);

    /// <summary>0 SD, 1 HD, 2 AUDIO, 3 UHD1, 4 UHD2 (section 14).</summary>
    private static readonly ValueParser TrackType = Values.Integer(0, 4, ErrorCode.InvalidWvExtension);

    // With indexed keys the unindexed securityLevel and hdcpOutputControl are defaults: every key needs one or its own.
    public static readonly Rule[] Table =
    [
        new EveryKey("securityLevel", ErrorCode.MissingSecurityLevel),
        Param.Optional("securityLevel", SecurityLevel, ErrorCode.InvalidSecurityLevel),
        new IndexedField("securityLevel", SecurityLevel, ErrorCode.InvalidSecurityLevel),
        new EveryKey("hdcpOutputControl", ErrorCode.MissingHdcpOutputControl),
        Param.Optional("hdcpOutputControl", HdcpOutputControl, ErrorCode.InvalidOutputControl),
        new IndexedField("hdcpOutputControl", HdcpOutputControl, ErrorCode.InvalidOutputControl),
        new IndexedField("trackType", TrackType, ErrorCode.InvalidWvExtension),
        Param.Optional("licenseDuration", Values.PositiveSeconds(ErrorCode.InvalidLicenseDuration), ErrorCode.InvalidLicenseDuration),
        new RepeatableField("wvExtension", 4, ErrorCode.InvalidWvExtension, WvExtension),
        Param.Forbidden("deviceId", ErrorCode.DeviceIdNotSupported),
    ];
}
