using Orleans.Tokens.Tests.ProcessLevel;
using Xunit.Abstractions;

namespace Orleans.Tokens.Tests.ClusterLevel;

/// <summary>
/// One customer's keyed mints after a run, set against what the cluster stored: the debits (opening − final
/// balance), the idempotency rows, and the token ids answered.
/// </summary>
internal sealed record KeyedCustomerAudit(long CustomerId, int Keys, int Attempts, int Answered, long Debits, int Rows, int DistinctTokenIds);

/// <summary>
/// The checks of exactly-once keyed minting (section 11) after faults: every key answered 200; per customer one
/// debit and one idempotency row per key, and as many distinct token ids; every replay of a key answers its first
/// token id; and no debit whose every request sent before it was answered 503 -2030 ("nothing was debited").
/// </summary>
internal static class ExactlyOnceAudit
{
    public static List<KeyedCustomerAudit> Build(
        IReadOnlyList<Customer> customers, IReadOnlyList<KeyedMint> mints, long openingBalance,
        IReadOnlyDictionary<long, (long Production, long Test)> finalBalances, IReadOnlyList<IdempotencyRow> rows) =>
        [.. customers.Select(c =>
        {
            var mine = mints.Where(m => m.Customer.Id == c.Id).ToList();
            return new KeyedCustomerAudit(
                c.Id,
                mine.Count,
                mine.Sum(m => m.Attempts.Count),
                mine.Count(m => m.Answer is not null),
                openingBalance - finalBalances[c.Id].Production,
                rows.Count(r => r.CustomerId == c.Id),
                mine.Select(m => m.Answer?.TokenId).OfType<string>().Distinct().Count());
        })];

    public static void Print(ITestOutputHelper log, IReadOnlyList<KeyedCustomerAudit> audits)
    {
        log.WriteLine($"{"customer",9} {"keys",6} {"attempts",8} {"200s",6} {"debits",6} {"rows",6} {"token ids",9}");
        foreach (var a in audits)
            log.WriteLine($"{a.CustomerId,9} {a.Keys,6} {a.Attempts,8} {a.Answered,6} {a.Debits,6} {a.Rows,6} {a.DistinctTokenIds,9}");
        log.WriteLine($"{"total",9} {audits.Sum(a => a.Keys),6} {audits.Sum(a => a.Attempts),8} {audits.Sum(a => a.Answered),6} " +
                      $"{audits.Sum(a => a.Debits),6} {audits.Sum(a => a.Rows),6} {audits.Sum(a => a.DistinctTokenIds),9}");
    }

    public static IEnumerable<string> Failures(
        IReadOnlyList<KeyedCustomerAudit> audits, IReadOnlyList<KeyedMint> mints, IReadOnlyList<KeyedMint> replays, IReadOnlyList<IdempotencyRow> rows)
    {
        foreach (var a in audits.Where(a => a.Debits != a.Keys || a.Rows != a.Keys || a.DistinctTokenIds != a.Keys || a.Answered != a.Keys))
            yield return $"customer {a.CustomerId}: {a.Keys} keys, {a.Answered} answered 200, {a.Debits} debits, {a.Rows} idempotency rows, {a.DistinctTokenIds} distinct token ids";
        foreach (var m in mints.Where(m => m.Answer is null).Take(5))
            yield return $"not answered 200: {m.History}";
        var distinct = mints.Select(m => m.Answer?.TokenId).OfType<string>().Distinct().Count();
        if (distinct != mints.Count(m => m.Answer is not null))
            yield return $"{mints.Count(m => m.Answer is not null)} keys answered 200 with only {distinct} distinct token ids";

        var rowOf = rows.ToDictionary(r => (r.CustomerId, r.Key));
        foreach (var m in mints.Where(m => !rowOf.ContainsKey((m.Customer.Id, m.Key))).Take(5))
            yield return $"no idempotency row: {m.History}";
        var keys = mints.Select(m => (m.Customer.Id, m.Key)).ToHashSet();
        foreach (var r in rows.Where(r => !keys.Contains((r.CustomerId, r.Key))).Take(5))
            yield return $"an idempotency row of no key of this run: customer {r.CustomerId}, key {r.Key}";

        foreach (var (mint, replay) in mints.Zip(replays).Where(p => p.First.Answer?.TokenId != p.Second.Answer?.TokenId).Take(5))
            yield return $"the replay answered another token id: {mint.History} | replay: {replay.History}";

        // Section 11: -2030 means that nothing was debited. The row records when the grain decided the debit, by
        // the machine's clock, after the request that carried it was sent: if every request of the key sent by
        // then was answered -2030, one of those answers was wrong.
        foreach (var (mint, row) in LiedNothingDebited(mints, rowOf).Take(5))
            yield return $"debited at Unix ms {row.CreatedAtUnixMs}, yet every request sent before was answered 503 -2030: {mint.History}";
    }

    /// <summary>The keys whose debit came from a request answered 503 -2030 (see <see cref="Failures"/>).</summary>
    public static IEnumerable<(KeyedMint Mint, IdempotencyRow Row)> LiedNothingDebited(
        IReadOnlyList<KeyedMint> mints, IReadOnlyDictionary<(long, string), IdempotencyRow> rowOf) =>
        from m in mints
        where rowOf.ContainsKey((m.Customer.Id, m.Key))
        let row = rowOf[(m.Customer.Id, m.Key)]
        let before = m.Attempts.Where(a => a.SentAtUnixMs <= row.CreatedAtUnixMs).ToList()
        where before.Count > 0 && before.All(a => a.NothingDebited)
        select (m, row);

    /// <summary>
    /// How many keys were debited by an earlier request than the one answered 200: their first answer was lost
    /// (no answer, -9001, -9003) and the key's replay gave the token.
    /// </summary>
    public static int DebitedBeforeTheAnswer(IReadOnlyList<KeyedMint> mints, IReadOnlyList<IdempotencyRow> rows)
    {
        var rowOf = rows.ToDictionary(r => (r.CustomerId, r.Key));
        return mints.Count(m => m.Answer is { } answer && rowOf.TryGetValue((m.Customer.Id, m.Key), out var row) && row.CreatedAtUnixMs < answer.SentAtUnixMs);
    }
}
