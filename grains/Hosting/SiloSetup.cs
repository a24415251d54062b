using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using Orleans.Serialization;
using Orleans.Storage;
using Orleans.Tokens.Grains;

namespace Orleans.Tokens.Hosting;

public static class SiloSetup
{
    /// <summary>The silo that <see cref="TokensSettings.Storage"/> names.</summary>
    public static ISiloBuilder UseTokensSilo(this ISiloBuilder silo, TokensSettings settings) =>
        settings.Storage == ClusterStorage.PostgreSql
            ? silo.UsePostgresTokensSilo(settings)
            : silo.UseEmbeddedTokensSilo(settings);

    /// <summary>
    /// The embedded default: one silo on localhost clustering, customer accounts in Orleans' ADO.NET grain storage
    /// on a SQLite file under the data directory, whose schema is created on first start.
    /// </summary>
    public static ISiloBuilder UseEmbeddedTokensSilo(this ISiloBuilder silo, TokensSettings settings)
    {
        var connectionString = SqliteSchema.EnsureCreated(settings.SqlitePath);
        silo.UseLocalhostClustering(settings.SiloPort, settings.GatewayPort,
            serviceId: settings.ServiceId, clusterId: settings.ClusterId);
        return silo.AddCustomerStorage(SqliteSchema.Invariant, connectionString);
    }

    /// <summary>
    /// A silo of a real cluster: ADO.NET clustering and customer accounts in one PostgreSQL database, reachable
    /// by the other silos and by clients at the advertised address. Applies the schema first when asked to.
    /// </summary>
    public static ISiloBuilder UsePostgresTokensSilo(this ISiloBuilder silo, TokensSettings settings)
    {
        if (settings.ApplySchema) PostgresSchema.Apply(settings.ConnectionString);
        silo.Configure<ClusterOptions>(options =>
        {
            options.ServiceId = settings.ServiceId;
            options.ClusterId = settings.ClusterId;
        });
        silo.ConfigureEndpoints(settings.AdvertisedIPAddress, settings.SiloPort, settings.GatewayPort);
        silo.UseAdoNetClustering(options =>
        {
            options.Invariant = PostgresSchema.Invariant;
            options.ConnectionString = settings.ConnectionString;
        });
        return silo.AddCustomerStorage(PostgresSchema.Invariant, settings.ConnectionString);
    }

    private static ISiloBuilder AddCustomerStorage(this ISiloBuilder silo, string invariant, string connectionString) =>
        silo.AddAdoNetGrainStorage(StorageNames.Customers, options => options
            .Configure<Serializer>((o, serializer) =>
            {
                o.Invariant = invariant;
                o.ConnectionString = connectionString;
                o.GrainStorageSerializer = new OrleansGrainStorageSerializer(serializer);
            }));
}
