using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using Orleans.Tokens.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace Orleans.Tokens.Tests.ProcessLevel;

/// <summary>
/// A client may half-close its side of the connection once it has sent its request (<c>shutdown(SHUT_WR)</c>,
/// RFC 9112 §9.6), as some HTTP clients and proxies do. Such a mint is answered: never debited without an answer.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class HalfCloseTests(ITestOutputHelper log)
{
    private const int Mints = 1000;

    [Fact]
    public async Task A_thousand_mints_each_followed_by_a_half_close_are_each_answered_and_debited_once()
    {
        await using var gateway = await GatewayProcess.StartAsync(log);
        var customer = await gateway.Admin.CreateCustomerAsync(4400001, balance: 1_000_000);
        var opening = await gateway.Admin.ProductionBalanceAsync(customer.Id);
        var tokenPrefix = new Uri(gateway.BaseUrl, "/hms/wv/rights/") + "?ExpressPlayToken=";

        var answers = new ConcurrentDictionary<string, int>();
        var watch = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, Mints), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, cancel) =>
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancel);
            timeout.CancelAfter(TimeSpan.FromSeconds(30));
            using var connection = await RawConnection.OpenAsync(gateway.HttpPort, timeout.Token);
            await connection.SendAsync(Encoding.ASCII.GetBytes(Mint(customer, i)), timeout.Token);
            connection.HalfClose();
            var answer = await connection.ReadAsync(timeout.Token);
            var kind = answer is null ? "no answer"
                : answer.Status == 200 && answer.Body.StartsWith(tokenPrefix, StringComparison.Ordinal) ? "200 with a token"
                : answer.ToString();
            answers.AddOrUpdate(kind, 1, (_, n) => n + 1);
        });
        var debited = opening - await gateway.Admin.ProductionBalanceAsync(customer.Id);
        var answered = answers.GetValueOrDefault("200 with a token");
        log.WriteLine($"{Mints} mints, each followed by a half-close, in {watch.ElapsedMilliseconds} ms: answered with a token {answered}, " +
            $"debited but unanswered {debited - answered}; answers: {string.Join(", ", answers.Select(a => $"{a.Key} ×{a.Value}"))}");

        Assert.True(debited == answered, $"{debited} debits for {answered} tokens answered");
        Assert.True(answered == Mints, $"only {answered} of {Mints} complete mints were answered with a token");
    }

    /// <summary>A complete Widevine mint as a GET, a POST with Content-Length or a chunked POST, by turns.</summary>
    private static string Mint(Customer customer, int turn)
    {
        var form = TokenRequests.Query(TokenRequests.Widevine(customer.Production, TokenRequests.RandomHex(16), TokenRequests.RandomHex(16)));
        const string post = $"POST {TokenRequests.WidevinePath} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n";
        return (turn % 3) switch
        {
            0 => $"GET {TokenRequests.WidevinePath}?{form} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
            1 => $"{post}Content-Length: {form.Length}\r\n\r\n{form}",
            _ => $"{post}Transfer-Encoding: chunked\r\n\r\n{form.Length:x}\r\n{form}\r\n0\r\n\r\n",
        };
    }
}
