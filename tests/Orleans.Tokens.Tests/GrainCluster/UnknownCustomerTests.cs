using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Runtime;
using Orleans.Tokens.Grains;
using Orleans.Tokens.Tests.Infrastructure;

namespace Orleans.Tokens.Tests.GrainCluster;

/// <summary>
/// Issue 9: a customer that does not exist leaves no activation behind. Mints and admin calls with customer ids
/// that no account has are refused (-2018, "does not exist") and their activations go once idle, while a real
/// customer's stays and mints on; and the silo sheds activations when the machine runs short of memory.
/// </summary>
[Collection(TokensTestClusterCollection.Name)]
public sealed class UnknownCustomerTests(TokensTestCluster cluster)
{
    private const int Unknown = 300;

    [Fact]
    public async Task Calls_for_unknown_customers_leave_no_activation_behind()
    {
        var real = await cluster.CreateCustomer(productionBalance: 10);
        Assert.Equal(ErrorCode.None, await real.Mint().Code());
        var before = await CustomerActivations();

        var unknown = Enumerable.Range(0, Unknown).Select(i => 9_800_000_000L + i).ToList();
        var codes = await Task.WhenAll(unknown.Select(id =>
            cluster.Grains.GetGrain<ICustomerGrain>(id).Mint(Mints.Request($"{id},00000000000000000000000000000000"), default).Code()));
        Assert.All(codes, code => Assert.Equal(ErrorCode.InvalidAuthenticator, code));
        await Assert.ThrowsAsync<AccountException>(() => cluster.Grains.GetGrain<ICustomerGrain>(9_800_999_999L).Show());

        // Deactivation follows each call once the activation is idle: wait for it, with a deadline.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        var now = await CustomerActivations();
        while (now != before && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
            now = await CustomerActivations();
        }
        Assert.Equal(before, now);
        Assert.Equal(ErrorCode.None, await real.Mint().Code());
        Assert.Equal(8, await real.ProductionBalanceAsync());
    }

    [Fact]
    public void The_silo_sheds_activations_when_memory_runs_short()
    {
        var collection = cluster.Silo.GetRequiredService<IOptions<GrainCollectionOptions>>().Value;
        Assert.True(collection.EnableActivationSheddingOnMemoryPressure);
        Assert.InRange(collection.MemoryUsageLimitPercentage, 1, 99);
    }

    /// <summary>The silo's activations of <see cref="CustomerGrain"/>, as its catalog counts them now.</summary>
    private async Task<int> CustomerActivations()
    {
        var statistics = await cluster.Grains.GetGrain<IManagementGrain>(0).GetSimpleGrainStatistics();
        return statistics.Where(s => s.GrainType.Contains(nameof(CustomerGrain), StringComparison.Ordinal)).Sum(s => s.ActivationCount);
    }
}
