using Orleans.Tokens.Tests.Infrastructure;

namespace Orleans.Tokens.Tests.KeyStorage;

/// <summary>
/// Contract section 12: keys are stored encrypted under the service's key-storage key. 1,000 keys stored through the
/// API, then the embedded default's SQLite files (the database and its write-ahead log, as they are on disk while the
/// gateway runs) searched for each key: none is there, raw or in hex; the API still answers every one.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class KeysAtRestTests(GatewayFixture gateway)
{
    [Fact]
    public async Task A_thousand_stored_keys_are_nowhere_in_the_SQLite_files()
    {
        var customer = await gateway.CreateCustomerAsync(productionBalance: 1);
        var keys = await StoredKeySearch.StoreKeysAsync(gateway.Client, customer.Authenticator, 1000);

        var files = Directory.GetFiles(gateway.DataDirectory, "tokens.db*");
        Assert.Contains(files, file => file.EndsWith("tokens.db", StringComparison.Ordinal));
        foreach (var file in files)
        {
            // Read while the gateway has the database open, as a copy or backup of the directory would.
            await using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var copy = new MemoryStream();
            await stream.CopyToAsync(copy);
            Assert.Empty(StoredKeySearch.Found(copy.ToArray(), keys));
        }
        using var count = await gateway.Client.GetAsync($"/keystore/keycount?customerAuthenticator={customer.Authenticator}");
        Assert.Equal("1000", (await count.Content.ReadAsStringAsync()).Trim());
    }
}
