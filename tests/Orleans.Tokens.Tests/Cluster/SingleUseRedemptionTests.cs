using System.Net;
using Orleans.Tokens.Tests.ProcessLevel;
using Xunit.Abstractions;

namespace Orleans.Tokens.Tests.ClusterLevel;

/// <summary>
/// Contract section 8's single-use tokens across the cluster: two gateways (client mode) in front of two silos on
/// PostgreSQL, Clear Key enabled on both. A single-use token yields exactly one license however many redemptions race
/// for it over both gateways; and while a silo dies under redemptions, never two.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class SingleUseRedemptionTests(ITestOutputHelper log)
{
    private const string ClearKey = "--Issuers:ClearKey:Enabled=true";
    private const string MintPath = "/hms/ck/token";
    private const string RightsPath = "/hms/ck/rights";
    private const string AlreadyUsed = "400 -4010 already used";

    [PostgresFact]
    public async Task One_hundred_parallel_redemptions_over_two_gateways_give_exactly_one_license()
    {
        await using var postgres = await PostgresServer.StartAsync(log);
        await using var cluster = await ClusterProcesses.StartAsync(postgres, log, silos: 2, gateways: 0);
        await cluster.StartGatewaysAsync(2, ClearKey);
        var customer = (await cluster.Admin.CreateCustomersAsync(5300001, 1, balance: 10))[0];
        var token = await MintSingleUseAsync(cluster.Gateways[0], customer);

        var answers = await Task.WhenAll(Enumerable.Range(0, 100).Select(i => RedeemAsync(cluster.Gateways[i % 2], token)));

        log.WriteLine(string.Join(", ", answers.GroupBy(a => a.Kind).Select(g => $"{g.Key}: {g.Count()}")));
        Assert.Equal(1, answers.Count(a => a.Licensed));
        Assert.All(answers.Where(a => !a.Licensed), a => Assert.Equal(AlreadyUsed, a.Kind));
        var again = await RedeemAsync(cluster.Gateways[1], token);
        Assert.Equal(AlreadyUsed, again.Kind);
    }

    [PostgresFact]
    public async Task Killing_the_silo_of_the_customer_during_redemptions_never_gives_a_token_two_licenses()
    {
        const int Tokens = 40, PerToken = 8;
        await using var postgres = await PostgresServer.StartAsync(log);
        // The customer's grain is activated while silo1 is alone, so it lives there when silo1 is killed (as in
        // SiloKillTests); silo2 and the gateways start after.
        await using var cluster = await ClusterProcesses.StartAsync(postgres, log, silos: 1, gateways: 0);
        var customer = (await cluster.Admin.CreateCustomersAsync(5300101, 1, balance: Tokens))[0];
        await cluster.StartSilosAsync(1);
        await cluster.StartGatewaysAsync(2, ClearKey);
        var tokens = new List<string>();
        for (var i = 0; i < Tokens; i++) tokens.Add(await MintSingleUseAsync(cluster.Gateways[i % 2], customer));

        // Token by token, PerToken racing redemptions over both gateways; the silo dies while a quarter of the way
        // in a round is in flight. A round that the outage answers with 503s only is run again, until the surviving
        // silo answers (within a deadline): so tokens are raced for on both sides of the kill.
        var answers = tokens.ToDictionary(token => token, _ => new List<Redeemed>());
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        for (var i = 0; i < Tokens; i++)
        {
            var token = tokens[i];
            while (true)
            {
                var round = Task.WhenAll(Enumerable.Range(0, PerToken).Select(j => RedeemAsync(cluster.Gateways[j % 2], token)));
                if (i == Tokens / 4 && !cluster.Silos[0].Process.HasExited)
                {
                    cluster.Silos[0].Kill();
                    log.WriteLine($"killed {cluster.Silos[0].Name} while the redemptions of token {i} were in flight");
                }
                var done = await round;
                answers[token].AddRange(done);
                if (!done.All(a => a.Unavailable)) break;
                Assert.True(DateTime.UtcNow < deadline, "the redemptions still answer 503 only, long after the kill");
                await Task.Delay(200);
            }
        }

        // A token whose round ended with no license and no "already used" was not used up: once more, alone.
        foreach (var token in tokens.Where(t => !answers[t].Any(a => a.Licensed || a.Kind == AlreadyUsed)))
            answers[token].Add(await RedeemAsync(cluster.Gateways[1], token));

        var licensed = tokens.Count(t => answers[t].Count(a => a.Licensed) == 1);
        var usedWithoutLicense = tokens.Count(t => !answers[t].Any(a => a.Licensed));
        log.WriteLine($"{Tokens} single-use tokens, {PerToken} racing redemptions each, a silo killed: " +
                      $"{licensed} gave one license, {usedWithoutLicense} none (used by a redemption whose answer the kill lost); " +
                      $"answers: {string.Join(", ", answers.Values.SelectMany(a => a).GroupBy(a => a.Kind).Select(g => $"{g.Key}: {g.Count()}"))}");
        Assert.All(tokens, token => Assert.True(answers[token].Count(a => a.Licensed) <= 1, $"a token gave {answers[token].Count(a => a.Licensed)} licenses"));
        Assert.All(answers.Values.SelectMany(a => a), a => Assert.True(a.Licensed || a.Unavailable || a.Kind == AlreadyUsed, a.Kind));
        // Every token raced for wholly after the recovery, on the surviving silo, gave its license.
        Assert.True(licensed >= Tokens / 2, $"only {licensed} of {Tokens} tokens gave a license");
    }

    private static async Task<string> MintSingleUseAsync(ClusterGateway gateway, Customer customer)
    {
        var parameters = TokenRequests.Widevine(customer.Production, TokenRequests.RandomHex(16), TokenRequests.RandomHex(16));
        parameters.Add(new("singleUse", "true"));
        var minted = await TokenRequests.GetAsync(gateway.Http, MintPath, parameters);
        Assert.True(minted.Status == HttpStatusCode.OK, minted.ToString());
        return minted.Body[(minted.Body.IndexOf("ExpressPlayToken=", StringComparison.Ordinal) + "ExpressPlayToken=".Length)..];
    }

    /// <summary>One Clear Key redemption (a GET: every key of the token) with its answer summed up.</summary>
    private static async Task<Redeemed> RedeemAsync(ClusterGateway gateway, string token)
    {
        try
        {
            using var response = await gateway.Http.GetAsync($"{RightsPath}?ExpressPlayToken={token}&errorFormat=json");
            var answer = await MintAnswer.ReadAsync(response);
            if (answer.Status == HttpStatusCode.OK) return new("200", answer.Body.Contains("\"keys\":[{", StringComparison.Ordinal));
            var details = answer.Body.Contains("already used", StringComparison.Ordinal) ? " already used" : "";
            return new($"{(int)answer.Status} {answer.ErrorCode}{details}", false);
        }
        catch (HttpRequestException failure)
        {
            return new($"no answer ({failure.HttpRequestError})", false);
        }
    }

    private sealed record Redeemed(string Kind, bool Licensed)
    {
        /// <summary>What a dying silo may answer: 503 -2030, nothing learned, no license.</summary>
        public bool Unavailable => Kind.StartsWith("503", StringComparison.Ordinal) || Kind.StartsWith("no answer", StringComparison.Ordinal);
    }
}
