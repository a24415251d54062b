using System.Net.Http.Headers;
using System.Text.Json;

namespace Orleans.Tokens.Gateway.Redemption;

/// <summary>
/// The forwarding issuer (contract section 8), for license servers built on a vendor's SDK: POSTs
/// <c>{"drm","challenge":"&lt;base64&gt;","policy":{…the verified token payload…}}</c> to the configured URL with
/// <c>Authorization: Bearer &lt;secret&gt;</c>, and answers the player with that server's status, content type and
/// body. No answer within the timeout, an answer over <see cref="MaxAnswerLength"/>, or no connection is the issuer
/// failing.
/// </summary>
internal sealed class ForwardingIssuer(HttpClient client, Drm drm, Uri url, string secret) : ILicenseIssuer
{
    /// <summary>The largest license answer passed on, in bytes.</summary>
    public const int MaxAnswerLength = 1 << 20;

    public async Task<IssuerAnswer> Issue(TokenPayload token, ReadOnlyMemory<byte> challenge, CancellationToken cancellation)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(Body(token, challenge)) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellation);
        if (response.Content.Headers.ContentLength > MaxAnswerLength) throw new InvalidDataException("the license server's answer is too long");
        await using var stream = await response.Content.ReadAsStreamAsync(cancellation);
        var body = new MemoryStream();
        var buffer = new byte[16384];
        int read;
        while ((read = await stream.ReadAsync(buffer, cancellation)) > 0)
        {
            if (body.Length + read > MaxAnswerLength) throw new InvalidDataException("the license server's answer is too long");
            body.Write(buffer, 0, read);
        }
        return new IssuedAnswer((int)response.StatusCode, response.Content.Headers.ContentType?.ToString(), body.ToArray());
    }

    private byte[] Body(TokenPayload token, ReadOnlyMemory<byte> challenge)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("drm", drm.Name());
            writer.WriteBase64String("challenge", challenge.Span);
            writer.WritePropertyName("policy");
            JsonSerializer.Serialize(writer, token, TokenJson.Default.TokenPayload);
            writer.WriteEndObject();
        }
        return buffer.ToArray();
    }
}
