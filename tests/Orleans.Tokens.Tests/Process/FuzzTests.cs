using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using Xunit;
using Xunit.Abstractions;

namespace Orleans.Tokens.Tests.ProcessLevel;

/// <summary>
/// A few thousand random mutations of valid Widevine and PlayReady requests, sent over raw HTTP/1.1: every answer
/// is 200 with a token that opens, or one of the documented refusals of sections 1 and 2, never a 5xx.
/// The seed is printed; set PROCESS_FUZZ_SEED to replay a run, and PROCESS_FUZZ_DUMP=&lt;file&gt; to get every request
/// with its outcome.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class FuzzTests(ITestOutputHelper log)
{
    private const int Requests = 3000;

    /// <summary>Every code of section 6.</summary>
    private static readonly HashSet<int> DocumentedCodes =
    [
        -2002, -2005, -2008, -2017, -2018, -2019, -2020, -2021, -2022, -2025, -2027, -2030, -2031, -2033, -2034, -2035,
        -2036, -2037, -2040, -3004, -4010, -4018, -4019, -4020, -4021, -4022, -4024, -5001, -5002, -5003, -5004, -5005,
        -5006, -5007, -6005, -6007, -7002, -7003, -7004, -7006, -7007, -7008, -7009, -7011,
    ];

    [Fact]
    public async Task Random_mutations_of_valid_requests_get_200_or_a_documented_refusal_and_never_a_5xx()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("PROCESS_FUZZ_SEED"), out var given) ? given : Random.Shared.Next();
        log.WriteLine($"fuzz seed {seed} (PROCESS_FUZZ_SEED={seed} replays this run)");

        await using var gateway = await GatewayProcess.StartAsync(log);
        var customer = await gateway.Admin.CreateCustomerAsync(4300001, balance: 1_000_000);
        var ring = gateway.LoadKeyRing();
        var generator = new RequestGenerator(new Random(seed), customer);
        var cases = Enumerable.Range(0, Requests).Select(_ => generator.Next()).ToList();

        var failures = new ConcurrentQueue<(string Kind, string Example)>();
        var outcomes = new ConcurrentDictionary<string, int>();
        var watch = Stopwatch.StartNew();
        await Parallel.ForEachAsync(cases, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (request, cancel) =>
        {
            RawResponse response;
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancel);
                timeout.CancelAfter(TimeSpan.FromSeconds(30));
                response = await RawHttp.SendAsync(gateway.HttpPort, request.Method, request.Target, request.Headers, request.Body, request.Chunked, timeout.Token);
            }
            catch (Exception exception) when (exception is IOException or System.Net.Sockets.SocketException or InvalidDataException or FormatException or OperationCanceledException)
            {
                failures.Enqueue(($"no HTTP answer ({exception.GetType().Name})", $"{request}\n  → {exception.Message}"));
                return;
            }
            var problem = Judge(request, response, ring, gateway.BaseUrl, out var outcome);
            outcomes.AddOrUpdate(outcome, 1, (_, n) => n + 1);
            if (Environment.GetEnvironmentVariable("PROCESS_FUZZ_DUMP") is { Length: > 0 } dump)
                lock (failures) File.AppendAllText(dump, $"{outcome}\t{request}\n");
            if (problem is not null) failures.Enqueue(($"{response.Status} {response.ContentType ?? "without Content-Type"}: {problem}", $"{request}\n  → {response.Status} {response.ContentType ?? "without Content-Type"}: {Shorten(response.Body, 300)}"));
        });
        log.WriteLine($"{Requests} requests in {watch.ElapsedMilliseconds} ms; outcomes: " +
            string.Join(", ", outcomes.OrderByDescending(o => o.Value).Select(o => $"{o.Key}×{o.Value}")));

        Assert.True(outcomes.GetValueOrDefault("200") > 0, $"seed {seed}: no request succeeded, so the mutations never left a valid request");
        // One line per kind of violation with its count, then up to two examples of each kind.
        var kinds = failures.GroupBy(f => f.Kind).OrderByDescending(g => g.Count()).ToList();
        Assert.True(failures.IsEmpty,
            $"seed {seed} (PROCESS_FUZZ_SEED={seed} replays): {failures.Count} of {Requests} answers break sections 1–2:\n" +
            string.Join("\n", kinds.Select(k => $"  {k.Count()} × {k.Key}")) + "\n\nexamples:\n\n" +
            string.Join("\n\n", kinds.SelectMany(k => k.Take(2).Select(f => $"[{k.Key}]\n{f.Example}"))));
    }

    /// <summary>Null when the answer is one the contract allows for this request; otherwise why not.</summary>
    private static string? Judge(FuzzRequest request, RawResponse response, TokenKeyRing ring, Uri baseUrl, out string outcome)
    {
        var status = response.Status;
        outcome = status.ToString();
        var contentType = response.ContentType ?? "";
        if (status >= 500) return "a 5xx: the contract allows no server error for a request the client can repair";

        // Section 1: limits first, before anything is parsed; method and path next.
        if (request.TargetLength > 8 * 1024)
            return status == 414 && contentType.StartsWith("text/plain") ? null : "a request target over 8 KiB must get 414 text/plain";
        if (status == 414) return "414 for a request target of at most 8 KiB";
        if (request.BodyLength > 64 * 1024)
            return status == 413 && contentType.StartsWith("text/plain") ? null : "a body over 64 KiB must get 413 text/plain";
        if (status == 413) return "413 for a body of at most 64 KiB";
        if (!request.IsTokenPath)
            return status == 404 && contentType.StartsWith("text/plain") ? null : "any other path must get 404 text/plain";
        if (request.Method is not ("GET" or "POST"))
            return status == 405 && contentType.StartsWith("text/plain") ? null : "any other method on a token path must get 405 text/plain";

        switch (status)
        {
            case 200:
                string? token;
                if (request.Widevine)
                {
                    var prefix = new Uri(baseUrl, "/hms/wv/rights/") + "?ExpressPlayToken=";
                    if (!contentType.StartsWith("text/uri-list") || !response.Body.StartsWith(prefix) || !response.Body.EndsWith("\r\n"))
                        return "a Widevine success is text/uri-list {WidevineRightsUrl}?ExpressPlayToken={token} CRLF";
                    token = response.Body[prefix.Length..^2];
                }
                else
                {
                    if (!contentType.StartsWith("application/json")) return "a PlayReady success is application/json";
                    try
                    {
                        using var document = JsonDocument.Parse(response.Body);
                        token = document.RootElement.GetProperty("token").GetString();
                    }
                    catch (Exception exception) when (exception is JsonException or KeyNotFoundException or InvalidOperationException)
                    {
                        return "a PlayReady success carries {\"licenseAcquisitionUrl\",\"token\"}";
                    }
                }
                if (token is null || token.Length > 2048 || !TokenRequests.Base64UrlNoPadding().IsMatch(token))
                    return "the token is not base64url without padding of at most 2,048 characters";
                return ring.Open(token, DateTimeOffset.UtcNow, out var reason) is null ? $"the minted token does not open: {reason}" : null;
            case 400 or 401:
                var json = contentType.StartsWith("application/json");
                var html = contentType.StartsWith("text/html");
                if (!json && !html) return "an error is application/json or text/html";
                var code = new MintAnswer((HttpStatusCode)status, contentType, response.Body).ErrorCode;
                outcome = $"{status}/{code}";
                if (code is null || !DocumentedCodes.Contains(code.Value)) return "the errorCode is not one of section 6";
                if (code is -2030 or -7008) return $"{code} is a 500/503 code, not {status}";
                if ((status == 401) != (code is -2017 or -2018)) return $"{code} with {status}: 401 is for -2017 and -2018 exactly";
                if (html && response.Body.Contains("<script", StringComparison.OrdinalIgnoreCase))
                    return "the HTML error reflects raw input";
                if (json && request.WantsHtml) return "errorFormat was not json, yet the error is JSON";
                return null;
            case 404:
                return "404 on a token path";
            case 405:
                return "405 for GET or POST";
            default:
                return $"status {status} is not among the contract's answers";
        }
    }

    private static string Shorten(string text, int length) => text.Length <= length ? text : text[..length] + "…";
}

/// <summary>One generated request, as it goes on the wire.</summary>
internal sealed record FuzzRequest(string Method, string Path, string Target, (string Name, string Value)[] Headers, byte[]? Body, bool Chunked, bool WantsHtml, string Description)
{
    public bool Widevine => Path.StartsWith(TokenRequests.WidevinePath, StringComparison.OrdinalIgnoreCase);

    public bool IsTokenPath => Path is TokenRequests.WidevinePath or TokenRequests.PlayReadyPath;

    public int TargetLength => Target.Length;

    public int BodyLength => Body?.Length ?? 0;

    public override string ToString()
    {
        var body = Body is null ? "" : $" body[{Body.Length}{(Chunked ? ", chunked" : "")}]={Encoding.UTF8.GetString(Body, 0, Math.Min(Body.Length, 400))}";
        var target = Target.Length <= 600 ? Target : Target[..600] + $"…({Target.Length})";
        var headers = string.Concat(Headers.Select(h => $" [{h.Name}: {h.Value}]"));
        return $"{Description}: {Method} {target}{headers}{body}";
    }
}

/// <summary>Mutations of valid requests, all decided by one seeded <see cref="Random"/>.</summary>
internal sealed class RequestGenerator(Random random, Customer customer)
{
    private const string Kek = "000102030405060708090A0B0C0D0E0F";
    private const string WrappedKey = "1FA68B0A8112B447AEF34BD8FB5A7B829D3E862371D2CFE5";

    /// <summary>Values inserted into the request verbatim: odd or broken percent-encodings.</summary>
    private static readonly string[] RawGarbage =
    [
        "%", "%%", "%zz", "%2", "a%", "%00", "%C3%28", "%FF%FE", "%ED%A0%80", "%F0%9F%98%80", "%E2%82%AC", "+", "%2B",
        "++", "&", "=", "==", "%26", "%3D", ";", "%0d%0a", "%0A", "%09", "%7F", "%u0041", "%%41", "%c0%af", "%F4%90%80%80",
    ];

    /// <summary>Values that are encoded before they go out.</summary>
    private static readonly string[] TextGarbage =
    [
        " ", "-1", "0", "00", "1", "6", "-0", "+1", "99999999999999999999999999", "2147483648", "1.5", "1e3", "0x1", "NaN",
        "null", "true", "<script>alert(1)</script>", "\"'", "\\", "€", "😀", "\u0000", "\uFFFF", "\u00e9", "abc", "^", "^x",
        "+0", "+-1", "+2592001", "2006-04-14T12:01:10Z", "9999-12-31T23:59:59Z", "2099-01-01t00:00:00z", ",", "abcd,",
        ",AAAA", "abcd,AAAA", "abcd,AAA=", "abc,AAAA", "Rental", "BuyToOwn", "json", "html", "JSON", "xml", "Allow", "SDOnly",
        "FFFFFFFF", "0000000", "1,", "1,abc", "0123,00000000000000000000000000000000", "a b", "\r\n", "\t",
    ];

    /// <summary>
    /// The next request. Targets stay far below Kestrel's own request-line limit (64 KiB in the gateway): over
    /// 8 KiB the contract wants the gateway's 414, and that is what is tested, not Kestrel's.
    /// </summary>
    public FuzzRequest Next()
    {
        while (true)
        {
            var request = Generate();
            if (request.TargetLength <= 40 * 1024) return request;
        }
    }

    private FuzzRequest Generate()
    {
        var widevine = random.Next(2) == 0;
        var parameters = Valid(widevine);
        var notes = new List<string> { widevine ? "wv" : "pr" };
        var mutations = random.Next(10) == 0 ? 0 : 1 + random.Next(4);
        _longValues = 0;
        for (var i = 0; i < mutations; i++) notes.Add(Mutate(parameters));
        var wantsHtml = !parameters.Any(p => p.Name == "errorFormat" && p.Value == "json" && !p.Raw)
            && parameters.Count(p => p.Name == "errorFormat") <= 1;

        var path = widevine ? TokenRequests.WidevinePath : TokenRequests.PlayReadyPath;
        if (random.Next(60) == 0)
        {
            path = Pick(["/hms/xx/token", "/hms/wv/tokens", "/hms/token", "/", "/hms/pr/token.json"]);
            notes.Add("other path");
        }

        var transport = random.Next(100);
        if (transport < 45)
        {
            notes.Add("GET");
            return new FuzzRequest("GET", path, path + "?" + Encode(parameters, query: true), [], null, false, wantsHtml, string.Join(' ', notes));
        }
        if (transport < 80)
        {
            var split = parameters.Select(_ => random.Next(6) == 0).ToList();
            var inQuery = parameters.Where((_, i) => split[i]).ToList();
            var inBody = parameters.Where((_, i) => !split[i]).ToList();
            var contentType = Pick(["application/x-www-form-urlencoded", "application/x-www-form-urlencoded; charset=utf-8",
                "APPLICATION/X-WWW-FORM-URLENCODED", "application/x-www-form-urlencoded;charset=ISO-8859-1"]);
            var chunked = random.Next(8) == 0;
            var body = Encoding.UTF8.GetBytes(Encode(inBody, query: false));
            notes.Add($"POST form{(chunked ? " chunked" : "")}");
            var target = inQuery.Count == 0 ? path : path + "?" + Encode(inQuery, query: true);
            return new FuzzRequest("POST", path, target, [("Content-Type", contentType)], body, chunked, wantsHtml, string.Join(' ', notes));
        }
        if (transport < 94)
        {
            // Not a form: the body has no parameters, whatever it holds; some parameters may still be in the query.
            var contentType = Pick(["application/json", "text/plain", "multipart/form-data; boundary=xyz", "application/octet-stream",
                "application/x-www-form-urlencodedx", "text/html", ""]);
            var inQuery = parameters.Where(_ => random.Next(2) == 0).ToList();
            var body = random.Next(2) == 0
                ? Encoding.UTF8.GetBytes(Encode(parameters, query: false))
                : Encoding.UTF8.GetBytes(JsonSerializer.Serialize(parameters.ToDictionary(p => p.Name + random.Next(), p => p.Value)));
            notes.Add($"POST {(contentType.Length == 0 ? "without content type" : contentType)}");
            var target = inQuery.Count == 0 ? path : path + "?" + Encode(inQuery, query: true);
            (string, string)[] headers = contentType.Length == 0 ? [] : [("Content-Type", contentType)];
            return new FuzzRequest("POST", path, target, headers, body, false, wantsHtml, string.Join(' ', notes));
        }
        if (transport < 97)
        {
            // A body over 64 KiB: 413 before anything is parsed.
            var padding = new string('a', 64 * 1024 + random.Next(1, 20_000));
            var body = Encoding.UTF8.GetBytes(Encode(parameters, query: false) + "&padding=" + padding);
            var chunked = random.Next(2) == 0;
            notes.Add($"POST form over 64 KiB{(chunked ? " chunked" : "")}");
            return new FuzzRequest("POST", path, path, [("Content-Type", "application/x-www-form-urlencoded")], body, chunked, wantsHtml, string.Join(' ', notes));
        }
        var method = Pick(["PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "FOO"]);
        notes.Add(method);
        return new FuzzRequest(method, path, path + "?" + Encode(parameters, query: true), [], null, false, wantsHtml, string.Join(' ', notes));
    }

    private int _longValues;

    private List<Param> Valid(bool widevine)
    {
        var parameters = new List<Param> { new("customerAuthenticator", random.Next(20) == 0 ? customer.Test : customer.Production) };
        parameters.Add(new("kid", random.Next(4) == 0 ? "^" + RandomText("abcdefghijklmnopqrstuvwxyz0123456789-", 1, 64) : Hex(32)));
        if (random.Next(5) == 0)
        {
            parameters.Add(new("kek", random.Next(2) == 0 ? Kek : Kek.ToLowerInvariant()));
            parameters.Add(new("ek", WrappedKey));
        }
        else parameters.Add(new("contentKey", Hex(32)));
        if (random.Next(3) == 0) parameters.Add(new("contentId", RandomText(Printable, 1, 256)));
        if (random.Next(3) == 0) parameters.Add(new("cookie", RandomText(Printable, 1, 32)));
        if (random.Next(4) == 0) parameters.Add(new("expirationTime", random.Next(2) == 0 ? "+" + random.Next(1, 2_592_000) : DateTimeOffset.UtcNow.AddDays(random.Next(1, 29)).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'")));
        if (random.Next(3) == 0) parameters.Add(new("errorFormat", random.Next(2) == 0 ? "json" : "html"));
        if (widevine)
        {
            parameters.Add(new("securityLevel", random.Next(1, 6).ToString()));
            parameters.Add(new("hdcpOutputControl", random.Next(0, 3).ToString()));
            if (random.Next(4) == 0) parameters.Add(new("licenseDuration", random.Next(1, 100_000).ToString()));
            if (random.Next(4) == 0) parameters.Add(new("generalFlags", "0"));
            for (var i = random.Next(4) == 0 ? random.Next(1, 5) : 0; i > 0; i--)
                parameters.Add(new("wvExtension", RandomText("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", 4, 4) + "," + Base64(random.Next(1, 96))));
        }
        else
        {
            var rental = random.Next(3) == 0;
            parameters.Add(new("rightsType", rental ? "Rental" : "BuyToOwn"));
            if (rental)
            {
                parameters.Add(new("generalFlags", "1"));
                parameters.Add(new("rental.periodEndTime", "+" + random.Next(60, 1_000_000)));
                if (random.Next(2) == 0) parameters.Add(new("rental.playDuration", random.Next(1, 100_000).ToString()));
            }
            foreach (var opl in new[] { "analogVideoOPL", "compressedDigitalAudioOPL", "compressedDigitalVideoOPL", "uncompressedDigitalAudioOPL", "uncompressedDigitalVideoOPL" })
                parameters.Add(new(opl, random.Next(0, 1000).ToString()));
            if (random.Next(4) == 0) parameters.Add(new("unknownOutputBehavior", Pick(["Allow", "Disallow", "SDOnly"])));
            if (random.Next(4) == 0) parameters.Add(new("outputControlFlags", Hex(8)));
            if (random.Next(5) == 0)
            {
                parameters.Add(new("extensionType", RandomText("abcdefghijklmnopqrstuvwxyz", 4, 4)));
                parameters.Add(new("extensionPayload", Base64(random.Next(1, 96))));
            }
            if (random.Next(4) == 0) parameters.Add(new("deviceId", Hex(32)));
        }
        // The order of parameters on the wire is not part of the contract.
        return [.. parameters.OrderBy(_ => random.Next())];
    }

    private string Mutate(List<Param> parameters)
    {
        var index = random.Next(parameters.Count);
        var target = parameters[index];
        switch (random.Next(10))
        {
            case 0:
                parameters[index] = target with { Value = Pick(RawGarbage) + (random.Next(3) == 0 ? Pick(RawGarbage) : ""), Raw = true };
                return $"raw({target.Name})";
            case 1:
                parameters[index] = target with { Value = Pick(TextGarbage), Raw = false };
                return $"garbage({target.Name})";
            case 2:
                parameters.RemoveAt(index);
                return $"remove({target.Name})";
            case 3:
                parameters.Insert(random.Next(parameters.Count + 1), random.Next(2) == 0 ? target : target with { Value = Pick(TextGarbage), Raw = false });
                return $"repeat({target.Name})";
            case 4 when _longValues++ == 0:
                var length = random.Next(100, 6 * 1024);
                parameters[index] = target with { Value = random.Next(3) switch { 0 => Hex(length), 1 => RandomText(Printable, length, length), _ => RandomUnicode(length / 3) }, Raw = false };
                return $"long({target.Name},{length})";
            case 5:
                parameters.Insert(random.Next(parameters.Count + 1), new(RandomName(), random.Next(2) == 0 ? Pick(TextGarbage) : Hex(32)));
                return "extra name";
            case 6:
                parameters[index] = target with { Value = "", Raw = false };
                return $"empty({target.Name})";
            case 7:
                parameters[index] = target with { Name = random.Next(2) == 0 ? target.Name.ToUpperInvariant() : target.Name + Pick([" ", "[]", ".", "%00"]) };
                return $"rename({target.Name})";
            case 8:
                var value = target.Value;
                var at = value.Length == 0 ? 0 : random.Next(value.Length);
                var encoded = target.Raw ? (value[..at], value[at..]) : (Uri.EscapeDataString(value[..at]), Uri.EscapeDataString(value[at..]));
                parameters[index] = target with { Value = encoded.Item1 + Pick(["%", "%zz", "%00", "+", "%C3%28", "&", "="]) + encoded.Item2, Raw = true };
                return $"splice({target.Name})";
            default:
                var forbidden = Pick(["deviceId", "kek", "ek", "contentKey", "extensionType", "extensionPayload", "wvExtension", "rental.periodEndTime", "rental.playDuration", "errorFormat"]);
                parameters.Insert(random.Next(parameters.Count + 1), new(forbidden, random.Next(2) == 0 ? Hex(32) : Pick(TextGarbage)));
                return $"add({forbidden})";
        }
    }

    /// <summary>
    /// Name=value pairs joined by '&amp;'. A raw value goes out as it is (raw values are printable ASCII); others are
    /// encoded in one of several correct ways, and in a body sometimes left as UTF-8 with only the delimiters escaped.
    /// </summary>
    private string Encode(List<Param> parameters, bool query)
    {
        var builder = new StringBuilder();
        foreach (var parameter in parameters)
        {
            if (builder.Length > 0) builder.Append('&');
            builder.Append(EncodeText(parameter.Name, query)).Append('=');
            builder.Append(parameter.Raw ? parameter.Value : EncodeText(parameter.Value, query));
        }
        return builder.ToString();
    }

    private string EncodeText(string text, bool query)
    {
        switch (random.Next(query ? 3 : 4))
        {
            case 0:
                return WebUtility.UrlEncode(text); // spaces as '+'
            case 1:
                return string.Concat(Encoding.UTF8.GetBytes(text).Select(b => "%" + b.ToString("x2"))); // lower-case hex, every byte
            case 2:
                return Uri.EscapeDataString(text);
            default:
                return text.Replace("%", "%25").Replace("&", "%26").Replace("=", "%3D").Replace("+", "%2B"); // raw UTF-8 in a body
        }
    }

    private const string Printable = " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~";

    private string RandomName() => random.Next(4) switch
    {
        0 => RandomText("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", 1, 20),
        1 => Pick(["KID", "Kid", "kid ", "customerauthenticator", "content_key", "wvextension", "rental.periodendtime", "ExpressPlayToken", "_", "."]),
        2 => RandomUnicode(random.Next(1, 8)),
        _ => RandomText(Printable, 1, 12),
    };

    private string RandomUnicode(int length)
    {
        var builder = new StringBuilder();
        while (builder.Length < length)
        {
            var codePoint = random.Next(4) switch
            {
                0 => random.Next(0x20, 0x7F),
                1 => random.Next(0xA0, 0x800),
                2 => random.Next(0x800, 0xD800),
                _ => random.Next(0x10000, 0x110000),
            };
            builder.Append(char.ConvertFromUtf32(codePoint));
        }
        return builder.ToString();
    }

    private string RandomText(string alphabet, int min, int max)
    {
        var length = random.Next(min, max + 1);
        return string.Create(length, (alphabet, random), (span, state) =>
        {
            for (var i = 0; i < span.Length; i++) span[i] = state.alphabet[state.random.Next(state.alphabet.Length)];
        });
    }

    private string Hex(int digits) => RandomText("0123456789abcdefABCDEF", digits, digits);

    private string Base64(int bytes)
    {
        var buffer = new byte[bytes];
        random.NextBytes(buffer);
        return Convert.ToBase64String(buffer);
    }

    private T Pick<T>(T[] items) => items[random.Next(items.Length)];

    private sealed record Param(string Name, string Value, bool Raw = false);
}
