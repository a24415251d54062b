using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Tokens.Hosting;
using Orleans.Tokens.Hosting.Tls;

namespace Orleans.Tokens.Tests.ProcessLevel;

/// <summary>
/// An Orleans client in the test process set up exactly as a client-mode gateway sets up its own
/// (<see cref="ClientSetup.UseTokensCluster"/> with <see cref="ClusterRole.Gateway"/>: the gateway's certificate, no
/// admin signature), so that a test can call grain methods a gateway's code never calls.
/// </summary>
internal sealed class GatewayClient : IAsyncDisposable
{
    private readonly IHost _host;

    private GatewayClient(IHost host) => _host = host;

    public IClusterClient Client => _host.Services.GetRequiredService<IClusterClient>();

    /// <summary>Connects with <paramref name="settings"/> (configuration keys, as <c>Cluster:GatewayPort</c>).</summary>
    public static async Task<GatewayClient> ConnectAsync(IReadOnlyDictionary<string, string> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value))).Build();
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.UseOrleansClient(client => client.UseTokensCluster(TokensSettings.From(configuration), ClusterRole.Gateway));
        var host = builder.Build();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await host.StartAsync(timeout.Token);
        return new GatewayClient(host);
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _host.StopAsync(timeout.Token);
        _host.Dispose();
    }
}
