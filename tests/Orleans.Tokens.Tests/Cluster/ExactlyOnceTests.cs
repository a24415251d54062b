using System.Diagnostics;
using Xunit.Abstractions;

namespace Orleans.Tokens.Tests.ClusterLevel;

/// <summary>
/// Section 11 ("Idempotent mints", "Knowing the outcome") across crashes, on the PostgreSQL cluster (2 silos, 2
/// gateways): a storefront gives every mint an Idempotency-Key and retries it with the same key, through either
/// gateway, on no answer, 503 -2030, 503 -9001 and 409 -9003 until it is answered, while a silo is killed with
/// SIGKILL three times (and restarted on its ports each time) and PostgreSQL is stopped once. Afterwards every key
/// has exactly one debit: one idempotency row, opening − final balance = distinct token ids answered = keys, and a
/// replay of every key answers its token id and debits nothing.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ExactlyOnceTests(ITestOutputHelper log)
{
    private const int Customers = 6;
    private const int Workers = 24;
    private const long Balance = 1_000_000;
    private const int Kills = 3;
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(4);
    private static readonly TimeSpan FlowLimit = TimeSpan.FromSeconds(45);

    [PostgresFact]
    public async Task Keyed_mints_retried_through_three_silo_kills_and_a_database_outage_are_each_debited_exactly_once()
    {
        var watch = Stopwatch.StartNew();
        await using var postgres = await PostgresServer.StartAsync(log);
        await using var cluster = await ClusterProcesses.StartAsync(postgres, log, silos: 2, gateways: 2);
        var customers = await cluster.Admin.CreateCustomersAsync(5500001, Customers, Balance);

        using var load = new KeyedMintLoad(cluster.Gateways, customers, Workers, ClusterManagement.KeyRing(cluster.Environment));
        load.Start();
        await load.WaitForFlowAsync(0, FlowLimit, "at the start");
        var faults = new List<string>();
        var live = cluster.Silos.ToList();
        for (var kill = 1; kill <= Kills; kill++)
        {
            var victim = live[0];
            var killedAt = load.NowMs;
            victim.Kill();
            var restarted = await cluster.RestartSiloAsync(victim);
            live.Remove(victim);
            live.Add(restarted);
            var activeAt = load.NowMs;
            var flowing = await load.WaitForFlowAsync(activeAt, FlowLimit, $"after kill {kill}");
            faults.Add($"kill {kill}: {victim.Name} (pid {victim.Process.Id}) SIGKILL at {killedAt / 1000:0.000} s, " +
                       $"{restarted.Name} active on its ports at {activeAt / 1000:0.000} s, every customer minted again by {flowing / 1000:0.000} s");
            if (kill == 1) faults.Add(await StopPostgresAsync(postgres, load));
        }
        var keysStopped = load.NowMs;
        await load.StopAsync(KeyedMintLoad.KeyLimit + TimeSpan.FromSeconds(30));
        var mints = load.Mints;
        log.WriteLine($"new keys stopped at {keysStopped / 1000:0.000} s, every key seen through by {load.NowMs / 1000:0.000} s");

        // Every key once more, the cluster quiet: the same token id, and no debit (the balances are read after).
        var replays = await load.ReplayAsync(mints, parallel: 16);
        var balances = await cluster.Admin.BalancesAsync(customers.Select(c => c.Id));
        var rows = await IdempotencyRows.ReadAsync(postgres.ConnectionString);
        var audits = ExactlyOnceAudit.Build(customers, mints, Balance, balances, rows);

        var attempts = mints.SelectMany(m => m.Attempts).ToList();
        foreach (var fault in faults) log.WriteLine(fault);
        log.WriteLine($"keys: {mints.Count}, attempts: {attempts.Count}, retries: {attempts.Count - mints.Count} " +
                      $"(keys retried: {mints.Count(m => m.Attempts.Count > 1)}, most attempts for one key: {mints.Max(m => m.Attempts.Count)})");
        log.WriteLine($"answers: {Histogram(attempts)}");
        log.WriteLine($"distinct token ids answered: {mints.Select(m => m.Answer?.TokenId).OfType<string>().Distinct().Count()}; " +
                      $"keys debited by an earlier request than the one answered 200: {ExactlyOnceAudit.DebitedBeforeTheAnswer(mints, rows)}");
        log.WriteLine($"replays: {replays.Count}, answers: {Histogram(replays.SelectMany(r => r.Attempts))}");
        log.WriteLine("answers by when they came (load's clock):");
        foreach (var bucket in attempts.GroupBy(a => (int)(a.AnsweredMs / 5000)).OrderBy(g => g.Key))
            log.WriteLine($"  {bucket.Key * 5,3}–{bucket.Key * 5 + 5,3} s: {Histogram(bucket)}");
        ExactlyOnceAudit.Print(log, audits);
        log.WriteLine($"run time {watch.Elapsed.TotalSeconds:0.0} s");

        var failures = ExactlyOnceAudit.Failures(audits, mints, replays, rows).ToList();
        failures.AddRange(attempts.Concat(replays.SelectMany(r => r.Attempts)).Where(a => !a.Minted && !a.Retried).GroupBy(a => a.Kind)
            .Select(g => $"{g.Count()} answers {g.Key}, which the storefront cannot retry; first: {g.First().Detail}"));
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    /// <summary>Stops PostgreSQL for <see cref="Outage"/>, starts it again, and waits for minting.</summary>
    private static async Task<string> StopPostgresAsync(PostgresServer postgres, KeyedMintLoad load)
    {
        var outage = await postgres.OutageAsync(Outage, () => load.NowMs);
        var flowing = await load.WaitForFlowAsync(outage.StartToMs, FlowLimit, "after PostgreSQL was back");
        return $"outage: {outage}, every customer minted again by {flowing / 1000:0.000} s";
    }

    private static string Histogram(IEnumerable<KeyedAttempt> attempts) =>
        string.Join(", ", attempts.GroupBy(a => a.Kind).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key}: {g.Count()}"));
}
