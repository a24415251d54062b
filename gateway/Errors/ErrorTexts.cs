namespace Orleans.Tokens.Gateway.Errors;

/// <summary>The texts of contract sections 6 and 14. A text ending in <c>: &lt;details&gt;</c> takes details.</summary>
internal static class ErrorTexts
{
    private const string Details = ": <details>";

    private static readonly Dictionary<ErrorCode, string> Texts = new()
    {
        [ErrorCode.InvalidExpirationTime] = "Invalid token expiration time: <details>",
        [ErrorCode.InvalidContentKey] = "Invalid content encryption key: <details>",
        [ErrorCode.InvalidOutputControl] = "Invalid output control flags specified: <details>",
        [ErrorCode.MissingAuthenticator] = "Authenticator token must be specified",
        [ErrorCode.InvalidAuthenticator] = "Invalid authenticator token: <details>",
        [ErrorCode.InsufficientTokens] = "Insufficient tokens available",
        [ErrorCode.MissingRightsType] = "Missing rights type",
        [ErrorCode.InvalidRightsType] = "Invalid rights type",
        [ErrorCode.MissingRentalPeriodEndTime] = "Missing rental period end time",
        [ErrorCode.InvalidRentalPlayDuration] = "Invalid rental play duration",
        [ErrorCode.ContentKeyLength] = "Content encryption key must be 32 hexadecimal digits long",
        [ErrorCode.AdministrationError] = "Administration error: <details>",
        [ErrorCode.AccountDisabled] = "Service account disabled",
        [ErrorCode.InvalidCookie] = "Invalid cookie",
        [ErrorCode.OutputControlOutOfRange] = "Invalid output control, values out of specified range",
        [ErrorCode.NoMatchingValue] = "No matching value specified",
        [ErrorCode.ExtensionTypeLength] = "Extension type must be 4 characters",
        [ErrorCode.ExtensionPayloadNotBase64] = "Extension payload must be Base64 encoded",
        [ErrorCode.OutputControlFlagsLength] = "OutputControlFlags must encode 4 bytes",
        [ErrorCode.InvalidErrorFormat] = "Invalid error format specified: <details>",
        [ErrorCode.InvalidToken] = "Invalid token: <details>",
        [ErrorCode.MissingKid] = "kid is missing",
        [ErrorCode.KeyNotInStorage] = "Failed to get content key from key storage service",
        [ErrorCode.KidLength] = "kid must be 32 hexadecimal characters long",
        [ErrorCode.KidNameTooLong] = "kid must be at most 64 characters long after the '^'",
        [ErrorCode.InvalidKid] = "Invalid kid",
        [ErrorCode.InvalidEncryptedKey] = "Invalid encrypted key or kek",
        [ErrorCode.InvalidUnknownOutputBehavior] = "Invalid unknown output behavior",
        [ErrorCode.PlayReadyDisabled] = "PlayReady option is disabled for this service",
        [ErrorCode.InvalidGeneralFlags] = "Invalid general flags",
        [ErrorCode.DeviceIdLength] = "Device ID must be 32 hexadecimal characters long",
        [ErrorCode.InvalidDeviceId] = "Invalid device ID",
        [ErrorCode.MissingOpl] = "Missing OPL value: <details>",
        [ErrorCode.KekAndContentKey] = "Only one of kek or contentKey can be specified",
        [ErrorCode.InvalidKeyData] = "Invalid key data specified: <details>",
        [ErrorCode.InvalidRentalTime] = "Invalid rental time specified: <details>",
        [ErrorCode.DeviceIdNotSupported] = "Device ID binding is not supported for Widevine",
        [ErrorCode.MissingSecurityLevel] = "Missing security level value",
        [ErrorCode.InvalidSecurityLevel] = "Invalid security level value",
        [ErrorCode.MissingHdcpOutputControl] = "Missing HDCP output control value",
        [ErrorCode.InvalidLicenseDuration] = "Invalid license duration specified",
        // Section 8: a challenge the issuer cannot parse is -7008 with details; an issuer's failure has none.
        [ErrorCode.LicenseGenerationFailed] = "Failed to generate license: <details>",
        [ErrorCode.InvalidWvExtension] = "Invalid WVExtension parameters specified",
        [ErrorCode.WidevineDisabled] = "Widevine option is disabled for this service",
        [ErrorCode.OutcomeUnknown] = "Outcome unknown: retry with the same Idempotency-Key",
        [ErrorCode.IdempotencyKeyReused] = "Idempotency key reused with different parameters",
        [ErrorCode.IdempotencyKeyInProgress] = "A request with this idempotency key is in progress",
        [ErrorCode.InvalidIdempotencyKey] = "Invalid idempotency key",
        [ErrorCode.InvalidAlgorithmId] = "Invalid algorithm id",
        [ErrorCode.InvalidFpExtension] = "Invalid FPExtension parameters specified",
        [ErrorCode.InvalidIv] = "Invalid iv parameter specified",
        [ErrorCode.DeviceIdNotSupportedForFairPlay] = "Device ID binding is not supported for FairPlay",
        [ErrorCode.FairPlayDisabled] = "FairPlay option disabled",
        [ErrorCode.TooManyRequests] = "Too many requests",
    };

    /// <summary>Where one code has another text for one DRM: -6007 is PlayReady's rental time and FairPlay's rental duration (section 13).</summary>
    private static readonly Dictionary<(Drm, ErrorCode), string> DrmTexts = new()
    {
        [(Drm.FairPlay, ErrorCode.InvalidRentalTime)] = "Invalid rental duration specified",
    };

    /// <summary>
    /// The text of <paramref name="code"/> (for <paramref name="drm"/>, when it has its own), with
    /// <paramref name="details"/> where the table takes them.
    /// </summary>
    public static string For(ErrorCode code, string? details, Drm? drm = null)
    {
        var text = drm is { } forDrm && DrmTexts.TryGetValue((forDrm, code), out var own) ? own : Texts[code];
        return text.EndsWith(Details, StringComparison.Ordinal)
            ? string.IsNullOrEmpty(details) ? text[..^Details.Length] : text[..^"<details>".Length] + details
            : text;
    }

    public static int Status(ErrorCode code) => code switch
    {
        ErrorCode.MissingAuthenticator or ErrorCode.InvalidAuthenticator => StatusCodes.Status401Unauthorized,
        ErrorCode.LicenseGenerationFailed => StatusCodes.Status500InternalServerError,
        ErrorCode.OutcomeUnknown => StatusCodes.Status503ServiceUnavailable,
        ErrorCode.IdempotencyKeyReused => StatusCodes.Status422UnprocessableEntity,
        ErrorCode.IdempotencyKeyInProgress => StatusCodes.Status409Conflict,
        ErrorCode.TooManyRequests => StatusCodes.Status429TooManyRequests,
        _ => StatusCodes.Status400BadRequest,
    };
}
