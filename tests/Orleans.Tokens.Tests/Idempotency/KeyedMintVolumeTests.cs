using Microsoft.Extensions.DependencyInjection;
using Orleans.Tokens.Hosting.Storage;
using Orleans.Tokens.Tests.Contract;
using Orleans.Tokens.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Orleans.Tokens.Tests.Idempotency;

/// <summary>
/// Section 11 at volume: 100,000 keyed mints of one customer write the same bytes per debit at the end as at the
/// start (the keys are in rows of their own), and the 24-hour window is kept by the grain's clock.
/// </summary>
public sealed class KeyedMintVolumeTests(IdempotencyGateway gateway, ITestOutputHelper output) : IClassFixture<IdempotencyGateway>
{
    private const int Mints = 100_000;
    private const int Workers = 32;

    [Fact]
    public async Task Bytes_per_debit_stay_the_same_over_100000_keys_and_the_window_is_24_hours()
    {
        var customer = await gateway.CreateCustomerAsync(productionBalance: Mints + 10);
        var request = ValidRequests.Widevine(customer);
        var grainId = customer.Grain.GetGrainId().ToString();

        var first = await MintAsync(request, "key-0");
        var start = await BytesPerDebitAsync(grainId, "key-0");
        var next = 0;
        await Task.WhenAll(Enumerable.Range(0, Workers).Select(async _ =>
        {
            int n;
            while ((n = Interlocked.Increment(ref next)) < Mints) await MintAsync(request, $"key-{n}");
        }));
        var end = await BytesPerDebitAsync(grainId, $"key-{Mints - 1}");
        output.WriteLine($"bytes per debit (state row + key row): start {start.State} + {start.Key} = {start.State + start.Key}, " +
            $"after {Mints:N0} keyed mints {end.State} + {end.Key} = {end.State + end.Key}");
        Assert.InRange(end.State + end.Key, start.State + start.Key - 64, start.State + start.Key + 64);
        Assert.Equal(10, await customer.ProductionBalanceAsync());

        // A retry of the first key: within the window, the first token and no debit; past it, a new debit.
        var recorded = gateway.Clock.Now;
        gateway.Clock.Now = recorded + TimeSpan.FromHours(23) + TimeSpan.FromMinutes(59);
        Assert.Equal(first, await MintAsync(request, "key-0"));
        Assert.Equal(10, await customer.ProductionBalanceAsync());
        gateway.Clock.Now = recorded + TimeSpan.FromHours(24) + TimeSpan.FromMinutes(1);
        Assert.NotEqual(first, await MintAsync(request, "key-0"));
        Assert.Equal(9, await customer.ProductionBalanceAsync());
    }

    /// <summary>The token id of a keyed Widevine mint.</summary>
    private async Task<string> MintAsync(Params request, string key)
    {
        using var message = new HttpRequestMessage(HttpMethod.Get, GatewayFixture.WidevinePath + "?" + request.ToQueryString());
        message.Headers.Add("Idempotency-Key", key);
        var token = await Expect.TokenAsync(Drm.Widevine, await gateway.Client.SendAsync(message));
        return gateway.OpenToken(token)!.TokenId;
    }

    /// <summary>The state row's payload and the key row (its key and payload) as stored.</summary>
    private async Task<(int State, int Key)> BytesPerDebitAsync(string grainId, string key)
    {
        var database = gateway.Factory.Services.GetRequiredService<IStateDatabase>();
        var state = await database.Read("customer", grainId, CancellationToken.None);
        var row = await database.ReadRow(grainId, IdempotencyRecord.Kind, key, CancellationToken.None);
        return (state!.Payload!.Length, key.Length + row!.Length);
    }
}
