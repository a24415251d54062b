using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Tokens.Hosting;
using Orleans.Tokens.Hosting.Admin;
using Orleans.Tokens.Hosting.Tls;
using Orleans.Tokens.Tests.ProcessLevel;

namespace Orleans.Tokens.Tests.Infrastructure;

/// <summary>
/// One gateway for the <see cref="GatewayCollection"/>: the real gateway with its embedded silo and SQLite storage
/// in a fresh temporary data directory (deleted afterwards), serving the production environment, with
/// <c>Tokens:PublicBaseUrl</c> = <see cref="PublicBaseUrl"/>. Kestrel binds a loopback port of its own; the silo gets
/// free ports (Orleans cannot bind port 0). No drain delay: nothing routes to it, and every fixture stops at once.
/// Admin operations called through <see cref="Grains"/> are signed as the admin tool signs them. The silo's incoming
/// grain calls are counted (<see cref="Calls"/>).
/// A subclass may pass other settings.
/// </summary>
public class GatewayFixture : IAsyncLifetime
{
    public const string PublicBaseUrl = "http://tokens.test";
    public const string WidevinePath = "/hms/wv/token";
    public const string PlayReadyPath = "/hms/pr/token";
    public const string FairPlayPath = "/hms/fp/token";

    // Customer ids are unique in this fixture's fresh storage; an id not yet handed out belongs to nobody.
    private static long _lastCustomerId = 100_000;

    public string DataDirectory { get; } =
        Path.Combine(Path.GetTempPath(), "orleans-tokens-tests-" + Guid.NewGuid().ToString("N"));

    public GatewayFactory Factory { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    public IGrainFactory Grains => Factory.Services.GetRequiredService<IGrainFactory>();

    /// <summary>The calls the co-hosted silo's grains have run: how the gateway sent its mints.</summary>
    public GrainCalls Calls => Factory.Services.GetRequiredService<GrainCalls>();

    private readonly IReadOnlyDictionary<string, string> _settings;
    private readonly Action<IServiceCollection>? _services;

    public GatewayFixture() : this(new Dictionary<string, string> { ["Tokens:PublicBaseUrl"] = PublicBaseUrl })
    {
    }

    /// <summary>
    /// A gateway with these settings on top of the data directory, cluster and logging ones, and these services
    /// added to its own.
    /// </summary>
    protected GatewayFixture(IReadOnlyDictionary<string, string> settings, Action<IServiceCollection>? services = null)
    {
        _settings = settings;
        _services = services;
    }

    public Task InitializeAsync()
    {
        Directory.CreateDirectory(DataDirectory);
        var ports = FreePorts.Take(2);
        var settings = new Dictionary<string, string>
        {
            ["Tokens:DataDirectory"] = DataDirectory,
            ["Cluster:Mode"] = "Embedded",
            ["Cluster:SiloPort"] = ports[0].ToString(),
            ["Cluster:GatewayPort"] = ports[1].ToString(),
            ["Shutdown:DrainDelay"] = "00:00:00",
            ["Logging:LogLevel:Default"] = "Warning",
            // Every test request comes from 127.0.0.1: the tests of limits set their own (HostSettings).
            ["Limits:FailedAuthenticationBurst"] = "1000000000",
            // The contract tests of /metrics's methods run on the public listener, where a setting puts it.
            ["Management:MetricsOnPublic"] = "true",
        };
        foreach (var (key, value) in _settings) settings[key] = value;
        Factory = new GatewayFactory(settings, services =>
        {
            // The test acts as the admin tool: the grain calls it makes through Grains are signed admin commands,
            // with the admin certificate the embedded default made under the data directory.
            services.AddSingleton<IOutgoingGrainCallFilter>(_ => new AdminCommandSigner(
                ClusterIdentity.Load(EmbeddedCertificates.Files(DataDirectory, ClusterRole.Admin)), TimeProvider.System));
            GrainCalls.AddTo(services);
            _services?.Invoke(services);
        });
        Factory.StartServer();
        // On Kestrel the factory's ClientOptions.BaseAddress is the address the server really listens on.
        Client = Factory.CreateClient(new() { AllowAutoRedirect = false, BaseAddress = Factory.ClientOptions.BaseAddress });
        return Task.CompletedTask;
    }

    /// <summary>Stops the gateway and its silo, then starts them again on the same data directory (on new ports).</summary>
    public async Task RestartAsync()
    {
        Client.Dispose();
        await Factory.DisposeAsync();
        await InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        Client?.Dispose();
        if (Factory is not null) await Factory.DisposeAsync();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    public static long NextCustomerId() => Interlocked.Increment(ref _lastCustomerId);

    public static string MintPath(Drm drm) => drm == Drm.Widevine ? WidevinePath : PlayReadyPath;

    /// <summary>Creates an enabled customer through its grain, as the admin tool would.</summary>
    public async Task<TestCustomer> CreateCustomerAsync(
        long productionBalance = 100, long testBalance = 0, bool widevine = true, bool playReady = true, bool fairPlay = true)
    {
        var id = NextCustomerId();
        var grain = Grains.GetGrain<ICustomerGrain>(id);
        var created = await grain.Create(new CustomerOptions(widevine, playReady, fairPlay), productionBalance, testBalance);
        return new TestCustomer(id, grain, created);
    }

    public Task<HttpResponseMessage> GetAsync(string path, Params query) =>
        Client.GetAsync(path + "?" + query.ToQueryString());

    /// <summary>POST with <paramref name="form"/> as an <c>application/x-www-form-urlencoded</c> body.</summary>
    public Task<HttpResponseMessage> PostFormAsync(string path, Params form, Params? query = null) =>
        Client.PostAsync(query is null ? path : path + "?" + query.ToQueryString(), form.ToForm());

    /// <summary><paramref name="count"/> GETs of <paramref name="target"/>, all let go at once; their answers in order.</summary>
    public async Task<HttpResponseMessage[]> GetAllAtOnceAsync(string target, int count)
    {
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var requests = Enumerable.Range(0, count).Select(async _ =>
        {
            await start.Task;
            return await Client.GetAsync(target);
        }).ToArray();
        start.SetResult();
        return await Task.WhenAll(requests);
    }

    /// <summary>A mint request with <paramref name="query"/> as the query string (GET).</summary>
    public Task<HttpResponseMessage> MintAsync(Drm drm, Params query) => GetAsync(MintPath(drm), query);

    /// <summary>A FairPlay mint request (section 13) with <paramref name="query"/> as the query string (GET).</summary>
    public Task<HttpResponseMessage> MintAsync(Params query) => GetAsync(FairPlayPath, query);

    /// <summary>
    /// Opens a token with the gateway's token keys (section 7: the embedded default keeps them with its data),
    /// so a test can see what a token carries, however short its life. Null when the token does not open.
    /// </summary>
    public TokenPayload? OpenToken(string token)
    {
        var ring = Factory.Services.GetService<TokenKeyRing>();
        if (ring is null)
        {
            var configuration = Factory.Services.GetRequiredService<IConfiguration>();
            ring = TokenKeyStore.Load(configuration, TokensSettings.From(configuration), createIfMissing: false);
        }
        // Opened as of the earliest instant, so no expiry applies: a token of "+1" may have expired by the time a
        // test on a busy machine reads it. Expiry is section 8's, tested through redemption.
        return ring.Open(token, DateTimeOffset.MinValue, out _);
    }
}
