using System.Net;
using Xunit.Abstractions;

namespace Orleans.Tokens.Tests.ProcessLevel;

/// <summary>
/// Graceful shutdown (issue 4; contract section 1's <c>/readyz</c>): once SIGTERM arrives, <c>/readyz</c> answers
/// 503 while a mint that was already in flight is still answered, with its token, before the process exits.
/// The embedded default here; a client-mode gateway in <c>ClusterLevel.GatewayShutdownTests</c>.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class ShutdownTests(ITestOutputHelper log)
{
    [Fact]
    public async Task On_SIGTERM_readyz_turns_503_and_the_request_in_flight_is_answered()
    {
        await using var gateway = await GatewayProcess.StartAsync(log);
        var customer = await gateway.Admin.CreateCustomerAsync(4400001, balance: 5);
        Assert.Equal(HttpStatusCode.OK, (await gateway.Http.GetAsync("/readyz")).StatusCode);

        using var mint = await HalfSentMint.StartAsync(gateway.HttpPort, customer.Production);
        await Task.Delay(500);

        var stopping = gateway.StopAsync();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, await HalfSentMint.ReadyzAfterStopAsync(gateway.Http));
        Assert.False(stopping.IsCompleted, "the gateway exited with a request still in flight");

        var answer = await mint.FinishAsync();
        Assert.StartsWith("HTTP/1.1 200", answer);
        Assert.Contains("ExpressPlayToken=", answer);
        Assert.True(await stopping, "the gateway did not exit by itself after the drain");
    }
}
