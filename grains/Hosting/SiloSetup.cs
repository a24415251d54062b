using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using Orleans.Serialization;
using Orleans.Storage;
using Orleans.Tokens.Grains;

namespace Orleans.Tokens.Hosting;

public static class SiloSetup
{
    /// <summary>
    /// The embedded default: one silo on localhost clustering, customer accounts in Orleans' ADO.NET grain storage
    /// on a SQLite file under the data directory, whose schema is created on first start.
    /// </summary>
    public static ISiloBuilder UseEmbeddedTokensSilo(this ISiloBuilder silo, TokensSettings settings)
    {
        var connectionString = SqliteSchema.EnsureCreated(settings.SqlitePath);
        silo.UseLocalhostClustering(settings.SiloPort, settings.GatewayPort, serviceId: ServiceId, clusterId: ClusterId);
        silo.AddAdoNetGrainStorage(StorageNames.Customers, options => options
            .Configure<Serializer>((o, serializer) =>
            {
                o.Invariant = SqliteSchema.Invariant;
                o.ConnectionString = connectionString;
                o.GrainStorageSerializer = new OrleansGrainStorageSerializer(serializer);
            }));
        return silo;
    }

    public const string ServiceId = "orleans-tokens";
    public const string ClusterId = "orleans-tokens";
}
