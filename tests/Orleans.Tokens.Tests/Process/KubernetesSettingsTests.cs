using System.Diagnostics;
using Xunit.Abstractions;

namespace Orleans.Tokens.Tests.ProcessLevel;

/// <summary>
/// Cluster:Kubernetes=true where it cannot work: a silo process refuses to start, with the reason, before it reaches
/// any database or Kubernetes API (the connection string names a port where nothing listens).
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class KubernetesSettingsTests(ITestOutputHelper log)
{
    private static readonly TimeSpan ExitLimit = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData("Sqlite", null, "127.0.0.1", "Cluster:Kubernetes=true needs Cluster:Storage=PostgreSql")]
    [InlineData("PostgreSql", null, null, "Cluster:Kubernetes=true needs POD_IP")]
    [InlineData("PostgreSql", null, "$(POD_IP)", "POD_IP must be an IP address, not '$(POD_IP)'")]
    [InlineData("PostgreSql", "10.1.2.3", "10.1.2.4", "leave Cluster:AdvertisedIPAddress unset")]
    public async Task A_silo_with_Kubernetes_hosting_and_settings_it_cannot_use_exits_with_the_reason(
        string storage, string? advertisedAddress, string? podIP, string reason)
    {
        var environment = new Dictionary<string, string>
        {
            ["Cluster__Kubernetes"] = "true",
            ["Cluster__Storage"] = storage,
            ["ConnectionStrings__Tokens"] = $"Host=127.0.0.1;Port={FreePorts.Take(1)[0]};Database=tokens;Username=tokens;Password=unused",
            ["POD_NAME"] = "tokens-silo-0",
            ["POD_NAMESPACE"] = "orleans-tokens",
        };
        if (advertisedAddress is not null) environment["Cluster__AdvertisedIPAddress"] = advertisedAddress;
        if (podIP is not null) environment["POD_IP"] = podIP;
        var directory = Directory.CreateTempSubdirectory("orleans-tokens-k8s-settings-").FullName;
        try
        {
            using var silo = ChildProcess.Start(ProcessBinaries.Silo, ["--urls=http://127.0.0.1:0"], environment, directory);
            var watch = Stopwatch.StartNew();
            while (!silo.HasExited)
            {
                Assert.True(watch.Elapsed < ExitLimit, $"the silo still runs after {ExitLimit}:\n{silo.Output}");
                await Task.Delay(100);
            }
            await silo.DrainOutputAsync();
            log.WriteLine($"exit code {silo.ExitCode} after {watch.ElapsedMilliseconds} ms:\n{silo.Output}");
            Assert.NotEqual(0, silo.ExitCode);
            Assert.Contains(reason, silo.Output);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
