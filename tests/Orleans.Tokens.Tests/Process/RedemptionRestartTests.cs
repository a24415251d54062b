using System.Net;
using System.Text.Json;
using Xunit.Abstractions;

namespace Orleans.Tokens.Tests.ProcessLevel;

/// <summary>
/// Contract section 8 across a restart of the embedded default: the redemption records and the use of a single-use
/// token are durable, so after the process comes back the records are all there and the token is still used up.
/// </summary>
public sealed class RedemptionRestartTests(ITestOutputHelper log)
{
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
