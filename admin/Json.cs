using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Orleans.Tokens.Admin;

/// <summary>How the tool writes JSON: one compact line per answer, times in RFC 3339 UTC.</summary>
internal static class Json
{
    // A terminal or a script reads this, not a browser: no need to escape HTML-sensitive characters.
    private static readonly JsonSerializerOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Line(JsonNode node) => node.ToJsonString(Options);

    /// <summary>Like <c>2026-11-25T12:00:00Z</c>, with fractional seconds only when there are some.</summary>
    public static string Time(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);
}
