using System.Reflection;

namespace Orleans.Tokens.Tests.ProcessLevel;

/// <summary>
/// Finds the built gateway, admin and silo assemblies to run with <c>dotnet &lt;dll&gt;</c>.
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
    // Declared first: the static initializers below run in textual order and use these two.
    /// <summary>The directory holding Orleans.Tokens.sln above this test assembly, or null.</summary>
    public static string? RepositoryRoot { get; } = FindRepositoryRoot();

    /// <summary>This test assembly's build configuration (Debug, Release).</summary>
    public static string Configuration { get; } =
        typeof(ProcessBinaries).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration
        ?? Path.GetFileName(Path.GetDirectoryName(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)))!;

    public static string Gateway { get; } = Locate("gateway", "Orleans.Tokens.Gateway");

    public static string Admin { get; } = Locate("admin", "Orleans.Tokens.Admin");

    public static string Silo { get; } = Locate("silo", "Orleans.Tokens.Silo");

    /// <summary>
    /// Where a project of the repository puts its assembly for this test assembly's Configuration and target
    /// framework (<c>&lt;folder&gt;/bin/&lt;Configuration&gt;/&lt;tfm&gt;/&lt;name&gt;.dll</c>), whether or not it exists; null outside
    /// the repository.
    /// </summary>
    public static string? ProjectOutput(string projectFolder, string assemblyName)
    {
        var targetFramework = Path.GetFileName(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)); // bin/<Configuration>/<tfm>
        return RepositoryRoot is null
            ? null
            : Path.Combine(RepositoryRoot, projectFolder, "bin", Configuration, targetFramework, assemblyName + ".dll");
    }

    /// <summary>The dotnet host that runs these tests (the SDK sets DOTNET_HOST_PATH for test runs).</summary>
    public static string DotnetHost { get; } =
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    private static string Locate(string projectFolder, string assemblyName)
    {
        var tried = new List<string>();
        if (ProjectOutput(projectFolder, assemblyName) is { } candidate)
        {
            tried.Add(candidate);
            if (IsRunnable(candidate)) return candidate;
        }
        var local = Path.Combine(AppContext.BaseDirectory, assemblyName + ".dll");
        tried.Add(local);
        if (IsRunnable(local)) return local;
        throw new FileNotFoundException($"{assemblyName}.dll with its runtimeconfig.json was not found; tried {string.Join(", ", tried)}. Build the solution first.");
    }

    private static string? FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Orleans.Tokens.sln"))) return directory.FullName;
        }
        return null;
    }

    private static bool IsRunnable(string dll) =>
        File.Exists(dll) && File.Exists(Path.ChangeExtension(dll, ".runtimeconfig.json"));
}
