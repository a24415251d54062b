using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Tokens.Hosting;
using Orleans.Tokens.Hosting.Tls;

namespace Orleans.Tokens.Admin;

/// <summary>
/// One Orleans client of the tokens cluster, connected on first use. Connecting retries for a bounded time; a
/// failure is kept, so a batch does not wait again on every line. Public for the tests, which connect with it too.
/// </summary>
public sealed class ClusterConnection(IConfiguration configuration, TokensSettings settings) : IAsyncDisposable
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(5);

    private Task<IHost>? _host;

    public async Task<IClusterClient> ClientAsync(CancellationToken cancellationToken)
    {
        var host = await (_host ??= ConnectAsync(cancellationToken));
        return host.Services.GetRequiredService<IClusterClient>();
    }

    private async Task<IHost> ConnectAsync(CancellationToken cancellationToken)
    {
        Exception? lastFailure = null;
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        // Standard output carries only JSON and standard error only the error: logs are off unless configured
        // (Logging__LogLevel__Default=Warning), and then go to standard error.
        builder.Logging
            .SetMinimumLevel(LogLevel.None)
            .AddConfiguration(configuration.GetSection("Logging"))
            .AddConsole(options => options.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.UseOrleansClient(client => client
            .UseTokensCluster(settings, ClusterRole.Admin)
            .UseConnectionRetryFilter(async (failure, token) =>
            {
                lastFailure = failure;
                await Task.Delay(RetryDelay, token);
                return true;
            }));
        var host = builder.Build();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ConnectTimeout);
        try
        {
            await host.StartAsync(timeout.Token);
            return host;
        }
        catch (Exception failure) when (!cancellationToken.IsCancellationRequested)
        {
            host.Dispose();
            var reason = (lastFailure ?? failure).Message;
            throw new AdminException(
                $"cluster unreachable {(settings.Storage == ClusterStorage.PostgreSql ? "through the gateways in its membership table" : $"through the gateway on localhost port {settings.GatewayPort}")} " +
                $"within {ConnectTimeout.TotalSeconds:0} s: {reason}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_host is not { IsCompletedSuccessfully: true }) return;
        using var host = _host.Result;
        using var timeout = new CancellationTokenSource(StopTimeout);
        await host.StopAsync(timeout.Token);
    }
}
