using Xunit.Abstractions;

namespace Orleans.Tokens.Tests.ClusterLevel;

/// <summary>
/// A silo dies (SIGKILL, no shutdown) while mints flow through both gateways to grains it hosts: no 200 may be
/// without its debit, the debits whose answer the crash swallowed are bounded by the requests open at that moment,
/// and the grains come back on the surviving silo by themselves, quickly.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class SiloKillTests(ITestOutputHelper log)
{
    private const int Customers = 8;
    private const int Loops = 32;
    private const long Balance = 1_000_000;
    private static readonly TimeSpan ResumeLimit = TimeSpan.FromSeconds(30);

    [PostgresFact]
    public async Task Killing_the_silo_hosting_the_grains_loses_no_answered_debit_and_minting_resumes_within_30_s()
    {
        await using var postgres = await PostgresServer.StartAsync(log);

        // Where a grain lives is not visible from outside, so the test decides it: the customers are created (and
        // their grains activated) while silo1 is the only silo; Orleans does not move an activation to a silo that
        // joins later, so all of them are still on silo1 when it is killed. Only then do silo2 and the two gateways
        // start, so each gateway knows both silos' Orleans gateways from the membership table.
        await using var cluster = await ClusterProcesses.StartAsync(postgres, log, silos: 1, gateways: 0);
        var customers = await cluster.Admin.CreateCustomersAsync(5200001, Customers, Balance);
        await cluster.StartSilosAsync(1);
        await cluster.StartGatewaysAsync(2);
        var doomed = cluster.Silos[0];

        var load = new MintLoad(cluster.Gateways, customers, Loops);
        load.Start();
        await load.AssertFlowingBeforeAsync("the kill");

        var killFrom = load.NowMs;
        doomed.Kill();
        var killTo = load.NowMs;
        log.WriteLine($"{doomed.Name} (pid {doomed.Process.Id}) killed with SIGKILL at {killFrom / 1000:0.000} s on the load's clock, gone {killTo - killFrom:0} ms later");

        // Resumed: a 200 for a request sent after the silo was gone (so not served by it), timed from the kill.
        var resumed = await load.WaitForMintsSinceAsync(killTo, ResumeLimit + TimeSpan.FromSeconds(15));
        // Once more for every customer after that (the audit below names one that did not).
        await load.WaitForMintsSinceAsync(load.NowMs, TimeSpan.FromSeconds(15));
        await load.StopAsync();
        var outcomes = load.Outcomes;

        // Read after recovery, through the surviving silo.
        var balances = await cluster.Admin.BalancesAsync(customers.Select(c => c.Id));
        var audits = DebitAudit.Build(customers.Select(c => c.Id), outcomes, Balance, balances, killFrom, killTo, resumed, resumeFromMs: killFrom);
        log.WriteLine($"answers: {DebitAudit.Histogram(outcomes)}");
        log.WriteLine($"answered after the kill: {DebitAudit.Histogram(outcomes.Where(o => o.AnsweredMs >= killFrom))}; {DebitAudit.Latencies(outcomes, killFrom)}");
        DebitAudit.Print(log, audits, "first 200 after the kill");
        log.WriteLine($"debits whose answer was lost (debits - 200s): {audits.Sum(a => a.LostAnswers)}, requests in flight at the kill: {audits.Sum(a => a.OpenAtFault)}");
        var resumedAfter = audits.Where(a => a.ResumedAfterMs is not null).Select(a => a.ResumedAfterMs!.Value).ToList();
        if (resumedAfter.Count > 0)
            log.WriteLine($"minting resumed after the kill within {resumedAfter.Min() / 1000:0.00}–{resumedAfter.Max() / 1000:0.00} s (limit {ResumeLimit.TotalSeconds:0} s)");

        var failures = DebitAudit.Failures(audits).ToList();
        failures.AddRange(audits.Where(a => a.ResumedAfterMs is null || a.ResumedAfterMs > ResumeLimit.TotalMilliseconds)
            .Select(a => $"customer {a.CustomerId}: minting did not resume within {ResumeLimit.TotalSeconds:0} s of the kill " +
                         $"({(a.ResumedAfterMs is { } ms ? $"{ms / 1000:0.00} s" : "not at all")})"));
        // Sections 2 and 11: what the cluster cannot take is 503 -2030, or -9001 where the outcome is unknown; never a
        // 500, never a request left unanswered.
        failures.AddRange(outcomes.Where(o => !o.Minted && !o.Unavailable && !o.OutcomeUnknown).GroupBy(o => o.Kind)
            .Select(g => $"{g.Count()} answers {g.Key}, neither 200 nor 503 -2030 nor 503 -9001; first: {g.First().Detail}"));
        failures.AddRange(outcomes.Where(o => o.MalformedMint).Take(3).Select(o => o.Detail));
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.False(cluster.Silos[1].Process.HasExited, "the surviving silo exited");
    }
}
