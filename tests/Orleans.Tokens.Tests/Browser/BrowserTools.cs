using System.Diagnostics;
using System.Text;
using Orleans.Tokens.Tests.ProcessLevel;

namespace Orleans.Tokens.Tests.Browser;

/// <summary>
/// What the browser tests run: Debian's Chromium, ffmpeg, node, and the npm packages of <c>tests/browser</c>
/// (<c>npm ci</c> there); where a test's screenshots go; and running those tools with a deadline.
/// </summary>
internal static class BrowserTools
{
    public const string Chromium = "/usr/bin/chromium";

    /// <summary>The folder of <c>make-clip.sh</c>, <c>play.mjs</c> and their <c>package.json</c>, or null outside the repository.</summary>
    public static string? Folder { get; } =
        ProcessBinaries.RepositoryRoot is { } root ? Path.Combine(root, "tests", "browser") : null;

    /// <summary>
    /// Where screenshots are kept: <c>ORLEANS_TOKENS_ARTIFACTS</c>/browser when that variable is set, else
    /// <c>artifacts/browser</c> at the repository root (ignored by git).
    /// </summary>
    public static string Artifacts { get; } = Path.Combine(
        Environment.GetEnvironmentVariable("ORLEANS_TOKENS_ARTIFACTS") is { Length: > 0 } artifacts
            ? artifacts
            : Path.Combine(ProcessBinaries.RepositoryRoot ?? AppContext.BaseDirectory, "artifacts"),
        "browser");

    /// <summary>Why the browser tests cannot run here, or null when everything they need is installed.</summary>
    public static string? Unavailable { get; } = FindMissing();

    private static string? FindMissing()
    {
        if (Folder is null) return "the browser tests run from the repository (tests/browser was not found above the test assembly)";
        if (!File.Exists(Chromium)) return $"Chromium is not installed ({Chromium}; apt-get install chromium)";
        if (OnPath("ffmpeg") is null) return "ffmpeg is not installed (apt-get install ffmpeg)";
        if (OnPath("node") is null) return "node is not installed";
        string[] packages = ["playwright-core/package.json", "shaka-player/dist/shaka-player.compiled.js", "shaka-packager/bin/packager-linux-x64"];
        var missing = packages.Where(file => !File.Exists(Path.Combine(Folder, "node_modules", file))).ToList();
        return missing.Count == 0 ? null : $"the npm packages of tests/browser are not installed (npm ci in {Folder}): no {string.Join(", ", missing)}";
    }

    private static string? OnPath(string command) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, command))
            .FirstOrDefault(File.Exists);

    /// <summary>Runs <paramref name="program"/> in <see cref="Folder"/>; kills it and throws when it is not done within <paramref name="timeout"/>.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string program, IEnumerable<string> arguments, TimeSpan timeout)
    {
        var info = new ProcessStartInfo(program)
        {
            WorkingDirectory = Folder!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            throw new TimeoutException($"{program} {string.Join(' ', info.ArgumentList)} did not finish within {timeout}:\n{await stdout}\n{await stderr}");
        }
        return (process.ExitCode, await stdout, await stderr);
    }
}

/// <summary>
/// A test that plays media in a real browser (<see cref="BrowserTools"/>). Where Chromium, ffmpeg, node or the npm
/// packages of <c>tests/browser</c> are missing it is reported as skipped, with the reason, never as passed.
/// .ci/run installs them and fails when a browser test was skipped in CI.
/// </summary>
public sealed class BrowserFactAttribute : FactAttribute
{
    /// <summary>Skips the test, with the reason, when <see cref="BrowserTools.Unavailable"/> says what is missing.</summary>
    public BrowserFactAttribute()
    {
        if (BrowserTools.Unavailable is { } reason) Skip = reason;
    }
}
