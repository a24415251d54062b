using System.Net;
using System.Text.RegularExpressions;
using Orleans.Tokens.Tests.Contract;
using Orleans.Tokens.Tests.Infrastructure;
using static Orleans.Tokens.Tests.Redemption.Redeem;

namespace Orleans.Tokens.Tests.Redemption;

/// <summary>
/// Contract section 8, records: every redemption is recorded for the token's customer (time, token id, DRM, KID,
/// cookie, issuer outcome, client address); <c>GET /hms/records</c> answers them by <c>cookie</c>, by <c>id</c> or a
/// page <c>start</c>/<c>length</c> (length ≤ 200, default the newest 32), newest first, only the authenticating
/// customer's; authentication as sections 2–4 (-2017 missing, -2018 unknown, revoked or of the other environment)
/// before the parameters; bad or several selectors -2035.
/// </summary>
[Collection(RedemptionCollection.Name)]
public sealed class RecordsTests(RedemptionGateway gateway)
{
    [Fact]
    public async Task Records_by_cookie_are_the_redemptions_of_that_cookie_newest_first_with_every_field()
    {
        var customer = await gateway.CreateCustomerAsync();
        var cookie = "c-" + Guid.NewGuid().ToString("N")[..20];
        var token = await MintAsync(gateway, customer, Drm.Widevine, ("cookie", cookie));
        var other = await MintAsync(gateway, customer, Drm.Widevine, ("cookie", "other"));
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);
        for (var i = 0; i < 3; i++) await IssuedAsync(await ClearKeyAsync(gateway, WidevineRights, token));
        await IssuedAsync(await ClearKeyAsync(gateway, WidevineRights, other));
        await ErrorAsync(await ClearKeyAsync(gateway, WidevineRights, token, "{not json"), HttpStatusCode.BadRequest, -7008);
        var after = DateTimeOffset.UtcNow.AddSeconds(1);

        var records = await WaitForAsync(() => RecordsAsync(gateway, Query(customer).Set("cookie", cookie)), r => r.Length >= 4);

        Assert.Equal(4, records.Length);
        Assert.Equal(["refused", "issued", "issued", "issued"], records.Select(r => r.Outcome).ToArray());
        AssertNewestFirst(records);
        var tokenId = TokenId(gateway, token);
        foreach (var record in records)
        {
            Assert.Equal(tokenId, record.TokenId);
            Assert.Matches("^[0-9a-f]{48}$", record.TokenId);
            Assert.Equal(cookie, record.Cookie);
            Assert.Equal(ValidRequests.Kid, record.Kid, ignoreCase: true);
            Assert.Contains("idevine", record.Drm, StringComparison.OrdinalIgnoreCase);
            Assert.InRange(record.Time, before, after);
            Assert.True(IPAddress.TryParse(record.Address, out var address) && IPAddress.IsLoopback(address), $"address {record.Address}");
        }
    }

    [Fact]
    public async Task Records_by_token_id_are_that_tokens_redemptions_with_each_issuers_outcome()
    {
        var customer = await gateway.CreateCustomerAsync();
        var token = await MintAsync(gateway, customer, Drm.PlayReady);
        var failed = "<challenge>" + Guid.NewGuid() + "</challenge>";
        var refused = "<challenge>" + Guid.NewGuid() + "</challenge>";
        gateway.Upstream.Script(failed, 500, "text/plain", "upstream broke");
        gateway.Upstream.Script(refused, 403, "text/plain", "device refused");
        await IssuedAsync(await PostAsync(gateway, PlayReadyRights, token, "<challenge>ok</challenge>", "text/xml"));
        Assert.Equal(HttpStatusCode.InternalServerError, (await PostAsync(gateway, PlayReadyRights, token, failed, "text/xml")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await PostAsync(gateway, PlayReadyRights, token, refused, "text/xml")).StatusCode);
        var tokenId = TokenId(gateway, token);

        var records = await WaitForAsync(() => RecordsAsync(gateway, Query(customer).Set("id", tokenId)), r => r.Length >= 3);

        Assert.Equal(["refused", "failed", "issued"], records.Select(r => r.Outcome).ToArray());
        Assert.All(records, r => Assert.Equal(tokenId, r.TokenId));
        Assert.All(records, r => Assert.Contains("playready", r.Drm, StringComparison.OrdinalIgnoreCase));
        Assert.All(records, r => Assert.True(string.IsNullOrEmpty(r.Cookie), $"cookie {r.Cookie}"));
        AssertNewestFirst(records);
    }

    [Fact]
    public async Task Pages_of_records_are_newest_first_and_the_default_page_is_the_newest_32()
    {
        var customer = await gateway.CreateCustomerAsync();
        var cookies = Enumerable.Range(0, 35).Select(i => $"page-{i:00}").ToArray();
        foreach (var cookie in cookies)
        {
            var token = await MintAsync(gateway, customer, Drm.Widevine, ("cookie", cookie));
            await IssuedAsync(await ClearKeyAsync(gateway, WidevineRights, token));
        }
        var newestFirst = cookies.Reverse().ToArray();

        var all = await WaitForAsync(() => RecordsAsync(gateway, Query(customer).Set("start", "0").Set("length", "200")), r => r.Length >= 35);
        Assert.Equal(newestFirst, all.Select(r => r.Cookie).ToArray());
        AssertNewestFirst(all);

        var first = await RecordsAsync(gateway, Query(customer).Set("start", "0").Set("length", "3"));
        Assert.Equal(newestFirst[..3], first.Select(r => r.Cookie).ToArray());
        var second = await RecordsAsync(gateway, Query(customer).Set("start", "3").Set("length", "3"));
        Assert.Equal(newestFirst[3..6], second.Select(r => r.Cookie).ToArray());
        var last = await RecordsAsync(gateway, Query(customer).Set("start", "33").Set("length", "10"));
        Assert.Equal(newestFirst[33..], last.Select(r => r.Cookie).ToArray());
        var beyond = await RecordsAsync(gateway, Query(customer).Set("start", "35").Set("length", "10"));
        Assert.Empty(beyond);

        var byDefault = await RecordsAsync(gateway, Query(customer));
        Assert.Equal(newestFirst[..32], byDefault.Select(r => r.Cookie).ToArray());
    }

    [Fact]
    public async Task A_customer_sees_only_its_own_records()
    {
        var owner = await gateway.CreateCustomerAsync();
        var stranger = await gateway.CreateCustomerAsync();
        var cookie = "mine-" + Guid.NewGuid().ToString("N")[..8];
        var token = await MintAsync(gateway, owner, Drm.Widevine, ("cookie", cookie));
        await IssuedAsync(await ClearKeyAsync(gateway, WidevineRights, token));
        await WaitForAsync(() => RecordsAsync(gateway, Query(owner).Set("cookie", cookie)), r => r.Length >= 1);

        Assert.Empty(await RecordsAsync(gateway, Query(stranger).Set("cookie", cookie)));
        Assert.Empty(await RecordsAsync(gateway, Query(stranger).Set("id", TokenId(gateway, token))));
        Assert.Empty(await RecordsAsync(gateway, Query(stranger)));
    }

    [Fact]
    public async Task The_admin_records_call_answers_the_same_records()
    {
        var customer = await gateway.CreateCustomerAsync();
        var cookie = "admin-" + Guid.NewGuid().ToString("N")[..8];
        var token = await MintAsync(gateway, customer, Drm.Widevine, ("cookie", cookie));
        await IssuedAsync(await ClearKeyAsync(gateway, WidevineRights, token));
        await IssuedAsync(await ClearKeyAsync(gateway, WidevineRights, token));

        var viaHttp = await WaitForAsync(() => RecordsAsync(gateway, Query(customer).Set("cookie", cookie)), r => r.Length >= 2);
        var viaAdmin = await customer.Grain.Records(new RecordsQuery(cookie, null, 0, RecordsQuery.DefaultLength));

        Assert.Equal(viaHttp.Select(r => (r.TokenId, r.Outcome, r.Cookie)), viaAdmin.Select(r => (r.TokenId, r.Outcome, r.Cookie)));
    }

    [Fact]
    public async Task Records_without_an_authenticator_are_401_2017()
    {
        await ErrorAsync(await RecordsResponseAsync(gateway, new Params { { "cookie", "x" } }), HttpStatusCode.Unauthorized, -2017);
        await ErrorAsync(await RecordsResponseAsync(gateway, new Params { { "customerAuthenticator", "" }, { "start", "-5" } }), HttpStatusCode.Unauthorized, -2017);
    }

    [Fact]
    public async Task Records_with_an_unknown_malformed_revoked_or_test_environment_authenticator_are_401_2018()
    {
        var customer = await gateway.CreateCustomerAsync();
        var revoked = await customer.Grain.AddAuthenticator(TokenEnvironment.Production);
        await customer.Grain.RevokeAuthenticator(revoked.Id);
        string[] refused =
        [
            $"{customer.Id},{new string('0', 32)}",
            "not-an-authenticator",
            $"{GatewayFixture.NextCustomerId()},{new string('a', 32)}",
            revoked.Authenticator,
            customer.TestAuthenticator,
        ];

        foreach (var authenticator in refused)
        {
            await ErrorAsync(await RecordsResponseAsync(gateway, new Params { { "customerAuthenticator", authenticator }, { "cookie", "x" } }),
                HttpStatusCode.Unauthorized, -2018);
        }
    }

    [Theory]
    [InlineData("cookie=a&id=" + "0123456789abcdef0123456789abcdef0123456789abcdef")]
    [InlineData("cookie=a&start=0&length=5")]
    [InlineData("id=" + "0123456789abcdef0123456789abcdef0123456789abcdef" + "&start=0&length=5")]
    [InlineData("start=0&length=0")]
    [InlineData("start=0&length=201")]
    [InlineData("start=0&length=abc")]
    [InlineData("start=-1&length=5")]
    [InlineData("start=x&length=5")]
    [InlineData("cookie=a&cookie=b")]
    public async Task Records_with_bad_or_several_selectors_are_400_2035(string selectors)
    {
        var customer = await gateway.CreateCustomerAsync();
        var response = await gateway.Client.GetAsync(
            $"/hms/records?customerAuthenticator={Uri.EscapeDataString(customer.Authenticator)}&{selectors}");

        await ErrorAsync(response, HttpStatusCode.BadRequest, -2035);
    }

    /// <summary>
    /// A token id (section 7 gives it no form; the README: 48 hex digits, 32 for tokens minted before) that is not
    /// one is a bad parameter (-2035, the README's decision) rather than an empty answer.
    /// </summary>
    [Theory]
    [InlineData("xyz")]
    [InlineData("0123456789abcdef")]
    public async Task Records_of_a_malformed_token_id_are_400_2035(string id)
    {
        var customer = await gateway.CreateCustomerAsync();

        await ErrorAsync(await RecordsResponseAsync(gateway, Query(customer).Set("id", id)), HttpStatusCode.BadRequest, -2035);
    }

    /// <summary>
    /// Section 8 caps a page (<c>length</c> ≤ 200), not the records of one cookie or one token: all of them are
    /// answered, newest first.
    /// </summary>
    [Fact]
    public async Task Records_by_cookie_and_by_token_id_answer_all_of_them_even_past_200()
    {
        var customer = await gateway.CreateCustomerAsync();
        var cookie = "many-" + Guid.NewGuid().ToString("N")[..8];
        var token = await MintAsync(gateway, customer, Drm.Widevine, ("cookie", cookie));
        const int count = 205;
        for (var i = 0; i < count; i++) await IssuedAsync(await ClearKeyAsync(gateway, WidevineRights, token));

        var byCookie = await WaitForAsync(() => RecordsAsync(gateway, Query(customer).Set("cookie", cookie)), r => r.Length >= count);
        var byId = await RecordsAsync(gateway, Query(customer).Set("id", TokenId(gateway, token)));

        Assert.Equal(count, byCookie.Length);
        Assert.Equal(count, byId.Length);
        AssertNewestFirst(byCookie);
    }

    [Fact]
    public async Task Records_errors_are_section_2_json_when_asked()
    {
        var customer = await gateway.CreateCustomerAsync();

        await Expect.ErrorAsync(await RecordsResponseAsync(gateway, new Params { { "errorFormat", "json" }, { "cookie", "x" } }), -2017);
        await Expect.ErrorAsync(await RecordsResponseAsync(gateway,
            new Params { { "customerAuthenticator", customer.Authenticator }, { "errorFormat", "json" }, { "start", "0" }, { "length", "201" } }), -2035);
    }

    [Theory]
    [InlineData("POST")]
    [InlineData("PUT")]
    [InlineData("DELETE")]
    public async Task Records_answer_only_GET_other_methods_are_405(string method)
    {
        var customer = await gateway.CreateCustomerAsync();

        var response = await gateway.Client.SendAsync(new HttpRequestMessage(new HttpMethod(method),
            $"/hms/records?customerAuthenticator={Uri.EscapeDataString(customer.Authenticator)}"));

        await Expect.PlainRefusalAsync(response, 405);
    }

    [Fact]
    public async Task A_length_of_200_is_allowed()
    {
        var customer = await gateway.CreateCustomerAsync();

        Assert.Empty(await RecordsAsync(gateway, Query(customer).Set("start", "0").Set("length", "200")));
    }

    private static Params Query(TestCustomer customer) => new() { { "customerAuthenticator", customer.Authenticator } };

    private static void AssertNewestFirst(RecordRow[] records)
    {
        for (var i = 1; i < records.Length; i++)
            Assert.True(records[i - 1].Time >= records[i].Time, $"record {i - 1} ({records[i - 1].Time:O}) is older than record {i} ({records[i].Time:O})");
    }
}
