using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using Orleans.Tokens.Grains.Metrics;
using Orleans.Tokens.Hosting;
using Orleans.Tokens.Hosting.Storage;
using Orleans.Tokens.WebHosting.Health;

namespace Orleans.Tokens.WebHosting;

/// <summary>
/// How a host maps a GET path to its handler: the host's own rules for other methods and for the path in another
/// case (a gateway's contract section 1, or plain routing).
/// </summary>
public delegate IEndpointConventionBuilder MapGetEndpoint(string path, RequestDelegate handler);

/// <summary>
/// Metrics and health, set up alike by the gateway (on its public and management listeners) and the silo host
/// (README, "Metrics, health and shutdown"; contract sections 1, 10 and 11): OpenTelemetry's Prometheus exporter at
/// <c>/metrics</c>, ASP.NET Core's health checks at <c>/readyz</c>, and <c>/healthz</c>, a plain answer.
/// </summary>
public static class MonitoringSetup
{
    private const string MetricsPath = "/metrics";
    private const string LivenessPath = "/healthz";
    private const string ReadinessPath = "/readyz";

    /// <summary>The meters a host exports at <c>/metrics</c>: Orleans' own, the service's, grain storage's.</summary>
    public static readonly string[] Meters = ["Microsoft.Orleans", TokensMeter.MeterName, StorageMetrics.MeterName];

    /// <summary>The tag of the health checks that <c>/readyz</c> runs (<c>/healthz</c> runs none: it is a plain answer).</summary>
    private const string ReadinessTag = "ready";

    /// <summary>
    /// Registers OpenTelemetry metrics of <see cref="Meters"/> with the Prometheus exporter, the process's
    /// <see cref="TokensMeter"/> and <see cref="BalanceMetrics"/> (<see cref="TokensMetricsSetup.AddTokensMetrics"/>), and a health check of
    /// <c>/readyz</c> per flag of <paramref name="dependencies"/>, storage first: grain storage reads a sentinel key
    /// (else <c>storage unavailable</c>), the cluster answers a grain call (else <c>cluster unreachable</c>).
    /// </summary>
    public static IServiceCollection AddTokensMetricsAndHealth(this IServiceCollection services, ReadinessDependencies dependencies)
    {
        services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(Meters)
            // Every scrape sees the current values (the exporter would otherwise answer from a 300 ms cache).
            .AddPrometheusExporter(prometheus => prometheus.ScrapeResponseCacheDurationMilliseconds = 0));
        services.AddTokensMetrics();
        var checks = services.AddHealthChecks();
        if (dependencies.HasFlag(ReadinessDependencies.Storage)) checks.AddReadinessCheck<StorageCheck>("storage");
        if (dependencies.HasFlag(ReadinessDependencies.Cluster)) checks.AddReadinessCheck<ClusterCheck>("cluster");
        return services;
    }

    /// <summary>
    /// Maps, each with <paramref name="mapGet"/>: <c>GET /healthz</c>, 200 <c>ok</c> with no check run (liveness: no
    /// grain call, no I/O); <c>GET /readyz</c>, 200 <c>ready</c> when every check of
    /// <see cref="AddTokensMetricsAndHealth"/> is healthy, else 503 with the first failing one's sentence
    /// (<c>shutting down</c>, <c>storage unavailable</c>, <c>cluster unreachable</c>), both as <see cref="PlainText"/>;
    /// and with <paramref name="metrics"/>, <c>GET /metrics</c>, the Prometheus text of <see cref="Meters"/>.
    /// <paramref name="host"/> holds the health checks and the meter provider: the host's services, which a listener
    /// with a container of its own (the gateway's management listener) does not share. Before mapping it starts the
    /// metrics: the meter provider, then the service's instruments, so that <c>/metrics</c> shows every series (at 0)
    /// before the first request (a measurement made before the provider listens is lost); a host therefore maps its
    /// probes before it resolves anything that makes instruments. Throws <see cref="InvalidOperationException"/> when
    /// <paramref name="host"/> lacks the services of <see cref="AddTokensMetricsAndHealth"/>.
    /// </summary>
    public static void MapTokensProbes(this IEndpointRouteBuilder endpoints, IServiceProvider host, MapGetEndpoint mapGet, bool metrics)
    {
        var meters = host.GetRequiredService<MeterProvider>();
        host.GetRequiredService<BalanceMetrics>();
        host.GetService<StorageMetrics>();
        var health = host.GetRequiredService<HealthCheckService>();
        // Liveness runs no check, so it stays the bare request the benchmark compares mints with (bench/run.sh, (a)).
        mapGet(LivenessPath, context => PlainText.Write(context.Response, StatusCodes.Status200OK, "ok"));
        mapGet(ReadinessPath, ReadinessEndpoint(endpoints, health));
        if (metrics)
            // The exporter's middleware is not public: a pipeline of its own runs it for every request mapGet lets through.
            mapGet(MetricsPath, endpoints.CreateApplicationBuilder()
                .UseOpenTelemetryPrometheusScrapingEndpoint(meters, predicate: _ => true, path: null, configureBranchedPipeline: null, optionsName: null)
                .Build());
    }

    /// <summary>A check that <c>/readyz</c> runs; one instance per host, as it keeps the last answer.</summary>
    private static void AddReadinessCheck<TCheck>(this IHealthChecksBuilder checks, string name) where TCheck : class, IHealthCheck
    {
        checks.Services.TryAddSingleton<TCheck>();
        checks.AddCheck<TCheck>(name, tags: [ReadinessTag]);
    }

    /// <summary>
    /// What <c>MapHealthChecks</c> maps, as a handler for <see cref="MapGetEndpoint"/>: the readiness checks, 200
    /// <c>ready</c> or 503 with the first failure.
    /// </summary>
    private static RequestDelegate ReadinessEndpoint(IEndpointRouteBuilder endpoints, HealthCheckService health) =>
        endpoints.CreateApplicationBuilder()
            .UseMiddleware<HealthCheckMiddleware>(health, Options.Create(new HealthCheckOptions
            {
                Predicate = check => check.Tags.Contains(ReadinessTag),
                // Only section 1's sentence and headers: none of the middleware's Cache-Control, Expires and Pragma.
                AllowCachingResponses = true,
                ResponseWriter = (context, report) =>
                    PlainText.Write(context.Response, context.Response.StatusCode, Sentence(report)),
            }))
            .Build();

    /// <summary><c>ready</c>, or the description of the first check (in registration order) that is not healthy.</summary>
    private static string Sentence(HealthReport report) =>
        report.Status == HealthStatus.Healthy ? "ready"
        : report.Entries.Values.First(entry => entry.Status != HealthStatus.Healthy).Description ?? "not ready";
}
