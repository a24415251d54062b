using System.Net;
using Orleans.Tokens.Tests.Contract;
using Orleans.Tokens.Tests.Infrastructure;

namespace Orleans.Tokens.Tests.KeyStorage;

/// <summary>
/// Contract section 12: the key storage is the customer's own (section 9's per-customer <c>key</c> store, served
/// under each customer's authenticator). Customer B can neither read, list, count, update nor delete customer A's
/// keys: to B they do not exist (404, not listed, not counted), and the same KID is a different key for each.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class SkmIsolationTests(GatewayFixture gateway)
{
    private const string Kid = "0123456789abcdef0123456789abcdef";

    private async Task<(TestCustomer Customer, SkmClient Skm)> NewCustomerAsync()
    {
        var customer = await gateway.CreateCustomerAsync();
        return (customer, new SkmClient(gateway, customer.Authenticator));
    }

    /// <summary>A with one key (<see cref="Kid"/>, with info) and B with none.</summary>
    private async Task<(SkmClient A, SkmClient B, string Key)> TwoCustomersAsync()
    {
        var (_, a) = await NewCustomerAsync();
        var (_, b) = await NewCustomerAsync();
        var key = Skm.RandomHex();
        await Skm.CreatedAsync(await a.PostAsync(Skm.Body(("kid", Kid), ("k", key), ("info", "A's"))));
        return (a, b, key);
    }

    [Fact]
    public async Task Another_customer_cannot_read_the_key_or_its_value()
    {
        var (_, b, key) = await TwoCustomersAsync();
        Assert.Equal("Not Found", await Skm.ErrorAsync(await b.GetAsync(Kid), HttpStatusCode.NotFound, key));
        Assert.Equal("Not Found", await Skm.ErrorAsync(await b.GetValueAsync(Kid), HttpStatusCode.NotFound, key));
        await Skm.ErrorAsync(await b.GetAsync(Kid, ValidRequests.Kek128), HttpStatusCode.NotFound, key);
    }

    [Fact]
    public async Task Another_customer_neither_lists_nor_counts_the_key()
    {
        var (a, b, _) = await TwoCustomersAsync();
        Assert.Empty(await Skm.KeyListAsync(await b.ListAsync()));
        Assert.Equal(0, await Skm.KeyCountAsync(await b.CountAsync()));

        var own = await Skm.CreatedAsync(await b.PostAsync("{}"));
        var listed = await Skm.KeyListAsync(await b.ListAsync());
        Assert.Equal([Skm.Kid(own)], listed.Select(Skm.Kid).ToArray());
        Assert.Equal(1, await Skm.KeyCountAsync(await b.CountAsync()));
        Assert.Equal([Kid], (await Skm.KeyListAsync(await a.ListAsync())).Select(Skm.Kid).ToArray());
        Assert.Equal(1, await Skm.KeyCountAsync(await a.CountAsync()));
    }

    [Fact]
    public async Task Another_customer_cannot_update_or_delete_the_key()
    {
        var (a, b, key) = await TwoCustomersAsync();

        await Skm.ErrorAsync(await b.PutAsync(Kid, Skm.Body(("info", "B's"), ("k", Skm.RandomHex()))), HttpStatusCode.NotFound, key);
        await Skm.ErrorAsync(await b.DeleteAsync(Kid), HttpStatusCode.NotFound, key);

        var kept = await Skm.KeyAsync(await a.GetAsync(Kid));
        Assert.Equal(key, Skm.Field(kept, "k"));
        Assert.Equal("A's", Skm.Field(kept, "info"));
        Assert.Equal(0, await Skm.KeyCountAsync(await b.CountAsync()));
    }

    [Fact]
    public async Task The_same_kid_is_a_different_key_for_each_customer()
    {
        var (a, b, key) = await TwoCustomersAsync();

        // B's POST of A's KID creates B's own key (201), it does not find A's (200).
        var bs = await Skm.CreatedAsync(await b.PostAsync(Skm.Body(("kid", Kid))));
        Assert.NotEqual(key, Skm.Field(bs, "k"));
        Assert.Null(Skm.Field(bs, "info"));

        Skm.Deleted(await b.DeleteAsync(Kid));
        Assert.Equal(key, Skm.Field(await Skm.KeyAsync(await a.GetAsync(Kid)), "k"));
        Assert.Equal(key, await Skm.ValueAsync(await a.GetValueAsync(Kid)));
    }

    [Fact]
    public async Task Another_customers_kid_only_mint_does_not_find_the_key()
    {
        await TwoCustomersAsync(); // A holds Kid
        var other = await gateway.CreateCustomerAsync(productionBalance: 10);
        var request = ValidRequests.Widevine(other).Without("contentKey").Set("kid", Kid);
        await Expect.ErrorAsync(await gateway.MintAsync(Drm.Widevine, request), -4019);
        Assert.Equal(10, await other.ProductionBalanceAsync());
    }
}
