namespace Orleans.Tokens.Gateway.OpenApi;

/// <summary>
/// <c>GET /openapi.yaml</c>: the OpenAPI 3.1 description of the public API (<c>token-api.yaml</c> beside this file,
/// embedded in the assembly), as <c>application/yaml</c> (RFC 9512).
/// </summary>
internal static class OpenApiDocument
{
    public const string Path = "/openapi.yaml";

    private static readonly Lazy<byte[]> Text = new(() =>
    {
        using var stream = typeof(OpenApiDocument).Assembly.GetManifestResourceStream("token-api.yaml")
            ?? throw new InvalidOperationException("the OpenAPI description is not embedded in the gateway");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    });

    public static Task Write(HttpResponse response)
    {
        response.ContentType = "application/yaml";
        return response.Body.WriteAsync(Text.Value).AsTask();
    }
}
