using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Orleans.Tokens.Tests.Contract;
using Orleans.Tokens.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace Orleans.Tokens.Tests.Limits;

/// <summary>
/// Contract section 11's limits (issue 9, must-show 3): a customer limited to N mints a second, asked for 8N a second,
/// gets N a second over 10 s (within 10%), every other mint 429 -9010 with Retry-After and nothing debited; a flood of failed
/// authentications from one address is refused 429 -9010 once past its allowance, while another address (a client
/// bound to 127.0.0.2) mints normally.
/// </summary>
[Collection(LimitsCollection.Name)]
public sealed class RateLimitTests(LimitsGateway gateway, ITestOutputHelper log) : IClassFixture<LimitsGateway>
{
    [Fact]
    public async Task A_customer_limited_to_50_mints_a_second_gets_50_a_second_and_429_for_the_rest()
    {
        const int limit = 50, opening = 100_000;
        var customer = await gateway.CreateCustomerAsync(productionBalance: opening);
        var view = await customer.Grain.SetMintRateLimit(limit);
        Assert.Equal(limit, view.MaxMintsPerSecond);

        var counts = new Dictionary<string, int>();
        var retryAfter = new HashSet<string>();
        var watch = Stopwatch.StartNew();
        // Demand at eight times the limit, paced: 8 clients, each sending one mint every 20 ms, the clients 2.5 ms
        // apart. An unpaced flood of 20,000 refusals a second took the very CPU the allowed mints needed, and measured
        // the machine, not the limit. A client does not wait for one answer before its next mint (up to 8 of its own
        // in flight): when each waited, slow answers on a loaded machine left the limiter idle (38.6 a second in a CI
        // run), and the test measured answer latency, not the limit.
        async Task Mint()
        {
            using var answer = await gateway.MintAsync(Drm.Widevine, ValidRequests.Widevine(customer).Set("errorFormat", "json"));
            var body = await answer.Content.ReadAsStringAsync();
            var key = answer.StatusCode == HttpStatusCode.OK ? "200" : $"{(int)answer.StatusCode} {ErrorCodeOf(body)}";
            lock (counts)
            {
                counts[key] = counts.GetValueOrDefault(key) + 1;
                if (answer.StatusCode == HttpStatusCode.TooManyRequests) retryAfter.Add(answer.Headers.RetryAfter?.Delta?.ToString() ?? "none");
            }
        }
        // Each client's last send; the rate is over the time the demand lasted, not the wait for the last answers
        // (up to 8 per client in flight: on a loaded machine that wait was seconds, and would count as idle time).
        var flood = Enumerable.Range(0, 8).Select(async client =>
        {
            await Task.Delay(TimeSpan.FromMilliseconds(2.5 * client));
            using var pace = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
            var inFlight = new List<Task>();
            var lastSent = TimeSpan.Zero;
            while (watch.Elapsed < TimeSpan.FromSeconds(10) && await pace.WaitForNextTickAsync())
            {
                inFlight.RemoveAll(mint => mint.IsCompleted);
                if (inFlight.Count >= 8) continue;
                lastSent = watch.Elapsed;
                inFlight.Add(Mint());
            }
            await Task.WhenAll(inFlight);
            return lastSent;
        }).ToArray();
        var seconds = (await Task.WhenAll(flood)).Max().TotalSeconds;
        log.WriteLine($"demand for {seconds:0.00} s, answered by {watch.Elapsed.TotalSeconds:0.00} s: " +
            $"{string.Join(", ", counts.Select(c => $"{c.Value} × {c.Key}"))}; Retry-After {string.Join(", ", retryAfter)}");

        var minted = counts.GetValueOrDefault("200");
        var rate = minted / seconds;
        log.WriteLine($"{minted} minted: {rate:0.0} a second against a limit of {limit}");
        Assert.InRange(rate, limit * 0.9, limit * 1.1);
        Assert.Equal(["200", "429 -9010"], counts.Keys.Order());
        Assert.True(counts["429 -9010"] > minted, "the flood asked for more than the limit");
        Assert.Equal(["00:00:01"], retryAfter);
        Assert.Equal(opening - minted, await customer.ProductionBalanceAsync());

        // The limit lifted, mints are not refused for rate.
        await customer.Grain.SetMintRateLimit(null);
        for (var i = 0; i < limit * 2; i++)
            await Expect.WidevineTokenAsync(await gateway.MintAsync(Drm.Widevine, ValidRequests.Widevine(customer)));
    }

    [Fact]
    public async Task A_failed_authentication_flood_from_one_address_is_limited_while_another_address_mints()
    {
        var customer = await gateway.CreateCustomerAsync(productionBalance: 1_000);
        var wrong = ValidRequests.Widevine(customer).Set("customerAuthenticator", $"{customer.Id},{new string('a', 32)}").Set("errorFormat", "json");
        using var other = ClientFrom(IPAddress.Parse("127.0.0.2"));

        var flood = new Dictionary<string, int>();
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < 60; i++)
        {
            using var answer = await gateway.MintAsync(Drm.Widevine, wrong);
            var key = $"{(int)answer.StatusCode} {ErrorCodeOf(await answer.Content.ReadAsStringAsync())}";
            flood[key] = flood.GetValueOrDefault(key) + 1;
        }
        var elapsed = watch.Elapsed.TotalSeconds;
        log.WriteLine($"127.0.0.1, wrong secret, {elapsed:0.00} s: {string.Join(", ", flood.Select(c => $"{c.Value} × {c.Key}"))}");
        Assert.InRange(flood["401 -2018"], LimitsGateway.Burst, LimitsGateway.Burst + (int)Math.Ceiling(elapsed) + 1);
        Assert.Equal(60 - flood["401 -2018"], flood["429 -9010"]);

        // The blocked address is refused even with the right secret, and nothing is debited.
        using (var blocked = await gateway.MintAsync(Drm.Widevine, ValidRequests.Widevine(customer).Set("errorFormat", "json")))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, blocked.StatusCode);
            Assert.NotNull(blocked.Headers.RetryAfter);
        }

        // Another address mints normally meanwhile.
        for (var i = 0; i < 20; i++)
        {
            using var answer = await other.GetAsync(GatewayFixture.WidevinePath + "?" + ValidRequests.Widevine(customer).ToQueryString());
            await Expect.WidevineTokenAsync(answer);
        }
        Assert.Equal(1_000 - 20, await customer.ProductionBalanceAsync());
    }

    /// <summary>An HTTP client to the gateway whose connections come from <paramref name="local"/> (any 127/8 address reaches loopback).</summary>
    private HttpClient ClientFrom(IPAddress local)
    {
        var port = gateway.Client.BaseAddress!.Port;
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, cancellation) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                try
                {
                    socket.Bind(new IPEndPoint(local, 0));
                    await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cancellation);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        return new HttpClient(handler) { BaseAddress = gateway.Client.BaseAddress };
    }

    private static string ErrorCodeOf(string body) =>
        System.Text.Json.JsonDocument.Parse(body).RootElement.GetProperty("errorCode").GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture);
}
