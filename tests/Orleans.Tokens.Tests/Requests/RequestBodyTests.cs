using System.Text;
using Orleans.Tokens.Tests.Infrastructure;

namespace Orleans.Tokens.Tests.Requests;

/// <summary>
/// A body shorter than its Content-Length is never handed on as a whole body (README "Decisions": framing failures
/// are 400 or no answer): neither when the client cuts it, nor when the server stops with the body in flight, where
/// Kestrel cancels the connection's pending read and the request must still wait for the rest of its body.
/// </summary>
public sealed class RequestBodyTests : IDisposable
{
    private const string Body = "authenticator=0123456789abcdef&kid=0123456789abcdef0123456789abcdef";

    private static readonly string Head =
        $"POST /token HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {Body.Length}\r\n\r\n";

    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(30));

    [Fact]
    public async Task A_body_in_flight_when_the_server_stops_is_read_whole_once_the_rest_arrives()
    {
        await using var server = await BodyServer.StartAsync();
        using var connection = await SendHalfTheBodyAsync(server);

        var stopping = server.StopAsync();
        await server.CloseRequested.WaitAsync(_timeout.Token);
        Assert.False(server.Buffered.IsCompleted, "the body was handed on before its second half was sent");
        await connection.SendAsync(Encoding.ASCII.GetBytes(Body[(Body.Length / 2)..]), _timeout.Token);

        var answer = await connection.ReadAsync(_timeout.Token);
        Assert.NotNull(answer);
        Assert.Equal(200, answer.Status);
        Assert.Equal(Body, answer.Body);
        await stopping.WaitAsync(_timeout.Token);
    }

    [Fact]
    public async Task A_body_the_client_cuts_is_not_handed_on_and_gets_no_answer()
    {
        await using var server = await BodyServer.StartAsync();
        using var connection = await SendHalfTheBodyAsync(server);

        connection.HalfClose();
        Assert.Null(await connection.ReadAsync(_timeout.Token));
        Assert.False(await server.Buffered.WaitAsync(_timeout.Token));
    }

    /// <summary>A connection that sent the head and half the body, once the endpoint holds that part.</summary>
    private async Task<RawConnection> SendHalfTheBodyAsync(BodyServer server)
    {
        var connection = await RawConnection.OpenAsync(server.Port, _timeout.Token);
        await connection.SendAsync(Encoding.ASCII.GetBytes(Head + Body[..(Body.Length / 2)]), _timeout.Token);
        await server.Reading.WaitAsync(_timeout.Token);
        return connection;
    }

    public void Dispose() => _timeout.Dispose();
}
