namespace Orleans.Tokens.Gateway.Requests;

/// <summary>The answers of section 1 that carry no code: a short text/plain sentence.</summary>
internal static class PlainText
{
    public static Task Write(HttpResponse response, int status, string sentence)
    {
        response.StatusCode = status;
        response.ContentType = "text/plain; charset=utf-8";
        response.Headers.XContentTypeOptions = "nosniff";
        return response.WriteAsync(sentence + "\n");
    }
}
