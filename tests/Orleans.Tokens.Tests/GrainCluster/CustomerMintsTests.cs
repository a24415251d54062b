using System.Security.Cryptography;
using Microsoft.Extensions.Time.Testing;
using Orleans.Tokens.Gateway.Minting;

namespace Orleans.Tokens.Tests.GrainCluster;

/// <summary>
/// The gateway's lanes of mints (<see cref="CustomerMints"/>, issue 13) against a customer grain on a TestCluster silo
/// over the real SQLite storage: the mints of a customer that arrive while its call is under way go together in one
/// <see cref="ICustomerGrain.MintMany"/> once it is answered; a keyed mint, and any mint once the call has been under
/// way for <see cref="CustomerMints.MaxWait"/>, goes at once, alone. The call is kept under way by holding its write
/// (<see cref="HeldWrites"/>); the lanes' clock is a <see cref="FakeTimeProvider"/> that moves only when a test moves
/// it, so which mints wait does not depend on how fast the machine is.
/// </summary>
[Collection(TokensTestClusterCollection.Name)]
public sealed class CustomerMintsTests(TokensTestCluster cluster)
{
    private readonly FakeTimeProvider _clock = new(TokensTestCluster.Start);

    [Fact]
    public async Task Mints_that_arrive_while_the_customers_call_is_under_way_go_together_in_one_call_after_it()
    {
        var customer = await cluster.CreateCustomer(productionBalance: 20);
        var mints = new CustomerMints(new CustomerGrains(cluster.Grains), _clock);
        Task<MintResult> first;
        Task<MintResult>[] waiting;
        using (var hold = cluster.Writes.HoldWrites(customer.Grain))
        {
            first = mints.Mint(customer.Id, Mints.Request(customer.Authenticator), default);
            await hold.Arrived;
            waiting = [.. Enumerable.Range(0, 10).Select(_ => mints.Mint(customer.Id, Mints.Request(customer.Authenticator), default))];
            Assert.Equal(1, cluster.Calls.Mints(customer.Grain));
        }

        Assert.Equal(ErrorCode.None, await first.Code());
        Assert.All(await Task.WhenAll(waiting), result => Assert.Equal(ErrorCode.None, result.Code));
        Assert.Equal(1, cluster.Calls.Count(customer.Grain, nameof(ICustomerGrain.Mint)));
        Assert.Equal(1, cluster.Calls.Count(customer.Grain, nameof(ICustomerGrain.MintMany)));
        Assert.Equal(11, cluster.Calls.Mints(customer.Grain));
        Assert.Equal(9, (await cluster.Stored(customer.Grain)).ProductionBalance);
    }

    [Fact]
    public async Task A_mint_arriving_once_the_call_has_been_under_way_for_MaxWait_goes_at_once_beside_it()
    {
        var customer = await cluster.CreateCustomer(productionBalance: 20);
        var mints = new CustomerMints(new CustomerGrains(cluster.Grains), _clock);
        Task<MintResult> first, held, late;
        using (var hold = cluster.Writes.HoldWrites(customer.Grain))
        {
            first = mints.Mint(customer.Id, Mints.Request(customer.Authenticator), default);
            await hold.Arrived;
            _clock.Advance(CustomerMints.MaxWait - TimeSpan.FromTicks(1));
            held = mints.Mint(customer.Id, Mints.Request(customer.Authenticator), default);
            _clock.Advance(TimeSpan.FromTicks(1));
            late = mints.Mint(customer.Id, Mints.Request(customer.Authenticator), default);
            await cluster.Calls.Reached(customer.Grain, nameof(ICustomerGrain.Mint), count: 2);
            Assert.Equal(2, cluster.Calls.Mints(customer.Grain));
        }

        Assert.Equal([ErrorCode.None, ErrorCode.None, ErrorCode.None], [await first.Code(), await held.Code(), await late.Code()]);
        // The mint held back went after the first call, alone: a batch of one is a plain Mint.
        Assert.Equal(3, cluster.Calls.Count(customer.Grain, nameof(ICustomerGrain.Mint)));
        Assert.Equal(0, cluster.Calls.Count(customer.Grain, nameof(ICustomerGrain.MintMany)));
        Assert.Equal(17, (await cluster.Stored(customer.Grain)).ProductionBalance);
    }

    [Fact]
    public async Task A_keyed_mint_goes_at_once_while_the_customers_call_is_under_way()
    {
        var customer = await cluster.CreateCustomer(productionBalance: 20);
        var mints = new CustomerMints(new CustomerGrains(cluster.Grains), _clock);
        var keyed = Mints.Request(customer.Authenticator) with
        {
            Idempotency = new MintIdempotency("K", SHA256.HashData("fingerprint"u8), SHA256.HashData("record key"u8),
                "token-K", cluster.Clock.GetUtcNow()),
        };
        Task<MintResult> first, second;
        using (var hold = cluster.Writes.HoldWrites(customer.Grain))
        {
            first = mints.Mint(customer.Id, Mints.Request(customer.Authenticator), default);
            await hold.Arrived;
            second = mints.Mint(customer.Id, keyed, default);
            await cluster.Calls.Reached(customer.Grain, nameof(ICustomerGrain.Mint), count: 2);
        }

        Assert.Equal([ErrorCode.None, ErrorCode.None], [await first.Code(), await second.Code()]);
        Assert.Equal(18, (await cluster.Stored(customer.Grain)).ProductionBalance);
    }
}
