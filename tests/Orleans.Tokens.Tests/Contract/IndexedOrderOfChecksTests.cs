using Orleans.Tokens.Tests.Infrastructure;

namespace Orleans.Tokens.Tests.Contract;

/// <summary>
/// Section 3's order of checks for section 14's indexed forms, one test per choice the contract left open (README,
/// "Decisions where the contract is silent"). Each request has two faults; the code says which was checked first.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class IndexedOrderOfChecksTests(GatewayFixture gateway)
{
    private const string KidA = "0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a", KidB = "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b";

    [Fact]
    public async Task The_form_plain_or_indexed_before_any_key_value()
    {
        await Refused(r => r.Set("kid", "zz").Set("kid.0", KidA), -2035);
    }

    [Fact]
    public async Task An_index_outside_0_to_15_before_a_gap()
    {
        await Refused(r => r.Set("kid.0", KidA).Set("kid.2", KidB).Set("kid.16", KidB), -4022);
    }

    [Fact]
    public async Task A_gap_before_the_kid_values()
    {
        await Refused(r => r.Set("kid.0", "zz").Set("kid.2", KidB), -4018);
    }

    [Fact]
    public async Task Every_kid_value_before_a_repeated_kid()
    {
        await Refused(r => r.Set("kid.0", KidA).Set("kid.1", KidA).Set("kid.2", "abcd"), -4020);
    }

    [Fact]
    public async Task A_repeated_kid_before_the_content_keys()
    {
        await Refused(r => r.Set("kid.0", KidA).Set("kid.1", KidA).Set("contentKey.0", "zz"), -4022);
    }

    [Fact]
    public async Task Every_kid_N_before_any_contentKey_N()
    {
        await Refused(r => r.Set("kid.0", KidA).Set("contentKey.0", "zz").Set("kid.1", "zz"), -4022);
    }

    [Fact]
    public async Task The_content_keys_in_index_order()
    {
        await Refused(r => r.Set("kid.0", KidA).Set("kid.1", KidB).Set("contentKey.1", "zz").Set("contentKey.0", "abcd"), -2027);
    }

    [Fact]
    public async Task Every_key_having_a_security_level_before_the_values()
    {
        await Refused(r => r.Set("kid.0", KidA).Set("kid.1", KidB).Without("securityLevel").Set("securityLevel.0", "9"), -7003);
    }

    [Fact]
    public async Task The_unindexed_default_before_the_indexed_values()
    {
        await Refused(r => r.Set("kid.0", KidA).Set("hdcpOutputControl", "x").Set("hdcpOutputControl.0", "9"), -2008);
    }

    [Fact]
    public async Task Security_level_before_HDCP_before_track_type()
    {
        await Refused(r => r.Set("kid.0", KidA).Set("hdcpOutputControl.0", "x").Set("securityLevel.0", "0"), -7004);
        await Refused(r => r.Set("kid.0", KidA).Set("trackType.0", "9").Set("hdcpOutputControl.0", "9"), -2034);
    }

    [Fact]
    public async Task A_per_key_value_for_a_key_not_given_is_its_row_invalid_code_in_table_order()
    {
        await Refused(r => r.Set("kid.0", KidA).Set("trackType.3", "1").Set("hdcpOutputControl.0", "x"), -2008);
        await Refused(r => r.Set("kid.0", KidA).Set("contentKey.3", KidB).Set("contentId", "\u0001"), -2005);
    }

    /// <summary>A valid Widevine request whose plain kid/contentKey <paramref name="change"/> replaces, refused with <paramref name="code"/>.</summary>
    private async Task Refused(Func<Params, Params> change, int code)
    {
        var customer = await gateway.CreateCustomerAsync(productionBalance: 10);
        var request = change(ValidRequests.Widevine(customer).Without("kid").Without("contentKey"));
        await Expect.ErrorAsync(await gateway.MintAsync(Drm.Widevine, request), code);
        Assert.Equal(10, await customer.ProductionBalanceAsync());
    }
}
