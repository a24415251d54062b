using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Xunit.Abstractions;

namespace Orleans.Tokens.Tests.ProcessLevel;

/// <summary>
/// The README's graceful shutdown, watched from outside a gateway with a mint in flight. Each step waits for a line
/// the host writes (<see cref="HostOutput"/>), not for a time.
/// </summary>
internal static class GracefulStop
{
    private static readonly TimeSpan StepLimit = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Once the gateway has read the headers of <paramref name="mint"/> (it must run with
    /// <see cref="HostSettings.RequestLogging"/> and a drain delay above 0): SIGTERM; until the drain delay is over,
    /// every NEW connection to /readyz is accepted and answered 503 "shutting down"; then the gateway refuses new
    /// connections while it still runs; the rest of the mint's body is then answered 200 with a token; the process
    /// exits by itself.
    /// </summary>
    public static async Task AssertDrainsAsync(ChildProcess gateway, Uri baseUrl, HalfSentMint mint, ITestOutputHelper log)
    {
        await gateway.WaitForOutputAsync(HostOutput.WidevinePostStarted, StepLimit);
        var watch = Stopwatch.StartNew();
        var stopping = gateway.StopAsync(StepLimit + StepLimit);
        await gateway.WaitForOutputAsync(HostOutput.ShuttingDown, StepLimit);

        var probes = await ProbeReadyzUntilDrainedAsync(gateway, baseUrl, watch);
        log.WriteLine($"{probes} new connections to /readyz answered 503 \"shutting down\" during the drain, which ended {watch.ElapsedMilliseconds} ms after SIGTERM");
        Assert.True(probes > 0, "no new connection to /readyz was answered after SIGTERM");

        await WaitUntilRefusedAsync(baseUrl);
        log.WriteLine($"{watch.ElapsedMilliseconds} ms after SIGTERM, new connections are refused");
        Assert.False(stopping.IsCompleted, "the gateway exited with a request still in flight");

        var answer = await mint.FinishAsync();
        Assert.StartsWith("HTTP/1.1 200", answer);
        Assert.Contains("ExpressPlayToken=", answer);
        Assert.True(await stopping, "the gateway did not exit by itself after the drain");
        log.WriteLine($"{watch.ElapsedMilliseconds} ms after SIGTERM, the gateway exited by itself");
    }

    /// <summary>
    /// Probes /readyz on new connections until the gateway writes that its drain delay is over; each must be
    /// answered 503 "shutting down". A refused connection is the drain's end only if that line follows it (it may be
    /// on its way). The number of probes answered.
    /// </summary>
    private static async Task<int> ProbeReadyzUntilDrainedAsync(ChildProcess gateway, Uri baseUrl, Stopwatch sinceSigterm)
    {
        var answered = 0;
        while (!gateway.HasWritten(HostOutput.Drained))
        {
            try
            {
                var (status, reason) = await ReadyzOnNewConnectionAsync(baseUrl);
                Assert.True(status == HttpStatusCode.ServiceUnavailable && reason == "shutting down",
                    $"/readyz on a new connection {sinceSigterm.ElapsedMilliseconds} ms after SIGTERM: {(int)status} {reason}");
                answered++;
            }
            catch (HttpRequestException exception) when (exception.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionRefused })
            {
                var refusedAt = sinceSigterm.ElapsedMilliseconds;
                try
                {
                    await gateway.WaitForOutputAsync(HostOutput.Drained, TimeSpan.FromSeconds(5));
                }
                catch (TimeoutException)
                {
                    Assert.Fail($"a new connection to /readyz was refused {refusedAt} ms after SIGTERM, before the drain delay was over");
                }
                return answered;
            }
            Assert.True(sinceSigterm.Elapsed < StepLimit, $"the drain delay was not over {StepLimit} after SIGTERM");
            await Task.Delay(100);
        }
        return answered;
    }

    /// <summary>GET /readyz on a TCP connection of its own, as a load balancer's probe: status and body. Refused: throws.</summary>
    private static async Task<(HttpStatusCode Status, string Body)> ReadyzOnNewConnectionAsync(Uri baseUrl)
    {
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = baseUrl, Timeout = StepLimit };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/readyz");
        request.Headers.ConnectionClose = true;
        using var response = await http.SendAsync(request);
        return (response.StatusCode, (await response.Content.ReadAsStringAsync()).Trim());
    }

    // Polls: between the drain's end and the listener's close there is no line to wait for.
    private static async Task WaitUntilRefusedAsync(Uri baseUrl)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, baseUrl.Port);
            }
            catch (SocketException exception) when (exception.SocketErrorCode == SocketError.ConnectionRefused)
            {
                return;
            }
            Assert.True(watch.Elapsed < StepLimit, $"the gateway still accepted connections {StepLimit} after its drain delay");
            await Task.Delay(50);
        }
    }
}
