using Microsoft.AspNetCore.Http;

namespace Orleans.Tokens.WebHosting;

/// <summary>
/// The answers of contract section 1 that carry no code (a gateway's 404, 405, 413, 414 and 501; <c>/healthz</c> and
/// <c>/readyz</c> on every host): a short text/plain sentence.
/// </summary>
public static class PlainText
{
    /// <summary>
    /// Answers <paramref name="status"/> with <paramref name="sentence"/> and a line feed as
    /// <c>text/plain; charset=utf-8</c>, with <c>X-Content-Type-Options: nosniff</c>.
    /// </summary>
    public static Task Write(HttpResponse response, int status, string sentence)
    {
        response.StatusCode = status;
        response.ContentType = "text/plain; charset=utf-8";
        response.Headers.XContentTypeOptions = "nosniff";
        return response.WriteAsync(sentence + "\n");
    }
}
