using System.Security.Cryptography;
using Orleans.Tokens.Tests.Infrastructure;

namespace Orleans.Tokens.Tests.GrainCluster;

/// <summary>
/// <see cref="ICustomerGrain.MintMany"/> on a TestCluster silo over the real SQLite storage: each mint of a batch is
/// decided as a single mint is (contract section 3 step 4: the account checks in order, then exactly one token
/// debited; -2019 when none is left), in the batch's order, with one outcome each, and the batch is one write.
/// </summary>
[Collection(TokensTestClusterCollection.Name)]
public sealed class MintManyTests(TokensTestCluster cluster)
{
    [Fact]
    public async Task A_batch_larger_than_the_balance_mints_the_first_ones_and_refuses_the_rest_in_one_write()
    {
        const int balance = 12;
        const int mints = 20;
        var customer = await cluster.CreateCustomer(productionBalance: balance, testBalance: 5);
        var writes = cluster.Writes.Count(customer.Grain);

        var outcomes = await customer.Grain.MintMany(Guid.NewGuid(), [.. Enumerable.Repeat(Mints.Request(customer.Authenticator), mints)]);

        Assert.Equal(
            [.. Enumerable.Repeat(ErrorCode.None, balance), .. Enumerable.Repeat(ErrorCode.InsufficientTokens, mints - balance)],
            Codes(outcomes));
        var shown = await customer.Grain.Show();
        Assert.Equal((0L, 5L), (shown.ProductionBalance, shown.TestBalance));
        Assert.Equal(0, (await cluster.Stored(customer.Grain)).ProductionBalance);
        Assert.Equal(balance, Assert.Single(await customer.Grain.Usage(null)).ProductionWidevine);
        Assert.Equal(writes + 1, cluster.Writes.Count(customer.Grain));
    }

    [Fact]
    public async Task Each_mint_of_a_batch_gets_its_own_refusal_and_the_others_are_debited_in_one_write()
    {
        var customer = await cluster.CreateCustomer(productionBalance: 10, options: new CustomerOptions(Widevine: true, PlayReady: false));
        var valid = Mints.Request(customer.Authenticator);
        var writes = cluster.Writes.Count(customer.Grain);

        var outcomes = await customer.Grain.MintMany(Guid.NewGuid(),
        [
            valid,
            valid with { SecretHash = SHA256.HashData("not the customer's secret"u8) },
            valid,
            Mints.Request(customer.Authenticator, drm: Drm.PlayReady),
            Mints.Request(customer.TestAuthenticator), // a test authenticator in a production mint
            valid,
        ]);

        Assert.Equal(
            [ErrorCode.None, ErrorCode.InvalidAuthenticator, ErrorCode.None, ErrorCode.PlayReadyDisabled, ErrorCode.InvalidAuthenticator, ErrorCode.None],
            Codes(outcomes));
        Assert.Equal(7, await customer.ProductionBalanceAsync());
        Assert.Equal(7, (await cluster.Stored(customer.Grain)).ProductionBalance);
        Assert.Equal(writes + 1, cluster.Writes.Count(customer.Grain));
    }

    [Fact]
    public async Task A_batch_with_a_keyed_mint_is_refused_whole_and_debits_nothing()
    {
        var customer = await cluster.CreateCustomer(productionBalance: 10);
        var valid = Mints.Request(customer.Authenticator);
        var keyed = valid with
        {
            Idempotency = new MintIdempotency("in-a-batch", new byte[32], new byte[32], "token-in-a-batch", DateTimeOffset.UtcNow),
        };

        await Assert.ThrowsAsync<ArgumentException>(() => customer.Grain.MintMany(Guid.NewGuid(), [valid, keyed]));

        Assert.Equal(10, await customer.ProductionBalanceAsync());
    }

    [Fact]
    public async Task A_batch_of_refusals_only_writes_nothing()
    {
        var customer = await cluster.CreateCustomer(productionBalance: 0, testBalance: 3);
        var writes = cluster.Writes.Count(customer.Grain);

        var outcomes = await customer.Grain.MintMany(Guid.NewGuid(), [.. Enumerable.Repeat(Mints.Request(customer.Authenticator), 3)]);

        Assert.Equal([ErrorCode.InsufficientTokens, ErrorCode.InsufficientTokens, ErrorCode.InsufficientTokens], Codes(outcomes));
        Assert.Equal(writes, cluster.Writes.Count(customer.Grain));
        Assert.Equal(3, await customer.TestBalanceAsync());
    }

    /// <summary>
    /// A kid-only mint (its key from key storage) that reads its key first, put first in its batch, gets the last
    /// token: the batch is decided in its order (<see cref="ICustomerGrain.MintMany"/>), whatever a mint reads first.
    /// The key is read as from PostgreSQL (<see cref="RemoteReads"/>).
    /// </summary>
    [Fact]
    public async Task A_batch_decides_a_mint_that_reads_its_stored_key_in_its_place()
    {
        var customer = await cluster.CreateCustomer(productionBalance: 1);
        await StoredKeyUnread(customer);

        var outcomes = await customer.Grain.MintMany(Guid.NewGuid(),
            [Mints.Request(customer.Authenticator, fromStorage: true), Mints.Request(customer.Authenticator)]);

        Assert.Equal([ErrorCode.None, ErrorCode.InsufficientTokens], Codes(outcomes));
        Assert.Equal(Mints.ContentKey, outcomes[0].Result!.ContentKey);
    }

    [Fact]
    public async Task A_batch_with_a_mint_that_reads_its_stored_key_is_one_write()
    {
        var customer = await cluster.CreateCustomer(productionBalance: 10);
        await StoredKeyUnread(customer);
        var writes = cluster.Writes.Count(customer.Grain);

        var outcomes = await customer.Grain.MintMany(Guid.NewGuid(),
            [Mints.Request(customer.Authenticator, fromStorage: true), Mints.Request(customer.Authenticator)]);

        Assert.Equal([ErrorCode.None, ErrorCode.None], Codes(outcomes));
        Assert.Equal(8, await customer.ProductionBalanceAsync());
        Assert.Equal(writes + 1, cluster.Writes.Count(customer.Grain));
    }

    /// <summary>Stores the customer's key; the next activation reads it, with its first mint, as from a remote database.</summary>
    private async Task StoredKeyUnread(TestCustomer customer)
    {
        await customer.Grain.PutKey(Mints.Kid, Mints.ContentKey);
        await cluster.Cluster.DeactivateAsync(customer.Grain);
        cluster.Reads.Of(customer.Grain);
    }

    /// <summary>Every outcome's code; an outcome that is a failure, not a result, fails the test.</summary>
    internal static ErrorCode[] Codes(ImmutableArray<MintOutcome> outcomes) =>
        [.. outcomes.Select(outcome => Assert.IsType<MintResult>(outcome.Result).Code)];
}
