using Orleans.Tokens.WebHosting;

namespace Orleans.Tokens.Gateway.Requests;

/// <summary>
/// Section 1's limits, enforced before anything is parsed: a request target over 8 KiB gets 414, a body over
/// 64 KiB gets 413, each with a short text/plain sentence (as JSON <c>{"message":…}</c> under <c>/keystore</c>, whose
/// errors are all JSON, section 12). Every body is read here (<see cref="RequestBody"/>).
/// </summary>
internal static class RequestLimits
{
    public const int MaxTargetLength = 8 * 1024;
    public const int MaxBodyLength = 64 * 1024;

    public static IApplicationBuilder UseRequestLimits(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var request = context.Request;
        if (request.Path.Value!.Length + request.QueryString.Value!.Length > MaxTargetLength)
        {
            await Refuse(context.Response, StatusCodes.Status414UriTooLong, "The request target is too long.");
            return;
        }
        if (await RequestBody.TryBuffer(context)) await next(context);
    });

    /// <summary>
    /// 413 with its sentence, and <c>Connection: close</c>: the body is not read, so the connection ends once
    /// Kestrel has drained what it can of it.
    /// </summary>
    public static Task BodyTooLarge(HttpResponse response)
    {
        response.Headers.Connection = "close";
        return Refuse(response, StatusCodes.Status413PayloadTooLarge, "The request body is too large.");
    }

    /// <summary>A request refused before any endpoint ran: its sentence as text/plain, or as JSON under <c>/keystore</c>.</summary>
    public static Task Refuse(HttpResponse response, int status, string sentence) =>
        response.HttpContext.Request.Path.StartsWithSegments(KeyStorage.KeyStoreEndpoint.Prefix, StringComparison.Ordinal)
            ? KeyStorage.KeyStoreJson.Error(response, status, sentence)
            : PlainText.Write(response, status, sentence);
}
