namespace Orleans.Tokens.Tests.Contract;

/// <summary>Section 6 of the contract, copied by hand: each code's text, and whether the table shows <c>&lt;details&gt;</c>.</summary>
public static class SpecErrors
{
    public static readonly IReadOnlyDictionary<int, (string Text, bool HasDetails)> Texts = new Dictionary<int, (string, bool)>
    {
        [-2002] = ("Invalid token expiration time", true),
        [-2005] = ("Invalid content encryption key", true),
        [-2008] = ("Invalid output control flags specified", true),
        [-2017] = ("Authenticator token must be specified", false),
        [-2018] = ("Invalid authenticator token", true),
        [-2019] = ("Insufficient tokens available", false),
        [-2020] = ("Missing rights type", false),
        [-2021] = ("Invalid rights type", false),
        [-2022] = ("Missing rental period end time", false),
        [-2025] = ("Invalid rental play duration", false),
        [-2027] = ("Content encryption key must be 32 hexadecimal digits long", false),
        [-2030] = ("Administration error", true),
        [-2031] = ("Service account disabled", false),
        [-2033] = ("Invalid cookie", false),
        [-2034] = ("Invalid output control, values out of specified range", false),
        [-2035] = ("No matching value specified", false),
        [-2036] = ("Extension type must be 4 characters", false),
        [-2037] = ("Extension payload must be Base64 encoded", false),
        [-2040] = ("OutputControlFlags must encode 4 bytes", false),
        [-3004] = ("Invalid error format specified", true),
        [-4010] = ("Invalid token", false),
        [-4018] = ("kid is missing", false),
        [-4019] = ("Failed to get content key from key storage service", false),
        [-4020] = ("kid must be 32 hexadecimal characters long", false),
        [-4021] = ("kid must be at most 64 characters long after the '^'", false),
        [-4022] = ("Invalid kid", false),
        [-4024] = ("Invalid encrypted key or kek", false),
        [-5001] = ("Invalid unknown output behavior", false),
        [-5002] = ("PlayReady option is disabled for this service", false),
        [-5003] = ("Invalid general flags", false),
        [-5004] = ("Device ID must be 32 hexadecimal characters long", false),
        [-5005] = ("Invalid device ID", false),
        [-5006] = ("Missing OPL value", true),
        [-5007] = ("Only one of kek or contentKey can be specified", false),
        [-6001] = ("Invalid FPExtension parameters specified", false),
        [-6003] = ("Invalid iv parameter specified", false),
        [-6005] = ("Invalid key data specified", true),
        [-6007] = ("Invalid rental time specified", true),
        [-6008] = ("Device ID binding is not supported for FairPlay", false),
        [-6009] = ("FairPlay option disabled", false),
        [-7002] = ("Device ID binding is not supported for Widevine", false),
        [-7003] = ("Missing security level value", false),
        [-7004] = ("Invalid security level value", false),
        [-7006] = ("Missing HDCP output control value", false),
        [-7007] = ("Invalid license duration specified", false),
        [-7008] = ("Failed to generate license", false),
        [-7009] = ("Invalid WVExtension parameters specified", false),
        [-7011] = ("Widevine option is disabled for this service", false),
        [-9001] = ("Outcome unknown: retry with the same Idempotency-Key", false),
        [-9002] = ("Idempotency key reused with different parameters", false),
        [-9003] = ("A request with this idempotency key is in progress", false),
        [-9004] = ("Invalid idempotency key", false),
        [-9005] = ("Invalid algorithm id", false),
    };

    /// <summary>
    /// Section 2's status table: 401 for the authenticator codes, 400 for every other refusal; section 14's for
    /// -9001..-9003.
    /// </summary>
    public static int StatusFor(int code) => code switch
    {
        -2017 or -2018 => 401,
        -9001 => 503,
        -9002 => 422,
        -9003 => 409,
        _ => 400,
    };
}
