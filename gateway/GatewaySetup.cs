using Orleans.Tokens.Gateway.Errors;
using Orleans.Tokens.Gateway.Minting;
using Orleans.Tokens.Gateway.Requests;
using Orleans.Tokens.Hosting;

namespace Orleans.Tokens.Gateway;

internal static class GatewaySetup
{
    public static WebApplicationBuilder AddTokensGateway(this WebApplicationBuilder builder)
    {
        var settings = TokensSettings.From(builder.Configuration);
        if (string.IsNullOrEmpty(builder.Configuration["urls"])) builder.WebHost.UseUrls("http://127.0.0.1:8080");
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            // Room above section 1's limits so that the gateway, not Kestrel, answers 414 and 413 with a sentence.
            kestrel.Limits.MaxRequestLineSize = 64 * 1024;
            kestrel.Limits.MaxRequestBufferSize = 1024 * 1024;
            kestrel.Limits.MaxRequestBodySize = RequestLimits.MaxBodyLength * 2;
            kestrel.AddServerHeader = false;
        });
        if (settings.Mode == ClusterMode.Embedded)
            builder.UseOrleans(silo => silo.UseTokensSilo(settings));
        else
            builder.UseOrleansClient(client => client.UseTokensCluster(settings));

        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton(TokenKeyStore.Load(builder.Configuration, settings, createIfMissing: settings.Mode == ClusterMode.Embedded));
        builder.Services.AddSingleton(GatewayOptions.From(builder.Configuration, settings.Environment));
        builder.Services.AddSingleton<TokenEndpoint>();
        return builder;
    }

    public static WebApplication MapTokensGateway(this WebApplication app)
    {
        app.UseExceptionHandler(failed => failed.Run(context =>
            ErrorResponse.Write(context.Response, TokenError.Unexpected, ErrorFormat.Html)));
        app.UseRequestLimits();
        var endpoint = app.Services.GetRequiredService<TokenEndpoint>();
        app.MapExact("/hms/wv/token", context => endpoint.Handle(context, Drm.Widevine));
        app.MapExact("/hms/pr/token", context => endpoint.Handle(context, Drm.PlayReady));
        app.MapGet("/healthz", () => Results.Text("ok\n", "text/plain"));
        app.MapFallback("{**path}", NotFound);
        return app;
    }

    /// <summary>Routing ignores case and a trailing slash; the contract's paths are exact, anything else is 404.</summary>
    private static void MapExact(this WebApplication app, string path, RequestDelegate handler) =>
        app.Map(path, (HttpContext context) =>
            string.Equals(context.Request.Path.Value, path, StringComparison.Ordinal) ? handler(context) : NotFound(context));

    private static Task NotFound(HttpContext context) =>
        PlainText.Write(context.Response, StatusCodes.Status404NotFound, "There is nothing at this path.");
}
