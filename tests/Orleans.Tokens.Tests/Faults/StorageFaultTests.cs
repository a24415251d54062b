using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Orleans.Storage;
using Orleans.Tokens.Tests.Contract;
using Orleans.Tokens.Tests.Infrastructure;

namespace Orleans.Tokens.Tests.Faults;

/// <summary>
/// Contract section 11, "Knowing the outcome", through the real HTTP surface, grain and SQLite file, with faults that
/// a remote database shows injected by <see cref="FaultyDatabase"/>: every 200 has its debit, every -2030 has none,
/// and -9001 comes only where the outcome could not be settled.
/// </summary>
[Collection(FaultCollection.Name)]
public sealed class StorageFaultTests(FaultFixture gateway)
{
    [Fact]
    public async Task Every_200_has_its_debit_every_2030_has_none_and_9001_comes_only_where_the_outcome_is_unknown()
    {
        var customer = await gateway.CreateCustomerAsync(productionBalance: 1_000);
        var request = ValidRequests.Widevine(customer).Set("errorFormat", "json");

        // A commit whose acknowledgement was lost, found by the fence: it landed, so 200.
        var lostAcknowledgement = await Phase(customer, request, WriteFault.LoseAcknowledgement, fenceFails: false, parallel: 8);
        Assert.All(lostAcknowledgement.Codes, code => Assert.Equal(0, code));
        Assert.Equal(8, lostAcknowledgement.Debited);

        // A write stalled past its deadline and fenced: it can no longer land (nor does it, later), so -2030.
        var stalled = await Phase(customer, request, WriteFault.StallPastDeadline, fenceFails: false, parallel: 8);
        Assert.All(stalled.Codes, code => Assert.Equal(-2030, code));
        Assert.Equal(0, stalled.Debited);

        // A commit that could not be settled: -9001, and each -9001 here did land; no 200 for it.
        var landedUnknown = await Phase(customer, request, WriteFault.LoseAcknowledgement, fenceFails: true, parallel: 1);
        Assert.Contains(-9001, landedUnknown.Codes);
        Assert.All(landedUnknown.Codes, code => Assert.Contains(code, new[] { -9001, -2030 }));
        Assert.Equal(landedUnknown.Codes.Count(code => code == -9001), landedUnknown.Debited);

        // A write that failed before its commit and could not be settled: -9001 too, and nothing was debited.
        var failedUnknown = await Phase(customer, request, WriteFault.FailBeforeCommit, fenceFails: true, parallel: 1);
        Assert.Contains(-9001, failedUnknown.Codes);
        Assert.All(failedUnknown.Codes, code => Assert.Contains(code, new[] { -9001, -2030 }));
        Assert.Equal(0, failedUnknown.Debited);

        // Without faults, minting goes on from the stored balance.
        Assert.Equal(HttpStatusCode.OK, (await gateway.MintAsync(Drm.Widevine, request)).StatusCode);
        Assert.Equal(1_000 - 8 - landedUnknown.Debited - 1, await StoredBalance(customer));
    }

    /// <summary>
    /// Sends <paramref name="parallel"/> mints at a time, three rounds, under the fault; then takes the fault away and
    /// measures the debit once every stalled write has finished. Codes: 0 for 200, else the error code.
    /// </summary>
    private async Task<(List<int> Codes, long Debited)> Phase(
        TestCustomer customer, Params request, WriteFault fault, bool fenceFails, int parallel)
    {
        var before = await StoredBalance(customer);
        gateway.Database.Fault = fault;
        gateway.Database.FenceFails = fenceFails;
        var codes = new List<int>();
        try
        {
            for (var round = 0; round < (parallel == 1 ? 3 : 1); round++)
            {
                foreach (var answer in await Task.WhenAll(Enumerable.Range(0, parallel).Select(_ => gateway.MintAsync(Drm.Widevine, request))))
                {
                    var error = await ErrorResponse.ReadAsync(answer);
                    if (answer.StatusCode == HttpStatusCode.OK) codes.Add(0);
                    else
                    {
                        Assert.Equal(HttpStatusCode.ServiceUnavailable, answer.StatusCode);
                        codes.Add(error.Code!.Value);
                    }
                }
            }
        }
        finally
        {
            gateway.Database.Fault = WriteFault.None;
            gateway.Database.FenceFails = false;
        }
        await gateway.Database.LateWritesDone();
        return (codes, before - await StoredBalance(customer));
    }

    /// <summary>The balance in the customer's stored row: the truth, whatever an activation believes.</summary>
    private async Task<long> StoredBalance(TestCustomer customer)
    {
        var row = await gateway.Database.Read("customer", customer.Grain.GetGrainId().ToString(), CancellationToken.None);
        var serializer = new OrleansGrainStorageSerializer(gateway.Factory.Services.GetRequiredService<Serializer>());
        return serializer.Deserialize<CustomerState>(new BinaryData(row!.Payload!))!.ProductionBalance;
    }
}
