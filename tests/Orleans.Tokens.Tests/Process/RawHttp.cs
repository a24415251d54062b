using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Orleans.Tokens.Tests.ProcessLevel;

/// <summary>One HTTP/1.1 answer as read off the wire.</summary>
internal sealed record RawResponse(int Status, IReadOnlyDictionary<string, string> Headers, string Body)
{
    public string? ContentType => Headers.GetValueOrDefault("content-type");
}

/// <summary>
/// A minimal HTTP/1.1 client over a socket to 127.0.0.1 (one request per connection): the request target and body
/// go out byte for byte as given, so odd percent-encodings (%zz, a lone %, %00, invalid UTF-8) reach the gateway
/// unchanged, which HttpClient's URI handling does not guarantee.
/// </summary>
internal static class RawHttp
{
    public static async Task<RawResponse> SendAsync(
        int port, string method, string target, IEnumerable<(string Name, string Value)> headers, byte[]? body, bool chunked, CancellationToken cancel)
    {
        if (target.Any(c => c is <= ' ' or > '~')) throw new ArgumentException("a request target is printable ASCII without spaces", nameof(target));
        using var client = new TcpClient { NoDelay = true };
        await client.ConnectAsync(IPAddress.Loopback, port, cancel);
        var stream = client.GetStream();
        var head = new StringBuilder($"{method} {target} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n");
        foreach (var (name, value) in headers) head.Append(name).Append(": ").Append(value).Append("\r\n");
        if (body is not null) head.Append(chunked ? "Transfer-Encoding: chunked\r\n" : $"Content-Length: {body.Length}\r\n");
        head.Append("\r\n");
        try
        {
            await stream.WriteAsync(Encoding.ASCII.GetBytes(head.ToString()), cancel);
            if (body is not null)
            {
                if (!chunked) await stream.WriteAsync(body, cancel);
                else
                {
                    for (var offset = 0; offset < body.Length; offset += 8192)
                    {
                        var length = Math.Min(8192, body.Length - offset);
                        await stream.WriteAsync(Encoding.ASCII.GetBytes($"{length:x}\r\n"), cancel);
                        await stream.WriteAsync(body.AsMemory(offset, length), cancel);
                        await stream.WriteAsync("\r\n"u8.ToArray(), cancel);
                    }
                    await stream.WriteAsync("0\r\n\r\n"u8.ToArray(), cancel);
                }
            }
        }
        catch (IOException)
        {
            // The server may answer (413) and close before it has read the whole body; read what it answered.
        }

        using var received = new MemoryStream();
        try
        {
            await stream.CopyToAsync(received, cancel);
        }
        catch (IOException) when (received.Length > 0)
        {
        }
        return Parse(received.ToArray());
    }

    private static RawResponse Parse(byte[] bytes)
    {
        var headEnd = IndexOf(bytes, "\r\n\r\n"u8, 0);
        if (headEnd < 0) throw new InvalidDataException($"no complete HTTP response head in {bytes.Length} bytes: {Encoding.ASCII.GetString(bytes)}");
        var lines = Encoding.ASCII.GetString(bytes, 0, headEnd).Split("\r\n");
        var status = int.Parse(lines[0].Split(' ')[1]);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':');
            headers[line[..colon].Trim().ToLowerInvariant()] = line[(colon + 1)..].Trim();
        }
        var content = bytes.AsSpan(headEnd + 4);
        byte[] body;
        if (headers.TryGetValue("transfer-encoding", out var encoding) && encoding.Contains("chunked", StringComparison.OrdinalIgnoreCase))
        {
            using var decoded = new MemoryStream();
            var position = 0;
            while (true)
            {
                var lineEnd = IndexOf(content, "\r\n"u8, position);
                var size = Convert.ToInt32(Encoding.ASCII.GetString(content[position..lineEnd]).Split(';')[0], 16);
                position = lineEnd + 2;
                if (size == 0) break;
                decoded.Write(content.Slice(position, size));
                position += size + 2;
            }
            body = decoded.ToArray();
        }
        else if (headers.TryGetValue("content-length", out var length))
            body = content[..int.Parse(length)].ToArray();
        else
            body = content.ToArray();
        return new RawResponse(status, headers, Encoding.UTF8.GetString(body));
    }

    private static int IndexOf(ReadOnlySpan<byte> haystack, ReadOnlySpan<byte> needle, int start)
    {
        var found = haystack[start..].IndexOf(needle);
        return found < 0 ? -1 : found + start;
    }
}
