using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orleans.Tokens.Gateway.Errors;
using Orleans.Tokens.Gateway.Metrics;
using Orleans.Tokens.Gateway.Management;
using Orleans.Tokens.Gateway.Minting;
using Orleans.Tokens.Gateway.Redemption;
using Orleans.Tokens.Gateway.Requests;
using Orleans.Tokens.Hosting;
using Orleans.Tokens.Hosting.Health;
using Orleans.Tokens.Hosting.Tls;
using Orleans.Tokens.WebHosting;

namespace Orleans.Tokens.Gateway;

internal static class GatewaySetup
{
    public static WebApplicationBuilder AddTokensGateway(this WebApplicationBuilder builder)
    {
        var settings = TokensSettings.From(builder.Configuration);
        // ASP.NET Core's hosting starts an Activity for every request while this logger is enabled at any level (for
        // the request log's scope), and nothing here reads one (issue 13). Off unless a setting names the category.
        if (builder.Configuration[$"Logging:LogLevel:{HostingDiagnosticsLog}"] is null)
            builder.Logging.AddFilter(HostingDiagnosticsLog, LogLevel.None);
        if (string.IsNullOrEmpty(builder.Configuration["urls"])) builder.WebHost.UseUrls("http://127.0.0.1:8080");
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            // Room above section 1's limits so that the gateway, not Kestrel, answers 414 and 413 with a sentence.
            kestrel.Limits.MaxRequestLineSize = 64 * 1024;
            kestrel.Limits.MaxRequestBufferSize = 1024 * 1024;
            kestrel.Limits.MaxRequestBodySize = RequestLimits.MaxBodyLength * 2;
            kestrel.AddServerHeader = false;
            // A client that half-closes after its request still gets its answer (README, "Decisions").
            kestrel.ConfigureEndpointDefaults(listen => listen.UseHalfCloseTransport(kestrel.Limits.MaxRequestBufferSize.Value));
        });
        // Before the silo creates the embedded default's database: a key file is only ever created beside none.
        var keys = TokenKeyStore.Load(builder.Configuration, settings, createIfMissing: settings.Mode == ClusterMode.Embedded);
        if (settings.Mode == ClusterMode.Embedded)
            builder.UseOrleans(silo => silo.UseTokensSilo(settings));
        else
            builder.UseOrleansClient(client => client.UseTokensCluster(settings, ClusterRole.Gateway));
        // /readyz asks the cluster, and the embedded default's storage too.
        builder.Services.AddTokensMetricsAndHealth(settings.Mode == ClusterMode.Embedded
            ? ReadinessDependencies.Storage | ReadinessDependencies.Cluster
            : ReadinessDependencies.Cluster);
        builder.Services.AddTokensShutdown();

        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton(keys);
        builder.Services.AddSingleton(provider => new GatewayOptions(builder.Configuration, settings.Environment, provider.GetRequiredService<IServer>()));
        builder.Services.AddSingleton<GatewayMetrics>();
        builder.Services.AddSingleton<CustomerGrains>();
        builder.Services.AddSingleton(provider => new CustomerMints(provider.GetRequiredService<CustomerGrains>(), TimeProvider.System));
        builder.Services.TryAddKeyedSingleton(TokenEndpoint.ClockKey, TimeProvider.System);
        builder.Services.AddSingleton<TokenEndpoint>();
        builder.Services.Configure<FailedAuthenticationLimits>(builder.Configuration.GetSection("Limits"));
        builder.Services.AddSingleton<FailedAuthentications>();
        builder.Services.AddOptions<IssuerSettings>().Bind(builder.Configuration.GetSection("Issuers"))
            .Validate(issuers => issuers.Problem() is null, "the Issuers settings are invalid").ValidateOnStart();
        builder.Services.AddHttpClient(LicenseIssuers.ForwardingClient, (provider, client) =>
            client.Timeout = TimeSpan.FromSeconds(provider.GetRequiredService<Microsoft.Extensions.Options.IOptions<IssuerSettings>>().Value.Forwarding.TimeoutSeconds));
        builder.Services.AddSingleton<LicenseIssuers>();
        builder.Services.AddSingleton<RedemptionEndpoint>();
        builder.Services.AddSingleton<RecordsEndpoint>();
        builder.Services.AddCors(cors => cors.AddPolicy(RightsCors, policy =>
        {
            // A rights URL is authorized by its token alone, never by cookies: any origin may call it unless configured.
            var origins = builder.Configuration.GetSection("Redemption:CorsOrigins").Get<string[]>() ?? [];
            if (origins.Length == 0) policy.AllowAnyOrigin();
            else policy.WithOrigins(origins);
            policy.WithMethods(HttpMethods.Get, HttpMethods.Post).WithHeaders("Content-Type", RightsToken.Name)
                .SetPreflightMaxAge(TimeSpan.FromHours(1));
        }));
        builder.Services.AddSingleton<KeyStorage.KeyStoreEndpoint>();
        builder.Services.AddSingleton<ManagementListener>();
        builder.Services.AddHostedService(provider => provider.GetRequiredService<ManagementListener>());
        return builder;
    }

    public static WebApplication MapTokensGateway(this WebApplication app)
    {
        app.UseExceptionHandler(failed => failed.Run(context =>
            ErrorResponse.Write(context.Response, TokenError.Unexpected, ErrorFormat.Html)));
        app.UseRequestLimits();
        // Only where an endpoint has a CORS policy (the rights URLs): the middleware marks every request it sees in
        // the request's items and resolves its policy provider from the request's service scope, both made per request.
        app.UseWhen(context => context.GetEndpoint()?.Metadata.GetMetadata<ICorsMetadata>() is not null, rights => rights.UseCors());
        // First, as it starts the meter provider before any instrument. Section 11: /metrics (customer ids, balances)
        // is on the management listener, and here only when asked.
        app.MapProbes(app.Services, metrics: app.Configuration.GetValue("Management:MetricsOnPublic", false));

        var settings = app.Services.GetRequiredService<TokensSettings>();
        if (settings.Mode == ClusterMode.Embedded)
            StartupLog.DataDirectory(app.Services.GetRequiredService<ILoggerFactory>(), settings);

        var mint = app.Services.GetRequiredService<TokenEndpoint>();
        var redeem = app.Services.GetRequiredService<RedemptionEndpoint>();
        app.MapContract("/hms/wv/token", GetOrPost, context => mint.Handle(context, Drm.Widevine));
        app.MapContract("/hms/pr/token", GetOrPost, context => mint.Handle(context, Drm.PlayReady));
        app.MapContract("/hms/wv/rights/", GetOrPost, context => redeem.Handle(context, Drm.Widevine)).RequireCors(RightsCors);
        app.MapContract("/hms/pr/rights", GetOrPost, context => redeem.Handle(context, Drm.PlayReady)).RequireCors(RightsCors);
        app.MapContract("/hms/fp/token", GetOrPost, context => mint.Handle(context, Drm.FairPlay));
        app.MapContract("/hms/fp/rights/", GetOrPost, context => redeem.Handle(context, Drm.FairPlay)).RequireCors(RightsCors);
        // Section 8: Clear Key's own endpoints exist only where it is enabled.
        if (app.Services.GetRequiredService<LicenseIssuers>().ClearKeyEnabled)
        {
            app.MapContract("/hms/ck/token", GetOrPost, context => mint.Handle(context, Drm.ClearKey));
            app.MapContract("/hms/ck/rights", GetOrPost, context => redeem.Handle(context, Drm.ClearKey)).RequireCors(RightsCors);
        }
        var records = app.Services.GetRequiredService<RecordsEndpoint>();
        app.MapContract("/hms/records", Get, records.Handle);
        var keyStore = app.Services.GetRequiredService<KeyStorage.KeyStoreEndpoint>();
        app.Map(KeyStorage.KeyStoreEndpoint.Prefix + "/{**rest}", keyStore.Handle);
        app.MapContract(OpenApi.OpenApiDocument.Path, Get, context => OpenApi.OpenApiDocument.Write(context.Response));
        app.MapFallback("{**path}", NotFound);
        return app;
    }

    /// <summary>
    /// <c>GET /healthz</c>, <c>GET /readyz</c> and, with <paramref name="metrics"/>, <c>GET /metrics</c> of
    /// <paramref name="gateway"/>'s services (<see cref="MonitoringSetup.MapTokensProbes"/>) on this listener, under
    /// section 1's rules: another method 405 (a method in another case too, RFC 9110 §9.1), the path in another case 404.
    /// </summary>
    public static void MapProbes(this WebApplication app, IServiceProvider gateway, bool metrics) =>
        app.MapTokensProbes(gateway, (path, handler) => app.MapContract(path, Get, handler), metrics);

    /// <summary>The log category of ASP.NET Core's per-request hosting diagnostics.</summary>
    private const string HostingDiagnosticsLog = "Microsoft.AspNetCore.Hosting.Diagnostics";

    /// <summary>The CORS policy of the rights URLs, so that a player's page on another origin gets its license (section 8).</summary>
    private const string RightsCors = "rights";

    private static readonly string[] Get = [HttpMethods.Get];
    private static readonly string[] GetOrPost = [HttpMethods.Get, HttpMethods.Post];

    /// <summary>
    /// A path of section 1: exact (routing alone ignores case and a trailing slash), so anything else is 404;
    /// on the path, another method is 405.
    /// </summary>
    private static IEndpointConventionBuilder MapContract(this WebApplication app, string path, string[] methods, RequestDelegate handler) =>
        app.Map(path, (HttpContext context) =>
            !string.Equals(context.Request.Path.Value, path, StringComparison.Ordinal) ? NotFound(context)
            : !methods.Contains(context.Request.Method) ? MethodNotAllowed(context.Response, methods)
            : handler(context));

    /// <summary>405 with the sentence of section 1 and the <c>Allow</c> header RFC 9110 §15.5.6 requires.</summary>
    private static Task MethodNotAllowed(HttpResponse response, string[] methods)
    {
        response.Headers.Allow = string.Join(", ", methods);
        return PlainText.Write(response, StatusCodes.Status405MethodNotAllowed, "The method is not allowed here.");
    }

    public static Task NotFound(HttpContext context) =>
        PlainText.Write(context.Response, StatusCodes.Status404NotFound, "There is nothing at this path.");
}
