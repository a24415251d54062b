using System.Net;
using Xunit;
using Xunit.Abstractions;

namespace Orleans.Tokens.Tests.ProcessLevel;

/// <summary>
/// Contract section 7 (token keys of the embedded default are kept with its data, so tokens outlive a restart) and
/// 9a (the embedded default keeps its SQLite file and token key under Tokens:DataDirectory): balances and tokens
/// survive a stop and start of the gateway process on the same data directory.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class RestartTests(ITestOutputHelper log)
{
    [Fact]
    public async Task Balance_and_tokens_survive_a_restart_and_minting_continues()
    {
        await using var gateway = await GatewayProcess.StartAsync(log);
        var admin = gateway.Admin;
        var customer = await admin.CreateCustomerAsync(4100001, balance: 5);
        var kid = TokenRequests.RandomHex(16);
        var contentKey = TokenRequests.RandomHex(16);

        var tokens = new List<string>();
        for (var i = 0; i < 2; i++)
        {
            var answer = await TokenRequests.GetAsync(gateway.Http, TokenRequests.WidevinePath, TokenRequests.Widevine(customer.Production, kid, contentKey));
            tokens.Add(answer.WidevineToken(gateway.BaseUrl));
        }
        Assert.Equal(3, await admin.ProductionBalanceAsync(customer.Id));

        // Graceful stop first (SIGTERM, as systemd or `docker stop` send): the host shuts the silo down in order.
        // A kill is only the fallback after 30 s; the crash case is the next test.
        await gateway.StopAsync();
        await gateway.RestartAsync();

        Assert.Equal(3, await admin.ProductionBalanceAsync(customer.Id));
        foreach (var token in tokens)
        {
            var inspected = await admin.InspectAsync(token);
            Assert.True(inspected.ExitCode == 0, inspected.ToString());
            var payload = inspected.Json;
            Assert.Equal(kid, payload.GetProperty("kid").GetString());
            Assert.Equal(customer.Id, payload.GetProperty("customerId").GetInt64());
        }

        var after = await TokenRequests.GetAsync(gateway.Http, TokenRequests.WidevinePath, TokenRequests.Widevine(customer.Production, kid, contentKey));
        var newToken = after.WidevineToken(gateway.BaseUrl);
        Assert.DoesNotContain(newToken, tokens);
        Assert.Equal(2, await admin.ProductionBalanceAsync(customer.Id));
        var opened = gateway.LoadKeyRing().Open(newToken, DateTimeOffset.UtcNow, out var reason);
        Assert.True(opened is not null, reason);
        Assert.Equal(customer.Id, opened.CustomerId);
    }

    /// <summary>
    /// A mint answered 200 has debited exactly one token (section 9); that debit must not be lost when the
    /// process dies right after answering (SIGKILL, no shutdown at all), and neither may the token key.
    /// </summary>
    [Fact]
    public async Task Debits_answered_before_a_crash_are_kept()
    {
        await using var gateway = await GatewayProcess.StartAsync(log);
        var admin = gateway.Admin;
        var customer = await admin.CreateCustomerAsync(4100002, balance: 4);
        var kid = TokenRequests.RandomHex(16);

        var first = await TokenRequests.PostAsync(gateway.Http, TokenRequests.PlayReadyPath, TokenRequests.PlayReady(customer.Production, kid, TokenRequests.RandomHex(16)));
        var token = first.PlayReadyToken(gateway.BaseUrl);
        var second = await TokenRequests.GetAsync(gateway.Http, TokenRequests.WidevinePath, TokenRequests.Widevine(customer.Production, kid, TokenRequests.RandomHex(16)));
        second.WidevineToken(gateway.BaseUrl);

        await gateway.KillAsync();
        await gateway.RestartAsync();

        Assert.Equal(2, await admin.ProductionBalanceAsync(customer.Id));
        var inspected = await admin.InspectAsync(token);
        Assert.True(inspected.ExitCode == 0, inspected.ToString());
        Assert.Equal(kid, inspected.Json.GetProperty("kid").GetString());

        for (var i = 0; i < 2; i++)
        {
            var answer = await TokenRequests.GetAsync(gateway.Http, TokenRequests.WidevinePath, TokenRequests.Widevine(customer.Production, kid, TokenRequests.RandomHex(16)));
            answer.WidevineToken(gateway.BaseUrl);
        }
        var refused = await TokenRequests.GetAsync(gateway.Http, TokenRequests.WidevinePath,
            [.. TokenRequests.Widevine(customer.Production, kid, TokenRequests.RandomHex(16)), new("errorFormat", "json")]);
        Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
        Assert.Equal(-2019, refused.ErrorCode);
        Assert.Equal(0, await admin.ProductionBalanceAsync(customer.Id));
    }
}
