using Orleans.Tokens.Tests.Contract;
using Orleans.Tokens.Tests.Infrastructure;

namespace Orleans.Tokens.Tests;

/// <summary>
/// Contract sections 3 and 9: each mint debits exactly one token and a refused one none, also under load. One
/// customer with 150 production tokens, 200 Widevine mints at once: exactly 150 succeed, 50 get -2019, balance 0.
/// Each mint reaches the grain exactly once, whether the gateway sent it alone or together with others that arrived
/// while a call of the customer was under way (how they group depends on the machine's pace; which mints wait is
/// checked with a fake clock in <see cref="GrainCluster.CustomerMintsTests"/>).
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class MintConcurrencyTests(GatewayFixture gateway)
{
    [Fact]
    public async Task TwoHundredParallelMints_OnABalanceOf150_Mint150_Refuse50()
    {
        var customer = await gateway.CreateCustomerAsync(productionBalance: 150, testBalance: 25);
        var target = GatewayFixture.WidevinePath + "?" + ValidRequests.Widevine(customer).ToQueryString();
        var responses = await gateway.GetAllAtOnceAsync(target, 200);

        var tokens = new List<string>();
        var refused = 0;
        foreach (var response in responses)
        {
            if (response.StatusCode == System.Net.HttpStatusCode.OK)
            {
                tokens.Add(await Expect.WidevineTokenAsync(response));
            }
            else
            {
                await Expect.ErrorAsync(response, -2019);
                refused++;
            }
        }
        Assert.Equal(150, tokens.Count);
        Assert.Equal(50, refused);
        Assert.Equal(150, tokens.Distinct().Count());
        Assert.Equal(0, await customer.ProductionBalanceAsync());
        Assert.Equal(25, await customer.TestBalanceAsync());
        Assert.Equal(200, gateway.Calls.Mints(customer.Grain));
    }
}
