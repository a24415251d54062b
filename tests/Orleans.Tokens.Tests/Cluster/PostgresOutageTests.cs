using Xunit.Abstractions;

namespace Orleans.Tokens.Tests.ClusterLevel;

/// <summary>
/// The database goes away (pg_ctl stop -m fast) while mints flow, and comes back: meanwhile every answer is a 200
/// whose debit is stored or a 503 -2030 or -9001 (section 11), and minting resumes by itself, with no silo or gateway
/// restarted.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class PostgresOutageTests(ITestOutputHelper log)
{
    private const int Customers = 8;
    private const int Loops = 32;
    private const long Balance = 1_000_000;
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(8);
    private static readonly TimeSpan ResumeLimit = TimeSpan.FromSeconds(30);

    [PostgresFact]
    public async Task While_PostgreSQL_is_down_every_answer_is_200_with_its_debit_or_503_and_minting_resumes_when_it_is_back()
    {
        await using var postgres = await PostgresServer.StartAsync(log);
        await using var cluster = await ClusterProcesses.StartAsync(postgres, log, silos: 2, gateways: 2);
        var customers = await cluster.Admin.CreateCustomersAsync(5300001, Customers, Balance);

        var load = new MintLoad(cluster.Gateways, customers, Loops);
        load.Start();
        await load.AssertFlowingBeforeAsync("the outage");

        var outage = await postgres.OutageAsync(Outage, () => load.NowMs);
        var (stopFrom, stopTo, startFrom, startTo) = outage;
        log.WriteLine($"{outage} on the load's clock");

        // Resumed: a 200 for a request sent once PostgreSQL accepted connections again, timed from then.
        var resumed = await load.WaitForMintsSinceAsync(startTo, ResumeLimit + TimeSpan.FromSeconds(15));
        // Once more for every customer after that (the audit below names one that did not).
        await load.WaitForMintsSinceAsync(load.NowMs, TimeSpan.FromSeconds(15));
        await load.StopAsync();
        var outcomes = load.Outcomes;

        var balances = await cluster.Admin.BalancesAsync(customers.Select(c => c.Id));
        var audits = DebitAudit.Build(customers.Select(c => c.Id), outcomes, Balance, balances, stopFrom, stopTo, resumed, resumeFromMs: startTo);
        // Requests sent after PostgreSQL was down and answered before it was started again: storage was unreachable
        // for all of their life, so none of them can have been debited.
        var duringOutage = outcomes.Where(o => o.SentMs >= stopTo && o.AnsweredMs <= startFrom).ToList();
        log.WriteLine($"answers: {DebitAudit.Histogram(outcomes)}");
        log.WriteLine($"sent and answered while PostgreSQL was down: {DebitAudit.Histogram(duringOutage)}");
        log.WriteLine($"answered after the stop began: {DebitAudit.Latencies(outcomes, stopFrom)}");
        DebitAudit.Print(log, audits, "first 200 after the restart");
        log.WriteLine($"debits whose answer was lost (debits - 200s): {audits.Sum(a => a.LostAnswers)}, requests in flight while PostgreSQL stopped: {audits.Sum(a => a.OpenAtFault)}");
        var resumedAfter = audits.Where(a => a.ResumedAfterMs is not null).Select(a => a.ResumedAfterMs!.Value).ToList();
        if (resumedAfter.Count > 0)
            log.WriteLine($"minting resumed after PostgreSQL was back within {resumedAfter.Min() / 1000:0.00}–{resumedAfter.Max() / 1000:0.00} s (limit {ResumeLimit.TotalSeconds:0} s)");

        var failures = DebitAudit.Failures(audits).ToList();
        failures.AddRange(audits.Where(a => a.ResumedAfterMs is null || a.ResumedAfterMs > ResumeLimit.TotalMilliseconds)
            .Select(a => $"customer {a.CustomerId}: minting did not resume within {ResumeLimit.TotalSeconds:0} s of PostgreSQL's restart " +
                         $"({(a.ResumedAfterMs is { } ms ? $"{ms / 1000:0.00} s" : "not at all")})"));
        failures.AddRange(outcomes.Where(o => !o.Minted && !o.Unavailable).GroupBy(o => o.Kind)
            .Select(g => $"{g.Count()} answers {g.Key}, neither 200 nor 503 -2030 or -9001; first: {g.First().Detail}"));
        failures.AddRange(outcomes.Where(o => o.MalformedMint).Take(3).Select(o => o.Detail));
        if (duringOutage.Count(o => o.Minted) is var mintedWithoutStorage and > 0)
            failures.Add($"{mintedWithoutStorage} requests answered 200 while PostgreSQL was down: 200s without a stored debit");
        if (duringOutage.Count == 0)
            failures.Add("no request was sent and answered during the outage: the test did not exercise it");
        // No restart: every silo and gateway process is the one started at the beginning.
        failures.AddRange(cluster.Silos.Where(s => s.Process.HasExited).Select(s => $"{s.Name} exited during the outage (code {s.Process.ExitCode})"));
        failures.AddRange(cluster.Gateways.Where(g => g.Process.HasExited).Select(g => $"{g.Name} exited during the outage (code {g.Process.ExitCode})"));
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }
}
