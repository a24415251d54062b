using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace Orleans.Tokens.Tests.ProcessLevel;

/// <summary>
/// A .NET program started as <c>dotnet &lt;dll&gt; args…</c> with a clean configuration environment, its stdout and
/// stderr captured together, and its whole process tree killed on dispose.
/// </summary>
internal sealed class ChildProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource _stdoutClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _stderrClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ChildProcess(Process process) => _process = process;

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>Everything the process wrote so far, stdout and stderr interleaved by line.</summary>
    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    public static ChildProcess Start(string dll, IEnumerable<string> arguments, IReadOnlyDictionary<string, string> environment, string workingDirectory)
    {
        var info = StartInfo(dll, arguments, environment, workingDirectory);
        info.RedirectStandardInput = true;
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var child = new ChildProcess(process);
        process.OutputDataReceived += (_, e) => child.Append(e.Data, child._stdoutClosed);
        process.ErrorDataReceived += (_, e) => child.Append(e.Data, child._stderrClosed);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>
    /// The start info shared by long-running children and one-shot commands: configuration comes only from what
    /// the test passes, so variables of the machine or the test runner (ASPNETCORE_URLS, Tokens__…, Logging__…, and
    /// those Orleans' Kubernetes hosting reads: ORLEANS_…, POD_…, KUBECONFIG) cannot change what is tested.
    /// </summary>
    public static ProcessStartInfo StartInfo(string dll, IEnumerable<string> arguments, IReadOnlyDictionary<string, string> environment, string workingDirectory)
    {
        var info = new ProcessStartInfo(ProcessBinaries.DotnetHost)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        info.ArgumentList.Add(dll);
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        foreach (var name in info.Environment.Keys.ToList())
        {
            if (name.StartsWith("ASPNETCORE_", StringComparison.OrdinalIgnoreCase)
                || name.StartsWith("Tokens__", StringComparison.OrdinalIgnoreCase)
                || name.StartsWith("Cluster__", StringComparison.OrdinalIgnoreCase)
                || name.StartsWith("Logging__", StringComparison.OrdinalIgnoreCase)
                || name.StartsWith("ORLEANS_", StringComparison.OrdinalIgnoreCase)
                || name.StartsWith("POD_", StringComparison.Ordinal)
                || name.Equals("KUBECONFIG", StringComparison.Ordinal)
                || name.Equals("DOTNET_ENVIRONMENT", StringComparison.OrdinalIgnoreCase)
                || name.Equals("DOTNET_URLS", StringComparison.OrdinalIgnoreCase)
                || name.Equals("URLS", StringComparison.OrdinalIgnoreCase))
                info.Environment.Remove(name);
        }
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (name, value) in environment) info.Environment[name] = value;
        return info;
    }

    private void Append(string? line, TaskCompletionSource closed)
    {
        if (line is null)
        {
            closed.TrySetResult();
            return;
        }
        lock (_output) _output.Append(line).Append('\n');
    }

    /// <summary>
    /// Asks the process to stop the way an operator or a service manager does: SIGTERM, which ASP.NET Core's
    /// console lifetime turns into a host shutdown (Kestrel drains, the co-hosted silo deactivates its grains and
    /// leaves the cluster). Only if it has not exited within <paramref name="timeout"/> is the tree killed.
    /// Returns true when the process exited by itself.
    /// </summary>
    public async Task<bool> StopAsync(TimeSpan timeout)
    {
        if (_process.HasExited) return true;
        var graceful = false;
        if (!OperatingSystem.IsWindows() && SendSignal(_process.Id, SigTerm) == 0)
        {
            using var wait = new CancellationTokenSource(timeout);
            try
            {
                await _process.WaitForExitAsync(wait.Token);
                graceful = true;
            }
            catch (OperationCanceledException)
            {
            }
        }
        if (!graceful) Kill();
        await DrainOutputAsync();
        return graceful;
    }

    /// <summary>Kills at once (SIGKILL to the whole tree): a crash, as far as the data directory can tell.</summary>
    public void Kill()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    public async Task DrainOutputAsync()
    {
        if (!_process.HasExited) return;
        await Task.WhenAny(Task.WhenAll(_stdoutClosed.Task, _stderrClosed.Task), Task.Delay(5_000));
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }

    private const int SigTerm = 15;

    // DllImport rather than LibraryImport: the latter needs AllowUnsafeBlocks in the shared test project.
    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);
}
