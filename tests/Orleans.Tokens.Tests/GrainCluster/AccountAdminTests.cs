using Orleans.Tokens.Tests.Infrastructure;

namespace Orleans.Tokens.Tests.GrainCluster;

/// <summary>
/// Account management through <see cref="ICustomerGrain"/> on a TestCluster silo over the real SQLite storage (contract
/// section 9: create, show, credit, enable/disable, DRM options, authenticators, key storage), and how each change
/// shows in the next mint (section 3 step 4). Every answer is checked against what the storage holds.
/// </summary>
[Collection(TokensTestClusterCollection.Name)]
public sealed class AccountAdminTests(TokensTestCluster cluster)
{
    [Fact]
    public async Task Create_makes_an_enabled_account_with_one_authenticator_per_environment()
    {
        var customer = await cluster.CreateCustomer(productionBalance: 12, testBalance: 3, new CustomerOptions(true, false));

        Assert.Equal(customer.Id, customer.Created.CustomerId);
        Assert.Equal(TokenEnvironment.Production, customer.Created.Production.Environment);
        Assert.Equal(TokenEnvironment.Test, customer.Created.Test.Environment);
        foreach (var issued in new[] { customer.Created.Production, customer.Created.Test })
        {
            Assert.Matches($"^{customer.Id},[0-9a-f]{{32}}$", issued.Authenticator);
        }
        Assert.NotEqual(customer.Authenticator, customer.TestAuthenticator);

        var shown = await customer.Grain.Show();
        Assert.True(shown.Enabled);
        Assert.Equal(new CustomerOptions(true, false), shown.Options);
        Assert.Equal((12, 3), (shown.ProductionBalance, shown.TestBalance));
        Assert.Equal(
            [(customer.Created.Production.Id, TokenEnvironment.Production), (customer.Created.Test.Id, TokenEnvironment.Test)],
            shown.Authenticators.Select(a => (a.Id, a.Environment)).ToArray());

        var stored = await cluster.Stored(customer.Grain);
        Assert.True(stored.Exists && stored.Enabled);
        Assert.Equal((12, 3), (stored.ProductionBalance, stored.TestBalance));
        // Stored hashed: no stored byte sequence is the secret.
        Assert.All(stored.Authenticators, a => Assert.Equal(32, a.SecretHash.Length));
    }

    [Fact]
    public async Task An_existing_account_cannot_be_created_again_and_keeps_its_state()
    {
        var customer = await cluster.CreateCustomer(productionBalance: 5);
        await Assert.ThrowsAsync<AccountException>(() => customer.Grain.Create(new CustomerOptions(true, true), 1_000, 0));
        Assert.Equal(5, await customer.ProductionBalanceAsync());
        Assert.Equal(ErrorCode.None, await customer.Mint().Code()); // the first authenticators still hold
    }

    [Fact]
    public async Task An_unknown_account_refuses_admin_calls_and_mints_as_2018()
    {
        var grain = cluster.Grains.GetGrain<ICustomerGrain>(9_999_999_001);
        await Assert.ThrowsAsync<AccountException>(() => grain.Show());
        await Assert.ThrowsAsync<AccountException>(() => grain.Credit(TokenEnvironment.Production, 10));
        await Assert.ThrowsAsync<AccountException>(() => grain.SetEnabled(true));
        await Assert.ThrowsAsync<AccountException>(() => grain.PutKey(Mints.Kid, Mints.ContentKey));
        var result = await grain.Mint(Mints.Request("9999999001,00000000000000000000000000000000"), default);
        Assert.Equal(ErrorCode.InvalidAuthenticator, result.Code);
        Assert.False((await cluster.Stored(grain)).Exists);
    }

    [Fact]
    public async Task A_negative_opening_balance_is_refused()
    {
        var grain = cluster.Grains.GetGrain<ICustomerGrain>(9_999_999_002);
        await Assert.ThrowsAsync<AccountException>(() => grain.Create(new CustomerOptions(true, true), -1, 0));
        await Assert.ThrowsAsync<AccountException>(() => grain.Show());
    }

    [Fact]
    public async Task Credit_adds_to_its_environment_only()
    {
        var customer = await cluster.CreateCustomer(productionBalance: 2, testBalance: 7);

        Assert.Equal(12, await customer.Grain.Credit(TokenEnvironment.Production, 10));
        Assert.Equal(8, await customer.Grain.Credit(TokenEnvironment.Test, 1));

        var shown = await customer.Grain.Show();
        Assert.Equal((12, 8), (shown.ProductionBalance, shown.TestBalance));
        var stored = await cluster.Stored(customer.Grain);
        Assert.Equal((12, 8), (stored.ProductionBalance, stored.TestBalance));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    [InlineData(long.MaxValue)]
    public async Task A_credit_below_one_or_past_the_largest_balance_is_refused_and_changes_nothing(long tokens)
    {
        var customer = await cluster.CreateCustomer(productionBalance: 4);
        await Assert.ThrowsAsync<AccountException>(() => customer.Grain.Credit(TokenEnvironment.Production, tokens));
        Assert.Equal(4, await customer.ProductionBalanceAsync());
    }

    [Fact]
    public async Task A_disabled_account_mints_2031_until_enabled_and_is_not_debited()
    {
        var customer = await cluster.CreateCustomer(productionBalance: 3);

        Assert.False((await customer.Grain.SetEnabled(false)).Enabled);
        Assert.False((await cluster.Stored(customer.Grain)).Enabled);
        Assert.Equal(ErrorCode.AccountDisabled, await customer.Mint().Code());
        Assert.Equal(3, await customer.ProductionBalanceAsync());

        Assert.True((await customer.Grain.SetEnabled(true)).Enabled);
        Assert.Equal(ErrorCode.None, await customer.Mint().Code());
        Assert.Equal(2, await customer.ProductionBalanceAsync());
    }

    [Fact]
    public async Task Set_turns_one_DRM_off_and_leaves_the_other_as_it_was()
    {
        var customer = await cluster.CreateCustomer(productionBalance: 5);

        var shown = await customer.Grain.SetOptions(widevine: false, playReady: null);
        Assert.Equal(new CustomerOptions(false, true), shown.Options);
        Assert.Equal(new CustomerOptions(false, true), (await cluster.Stored(customer.Grain)).Options);
        Assert.Equal(ErrorCode.WidevineDisabled, await customer.Grain.Mint(Mints.Request(customer.Authenticator, drm: Drm.Widevine), default).Code());
        Assert.Equal(ErrorCode.None, await customer.Grain.Mint(Mints.Request(customer.Authenticator, drm: Drm.PlayReady), default).Code());

        shown = await customer.Grain.SetOptions(widevine: true, playReady: false);
        Assert.Equal(new CustomerOptions(true, false), shown.Options);
        Assert.Equal(ErrorCode.PlayReadyDisabled, await customer.Grain.Mint(Mints.Request(customer.Authenticator, drm: Drm.PlayReady), default).Code());
        Assert.Equal(ErrorCode.None, await customer.Grain.Mint(Mints.Request(customer.Authenticator, drm: Drm.Widevine), default).Code());
        Assert.Equal(3, await customer.ProductionBalanceAsync());
    }

    [Fact]
    public async Task An_added_authenticator_mints_beside_the_first_and_a_revoked_one_is_2018_at_once()
    {
        var customer = await cluster.CreateCustomer(productionBalance: 10);

        var added = await customer.Grain.AddAuthenticator(TokenEnvironment.Production);
        Assert.Equal(TokenEnvironment.Production, added.Environment);
        Assert.Matches($"^{customer.Id},[0-9a-f]{{32}}$", added.Authenticator);
        Assert.Contains(added.Id, (await customer.Grain.Show()).Authenticators.Select(a => a.Id));
        Assert.Equal(ErrorCode.None, await customer.Grain.Mint(Mints.Request(added.Authenticator), default).Code());
        Assert.Equal(ErrorCode.None, await customer.Mint().Code());

        await customer.Grain.RevokeAuthenticator(customer.Created.Production.Id);
        Assert.Equal(ErrorCode.InvalidAuthenticator, await customer.Mint().Code());
        Assert.Equal(ErrorCode.None, await customer.Grain.Mint(Mints.Request(added.Authenticator), default).Code());
        Assert.Equal(
            new[] { customer.Created.Test.Id, added.Id }.Order(),
            (await customer.Grain.Show()).Authenticators.Select(a => a.Id).Order());
        Assert.Equal(7, await customer.ProductionBalanceAsync());
        await Assert.ThrowsAsync<AccountException>(() => customer.Grain.RevokeAuthenticator("no-such-id"));
    }

    [Fact]
    public async Task An_authenticator_of_the_other_environment_is_2018()
    {
        var customer = await cluster.CreateCustomer(productionBalance: 1, testBalance: 1);
        Assert.Equal(ErrorCode.InvalidAuthenticator,
            await customer.Grain.Mint(Mints.Request(customer.TestAuthenticator, TokenEnvironment.Production), default).Code());
        Assert.Equal(ErrorCode.InvalidAuthenticator,
            await customer.Grain.Mint(Mints.Request(customer.Authenticator, TokenEnvironment.Test), default).Code());
        var shown = await customer.Grain.Show();
        Assert.Equal((1, 1), (shown.ProductionBalance, shown.TestBalance));
    }

    [Fact]
    public async Task Key_storage_puts_gets_lists_and_deletes_and_mints_use_it()
    {
        var customer = await cluster.CreateCustomer(productionBalance: 5);
        var second = Convert.FromHexString("FFEEDDCCBBAA99887766554433221100");
        var secondKey = Convert.FromHexString("11111111111111111111111111111111");

        Assert.Equal(ErrorCode.KeyNotInStorage, await customer.Grain.Mint(Mints.Request(customer.Authenticator, fromStorage: true), default).Code());
        await customer.Grain.PutKey(second, secondKey);
        await customer.Grain.PutKey(Mints.Kid, Mints.ContentKey);

        Assert.Equal(Mints.ContentKey, await customer.Grain.GetKey(Mints.Kid));
        Assert.Equal(["00112233445566778899aabbccddeeff", "ffeeddccbbaa99887766554433221100"], (await customer.Grain.ListKeys()).ToArray());
        // The keys are rows of their own: the state counts them and holds none.
        var stored = await cluster.Stored(customer.Grain);
        Assert.Equal((2, 0), (stored.KeyCount, stored.Keys.Count));
        var minted = await customer.Grain.Mint(Mints.Request(customer.Authenticator, kid: second, fromStorage: true), default);
        Assert.Equal(ErrorCode.None, minted.Code);
        Assert.Equal(secondKey, minted.ContentKey);

        Assert.True(await customer.Grain.DeleteKey(second));
        Assert.False(await customer.Grain.DeleteKey(second));
        Assert.Null(await customer.Grain.GetKey(second));
        Assert.Equal("00112233445566778899aabbccddeeff", Assert.Single(await customer.Grain.ListKeys()));
        Assert.Equal(ErrorCode.KeyNotInStorage, await customer.Grain.Mint(Mints.Request(customer.Authenticator, kid: second, fromStorage: true), default).Code());
        Assert.Equal(4, await customer.ProductionBalanceAsync());
        Assert.Equal(1, (await cluster.Stored(customer.Grain)).KeyCount);
    }

    [Fact]
    public async Task A_key_or_KID_that_is_not_16_bytes_is_refused()
    {
        var customer = await cluster.CreateCustomer();
        await Assert.ThrowsAsync<AccountException>(() => customer.Grain.PutKey(new byte[15], Mints.ContentKey));
        await Assert.ThrowsAsync<AccountException>(() => customer.Grain.PutKey(Mints.Kid, new byte[32]));
        Assert.Empty(await customer.Grain.ListKeys());
    }
}
