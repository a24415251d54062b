namespace Orleans.Tokens.Gateway.Management;

/// <summary>
/// The management listener (contract section 11): <c>GET /metrics</c>, <c>/healthz</c> and <c>/readyz</c> on
/// <c>Management:Urls</c> (semicolon-separated, as <c>--urls</c>), a Kestrel server of its own in the gateway
/// process, so that a network policy can give Prometheus this port and the ingress the public one. It answers
/// from the gateway's own meters and health checks (<see cref="GatewaySetup.MapProbes"/>), starts after the
/// gateway's services and stops after the drain delay (<c>/readyz</c> answers 503 there too while draining).
/// Without <c>Management:Urls</c> there is none.
/// </summary>
internal sealed partial class ManagementListener(
    IConfiguration configuration, IServiceProvider gateway, ILogger<ManagementListener> logger) : IHostedService, IAsyncDisposable
{
    private WebApplication? _app;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var urls = configuration["Management:Urls"];
        if (string.IsNullOrWhiteSpace(urls)) return;
        // Nothing of the process's own configuration (ASPNETCORE_URLS, --urls) reaches this server but its URLs.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().UseUrls(urls);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);
        builder.Services.AddRoutingCore();
        var app = builder.Build();
        app.UseRouting();
        app.MapProbes(gateway, metrics: true);
        app.MapFallback(GatewaySetup.NotFound);
        await app.StartAsync(cancellationToken);
        _app = app;
        // As bound: a port 0 replaced by the port taken.
        LogListening(logger, string.Join(", ", app.Urls));
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_app is not null) await _app.StopAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null) await _app.DisposeAsync();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Management listener on {Urls}: /metrics, /healthz, /readyz")]
    private static partial void LogListening(ILogger logger, string urls);
}
