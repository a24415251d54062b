using System.Diagnostics;
using System.Text.Json;
using Xunit;
using Xunit.Abstractions;

namespace Orleans.Tokens.Tests.ProcessLevel;

/// <summary>One run of the admin tool (contract section 9).</summary>
internal sealed record AdminResult(string[] Arguments, int ExitCode, string Stdout, string Stderr)
{
    public JsonElement Json => JsonDocument.Parse(Stdout).RootElement;

    public override string ToString() =>
        $"admin {string.Join(' ', Arguments)} → exit {ExitCode}\nstdout: {Stdout}\nstderr: {Stderr}";
}

/// <summary>
/// The real admin tool (an Orleans client of the cluster) run as <c>dotnet Orleans.Tokens.Admin.dll …</c>. It takes
/// its settings from the environment only: for the gateway's embedded silo Cluster__GatewayPort and
/// Tokens__DataDirectory; for another cluster whatever settings its hosts share.
/// </summary>
internal sealed class AdminProcess(IReadOnlyDictionary<string, string> environment, ITestOutputHelper log)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <summary>The admin tool for an embedded gateway: its silo's gateway port and its data directory.</summary>
    public AdminProcess(int gatewayPort, string dataDirectory, ITestOutputHelper log)
        : this(new Dictionary<string, string>
        {
            ["Cluster__GatewayPort"] = gatewayPort.ToString(),
            ["Tokens__DataDirectory"] = dataDirectory,
        }, log)
    {
    }

    public Task<AdminResult> RunAsync(params string[] arguments) => RunCoreAsync(null, arguments);

    /// <summary>Runs a command with <paramref name="standardInput"/> on its standard input (for <c>batch</c>).</summary>
    public Task<AdminResult> RunWithInputAsync(string standardInput, params string[] arguments) => RunCoreAsync(standardInput, arguments);

    private async Task<AdminResult> RunCoreAsync(string? standardInput, string[] arguments)
    {
        var watch = Stopwatch.StartNew();
        var info = ChildProcess.StartInfo(ProcessBinaries.Admin, arguments, environment, Path.GetDirectoryName(ProcessBinaries.Admin)!);
        info.RedirectStandardInput = standardInput is not null;
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (standardInput is not null)
        {
            await process.StandardInput.WriteAsync(standardInput);
            process.StandardInput.Close();
        }
        using var timeout = new CancellationTokenSource(Timeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            throw new TimeoutException($"admin {string.Join(' ', arguments)} did not finish within {Timeout}:\n{await stdout}\n{await stderr}");
        }
        var result = new AdminResult(arguments, process.ExitCode, (await stdout).Trim(), (await stderr).Trim());
        log.WriteLine($"[{watch.ElapsedMilliseconds} ms] admin {Shorten(string.Join(' ', arguments))} → exit {result.ExitCode}");
        return result;
    }

    /// <summary>Runs a command that must succeed and returns its JSON.</summary>
    public async Task<JsonElement> RunOkAsync(params string[] arguments)
    {
        var result = await RunAsync(arguments);
        Assert.True(result.ExitCode == 0, result.ToString());
        try
        {
            return result.Json;
        }
        catch (JsonException exception)
        {
            throw new Xunit.Sdk.XunitException($"stdout is not JSON ({exception.Message}): {result}");
        }
    }

    /// <summary><c>customer create</c>; returns the production and test authenticators it printed.</summary>
    public async Task<Customer> CreateCustomerAsync(long customerId, long balance, params string[] options)
    {
        var json = await RunOkAsync(["customer", "create", customerId.ToString(), "--balance", balance.ToString(), .. options]);
        Assert.Equal(customerId, json.GetProperty("customerId").GetInt64());
        var authenticators = json.GetProperty("authenticators");
        return new Customer(
            customerId,
            authenticators.GetProperty("production").GetString()!,
            authenticators.GetProperty("test").GetString()!);
    }

    public async Task<long> ProductionBalanceAsync(long customerId)
    {
        var json = await RunOkAsync("customer", "show", customerId.ToString());
        return json.GetProperty("balances").GetProperty("production").GetInt64();
    }

    public Task<AdminResult> InspectAsync(string token, bool showKey = false) =>
        showKey ? RunAsync("token", "inspect", token, "--show-key") : RunAsync("token", "inspect", token);

    private static string Shorten(string text) => text.Length <= 120 ? text : text[..117] + "…";
}

/// <summary>A customer as <c>customer create</c> printed it: <c>customerId,secret</c> per environment.</summary>
internal sealed record Customer(long Id, string Production, string Test)
{
    public string ProductionSecret => Production[(Production.IndexOf(',') + 1)..];
    public string TestSecret => Test[(Test.IndexOf(',') + 1)..];
}
