using Microsoft.AspNetCore.Http.Features;

namespace Orleans.Tokens.Gateway.Requests;

/// <summary>
/// Section 1's limits, enforced before anything is parsed: a request target over 8 KiB gets 414, a body over
/// 64 KiB gets 413, each with a short text/plain sentence.
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
            await PlainText.Write(context.Response, StatusCodes.Status414UriTooLong, "The request target is too long.");
            return;
        }
        if (request.ContentLength > MaxBodyLength)
        {
            await PlainText.Write(context.Response, StatusCodes.Status413PayloadTooLarge, "The request body is too large.");
            return;
        }
        if (request.ContentLength is null && context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody == true)
        {
            // A chunked body has no announced length: buffer up to the limit to measure it.
            request.EnableBuffering(MaxBodyLength);
            var buffer = new byte[16 * 1024];
            long total = 0;
            int read;
            while (total <= MaxBodyLength && (read = await request.Body.ReadAsync(buffer, context.RequestAborted)) > 0)
                total += read;
            if (total > MaxBodyLength)
            {
                await PlainText.Write(context.Response, StatusCodes.Status413PayloadTooLarge, "The request body is too large.");
                return;
            }
            request.Body.Position = 0;
        }
        await next(context);
    });
}
