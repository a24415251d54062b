using Orleans.Tokens.Tests.Infrastructure;

namespace Orleans.Tokens.Tests.Contract;

/// <summary>
/// Contract section 14, "several keys in one token": <c>kid.N</c>/<c>contentKey.N</c> (N = 0…15, at least .0, no
/// gaps) checked like <c>kid</c>/<c>contentKey</c>, a missing <c>contentKey.N</c> looked up in key storage, per-key
/// Widevine <c>securityLevel.N</c>, <c>hdcpOutputControl.N</c> (defaults: the unindexed values) and
/// <c>trackType.N</c> (0–4, else -7009), PlayReady <c>minCertSecurityLevel(.N)</c> (150, 2000, 3000, else -5003);
/// every key needs a security level and HDCP (-7003/-7006); plain and indexed together is -2035; the token carries
/// every key, and one token is one debit. Every refusal debits nothing.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class IndexedKeyTests(GatewayFixture gateway)
{
    private const long Balance = 100;
    private const string Kid1 = "11111111111111111111111111111111", Key1 = "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1";
    private const string Kid2 = "22222222222222222222222222222222", Key2 = "a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2";

    // ---- what a token of several keys carries ----

    [Fact]
    public async Task Three_Widevine_keys_with_their_own_policy_make_one_token_and_one_debit()
    {
        var (customer, request) = await Widevine(keys: 3);
        request.Set("securityLevel.1", "3").Set("hdcpOutputControl.2", "4").Set("trackType.0", "2").Set("trackType.1", "1");

        var payload = await Accepted(customer, Drm.Widevine, request);

        Assert.Equal([ValidRequests.Kid, Kid1, Kid2], payload.Keys.Select(k => k.Kid.Hex()));
        Assert.Equal([ValidRequests.ContentKey, Key1, Key2], payload.Keys.Select(k => k.ContentKey.Hex()));
        Assert.Equal([1, 3, 1], payload.Keys.Select(k => k.SecurityLevel));
        Assert.Equal([0, 0, 4], payload.Keys.Select(k => k.HdcpOutputControl));
        Assert.Equal([2, 1, (int?)null], payload.Keys.Select(k => k.TrackType));
        Assert.Equal(ValidRequests.Kid, payload.Kid.Hex());
    }

    [Fact]
    public async Task Per_key_values_need_no_unindexed_default_when_every_key_has_its_own()
    {
        var (customer, request) = await Widevine(keys: 2);
        request.Without("securityLevel").Without("hdcpOutputControl")
            .Set("securityLevel.0", "5").Set("securityLevel.1", "2").Set("hdcpOutputControl.0", "5").Set("hdcpOutputControl.1", "3");

        var payload = await Accepted(customer, Drm.Widevine, request);

        Assert.Equal([5, 2], payload.Keys.Select(k => k.SecurityLevel));
        Assert.Equal([5, 3], payload.Keys.Select(k => k.HdcpOutputControl));
        Assert.Equal(5, payload.Widevine!.SecurityLevel);
    }

    [Fact]
    public async Task Sixteen_keys_are_the_most()
    {
        var (customer, request) = await Widevine(keys: 16);
        var payload = await Accepted(customer, Drm.Widevine, request);
        Assert.Equal(16, payload.Keys.Length);
        Assert.Equal(16, payload.Keys.Select(k => k.Kid.Hex()).Distinct().Count());
    }

    [Fact]
    public async Task A_missing_contentKey_N_comes_from_key_storage()
    {
        var (customer, request) = await Widevine(keys: 2);
        await customer.Grain.PutKey(Convert.FromHexString(Kid1), Convert.FromHexString("b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1"));
        var payload = await Accepted(customer, Drm.Widevine, request.Without("contentKey.1"));
        Assert.Equal("b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1", payload.Keys[1].ContentKey.Hex());
    }

    [Fact]
    public async Task A_missing_contentKey_N_not_in_key_storage_is_4019()
    {
        var (customer, request) = await Widevine(keys: 3);
        await Refused(customer, Drm.Widevine, request.Without("contentKey.2"), -4019);
    }

    [Fact]
    public async Task PlayReady_keys_carry_minCertSecurityLevel_with_the_unindexed_one_as_default()
    {
        var customer = await gateway.CreateCustomerAsync(productionBalance: Balance);
        var request = Indexed(ValidRequests.PlayReady(customer), keys: 3)
            .Set("minCertSecurityLevel", "2000").Set("minCertSecurityLevel.2", "3000");

        var payload = await Accepted(customer, Drm.PlayReady, request);

        Assert.Equal([2000, 2000, 3000], payload.Keys.Select(k => k.MinCertSecurityLevel));
        Assert.Equal(3, payload.Keys.Length);
    }

    [Theory]
    [InlineData("150", 150)]
    [InlineData("2000", 2000)]
    [InlineData("3000", 3000)]
    [InlineData("0000000000000000000000000000000000150", 150)]
    public async Task PlayReady_plain_minCertSecurityLevel_is_carried(string value, int level)
    {
        var customer = await gateway.CreateCustomerAsync(productionBalance: Balance);
        var payload = await Accepted(customer, Drm.PlayReady, ValidRequests.PlayReady(customer).Set("minCertSecurityLevel", value));
        Assert.Equal(level, payload.PlayReady!.MinCertSecurityLevel);
        Assert.Equal(level, Assert.Single(payload.Keys).MinCertSecurityLevel);
    }

    [Theory]
    [InlineData("minCertSecurityLevel", "100")]
    [InlineData("minCertSecurityLevel", "2001")]
    [InlineData("minCertSecurityLevel", "x")]
    [InlineData("minCertSecurityLevel.1", "-150")]
    [InlineData("minCertSecurityLevel.1", "SL3000")]
    [InlineData("minCertSecurityLevel.1", "150.0")]
    public async Task PlayReady_other_minCertSecurityLevel_is_5003(string name, string value)
    {
        var customer = await gateway.CreateCustomerAsync(productionBalance: Balance);
        await Refused(customer, Drm.PlayReady, Indexed(ValidRequests.PlayReady(customer), keys: 2).Set(name, value), -5003);
    }

    // ---- refusals ----

    [Theory]
    [InlineData("kid")]
    [InlineData("contentKey")]
    [InlineData("kek")]
    [InlineData("ek")]
    public async Task Plain_and_indexed_keys_together_are_2035(string plain)
    {
        var (customer, request) = await Widevine(keys: 2);
        var value = plain switch { "kek" => ValidRequests.Kek128, "ek" => ValidRequests.Wrapped128, "kid" => ValidRequests.Kid, _ => ValidRequests.ContentKey };
        await Refused(customer, Drm.Widevine, request.Set(plain, value), -2035);
    }

    [Theory]
    [InlineData("kid.0")]
    [InlineData("kid.1")]
    public async Task A_gap_in_the_kids_is_4018(string removed)
    {
        var (customer, request) = await Widevine(keys: 3);
        await Refused(customer, Drm.Widevine, request.Without(removed).Without(removed.Replace("kid", "contentKey")), -4018);
    }

    [Fact]
    public async Task A_contentKey_N_without_any_kid_N_is_4018()
    {
        var customer = await gateway.CreateCustomerAsync(productionBalance: Balance);
        var request = ValidRequests.Widevine(customer).Without("kid").Without("contentKey").Set("contentKey.0", ValidRequests.ContentKey);
        await Refused(customer, Drm.Widevine, request, -4018);
    }

    [Theory]
    [InlineData("kid.16", ValidRequests.Kid, -4022)]
    [InlineData("kid.01", Kid1, -4022)]
    [InlineData("kid.x", Kid1, -4022)]
    [InlineData("kid.", Kid1, -4022)]
    [InlineData("contentKey.2", Key2, -2005)]
    [InlineData("securityLevel.2", "1", -7004)]
    [InlineData("hdcpOutputControl.-1", "1", -2008)]
    [InlineData("trackType.2", "1", -7009)]
    public async Task An_index_that_is_not_0_to_15_or_names_no_key_is_refused(string name, string value, int code)
    {
        var (customer, request) = await Widevine(keys: 2);
        await Refused(customer, Drm.Widevine, request.Set(name, value), code);
    }

    [Theory]
    [InlineData("kid.1", "zz", -4022)]
    [InlineData("kid.1", "abcd", -4020)]
    [InlineData("kid.1", "^{a*65}", -4021)]
    [InlineData("kid.1", "^", -4022)]
    [InlineData("contentKey.1", "zz", -2005)]
    [InlineData("contentKey.1", "abcd", -2027)]
    [InlineData("securityLevel.1", "0", -7004)]
    [InlineData("securityLevel.1", "x", -7004)]
    [InlineData("hdcpOutputControl.1", "x", -2008)]
    [InlineData("hdcpOutputControl.1", "6", -2034)]
    [InlineData("hdcpOutputControl.1", "1234567890123456789012345678901", -2034)]
    [InlineData("trackType.1", "5", -7009)]
    [InlineData("trackType.1", "-1", -7009)]
    [InlineData("trackType.1", "HD", -7009)]
    public async Task An_indexed_value_is_checked_like_its_plain_row(string name, string value, int code)
    {
        var (customer, request) = await Widevine(keys: 2);
        await Refused(customer, Drm.Widevine, request.Set(name, RowValues.Resolve(value)), code);
    }

    [Theory]
    [InlineData("kid.0", -4022)]
    [InlineData("contentKey.1", -2005)]
    [InlineData("securityLevel.1", -7004)]
    [InlineData("hdcpOutputControl.0", -2008)]
    [InlineData("trackType.1", -7009)]
    public async Task An_indexed_parameter_given_twice_is_its_invalid_code(string name, int code)
    {
        var (customer, request) = await Widevine(keys: 2);
        request.Set("securityLevel.1", "2").Set("hdcpOutputControl.0", "1").Set("trackType.1", "1");
        await Refused(customer, Drm.Widevine, request.Append(name, request[name]!), code);
    }

    [Fact]
    public async Task The_same_kid_twice_is_4022()
    {
        var (customer, request) = await Widevine(keys: 2);
        await Refused(customer, Drm.Widevine, request.Set("kid.1", ValidRequests.Kid.ToUpperInvariant()), -4022);
    }

    [Theory]
    [InlineData("securityLevel", -7003)]
    [InlineData("hdcpOutputControl", -7006)]
    public async Task A_key_left_without_securityLevel_or_hdcpOutputControl_is_its_missing_code(string name, int code)
    {
        var (customer, request) = await Widevine(keys: 3);
        await Refused(customer, Drm.Widevine, request.Without(name).Set($"{name}.0", "1").Set($"{name}.2", "1"), code);
    }

    [Theory]
    [InlineData("securityLevel.0", "1", -7004)]
    [InlineData("trackType.0", "1", -7009)]
    [InlineData("minCertSecurityLevel.0", "150", -5003)]
    public async Task A_per_key_value_without_indexed_keys_is_refused(string name, string value, int code)
    {
        var customer = await gateway.CreateCustomerAsync(productionBalance: Balance);
        var drm = name.StartsWith("minCert") ? Drm.PlayReady : Drm.Widevine;
        await Refused(customer, drm, ValidRequests.For(drm, customer).Set(name, value), code);
    }

    // ---- helpers ----

    /// <summary>A valid Widevine request with <paramref name="keys"/> indexed keys (and the unindexed defaults).</summary>
    private async Task<(TestCustomer Customer, Params Request)> Widevine(int keys)
    {
        var customer = await gateway.CreateCustomerAsync(productionBalance: Balance);
        return (customer, Indexed(ValidRequests.Widevine(customer), keys));
    }

    /// <summary>Replaces kid/contentKey by kid.0…kid.(keys-1) with contentKey.N: the first the plain pair, then Kid1/Key1, Kid2/Key2, then made up.</summary>
    private static Params Indexed(Params request, int keys)
    {
        request.Without("kid").Without("contentKey");
        for (var index = 0; index < keys; index++)
        {
            var (kid, key) = index switch
            {
                0 => (ValidRequests.Kid, ValidRequests.ContentKey),
                1 => (Kid1, Key1),
                2 => (Kid2, Key2),
                _ => ($"{index:x2}" + new string('3', 30), $"{index:x2}" + new string('c', 30)),
            };
            request.Set($"kid.{index}", kid).Set($"contentKey.{index}", key);
        }
        return request;
    }

    private async Task Refused(TestCustomer customer, Drm drm, Params request, int code)
    {
        await Expect.ErrorAsync(await gateway.MintAsync(drm, request), code);
        Assert.Equal(Balance, await customer.ProductionBalanceAsync());
    }

    private async Task<TokenPayload> Accepted(TestCustomer customer, Drm drm, Params request)
    {
        var token = await Expect.TokenAsync(drm, await gateway.MintAsync(drm, request));
        Assert.Equal(Balance - 1, await customer.ProductionBalanceAsync());
        return gateway.OpenToken(token) ?? throw new Xunit.Sdk.XunitException("the token does not open with the gateway's token keys");
    }
}
