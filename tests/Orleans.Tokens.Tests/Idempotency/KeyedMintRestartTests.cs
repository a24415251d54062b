using Orleans.Tokens.Tests.Contract;
using Orleans.Tokens.Tests.Infrastructure;

namespace Orleans.Tokens.Tests.Idempotency;

/// <summary>
/// Section 11 across a restart: the gateway and its silo stop and start again on the same data directory, so the
/// new activation has no key in memory and finds the first request's record in its row.
/// </summary>
public sealed class KeyedMintRestartTests(IdempotencyGateway gateway) : IClassFixture<IdempotencyGateway>
{
    [Fact]
    public async Task A_replay_after_a_restart_answers_the_first_token()
    {
        var customer = await gateway.CreateCustomerAsync(productionBalance: 10);
        var request = ValidRequests.PlayReady(customer).Append("requestId", "before-restart");
        var first = await Expect.TokenAsync(Drm.PlayReady, await gateway.MintAsync(Drm.PlayReady, request));

        await gateway.RestartAsync();

        var again = await Expect.TokenAsync(Drm.PlayReady, await gateway.MintAsync(Drm.PlayReady, request));
        Assert.Equal(gateway.OpenToken(first)!.TokenId, gateway.OpenToken(again)!.TokenId);
        await Expect.ErrorAsync(await gateway.MintAsync(Drm.PlayReady, request.Clone().Set("rightsType", "Rental")
            .Append("rental.periodEndTime", "+3600").Append("generalFlags", "1")), -9002);
        var grain = gateway.Grains.GetGrain<ICustomerGrain>(customer.Id);
        Assert.Equal(9, (await grain.Show()).ProductionBalance);
    }
}
