using System.Runtime.Versioning;
using System.Text.RegularExpressions;
using Orleans.Tokens.Hosting;
using Orleans.Tokens.Hosting.Tls;
using Xunit;
using Xunit.Abstractions;

namespace Orleans.Tokens.Tests.ProcessLevel;

/// <summary>
/// The embedded default's data directory is its owner's alone (issue 9): the directory 0700, the SQLite database
/// with its WAL and shared-memory files, the token-key file and the cluster TLS files 0600, also when an earlier version left them wider;
/// the gateway logs the directory's absolute path; and it refuses to start, creating nothing, when the database
/// exists but its token-key file does not.
/// </summary>
[Collection(ProcessCollection.Name)]
[UnsupportedOSPlatform("windows")]
public sealed class DataDirectoryTests(ITestOutputHelper log)
{
    private const UnixFileMode Owner0700 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode Owner0600 = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    [Fact]
    public async Task The_data_directory_and_its_files_are_the_owners_alone_and_its_path_is_logged()
    {
        // The harness creates the directory beforehand with the process's umask (0755 here): the gateway tightens it.
        await using var gateway = await GatewayProcess.StartAsync(log);
        await gateway.Admin.CreateCustomerAsync(4200001, balance: 1);

        AssertPrivate(gateway.DataDirectory);
        Assert.Contains($"data directory {Path.GetFullPath(gateway.DataDirectory)}", gateway.Output);

        // Files an earlier version left readable by everyone are tightened at the next start.
        await gateway.StopAsync();
        File.SetUnixFileMode(gateway.DataDirectory, Owner0700 | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        foreach (var file in Files(gateway.DataDirectory).Where(File.Exists).Concat(Directory.GetFiles(EmbeddedCertificates.Directory(gateway.DataDirectory))))
            File.SetUnixFileMode(file, Owner0600 | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        await gateway.RestartAsync();
        await gateway.Admin.CreateCustomerAsync(4200002, balance: 1);
        AssertPrivate(gateway.DataDirectory);
    }

    [Fact]
    public async Task A_database_without_its_token_keys_is_refused_and_no_key_is_made()
    {
        await using var gateway = await GatewayProcess.StartAsync(log);
        await gateway.Admin.CreateCustomerAsync(4200003, balance: 1);
        await gateway.StopAsync();
        var keys = Path.Combine(gateway.DataDirectory, TokenKeyStore.FileName);
        File.Delete(keys);

        await AssertRefusedAtStartAsync(gateway, new Regex("exists but its token keys .* do not"));

        Assert.False(File.Exists(keys));
    }

    [Fact]
    public async Task A_database_with_stored_keys_without_its_key_storage_keys_is_refused_and_no_key_is_made()
    {
        await using var gateway = await GatewayProcess.StartAsync(log);
        var customer = await gateway.Admin.CreateCustomerAsync(4200004, balance: 1);
        await gateway.Admin.RunOkAsync("key", "put", customer.Id.ToString(), "--kid", "^stored", "--key", "00112233445566778899aabbccddeeff");
        await gateway.StopAsync();
        var keys = Path.Combine(gateway.DataDirectory, KeyStorageKeyStore.FileName);
        File.Delete(keys);

        await AssertRefusedAtStartAsync(gateway, new Regex("holds stored keys but its key-storage keys .* do not exist"));

        Assert.False(File.Exists(keys));
    }

    /// <summary>
    /// Starts a gateway again on <paramref name="gateway"/>'s stopped data directory and ports: it must say
    /// <paramref name="refusal"/>, exit with an error and never listen.
    /// </summary>
    private static async Task AssertRefusedAtStartAsync(GatewayProcess gateway, Regex refusal)
    {
        using var refused = ChildProcess.Start(
            ProcessBinaries.Gateway,
            [HostSettings.OwnPort, $"--Tokens:DataDirectory={gateway.DataDirectory}", $"--Cluster:SiloPort={gateway.SiloPort}", $"--Cluster:GatewayPort={gateway.GatewayPort}"],
            new Dictionary<string, string>(),
            Path.GetDirectoryName(ProcessBinaries.Gateway)!);
        await refused.WaitForOutputAsync(refusal, TimeSpan.FromSeconds(60));
        await refused.DrainOutputAsync();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!refused.HasExited && DateTime.UtcNow < deadline) await Task.Delay(50);

        Assert.True(refused.HasExited, ChildProcess.Tail(refused.Output));
        Assert.NotEqual(0, refused.ExitCode);
        Assert.DoesNotContain("Now listening on", refused.Output);
    }

    private static void AssertPrivate(string directory)
    {
        Assert.Equal(Owner0700, File.GetUnixFileMode(directory));
        var present = Files(directory).Where(File.Exists).ToList();
        // The database, its WAL and shared-memory files (a write happened, so they exist) and the two key files.
        Assert.Equal(5, present.Count);
        foreach (var file in present) Assert.True(File.GetUnixFileMode(file) == Owner0600, $"{file}: {File.GetUnixFileMode(file)}");
        // The cluster CA's certificate and the silo's, gateway's and admin tool's certificates and keys.
        var tls = EmbeddedCertificates.Directory(directory);
        Assert.Equal(Owner0700, File.GetUnixFileMode(tls));
        Assert.Equal(7, Directory.GetFiles(tls).Length);
        foreach (var file in Directory.GetFiles(tls)) Assert.True(File.GetUnixFileMode(file) == Owner0600, $"{file}: {File.GetUnixFileMode(file)}");
    }

    private static IEnumerable<string> Files(string directory) =>
        new[] { "tokens.db", "tokens.db-wal", "tokens.db-shm", TokenKeyStore.FileName, KeyStorageKeyStore.FileName }.Select(name => Path.Combine(directory, name));
}
