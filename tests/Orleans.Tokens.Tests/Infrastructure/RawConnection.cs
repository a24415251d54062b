using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Orleans.Tokens.Tests.Infrastructure;

/// <summary>
/// One HTTP/1.1 answer as read off the wire: header names lower-case (a repeated header keeps its last value), the
/// body decoded from its Content-Length or chunked framing.
/// </summary>
internal sealed record RawResponse(int Status, IReadOnlyDictionary<string, string> Headers, string Body)
{
    public string? ContentType => Headers.GetValueOrDefault("content-type");

    /// <summary>The server ends the connection after this answer (<c>Connection: close</c>, RFC 9112 §9.6).</summary>
    public bool Closes => Headers.TryGetValue("connection", out var options) && options.Contains("close", StringComparison.OrdinalIgnoreCase);

    public override string ToString() => $"{Status} {ContentType ?? "without Content-Type"}: {(Body.Length > 300 ? Body[..300] + "…" : Body)}";
}

/// <summary>
/// A raw HTTP/1.1 connection to 127.0.0.1: bytes go out exactly as given — odd percent-encodings, broken framing,
/// several requests at once (pipelining) — which HttpClient does not allow; answers are read one at a time, in
/// order. The client can half-close (shut down its sending side, RFC 9112 §9.6) or reset the connection.
/// </summary>
internal sealed class RawConnection : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
    private byte[] _buffer = new byte[16 * 1024];
    private int _start;
    private int _end;
    private bool _ended;

    private RawConnection()
    {
    }

    public static async Task<RawConnection> OpenAsync(int port, CancellationToken cancel)
    {
        var connection = new RawConnection();
        try
        {
            await connection._socket.ConnectAsync(IPAddress.Loopback, port, cancel);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
        return connection;
    }

    /// <summary>Sends <paramref name="request"/> (ASCII) on a new connection; its first answer, or null if none.</summary>
    public static async Task<RawResponse?> ExchangeAsync(int port, string request, CancellationToken cancel)
    {
        using var connection = await OpenAsync(port, cancel);
        await connection.SendAsync(Encoding.ASCII.GetBytes(request), cancel);
        return await connection.ReadAsync(cancel);
    }

    /// <summary>
    /// Sends <paramref name="bytes"/>; false when the server closed or reset the connection before it took them all
    /// (it may have answered already, as it does for a body it refuses unread).
    /// </summary>
    public async Task<bool> SendAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancel)
    {
        try
        {
            while (!bytes.IsEmpty)
            {
                var sent = await _socket.SendAsync(bytes, SocketFlags.None, cancel);
                bytes = bytes[sent..];
            }
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>Shuts down the sending side (a FIN): the client sends no more but still reads.</summary>
    public void HalfClose()
    {
        try
        {
            _socket.Shutdown(SocketShutdown.Send);
        }
        catch (SocketException)
        {
            // The server already reset the connection.
        }
    }

    /// <summary>Closes at once with a reset (RST), as a client that crashes or gives up hard.</summary>
    public void Reset()
    {
        _socket.LingerState = new LingerOption(true, 0);
        _socket.Close();
    }

    /// <summary>
    /// The next answer, or null when the connection ended (closed or reset) before its first byte. A connection that
    /// ends inside an answer throws <see cref="InvalidDataException"/>.
    /// </summary>
    public async Task<RawResponse?> ReadAsync(CancellationToken cancel)
    {
        var headEnd = await FindAsync("\r\n\r\n"u8.ToArray(), cancel);
        if (headEnd < 0)
        {
            if (_end > _start) throw new InvalidDataException($"the connection ended inside an answer's head: {Encoding.ASCII.GetString(_buffer, _start, _end - _start)}");
            return null;
        }
        var lines = Encoding.ASCII.GetString(_buffer, _start, headEnd - _start).Split("\r\n");
        _start = headEnd + 4;
        var status = int.Parse(lines[0].Split(' ')[1]);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':');
            headers[line[..colon].Trim().ToLowerInvariant()] = line[(colon + 1)..].Trim();
        }
        using var body = new MemoryStream();
        if (headers.TryGetValue("transfer-encoding", out var coding) && coding.Contains("chunked", StringComparison.OrdinalIgnoreCase))
        {
            while (true)
            {
                var sizeEnd = await FindAsync("\r\n"u8.ToArray(), cancel);
                if (sizeEnd < 0) throw new InvalidDataException("the connection ended inside a chunked answer");
                var size = Convert.ToInt32(Encoding.ASCII.GetString(_buffer, _start, sizeEnd - _start).Split(';')[0], 16);
                _start = sizeEnd + 2;
                if (size == 0)
                {
                    var trailersEnd = await FindAsync("\r\n"u8.ToArray(), cancel);
                    if (trailersEnd < 0) throw new InvalidDataException("the connection ended inside a chunked answer's end");
                    _start = trailersEnd + 2;
                    break;
                }
                await TakeAsync(body, size + 2, cancel);
                body.SetLength(body.Length - 2);
            }
        }
        else if (headers.TryGetValue("content-length", out var length))
            await TakeAsync(body, int.Parse(length), cancel);
        return new RawResponse(status, headers, Encoding.UTF8.GetString(body.GetBuffer(), 0, (int)body.Length));
    }

    public void Dispose() => _socket.Dispose();

    /// <summary>Where <paramref name="needle"/> starts in the unread bytes, reading more as needed; -1 at the end of the connection.</summary>
    private async Task<int> FindAsync(byte[] needle, CancellationToken cancel)
    {
        var searched = _start;
        while (true)
        {
            var found = _buffer.AsSpan(searched, _end - searched).IndexOf(needle);
            if (found >= 0) return searched + found;
            searched = Math.Max(_start, _end - needle.Length + 1);
            var before = _start;
            if (!await FillAsync(cancel)) return -1;
            searched -= before - _start;
        }
    }

    private async Task TakeAsync(MemoryStream into, int count, CancellationToken cancel)
    {
        while (_end - _start < count)
        {
            if (!await FillAsync(cancel)) throw new InvalidDataException($"the connection ended {count - (_end - _start)} bytes before the end of an answer's body");
        }
        into.Write(_buffer, _start, count);
        _start += count;
    }

    /// <summary>Reads more bytes after the unread ones (moving them to the front); false at the end of the connection.</summary>
    private async Task<bool> FillAsync(CancellationToken cancel)
    {
        if (_ended) return false;
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }
        if (_end == _buffer.Length) Array.Resize(ref _buffer, _buffer.Length * 2);
        int read;
        try
        {
            read = await _socket.ReceiveAsync(_buffer.AsMemory(_end), SocketFlags.None, cancel);
        }
        catch (SocketException exception) when (exception.SocketErrorCode is SocketError.ConnectionReset or SocketError.ConnectionAborted)
        {
            read = 0;
        }
        if (read == 0) _ended = true;
        _end += read;
        return read > 0;
    }
}
