using System.Net;
using Orleans.Tokens.Tests.Contract;
using Orleans.Tokens.Tests.Infrastructure;

namespace Orleans.Tokens.Tests.KeyStorage;

/// <summary>
/// Contract section 12: the HTTP key storage is the customer's key storage of sections 4 and 9, not a second one.
/// A key created, updated or deleted over HTTP is what a kid-only mint (no <c>contentKey</c>) finds or misses (-4019),
/// and the admin's <c>key put/get/delete/list</c> (the grain calls the admin tool makes) and the HTTP routes see
/// the same keys. A key held only wrapped under the customer's KEK is not usable by a Widevine kid-only mint (-4019).
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class SkmSharedStoreTests(GatewayFixture gateway)
{
    private const long Balance = 10;

    private async Task<(TestCustomer Customer, SkmClient Skm)> NewCustomerAsync()
    {
        var customer = await gateway.CreateCustomerAsync(productionBalance: Balance);
        return (customer, new SkmClient(gateway, customer.Authenticator));
    }

    private static Params KidOnlyMint(TestCustomer customer, string kid) =>
        ValidRequests.Widevine(customer).Without("contentKey").Set("kid", kid);

    private async Task<TokenPayload> MintAsync(TestCustomer customer, string kid)
    {
        var token = await Expect.WidevineTokenAsync(await gateway.MintAsync(Drm.Widevine, KidOnlyMint(customer, kid)));
        var payload = gateway.OpenToken(token);
        Assert.True(payload is not null, "the token does not open with the gateway's token keys");
        return payload;
    }

    [Fact]
    public async Task A_key_created_over_HTTP_is_the_key_a_kid_only_Widevine_mint_uses()
    {
        var (customer, skm) = await NewCustomerAsync();
        var created = await Skm.CreatedAsync(await skm.PostAsync("{}"));

        var payload = await MintAsync(customer, Skm.Kid(created));

        Assert.Equal(Skm.Kid(created), payload.Kid.Hex(), ignoreCase: true);
        Assert.Equal(Skm.Field(created, "k"), payload.ContentKey.Hex(), ignoreCase: true);
        Assert.Equal(Balance - 1, await customer.ProductionBalanceAsync());
    }

    [Fact]
    public async Task A_caret_name_key_created_over_HTTP_mints_by_its_name()
    {
        var (customer, skm) = await NewCustomerAsync();
        var created = await Skm.CreatedAsync(await skm.PostAsync(Skm.Body(("kid", "^CNN.2014.12.18"))));

        var payload = await MintAsync(customer, "^CNN.2014.12.18");

        Assert.Equal(Skm.KidOf("^CNN.2014.12.18"), payload.Kid.Hex(), ignoreCase: true);
        Assert.Equal(Skm.Field(created, "k"), payload.ContentKey.Hex(), ignoreCase: true);
    }

    [Fact]
    public async Task A_key_posted_with_a_kek_mints_with_its_clear_value()
    {
        var (customer, skm) = await NewCustomerAsync();
        var kid = Skm.RandomHex();
        await Skm.CreatedAsync(await skm.PostAsync(Skm.Body(("kid", kid), ("ek", ValidRequests.Wrapped128)), ValidRequests.Kek128));

        var payload = await MintAsync(customer, kid);

        Assert.Equal(ValidRequests.KeyData, payload.ContentKey.Hex(), ignoreCase: true);
    }

    [Fact]
    public async Task A_key_updated_over_HTTP_is_the_key_the_next_mint_uses()
    {
        var (customer, skm) = await NewCustomerAsync();
        var created = await Skm.CreatedAsync(await skm.PostAsync("{}"));
        var kid = Skm.Kid(created);
        Assert.Equal(Skm.Field(created, "k"), (await MintAsync(customer, kid)).ContentKey.Hex(), ignoreCase: true);

        var later = Skm.RandomHex();
        await Skm.KeyAsync(await skm.PutAsync(kid, Skm.Body(("k", later))));

        Assert.Equal(later, (await MintAsync(customer, kid)).ContentKey.Hex(), ignoreCase: true);
    }

    [Fact]
    public async Task A_key_deleted_over_HTTP_is_4019_for_a_kid_only_mint()
    {
        var (customer, skm) = await NewCustomerAsync();
        var created = await Skm.CreatedAsync(await skm.PostAsync("{}"));
        await MintAsync(customer, Skm.Kid(created));

        Skm.Deleted(await skm.DeleteAsync(Skm.Kid(created)));

        await Expect.ErrorAsync(await gateway.MintAsync(Drm.Widevine, KidOnlyMint(customer, Skm.Kid(created))), -4019);
        Assert.Equal(Balance - 1, await customer.ProductionBalanceAsync());
    }

    [Fact]
    public async Task A_key_held_only_wrapped_under_the_customers_kek_is_4019_for_a_Widevine_kid_only_mint()
    {
        // Section 12's last point: without kek, a body ek is stored wrapped and a kid-only Widevine mint cannot use it.
        var (customer, skm) = await NewCustomerAsync();
        var kid = Skm.RandomHex();
        await Skm.CreatedAsync(await skm.PostAsync(Skm.Body(("kid", kid), ("ek", ValidRequests.Wrapped128),
            ("kekId", Skm.KekId(ValidRequests.Kek128)))));

        await Expect.ErrorAsync(await gateway.MintAsync(Drm.Widevine, KidOnlyMint(customer, kid)), -4019);
        Assert.Equal(Balance, await customer.ProductionBalanceAsync());
    }

    [Fact]
    public async Task A_key_put_by_the_admin_is_visible_over_HTTP()
    {
        var (customer, skm) = await NewCustomerAsync();
        var kid = Skm.RandomHex();
        var key = Skm.RandomHex();
        await customer.Grain.PutKey(Convert.FromHexString(kid), Convert.FromHexString(key));

        var read = await Skm.KeyAsync(await skm.GetAsync(kid));
        Assert.Equal(kid, Skm.Kid(read));
        Assert.Equal(key, Skm.Field(read, "k"));
        Assert.Equal(key, await Skm.ValueAsync(await skm.GetValueAsync(kid)));
        Assert.Equal([kid], (await Skm.KeyListAsync(await skm.ListAsync())).Select(Skm.Kid).ToArray());
        Assert.Equal(1, await Skm.KeyCountAsync(await skm.CountAsync()));
        // A get-or-create of that KID finds it.
        var found = await Skm.KeyAsync(await skm.PostAsync(Skm.Body(("kid", kid))), HttpStatusCode.OK);
        Assert.Equal(key, Skm.Field(found, "k"));
    }

    [Fact]
    public async Task A_key_created_over_HTTP_is_visible_to_the_admin_and_an_admin_delete_removes_it()
    {
        var (customer, skm) = await NewCustomerAsync();
        var created = await Skm.CreatedAsync(await skm.PostAsync(Skm.Body(("kid", "^admin-sees-this"))));
        var kid = Skm.Kid(created);

        Assert.Equal([kid], (await customer.Grain.ListKeys()).ToArray());
        var stored = await customer.Grain.GetKey(Convert.FromHexString(kid));
        Assert.True(stored is not null, "the admin does not see the key created over HTTP");
        Assert.Equal(Skm.Field(created, "k"), Convert.ToHexStringLower(stored));

        Assert.True(await customer.Grain.DeleteKey(Convert.FromHexString(kid)));
        await Skm.ErrorAsync(await skm.GetAsync(kid), HttpStatusCode.NotFound);
        Assert.Equal(0, await Skm.KeyCountAsync(await skm.CountAsync()));
    }

    [Fact]
    public async Task A_key_deleted_over_HTTP_is_gone_for_the_admin()
    {
        var (customer, skm) = await NewCustomerAsync();
        var kid = Skm.RandomHex();
        await customer.Grain.PutKey(Convert.FromHexString(kid), Convert.FromHexString(Skm.RandomHex()));

        Skm.Deleted(await skm.DeleteAsync(kid));

        Assert.Null(await customer.Grain.GetKey(Convert.FromHexString(kid)));
        Assert.Empty(await customer.Grain.ListKeys());
    }
}
