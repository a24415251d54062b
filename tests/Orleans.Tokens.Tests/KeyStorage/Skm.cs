using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Orleans.Tokens.Tests.Infrastructure;

namespace Orleans.Tokens.Tests.KeyStorage;

/// <summary>
/// One customer's view of the key storage over HTTP (contract section 12): the seven routes under <c>/keystore</c>,
/// each with <c>customerAuthenticator</c> (and <c>kek</c> when given) in the query. A null authenticator leaves the
/// parameter out.
/// </summary>
public sealed class SkmClient(GatewayFixture gateway, string? authenticator)
{
    public const string Keys = "/keystore/keys";
    public const string KeyCount = "/keystore/keycount";

    public string? Authenticator => authenticator;

    /// <summary><c>POST /keystore/keys</c> with <paramref name="json"/> as an <c>application/json</c> body (none when null).</summary>
    public Task<HttpResponseMessage> PostAsync(string? json, string? kek = null) =>
        SendAsync(HttpMethod.Post, Keys, json, kek);

    public Task<HttpResponseMessage> PostAsync(JsonObject body, string? kek = null) => PostAsync(body.ToJsonString(), kek);

    public Task<HttpResponseMessage> GetAsync(string kid, string? kek = null) => SendAsync(HttpMethod.Get, KeyPath(kid), null, kek);

    public Task<HttpResponseMessage> GetValueAsync(string kid, string? kek = null) =>
        SendAsync(HttpMethod.Get, KeyPath(kid) + "/value", null, kek);

    public Task<HttpResponseMessage> ListAsync(string? kek = null) => SendAsync(HttpMethod.Get, Keys, null, kek);

    public Task<HttpResponseMessage> PutAsync(string kid, JsonObject body, string? kek = null) =>
        SendAsync(HttpMethod.Put, KeyPath(kid), body.ToJsonString(), kek);

    public Task<HttpResponseMessage> DeleteAsync(string kid) => SendAsync(HttpMethod.Delete, KeyPath(kid), null, null);

    public Task<HttpResponseMessage> CountAsync() => SendAsync(HttpMethod.Get, KeyCount, null, null);

    /// <summary>A request to <paramref name="path"/> with this client's authenticator and <paramref name="kek"/> in the query.</summary>
    public Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? json, string? kek)
    {
        var query = new Params();
        if (authenticator is not null) query.Add("customerAuthenticator", authenticator);
        if (kek is not null) query.Add("kek", kek);
        var target = query.Any() ? path + "?" + query.ToQueryString() : path;
        var request = new HttpRequestMessage(method, target);
        if (json is not null) request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        return gateway.Client.SendAsync(request);
    }

    /// <summary><c>/keystore/keys/{kid}</c>, the KID percent-encoded (a <c>^name</c> KID as <c>%5Ename</c>).</summary>
    public static string KeyPath(string kid) => Keys + "/" + Uri.EscapeDataString(kid);
}

/// <summary>
/// What contract section 12 (and the decisions recorded with it) says the answers look like, as assertions; and the
/// computations the tests need, written from their own specifications: the <c>^name</c> KID (section 4), the KEK id
/// (section 12) and AES Key Wrap (RFC 3394 section 2.2).
/// </summary>
public static partial class Skm
{
    /// <summary>The only members a key object may have (section 12; the SKM specification's JSON representation).</summary>
    public static readonly string[] KeyFields = ["kid", "k", "ek", "kekId", "info", "contentId", "expiration", "lastUpdate"];

    /// <summary>
    /// A key object answer: <paramref name="status"/>, <c>application/json</c>, one JSON object (not an array) with no
    /// member but <see cref="KeyFields"/>, no null member, <c>kid</c> as 32 lower-case hex digits, <c>k</c> (when
    /// present) likewise, <c>lastUpdate</c> and <c>expiration</c> (when present) RFC 3339 date-times.
    /// </summary>
    public static async Task<JsonElement> KeyAsync(HttpResponseMessage response, HttpStatusCode status = HttpStatusCode.OK)
    {
        var body = await BodyAsync(response, status, "application/json");
        using var json = Parse(body);
        var key = json.RootElement.Clone();
        Assert.True(key.ValueKind == JsonValueKind.Object, $"expected one key object; got: {Shorten(body)}");
        AssertKeyObject(key, body);
        return key;
    }

    /// <summary>A list answer: 200, <c>application/json</c>, a JSON array of key objects.</summary>
    public static async Task<JsonElement[]> KeyListAsync(HttpResponseMessage response)
    {
        var body = await BodyAsync(response, HttpStatusCode.OK, "application/json");
        using var json = Parse(body);
        Assert.True(json.RootElement.ValueKind == JsonValueKind.Array, $"expected a JSON array; got: {Shorten(body)}");
        var keys = json.RootElement.EnumerateArray().Select(e => e.Clone()).ToArray();
        foreach (var key in keys)
        {
            Assert.True(key.ValueKind == JsonValueKind.Object, $"expected key objects in the array; got: {Shorten(body)}");
            AssertKeyObject(key, body);
        }
        return keys;
    }

    /// <summary>
    /// The count answer as the SKM specification gives it (<c>GET /keycount</c>): 200, <c>text/plain</c>, the number
    /// alone, no line terminator; answers the number.
    /// </summary>
    public static async Task<long> KeyCountAsync(HttpResponseMessage response)
    {
        var body = await BodyAsync(response, HttpStatusCode.OK, "text/plain");
        Assert.Matches("^[0-9]+$", body);
        return long.Parse(body, System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The value answer: 200, <c>text/plain</c>, the value alone as the SKM specification shows it (no line terminator).</summary>
    public static Task<string> ValueAsync(HttpResponseMessage response) => BodyAsync(response, HttpStatusCode.OK, "text/plain");

    /// <summary>
    /// An error: <paramref name="status"/>, <c>application/json</c>, exactly <c>{"message":"…"}</c> with a non-empty
    /// message; never HTML, never a stack trace; the body contains none of <paramref name="secrets"/> (in any case).
    /// Answers the message.
    /// </summary>
    public static async Task<string> ErrorAsync(HttpResponseMessage response, HttpStatusCode status, params string[] secrets)
    {
        var body = await response.Content.ReadAsStringAsync();
        var context = Describe(response, body);
        Assert.True(response.StatusCode == status, $"expected {(int)status}; {context}");
        Assert.True(response.Content.Headers.ContentType?.MediaType == "application/json", $"expected application/json; {context}");
        Assert.DoesNotContain("<html", body, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Exception", body, StringComparison.Ordinal);
        Assert.False(StackFrame().IsMatch(body), $"a stack trace in the body; {context}");
        foreach (var secret in secrets.Where(s => s.Length > 0))
            Assert.True(body.IndexOf(secret, StringComparison.OrdinalIgnoreCase) < 0, $"the body echoes '{secret}'; {context}");
        using var json = Parse(body);
        Assert.True(json.RootElement.ValueKind == JsonValueKind.Object, $"expected {{\"message\":\"…\"}}; {context}");
        Assert.Equal(["message"], json.RootElement.EnumerateObject().Select(p => p.Name));
        var message = json.RootElement.GetProperty("message");
        Assert.True(message.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(message.GetString()),
            $"expected a non-empty message; {context}");
        return message.GetString()!;
    }

    /// <summary>201 Created with <c>Location: /keystore/keys/&lt;kid&gt;</c> (relative, or absolute with that path) and the key object.</summary>
    public static async Task<JsonElement> CreatedAsync(HttpResponseMessage response)
    {
        var key = await KeyAsync(response, HttpStatusCode.Created);
        var location = response.Headers.Location;
        Assert.True(location is not null, "201 without a Location header");
        var path = location.IsAbsoluteUri ? location.AbsolutePath : location.OriginalString;
        Assert.Equal(SkmClient.Keys + "/" + Kid(key), path);
        return key;
    }

    /// <summary>A DELETE that succeeded: 200 or 204.</summary>
    public static void Deleted(HttpResponseMessage response) =>
        Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.NoContent,
            $"expected 200 or 204 for a DELETE; got {(int)response.StatusCode}");

    public static string Kid(JsonElement key) => Field(key, "kid")!;

    /// <summary>A key object answered wrapped: <c>ek</c> (in either case), <c>kekId</c>, and no clear <c>k</c>.</summary>
    public static void AssertWrapped(JsonElement key, string ek, string kekId)
    {
        Assert.Equal(ek, Field(key, "ek"), ignoreCase: true);
        Assert.Equal(kekId, Field(key, "kekId"));
        Assert.Null(Field(key, "k"));
    }

    /// <summary>The string member <paramref name="name"/>, or null when the object leaves it out.</summary>
    public static string? Field(JsonElement key, string name)
    {
        if (!key.TryGetProperty(name, out var value)) return null;
        Assert.True(value.ValueKind == JsonValueKind.String, $"'{name}' is not a string: {value}");
        return value.GetString();
    }

    /// <summary>The KID of <c>^name</c> (section 4): the first 16 bytes of SHA-1 of the UTF-8 text, 32 lower-case hex digits.</summary>
    public static string KidOf(string caretName)
    {
        Assert.StartsWith("^", caretName);
        return Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(caretName[1..]))[..16]);
    }

    /// <summary>Section 12: <c>"#1." + hex(SHA-1("KEKID_1" ‖ KEK bytes))[0..32]</c>, the KEK given as hex.</summary>
    public static string KekId(string kekHex)
    {
        var input = Encoding.ASCII.GetBytes("KEKID_1").Concat(Convert.FromHexString(kekHex)).ToArray();
        return "#1." + Convert.ToHexStringLower(SHA1.HashData(input))[..32];
    }

    public static string RandomHex(int bytes = 16) => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(bytes));

    public static JsonObject Body(params (string Name, string Value)[] fields)
    {
        var body = new JsonObject();
        foreach (var (name, value) in fields) body[name] = value;
        return body;
    }

    private static void AssertKeyObject(JsonElement key, string body)
    {
        foreach (var member in key.EnumerateObject())
        {
            Assert.True(KeyFields.Contains(member.Name), $"unexpected member '{member.Name}' in a key object: {Shorten(body)}");
            Assert.True(member.Value.ValueKind != JsonValueKind.Null, $"'{member.Name}' is null (answers omit fields without a value): {Shorten(body)}");
        }
        var kid = Field(key, "kid");
        Assert.True(kid is not null && LowerHex32().IsMatch(kid), $"kid is not 32 lower-case hex digits: {Shorten(body)}");
        var k = Field(key, "k");
        Assert.True(k is null || LowerHex32().IsMatch(k), $"k is not 32 lower-case hex digits: {Shorten(body)}");
        var ek = Field(key, "ek");
        Assert.True(ek is null || Hex().IsMatch(ek), $"ek is not hex: {Shorten(body)}");
        foreach (var name in new[] { "lastUpdate", "expiration" })
        {
            var time = Field(key, name);
            Assert.True(time is null || (Rfc3339().IsMatch(time) && DateTimeOffset.TryParse(time, out _)),
                $"{name} is not an RFC 3339 date-time: {Shorten(body)}");
        }
    }

    private static async Task<string> BodyAsync(HttpResponseMessage response, HttpStatusCode status, string mediaType)
    {
        var body = await response.Content.ReadAsStringAsync();
        var context = Describe(response, body);
        Assert.True(response.StatusCode == status, $"expected {(int)status}; {context}");
        Assert.True(response.Content.Headers.ContentType?.MediaType == mediaType, $"expected {mediaType}; {context}");
        return body;
    }

    private static JsonDocument Parse(string body)
    {
        try
        {
            return JsonDocument.Parse(body);
        }
        catch (JsonException e)
        {
            Assert.Fail($"not JSON ({e.Message}): {Shorten(body)}");
            throw;
        }
    }

    private static string Describe(HttpResponseMessage response, string body) =>
        $"got {(int)response.StatusCode} {response.RequestMessage?.Method} {response.RequestMessage?.RequestUri?.AbsolutePath}, " +
        $"Content-Type '{response.Content.Headers.ContentType}', body: {Shorten(body)}";

    private static string Shorten(string body) => body.Length <= 400 ? body : body[..400] + "…";

    [GeneratedRegex("^[0-9a-f]{32}$")]
    private static partial Regex LowerHex32();

    [GeneratedRegex("^[0-9a-fA-F]+$")]
    private static partial Regex Hex();

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")]
    private static partial Regex Rfc3339();

    [GeneratedRegex(@"\bat [\w.<>`]+\(.*\)( in .*:line \d+)?")]
    private static partial Regex StackFrame();
}

/// <summary>
/// AES Key Wrap as RFC 3394 section 2.2.1 and 2.2.2 define it (default IV A6A6A6A6A6A6A6A6), written for the tests so
/// that they do not use the service's own code to judge the service.
/// </summary>
public static class Rfc3394
{
    private static readonly byte[] DefaultIv = [0xA6, 0xA6, 0xA6, 0xA6, 0xA6, 0xA6, 0xA6, 0xA6];

    public static string Wrap(string kekHex, string keyHex) =>
        Convert.ToHexStringLower(Wrap(Convert.FromHexString(kekHex), Convert.FromHexString(keyHex)));

    /// <summary>The unwrapped key as lower-case hex, or null when the integrity check fails.</summary>
    public static string? Unwrap(string kekHex, string ekHex)
    {
        var key = Unwrap(Convert.FromHexString(kekHex), Convert.FromHexString(ekHex));
        return key is null ? null : Convert.ToHexStringLower(key);
    }

    public static byte[] Wrap(byte[] kek, byte[] plain)
    {
        var n = plain.Length / 8;
        using var aes = Aes.Create();
        aes.Key = kek;
        var a = (byte[])DefaultIv.Clone();
        var r = Enumerable.Range(0, n).Select(i => plain.AsSpan(i * 8, 8).ToArray()).ToArray();
        var block = new byte[16];
        for (var j = 0; j <= 5; j++)
        {
            for (var i = 1; i <= n; i++)
            {
                a.CopyTo(block, 0);
                r[i - 1].CopyTo(block, 8);
                var b = aes.EncryptEcb(block, PaddingMode.None);
                a = b[..8];
                Xor(a, (ulong)(n * j + i));
                r[i - 1] = b[8..];
            }
        }
        return a.Concat(r.SelectMany(x => x)).ToArray();
    }

    public static byte[]? Unwrap(byte[] kek, byte[] wrapped)
    {
        var n = wrapped.Length / 8 - 1;
        using var aes = Aes.Create();
        aes.Key = kek;
        var a = wrapped[..8];
        var r = Enumerable.Range(1, n).Select(i => wrapped.AsSpan(i * 8, 8).ToArray()).ToArray();
        var block = new byte[16];
        for (var j = 5; j >= 0; j--)
        {
            for (var i = n; i >= 1; i--)
            {
                Xor(a, (ulong)(n * j + i));
                a.CopyTo(block, 0);
                r[i - 1].CopyTo(block, 8);
                var b = aes.DecryptEcb(block, PaddingMode.None);
                a = b[..8];
                r[i - 1] = b[8..];
            }
        }
        return a.SequenceEqual(DefaultIv) ? r.SelectMany(x => x).ToArray() : null;
    }

    private static void Xor(byte[] a, ulong t)
    {
        for (var k = 7; k >= 0; k--, t >>= 8) a[k] ^= (byte)t;
    }
}
