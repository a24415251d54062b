using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Tokens.Grains;
using Orleans.Tokens.Tests.Commit;
using Orleans.Tokens.Tests.Infrastructure;

namespace Orleans.Tokens.Tests.GrainCluster;

/// <summary>
/// Key storage through <see cref="ICustomerGrain"/> on the real SQLite storage (contract section 12): the count of
/// keys stays exact when creates race, the cap holds under them, and only the customer's own authenticator of the
/// gateway's environment gets anything.
/// </summary>
[Collection(TokensTestClusterCollection.Name)]
public sealed class KeyStorageGrainTests(TokensTestCluster cluster)
{
    [Fact]
    public async Task Fifty_creates_of_one_KID_at_once_make_one_key_and_count_it_once()
    {
        var customer = await cluster.CreateCustomer();
        var access = Access(customer);
        var kid = RandomNumberGenerator.GetBytes(16);

        var results = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => customer.Grain.CreateStoredKey(access, kid, new KeyFields())));

        Assert.Single(results, result => result.Status == KeyStoreStatus.Created);
        Assert.Equal(49, results.Count(result => result.Status == KeyStoreStatus.Ok));
        Assert.Single(results.Select(result => Convert.ToHexString(result.Key!.ContentKey!)).Distinct());
        Assert.Equal(1, (await customer.Grain.CountStoredKeys(access)).Count);
        Assert.Equal(1, (await cluster.Stored(customer.Grain)).KeyCount);
    }

    [Fact]
    public async Task Creates_past_the_cap_at_once_are_refused_and_the_count_stops_at_the_cap()
    {
        var customer = await cluster.CreateCustomer();
        var access = Access(customer);
        var extra = 50;

        var results = await Task.WhenAll(Enumerable.Range(0, TokensTestCluster.MaxKeysPerCustomer + extra)
            .Select(_ => customer.Grain.CreateStoredKey(access, null, new KeyFields())));

        Assert.Equal(TokensTestCluster.MaxKeysPerCustomer, results.Count(result => result.Status == KeyStoreStatus.Created));
        Assert.Equal(extra, results.Count(result => result.Status == KeyStoreStatus.Full));
        Assert.Equal(TokensTestCluster.MaxKeysPerCustomer, (await customer.Grain.ListKeys()).Length);
        Assert.Equal(TokensTestCluster.MaxKeysPerCustomer, (await cluster.Stored(customer.Grain)).KeyCount);
        await Assert.ThrowsAsync<AccountException>(() => customer.Grain.PutKey(RandomNumberGenerator.GetBytes(16), new byte[16]));

        // A deleted key makes room for one more.
        var first = results.First(result => result.Status == KeyStoreStatus.Created).Key!.Kid;
        Assert.Equal(KeyStoreStatus.Ok, (await customer.Grain.DeleteStoredKey(access, first)).Status);
        Assert.Equal(KeyStoreStatus.Created, (await customer.Grain.CreateStoredKey(access, null, new KeyFields())).Status);
    }

    [Fact]
    public async Task Only_the_customers_own_authenticator_of_the_environment_is_let_in()
    {
        var customer = await cluster.CreateCustomer();
        var kid = RandomNumberGenerator.GetBytes(16);
        await customer.Grain.PutKey(kid, RandomNumberGenerator.GetBytes(16));
        Assert.True(Authenticator.TryParse(customer.TestAuthenticator, out _, out var testHash));
        KeyAccess[] strangers =
        [
            new(TokenEnvironment.Production, SHA256.HashData(RandomNumberGenerator.GetBytes(16))),
            new(TokenEnvironment.Production, testHash),
        ];

        foreach (var stranger in strangers)
        {
            Assert.Equal(KeyStoreStatus.Unauthorized, (await customer.Grain.FindStoredKey(stranger, kid)).Status);
            Assert.Equal(KeyStoreStatus.Unauthorized, (await customer.Grain.ListStoredKeys(stranger)).Status);
            Assert.Equal(KeyStoreStatus.Unauthorized, (await customer.Grain.DeleteStoredKey(stranger, kid)).Status);
        }
        var unknown = cluster.Grains.GetGrain<ICustomerGrain>(customer.Id + 1_000_000);
        Assert.Equal(KeyStoreStatus.Unauthorized, (await unknown.CountStoredKeys(Access(customer))).Status);
        Assert.Equal(KeyStoreStatus.Ok, (await customer.Grain.FindStoredKey(Access(customer), kid)).Status);
    }

    /// <summary>
    /// A stored key's row copied into another customer's key storage does not open there (its seal names the first
    /// customer): a kid-only mint of it fails as key storage failing, -2030 with nothing debited, never with the key.
    /// </summary>
    [Fact]
    public async Task A_key_row_copied_to_another_customer_does_not_open_and_its_mint_debits_nothing()
    {
        var owner = await cluster.CreateCustomer(productionBalance: 5);
        var other = await cluster.CreateCustomer(productionBalance: 5);
        await owner.Grain.PutKey(Mints.Kid, Mints.ContentKey);
        var rows = cluster.Silo.GetRequiredKeyedService<IGrainRows>(StorageNames.Customers);
        var sealedRow = await rows.Find(owner.Grain.GetGrainId(), StoredKey.Kind, Kid.ToHex(Mints.Kid));
        Assert.IsType<StoredKey>(sealedRow);

        var copied = new StoredGrainState<CustomerState>(cluster.Writes, "customer", other.Grain.GetGrainId());
        await copied.ReadStateAsync();
        var now = cluster.Clock.GetUtcNow();
        copied.State = copied.State with
        {
            WriteId = Guid.NewGuid(),
            KeyCount = 1,
            Appends = [new GrainRow(StoredKey.Kind, Kid.ToHex(Mints.Kid), sealedRow, now, null)],
        };
        await copied.WriteStateAsync();

        await Assert.ThrowsAsync<StorageUnavailableException>(
            () => other.Grain.Mint(Mints.Request(other.Authenticator, fromStorage: true), default));
        Assert.Equal(5, (await cluster.Stored(other.Grain)).ProductionBalance);
        Assert.Equal(ErrorCode.None, (await owner.Grain.Mint(Mints.Request(owner.Authenticator, fromStorage: true), default)).Code);
    }

    private static KeyAccess Access(TestCustomer customer)
    {
        Assert.True(Authenticator.TryParse(customer.Authenticator, out _, out var hash));
        return new KeyAccess(TokenEnvironment.Production, hash);
    }
}
