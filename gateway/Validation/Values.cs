using System.Globalization;
using System.Text.RegularExpressions;
using Orleans.Tokens.Gateway.Errors;

namespace Orleans.Tokens.Gateway.Validation;

/// <summary>The value forms of contract sections 4 and 5.</summary>
internal static partial class Values
{
    /// <summary>One of <paramref name="allowed"/>, exactly (names are case-sensitive).</summary>
    public static ValueParser<string> OneOf(ErrorCode invalid, params string[] allowed) => (value, _) =>
        Array.IndexOf(allowed, value) >= 0 ? Parsed.Ok(value) : Parsed.Fail(invalid);

    /// <summary>
    /// A decimal integer (an optional minus and any number of digits) in [min, max]; one outside it, however many
    /// digits it has, is an integer out of range (contract section 14).
    /// </summary>
    public static ValueParser<long> Integer(long min, long max, ErrorCode notInteger, ErrorCode outOfRange) => (value, _) =>
    {
        if (!IntegerPattern().IsMatch(value)) return Parsed.Fail(notInteger);
        return long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number)
               && number >= min && number <= max
            ? Parsed.Ok(number)
            : Parsed.Fail(outOfRange);
    };

    public static ValueParser<long> Integer(long min, long max, ErrorCode invalid) => Integer(min, max, invalid, invalid);

    /// <summary>
    /// <c>true</c> or <c>false</c> in any letter case (Python's <c>str(True)</c> writes <c>True</c>), or <c>1</c>/<c>0</c>.
    /// </summary>
    public static ValueParser<bool> Boolean(ErrorCode invalid) => (value, _) =>
        value.Equals("true", StringComparison.OrdinalIgnoreCase) || value == "1" ? Parsed.Ok(true)
        : value.Equals("false", StringComparison.OrdinalIgnoreCase) || value == "0" ? Parsed.Ok(false)
        : Parsed.Fail(invalid);

    /// <summary>A positive whole number of seconds (at most int.MaxValue, about 68 years), written with any number of digits.</summary>
    public static ValueParser<long> PositiveSeconds(ErrorCode invalid) => (value, _) =>
        DigitsPattern().IsMatch(value) && long.TryParse(value, CultureInfo.InvariantCulture, out var seconds)
            && seconds is >= 1 and <= int.MaxValue
            ? Parsed.Ok(seconds)
            : Parsed.Fail(invalid);

    /// <summary>Exactly <paramref name="length"/> hex digits, as bytes.</summary>
    public static ValueParser<byte[]> HexBytes(int length, ErrorCode invalid) => HexBytes(length, invalid, invalid);

    /// <summary>Hex digits: not hex gets <paramref name="notHex"/>, hex of another length <paramref name="wrongLength"/>.</summary>
    public static ValueParser<byte[]> HexBytes(int length, ErrorCode notHex, ErrorCode wrongLength) => (value, _) =>
        !Hex.IsHex(value) ? Parsed.Fail(notHex)
        : value.Length != length ? Parsed.Fail(wrongLength)
        : Parsed.Ok(Convert.FromHexString(value));

    public static readonly ValueParser<byte[]> Kid = (value, _) =>
        Tokens.Kid.TryParse(value, out var kid) is var code && code == ErrorCode.None ? Parsed.Ok(kid) : Parsed.Fail(code);

    /// <summary>An AES key-encryption key: 32, 48 or 64 hex digits.</summary>
    public static readonly ValueParser<byte[]> Kek = (value, _) =>
        Hex.IsHex(value) && value.Length is 32 or 48 or 64 ? Parsed.Ok(Convert.FromHexString(value)) : Parsed.Fail(ErrorCode.InvalidEncryptedKey);

    /// <summary>A 16-byte content key wrapped under the already parsed <paramref name="kek"/> with RFC 3394.</summary>
    public static ValueParser<byte[]> WrappedKey(Parameter<byte[]> kek) => (value, parsed) =>
    {
        if (!Hex.IsHex(value) || value.Length != 48) return Parsed.Fail(ErrorCode.InvalidEncryptedKey);
        var key = KeyWrap.Unwrap(parsed.Get(kek), Convert.FromHexString(value));
        return key is { Length: 16 } ? Parsed.Ok(key) : Parsed.Fail(ErrorCode.InvalidEncryptedKey);
    };

    /// <summary>Printable ASCII (0x20–0x7E), <paramref name="min"/> to <paramref name="max"/> characters.</summary>
    public static ValueParser<string> PrintableAscii(int min, int max, ErrorCode invalid) => (value, _) =>
        value.Length >= min && value.Length <= max && !value.AsSpan().ContainsAnyExceptInRange(' ', '~')
            ? Parsed.Ok(value)
            : Parsed.Fail(invalid);

    /// <summary>1–8 hex digits, the 4-byte flag word; only <paramref name="allowedBits"/> may be set.</summary>
    public static ValueParser<uint> FlagWord(uint allowedBits, ErrorCode invalid) => (value, _) =>
        value.Length <= 8 && Hex.IsHex(value) && uint.Parse(value, NumberStyles.HexNumber, CultureInfo.InvariantCulture) is var flags
            && (flags & ~allowedBits) == 0
            ? Parsed.Ok(flags)
            : Parsed.Fail(invalid);

    /// <summary>
    /// An RFC 3339 UTC date-time with upper-case T and Z (any number of fractional-second digits, kept to 100 ns)
    /// or <c>+N</c> seconds from issue, strictly after issue and, when <paramref name="maxAfterIssue"/> is given, no
    /// later than that. A leading space is read as <c>+</c>: a raw <c>+</c> in a query decodes to a space (section 14).
    /// </summary>
    public static ValueParser<DateTimeOffset> FutureTime(ErrorCode invalid, TimeSpan? maxAfterIssue = null) => (value, parsed) =>
    {
        if (!TryParseTime(value, parsed.IssuedAt, out var time)) return Parsed.Fail(invalid);
        if (time <= parsed.IssuedAt) return Parsed.Fail(invalid, "not in the future");
        if (time > parsed.IssuedAt + maxAfterIssue) return Parsed.Fail(invalid, "too far in the future");
        return Parsed.Ok(time);
    };

    /// <summary>
    /// An extension, <c>type,payload</c> (Widevine's <c>wvExtension</c>, FairPlay's <c>fpExtension</c>): no comma or a
    /// payload over 128 characters is <paramref name="malformed"/>, a type not exactly 4 characters
    /// <paramref name="typeLength"/>, a payload that is empty or not standard base64 <paramref name="notBase64"/>.
    /// </summary>
    public static ValueParser<WvExtension> Extension(ErrorCode malformed, ErrorCode typeLength, ErrorCode notBase64) => (value, _) =>
    {
        var comma = value.IndexOf(',');
        if (comma < 0) return Parsed.Fail(malformed);
        var type = value[..comma];
        var payload = value[(comma + 1)..];
        if (type.Length != 4) return Parsed.Fail(typeLength);
        if (payload.Length > 128) return Parsed.Fail(malformed);
        if (payload.Length == 0 || !IsBase64(payload, 128)) return Parsed.Fail(notBase64);
        return Parsed.Ok(new WvExtension(type, payload));
    };

    /// <summary>Standard base64 (RFC 4648 §4, padded) of at most <paramref name="maxLength"/> characters.</summary>
    public static bool IsBase64(string value, int maxLength) =>
        value.Length <= maxLength && value.Length % 4 == 0 && Base64Pattern().IsMatch(value);

    private static bool TryParseTime(string value, DateTimeOffset issuedAt, out DateTimeOffset time)
    {
        time = default;
        if (value.StartsWith(' ')) value = "+" + value[1..];
        if (value.StartsWith('+'))
        {
            if (!DigitsPattern().IsMatch(value.AsSpan(1)) || !long.TryParse(value.AsSpan(1), CultureInfo.InvariantCulture, out var seconds)
                || seconds < 1 || seconds > (DateTimeOffset.MaxValue - issuedAt).TotalSeconds)
                return false;
            time = issuedAt.AddSeconds(seconds);
            return true;
        }
        var match = DateTimePattern().Match(value);
        if (!match.Success) return false;
        var fraction = match.Groups["fraction"].Value;
        var normalized = match.Groups["seconds"].Value + "." + (fraction.Length > 7 ? fraction[..7] : fraction).PadRight(7, '0');
        return DateTimeOffset.TryParseExact(normalized, "yyyy-MM-dd'T'HH:mm:ss.fffffff", CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out time);
    }

    [GeneratedRegex(@"^-?[0-9]+\z")]
    private static partial Regex IntegerPattern();

    [GeneratedRegex(@"^[0-9]+\z")]
    private static partial Regex DigitsPattern();

    [GeneratedRegex(@"^[A-Za-z0-9+/]*={0,2}\z")]
    private static partial Regex Base64Pattern();

    [GeneratedRegex(@"^(?<seconds>[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2})(\.(?<fraction>[0-9]+))?Z\z")]
    private static partial Regex DateTimePattern();
}
