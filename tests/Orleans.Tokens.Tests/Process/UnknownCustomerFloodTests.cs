using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Orleans.Tokens.Tests.ClusterLevel;
using Xunit;
using Xunit.Abstractions;

namespace Orleans.Tokens.Tests.ProcessLevel;

/// <summary>
/// Issue 9, must-show 2, on the embedded default: 200,000 mints with random customer ids that no account has (well
/// formed, so each reaches a grain) leave the silo's customer activations back at their count before, and the
/// gateway's resident memory within 10% of before; a real customer minting all along is answered every time (p99
/// printed).
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class UnknownCustomerFloodTests(ITestOutputHelper log)
{
    private const int Flood = 200_000;
    private const int Connections = 32;

    [Fact]
    public async Task Two_hundred_thousand_mints_for_unknown_customers_leave_no_activations_and_no_memory_behind()
    {
        await using var gateway = await GatewayProcess.StartAsync(log);
        var real = await gateway.Admin.CreateCustomerAsync(4600001, balance: 1_000_000);
        await using var management = ClusterManagement.For(new Dictionary<string, string>
        {
            ["Cluster__GatewayPort"] = gateway.GatewayPort.ToString(),
            ["Tokens__DataDirectory"] = gateway.DataDirectory,
        });
        using var http = HostClient.For(gateway.BaseUrl, Connections + 1, TimeSpan.FromSeconds(60));

        // Warm up (JIT, pools, the real customer's activation), then the baseline.
        await UnknownMintsAsync(http, 5_000);
        for (var i = 0; i < 100; i++) Assert.Equal(HttpStatusCode.OK, (await RealMintAsync(http, real)).Status);
        var activationsBefore = await WaitForActivationsAsync(management, expected: null);
        var rssBefore = ResidentBytes(gateway.Process.Id);

        var latencies = new ConcurrentBag<double>();
        var realFailures = new ConcurrentBag<string>();
        using var stop = new CancellationTokenSource();
        var realMints = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var watch = Stopwatch.StartNew();
                var answer = await RealMintAsync(http, real);
                latencies.Add(watch.Elapsed.TotalMilliseconds);
                if (answer.Status != HttpStatusCode.OK) realFailures.Add(answer.ToString());
            }
        });
        var flood = Stopwatch.StartNew();
        var refusals = await UnknownMintsAsync(http, Flood);
        flood.Stop();
        await stop.CancelAsync();
        await realMints;

        var activationsAfter = await WaitForActivationsAsync(management, activationsBefore);
        var rssAfter = await SettledResidentBytesAsync(gateway.Process.Id, rssBefore);
        var sorted = latencies.Order().ToList();
        log.WriteLine($"{Flood} mints for unknown customers in {flood.Elapsed.TotalSeconds:0.0} s ({Flood / flood.Elapsed.TotalSeconds:0} a second): " +
            string.Join(", ", refusals.Select(r => $"{r.Value} × {r.Key}")));
        log.WriteLine($"the real customer's {sorted.Count} mints meanwhile: p50 {sorted[sorted.Count / 2]:0.0} ms, p99 {sorted[(int)(sorted.Count * 0.99)]:0.0} ms, max {sorted[^1]:0.0} ms, {realFailures.Count} not 200");
        log.WriteLine($"customer activations {activationsBefore} before, {activationsAfter} after; resident memory {rssBefore / 1048576.0:0.0} MiB before, {rssAfter / 1048576.0:0.0} MiB after ({(double)rssAfter / rssBefore - 1:+0.0%;-0.0%})");

        Assert.Equal([("401 -2018", Flood)], refusals.Select(r => (r.Key, r.Value)));
        Assert.Empty(realFailures);
        Assert.True(sorted.Count > 100, $"the real customer minted only {sorted.Count} times during the flood");
        Assert.Equal(activationsBefore, activationsAfter);
        Assert.InRange(rssAfter, 0, rssBefore * 1.10);
    }

    private static Task<MintAnswer> RealMintAsync(HttpClient http, Customer real) =>
        TokenRequests.GetAsync(http, TokenRequests.WidevinePath,
            [.. TokenRequests.Widevine(real.Production, TokenRequests.RandomHex(16), TokenRequests.RandomHex(16)), new("errorFormat", "json")]);

    /// <summary>Mints with well-formed authenticators of random customer ids (above any the tests create), on <see cref="Connections"/> connections; the answers counted by "status code".</summary>
    private static async Task<Dictionary<string, int>> UnknownMintsAsync(HttpClient http, int count)
    {
        var answers = new ConcurrentDictionary<string, int>();
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, Connections).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) < count)
            {
                var id = Random.Shared.NextInt64(10_000_000_000, 900_000_000_000);
                var answer = await TokenRequests.GetAsync(http, TokenRequests.WidevinePath,
                    [.. TokenRequests.Widevine($"{id},{TokenRequests.RandomHex(16)}", TokenRequests.RandomHex(16), TokenRequests.RandomHex(16)), new("errorFormat", "json")]);
                answers.AddOrUpdate($"{(int)answer.Status} {answer.ErrorCode}", 1, (_, n) => n + 1);
            }
        }));
        return new Dictionary<string, int>(answers);
    }

    /// <summary>
    /// The customer activations once they stop changing (or reach <paramref name="expected"/>): each unknown
    /// customer's goes as soon as it is idle, so this waits, with a deadline, for the last ones.
    /// </summary>
    private static async Task<int> WaitForActivationsAsync(ClusterManagement management, int? expected)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        var now = await management.ActivationsAsync("CustomerGrain");
        while (DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
            var again = await management.ActivationsAsync("CustomerGrain");
            if (expected is null ? again == now : again == expected) return again;
            now = again;
        }
        return now;
    }

    /// <summary>
    /// Resident memory once it is within 10% of <paramref name="before"/> or has stopped falling: the garbage
    /// collector returns memory some time after the flood, so this waits, with a deadline, for it to.
    /// </summary>
    private static async Task<long> SettledResidentBytesAsync(int pid, long before)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        var now = ResidentBytes(pid);
        while (now > before * 1.10 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(500);
            now = ResidentBytes(pid);
        }
        return now;
    }

    /// <summary>VmRSS of <paramref name="pid"/> from /proc, in bytes.</summary>
    private static long ResidentBytes(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
    }
}
