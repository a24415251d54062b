using OpenTelemetry.Metrics;
using Orleans.Tokens.Hosting;
using Orleans.Tokens.Hosting.Health;

namespace Orleans.Tokens.Silo;

/// <summary>
/// A silo without a gateway in front, for gateways in Cluster:Mode=Client: the embedded default's SQLite silo, or
/// with Cluster:Storage=PostgreSql one silo of a real cluster. It serves /metrics, /healthz and /readyz over HTTP
/// on --urls (default http://127.0.0.1:8090; give each silo on one machine its own).
/// </summary>
internal static class Program
{
    public static void Main(string[] args)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        if (builder.Configuration.GetValue("Cluster:Migrate", false))
        {
            Migrate(builder.Configuration);
            return;
        }
        if (string.IsNullOrEmpty(builder.Configuration["urls"])) builder.WebHost.UseUrls("http://127.0.0.1:8090");
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);
        var settings = TokensSettings.From(builder.Configuration);
        builder.UseOrleans(silo => silo.UseTokensSilo(settings));
        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(TokensMetricsSetup.Meters)
            .AddPrometheusExporter(prometheus => prometheus.ScrapeResponseCacheDurationMilliseconds = 0));
        builder.Services.AddTokensShutdown();

        var app = builder.Build();
        app.Services.StartTokensMetrics();
        app.UseOpenTelemetryPrometheusScrapingEndpoint(context =>
            context.Request.Path.Value == "/metrics" && HttpMethods.IsGet(context.Request.Method));
        var readiness = app.Services.GetRequiredService<Readiness>();
        // Liveness: no grain call, no I/O.
        app.MapGet("/healthz", () => Results.Text("ok\n"));
        // Readiness: storage answers a sentinel read (2 s timeout, 2 s cache); 503 as soon as stopping begins.
        app.MapGet("/readyz", async (HttpContext context) =>
        {
            var (ready, reason) = await readiness.Check(context.RequestAborted);
            return Results.Text(reason + "\n", statusCode: ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
        });
        app.Run();
    }

    /// <summary>
    /// <c>Cluster:Migrate=true</c>: applies the PostgreSQL schema as the connection's role (one that may change
    /// the schema), grants <c>Cluster:SiloDatabaseRole</c> and <c>Cluster:GatewayDatabaseRole</c> what they need,
    /// and exits; the Kubernetes migration Job runs this, so that silos need no DDL.
    /// </summary>
    private static void Migrate(IConfiguration configuration)
    {
        var settings = TokensSettings.From(configuration);
        if (settings.Storage != ClusterStorage.PostgreSql)
            throw new InvalidOperationException("Cluster:Migrate=true needs Cluster:Storage=PostgreSql");
        PostgresSchema.Apply(settings.ConnectionString,
            new DatabaseRoles(configuration["Cluster:SiloDatabaseRole"], configuration["Cluster:GatewayDatabaseRole"]));
        Console.WriteLine($"schema applied; granted to silo role {configuration["Cluster:SiloDatabaseRole"] ?? "(none)"}, gateway role {configuration["Cluster:GatewayDatabaseRole"] ?? "(none)"}");
    }
}
