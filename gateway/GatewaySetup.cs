using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OpenTelemetry.Metrics;
using Orleans.Tokens.Gateway.Errors;
using Orleans.Tokens.Gateway.Management;
using Orleans.Tokens.Gateway.Minting;
using Orleans.Tokens.Gateway.Redemption;
using Orleans.Tokens.Gateway.Requests;
using Orleans.Tokens.Hosting;
using Orleans.Tokens.Hosting.Health;
using Orleans.Tokens.Hosting.Tls;

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
            // A client that half-closes after its request still gets its answer (README, "Decisions").
            kestrel.ConfigureEndpointDefaults(listen => listen.UseHalfCloseTransport(kestrel.Limits.MaxRequestBufferSize.Value));
        });
        // Before the silo creates the embedded default's database: a key file is only ever created beside none.
        var keys = TokenKeyStore.Load(builder.Configuration, settings, createIfMissing: settings.Mode == ClusterMode.Embedded);
        if (settings.Mode == ClusterMode.Embedded)
            builder.UseOrleans(silo => silo.UseTokensSilo(settings));
        else
            builder.UseOrleansClient(client => client.UseTokensCluster(settings, ClusterRole.Gateway));
        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(TokensMetricsSetup.Meters)
            // Every scrape sees the current values (the exporter would otherwise answer from a 300 ms cache).
            .AddPrometheusExporter(prometheus => prometheus.ScrapeResponseCacheDurationMilliseconds = 0));
        builder.Services.AddTokensMetrics();
        builder.Services.AddSingleton<IReadinessProbe, ClusterProbe>();
        builder.Services.AddTokensShutdown();

        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton(keys);
        builder.Services.AddSingleton(provider => new GatewayOptions(builder.Configuration, settings.Environment, provider.GetRequiredService<IServer>()));
        builder.Services.AddSingleton<CustomerGrains>();
        builder.Services.AddSingleton<CustomerMints>();
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
        app.UseCors();
        // The meter provider before any instrument: a measurement made before it listens (the first zeros) is lost.
        var meters = app.Services.GetRequiredService<MeterProvider>();

        var settings = app.Services.GetRequiredService<TokensSettings>();
        if (settings.Mode == ClusterMode.Embedded)
            StartupLog.DataDirectory(app.Services.GetRequiredService<ILoggerFactory>(), settings);

        var mint = app.Services.GetRequiredService<TokenEndpoint>();
        var redeem = app.Services.GetRequiredService<RedemptionEndpoint>();
        app.Services.StartTokensMetrics();
        var readiness = app.Services.GetRequiredService<Readiness>();
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
        app.MapProbes(readiness);
        app.MapContract(OpenApi.OpenApiDocument.Path, Get, context => OpenApi.OpenApiDocument.Write(context.Response));
        // Section 11: /metrics (customer ids, balances) is on the management listener, and here only when asked.
        if (app.Configuration.GetValue("Management:MetricsOnPublic", false))
            app.MapMetrics(meters);
        app.MapFallback("{**path}", NotFound);
        return app;
    }

    /// <summary><c>GET /healthz</c> (the process answers) and <c>GET /readyz</c> (<see cref="Readiness"/>).</summary>
    public static void MapProbes(this WebApplication app, Readiness readiness)
    {
        app.MapContract("/healthz", Get, context => PlainText.Write(context.Response, StatusCodes.Status200OK, "ok"));
        app.MapContract("/readyz", Get, async context =>
        {
            var (ready, reason) = await readiness.Check(context.RequestAborted);
            await PlainText.Write(context.Response, ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable, reason);
        });
    }

    /// <summary><c>GET /metrics</c>: the Prometheus text of <paramref name="meters"/>; other methods 405.</summary>
    public static void MapMetrics(this WebApplication app, MeterProvider meters)
    {
        // Methods are case-sensitive (RFC 9110 §9.1): HttpMethods.IsGet would let "get" through.
        app.UseWhen(context => context.Request.Path.Value == "/metrics" && context.Request.Method == HttpMethods.Get,
            branch => branch.UseOpenTelemetryPrometheusScrapingEndpoint(meters, predicate: null, path: "/metrics", configureBranchedPipeline: null, optionsName: null));
        app.MapContract("/metrics", Get, NotFound);
    }

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
