using System.Text;

namespace Orleans.Tokens.Tests.ProcessLevel;

/// <summary>What a request's framing on the wire makes of its answer.</summary>
internal enum Framing
{
    /// <summary>Framed correctly: the gateway answers the request itself (sections 1–6).</summary>
    Intact,

    /// <summary>A head Kestrel refuses before the gateway sees it: 400, no body, <c>Connection: close</c>.</summary>
    HeadRefused,

    /// <summary>A body that cannot be framed: the gateway's 400 with its sentence and <c>Connection: close</c>.</summary>
    BodyRefused,

    /// <summary>Cut short by the client's FIN or reset in the body: no answer (there is no complete request).</summary>
    Cut,
}

/// <summary>How a script's connection ends once its bytes are sent.</summary>
internal enum Ending
{
    /// <summary>The client keeps the connection open and reads the answers.</summary>
    Open,

    /// <summary>The client half-closes (FIN, RFC 9112 §9.6) and reads the answers.</summary>
    HalfClose,

    /// <summary>The client resets the connection (RST) and reads nothing.</summary>
    Reset,
}

/// <summary>One request as bytes on the wire, what its framing makes of its answer, and a note of that framing.</summary>
internal sealed record WireRequest(FuzzRequest Request, byte[] Bytes, Framing Framing, bool Closes, string Note)
{
    public override string ToString() => $"{Request} | wire: {Note}";
}

/// <summary>Requests sent one after another on one connection (pipelined), then the connection's end.</summary>
internal sealed record FuzzScript(int Number, IReadOnlyList<WireRequest> Requests, Ending Ending);

/// <summary>
/// Frames generated requests as HTTP/1.1 bytes: mostly correctly (Content-Length, or chunks of random sizes with
/// extensions and trailers, RFC 9112 §7.1), sometimes with a head Kestrel refuses, a body that cannot be framed,
/// conflicting or repeated framing headers, or cut short; and groups them into pipelined scripts that end open,
/// half-closed or reset. All of it decided by one seeded <see cref="Random"/>.
/// </summary>
internal sealed class WireGenerator(Random random, RequestGenerator requests)
{
    /// <summary>The gateway's answer to a body it cannot frame (README, "Decisions").</summary>
    public const string FramingSentence = "The request body is not framed correctly.\n";

    /// <summary>Script <paramref name="number"/>: <paramref name="length"/> requests, or one cut short and reset.</summary>
    public FuzzScript Next(int number, int length)
    {
        var ending = random.Next(100) switch { < 60 => Ending.Open, < 95 => Ending.HalfClose, _ => Ending.Reset };
        if (ending == Ending.Reset) return new FuzzScript(number, [Cut(requests.Next(), ending, inBody: true)], ending);
        var script = new List<WireRequest>();
        for (var i = 0; i < length; i++)
        {
            // A body cut short makes Kestrel abort the connection, dropping what it has not yet sent of the answers
            // before it (README, "Decisions"): such a request comes alone.
            script.Add(ending == Ending.HalfClose && i == length - 1 && random.Next(5) == 0
                ? Cut(requests.Next(), ending, inBody: length == 1)
                : Frame(requests.Next()));
        }
        return new FuzzScript(number, script, ending);
    }

    /// <summary>How many requests a script holds: mostly a few, sometimes up to 8.</summary>
    public static int ScriptLength(Random random) => random.Next(10) switch { < 4 => 1, < 8 => random.Next(2, 5), _ => random.Next(5, 9) };

    private WireRequest Frame(FuzzRequest request)
    {
        var roll = random.Next(100);
        if (roll < 3) return RefusedHead(request);
        var body = request.Body;
        if (body is null) return Wire(request, Head(request, ""), [], Framing.Intact, false, "no body");
        // The gateway reads a body only within section 1's limits: past them it refuses it unread (414, 413).
        var readable = request.TargetLength <= 8 * 1024 && body.Length is > 0 and <= 64 * 1024;
        if (readable && roll < 12) return BrokenBody(request, body);
        if (!request.Chunked && roll < 85)
            return Wire(request, Head(request, $"Content-Length: {body.Length}\r\n"), body, Framing.Intact, false, "Content-Length");
        var chunks = Chunks(body, out var note);
        return random.Next(10) switch
        {
            // RFC 9112 §6.1: Transfer-Encoding wins over Content-Length, and the connection closes after the answer.
            0 => Wire(request, Head(request, $"Content-Length: {body.Length}\r\nTransfer-Encoding: chunked\r\n"), chunks, Framing.Intact, true, "Content-Length and " + note),
            1 => Wire(request, Head(request, "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n"), chunks, Framing.Intact, false, "Transfer-Encoding twice, " + note),
            _ => Wire(request, Head(request, "Transfer-Encoding: chunked\r\n"), chunks, Framing.Intact, false, note),
        };
    }

    /// <summary>The note of a request line without a version, which Kestrel refuses with 400 or, now and then, 505.</summary>
    public const string NoVersion = "no version";

    /// <summary>A head Kestrel refuses with 400 (RFC 9112 §3, §5, §6): a malformed request line or field.</summary>
    private WireRequest RefusedHead(FuzzRequest request)
    {
        var length = request.Body is null ? "" : $"Content-Length: {request.Body.Length}\r\n";
        var line = $"{request.Method} {request.Target} HTTP/1.1";
        var (head, note) = random.Next(16) switch
        {
            0 => ($"{request.Method}  {request.Target} HTTP/1.1\r\nHost: 127.0.0.1\r\n{length}", "two spaces after the method"),
            1 => ($" {line}\r\nHost: 127.0.0.1\r\n{length}", "a space before the method"),
            2 => ($"{line} \r\nHost: 127.0.0.1\r\n{length}", "a space after the version"),
            3 => ($"{request.Method} {request.Target}\r\nHost: 127.0.0.1\r\n{length}", NoVersion),
            4 => ($"{line}\r\r\nHost: 127.0.0.1\r\n{length}", "CR CR LF"),
            5 => ($"G@T {request.Target} HTTP/1.1\r\nHost: 127.0.0.1\r\n{length}", "a method that is not a token"),
            6 => ($"{line}\r\n{length}", "no Host"),
            7 => ($"{line}\r\nHost: 127.0.0.1\r\nHost: 127.0.0.2\r\n{length}", "two Hosts"),
            8 => ($"{line}\r\nHost: 127.0.0.1\r\nNo colon here\r\n{length}", "a field without a colon"),
            9 => ($"{line}\r\nHost: 127.0.0.1\r\nX-Name : value\r\n{length}", "a space before the colon"),
            10 => ($"{line}\r\nHost: 127.0.0.1\r\nX-Name: value\r\n  folded\r\n{length}", "an obsolete line folding"),
            11 => ($"{line}\r\nHost: 127.0.0.1\r\nX-Name: a\0b\r\n{length}", "a NUL in a field value"),
            12 => ($"{line}\r\nHost: 127.0.0.1\r\nContent-Length: {Pick(["twelve", "-1", "1, 2", "0x10", "99999999999999999999"])}\r\n", "an invalid Content-Length"),
            13 => ($"{line}\r\nHost: 127.0.0.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n", "two Content-Lengths"),
            14 => ($"{line}\r\nHost: 127.0.0.1\r\nTransfer-Encoding: {Pick(["gzip", "chunked, gzip", "identity", "xchunked"])}\r\n", "a last transfer coding that is not chunked"),
            _ => ($"{line}\r\nHost: 127.0.0.1\r\n:no-name\r\n{length}", "a field without a name"),
        };
        head += string.Concat(request.Headers.Select(h => $"{h.Name}: {h.Value}\r\n")) + "\r\n";
        return Wire(request, Encoding.UTF8.GetBytes(head), request.Body ?? [], Framing.HeadRefused, true, note);
    }

    /// <summary>A chunked body broken in one way the gateway refuses (RFC 9112 §7.1).</summary>
    private WireRequest BrokenBody(FuzzRequest request, byte[] body)
    {
        var text = Encoding.Latin1.GetString(body);
        var size = body.Length.ToString("x");
        var (chunks, note, contentLength) = random.Next(6) switch
        {
            0 => ($"{Pick(["zz", "-1", "0x" + size, "+" + size, size + " 1", "g"])}\r\n{text}\r\n0\r\n\r\n", "a chunk size that is not hex", false),
            1 => ($"{size}\r\n{text}XX0\r\n\r\n", "chunk data not followed by CRLF", false),
            2 => ($"{size};{Pick(["ext\nmore", "a\rb", "x=\"y\nz\""])}\r\n{text}\r\n0\r\n\r\n", "a bare CR or LF in a chunk extension", false),
            3 => ($"{size}\r\n{text}\r\n0\r\n{Pick(["no colon in this trailer", "Name : space", ":no-name", " leading: space"])}\r\n\r\n", "a trailer that is not a field", false),
            // The body as it is, announced as chunked: its first bytes are not a chunk size.
            4 => ("_" + text, "Transfer-Encoding: chunked over a body that is not chunked", false),
            _ => ("_" + text, "Content-Length and Transfer-Encoding: chunked over a body that is not chunked", true),
        };
        var bytes = Encoding.Latin1.GetBytes(chunks);
        var framing = contentLength ? $"Content-Length: {bytes.Length}\r\nTransfer-Encoding: chunked\r\n" : "Transfer-Encoding: chunked\r\n";
        return Wire(request, Head(request, framing), bytes, Framing.BodyRefused, true, note);
    }

    /// <summary>
    /// A request cut short and followed by the script's <paramref name="ending"/>: inside its body when
    /// <paramref name="inBody"/> allows and it has one (no answer), or inside its head (no answer after a reset;
    /// Kestrel's 400 after a half-close, since the head never ends).
    /// </summary>
    private WireRequest Cut(FuzzRequest request, Ending ending, bool inBody)
    {
        var body = request.Body;
        var readable = body is { Length: > 0 } && request.TargetLength <= 8 * 1024 && body.Length <= 64 * 1024;
        if (inBody && readable && random.Next(3) != 0)
        {
            var chunked = random.Next(2) == 0;
            var framed = chunked ? Chunks(body!, out _) : body!;
            var head = Head(request, chunked ? "Transfer-Encoding: chunked\r\n" : $"Content-Length: {body!.Length}\r\n");
            // Chunked: anything short of the last CRLF is incomplete.
            var keep = random.Next(framed.Length - (chunked ? 1 : 0));
            return Wire(request, head, framed[..keep], Framing.Cut, true, $"{(chunked ? "chunked" : "Content-Length")} body cut after {keep} of {framed.Length} bytes");
        }
        var whole = Head(request, body is null ? "" : $"Content-Length: {body.Length}\r\n");
        var at = 1 + random.Next(whole.Length - 1);
        var refused = ending == Ending.HalfClose;
        return Wire(request, whole[..at], [], refused ? Framing.HeadRefused : Framing.Cut, true, $"head cut after {at} of {whole.Length} bytes");
    }

    /// <summary>The body as chunks of random sizes, with hex digits in either case, extensions and trailers.</summary>
    private byte[] Chunks(byte[] body, out string note)
    {
        using var chunks = new MemoryStream();
        var count = 0;
        for (var offset = 0; offset < body.Length; count++)
        {
            var length = Math.Min(body.Length - offset, random.Next(3) == 0 ? random.Next(1, 64) : random.Next(1, 16 * 1024));
            var size = length.ToString(random.Next(2) == 0 ? "x" : "X");
            if (random.Next(8) == 0) size = "00" + size;
            var extension = random.Next(8) == 0 ? Pick([";x", ";name=value", ";n=\"quoted; value\""]) : "";
            chunks.Write(Encoding.ASCII.GetBytes($"{size}{extension}\r\n"));
            chunks.Write(body, offset, length);
            chunks.Write("\r\n"u8);
            offset += length;
        }
        var trailer = random.Next(8) == 0 ? "X-Trailer: value\r\n" : "";
        chunks.Write(Encoding.ASCII.GetBytes($"0\r\n{trailer}\r\n"));
        note = $"chunked in {count}{(trailer.Length > 0 ? " with a trailer" : "")}";
        return chunks.ToArray();
    }

    private static byte[] Head(FuzzRequest request, string framing) => Encoding.UTF8.GetBytes(
        $"{request.Method} {request.Target} HTTP/1.1\r\nHost: 127.0.0.1\r\n" +
        string.Concat(request.Headers.Select(h => $"{h.Name}: {h.Value}\r\n")) + framing + "\r\n");

    private static WireRequest Wire(FuzzRequest request, byte[] head, byte[] body, Framing framing, bool closes, string note) =>
        new(request, [.. head, .. body], framing, closes, note);

    private T Pick<T>(T[] items) => items[random.Next(items.Length)];
}
