using k8s;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Orleans.Configuration;
using Orleans.Runtime.Hosting;
using Orleans.Serialization;
using Orleans.Storage;
using Orleans.Tokens.Grains;
using Orleans.Tokens.Hosting.Storage;
using Orleans.Tokens.Hosting.Tls;

namespace Orleans.Tokens.Hosting;

public static class SiloSetup
{
    /// <summary>The silo that <see cref="TokensSettings.Storage"/> names, its Orleans connections mutual TLS.</summary>
    public static ISiloBuilder UseTokensSilo(this ISiloBuilder silo, TokensSettings settings)
    {
        silo.UseClusterTls(settings.Identity(ClusterRole.Silo));
        return settings.Storage == ClusterStorage.PostgreSql
            ? silo.UsePostgresTokensSilo(settings)
            : silo.UseEmbeddedTokensSilo(settings);
    }

    /// <summary>
    /// The embedded default: one silo on localhost clustering, customer accounts in the project's batching grain
    /// storage on a SQLite file under the data directory, whose schema is created on first start.
    /// </summary>
    public static ISiloBuilder UseEmbeddedTokensSilo(this ISiloBuilder silo, TokensSettings settings) =>
        silo.UseLocalhostClustering(settings.SiloPort, settings.GatewayPort,
                serviceId: settings.ServiceId, clusterId: settings.ClusterId)
            .AddSqliteCustomerStorage(settings);

    /// <summary>
    /// The embedded default's storage without its clustering (a host that brings its own, such as Orleans'
    /// TestCluster): customer accounts in the batching grain storage on the SQLite file under the data directory,
    /// whose schema is created first, with the silo's metrics and deadlines.
    /// </summary>
    public static ISiloBuilder AddSqliteCustomerStorage(this ISiloBuilder silo, TokensSettings settings)
    {
        var connectionString = SqliteSchema.EnsureCreated(settings.SqlitePath, settings.Deadlines.Storage);
        return silo.AddCustomerStorage(settings, _ => new SqliteStateDatabase(connectionString, settings.ServiceId, settings.SqliteFullSync));
    }

    /// <summary>
    /// A silo of a real cluster: ADO.NET clustering and customer accounts in one PostgreSQL database, reachable
    /// by the other silos and by clients at the advertised address. Applies the schema first when asked to.
    /// </summary>
    public static ISiloBuilder UsePostgresTokensSilo(this ISiloBuilder silo, TokensSettings settings)
    {
        if (settings.ApplySchema) PostgresSchema.Apply(settings.ConnectionString);
        silo.ConfigureEndpoints(settings.AdvertisedIPAddress, settings.SiloPort, settings.GatewayPort);
        if (settings.Kubernetes) silo.UseTokensKubernetesHosting();
        // After the Kubernetes hosting, whose ORLEANS_SERVICE_ID / ORLEANS_CLUSTER_ID would otherwise win: the ids
        // name the durable state, so they come from the settings alone.
        silo.Configure<ClusterOptions>(options =>
        {
            options.ServiceId = settings.ServiceId;
            options.ClusterId = settings.ClusterId;
        });
        silo.UseAdoNetClustering(options =>
        {
            options.Invariant = PostgresSchema.Invariant;
            options.ConnectionString = settings.ConnectionString;
        });
        silo.ConfigureServices(services => services.AddSingleton(StateDataSource(settings.ConnectionString)));
        return silo.AddCustomerStorage(settings, provider =>
            new PostgresStateDatabase(provider.GetRequiredService<NpgsqlDataSource>(), settings.ServiceId));
    }

    /// <summary>
    /// The grain storage's connections. Its few statements are prepared on each connection once used twice: parsing
    /// and planning them was a third of PostgreSQL's time in bench/run.sh's cluster. A connection goes back to the pool
    /// as it is: the storage leaves no session state (its one lock is a transaction's), and the reset Npgsql would
    /// otherwise send with the next use is seven more statements parsed per batch.
    /// </summary>
    private static NpgsqlDataSource StateDataSource(string connectionString)
    {
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        builder.ConnectionStringBuilder.MaxAutoPrepare = 32;
        builder.ConnectionStringBuilder.AutoPrepareMinUsages = 2;
        builder.ConnectionStringBuilder.NoResetOnClose = true;
        return builder.Build();
    }

    /// <summary>
    /// Orleans' Kubernetes hosting: the silo is named after its pod (POD_NAME) and listens on every interface (its
    /// advertised address is the pod's, from the settings); it labels its pod with the service and cluster ids and
    /// declares dead the silos whose pods are deleted. The Kubernetes API is the one KUBECONFIG names, else the pod's
    /// service account's (in-cluster).
    /// </summary>
    private static void UseTokensKubernetesHosting(this ISiloBuilder silo) =>
        silo.UseKubernetesHosting(hosting => hosting.Configure(options =>
            options.GetClientConfiguration = KubernetesClientConfiguration.BuildDefaultConfig));

    /// <summary>
    /// Customer accounts in <see cref="BatchingGrainStorage"/>, in Orleans' binary serialization (the database is
    /// also what a host's <c>/readyz</c> reads); the silo's metrics; the deadlines of <see cref="Deadlines"/>. The
    /// same storage reads the grains' own rows (<see cref="IGrainRows"/>, under the storage's name). Orleans sheds
    /// activations when the machine runs short of memory (at its default limits), so that a burst of customers
    /// cannot exhaust a silo before idle activations age out.
    /// </summary>
    private static ISiloBuilder AddCustomerStorage(this ISiloBuilder silo, TokensSettings settings, Func<IServiceProvider, IStateDatabase> database) =>
        silo.Configure<SiloMessagingOptions>(options => settings.Deadlines.Apply(options))
        .AddKeyStorage(settings)
        .Configure<GrainCollectionOptions>(options => options.EnableActivationSheddingOnMemoryPressure = true)
        .ConfigureServices(services => services
            .AddTokensMetrics()
            .AddSingleton<StorageMetrics>()
            .AddSingleton(database)
            .AddSingleton(provider => new BatchingGrainStorage(
                provider.GetRequiredService<IStateDatabase>(),
                new OrleansGrainStorageSerializer(provider.GetRequiredService<Serializer>()),
                provider.GetRequiredService<StorageMetrics>(),
                settings.Deadlines))
            .AddKeyedSingleton<IGrainRows>(StorageNames.Customers, (provider, _) => provider.GetRequiredService<BatchingGrainStorage>())
            .AddGrainStorage(StorageNames.Customers, (provider, _) => provider.GetRequiredService<BatchingGrainStorage>()));

    /// <summary>
    /// Key storage's key ring and cap (contract section 12), read when the silo is built, so that a silo without its
    /// key-storage keys does not start.
    /// </summary>
    private static ISiloBuilder AddKeyStorage(this ISiloBuilder silo, TokensSettings settings)
    {
        var options = new KeyStorageOptions(
            KeyStorageKeyStore.Load(silo.Configuration, settings),
            silo.Configuration.GetValue("KeyStorage:MaxKeysPerCustomer", KeyStorageOptions.DefaultMaxKeysPerCustomer));
        if (options.MaxKeysPerCustomer < 1) throw new InvalidOperationException("KeyStorage:MaxKeysPerCustomer must be at least 1");
        silo.Services.AddSingleton(options);
        silo.Services.AddSingleton(new RedemptionOptions(
            silo.Configuration.GetValue("Redemption:RecordDays", RedemptionOptions.DefaultRecordDays),
            silo.Configuration.GetValue("Redemption:HoldSeconds", RedemptionOptions.DefaultHoldSeconds)));
        return silo;
    }
}
