using System.Net;
using System.Text.Json;
using Xunit.Abstractions;

namespace Orleans.Tokens.Tests.ProcessLevel;

/// <summary>
/// Contract section 8 on the embedded default as a process, with the admin tool: the redemption records and the use
/// of a single-use token are durable, so after the process comes back the records are all there and the token is
/// still used up; <c>admin records</c> prints what <c>GET /hms/records</c> answers, and <c>admin token revoke</c> by
/// token id alone refuses the token.
/// </summary>
public sealed class RedemptionRestartTests(ITestOutputHelper log)
{
    [Fact]
    public async Task Admin_records_and_token_revoke_by_token_id()
    {
        await using var gateway = await GatewayProcess.StartAsync(log, "--Issuers:ClearKey:Enabled=true");
        var customer = await gateway.Admin.CreateCustomerAsync(4300502, balance: 5);
        var rights = await MintAsync(gateway, customer, singleUse: false);
        var tokenId = gateway.LoadKeyRing().Open(rights[(rights.IndexOf('=') + 1)..], DateTimeOffset.UtcNow, out _)!.TokenId;
        Assert.Equal(HttpStatusCode.OK, (await gateway.Http.GetAsync(rights)).StatusCode);

        var printed = await gateway.Admin.RunOkAsync("records", customer.Id.ToString(), "--token", tokenId);
        var revoked = await gateway.Admin.RunOkAsync("token", "revoke", tokenId);
        var refused = await gateway.Http.GetAsync(rights + "&errorFormat=json");

        var record = Assert.Single(printed.GetProperty("records").EnumerateArray());
        Assert.Equal((tokenId, "clearkey", "issued"),
            (record.GetProperty("tokenId").GetString(), record.GetProperty("drm").GetString(), record.GetProperty("outcome").GetString()));
        Assert.Equal((record.GetProperty("time").GetString()!, tokenId, "issued"), Assert.Single(await RecordsAsync(gateway, customer)));
        Assert.Equal((customer.Id, true), (revoked.GetProperty("customerId").GetInt64(), revoked.GetProperty("revoked").GetBoolean()));
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("revoked", await refused.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Records_and_a_used_single_use_token_survive_a_restart()
    {
        await using var gateway = await GatewayProcess.StartAsync(log, "--Issuers:ClearKey:Enabled=true");
        var customer = await gateway.Admin.CreateCustomerAsync(4300501, balance: 5);
        var reusable = await MintAsync(gateway, customer, singleUse: false);
        var once = await MintAsync(gateway, customer, singleUse: true);
        Assert.Equal(HttpStatusCode.OK, (await gateway.Http.GetAsync(reusable)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await gateway.Http.GetAsync(reusable)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await gateway.Http.GetAsync(once)).StatusCode);
        var before = await RecordsAsync(gateway, customer);

        await gateway.RestartAsync();

        Assert.Equal(3, before.Length);
        Assert.Equal(before, await RecordsAsync(gateway, customer));
        var again = await gateway.Http.GetAsync(once + "&errorFormat=json");
        Assert.Equal(HttpStatusCode.BadRequest, again.StatusCode);
        Assert.Contains("already used", await again.Content.ReadAsStringAsync());
    }

    /// <summary>
    /// A Clear Key token's rights path and query (<c>/hms/ck/token</c>, the Widevine parameters): the answer's host
    /// is the listening address, which a restart changes.
    /// </summary>
    private static async Task<string> MintAsync(GatewayProcess gateway, Customer customer, bool singleUse)
    {
        var parameters = TokenRequests.Widevine(customer.Production, TokenRequests.RandomHex(16), TokenRequests.RandomHex(16));
        parameters.Add(new("singleUse", singleUse ? "true" : "false"));
        var minted = await TokenRequests.GetAsync(gateway.Http, "/hms/ck/token", parameters);
        Assert.True(minted.Status == HttpStatusCode.OK, minted.ToString());
        return new Uri(minted.Body).PathAndQuery;
    }

    /// <summary>The customer's records as (time, token id, outcome), newest first.</summary>
    private static async Task<(string Time, string TokenId, string Outcome)[]> RecordsAsync(GatewayProcess gateway, Customer customer)
    {
        var body = await gateway.Http.GetStringAsync($"/hms/records?customerAuthenticator={Uri.EscapeDataString(customer.Production)}");
        using var json = JsonDocument.Parse(body);
        return [.. json.RootElement.GetProperty("records").EnumerateArray().Select(record => (
            record.GetProperty("time").GetString()!, record.GetProperty("tokenId").GetString()!, record.GetProperty("outcome").GetString()!))];
    }
}
