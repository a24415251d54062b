using System.Buffers;
using Microsoft.AspNetCore.Http.Features;

namespace Orleans.Tokens.Gateway.Requests;

/// <summary>
/// Reads a request's whole body into memory before anything is parsed, so that every way a client can fail to
/// send or frame a body shows here, once, and never inside an endpoint (contract section 1, README "Decisions").
/// </summary>
internal static class RequestBody
{
    /// <summary>The body that <see cref="TryBuffer"/> buffered; empty when the request has none.</summary>
    public static ReadOnlyMemory<byte> Buffered(HttpRequest request) =>
        request.Body is MemoryStream body && body.TryGetBuffer(out var bytes) ? bytes.AsMemory() : ReadOnlyMemory<byte>.Empty;

    /// <summary>
    /// Buffers the body of <paramref name="context"/> (at most <see cref="RequestLimits.MaxBodyLength"/> bytes) and
    /// puts it back as <see cref="HttpRequest.Body"/>. False when the request is settled here instead:
    /// <list type="bullet">
    /// <item>a body over the limit, announced or counted (chunked): 413 with a sentence;</item>
    /// <item>a body Kestrel cannot frame (RFC 9112 §6–7: a bad chunk size, extension, suffix or trailer, a body
    /// shorter than its Content-Length, a body sent too slowly): 400 with a sentence and <c>Connection: close</c>,
    /// since the rest of the connection cannot be framed either;</item>
    /// <item>a client gone while its body was read (a reset, an abort): no answer, it cannot be delivered.</item>
    /// </list>
    /// </summary>
    public static async Task<bool> TryBuffer(HttpContext context)
    {
        var request = context.Request;
        if (context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody != true) return true;
        if (request.ContentLength > RequestLimits.MaxBodyLength)
        {
            await RequestLimits.BodyTooLarge(context.Response);
            return false;
        }
        try
        {
            var reader = request.BodyReader;
            while (true)
            {
                var read = await reader.ReadAsync(context.RequestAborted);
                if (read.Buffer.Length > RequestLimits.MaxBodyLength)
                {
                    reader.AdvanceTo(read.Buffer.Start);
                    await RequestLimits.BodyTooLarge(context.Response);
                    return false;
                }
                if (read.IsCompleted)
                {
                    var body = read.Buffer.ToArray();
                    reader.AdvanceTo(read.Buffer.End);
                    request.Body = new MemoryStream(body, 0, body.Length, writable: false, publiclyVisible: true);
                    return true;
                }
                // Only a completed read holds the whole body. A cancelled one is not its end (and ReadAtLeastAsync
                // would return it as if it were): when the server stops, Kestrel cancels its connection's pending
                // read (Http1Connection.StopProcessingNextRequest), and a body reader that examined bytes it did not
                // consume hands that cancellation on with the part of the body received so far.
                reader.AdvanceTo(read.Buffer.Start, read.Buffer.End);
            }
        }
        catch (BadHttpRequestException bad)
        {
            Log(context).LogDebug("Refused a request whose body could not be read: {Reason}", bad.Message);
            if (bad.StatusCode == StatusCodes.Status413PayloadTooLarge)
                await RequestLimits.BodyTooLarge(context.Response);
            else
            {
                context.Response.Headers.Connection = "close";
                await RequestLimits.Refuse(context.Response, StatusCodes.Status400BadRequest, "The request body is not framed correctly.");
            }
            return false;
        }
        catch (Exception gone) when (gone is IOException or OperationCanceledException)
        {
            // ConnectionResetException is an IOException, ConnectionAbortedException an OperationCanceledException.
            Log(context).LogDebug("The client left while its request body was read: {Reason}", gone.Message);
            return false;
        }
    }

    private static ILogger Log(HttpContext context) =>
        context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(RequestBody));
}
