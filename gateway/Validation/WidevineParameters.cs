namespace Orleans.Tokens.Gateway.Validation;

/// <summary>Contract section 5, Widevine (<c>/hms/wv/token</c>), with section 14's HDCP levels 0–5.</summary>
internal static class WidevineParameters
{
    /// <summary><c>type,payload</c>: type exactly 4 characters, payload standard base64 of at most 128 characters.</summary>
    private static readonly ValueParser WvExtension = (value, _) =>
    {
        var comma = value.IndexOf(',');
        if (comma < 0) return Parsed.Fail(ErrorCode.InvalidWvExtension);
        var type = value[..comma];
        var payload = value[(comma + 1)..];
        if (type.Length != 4) return Parsed.Fail(ErrorCode.ExtensionTypeLength);
        if (payload.Length > 128) return Parsed.Fail(ErrorCode.InvalidWvExtension);
        if (payload.Length == 0 || !Values.IsBase64(payload, 128)) return Parsed.Fail(ErrorCode.ExtensionPayloadNotBase64);
        return Parsed.Ok(new WvExtension(type, payload));
    };

    public static readonly Rule[] Table =
    [
        Param.Required("securityLevel", ErrorCode.MissingSecurityLevel, Values.Integer(1, 5, ErrorCode.InvalidSecurityLevel), ErrorCode.InvalidSecurityLevel),
        Param.Required("hdcpOutputControl", ErrorCode.MissingHdcpOutputControl, Values.Integer(0, 5, ErrorCode.InvalidOutputControl, ErrorCode.OutputControlOutOfRange), ErrorCode.InvalidOutputControl),
        Param.Optional("licenseDuration", Values.PositiveSeconds(ErrorCode.InvalidLicenseDuration), ErrorCode.InvalidLicenseDuration),
        new RepeatableField("wvExtension", 4, ErrorCode.InvalidWvExtension, WvExtension),
        Param.Forbidden("deviceId", ErrorCode.DeviceIdNotSupported),
    ];
}
