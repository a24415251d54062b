using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Orleans.Tokens.Tests.ProcessLevel;

/// <summary>
/// A Widevine mint whose POST body is only half sent: the gateway holds it as a request in flight until
/// <see cref="FinishAsync"/> sends the rest and reads the whole answer.
/// </summary>
internal sealed class HalfSentMint : IDisposable
{
    private readonly TcpClient _client = new();
    private byte[] _body = [];

    public static async Task<HalfSentMint> StartAsync(int httpPort, string authenticator)
    {
        var mint = new HalfSentMint();
        mint._body = Encoding.ASCII.GetBytes(TokenRequests.Query(
            TokenRequests.Widevine(authenticator, TokenRequests.RandomHex(16), TokenRequests.RandomHex(16))));
        await mint._client.ConnectAsync(IPAddress.Loopback, httpPort);
        var stream = mint._client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(
            $"POST {TokenRequests.WidevinePath} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n" +
            $"Content-Length: {mint._body.Length}\r\nConnection: close\r\n\r\n"));
        await stream.WriteAsync(mint._body.AsMemory(0, mint._body.Length / 2));
        return mint;
    }

    /// <summary>Sends the rest of the body; the raw HTTP answer.</summary>
    public async Task<string> FinishAsync()
    {
        var stream = _client.GetStream();
        await stream.WriteAsync(_body.AsMemory(_body.Length / 2));
        return await new StreamReader(stream, Encoding.ASCII).ReadToEndAsync();
    }

    public void Dispose() => _client.Dispose();
}
