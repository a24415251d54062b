using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Tokens.Hosting;

namespace Orleans.Tokens.Tests.ClusterLevel;

/// <summary>
/// An Orleans client of a <see cref="ClusterProcesses"/> cluster inside the test process, joined the way the admin
/// tool joins it (<see cref="ClientSetup.UseTokensCluster"/> with the cluster's shared settings), for what only
/// Orleans' management grain offers.
/// </summary>
internal sealed class ClusterManagement : IAsyncDisposable
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(30);

    private readonly IHost _host;

    private ClusterManagement(IHost host) => _host = host;

    /// <summary>Connects with <paramref name="environment"/>, the settings as environment variables (<c>Cluster__Storage</c>, …).</summary>
    public static async Task<ClusterManagement> ConnectAsync(IReadOnlyDictionary<string, string> environment)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(environment.Select(setting =>
                KeyValuePair.Create(setting.Key.Replace("__", ":", StringComparison.Ordinal), (string?)setting.Value)))
            .Build();
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.UseOrleansClient(client => client.UseTokensCluster(TokensSettings.From(configuration)));
        var host = builder.Build();
        using var timeout = new CancellationTokenSource(ConnectTimeout);
        try
        {
            await host.StartAsync(timeout.Token);
        }
        catch
        {
            host.Dispose();
            throw;
        }
        return new ClusterManagement(host);
    }

    /// <summary>
    /// Deactivates every grain activation on every silo that is not running a request (Orleans' activation collection
    /// with an idle age limit of zero), and returns once they have deactivated.
    /// </summary>
    public Task DeactivateIdleGrainsAsync() =>
        _host.Services.GetRequiredService<IClusterClient>().GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await _host.StopAsync(timeout.Token);
        }
        finally
        {
            _host.Dispose();
        }
    }
}
