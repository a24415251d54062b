using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using Orleans.Tokens.Tests.ProcessLevel;
using Xunit.Abstractions;

namespace Orleans.Tokens.Tests.ClusterLevel;

/// <summary>
/// A real cluster on a <see cref="PostgresServer"/>, started the way <c>deploy/local/cluster.sh</c> starts one: silos
/// (<c>dotnet Orleans.Tokens.Silo.dll</c>, Cluster:Storage=PostgreSql, each applying the schema, free silo and
/// Orleans gateway ports on 127.0.0.1) and client-mode gateways (<c>dotnet Orleans.Tokens.Gateway.dll
/// --Cluster:Mode=Client</c> on free HTTP ports), all sharing one fresh token key (Tokens__TokenKeys__&lt;id&gt;) and
/// the connection string. A silo is ready when its host has started (the silo is then active in the membership
/// table); a gateway when GET /healthz answers 200 and a mint for an unknown customer reaches a grain (401, -2018).
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
        Environment = new Dictionary<string, string>
        {
            ["Cluster__Storage"] = "PostgreSql",
            ["ConnectionStrings__Tokens"] = postgres.ConnectionString,
            [$"Tokens__TokenKeys__{keyId}"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            ["Tokens__ActiveTokenKey"] = keyId,
            // Nothing of a PostgreSQL cluster lives there; set so that no host could write into its bin directory.
            ["Tokens__DataDirectory"] = _workDirectory,
        };
    }

    /// <summary>The settings every process of this cluster shares (secrets included), as environment variables.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; }

    public IReadOnlyList<ClusterSilo> Silos => _silos;
    public IReadOnlyList<ClusterGateway> Gateways => _gateways;

    /// <summary>The admin tool with the cluster's shared settings.</summary>
    public AdminProcess Admin => new(Environment, _log);

    /// <summary>
    /// Starts <paramref name="silos"/> silos, then <paramref name="gateways"/> gateways once every silo is active, so
    /// that each gateway finds every silo's Orleans gateway in the membership table from the start.
    /// </summary>
    public static async Task<ClusterProcesses> StartAsync(PostgresServer postgres, ITestOutputHelper log, int silos = 2, int gateways = 2)
    {
        var cluster = new ClusterProcesses(postgres, log);
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
            // Silo port, gateway port, and the silo's own HTTP port (/metrics, /healthz, /readyz).
            var ports = FreePorts.Take(3);
            var name = $"silo{_silos.Count + 1}";
            var process = ChildProcess.Start(
                ProcessBinaries.Silo,
                // Every silo applies the schema, as cluster.sh has it: idempotent, and they take turns on a lock.
                ["--Cluster:ApplySchema=true", $"--Cluster:SiloPort={ports[0]}", $"--Cluster:GatewayPort={ports[1]}", $"--urls=http://127.0.0.1:{ports[2]}"],
                environment is null ? Environment : new Dictionary<string, string>(Environment.Concat(environment)),
                _workDirectory);
            var silo = new ClusterSilo(name, ports[0], ports[1], ports[2], process);
            _silos.Add(silo);
            started.Add(silo);
        }
        await Task.WhenAll(started.Select(WaitUntilActiveAsync));
        _log.WriteLine($"{string.Join(", ", started.Select(s => $"{s.Name} (pid {s.Process.Id}, silo port {s.SiloPort}, gateway port {s.GatewayPort})"))} active in {watch.ElapsedMilliseconds} ms");
    }

    /// <summary>Starts more client-mode gateways together and returns when each reaches a grain.</summary>
    public async Task StartGatewaysAsync(int count)
    {
        if (count == 0) return;
        var watch = Stopwatch.StartNew();
        var started = new List<ClusterGateway>();
        for (var i = 0; i < count; i++)
        {
            var port = FreePorts.Take(1)[0];
            var name = $"gateway{_gateways.Count + 1}";
            var environment = new Dictionary<string, string>(Environment) { ["Cluster__Mode"] = "Client" };
            var process = ChildProcess.Start(
                ProcessBinaries.Gateway,
                ["--urls", $"http://127.0.0.1:{port}"],
                environment,
                // Its bin directory is its content root, as for an operator who runs it from there.
                Path.GetDirectoryName(ProcessBinaries.Gateway)!);
            var gateway = new ClusterGateway(name, port, environment, process);
            _gateways.Add(gateway);
            started.Add(gateway);
        }
        await Task.WhenAll(started.Select(WaitUntilReadyAsync));
        _log.WriteLine($"{string.Join(", ", started.Select(g => $"{g.Name} (pid {g.Process.Id}) on {g.BaseUrl}"))} ready in {watch.ElapsedMilliseconds} ms");
    }

    // The silo host logs "Application started" once every hosted service has started, the Orleans silo among them:
    // by then it has joined the cluster and is active in the membership table.
    private static async Task WaitUntilActiveAsync(ClusterSilo silo)
    {
        var watch = Stopwatch.StartNew();
        while (!silo.Process.Output.Contains("Application started", StringComparison.Ordinal))
        {
            if (silo.Process.HasExited)
            {
                await silo.Process.DrainOutputAsync();
                throw new InvalidOperationException($"{silo.Name} exited with code {silo.Process.ExitCode} before it was active:\n{Tail(silo.Process.Output)}");
            }
            if (watch.Elapsed > StartTimeout)
                throw new TimeoutException($"{silo.Name} was not active within {StartTimeout}:\n{Tail(silo.Process.Output)}");
            await Task.Delay(100);
        }
    }

    private static async Task WaitUntilReadyAsync(ClusterGateway gateway)
    {
        var watch = Stopwatch.StartNew();
        using var probe = new HttpClient { BaseAddress = gateway.BaseUrl, Timeout = TimeSpan.FromSeconds(10) };
        var unknown = TokenRequests.Widevine("1,00000000000000000000000000000000", TokenRequests.RandomHex(16), TokenRequests.RandomHex(16));
        unknown.Add(new("errorFormat", "json"));
        var last = "no answer yet";
        while (true)
        {
            if (gateway.Process.HasExited)
            {
                await gateway.Process.DrainOutputAsync();
                throw new InvalidOperationException($"{gateway.Name} exited with code {gateway.Process.ExitCode} before it was ready:\n{Tail(gateway.Process.Output)}");
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
                throw new TimeoutException($"{gateway.Name} was not ready within {StartTimeout} (last: {last}):\n{Tail(gateway.Process.Output)}");
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
            _log.WriteLine($"--- {name} output (tail) ---\n{Tail(process.Output, 2500)}");
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

    internal static string Tail(string text, int length = 4000) => text.Length <= length ? text : "…" + text[^length..];
}

/// <summary>One silo process of a <see cref="ClusterProcesses"/>; it serves /metrics, /healthz and /readyz on its HTTP port.</summary>
internal sealed record ClusterSilo(string Name, int SiloPort, int GatewayPort, int HttpPort, ChildProcess Process)
{
    public Uri BaseUrl => new($"http://127.0.0.1:{HttpPort}");

    /// <summary>SIGKILL (kill -9) to the silo's process tree: no shutdown, no goodbye to the cluster.</summary>
    public void Kill() => Process.Kill();
}

/// <summary>One client-mode gateway process of a <see cref="ClusterProcesses"/>, with an HTTP client for it.</summary>
internal sealed class ClusterGateway : IDisposable
{
    public ClusterGateway(string name, int httpPort, IReadOnlyDictionary<string, string> environment, ChildProcess process)
    {
        Name = name;
        HttpPort = httpPort;
        Environment = environment;
        Process = process;
        Http = new HttpClient(new SocketsHttpHandler
        {
            // Room for the probes MintLoad keeps sending while earlier requests hang (up to 30 s).
            MaxConnectionsPerServer = 1024,
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
        })
        {
            BaseAddress = BaseUrl,
            // Above Orleans' 30 s response timeout: a call the cluster lost is answered by the gateway, not cut here.
            Timeout = TimeSpan.FromSeconds(75),
        };
    }

    public string Name { get; }
    public int HttpPort { get; }
    public Uri BaseUrl => new($"http://127.0.0.1:{HttpPort}");

    /// <summary>This gateway's settings as environment variables (the cluster's shared ones and Cluster__Mode=Client).</summary>
    public IReadOnlyDictionary<string, string> Environment { get; }

    public ChildProcess Process { get; }
    public HttpClient Http { get; }

    public void Dispose()
    {
        Http.Dispose();
        Process.Dispose();
    }
}
