using System.Diagnostics;
using System.Net;
using Orleans.Tokens.Tests.ProcessLevel;
using Xunit.Abstractions;

namespace Orleans.Tokens.Tests.ClusterLevel;

/// <summary>
/// Contract sections 3 and 9 on a real cluster: one customer's balance is one grain however many gateways serve it,
/// so parallel mints through two client-mode gateways spend it exactly, never twice and never beyond it.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ClusterMintTests(ITestOutputHelper log)
{
    [PostgresFact]
    public async Task Four_hundred_parallel_mints_over_two_gateways_on_a_balance_of_300_mint_300_and_refuse_100()
    {
        await using var postgres = await PostgresServer.StartAsync(log);
        await using var cluster = await ClusterProcesses.StartAsync(postgres, log, silos: 2, gateways: 2);
        var customer = (await cluster.Admin.CreateCustomersAsync(5100001, 1, balance: 300, testBalance: 7))[0];
        var kid = TokenRequests.RandomHex(16);

        // 400 requests released at once, alternating between the gateways; on each, half Widevine GETs and half
        // PlayReady POSTs, all with JSON errors.
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var watch = new Stopwatch();
        var requests = Enumerable.Range(0, 400).Select(async i =>
        {
            var gateway = cluster.Gateways[i % 2];
            var widevine = i / 2 % 2 == 0;
            await release.Task;
            var answer = widevine
                ? await TokenRequests.GetAsync(gateway.Http, TokenRequests.WidevinePath,
                    [.. TokenRequests.Widevine(customer.Production, kid, TokenRequests.RandomHex(16)), new("errorFormat", "json")])
                : await TokenRequests.PostAsync(gateway.Http, TokenRequests.PlayReadyPath,
                    [.. TokenRequests.PlayReady(customer.Production, kid, TokenRequests.RandomHex(16)), new("errorFormat", "json")]);
            return (Gateway: gateway, Widevine: widevine, Answer: answer);
        }).ToArray();
        watch.Start();
        release.SetResult();
        var answers = await Task.WhenAll(requests);
        watch.Stop();

        var tokens = new List<(ClusterGateway Gateway, string Token)>();
        foreach (var (gateway, widevine, answer) in answers.Where(a => a.Answer.Status == HttpStatusCode.OK))
            tokens.Add((gateway, widevine ? answer.WidevineToken(gateway.BaseUrl) : answer.PlayReadyToken(gateway.BaseUrl)));
        var refused = answers.Where(a => a.Answer.Status != HttpStatusCode.OK).ToList();
        foreach (var gateway in cluster.Gateways)
        {
            log.WriteLine($"{gateway.Name}: {answers.Count(a => a.Gateway == gateway && a.Answer.Status == HttpStatusCode.OK)} × 200, " +
                          $"{answers.Count(a => a.Gateway == gateway && a.Answer.Status != HttpStatusCode.OK)} refused");
        }
        log.WriteLine($"400 parallel mints answered in {watch.ElapsedMilliseconds} ms: {tokens.Count} × 200, " +
                      string.Join(", ", refused.GroupBy(a => $"{(int)a.Answer.Status} {a.Answer.ErrorCode}").Select(g => $"{g.Count()} × {g.Key}")));

        Assert.Equal(300, tokens.Count);
        Assert.Equal(100, refused.Count);
        Assert.All(refused, a =>
        {
            Assert.True(a.Answer.Status == HttpStatusCode.BadRequest && a.Answer.ErrorCode == -2019, a.Answer.ToString());
            Assert.StartsWith("application/json", a.Answer.ContentType);
        });
        Assert.Equal(300, tokens.Select(t => t.Token).Distinct().Count());
        // Both gateways minted, and their tokens open with the cluster's one shared key.
        foreach (var gateway in cluster.Gateways)
        {
            var (_, token) = tokens.First(t => t.Gateway == gateway);
            var inspected = await cluster.Admin.InspectAsync(token);
            Assert.True(inspected.ExitCode == 0, inspected.ToString());
            Assert.Equal(customer.Id, inspected.Json.GetProperty("customerId").GetInt64());
            Assert.Equal(kid, inspected.Json.GetProperty("kid").GetString());
        }

        // The balance as each gateway's side sees it. The admin tool is itself an Orleans client: run with a
        // gateway's settings (and the admin certificate: a gateway's may not read accounts) it joins the same cluster
        // through the membership table, as that gateway does, but it cannot be made to go through that gateway
        // process, and the settings of the two gateways differ in nothing but their HTTP port. So "customer show"
        // with each gateway's settings shows what the cluster stores, and
        // the view through each gateway itself is a further mint there: 400 -2019 (section 3: nothing is debited).
        foreach (var gateway in cluster.Gateways)
        {
            var balances = await new AdminProcess(ClusterProcesses.Merged(gateway.Environment, ClusterProcesses.Tls(cluster.AdminTls)), log)
                .BalancesAsync([customer.Id]);
            log.WriteLine($"customer show with {gateway.Name}'s settings: production {balances[customer.Id].Production}, test {balances[customer.Id].Test}");
            Assert.Equal((0L, 7L), balances[customer.Id]);
            var more = await TokenRequests.GetAsync(gateway.Http, TokenRequests.WidevinePath,
                [.. TokenRequests.Widevine(customer.Production, kid, TokenRequests.RandomHex(16)), new("errorFormat", "json")]);
            log.WriteLine($"one more mint through {gateway.Name}: {more}");
            Assert.Equal(HttpStatusCode.BadRequest, more.Status);
            Assert.Equal(-2019, more.ErrorCode);
        }
        Assert.Equal((0L, 7L), (await cluster.Admin.BalancesAsync([customer.Id]))[customer.Id]);
    }
}
