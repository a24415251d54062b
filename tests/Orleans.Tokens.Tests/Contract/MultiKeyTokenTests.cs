using System.Net;
using Orleans.Tokens.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Orleans.Tokens.Tests.Contract;

/// <summary>
/// Issue 10's must-shows for tokens of several keys (contract sections 7 and 14): the longest request the contract
/// allows gives a token within 2,048 characters, and N parallel multi-key mints against balance B mint exactly
/// min(N, B) tokens, each carrying every key.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class MultiKeyTokenTests(GatewayFixture gateway, ITestOutputHelper log)
{
    private const string Base64Of96Bytes = "oKGio6SlpqeoqaqrrK2ur7CxsrO0tba3uLm6u7y9vr/AwcLDxMXGx8jJysvMzc7P0NHS09TV1tfY2drb3N3e3+Dh4uPk5ebn6Onq6+zt7u/w8fLz9PX29/j5+vv8/f7/";

    [Theory]
    [InlineData(Drm.Widevine)]
    [InlineData(Drm.PlayReady)]
    public async Task The_longest_request_the_contract_allows_gives_a_token_of_at_most_2048_characters(Drm drm)
    {
        Assert.Equal(128, Base64Of96Bytes.Length);
        var customer = await gateway.CreateCustomerAsync();
        var request = Longest(drm, customer);

        var response = await gateway.MintAsync(drm, request);
        var token = await Expect.TokenAsync(drm, response);

        log.WriteLine($"{drm}: a request of {request.ToQueryString().Length} characters (16 keys, every optional field at its maximum) gave a token of {token.Length} characters");
        Assert.InRange(token.Length, 1, 2048);
        var payload = gateway.OpenToken(token)!;
        Assert.Equal(16, payload.Keys.Length);
        Assert.Equal(256, payload.ContentId!.Length);
    }

    [Fact]
    public async Task Four_hundred_parallel_multi_key_mints_on_a_balance_of_300_mint_exactly_300()
    {
        var customer = await gateway.CreateCustomerAsync(productionBalance: 300);
        var request = ValidRequests.Widevine(customer).Without("kid").Without("contentKey");
        for (var index = 0; index < 4; index++)
            request.Set($"kid.{index}", $"{index:x2}" + new string('7', 30)).Set($"contentKey.{index}", $"{index:x2}" + new string('e', 30));
        var target = GatewayFixture.WidevinePath + "?" + request.ToQueryString();
        var responses = await gateway.GetAllAtOnceAsync(target, 400);

        var tokenIds = new HashSet<string>();
        var refused = 0;
        foreach (var response in responses)
        {
            if (response.StatusCode != HttpStatusCode.OK)
            {
                await Expect.ErrorAsync(response, -2019);
                refused++;
                continue;
            }
            var payload = gateway.OpenToken(await Expect.WidevineTokenAsync(response))!;
            Assert.Equal(4, payload.Keys.Length);
            tokenIds.Add(payload.TokenId);
        }
        log.WriteLine($"400 parallel mints of 4 keys each on a balance of 300: {tokenIds.Count} tokens, {refused} refused -2019");
        Assert.Equal(300, tokenIds.Count);
        Assert.Equal(100, refused);
        Assert.Equal(0, await customer.ProductionBalanceAsync());
    }

    /// <summary>
    /// 16 keys, each with its own content key and every per-key field; every optional parameter of sections 4, 5
    /// and 14 at its longest valid value.
    /// </summary>
    private static Params Longest(Drm drm, TestCustomer customer)
    {
        var request = (drm == Drm.Widevine ? ValidRequests.Widevine(customer) : ValidRequests.PlayReadyRental(customer))
            .Without("kid").Without("contentKey")
            .Set("contentId", new string('~', 256)).Set("cookie", new string('~', 32))
            .Set("expirationTime", DateTimeOffset.UtcNow.AddDays(29).ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'"));
        for (var index = 0; index < 16; index++)
        {
            request.Set($"kid.{index}", $"{index:x2}" + new string('f', 30)).Set($"contentKey.{index}", $"{index:x2}" + new string('d', 30));
            if (drm == Drm.Widevine)
                request.Set($"securityLevel.{index}", "5").Set($"hdcpOutputControl.{index}", "5").Set($"trackType.{index}", "4");
            else
                request.Set($"minCertSecurityLevel.{index}", "3000");
        }
        if (drm == Drm.Widevine)
        {
            request.Set("securityLevel", "5").Set("hdcpOutputControl", "5").Set("generalFlags", "00000001")
                .Set("licenseDuration", int.MaxValue.ToString());
            for (var extension = 0; extension < 4; extension++) request.Append("wvExtension", $"ab{extension:d2}," + Base64Of96Bytes);
        }
        else
        {
            request.Set("rental.playDuration", int.MaxValue.ToString()).Set("unknownOutputBehavior", "Disallow")
                .Set("outputControlFlags", "ffffffff").Set("extensionType", "abcd").Set("extensionPayload", Base64Of96Bytes)
                .Set("deviceId", "ffeeddccbbaa99887766554433221100").Set("algId", "aescbc").Set("minCertSecurityLevel", "3000");
            foreach (var opl in ValidRequests.Opls) request.Set(opl, "999");
        }
        return request;
    }
}
