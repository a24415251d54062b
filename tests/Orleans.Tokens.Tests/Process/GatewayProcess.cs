using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.Configuration;
using Orleans.Tokens.Hosting;
using Xunit.Abstractions;

namespace Orleans.Tokens.Tests.ProcessLevel;

/// <summary>
/// The real gateway in its default Embedded mode (ASP.NET Core with a co-hosted silo, SQLite and the token-key
/// file under its data directory) as a child process: its own temporary data directory, free ports for --urls,
/// Cluster:SiloPort and Cluster:GatewayPort, and any further settings the test gives (command-line form, kept across
/// restarts), ready once GET /healthz answers 200. Talked to over HTTP on 127.0.0.1 only. Dispose kills whatever
/// still runs and deletes the data directory.
/// </summary>
internal sealed class GatewayProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private readonly ITestOutputHelper _log;
    private readonly List<string> _earlierOutput = [];
    private readonly IReadOnlyList<string> _settings;
    private ChildProcess _process = null!;

    private GatewayProcess(ITestOutputHelper log, IReadOnlyList<string> settings, string dataDirectory, int httpPort, int siloPort, int gatewayPort)
    {
        _log = log;
        _settings = settings;
        DataDirectory = dataDirectory;
        HttpPort = httpPort;
        SiloPort = siloPort;
        GatewayPort = gatewayPort;
        Http = new HttpClient(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = 32,
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
        })
        {
            BaseAddress = BaseUrl,
            Timeout = TimeSpan.FromSeconds(60),
        };
    }

    public string DataDirectory { get; }
    public int HttpPort { get; }
    public int SiloPort { get; }
    public int GatewayPort { get; }
    public Uri BaseUrl => new($"http://127.0.0.1:{HttpPort}");
    public HttpClient Http { get; }

    /// <summary>The admin tool pointed at this gateway's silo (Cluster__GatewayPort) and data directory.</summary>
    public AdminProcess Admin => new(GatewayPort, DataDirectory, _log);

    /// <summary>Everything this gateway process (and the ones before a restart) wrote to stdout and stderr.</summary>
    public string Output => string.Concat(_earlierOutput) + _process.Output;

    /// <summary>Starts a gateway; <paramref name="settings"/> go on its command line, as <c>--Metrics:MaxCustomers=3</c>.</summary>
    public static async Task<GatewayProcess> StartAsync(ITestOutputHelper log, params string[] settings)
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "orleans-tokens-process-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(dataDirectory);
        var ports = FreePorts.Take(3);
        var gateway = new GatewayProcess(log, settings, dataDirectory, ports[0], ports[1], ports[2]);
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
                "--urls", BaseUrl.ToString().TrimEnd('/'),
                $"--Tokens:DataDirectory={DataDirectory}",
                $"--Cluster:SiloPort={SiloPort}",
                $"--Cluster:GatewayPort={GatewayPort}",
                .. _settings,
            ],
            new Dictionary<string, string>(),
            Path.GetDirectoryName(ProcessBinaries.Gateway)!);
        using var probe = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        while (true)
        {
            if (_process.HasExited)
            {
                await _process.DrainOutputAsync();
                throw new InvalidOperationException($"the gateway exited with code {_process.ExitCode} before it was ready:\n{Tail(_process.Output)}");
            }
            try
            {
                using var response = await probe.GetAsync(new Uri(BaseUrl, "/healthz"));
                if (response.StatusCode == HttpStatusCode.OK) break;
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }
            if (started.Elapsed > StartTimeout)
                throw new TimeoutException($"the gateway did not answer /healthz within {StartTimeout}:\n{Tail(_process.Output)}");
            await Task.Delay(100);
        }
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

    /// <summary>Starts a new gateway process on the same data directory and ports, after a stop or a kill.</summary>
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
        Http.Dispose();
        if (_process is not null)
        {
            _process.Dispose();
            _log.WriteLine("--- gateway output (tail) ---\n" + Tail(Output, 3000));
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

    private static string Tail(string text, int length = 4000) => text.Length <= length ? text : "…" + text[^length..];
}
