using Orleans.Tokens.Tests.Infrastructure;

namespace Orleans.Tokens.Tests.GrainCluster;

/// <summary>
/// Mints through <see cref="ICustomerGrain"/> on a TestCluster silo over the real SQLite storage: contract section 3
/// step 4 (one grain call decides and debits exactly one token), section 9 (each environment its own balance) and
/// section 11 (views read durable state; a request whose caller is gone before its debit is decided is not debited;
/// the balance survives the activation).
/// </summary>
[Collection(TokensTestClusterCollection.Name)]
public sealed class GrainMintTests(TokensTestCluster cluster)
{
    [Theory]
    [InlineData(TokenEnvironment.Production, Drm.Widevine)]
    [InlineData(TokenEnvironment.Test, Drm.PlayReady)]
    public async Task A_mint_debits_one_token_of_its_environment_and_does_not_echo_the_content_key_it_was_given(TokenEnvironment environment, Drm drm)
    {
        var customer = await cluster.CreateCustomer(productionBalance: 10, testBalance: 20);
        var authenticator = environment == TokenEnvironment.Production ? customer.Authenticator : customer.TestAuthenticator;

        var minted = await customer.Grain.Mint(Mints.Request(authenticator, environment, drm), default);

        Assert.Equal(ErrorCode.None, minted.Code);
        Assert.Null(minted.ContentKey);
        var expected = environment == TokenEnvironment.Production ? (9, 20) : (10, 19);
        var shown = await customer.Grain.Show();
        Assert.Equal(expected, (shown.ProductionBalance, shown.TestBalance));
        var stored = await cluster.Stored(customer.Grain);
        Assert.Equal(expected, (stored.ProductionBalance, stored.TestBalance));
        var day = Assert.Single(await customer.Grain.Usage(null));
        Assert.Equal(DateOnly.FromDateTime(cluster.Clock.GetUtcNow().UtcDateTime), day.Day);
        Assert.Equal(1, day.Count(environment, drm));
    }

    [Theory]
    [InlineData(60, 40)]
    [InlineData(25, 40)]
    public async Task Parallel_mints_against_a_balance_give_exactly_as_many_tokens_as_there_were(int mints, int balance)
    {
        var customer = await cluster.CreateCustomer(productionBalance: balance, testBalance: 5);

        var codes = await Task.WhenAll(Enumerable.Range(0, mints).Select(_ => Task.Run(() => customer.Mint().Code())));

        var minted = codes.Count(c => c == ErrorCode.None);
        Assert.Equal(Math.Min(mints, balance), minted);
        Assert.All(codes.Where(c => c != ErrorCode.None), c => Assert.Equal(ErrorCode.InsufficientTokens, c));
        var shown = await customer.Grain.Show();
        Assert.Equal((balance - minted, 5L), (shown.ProductionBalance, shown.TestBalance));
        Assert.Equal(balance - minted, (await cluster.Stored(customer.Grain)).ProductionBalance);
        Assert.Equal(minted, Assert.Single(await customer.Grain.Usage(null)).ProductionWidevine);
    }

    [Fact]
    public async Task A_mint_cancelled_before_the_call_is_not_debited()
    {
        var customer = await cluster.CreateCustomer(productionBalance: 3);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => customer.Mint(new CancellationToken(canceled: true)));

        Assert.Equal(3, await customer.ProductionBalanceAsync());
        Assert.Equal(3, (await cluster.Stored(customer.Grain)).ProductionBalance);
        Assert.Equal(ErrorCode.None, await customer.Mint().Code());
        Assert.Equal(2, await customer.ProductionBalanceAsync());
    }

    /// <summary>
    /// The caller cancels while its mint waits behind a write in flight (the debit is decided, not yet under way), sees
    /// the call cancelled, and the write is let go at once. Several rounds, since the cancellation reaches the grain
    /// as a message of its own.
    /// </summary>
    [Fact]
    public async Task A_mint_cancelled_while_it_waits_for_the_next_write_is_not_debited()
    {
        var debitedAfterCancel = 0;
        for (var round = 0; round < 10; round++)
        {
            var customer = await cluster.CreateCustomer(productionBalance: 3);
            Task<MintResult> first;
            using (var hold = cluster.Writes.HoldWrites(customer.Grain))
            {
                first = customer.Mint();
                await hold.Arrived; // the first debit's write is in flight
                using var caller = new CancellationTokenSource();
                var cancelled = customer.Mint(caller.Token);
                await customer.Grain.Show(); // a round trip through the grain after the second mint was sent
                caller.Cancel();
                await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
            }

            Assert.Equal(ErrorCode.None, (await first).Code);
            // Answered once its write landed, after any write of the cancelled mint (one write at a time).
            var balance = await customer.Grain.Credit(TokenEnvironment.Production, 1);
            Assert.Equal(balance, (await cluster.Stored(customer.Grain)).ProductionBalance);
            if (balance != 3) debitedAfterCancel++;
        }
        Assert.Equal(0, debitedAfterCancel);
    }

    [Fact]
    public async Task Views_show_a_change_only_once_it_is_durable()
    {
        var customer = await cluster.CreateCustomer(productionBalance: 3);
        Task<long> credit;
        Task put;
        Task<MintResult> mint;
        using (var hold = cluster.Writes.HoldWrites(customer.Grain))
        {
            credit = customer.Grain.Credit(TokenEnvironment.Production, 100);
            await hold.Arrived;
            put = customer.Grain.PutKey(Mints.Kid, Mints.ContentKey);
            mint = customer.Mint();
            await customer.Grain.Show(); // the put and the mint were decided: they wait for the next write

            var shown = await customer.Grain.Show();
            Assert.Equal(3, shown.ProductionBalance);
            Assert.Null(await customer.Grain.GetKey(Mints.Kid));
            Assert.Empty(await customer.Grain.ListKeys());
            Assert.Empty(await customer.Grain.Usage(null));
            Assert.False(credit.IsCompleted || put.IsCompleted || mint.IsCompleted, "answered before its write landed");
        }

        Assert.Equal(103, await credit);
        await put;
        Assert.Equal(ErrorCode.None, (await mint).Code);
        Assert.Equal(102, await customer.ProductionBalanceAsync());
        Assert.Equal(Mints.ContentKey, await customer.Grain.GetKey(Mints.Kid));
        Assert.Equal(1, Assert.Single(await customer.Grain.Usage(null)).ProductionWidevine);
    }

    [Fact]
    public async Task A_new_activation_reads_back_the_balance_keys_authenticators_and_usage()
    {
        var customer = await cluster.CreateCustomer(productionBalance: 10, testBalance: 4);
        await customer.Grain.PutKey(Mints.Kid, Mints.ContentKey);
        var added = await customer.Grain.AddAuthenticator(TokenEnvironment.Test);
        for (var i = 0; i < 3; i++) Assert.Equal(ErrorCode.None, await customer.Mint().Code());
        cluster.Clock.Advance(TimeSpan.FromDays(1)); // a second usage day, so that one day is archived
        Assert.Equal(ErrorCode.None, await customer.Grain.Mint(Mints.Request(added.Authenticator, TokenEnvironment.Test, Drm.PlayReady), default).Code());
        var shown = await customer.Grain.Show();
        var usage = await customer.Grain.Usage(null);
        Assert.Equal(2, usage.Length);

        Assert.True(cluster.Cluster.TryGetGrainContext(customer.Grain.GetGrainId(), out var before));
        await cluster.Cluster.DeactivateAsync(customer.Grain);
        Assert.False(cluster.Cluster.TryGetGrainContext(customer.Grain.GetGrainId(), out _));

        var again = await customer.Grain.Show();
        Assert.True(cluster.Cluster.TryGetGrainContext(customer.Grain.GetGrainId(), out var after));
        Assert.NotEqual(before.ActivationId, after.ActivationId);
        Assert.Equal((7, 3), (again.ProductionBalance, again.TestBalance));
        Assert.Equal(shown with { Authenticators = [] }, again with { Authenticators = [] });
        Assert.Equal(shown.Authenticators.AsEnumerable(), again.Authenticators.AsEnumerable());
        Assert.Equal(usage.AsEnumerable(), (await customer.Grain.Usage(null)).AsEnumerable());
        Assert.Equal(Mints.ContentKey, await customer.Grain.GetKey(Mints.Kid));
        Assert.Equal(ErrorCode.None, await customer.Grain.Mint(Mints.Request(added.Authenticator, TokenEnvironment.Test), default).Code());
        Assert.Equal(2, (await customer.Grain.Show()).TestBalance);
    }
}
