using Xunit.Abstractions;

namespace Orleans.Tokens.Tests.ClusterLevel;

/// <summary>
/// One customer's account after a fault, read back once the cluster has recovered: how many mints were answered
/// 200, how many tokens left the balance, and how many requests were open while the fault struck.
/// </summary>
internal sealed record CustomerAudit(long CustomerId, int Minted, long Debits, int OpenAtFault, int Requests, double? ResumedAfterMs, int OutcomeOpen)
{
    /// <summary>Debits whose 200 never reached the caller: the request failed, but the token had been spent.</summary>
    public long LostAnswers => Debits - Minted;
}

/// <summary>
/// The checks that a fault (a killed silo, a stopped database) cost no answered debit: for every customer, every 200
/// has its debit in storage (debits ≥ 200s), and the debits without a 200 are no more than the requests that were
/// open while the fault struck (the only ones whose outcome the fault could hide from the caller), nor than the
/// answers that left the outcome open (-9001, or none): a -2030 never hides a debit (section 11).
/// </summary>
internal static class DebitAudit
{
    /// <summary>
    /// The fault struck during [<paramref name="faultFromMs"/>, <paramref name="faultToMs"/>] on the load's clock;
    /// a customer's minting resumed at <paramref name="firstMintAfter"/>, counted from <paramref name="resumeFromMs"/>.
    /// </summary>
    public static List<CustomerAudit> Build(
        IEnumerable<long> customerIds, IReadOnlyList<MintOutcome> outcomes, long initialBalance,
        IReadOnlyDictionary<long, (long Production, long Test)> finalBalances, double faultFromMs, double faultToMs,
        IReadOnlyDictionary<long, double?> firstMintAfter, double resumeFromMs) =>
        [.. customerIds.Select(id =>
        {
            var mine = outcomes.Where(o => o.CustomerId == id).ToList();
            return new CustomerAudit(
                id,
                mine.Count(o => o.Minted),
                initialBalance - finalBalances[id].Production,
                mine.Count(o => o.OpenDuring(faultFromMs, faultToMs)),
                mine.Count,
                firstMintAfter[id] is { } at ? at - resumeFromMs : null,
                mine.Count(o => o.OutcomeOpen));
        })];

    public static void Print(ITestOutputHelper log, IReadOnlyList<CustomerAudit> audits, string resumedColumn)
    {
        log.WriteLine($"{"customer",9} {"requests",8} {"200s",6} {"debits",6} {"lost",4} {"open",4} {"unknown",7} {resumedColumn}");
        foreach (var a in audits)
            log.WriteLine($"{a.CustomerId,9} {a.Requests,8} {a.Minted,6} {a.Debits,6} {a.LostAnswers,4} {a.OpenAtFault,4} {a.OutcomeOpen,7} {(a.ResumedAfterMs is { } ms ? $"{ms / 1000:0.00} s" : "never")}");
        log.WriteLine($"{"total",9} {audits.Sum(a => a.Requests),8} {audits.Sum(a => a.Minted),6} {audits.Sum(a => a.Debits),6} {audits.Sum(a => a.LostAnswers),4} {audits.Sum(a => a.OpenAtFault),4} {audits.Sum(a => a.OutcomeOpen),7}");
    }

    public static IEnumerable<string> Failures(IReadOnlyList<CustomerAudit> audits)
    {
        foreach (var a in audits)
        {
            if (a.Debits < a.Minted)
                yield return $"customer {a.CustomerId}: {a.Minted} answers 200 but only {a.Debits} debits in storage (200s without a debit)";
            if (a.LostAnswers > a.OpenAtFault)
                yield return $"customer {a.CustomerId}: {a.LostAnswers} debits without a 200, more than the {a.OpenAtFault} requests open at the fault";
            if (a.LostAnswers > a.OutcomeOpen)
                yield return $"customer {a.CustomerId}: {a.LostAnswers} debits without a 200, more than the {a.OutcomeOpen} answers -9001 or none: a -2030 hid a debit";
        }
    }

    /// <summary>How long the answers to the requests open at or sent after <paramref name="fromMs"/> took.</summary>
    public static string Latencies(IEnumerable<MintOutcome> outcomes, double fromMs)
    {
        var after = outcomes.Where(o => o.AnsweredMs >= fromMs).ToList();
        if (after.Count == 0) return "no answer";
        var slowest = after.MaxBy(o => o.AnsweredMs - o.SentMs)!;
        return $"slowest {(slowest.AnsweredMs - slowest.SentMs) / 1000:0.00} s ({slowest.Kind}, sent at {slowest.SentMs / 1000:0.000} s); " +
               $"{after.Count(o => o.AnsweredMs - o.SentMs >= 5000)} of {after.Count} took 5 s or more, " +
               $"{after.Count(o => o.AnsweredMs - o.SentMs >= 25000)} took 25 s or more";
    }

    /// <summary>Every answer, counted by status and error code ("200", "503 -2030", "no answer", …).</summary>
    public static string Histogram(IEnumerable<MintOutcome> outcomes) =>
        string.Join(", ", outcomes.GroupBy(o => o.Kind).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key}: {g.Count()}"));
}
