using Orleans.Tokens.Tests.Contract;
using Orleans.Tokens.Tests.Infrastructure;

namespace Orleans.Tokens.Tests.Idempotency;

/// <summary>
/// Section 11, idempotent mints, through the real HTTP surface, grains and SQLite storage: a replay answers the
/// first token again and debits nothing; other parameters are -9002, an undecided first request -9003, a malformed
/// key -9004 (checked after every other parameter of step 3).
/// </summary>
public sealed class IdempotentMintTests(IdempotencyGateway gateway) : IClassFixture<IdempotencyGateway>
{
    [Theory]
    [InlineData(Drm.Widevine)]
    [InlineData(Drm.PlayReady)]
    public async Task The_same_key_and_parameters_answer_the_first_token_again_without_a_debit(Drm drm)
    {
        var customer = await gateway.CreateCustomerAsync(productionBalance: 10);
        var request = ValidRequests.For(drm, customer).Append("expirationTime", "+3600").Append("cookie", "c1");
        var first = await TokenAsync(drm, await MintWithHeaderAsync(drm, request, "order-1"));

        // The same names and values in another order, with another errorFormat, the key as requestId and quoted.
        var reordered = new Params();
        foreach (var pair in request.Reverse().Where(p => p.Key != "errorFormat")) reordered.Add(pair.Key, pair.Value);
        reordered.Add("requestId", "\"order-1\"");
        var again = gateway.OpenToken(await Expect.TokenAsync(drm, await gateway.MintAsync(drm, reordered)))!;

        Assert.Equal(first.TokenId, again.TokenId);
        Assert.Equal(first.IssuedAt, again.IssuedAt);
        Assert.Equal(first.ExpiresAt, again.ExpiresAt);
        Assert.Equal(System.Text.Json.JsonSerializer.Serialize(first, TokenJson.Default.TokenPayload),
            System.Text.Json.JsonSerializer.Serialize(again, TokenJson.Default.TokenPayload));
        Assert.Equal(9, await customer.ProductionBalanceAsync());
    }

    [Fact]
    public async Task Other_keys_are_other_mints()
    {
        var customer = await gateway.CreateCustomerAsync(productionBalance: 10);
        var first = await TokenAsync(Drm.Widevine, await MintWithHeaderAsync(Drm.Widevine, ValidRequests.Widevine(customer), "a"));
        var second = await TokenAsync(Drm.Widevine, await MintWithHeaderAsync(Drm.Widevine, ValidRequests.Widevine(customer), "b"));
        var unkeyed = gateway.OpenToken(await Expect.TokenAsync(Drm.Widevine, await gateway.MintAsync(Drm.Widevine, ValidRequests.Widevine(customer))))!;

        Assert.Equal(3, new[] { first.TokenId, second.TokenId, unkeyed.TokenId }.Distinct().Count());
        Assert.Equal(7, await customer.ProductionBalanceAsync());
    }

    [Fact]
    public async Task A_new_key_costs_no_read_of_its_row_and_a_retry_one()
    {
        var customer = await gateway.CreateCustomerAsync(productionBalance: 10);
        var keys = Enumerable.Range(0, 3).Select(i => $"new-{customer.Id}-{i}").ToList();
        var tokens = new List<TokenPayload>();
        foreach (var key in keys) tokens.Add(await TokenAsync(Drm.Widevine, await MintWithHeaderAsync(Drm.Widevine, ValidRequests.Widevine(customer), key)));
        Assert.All(keys, key => Assert.Equal(0, gateway.Storage.RowReads(key)));

        var retry = await TokenAsync(Drm.Widevine, await MintWithHeaderAsync(Drm.Widevine, ValidRequests.Widevine(customer), keys[0]));

        Assert.Equal(tokens[0].TokenId, retry.TokenId);
        Assert.Equal([1, 0, 0], keys.Select(gateway.Storage.RowReads));
        Assert.Equal(7, await customer.ProductionBalanceAsync());
    }

    [Fact]
    public async Task A_key_is_looked_up_only_for_a_caller_that_authenticates()
    {
        var customer = await gateway.CreateCustomerAsync(productionBalance: 10);
        await TokenAsync(Drm.Widevine, await MintWithHeaderAsync(Drm.Widevine, ValidRequests.Widevine(customer), "k"));

        // Another secret for the same customer id: -2018 (section 3, step 4 first), not -9002, which would tell
        // the caller that the customer used this key.
        var stranger = ValidRequests.Widevine(customer).Set("customerAuthenticator", $"{customer.Id},{new string('0', 32)}");
        await Expect.ErrorAsync(await MintWithHeaderAsync(Drm.Widevine, stranger, "k"), -2018);
        Assert.Equal(9, await customer.ProductionBalanceAsync());
    }

    [Fact]
    public async Task The_same_key_with_other_parameters_is_9002_and_debits_nothing()
    {
        var customer = await gateway.CreateCustomerAsync(productionBalance: 10);
        await TokenAsync(Drm.Widevine, await MintWithHeaderAsync(Drm.Widevine, ValidRequests.Widevine(customer), "k"));

        await Expect.ErrorAsync(await MintWithHeaderAsync(Drm.Widevine, ValidRequests.Widevine(customer).Set("securityLevel", "3"), "k"), -9002);
        await Expect.ErrorAsync(await MintWithHeaderAsync(Drm.Widevine, ValidRequests.Widevine(customer).Append("cookie", "x"), "k"), -9002);
        await Expect.ErrorAsync(await MintWithHeaderAsync(Drm.PlayReady, ValidRequests.PlayReady(customer), "k"), -9002);
        Assert.Equal(9, await customer.ProductionBalanceAsync());
    }

    [Fact]
    public async Task The_same_key_while_the_first_is_undecided_is_9003()
    {
        var customer = await gateway.CreateCustomerAsync(productionBalance: 10);
        var request = ValidRequests.Widevine(customer);
        var first = MintWithHeaderAsync(Drm.Widevine, request, StallingDatabase.StalledKey);
        await gateway.Storage.Stalled.WaitAsync(TimeSpan.FromSeconds(10));
        try
        {
            await Expect.ErrorAsync(await MintWithHeaderAsync(Drm.Widevine, request, StallingDatabase.StalledKey), -9003);
        }
        finally
        {
            gateway.Storage.Release();
        }
        var token = await TokenAsync(Drm.Widevine, await first);

        var replay = await TokenAsync(Drm.Widevine, await MintWithHeaderAsync(Drm.Widevine, request, StallingDatabase.StalledKey));
        Assert.Equal(token.TokenId, replay.TokenId);
        Assert.Equal(9, await customer.ProductionBalanceAsync());
    }

    public static TheoryData<string> MalformedKeys => new()
    {
        "",
        new string('k', 256),
        "\"" + new string('k', 256) + "\"",
        "\"unterminated",
        "bare\"quote",
        "\"bad\\escape\"",
        "\"inner\"quote\"",
        "\"\"",
    };

    [Theory]
    [MemberData(nameof(MalformedKeys))]
    public async Task A_malformed_header_key_is_9004(string key)
    {
        var customer = await gateway.CreateCustomerAsync(productionBalance: 10);
        await Expect.ErrorAsync(await MintWithHeaderAsync(Drm.Widevine, ValidRequests.Widevine(customer), key), -9004);
        Assert.Equal(10, await customer.ProductionBalanceAsync());
    }

    [Theory]
    [MemberData(nameof(MalformedKeys))]
    [InlineData("tab\tin")]
    [InlineData("del\u007f")]
    [InlineData("caf\u00e9")]
    public async Task A_malformed_requestId_is_9004(string key)
    {
        var customer = await gateway.CreateCustomerAsync(productionBalance: 10);
        // An empty parameter is an absent one (section 1): that request mints.
        var response = await gateway.MintAsync(Drm.Widevine, ValidRequests.Widevine(customer).Append("requestId", key));
        if (key.Length == 0) await Expect.TokenAsync(Drm.Widevine, response);
        else await Expect.ErrorAsync(response, -9004);
    }

    [Theory]
    [InlineData("x")]
    [InlineData("a key with spaces ~!@#$%^&*()")]
    [InlineData("\"quoted \\\" and \\\\\"")]
    public async Task Every_well_formed_key_mints(string key)
    {
        var customer = await gateway.CreateCustomerAsync(productionBalance: 10);
        await TokenAsync(Drm.Widevine, await MintWithHeaderAsync(Drm.Widevine, ValidRequests.Widevine(customer), key));
        await TokenAsync(Drm.Widevine, await MintWithHeaderAsync(Drm.Widevine, ValidRequests.Widevine(customer), new string('k', 255)));
        Assert.Equal(8, await customer.ProductionBalanceAsync());
    }

    [Fact]
    public async Task Header_and_requestId_must_agree_and_appear_once()
    {
        var customer = await gateway.CreateCustomerAsync(productionBalance: 10);
        var request = ValidRequests.Widevine(customer);
        await Expect.ErrorAsync(await MintWithHeaderAsync(Drm.Widevine, request.Clone().Append("requestId", "b"), "a"), -9004);
        await Expect.ErrorAsync(await gateway.MintAsync(Drm.Widevine, request.Clone().Append("requestId", "a").Append("requestId", "a")), -9004);
        var both = await TokenAsync(Drm.Widevine, await MintWithHeaderAsync(Drm.Widevine, request.Clone().Append("requestId", "a"), "a"));
        var header = await TokenAsync(Drm.Widevine, await MintWithHeaderAsync(Drm.Widevine, request, "a"));
        Assert.Equal(both.TokenId, header.TokenId);
        Assert.Equal(9, await customer.ProductionBalanceAsync());
    }

    [Fact]
    public async Task The_key_is_checked_after_every_other_parameter()
    {
        var customer = await gateway.CreateCustomerAsync(productionBalance: 10);
        await Expect.ErrorAsync(await MintWithHeaderAsync(Drm.Widevine, ValidRequests.Widevine(customer).Set("kid", "zz"), ""), -4022);
        await Expect.ErrorAsync(await MintWithHeaderAsync(Drm.Widevine, ValidRequests.Widevine(customer).Without("hdcpOutputControl"), "\"bad"), -7006);
        await Expect.ErrorAsync(await MintWithHeaderAsync(Drm.PlayReady, ValidRequests.PlayReady(customer).Without("rightsType"), ""), -2020);
        // A malformed key is found before any grain call: even an unknown customer gets -9004, not -2018.
        var stranger = ValidRequests.Widevine(customer).Set("customerAuthenticator", "999999999,00000000000000000000000000000000");
        await Expect.ErrorAsync(await MintWithHeaderAsync(Drm.Widevine, stranger, ""), -9004);
    }

    [Fact]
    public async Task A_refused_keyed_mint_records_nothing()
    {
        var customer = await gateway.CreateCustomerAsync(productionBalance: 0);
        await Expect.ErrorAsync(await MintWithHeaderAsync(Drm.Widevine, ValidRequests.Widevine(customer), "r"), -2019);
        await customer.Grain.Credit(TokenEnvironment.Production, 1);
        await TokenAsync(Drm.Widevine, await MintWithHeaderAsync(Drm.Widevine, ValidRequests.Widevine(customer), "r"));
        Assert.Equal(0, await customer.ProductionBalanceAsync());
    }

    private async Task<HttpResponseMessage> MintWithHeaderAsync(Drm drm, Params request, string key)
    {
        using var message = new HttpRequestMessage(HttpMethod.Get, GatewayFixture.MintPath(drm) + "?" + request.ToQueryString());
        Assert.True(message.Headers.TryAddWithoutValidation("Idempotency-Key", key));
        return await gateway.Client.SendAsync(message);
    }

    private async Task<TokenPayload> TokenAsync(Drm drm, HttpResponseMessage response) =>
        gateway.OpenToken(await Expect.TokenAsync(drm, response)) ?? throw new InvalidOperationException("the token does not open");
}
