using System.Diagnostics;
using Orleans.Tokens.Tests.ProcessLevel;
using Xunit.Abstractions;

namespace Orleans.Tokens.Tests.ClusterLevel;

/// <summary>
/// Makes sure <c>silo/bin/&lt;Configuration&gt;/&lt;tfm&gt;/Orleans.Tokens.Silo.dll</c> is there and current before a
/// cluster test starts silos from it. The test project references the gateway and the admin tool but not the silo,
/// so <c>dotnet test Orleans.Tokens.sln</c> (the README's command, .ci/run) builds it, while
/// <c>dotnet test tests/Orleans.Tokens.Tests</c> does not: a silo from an older build would then run grain code
/// other than the one under test. Stale means: missing; a project assembly it shares with this test assembly
/// (grains, hosting, abstractions) differing byte for byte from the one just built here; or a file of the silo
/// project newer than its assembly. Then it is built once (<c>dotnet build silo</c>), and the test run says so.
/// </summary>
internal static class SiloBinary
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static bool _checked;

    public static async Task EnsureCurrentAsync(ITestOutputHelper log)
    {
        await Gate.WaitAsync();
        try
        {
            if (_checked) return;
            var dll = ProcessBinaries.ProjectOutput("silo", "Orleans.Tokens.Silo")
                ?? throw new InvalidOperationException("the repository (Orleans.Tokens.sln) was not found above the test assembly; cannot find the silo");
            if (Stale(dll) is { } reason)
            {
                log.WriteLine($"building the silo ({reason})");
                await BuildAsync(Path.Combine(ProcessBinaries.RepositoryRoot!, "silo", "Orleans.Tokens.Silo.csproj"), log);
                if (Stale(dll) is { } still) throw new InvalidOperationException($"the silo is still stale after a build: {still}");
            }
            _ = ProcessBinaries.Silo;
            _checked = true;
        }
        finally
        {
            Gate.Release();
        }
    }

    private static string? Stale(string dll)
    {
        if (!File.Exists(dll) || !File.Exists(Path.ChangeExtension(dll, ".runtimeconfig.json"))) return $"{dll} is missing";
        var siloDirectory = Path.GetDirectoryName(dll)!;
        foreach (var shared in Directory.GetFiles(siloDirectory, "Orleans.Tokens.*.dll"))
        {
            var mine = Path.Combine(AppContext.BaseDirectory, Path.GetFileName(shared));
            if (File.Exists(mine) && !File.ReadAllBytes(mine).AsSpan().SequenceEqual(File.ReadAllBytes(shared)))
                return $"its {Path.GetFileName(shared)} differs from the one built with the tests";
        }
        var built = File.GetLastWriteTimeUtc(dll);
        var project = Path.Combine(ProcessBinaries.RepositoryRoot!, "silo");
        var newer = Directory.EnumerateFiles(project, "*", SearchOption.AllDirectories)
            .Where(file => !IsUnder(file, Path.Combine(project, "bin")) && !IsUnder(file, Path.Combine(project, "obj")))
            .FirstOrDefault(file => File.GetLastWriteTimeUtc(file) > built);
        return newer is null ? null : $"{Path.GetRelativePath(project, newer)} is newer than the silo assembly";
    }

    private static bool IsUnder(string file, string directory) =>
        file.StartsWith(directory + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    private static async Task BuildAsync(string project, ITestOutputHelper log)
    {
        var watch = Stopwatch.StartNew();
        var info = new ProcessStartInfo(ProcessBinaries.DotnetHost)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = ProcessBinaries.RepositoryRoot!,
        };
        // No build server outlives this build, and nothing the test runner's own MSBuild set leaks into it.
        foreach (var argument in new[] { "build", project, "-c", ProcessBinaries.Configuration, "-nologo", "-v", "q", "-nodeReuse:false", "-p:UseSharedCompilation=false" })
            info.ArgumentList.Add(argument);
        foreach (var name in info.Environment.Keys.Where(n => n.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase)).ToList())
            info.Environment.Remove(name);
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        var output = await stdout + await stderr;
        if (process.ExitCode != 0) throw new InvalidOperationException($"dotnet build of the silo failed ({process.ExitCode}):\n{output}");
        log.WriteLine($"silo built in {watch.ElapsedMilliseconds} ms");
    }
}
