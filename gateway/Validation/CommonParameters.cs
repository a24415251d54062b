using System.Buffers;
using Orleans.Tokens.Gateway.Errors;

namespace Orleans.Tokens.Gateway.Validation;

/// <summary>
/// Contract section 4, in the order of checks of section 3: <c>errorFormat</c>, the authenticator, then the
/// table's rows. The key rows check presence and exclusion before any value (-5007, then -2035). Section 14's
/// indexed keys take the place of the plain ones: the form first (both is -2035), then <c>kid.0</c>…<c>kid.N</c>,
/// then <c>contentKey.N</c>, each checked as its plain row.
/// </summary>
internal static class CommonParameters
{
    public const int MaxDaysToExpiry = TokenPayload.LongestLifeDays;

    /// <summary>The one <c>generalFlags</c> bit any DRM takes: a persistent license (sections 4 and 14).</summary>
    public const uint PersistentLicense = 0x1;

    // Section 4's parameters (and section 14's useHttps, section 8's singleUse), by their names in a request.
    public static readonly Parameter<ErrorFormat> ErrorFormat = new("errorFormat");
    public static readonly Parameter<ParsedAuthenticator> CustomerAuthenticator = new("customerAuthenticator");
    public static readonly Parameter<byte[]> Kid = new("kid");
    public static readonly Parameter<byte[]> ContentKey = new("contentKey");
    public static readonly Parameter<byte[]> Kek = new("kek");
    public static readonly Parameter<byte[]> Ek = new("ek");
    public static readonly Parameter<string> ContentId = new("contentId");
    public static readonly Parameter<uint> GeneralFlags = new("generalFlags");
    public static readonly Parameter<DateTimeOffset> ExpirationTime = new("expirationTime");
    public static readonly Parameter<string> Cookie = new("cookie");
    public static readonly Parameter<bool> UseHttps = new("useHttps");
    public static readonly Parameter<bool> SingleUse = new("singleUse");

    /// <summary>PlayReady's device id (section 5); the other DRMs refuse it.</summary>
    public static readonly Parameter<byte[]> DeviceId = new("deviceId");

    /// <summary>The table of Widevine and PlayReady (built when read: it refers to the parsers below, which are initialised after it).</summary>
    public static Rule[] Table => [.. First, .. Keys, .. Rest];

    /// <summary>What every DRM checks first (section 3, steps 1 and 2).</summary>
    public static Rule[] First =>
    [
        Param.Optional(ErrorFormat, ErrorFormats, ErrorCode.InvalidErrorFormat),
        Param.Required(CustomerAuthenticator, ErrorCode.MissingAuthenticator, Authenticators, ErrorCode.InvalidAuthenticator),
    ];

    /// <summary>The key rows of Widevine and PlayReady: plain or section 14's indexed keys.</summary>
    private static Rule[] Keys =>
    [
        new KeyForm([Kid, ContentKey, Kek, Ek], [Kid, ContentKey], ErrorCode.NoMatchingValue),
        new Field<byte[]>(Kid, Values.Kid, ErrorCode.InvalidKid) { Missing = ErrorCode.MissingKid, RequiredWhen = parsed => !parsed.IsIndexed },
        new IndexedField<byte[]>(Kid, Values.Kid, ErrorCode.InvalidKid) { Missing = ErrorCode.MissingKid },
        new DistinctKids(ErrorCode.InvalidKid),
        new Exclusive(Kek, ContentKey, ErrorCode.KekAndContentKey),
        new Together(Kek, Ek, ErrorCode.NoMatchingValue),
        Param.Optional(ContentKey, ContentKeys, ErrorCode.InvalidContentKey),
        new IndexedField<byte[]>(ContentKey, ContentKeys, ErrorCode.InvalidContentKey),
        Param.Optional(Kek, Values.Kek, ErrorCode.InvalidEncryptedKey),
        Param.Optional(Ek, Values.WrappedKey(Kek), ErrorCode.InvalidEncryptedKey),
    ];

    /// <summary>
    /// The rows of section 4 after the keys, every DRM's, section 14's <c>useHttps</c> and section 8's
    /// <c>singleUse</c>; the contract gives <c>singleUse</c> no code of its own, so it takes <c>useHttps</c>'s.
    /// </summary>
    public static Rule[] Rest =>
    [
        Param.Optional(ContentId, Values.PrintableAscii(1, 256, ErrorCode.InvalidKeyData), ErrorCode.InvalidKeyData),
        Param.Optional(GeneralFlags, Values.FlagWord(PersistentLicense, ErrorCode.InvalidGeneralFlags), ErrorCode.InvalidGeneralFlags),
        Param.Optional(ExpirationTime, Values.FutureTime(ErrorCode.InvalidExpirationTime, TimeSpan.FromDays(MaxDaysToExpiry)), ErrorCode.InvalidExpirationTime),
        Param.Optional(Cookie, Cookies, ErrorCode.InvalidCookie),
        Param.Optional(UseHttps, Values.Boolean(ErrorCode.NoMatchingValue), ErrorCode.NoMatchingValue),
        Param.Optional(SingleUse, Values.Boolean(ErrorCode.NoMatchingValue), ErrorCode.NoMatchingValue),
    ];

    /// <summary>The form of <c>contentKey</c> (and <c>contentKey.N</c>): 32 hex digits.</summary>
    public static readonly ValueParser<byte[]> ContentKeys = Values.HexBytes(32, ErrorCode.InvalidContentKey, ErrorCode.ContentKeyLength);

    private static readonly ValueParser<ErrorFormat> ErrorFormats = (value, _) => value switch
    {
        "html" => Parsed.Ok(Errors.ErrorFormat.Html),
        "json" => Parsed.Ok(Errors.ErrorFormat.Json),
        _ => Parsed.Fail(ErrorCode.InvalidErrorFormat, value.Length > 64 ? value[..64] + "…" : value),
    };

    /// <summary>The same refusal for every malformed authenticator: the details never tell why.</summary>
    private static readonly ValueParser<ParsedAuthenticator> Authenticators = (value, _) =>
        Authenticator.TryParse(value, out var customerId, out var secretHash)
            ? Parsed.Ok(new ParsedAuthenticator(customerId, secretHash))
            : Parsed.Fail(ErrorCode.InvalidAuthenticator);

    private static readonly SearchValues<char> LineAndBidiControls = SearchValues.Create(
        "\u2028\u2029\u061C\u200E\u200F\u202A\u202B\u202C\u202D\u202E\u2066\u2067\u2068\u2069");

    /// <summary>
    /// At most 32 characters. The cookie is logged and shown in records, so what can forge or hide a line there is
    /// refused too: control characters, Unicode's line and paragraph separators (U+2028, U+2029), and the
    /// bidirectional controls (Unicode TR #9: ALM, LRM, RLM, LRE–RLO, LRI–PDI) that reorder what a reader sees.
    /// </summary>
    private static readonly ValueParser<string> Cookies = (value, _) =>
        value.Length <= 32 && !value.Any(char.IsControl) && value.AsSpan().IndexOfAny(LineAndBidiControls) < 0
            ? Parsed.Ok(value)
            : Parsed.Fail(ErrorCode.InvalidCookie);
}

internal sealed record ParsedAuthenticator(long CustomerId, byte[] SecretHash);
