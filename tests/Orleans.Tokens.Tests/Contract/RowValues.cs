using System.Globalization;
using System.Text.RegularExpressions;

namespace Orleans.Tokens.Tests.Contract;

/// <summary>
/// Expands the placeholders that [InlineData] rows use for values a literal cannot hold:
/// <list type="bullet">
/// <item><c>{a*65}</c> anywhere in a value: the character <c>a</c> 65 times (<c>^{a*65}</c> is <c>^aaa…</c>).</item>
/// <item>a whole value <c>{utc+3600}</c>: an RFC 3339 UTC time one hour from now (<c>2030-01-01T10:00:00Z</c>),
/// <c>{utc-60}</c> one minute ago. A suffix changes the form: <c>:frac</c> adds fractional seconds (three
/// digits; <c>:frac10</c> ten, <c>:frac40</c> forty),
/// <c>:lowerT</c> / <c>:lowerZ</c> write that letter lower-case, <c>:offset</c> writes <c>+00:00</c> for <c>Z</c>.</item>
/// </list>
/// </summary>
public static partial class RowValues
{
    public static string Resolve(string value)
    {
        var time = TimePlaceholder().Match(value);
        if (time.Success) return Time(time);
        return RepeatPlaceholder().Replace(value, m => new string(m.Groups["c"].Value[0], int.Parse(m.Groups["n"].Value)));
    }

    private static string Time(Match match)
    {
        var time = DateTime.UtcNow.AddSeconds(long.Parse(match.Groups["seconds"].Value, CultureInfo.InvariantCulture));
        var text = time.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        return match.Groups["form"].Value switch
        {
            "" => text,
            "frac" => time.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
            "frac10" => time.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff", CultureInfo.InvariantCulture) + "987Z",
            "frac40" => time.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff", CultureInfo.InvariantCulture) + new string('9', 33) + "Z",
            "lowerT" => text.Replace('T', 't'),
            "lowerZ" => text.Replace('Z', 'z'),
            "offset" => text.Replace("Z", "+00:00"),
            var form => throw new ArgumentException($"unknown time form '{form}'"),
        };
    }

    [GeneratedRegex(@"^\{utc(?<seconds>[+-]\d+)(?::(?<form>\w+))?\}$")]
    private static partial Regex TimePlaceholder();

    [GeneratedRegex(@"\{(?<c>.)\*(?<n>\d+)\}")]
    private static partial Regex RepeatPlaceholder();
}
