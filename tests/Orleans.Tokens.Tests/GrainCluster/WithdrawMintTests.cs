namespace Orleans.Tokens.Tests.GrainCluster;

/// <summary>
/// <see cref="ICustomerGrain.WithdrawMint"/> on a TestCluster silo over the real SQLite storage: a batched mint whose
/// client left is withdrawn as a single call's cancellation withdraws it (contract section 11, README "A client that
/// leaves"): not debited while it waits for the next write, debited once its write is under way; a withdrawal that
/// names no mint under way changes nothing. A write is held with <see cref="HeldWrites"/>; the test waits for the
/// grain to have run a call with <see cref="Infrastructure.GrainCalls"/>.
/// </summary>
[Collection(TokensTestClusterCollection.Name)]
public sealed class WithdrawMintTests(TokensTestCluster cluster)
{
    [Fact]
    public async Task A_mint_withdrawn_while_its_batch_waits_for_the_next_write_is_not_debited_and_the_rest_are()
    {
        var customer = await cluster.CreateCustomer(productionBalance: 10);
        var batch = Guid.NewGuid();
        Task<MintResult> first;
        Task<ImmutableArray<MintOutcome>> many;
        using (var hold = cluster.Writes.HoldWrites(customer.Grain))
        {
            first = customer.Mint();
            await hold.Arrived; // the first mint's write is under way: the batch's wait for the next
            many = customer.Grain.MintMany(batch, [.. Enumerable.Repeat(Mints.Request(customer.Authenticator), 3)]);
            await cluster.Calls.Reached(customer.Grain, nameof(ICustomerGrain.MintMany));
            await customer.Grain.WithdrawMint(batch, 1);
            await cluster.Calls.Reached(customer.Grain, nameof(ICustomerGrain.WithdrawMint));
            Assert.False(many.IsCompleted, "the batch was answered before its write");
        }

        Assert.Equal(ErrorCode.None, (await first).Code);
        var outcomes = await many;
        Assert.Equal(ErrorCode.None, Assert.IsType<MintResult>(outcomes[0].Result).Code);
        Assert.Equal(new MintOutcome(null, MintFailure.Withdrawn), outcomes[1]);
        Assert.Equal(ErrorCode.None, Assert.IsType<MintResult>(outcomes[2].Result).Code);
        Assert.Equal(7, await customer.ProductionBalanceAsync());
        Assert.Equal(7, (await cluster.Stored(customer.Grain)).ProductionBalance);
        Assert.Equal(3, Assert.Single(await customer.Grain.Usage(null)).ProductionWidevine);
    }

    [Fact]
    public async Task A_mint_withdrawn_once_its_write_is_under_way_is_debited()
    {
        var customer = await cluster.CreateCustomer(productionBalance: 10);
        var batch = Guid.NewGuid();
        Task<ImmutableArray<MintOutcome>> many;
        using (var hold = cluster.Writes.HoldWrites(customer.Grain))
        {
            many = customer.Grain.MintMany(batch, [.. Enumerable.Repeat(Mints.Request(customer.Authenticator), 2)]);
            await hold.Arrived; // the batch's own write
            await customer.Grain.WithdrawMint(batch, 0);
            await cluster.Calls.Reached(customer.Grain, nameof(ICustomerGrain.WithdrawMint));
        }

        Assert.Equal([ErrorCode.None, ErrorCode.None], MintManyTests.Codes(await many));
        Assert.Equal(8, await customer.ProductionBalanceAsync());
        Assert.Equal(8, (await cluster.Stored(customer.Grain)).ProductionBalance);
    }

    [Fact]
    public async Task A_withdrawal_that_names_no_waiting_mint_changes_nothing()
    {
        var customer = await cluster.CreateCustomer(productionBalance: 10);
        var batch = Guid.NewGuid();
        var withdrawals = 0;

        // Before its batch came.
        await customer.Grain.WithdrawMint(batch, 0);
        await customer.Grain.WithdrawMint(batch, 1);
        await cluster.Calls.Reached(customer.Grain, nameof(ICustomerGrain.WithdrawMint), withdrawals += 2);
        Task<MintResult> first;
        Task<ImmutableArray<MintOutcome>> many;
        using (var hold = cluster.Writes.HoldWrites(customer.Grain))
        {
            first = customer.Mint();
            await hold.Arrived;
            many = customer.Grain.MintMany(batch, [.. Enumerable.Repeat(Mints.Request(customer.Authenticator), 2)]);
            await cluster.Calls.Reached(customer.Grain, nameof(ICustomerGrain.MintMany));
            // While the batch waits for the next write: an index it does not have, another batch.
            await customer.Grain.WithdrawMint(batch, 2);
            await customer.Grain.WithdrawMint(Guid.NewGuid(), 0);
            await customer.Grain.WithdrawMint(Guid.NewGuid(), 1);
            await cluster.Calls.Reached(customer.Grain, nameof(ICustomerGrain.WithdrawMint), withdrawals += 3);
        }
        Assert.Equal(ErrorCode.None, (await first).Code);
        Assert.Equal([ErrorCode.None, ErrorCode.None], MintManyTests.Codes(await many));
        // After the answer.
        await customer.Grain.WithdrawMint(batch, 0);
        await cluster.Calls.Reached(customer.Grain, nameof(ICustomerGrain.WithdrawMint), withdrawals + 1);

        Assert.Equal(7, await customer.ProductionBalanceAsync());
        Assert.Equal(7, (await cluster.Stored(customer.Grain)).ProductionBalance);
        Assert.Equal(ErrorCode.None, await customer.Mint().Code());
        Assert.Equal(6, await customer.ProductionBalanceAsync());
    }
}
