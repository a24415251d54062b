using System.Net;
using System.Net.Sockets;
using System.Text;
using Xunit;
using Xunit.Abstractions;

namespace Orleans.Tokens.Tests.ProcessLevel;

/// <summary>
/// Graceful shutdown (issue 4; contract section 1's <c>/readyz</c>): once SIGTERM arrives, <c>/readyz</c> answers
/// 503 while a mint that was already in flight is still answered, with its token, before the process exits.
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

        // A mint whose body is only half sent is in flight until the rest arrives.
        var body = Encoding.ASCII.GetBytes(TokenRequests.Query(
            TokenRequests.Widevine(customer.Production, TokenRequests.RandomHex(16), TokenRequests.RandomHex(16))));
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, gateway.HttpPort);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(
            $"POST {TokenRequests.WidevinePath} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n" +
            $"Content-Length: {body.Length}\r\nConnection: close\r\n\r\n"));
        await stream.WriteAsync(body.AsMemory(0, body.Length / 2));
        await Task.Delay(500);

        var stopping = gateway.StopAsync();
        var readyz = HttpStatusCode.OK;
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (readyz == HttpStatusCode.OK && DateTime.UtcNow < deadline)
        {
            readyz = (await gateway.Http.GetAsync("/readyz")).StatusCode;
            if (readyz == HttpStatusCode.OK) await Task.Delay(100);
        }
        Assert.Equal(HttpStatusCode.ServiceUnavailable, readyz);
        Assert.False(stopping.IsCompleted, "the gateway exited with a request still in flight");

        await stream.WriteAsync(body.AsMemory(body.Length / 2));
        var answer = await new StreamReader(stream, Encoding.ASCII).ReadToEndAsync();
        Assert.StartsWith("HTTP/1.1 200", answer);
        Assert.Contains("ExpressPlayToken=", answer);
        Assert.True(await stopping, "the gateway did not exit by itself after the drain");
    }
}
