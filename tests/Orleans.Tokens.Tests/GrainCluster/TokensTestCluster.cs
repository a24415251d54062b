using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orleans.Configuration;
using Orleans.Storage;
using Orleans.TestingHost;
using Orleans.Tokens.Grains;
using Orleans.Tokens.Hosting;
using Orleans.Tokens.Tests.Commit;
using Orleans.Tokens.Tests.Infrastructure;

namespace Orleans.Tokens.Tests.GrainCluster;

/// <summary>
/// One in-process silo on Orleans' <see cref="TestCluster"/> (its own ports) with the project's real customer storage:
/// the batching grain storage over a SQLite file in a temporary directory (<see cref="SiloSetup.AddSqliteCustomerStorage"/>,
/// as the embedded default uses it) behind <see cref="HeldWrites"/> and <see cref="RemoteReads"/>, its incoming calls counted (<see cref="GrainCalls"/>), and a <see cref="FakeTimeProvider"/> as the customer grains' usage clock.
/// </summary>
public sealed class TokensTestCluster : IAsyncLifetime
{
    private const string DataDirectoryKey = "OrleansTokensTests:DataDirectory";
    public static readonly DateTimeOffset Start = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "orleans-tokens-testcluster-" + Guid.NewGuid().ToString("N"));
    private long _lastCustomerId = 100_000;

    public TestCluster Cluster { get; private set; } = null!;

    public IGrainFactory Grains => Cluster.GrainFactory;

    /// <summary>The services of the cluster's one silo.</summary>
    public IServiceProvider Silo => ((InProcessSiloHandle)Cluster.Primary!).SiloHost.Services;

    /// <summary>The clock that dates the customer grains' usage.</summary>
    /// <summary>The silo's cap on a customer's keys: low, so that a test reaches it.</summary>
    public const int MaxKeysPerCustomer = 200;

    public FakeTimeProvider Clock => (FakeTimeProvider)Silo.GetRequiredKeyedService<TimeProvider>(CustomerGrain.ClockKey);

    public async Task InitializeAsync()
    {
        var builder = new TestClusterBuilder(1);
        builder.Properties[DataDirectoryKey] = _directory;
        builder.Properties["KeyStorage:MaxKeysPerCustomer"] = MaxKeysPerCustomer.ToString(System.Globalization.CultureInfo.InvariantCulture);
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        builder.AddClientBuilderConfigurator<ClientConfigurator>();
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>A new account (a customer id no other test uses), created through its grain.</summary>
    public async Task<TestCustomer> CreateCustomer(long productionBalance = 0, long testBalance = 0, CustomerOptions? options = null)
    {
        var id = Interlocked.Increment(ref _lastCustomerId);
        var grain = Grains.GetGrain<ICustomerGrain>(id);
        var created = await grain.Create(options ?? new CustomerOptions(true, true), productionBalance, testBalance);
        return new TestCustomer(id, grain, created);
    }

    /// <summary>The silo's customer storage, whose writes a test may hold back.</summary>
    public HeldWrites Writes => (HeldWrites)Silo.GetRequiredKeyedService<IGrainStorage>(StorageNames.Customers);

    /// <summary>The silo's row reads, which a test may have answer as a remote database does.</summary>
    public RemoteReads Reads => (RemoteReads)Silo.GetRequiredKeyedService<IGrainRows>(StorageNames.Customers);

    /// <summary>The calls the silo's grains have run.</summary>
    public GrainCalls Calls => Silo.GetRequiredService<GrainCalls>();

    /// <summary>The account as the silo's storage holds it in the SQLite file, read past the grain.</summary>
    public async Task<CustomerState> Stored(ICustomerGrain grain)
    {
        var stored = new StoredGrainState<CustomerState>(Writes, "customer", grain.GetGrainId());
        await stored.ReadStateAsync();
        return stored.State;
    }

    /// <summary>The test's client messages as the gateway's and the admin tool's do.</summary>
    private sealed class ClientConfigurator : IClientBuilderConfigurator
    {
        public void Configure(IConfiguration configuration, IClientBuilder client) =>
            client.Configure<ClientMessagingOptions>(options => Deadlines.Default.Apply(options));
    }

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder silo)
        {
            var directory = silo.Configuration[DataDirectoryKey]
                ?? throw new InvalidOperationException($"{DataDirectoryKey} is not set");
            silo.AddSqliteCustomerStorage(new TokensSettings(TokenEnvironment.Production, directory, ClusterMode.Embedded, 0, 0));
            HeldWrites.Around(silo.Services, StorageNames.Customers);
            RemoteReads.Around(silo.Services, StorageNames.Customers);
            GrainCalls.AddTo(silo.Services);
            silo.Services.AddKeyedSingleton<TimeProvider>(CustomerGrain.ClockKey, new FakeTimeProvider(Start));
        }
    }
}

[CollectionDefinition(Name)]
public sealed class TokensTestClusterCollection : ICollectionFixture<TokensTestCluster>
{
    public const string Name = "TestCluster";
}
