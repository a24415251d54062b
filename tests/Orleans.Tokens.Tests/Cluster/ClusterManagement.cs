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
        var configuration = Configuration(environment);
        return new ClusterManagement(new ClusterConnection(configuration, TokensSettings.From(configuration)));
    }

    /// <summary>Settings given as environment variables (<c>Cluster__Storage</c>, …) as the hosts configure them.</summary>
    public static IConfiguration Configuration(IReadOnlyDictionary<string, string> environment) =>
        new ConfigurationBuilder()
            .AddInMemoryCollection(environment.Select(setting =>
                KeyValuePair.Create(setting.Key.Replace("__", ":", StringComparison.Ordinal), (string?)setting.Value)))
            .Build();

    /// <summary>
    /// The token key ring of a cluster with these settings (its shared <c>Tokens:TokenKeys</c>), loaded as the hosts
    /// load it, so that a test can open the tokens it was given (section 7).
    /// </summary>
    public static TokenKeyRing KeyRing(IReadOnlyDictionary<string, string> environment)
    {
        var configuration = Configuration(environment);
        return TokenKeyStore.Load(configuration, TokensSettings.From(configuration), createIfMissing: false);
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

    /// <summary>The activations of grain types whose name contains <paramref name="grainType"/>, over every silo.</summary>
    public async Task<int> ActivationsAsync(string grainType)
    {
        var client = await connection.ClientAsync(CancellationToken.None);
        var statistics = await client.GetGrain<IManagementGrain>(0).GetSimpleGrainStatistics();
        return statistics.Where(s => s.GrainType.Contains(grainType, StringComparison.Ordinal)).Sum(s => s.ActivationCount);
    }

    public ValueTask DisposeAsync() => connection.DisposeAsync();
}
