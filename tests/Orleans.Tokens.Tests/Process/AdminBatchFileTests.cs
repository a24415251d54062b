using System.Text.Json;
using Xunit;
using Xunit.Abstractions;

namespace Orleans.Tokens.Tests.ProcessLevel;

/// <summary>
/// <c>admin batch --input FILE</c>, what the Kubernetes admin Job runs (its commands are a mounted ConfigMap, it has
/// no standard input): every command line of the file runs in order over one connection, comment and blank lines
/// are skipped, a failing line is answered in its place and makes the exit code 1; a missing file runs nothing.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class AdminBatchFileTests(ITestOutputHelper log)
{
    [Fact]
    public async Task Batch_runs_the_command_lines_of_its_input_file_and_skips_comments()
    {
        await using var gateway = await GatewayProcess.StartAsync(log);
        const long id = 4300301;
        var commands = Path.Combine(gateway.DataDirectory, "commands");
        await File.WriteAllTextAsync(commands, $"""
            # One admin command per line
            customer create {id} --balance 3

              # an indented comment, then a blank line
            customer credit {id} 2 --reference invoice-7
            customer credit {id} 2 --reference invoice-7
            customer show not-a-number
            customer show {id}
            """);

        var result = await gateway.Admin.RunAsync("batch", "--input", commands);

        Assert.True(result.ExitCode == 1, result.ToString());
        var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => JsonDocument.Parse(line).RootElement).ToArray();
        Assert.True(lines.Length == 5, result.ToString());
        Assert.Equal(id, lines[0].GetProperty("customerId").GetInt64());
        Assert.Equal(5, lines[1].GetProperty("balance").GetInt64());
        Assert.Equal(5, lines[2].GetProperty("balance").GetInt64());
        Assert.True(lines[3].TryGetProperty("error", out _), lines[3].ToString());
        Assert.Equal(5, lines[4].GetProperty("balances").GetProperty("production").GetInt64());
    }

    [Fact]
    public async Task Batch_with_a_missing_input_file_runs_nothing()
    {
        // Refused while parsing, before any connection: no cluster is needed (port 1 answers nothing).
        var directory = Directory.CreateTempSubdirectory("admin-batch-").FullName;
        var admin = new AdminProcess(gatewayPort: 1, directory, log);

        var result = await admin.RunAsync("batch", "--input", Path.Combine(directory, "no-such-file"));

        Directory.Delete(directory, recursive: true);
        Assert.Equal(1, result.ExitCode);
        Assert.Equal("", result.Stdout);
        Assert.Contains("error", JsonDocument.Parse(result.Stderr).RootElement.EnumerateObject().Select(p => p.Name));
    }
}
