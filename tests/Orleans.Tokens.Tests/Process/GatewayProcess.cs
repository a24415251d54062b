using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.Configuration;
using Orleans.Tokens.Hosting;
using Xunit.Abstractions;

namespace Orleans.Tokens.Tests.ProcessLevel;

/// <summary>
/// The real gateway in its default Embedded mode (ASP.NET Core with a co-hosted silo, SQLite and the token-key
/// file under its data directory) as a child process: its own temporary data directory, its web server on a port it
/// binds itself (<c>--urls http://127.0.0.1:0</c>, read from its output), free ports for Cluster:SiloPort and
/// Cluster:GatewayPort (Orleans cannot bind port 0), a short drain delay, and any further settings the test gives
/// (command-line form, after those, kept across restarts). Ready once its host has started and GET /healthz answers
/// 200. Talked to over HTTP on 127.0.0.1 only. Dispose kills whatever still runs and deletes the data directory.
/// </summary>
internal sealed class GatewayProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private readonly ITestOutputHelper _log;
    private readonly List<string> _earlierOutput = [];
    private readonly IReadOnlyList<string> _settings;
    private ChildProcess _process = null!;

    private GatewayProcess(ITestOutputHelper log, IReadOnlyList<string> settings, string dataDirectory, int siloPort, int gatewayPort)
    {
        _log = log;
        _settings = settings;
        DataDirectory = dataDirectory;
        SiloPort = siloPort;
        GatewayPort = gatewayPort;
    }

    public string DataDirectory { get; }
    public int SiloPort { get; }
    public int GatewayPort { get; }

    /// <summary>Where the web server listens, as it reported it; a restart binds a new port.</summary>
    public Uri BaseUrl { get; private set; } = null!;

    public int HttpPort => BaseUrl.Port;

    /// <summary>An HTTP client for <see cref="BaseUrl"/>; a restart replaces it.</summary>
    public HttpClient Http { get; private set; } = null!;

    /// <summary>The management listener (section 11: /metrics, /healthz, /readyz), as it reported it.</summary>
    public Uri ManagementUrl { get; private set; } = null!;

    /// <summary>An HTTP client for <see cref="ManagementUrl"/>; a restart replaces it.</summary>
    public HttpClient Management { get; private set; } = null!;

    /// <summary>The gateway process running now.</summary>
    public ChildProcess Process => _process;

    /// <summary>The admin tool pointed at this gateway's silo (Cluster__GatewayPort) and data directory.</summary>
    public AdminProcess Admin => new(GatewayPort, DataDirectory, _log);

    /// <summary>Everything this gateway process (and the ones before a restart) wrote to stdout and stderr.</summary>
    public string Output => string.Concat(_earlierOutput) + _process.Output;

    /// <summary>The first line of the running process's output that <paramref name="pattern"/> matches, waiting up to <paramref name="timeout"/>.</summary>
    public Task<System.Text.RegularExpressions.Match> WaitForOutputAsync(System.Text.RegularExpressions.Regex pattern, TimeSpan timeout) =>
        _process.WaitForOutputAsync(pattern, timeout);

    /// <summary>Starts a gateway; <paramref name="settings"/> go on its command line, as <c>--Metrics:MaxCustomers=3</c>.</summary>
    public static Task<GatewayProcess> StartAsync(ITestOutputHelper log, params string[] settings)
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "orleans-tokens-process-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(dataDirectory);
        return StartOnAsync(log, dataDirectory, settings);
    }

    /// <summary>Starts a gateway on <paramref name="dataDirectory"/> as it is (a copy of an earlier version's, say).</summary>
    public static async Task<GatewayProcess> StartOnAsync(ITestOutputHelper log, string dataDirectory, params string[] settings)
    {
        var ports = FreePorts.Take(2);
        var gateway = new GatewayProcess(log, settings, dataDirectory, ports[0], ports[1]);
        try
        {
            await gateway.LaunchAsync();
        }
        catch
        {
            await gateway.DisposeAsync();
            throw;
        }
        return gateway;
    }

    private async Task LaunchAsync()
    {
        var started = Stopwatch.StartNew();
        // The working directory is the gateway's own bin directory: its content root, so its appsettings.json
        // (the default log levels) applies as it does for an operator who runs it from there.
        _process = ChildProcess.Start(
            ProcessBinaries.Gateway,
            [
                HostSettings.OwnPort,
                HostSettings.ShortDrain,
                HostSettings.NoFailedAuthenticationLimit,
                HostSettings.OwnManagementPort,
                $"--Tokens:DataDirectory={DataDirectory}",
                $"--Cluster:SiloPort={SiloPort}",
                $"--Cluster:GatewayPort={GatewayPort}",
                .. _settings,
            ],
            new Dictionary<string, string>(),
            Path.GetDirectoryName(ProcessBinaries.Gateway)!);
        BaseUrl = await _process.ListeningUrlAsync(StartTimeout);
        await _process.WaitForOutputAsync(HostOutput.Started, StartTimeout);
        ManagementUrl = new Uri((await _process.WaitForOutputAsync(HostOutput.ManagementListening, StartTimeout)).Groups[1].Value);
        Http?.Dispose();
        Http = HostClient.For(BaseUrl, maxConnectionsPerServer: 32, TimeSpan.FromSeconds(60));
        Management?.Dispose();
        Management = HostClient.For(ManagementUrl, maxConnectionsPerServer: 4, TimeSpan.FromSeconds(60));
        using var health = await Http.GetAsync("/healthz");
        if (health.StatusCode != HttpStatusCode.OK)
            throw new InvalidOperationException($"the gateway answered /healthz {(int)health.StatusCode} once started:\n{ChildProcess.Tail(_process.Output)}");
        _log.WriteLine($"gateway pid {_process.Id} ready in {started.ElapsedMilliseconds} ms on {BaseUrl} (silo {SiloPort}, gateway {GatewayPort}, data {DataDirectory})");
    }

    /// <summary>Stops the gateway gracefully (SIGTERM; kill only after a timeout). True when it exited by itself.</summary>
    public async Task<bool> StopAsync()
    {
        var watch = Stopwatch.StartNew();
        var graceful = await _process.StopAsync(TimeSpan.FromSeconds(30));
        _log.WriteLine(graceful
            ? $"gateway pid {_process.Id} stopped on SIGTERM in {watch.ElapsedMilliseconds} ms, exit code {_process.ExitCode}"
            : $"gateway pid {_process.Id} did not stop on SIGTERM within 30 s and was killed");
        return graceful;
    }

    /// <summary>Kills the gateway at once, as a crash would.</summary>
    public async Task KillAsync()
    {
        _process.Kill();
        await _process.DrainOutputAsync();
        _log.WriteLine($"gateway pid {_process.Id} killed");
    }

    /// <summary>
    /// Starts a new gateway process on the same data directory and Orleans ports, after a stop or a kill; its web
    /// server binds a port of its own again (<see cref="BaseUrl"/> and <see cref="Http"/> follow).
    /// </summary>
    public async Task RestartAsync()
    {
        if (!_process.HasExited) await StopAsync();
        _earlierOutput.Add(_process.Output);
        _process.Dispose();
        await LaunchAsync();
    }

    /// <summary>The token key ring the gateway uses, loaded from its data directory exactly as the hosts load it.</summary>
    public TokenKeyRing LoadKeyRing()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Tokens:DataDirectory"] = DataDirectory })
            .Build();
        return TokenKeyStore.Load(configuration, TokensSettings.From(configuration), createIfMissing: false);
    }

    public async ValueTask DisposeAsync()
    {
        Http?.Dispose();
        Management?.Dispose();
        if (_process is not null)
        {
            _process.Dispose();
            _log.WriteLine("--- gateway output (tail) ---\n" + ChildProcess.Tail(Output, 3000));
        }
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
        await Task.CompletedTask;
    }
}
