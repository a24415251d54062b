namespace Orleans.Tokens.Grains;

/// <summary>
/// Credits and the journal of balance changes (contract section 11): a credit with a reference is made once however
/// often it is sent; every change is a <see cref="JournalEntry"/> row written with the balance, and the journal's
/// totals reconcile with the balance and the usage counted.
/// </summary>
public sealed partial class CustomerGrain
{
    public async Task<long> Credit(TokenEnvironment environment, long tokens) =>
        (await Credit(environment, tokens, null, UnnamedActor)).Entry.Balance;

    public async Task<Credited> Credit(TokenEnvironment environment, long tokens, string? reference, string actor)
    {
        if (reference is null) return await CreditNow(environment, tokens, null, actor);
        if (!_crediting.Add(reference)) throw new AccountException($"a credit with reference {reference} is in progress");
        try
        {
            return await rows.Find(this.GetGrainId(), JournalEntry.ReferenceKind, reference) is JournalEntry first
                ? new Credited(first, Repeated: true)
                : await CreditNow(environment, tokens, reference, actor);
        }
        finally
        {
            _crediting.Remove(reference);
        }
    }

    private Task<Credited> CreditNow(TokenEnvironment environment, long tokens, string? reference, string actor) =>
        Commit.Submit(account =>
        {
            Existing(account);
            if (tokens < 1) throw new AccountException("a credit must be at least 1 token");
            if (tokens > long.MaxValue - account.Balance(environment)) throw new AccountException("the balance would overflow");
            var balance = account.Balance(environment) + tokens;
            var entry = new JournalEntry(clock.GetUtcNow(), JournalEntry.Credit, environment, tokens, balance, reference, actor);
            var next = account.WithBalance(environment, balance) with { JournalLength = account.JournalLength + 1 };
            ImmutableArray<GrainRow> journalled = reference is null
                ? [entry.Row(next.JournalLength)]
                : [entry.Row(next.JournalLength), new GrainRow(JournalEntry.ReferenceKind, reference, entry, entry.Time, null)];
            return new Change<Credited>(next, new Credited(entry, Repeated: false), journalled);
        });

    public async Task<JournalView> Journal()
    {
        var account = Existing(Commit.Durable);
        var entries = (await rows.List(this.GetGrainId(), JournalEntry.Kind)).Cast<JournalEntry>().ToImmutableArray();
        var days = usage.State.With(account);
        JournalTotals Totals(TokenEnvironment environment)
        {
            var of = entries.Where(entry => entry.Environment == environment).ToList();
            return new JournalTotals(
                of.Where(entry => entry.Change == JournalEntry.Opening).Sum(entry => entry.Amount),
                of.Where(entry => entry.Change == JournalEntry.Credit).Sum(entry => entry.Amount),
                days.Sum(day => day.Count(environment)),
                account.Balance(environment));
        }
        return new JournalView(entries, Totals(TokenEnvironment.Production), Totals(TokenEnvironment.Test));
    }
}
