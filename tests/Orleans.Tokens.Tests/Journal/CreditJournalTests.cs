using Orleans.Tokens.Tests.Contract;
using Orleans.Tokens.Tests.Infrastructure;

namespace Orleans.Tokens.Tests.Journal;

/// <summary>
/// Section 11, credits: a credit with a reference seen before changes nothing and answers the first one's result;
/// the journal holds the opening balances and every credit, and opening + credits − debits = balance, the debits
/// being the tokens minted. Grain calls as the admin tool makes them, over the real SQLite storage.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class CreditJournalTests(GatewayFixture gateway)
{
    [Fact]
    public async Task A_second_credit_with_the_same_reference_changes_nothing_and_the_journal_reconciles()
    {
        var customer = await gateway.CreateCustomerAsync(productionBalance: 5, testBalance: 2);
        var first = await customer.Grain.Credit(TokenEnvironment.Production, 10, "invoice-1", "alice@host");
        var second = await customer.Grain.Credit(TokenEnvironment.Production, 10, "invoice-1", "bob@host");
        Assert.False(first.Repeated);
        Assert.True(second.Repeated);
        Assert.Equal(first.Entry, second.Entry);
        Assert.Equal(15, await customer.ProductionBalanceAsync());

        await customer.Grain.Credit(TokenEnvironment.Production, 3, "invoice-2", "alice@host");
        await customer.Grain.Credit(TokenEnvironment.Test, 4);
        for (var i = 0; i < 7; i++)
            await Expect.TokenAsync(Drm.Widevine, await gateway.MintAsync(Drm.Widevine, ValidRequests.Widevine(customer)));
        await Expect.TokenAsync(Drm.PlayReady, await gateway.MintAsync(Drm.PlayReady, ValidRequests.PlayReady(customer)));

        var journal = await customer.Grain.Journal();
        Assert.Equal(
            [("opening", TokenEnvironment.Production, 5L, 5L, (string?)null), ("opening", TokenEnvironment.Test, 2L, 2L, null),
             ("credit", TokenEnvironment.Production, 10L, 15L, "invoice-1"), ("credit", TokenEnvironment.Production, 3L, 18L, "invoice-2"),
             ("credit", TokenEnvironment.Test, 4L, 6L, null)],
            journal.Entries.Select(e => (e.Change, e.Environment, e.Amount, e.Balance, e.Reference)));
        Assert.Equal(new JournalTotals(5, 13, 8, 10), journal.Production);
        Assert.Equal(new JournalTotals(2, 4, 0, 6), journal.Test);
        foreach (var totals in new[] { journal.Production, journal.Test })
            Assert.Equal(totals.Balance, totals.Opening + totals.Credits - totals.Debits);
        Assert.Equal(10, await customer.ProductionBalanceAsync());
    }

    [Fact]
    public async Task Credits_with_the_same_reference_at_once_credit_once()
    {
        var customer = await gateway.CreateCustomerAsync(productionBalance: 0);
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
        {
            try
            {
                return (await customer.Grain.Credit(TokenEnvironment.Production, 5, "once", "test")).Entry.Balance;
            }
            catch (AccountException)
            {
                return -1; // refused while the first was being decided: the operator retries
            }
        }));
        Assert.Contains(5, outcomes);
        Assert.All(outcomes, balance => Assert.True(balance is 5 or -1));
        Assert.Equal(5, await customer.ProductionBalanceAsync());
        Assert.Equal(5, (await customer.Grain.Credit(TokenEnvironment.Production, 5, "once", "test")).Entry.Balance);
    }
}
