using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Orleans.Tokens.Tests.Infrastructure;

/// <summary>
/// An error response read back: for <c>application/json</c> the <c>errorCode</c> and <c>errorText</c> members,
/// for <c>text/html</c> the first code-shaped number in the body and the body's text with tags removed and
/// entities decoded. <see cref="Code"/> is null when the body carries none.
/// </summary>
public sealed partial record ErrorResponse(HttpStatusCode Status, string? ContentType, int? Code, string? Text, string Body)
{
    public static async Task<ErrorResponse> ReadAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        var contentType = response.Content.Headers.ContentType?.ToString();
        var mediaType = response.Content.Headers.ContentType?.MediaType;
        int? code = null;
        string? text = null;
        if (mediaType == "application/json")
        {
            try
            {
                using var json = JsonDocument.Parse(body);
                if (json.RootElement.ValueKind == JsonValueKind.Object)
                {
                    if (json.RootElement.TryGetProperty("errorCode", out var c) && c.TryGetInt32(out var value)) code = value;
                    if (json.RootElement.TryGetProperty("errorText", out var t) && t.ValueKind == JsonValueKind.String) text = t.GetString();
                }
            }
            catch (JsonException)
            {
            }
        }
        else if (mediaType == "text/html")
        {
            text = WebUtility.HtmlDecode(Tags().Replace(body, " "));
            var match = CodeShape().Match(text);
            if (match.Success) code = int.Parse(match.Value);
        }
        else
        {
            var match = CodeShape().Match(body);
            if (match.Success) code = int.Parse(match.Value);
        }
        return new ErrorResponse(response.StatusCode, contentType, code, text, body);
    }

    /// <summary>A section 6 or 14 code: minus sign, four digits starting 2–9, not part of a longer number.</summary>
    [GeneratedRegex(@"(?<![\w-])-[2-9]\d{3}(?!\d)")]
    private static partial Regex CodeShape();

    [GeneratedRegex("<[^>]*>")]
    private static partial Regex Tags();
}
