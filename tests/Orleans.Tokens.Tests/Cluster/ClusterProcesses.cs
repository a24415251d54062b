using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using Orleans.Tokens.Hosting.Tls;
using Orleans.Tokens.Tests.Infrastructure;
using Orleans.Tokens.Tests.ProcessLevel;
using Xunit.Abstractions;

namespace Orleans.Tokens.Tests.ClusterLevel;

/// <summary>
/// A real cluster on a <see cref="PostgresServer"/>, started the way <c>deploy/local/cluster.sh</c> starts one: silos
/// (<c>dotnet Orleans.Tokens.Silo.dll</c>, Cluster:Storage=PostgreSql, each applying the schema, on free silo and
/// Orleans gateway ports of 127.0.0.1, which Orleans cannot take as port 0) and client-mode gateways (<c>dotnet
/// Orleans.Tokens.Gateway.dll --Cluster:Mode=Client</c>), all sharing one fresh token key
/// (Tokens__TokenKeys__&lt;id&gt;) and the connection string, and a cluster CA made with openssl that gave silos,
/// gateways and the admin tool each a certificate of their role (<see cref="OpenSslAuthority"/>). Every web server binds a port of its own
/// (<see cref="HostSettings.OwnPort"/>, read from its output), and every host has a short drain delay. A silo is ready
/// when its host has started (the silo is then active in the membership table); a gateway when GET /healthz answers
/// 200 and a mint for an unknown customer reaches a grain (401, -2018).
/// Dispose kills every process (the database goes with the test's PostgreSQL) and prints the tail of each one's
/// output.
/// </summary>
internal sealed class ClusterProcesses : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(120);

    private readonly ITestOutputHelper _log;
    private readonly string _workDirectory;
    private readonly List<ClusterSilo> _silos = [];
    private readonly List<ClusterGateway> _gateways = [];

    private ClusterProcesses(PostgresServer postgres, ITestOutputHelper log)
    {
        _log = log;
        _workDirectory = Path.Combine(Path.GetTempPath(), "orleans-tokens-cluster-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(_workDirectory);
        var keyId = "k" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
        var authority = OpenSslAuthority.Create(Path.Combine(_workDirectory, "tls"));
        SiloTls = authority.Issue("silo", ClusterRole.Silo);
        GatewayTls = authority.Issue("gateway", ClusterRole.Gateway);
        AdminTls = authority.Issue("admin", ClusterRole.Admin);
        Environment = new Dictionary<string, string>(Tls(AdminTls))
        {
            ["Cluster__Storage"] = "PostgreSql",
            ["ConnectionStrings__Tokens"] = postgres.ConnectionString,
            [$"Tokens__TokenKeys__{keyId}"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            ["Tokens__ActiveTokenKey"] = keyId,
            [$"Tokens__KeyStorageKeys__{keyId}"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            ["Tokens__ActiveKeyStorageKey"] = keyId,
            // Nothing of a PostgreSQL cluster lives there; set so that no host could write into its bin directory.
            ["Tokens__DataDirectory"] = _workDirectory,
        };
    }

    /// <summary>
    /// The settings every process of this cluster shares (secrets included), as environment variables, with the
    /// admin tool's cluster certificate, which silos and gateways replace with their own.
    /// </summary>
    public IReadOnlyDictionary<string, string> Environment { get; }

    /// <summary>The cluster certificates of its silos, gateways and admin tool, issued by the cluster's CA.</summary>
    public ClusterTlsFiles SiloTls { get; }
    public ClusterTlsFiles GatewayTls { get; }
    public ClusterTlsFiles AdminTls { get; }

    /// <summary><paramref name="files"/> as the Cluster__Tls__ settings.</summary>
    public static IReadOnlyDictionary<string, string> Tls(ClusterTlsFiles files) => new Dictionary<string, string>
    {
        ["Cluster__Tls__CaCertificate"] = files.CaCertificate,
        ["Cluster__Tls__Certificate"] = files.Certificate,
        ["Cluster__Tls__PrivateKey"] = files.PrivateKey,
    };

    /// <summary>Whether each silo applies the schema as it starts (as cluster.sh's do); false when a migration did.</summary>
    public bool ApplySchema { get; private init; } = true;

    /// <summary>A directory of this cluster's, deleted with it, for a test's own files.</summary>
    public string ScratchDirectory(string name) => Directory.CreateDirectory(Path.Combine(_workDirectory, name)).FullName;

    public IReadOnlyList<ClusterSilo> Silos => _silos;
    public IReadOnlyList<ClusterGateway> Gateways => _gateways;

    /// <summary>The admin tool with the cluster's shared settings.</summary>
    public AdminProcess Admin => new(Environment, _log);

    /// <summary>
    /// Starts <paramref name="silos"/> silos, then <paramref name="gateways"/> gateways once every silo is active, so
    /// that each gateway finds every silo's Orleans gateway in the membership table from the start.
    /// </summary>
    public static async Task<ClusterProcesses> StartAsync(
        PostgresServer postgres, ITestOutputHelper log, int silos = 2, int gateways = 2, bool applySchema = true)
    {
        var cluster = new ClusterProcesses(postgres, log) { ApplySchema = applySchema };
        try
        {
            await cluster.StartSilosAsync(silos);
            await cluster.StartGatewaysAsync(gateways);
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
        return cluster;
    }

    /// <summary>
    /// Starts more silos together and returns when each is active; <paramref name="environment"/>, when given, adds
    /// settings (environment variables the cluster does not share) to these silos only.
    /// </summary>
    public async Task StartSilosAsync(int count, IReadOnlyDictionary<string, string>? environment = null)
    {
        if (count == 0) return;
        var watch = Stopwatch.StartNew();
        var started = new List<ClusterSilo>();
        for (var i = 0; i < count; i++)
        {
            var ports = FreePorts.Take(2);
            started.Add(StartSilo($"silo{_silos.Count + 1}", ports[0], ports[1], environment));
        }
        await Task.WhenAll(started.Select(s => s.WaitUntilActiveAsync(StartTimeout)));
        _log.WriteLine($"{string.Join(", ", started.Select(s => $"{s.Name} (pid {s.Process.Id}, silo port {s.SiloPort}, gateway port {s.GatewayPort}, http {s.BaseUrl})"))} active in {watch.ElapsedMilliseconds} ms");
    }

    /// <summary>
    /// Starts a silo again on the silo and gateway ports of <paramref name="killed"/> (which must have exited), as a
    /// service manager restarts a crashed one, and returns the new silo once it is active. Joining on the same
    /// address with a newer generation, it declares its dead predecessor dead in the membership table at once.
    /// </summary>
    public async Task<ClusterSilo> RestartSiloAsync(ClusterSilo killed)
    {
        if (!killed.Process.HasExited) throw new InvalidOperationException($"{killed.Name} is still running");
        var watch = Stopwatch.StartNew();
        var silo = StartSilo($"silo{_silos.Count + 1}", killed.SiloPort, killed.GatewayPort, null);
        await silo.WaitUntilActiveAsync(StartTimeout);
        _log.WriteLine($"{silo.Name} (pid {silo.Process.Id}) restarted on {killed.Name}'s silo port {silo.SiloPort} and gateway port {silo.GatewayPort}, active in {watch.ElapsedMilliseconds} ms");
        return silo;
    }

    private ClusterSilo StartSilo(string name, int siloPort, int gatewayPort, IReadOnlyDictionary<string, string>? environment)
    {
        var process = ChildProcess.Start(
            ProcessBinaries.Silo,
            // Every silo applies the schema, as cluster.sh has it: idempotent, and they take turns on a lock.
            [$"--Cluster:ApplySchema={ApplySchema}", $"--Cluster:SiloPort={siloPort}", $"--Cluster:GatewayPort={gatewayPort}", HostSettings.OwnPort, HostSettings.ShortDrain],
            Merged(Environment, Tls(SiloTls), environment ?? new Dictionary<string, string>()),
            _workDirectory);
        var silo = new ClusterSilo(name, siloPort, gatewayPort, process);
        _silos.Add(silo);
        return silo;
    }

    /// <summary>
    /// Starts more client-mode gateways together and returns when each reaches a grain; <paramref name="settings"/>
    /// go on these gateways' command lines, as <c>--Shutdown:DrainDelay=00:00:05</c>.
    /// </summary>
    public async Task StartGatewaysAsync(int count, params string[] settings)
    {
        if (count == 0) return;
        var watch = Stopwatch.StartNew();
        var started = new List<ClusterGateway>();
        for (var i = 0; i < count; i++)
        {
            var name = $"gateway{_gateways.Count + 1}";
            var environment = Merged(Environment, Tls(GatewayTls), new Dictionary<string, string> { ["Cluster__Mode"] = "Client" });
            var process = ChildProcess.Start(
                ProcessBinaries.Gateway,
                [HostSettings.OwnPort, HostSettings.ShortDrain, HostSettings.NoFailedAuthenticationLimit, .. settings],
                environment,
                // Its bin directory is its content root, as for an operator who runs it from there.
                Path.GetDirectoryName(ProcessBinaries.Gateway)!);
            var gateway = new ClusterGateway(name, environment, process);
            _gateways.Add(gateway);
            started.Add(gateway);
        }
        await Task.WhenAll(started.Select(WaitUntilReadyAsync));
        _log.WriteLine($"{string.Join(", ", started.Select(g => $"{g.Name} (pid {g.Process.Id}) on {g.BaseUrl}"))} ready in {watch.ElapsedMilliseconds} ms");
    }

    /// <summary>Settings where each later dictionary's win.</summary>
    public static Dictionary<string, string> Merged(params IReadOnlyDictionary<string, string>[] layers)
    {
        var merged = new Dictionary<string, string>();
        foreach (var setting in layers.SelectMany(layer => layer)) merged[setting.Key] = setting.Value;
        return merged;
    }

    private static async Task WaitUntilReadyAsync(ClusterGateway gateway)
    {
        var watch = Stopwatch.StartNew();
        await gateway.ListeningAsync(StartTimeout);
        using var probe = new HttpClient { BaseAddress = gateway.BaseUrl, Timeout = TimeSpan.FromSeconds(10) };
        var unknown = TokenRequests.Widevine("1,00000000000000000000000000000000", TokenRequests.RandomHex(16), TokenRequests.RandomHex(16));
        unknown.Add(new("errorFormat", "json"));
        var last = "no answer yet";
        while (true)
        {
            if (gateway.Process.HasExited)
            {
                await gateway.Process.DrainOutputAsync();
                throw new InvalidOperationException($"{gateway.Name} exited with code {gateway.Process.ExitCode} before it was ready:\n{ChildProcess.Tail(gateway.Process.Output)}");
            }
            try
            {
                using var health = await probe.GetAsync("/healthz");
                if (health.StatusCode == HttpStatusCode.OK)
                {
                    var answer = await TokenRequests.GetAsync(probe, TokenRequests.WidevinePath, unknown);
                    if (answer.Status == HttpStatusCode.Unauthorized && answer.ErrorCode == -2018) return;
                    last = answer.ToString();
                }
                else
                {
                    last = $"/healthz {(int)health.StatusCode}";
                }
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
            {
                last = exception.Message;
            }
            if (watch.Elapsed > StartTimeout)
                throw new TimeoutException($"{gateway.Name} was not ready within {StartTimeout} (last: {last}):\n{ChildProcess.Tail(gateway.Process.Output)}");
            await Task.Delay(200);
        }
    }

    public async ValueTask DisposeAsync()
    {
        // Gateways first, then silos: SIGKILL, as nothing of this cluster outlives the test's database.
        var processes = _gateways.Select(g => (g.Name, g.Process)).Concat(_silos.Select(s => (s.Name, s.Process))).ToList();
        foreach (var (_, process) in processes) process.Kill();
        foreach (var (name, process) in processes)
        {
            await process.DrainOutputAsync();
            _log.WriteLine($"--- {name} output (tail) ---\n{ChildProcess.Tail(process.Output, 2500)}");
        }
        foreach (var gateway in _gateways) gateway.Dispose();
        foreach (var silo in _silos) silo.Process.Dispose();
        try
        {
            Directory.Delete(_workDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>One silo process of a <see cref="ClusterProcesses"/>; it serves /metrics, /healthz and /readyz over HTTP.</summary>
internal sealed class ClusterSilo(string name, int siloPort, int gatewayPort, ChildProcess process)
{
    public string Name => name;
    public int SiloPort => siloPort;
    public int GatewayPort => gatewayPort;
    public ChildProcess Process => process;

    /// <summary>Where the silo's web server listens, as it reported it once active.</summary>
    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>
    /// Returns once the silo's host has started (it logs "Application started" once every hosted service has, the
    /// Orleans silo among them): by then it has joined the cluster and is active in the membership table.
    /// </summary>
    public async Task WaitUntilActiveAsync(TimeSpan timeout)
    {
        BaseUrl = await process.ListeningUrlAsync(timeout);
        await process.WaitForOutputAsync(HostOutput.Started, timeout);
    }

    /// <summary>SIGKILL (kill -9) to the silo's process tree: no shutdown, no goodbye to the cluster.</summary>
    public void Kill() => process.Kill();
}

/// <summary>One client-mode gateway process of a <see cref="ClusterProcesses"/>, with an HTTP client for it.</summary>
internal sealed class ClusterGateway : IDisposable
{
    public ClusterGateway(string name, IReadOnlyDictionary<string, string> environment, ChildProcess process)
    {
        Name = name;
        Environment = environment;
        Process = process;
    }

    public string Name { get; }

    /// <summary>Where the gateway listens, as it reported it; known once <see cref="ListeningAsync"/> has returned.</summary>
    public Uri BaseUrl { get; private set; } = null!;

    public int HttpPort => BaseUrl.Port;

    /// <summary>This gateway's settings as environment variables (the cluster's shared ones and Cluster__Mode=Client).</summary>
    public IReadOnlyDictionary<string, string> Environment { get; }

    public ChildProcess Process { get; }

    /// <summary>An HTTP client for <see cref="BaseUrl"/>, from <see cref="ListeningAsync"/> on.</summary>
    public HttpClient Http { get; private set; } = null!;

    /// <summary>Waits until the gateway's web server listens, and takes its address.</summary>
    public async Task ListeningAsync(TimeSpan timeout)
    {
        BaseUrl = await Process.ListeningUrlAsync(timeout);
        // Room for the probes MintLoad keeps sending while earlier requests hang (up to 30 s); a timeout above
        // Orleans' 30 s response timeout, so a call the cluster lost is answered by the gateway, not cut here.
        Http = HostClient.For(BaseUrl, maxConnectionsPerServer: 1024, TimeSpan.FromSeconds(75));
    }

    public void Dispose()
    {
        Http?.Dispose();
        Process.Dispose();
    }
}
