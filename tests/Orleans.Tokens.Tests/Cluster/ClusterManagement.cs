using Microsoft.Extensions.Configuration;
using Orleans.Tokens.Admin;
using Orleans.Tokens.Hosting;

namespace Orleans.Tokens.Tests.ClusterLevel;

/// <summary>
/// The admin tool's <see cref="ClusterConnection"/> to a <see cref="ClusterProcesses"/> cluster, inside the test
/// process, for what only Orleans' management grain offers.
/// </summary>
internal sealed class ClusterManagement(ClusterConnection connection) : IAsyncDisposable
{
    /// <summary>With <paramref name="environment"/>, the settings as environment variables (<c>Cluster__Storage</c>, …).</summary>
    public static ClusterManagement For(IReadOnlyDictionary<string, string> environment)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(environment.Select(setting =>
                KeyValuePair.Create(setting.Key.Replace("__", ":", StringComparison.Ordinal), (string?)setting.Value)))
            .Build();
        return new ClusterManagement(new ClusterConnection(configuration, TokensSettings.From(configuration)));
    }

    /// <summary>
    /// Deactivates every grain activation on every silo that is not running a request (Orleans' activation collection
    /// with an idle age limit of zero), and returns once they have deactivated.
    /// </summary>
    public async Task DeactivateIdleGrainsAsync()
    {
        var client = await connection.ClientAsync(CancellationToken.None);
        await client.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
    }

    public ValueTask DisposeAsync() => connection.DisposeAsync();
}
