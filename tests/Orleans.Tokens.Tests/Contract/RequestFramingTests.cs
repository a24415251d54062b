using System.Text;
using Orleans.Tokens.Tests.Infrastructure;

namespace Orleans.Tokens.Tests.Contract;

/// <summary>
/// Contract section 1 and the README's decision on framing: every failure to read or frame a request is the
/// client's. A body the gateway cannot frame (RFC 9112 §6–7) is 400 with a short text/plain sentence and
/// <c>Connection: close</c>; a body over 64 KiB, chunked or not, is 413; a request Kestrel refuses before the gateway
/// sees it is Kestrel's 400 with no body; a client gone mid-body gets no answer. Never a 5xx, never a debit. Sent over
/// raw sockets: HttpClient frames every body correctly.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class RequestFramingTests(GatewayFixture gateway) : IDisposable
{
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(60));

    private const string FramingSentence = "The request body is not framed correctly.\n";

    /// <summary>Chunked bodies around a valid form, <c>{size}</c> being its length in hex and <c>{body}</c> the form.</summary>
    [Theory]
    [InlineData("zz\r\n{body}\r\n0\r\n\r\n")] // a chunk size that is not hex
    [InlineData("-{size}\r\n{body}\r\n0\r\n\r\n")] // a negative chunk size
    [InlineData("0x{size}\r\n{body}\r\n0\r\n\r\n")] // a C-style chunk size
    [InlineData("{size}\r\n{body}XX0\r\n\r\n")] // chunk data not followed by CRLF
    [InlineData("{size};ext\nmore\r\n{body}\r\n0\r\n\r\n")] // a bare LF inside a chunk extension
    [InlineData("{size}\r\n{body}\r\n0\r\nno colon in this trailer\r\n\r\n")] // a trailer that is not a field
    [InlineData("{size}\r\n{body}\r\n0\r\nName : space before the colon\r\n\r\n")]
    public async Task MalformedChunkedBody_Is400_WithASentence_AndNothingIsDebited(string framing)
    {
        var customer = await gateway.CreateCustomerAsync(productionBalance: 10);
        var form = ValidRequests.Widevine(customer).ToQueryString();
        var body = framing.Replace("{size}", form.Length.ToString("x")).Replace("{body}", form);
        var answer = await SendAsync(Post("Transfer-Encoding: chunked\r\n") + body);
        AssertFramingRefusal(answer);
        Assert.Equal(10, await customer.ProductionBalanceAsync());
    }

    [Fact]
    public async Task ContentLength_WithChunked_OverABodyThatIsNotChunked_Is400()
    {
        var customer = await gateway.CreateCustomerAsync(productionBalance: 10);
        var form = ValidRequests.Widevine(customer).ToQueryString();
        AssertFramingRefusal(await SendAsync(Post($"Content-Length: {form.Length}\r\nTransfer-Encoding: chunked\r\n") + form));
        Assert.Equal(10, await customer.ProductionBalanceAsync());
    }

    [Fact]
    public async Task ContentLength_WithChunked_OverAChunkedBody_IsServedByTheChunks_AndTheConnectionCloses()
    {
        // RFC 9112 §6.1: Transfer-Encoding wins, and the server closes the connection after its answer.
        var customer = await gateway.CreateCustomerAsync(productionBalance: 10);
        var chunked = Chunked(ValidRequests.Widevine(customer).ToQueryString());
        using var connection = await RawConnection.OpenAsync(Port, _timeout.Token);
        await connection.SendAsync(Encoding.ASCII.GetBytes(Post($"Content-Length: {chunked.Length}\r\nTransfer-Encoding: chunked\r\n") + chunked + Healthz), _timeout.Token);
        var answer = await connection.ReadAsync(_timeout.Token);
        Assert.Equal(200, answer!.Status);
        Assert.True(answer.Closes, answer.ToString());
        Assert.Null(await connection.ReadAsync(_timeout.Token));
        Assert.Equal(9, await customer.ProductionBalanceAsync());
    }

    [Fact]
    public async Task DuplicateTransferEncoding_Chunked_IsOneChunkedCoding()
    {
        var customer = await gateway.CreateCustomerAsync(productionBalance: 10);
        var chunked = Chunked(ValidRequests.Widevine(customer).ToQueryString());
        var answer = await SendAsync(Post("Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n") + chunked);
        Assert.Equal(200, answer!.Status);
        Assert.Equal(9, await customer.ProductionBalanceAsync());
    }

    [Theory]
    [InlineData("Transfer-Encoding: gzip\r\n")] // the final coding is not chunked: the body has no length
    [InlineData("Transfer-Encoding: chunked, gzip\r\n")]
    [InlineData("Content-Length: 12\r\nContent-Length: 13\r\n")]
    [InlineData("Content-Length: twelve\r\n")]
    [InlineData("Content-Length: -1\r\n")]
    public async Task ConflictingOrInvalidFraming_IsRefusedByKestrel_With400_BeforeTheGateway(string headers)
    {
        var customer = await gateway.CreateCustomerAsync(productionBalance: 10);
        var answer = await SendAsync(Post(headers) + ValidRequests.Widevine(customer).ToQueryString());
        Assert.NotNull(answer);
        Assert.Equal(400, answer.Status);
        Assert.Equal("", answer.Body);
        Assert.True(answer.Closes, answer.ToString());
        Assert.Equal(10, await customer.ProductionBalanceAsync());
    }

    [Theory]
    [InlineData(64 * 1024 + 1)]
    [InlineData(128 * 1024 + 1)] // beyond Kestrel's own limit, which the gateway sets at twice the contract's
    [InlineData(1024 * 1024)]
    public async Task ChunkedBody_Over64KiB_Is413_WithASentence(int length)
    {
        var customer = await gateway.CreateCustomerAsync(productionBalance: 10);
        var form = ValidRequests.Widevine(customer).ToQueryString() + "&pad=";
        var answer = await SendAsync(Post("Transfer-Encoding: chunked\r\n") + Chunked(form + new string('x', length - form.Length), chunk: 8192));
        Assert.NotNull(answer);
        Assert.Equal(413, answer.Status);
        Assert.Equal("text/plain; charset=utf-8", answer.ContentType);
        Assert.Equal("The request body is too large.\n", answer.Body);
        Assert.Equal(10, await customer.ProductionBalanceAsync());
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public async Task ClientGoneMidBody_GetsNoAnswer_AndNothingIsDebited(bool chunked, bool reset)
    {
        var customer = await gateway.CreateCustomerAsync(productionBalance: 10);
        var form = ValidRequests.Widevine(customer).ToQueryString();
        var half = form[..(form.Length / 2)];
        var request = chunked
            ? Post("Transfer-Encoding: chunked\r\n") + $"{form.Length:x}\r\n{half}"
            : Post($"Content-Length: {form.Length}\r\n") + half;
        using var connection = await RawConnection.OpenAsync(Port, _timeout.Token);
        await connection.SendAsync(Encoding.ASCII.GetBytes(request), _timeout.Token);
        if (reset)
            connection.Reset();
        else
        {
            connection.HalfClose();
            Assert.Null(await connection.ReadAsync(_timeout.Token));
        }
        Assert.Equal(200, (await SendAsync(Healthz))!.Status);
        Assert.Equal(10, await customer.ProductionBalanceAsync());
    }

    private int Port => gateway.Client.BaseAddress!.Port;

    private const string Healthz = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";

    private static string Post(string framingHeaders) =>
        $"POST {GatewayFixture.WidevinePath} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n{framingHeaders}\r\n";

    /// <summary><paramref name="body"/> as valid chunks of at most <paramref name="chunk"/> bytes, then the last chunk.</summary>
    private static string Chunked(string body, int chunk = 100)
    {
        var builder = new StringBuilder();
        for (var offset = 0; offset < body.Length; offset += chunk)
        {
            var piece = body.Substring(offset, Math.Min(chunk, body.Length - offset));
            builder.Append($"{piece.Length:x}\r\n{piece}\r\n");
        }
        return builder.Append("0\r\n\r\n").ToString();
    }

    private static void AssertFramingRefusal(RawResponse? answer)
    {
        Assert.NotNull(answer);
        Assert.True(answer.Status == 400, answer.ToString());
        Assert.Equal("text/plain; charset=utf-8", answer.ContentType);
        Assert.Equal(FramingSentence, answer.Body);
        Assert.True(answer.Closes, answer.ToString());
    }

    private Task<RawResponse?> SendAsync(string request) => RawConnection.ExchangeAsync(Port, request, _timeout.Token);

    public void Dispose() => _timeout.Dispose();
}
