using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Orleans.Tokens.Tests.ProcessLevel;
using Xunit.Abstractions;

namespace Orleans.Tokens.Tests.ClusterLevel;

/// <summary>
/// A private PostgreSQL instance for one test, as <c>deploy/local/cluster.sh</c> starts one: initdb into a fresh
/// directory under /tmp, listening on a free port of 127.0.0.1 only (its socket in the owner-only data directory),
/// a <c>tokens</c> role with a random password and a <c>tokens</c> database it owns. PostgreSQL refuses to run as
/// root, so when the tests run as root the server and its tools run as the <c>postgres</c> OS user (runuser).
/// <see cref="StopAsync"/> and <see cref="StartAsync()"/> take the server down (fast shutdown: sessions are cut,
/// open transactions roll back) and up again on the same data and port. Dispose stops it at once and deletes it.
/// </summary>
internal sealed class PostgresServer : IAsyncDisposable
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(90);
    private readonly ITestOutputHelper _log;

    private PostgresServer(ITestOutputHelper log, string binDirectory, string dataDirectory, int port, string password)
    {
        _log = log;
        BinDirectory = binDirectory;
        DataDirectory = dataDirectory;
        Port = port;
        Password = password;
    }

    public string BinDirectory { get; }
    public string DataDirectory { get; }
    public int Port { get; }
    private string Password { get; }

    /// <summary>The Npgsql connection string of the tokens database, as the hosts take it (ConnectionStrings:Tokens).</summary>
    public string ConnectionString =>
        $"Host=127.0.0.1;Port={Port};Database=tokens;Username=tokens;Password={Password}";

    /// <summary>
    /// Why the cluster tests cannot run here, or null when they can: PostgreSQL's server binaries
    /// (<c>/usr/lib/postgresql/*/bin/initdb</c>, or initdb on the PATH) and, as root, the postgres OS user.
    /// </summary>
    public static string? Unavailable { get; } = FindUnavailable(out _);

    private static bool IsRoot => !OperatingSystem.IsWindows() && Environment.UserName == "root";

    public static async Task<PostgresServer> StartAsync(ITestOutputHelper log)
    {
        if (FindUnavailable(out var binDirectory) is { } reason) throw new InvalidOperationException(reason);
        var watch = Stopwatch.StartNew();
        // /tmp rather than $TMPDIR: as root, the postgres user must be able to reach the directory.
        var dataDirectory = Path.Combine(IsRoot ? "/tmp" : Path.GetTempPath(), "orleans-tokens-cluster-pg-" + Guid.NewGuid().ToString("N")[..12]);
        var server = new PostgresServer(log, binDirectory!, dataDirectory, FreePorts.Take(1)[0], Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)));
        try
        {
            await server.CreateAsync();
            await server.StartAsync();
            // Two -c: CREATE DATABASE cannot run inside the transaction a multi-statement string gets.
            await server.PsqlAsync(
                $"CREATE ROLE tokens LOGIN PASSWORD '{server.Password}'",
                "CREATE DATABASE tokens OWNER tokens");
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
        log.WriteLine($"PostgreSQL ({Path.GetFileName(Path.GetDirectoryName(server.BinDirectory))}) ready in {watch.ElapsedMilliseconds} ms on 127.0.0.1:{server.Port}, data {dataDirectory}");
        return server;
    }

    /// <summary>
    /// Creates a login role <paramref name="name"/> with a random password and no privileges of its own, and
    /// returns the connection string of the tokens database as that role.
    /// </summary>
    public async Task<string> CreateLoginRoleAsync(string name)
    {
        var password = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        await PsqlAsync($"CREATE ROLE {name} LOGIN PASSWORD '{password}'");
        return $"Host=127.0.0.1;Port={Port};Database=tokens;Username={name};Password={password}";
    }

    private async Task CreateAsync()
    {
        // initdb creates the directory itself (as the postgres user when root): owner-only, as PostgreSQL wants.
        await RunToolAsync("initdb", "-D", DataDirectory, "-U", "postgres", "-E", "UTF8", "--no-sync",
            "--auth-local=trust", "--auth-host=scram-sha-256");
        // The socket sits in the owner-only data directory, so local trust reaches only its owner.
        var settings = $"""

            listen_addresses = '127.0.0.1'
            port = {Port}
            unix_socket_directories = '{DataDirectory}'
            """;
        string[] append = ["sh", "-c", $"cat >> '{DataDirectory}/postgresql.conf'"];
        await (IsRoot ? RunAsync("runuser", ["-u", "postgres", "--", .. append], settings) : RunAsync(append[0], append[1..], settings));
    }

    /// <summary>Starts the server (again) and returns once it accepts connections.</summary>
    public async Task StartAsync()
    {
        var watch = Stopwatch.StartNew();
        await RunToolAsync("pg_ctl", "-D", DataDirectory, "-l", Path.Combine(DataDirectory, "server.log"), "-w", "-t", "60", "start");
        _log.WriteLine($"PostgreSQL started in {watch.ElapsedMilliseconds} ms");
    }

    /// <summary><c>pg_ctl stop -m fast</c>: returns once the server has shut down.</summary>
    public async Task StopAsync()
    {
        var watch = Stopwatch.StartNew();
        await RunToolAsync("pg_ctl", "-D", DataDirectory, "-m", "fast", "-w", "-t", "60", "stop");
        _log.WriteLine($"PostgreSQL stopped (fast) in {watch.ElapsedMilliseconds} ms");
    }

    /// <summary>
    /// An outage: stops the server, keeps it down for <paramref name="length"/> (the outage's chosen length, not a
    /// stand-in for a condition) and starts it again, reading each step's start and end from <paramref name="nowMs"/>.
    /// </summary>
    public async Task<PostgresOutage> OutageAsync(TimeSpan length, Func<double> nowMs)
    {
        var stopFrom = nowMs();
        await StopAsync();
        var stopTo = nowMs();
        await Task.Delay(length);
        var startFrom = nowMs();
        await StartAsync();
        return new PostgresOutage(stopFrom, stopTo, startFrom, nowMs());
    }

    /// <summary>The last part of the server's log.</summary>
    public string LogTail(int length = 3000)
    {
        try
        {
            var text = File.ReadAllText(Path.Combine(DataDirectory, "server.log"));
            return text.Length <= length ? text : "…" + text[^length..];
        }
        catch (IOException exception)
        {
            return exception.Message;
        }
    }

    /// <summary>A plain-text <c>pg_dump</c> of the tokens database, as a backup would hold it.</summary>
    public Task<string> DumpAsync() =>
        RunToolAsync("pg_dump", "-h", DataDirectory, "-p", Port.ToString(), "-U", "postgres", "-d", "tokens");

    private Task PsqlAsync(params string[] commands)
    {
        var arguments = new List<string> { "-h", DataDirectory, "-p", Port.ToString(), "-U", "postgres", "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-qtA" };
        foreach (var command in commands) arguments.AddRange(["-c", command]);
        return RunToolAsync("psql", [.. arguments]);
    }

    private string Tool(string name) => Path.Combine(BinDirectory, name);

    private Task<string> RunToolAsync(string tool, params string[] arguments) =>
        IsRoot
            ? RunAsync("runuser", ["-u", "postgres", "--", Tool(tool), .. arguments], null)
            : RunAsync(Tool(tool), arguments, null);

    private static async Task<string> RunAsync(string fileName, string[] arguments, string? input)
    {
        // The working directory is / : the postgres user may not enter the test runner's directory.
        var info = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = "/",
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = input is not null,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        // PostgreSQL's tools read PG* variables (PGPORT, PGDATA, PGHOST…): none of the machine's may apply here.
        foreach (var name in info.Environment.Keys.Where(n => n.StartsWith("PG", StringComparison.Ordinal)).ToList())
            info.Environment.Remove(name);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (input is not null)
        {
            await process.StandardInput.WriteAsync(input);
            process.StandardInput.Close();
        }
        using var timeout = new CancellationTokenSource(CommandTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} {string.Join(' ', arguments)} did not finish within {CommandTimeout}");
        }
        var output = await stdout + await stderr;
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{fileName} {string.Join(' ', arguments)} exited with {process.ExitCode}:\n{output}");
        return output;
    }

    private static string? FindUnavailable(out string? binDirectory)
    {
        binDirectory = FindBinDirectory();
        if (binDirectory is null)
            return "PostgreSQL server binaries are not installed (no initdb under /usr/lib/postgresql/*/bin nor on the PATH); " +
                   "the cluster tests need a real PostgreSQL: apt-get install postgresql (.ci/run does)";
        if (IsRoot && !PostgresUserExists())
            return "running as root, PostgreSQL must run as the postgres OS user, which does not exist";
        return null;
    }

    private static string? FindBinDirectory()
    {
        const string root = "/usr/lib/postgresql";
        if (Directory.Exists(root))
        {
            var found = Directory.GetDirectories(root)
                .Select(version => Path.Combine(version, "bin"))
                .Where(bin => File.Exists(Path.Combine(bin, "initdb")) && File.Exists(Path.Combine(bin, "pg_ctl")) && File.Exists(Path.Combine(bin, "psql")))
                .OrderByDescending(bin => int.TryParse(Path.GetFileName(Path.GetDirectoryName(bin)), out var major) ? major : 0)
                .FirstOrDefault();
            if (found is not null) return found;
        }
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var initdb = Path.Combine(directory, "initdb");
            if (!File.Exists(initdb)) continue;
            var bin = Path.GetDirectoryName(new FileInfo(initdb).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? initdb)!;
            if (File.Exists(Path.Combine(bin, "pg_ctl")) && File.Exists(Path.Combine(bin, "psql"))) return bin;
        }
        return null;
    }

    private static bool PostgresUserExists()
    {
        try
        {
            return File.ReadLines("/etc/passwd").Any(line => line.StartsWith("postgres:", StringComparison.Ordinal));
        }
        catch (IOException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (File.Exists(Path.Combine(DataDirectory, "postmaster.pid")))
        {
            try
            {
                await RunToolAsync("pg_ctl", "-D", DataDirectory, "-m", "immediate", "-w", "-t", "30", "stop");
            }
            catch (Exception exception)
            {
                _log.WriteLine($"PostgreSQL did not stop: {exception.Message}");
            }
        }
        _log.WriteLine("--- PostgreSQL log (tail) ---\n" + LogTail(2000));
        try
        {
            if (Directory.Exists(DataDirectory)) Directory.Delete(DataDirectory, recursive: true);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            _log.WriteLine($"could not delete {DataDirectory}: {exception.Message}");
        }
    }
}

/// <summary>When the steps of a <see cref="PostgresServer.OutageAsync"/> began and ended, in ms on the caller's clock.</summary>
internal sealed record PostgresOutage(double StopFromMs, double StopToMs, double StartFromMs, double StartToMs)
{
    public override string ToString() =>
        $"PostgreSQL stopping {StopFromMs / 1000:0.000}–{StopToMs / 1000:0.000} s, starting {StartFromMs / 1000:0.000}–{StartToMs / 1000:0.000} s";
}
