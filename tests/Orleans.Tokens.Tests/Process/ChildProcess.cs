using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;

namespace Orleans.Tokens.Tests.ProcessLevel;

/// <summary>
/// A .NET program started as <c>dotnet &lt;dll&gt; args…</c> with a clean configuration environment, its stdout and
/// stderr captured together, and its whole process tree killed on dispose.
/// </summary>
internal sealed class ChildProcess : IDisposable
{
    private readonly Process _process;
    private readonly string _name;
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource _stdoutClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _stderrClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<(Regex Pattern, TaskCompletionSource<Match> Found)> _waiters = [];

    private ChildProcess(Process process, string name)
    {
        _process = process;
        _name = name;
    }

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
        var child = new ChildProcess(process, Path.GetFileNameWithoutExtension(dll));
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
        lock (_output)
        {
            if (line is null)
            {
                closed.TrySetResult();
                if (!_stdoutClosed.Task.IsCompleted || !_stderrClosed.Task.IsCompleted) return;
                foreach (var (pattern, found) in _waiters)
                    found.TrySetException(ClosedWithout(pattern));
                _waiters.Clear();
                return;
            }
            _output.Append(line).Append('\n');
            _waiters.RemoveAll(waiter => waiter.Pattern.Match(line) is { Success: true } match && waiter.Found.TrySetResult(match));
        }
    }

    /// <summary>
    /// The first line of output, written so far or to come, that <paramref name="pattern"/> matches. Throws
    /// <see cref="InvalidOperationException"/> when the process closes its output (exits) first and
    /// <see cref="TimeoutException"/> after <paramref name="timeout"/>, each with the tail of the output.
    /// </summary>
    public async Task<Match> WaitForOutputAsync(Regex pattern, TimeSpan timeout)
    {
        var found = new TaskCompletionSource<Match>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_output)
        {
            if (FirstMatch(pattern) is { } written) return written;
            if (_stdoutClosed.Task.IsCompleted && _stderrClosed.Task.IsCompleted)
                throw ClosedWithout(pattern);
            _waiters.Add((pattern, found));
        }
        try
        {
            return await found.Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            lock (_output) _waiters.RemoveAll(waiter => waiter.Found == found);
            throw new TimeoutException($"{this} wrote no line matching /{pattern}/ within {timeout}:\n{Tail(Output)}");
        }
    }

    /// <summary>Whether a line of the output so far matches <paramref name="pattern"/>.</summary>
    public bool HasWritten(Regex pattern)
    {
        lock (_output) return FirstMatch(pattern) is not null;
    }

    // Called under the output's lock.
    private Match? FirstMatch(Regex pattern) =>
        _output.ToString().Split('\n').Select(line => pattern.Match(line)).FirstOrDefault(match => match.Success);

    // Called under the output's lock.
    private InvalidOperationException ClosedWithout(Regex pattern) =>
        new($"{this} closed its output without a line matching /{pattern}/:\n{Tail(_output.ToString())}");

    /// <summary>The last <paramref name="length"/> characters of <paramref name="text"/> (a process's output).</summary>
    public static string Tail(string text, int length = 4000) => text.Length <= length ? text : "…" + text[^length..];

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

    public override string ToString() => $"{_name} (pid {Id})";

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
