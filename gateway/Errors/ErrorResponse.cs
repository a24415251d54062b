using System.Net;
using System.Text.Json;

namespace Orleans.Tokens.Gateway.Errors;

/// <summary>Renders an error in the format the request asked for (contract section 2).</summary>
internal static class ErrorResponse
{
    public static Task Write(HttpResponse response, TokenError error, ErrorFormat format)
    {
        response.StatusCode = error.Status;
        response.Headers.CacheControl = "no-store";
        // A browser must not guess another type than the one sent (an error page echoes parts of the request).
        response.Headers.XContentTypeOptions = "nosniff";
        if (format == ErrorFormat.Json)
        {
            response.ContentType = "application/json";
            return response.WriteAsync(JsonSerializer.Serialize(new ErrorBody((int)error.Code, error.Text), GatewayJson.Default.ErrorBody));
        }
        response.ContentType = "text/html; charset=utf-8";
        var text = WebUtility.HtmlEncode(error.Text);
        return response.WriteAsync(
            $"<!DOCTYPE html>\n<html><head><title>Error {(int)error.Code}</title></head>" +
            $"<body><p>errorCode: {(int)error.Code}</p><p>errorText: {text}</p></body></html>\n");
    }

    /// <summary>429 -9010 with <c>Retry-After</c> in whole seconds, at least 1 (RFC 9110 section 10.2.3; contract section 11).</summary>
    public static Task TooManyRequests(HttpResponse response, TimeSpan wait, ErrorFormat format)
    {
        response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Write(response, new TokenError(ErrorCode.TooManyRequests), format);
    }
}

internal sealed record ErrorBody(int ErrorCode, string ErrorText);
