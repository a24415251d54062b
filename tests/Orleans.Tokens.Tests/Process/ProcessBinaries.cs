using System.Reflection;

namespace Orleans.Tokens.Tests.ProcessLevel;

/// <summary>
/// Finds the built gateway and admin assemblies to run with <c>dotnet &lt;dll&gt;</c>.
/// <para>
/// First choice: each project's own output, <c>gateway/bin/&lt;Configuration&gt;/&lt;tfm&gt;/</c> and
/// <c>admin/bin/&lt;Configuration&gt;/&lt;tfm&gt;/</c>, with the Configuration and target framework of this test
/// assembly. The test project references both projects, so building the tests builds those directories too; there
/// the deps.json and runtimeconfig.json describe exactly the files next to them, and the gateway's appsettings.json
/// (its default log levels) is there as well, which is what an operator runs.
/// </para>
/// <para>
/// Fallback: this test assembly's own output directory. The SDK copies a referenced Exe project's
/// runtimeconfig.json and deps.json there, but the assemblies in it are the test project's resolution of package
/// versions, which may differ from what the gateway's deps.json names, so it is only used when the repository's
/// bin directories are absent (for example when the tests run from a copied output folder).
/// </para>
/// </summary>
internal static class ProcessBinaries
{
    public static string Gateway { get; } = Locate("gateway", "Orleans.Tokens.Gateway");

    public static string Admin { get; } = Locate("admin", "Orleans.Tokens.Admin");

    /// <summary>The dotnet host that runs these tests (the SDK sets DOTNET_HOST_PATH for test runs).</summary>
    public static string DotnetHost { get; } =
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    private static string Locate(string projectFolder, string assemblyName)
    {
        var testDirectory = AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar);
        var targetFramework = Path.GetFileName(testDirectory); // bin/<Configuration>/<tfm>
        var configuration = typeof(ProcessBinaries).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration
            ?? Path.GetFileName(Path.GetDirectoryName(testDirectory));
        var tried = new List<string>();
        for (var directory = new DirectoryInfo(testDirectory); directory is not null; directory = directory.Parent)
        {
            if (!File.Exists(Path.Combine(directory.FullName, "Orleans.Tokens.sln"))) continue;
            var candidate = Path.Combine(directory.FullName, projectFolder, "bin", configuration!, targetFramework, assemblyName + ".dll");
            tried.Add(candidate);
            if (IsRunnable(candidate)) return candidate;
            break;
        }
        var local = Path.Combine(testDirectory, assemblyName + ".dll");
        tried.Add(local);
        if (IsRunnable(local)) return local;
        throw new FileNotFoundException($"{assemblyName}.dll with its runtimeconfig.json was not found; tried {string.Join(", ", tried)}. Build the solution first.");
    }

    private static bool IsRunnable(string dll) =>
        File.Exists(dll) && File.Exists(Path.ChangeExtension(dll, ".runtimeconfig.json"));
}
