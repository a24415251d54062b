using System.Net;
using Microsoft.Data.Sqlite;
using Orleans.Tokens.Tests.Contract;
using Orleans.Tokens.Tests.Infrastructure;

namespace Orleans.Tokens.Tests.Storage;

/// <summary>
/// Contract section 2 (503 with -2030: nothing was debited) and the group commit's failure path: while the
/// embedded default's grain-state table is gone, every mint is refused with 503 -2030 and debits nothing; once it
/// is back, minting resumes by itself and the balance counts exactly the answered tokens.
/// </summary>
[Collection(StorageOutageCollection.Name)]
public sealed class StorageOutageTests(GatewayFixture gateway)
{
    [Fact]
    public async Task Mints_during_a_storage_outage_are_503_and_debit_nothing()
    {
        var customer = await gateway.CreateCustomerAsync(productionBalance: 20);
        var request = ValidRequests.Widevine(customer).Set("errorFormat", "json");
        Assert.Equal(HttpStatusCode.OK, (await gateway.MintAsync(Drm.Widevine, request)).StatusCode);

        await RenameGrainState("GrainState", "GrainStateAway");
        try
        {
            var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => gateway.MintAsync(Drm.Widevine, request)));
            foreach (var answer in answers)
            {
                var error = await ErrorResponse.ReadAsync(answer);
                Assert.Equal(HttpStatusCode.ServiceUnavailable, error.Status);
                Assert.Equal(-2030, error.Code);
            }
        }
        finally
        {
            await RenameGrainState("GrainStateAway", "GrainState");
        }

        var minted = 1;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        HttpStatusCode status;
        do
        {
            status = (await gateway.MintAsync(Drm.Widevine, request)).StatusCode;
            if (status == HttpStatusCode.OK) minted++;
            else await Task.Delay(200);
        }
        while (status != HttpStatusCode.OK && DateTime.UtcNow < deadline);
        Assert.Equal(HttpStatusCode.OK, status);

        Assert.Equal(20 - minted, await customer.ProductionBalanceAsync());
    }

    /// <summary>Takes the table away (or gives it back) under the running silo, as an outage would.</summary>
    private async Task RenameGrainState(string from, string to)
    {
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(gateway.DataDirectory, "tokens.db")}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"ALTER TABLE {from} RENAME TO {to}";
        await command.ExecuteNonQueryAsync();
    }
}
