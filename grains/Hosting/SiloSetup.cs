using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime.Hosting;
using Orleans.Serialization;
using Orleans.Storage;
using Orleans.Tokens.Grains;
using Orleans.Tokens.Hosting.Storage;

namespace Orleans.Tokens.Hosting;

public static class SiloSetup
{
    /// <summary>
    /// The embedded default: one silo on localhost clustering, customer accounts in the project's batching grain
    /// storage on a SQLite file under the data directory, whose schema is created on first start.
    /// </summary>
    public static ISiloBuilder UseEmbeddedTokensSilo(this ISiloBuilder silo, TokensSettings settings)
    {
        var connectionString = SqliteSchema.EnsureCreated(settings.SqlitePath);
        silo.UseLocalhostClustering(settings.SiloPort, settings.GatewayPort, serviceId: ServiceId, clusterId: ClusterId);
        return silo.UseBatchingStorage(_ => new SqliteStateDatabase(connectionString, ServiceId, settings.SqliteFullSync));
    }

    private static ISiloBuilder UseBatchingStorage(this ISiloBuilder silo, Func<IServiceProvider, IStateDatabase> database) =>
        silo.ConfigureServices(services => services
            .AddSingleton<StorageMetrics>()
            .AddGrainStorage(StorageNames.Customers, (provider, _) => new BatchingGrainStorage(
                database(provider),
                new OrleansGrainStorageSerializer(provider.GetRequiredService<Serializer>()),
                provider.GetRequiredService<StorageMetrics>())));

    public const string ServiceId = "orleans-tokens";
    public const string ClusterId = "orleans-tokens";
}
