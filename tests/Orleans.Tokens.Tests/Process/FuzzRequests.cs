using System.Net;
using System.Text;
using System.Text.Json;

namespace Orleans.Tokens.Tests.ProcessLevel;

/// <summary>
/// One generated request: its method, target, headers and body (decoded; <see cref="Chunked"/> asks for a chunked
/// framing), before <see cref="WireGenerator"/> frames it.
/// </summary>
internal sealed record FuzzRequest(string Method, string Path, string Target, (string Name, string Value)[] Headers, byte[]? Body, bool Chunked, bool WantsHtml, string Description)
{
    /// <summary>The paths of section 1 other than the token paths, with the methods each takes.</summary>
    public static readonly IReadOnlyDictionary<string, string[]> ServicePaths = new Dictionary<string, string[]>
    {
        ["/healthz"] = ["GET"],
        ["/readyz"] = ["GET"],
        ["/hms/wv/rights/"] = ["GET", "POST"],
        ["/hms/pr/rights"] = ["GET", "POST"],
        ["/hms/fp/rights/"] = ["GET", "POST"],
        ["/openapi.yaml"] = ["GET"],
    };

    /// <summary>Where a success answers a rights URL (section 2: Widevine and FairPlay), that URL's path; null for PlayReady's JSON.</summary>
    public string? RightsPath => Path switch
    {
        TokenRequests.WidevinePath => "/hms/wv/rights/",
        TokenRequests.FairPlayPath => "/hms/fp/rights/",
        _ => null,
    };

    public bool IsTokenPath => Path is TokenRequests.WidevinePath or TokenRequests.PlayReadyPath or TokenRequests.FairPlayPath;

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
        if (random.Next(100) == 0) return ServiceRequest();
        var drm = (Drm)random.Next(3);
        var widevine = drm == Drm.Widevine;
        var parameters = drm == Drm.FairPlay ? ValidFairPlay() : Valid(widevine);
        var notes = new List<string> { drm.Name() };
        var mutations = random.Next(10) == 0 ? 0 : 1 + random.Next(4);
        _longValues = 0;
        for (var i = 0; i < mutations; i++) notes.Add(Mutate(parameters));
        var wantsHtml = !parameters.Any(p => p.Name == "errorFormat" && p.Value == "json" && !p.Raw)
            && parameters.Count(p => p.Name == "errorFormat") <= 1;

        var path = drm switch { Drm.Widevine => TokenRequests.WidevinePath, Drm.PlayReady => TokenRequests.PlayReadyPath, _ => TokenRequests.FairPlayPath };
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
        if (transport < 95)
        {
            // A body over 64 KiB: 413 before anything is parsed.
            var padding = new string('a', 64 * 1024 + random.Next(1, 20_000));
            var body = Encoding.UTF8.GetBytes(Encode(parameters, query: false) + "&padding=" + padding);
            var chunked = random.Next(2) == 0;
            notes.Add($"POST form over 64 KiB{(chunked ? " chunked" : "")}");
            return new FuzzRequest("POST", path, path, [("Content-Type", "application/x-www-form-urlencoded")], body, chunked, wantsHtml, string.Join(' ', notes));
        }
        // Methods are case-sensitive (RFC 9110 §9.1): "get" and "Post" are not GET and POST.
        var method = Pick(["PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "FOO", "get", "post", "Get", "pOST", "head"]);
        notes.Add(method);
        byte[]? form = method.Equals("POST", StringComparison.OrdinalIgnoreCase) ? Encoding.UTF8.GetBytes(Encode(parameters, query: false)) : null;
        (string, string)[] formType = form is null ? [] : [("Content-Type", "application/x-www-form-urlencoded")];
        return new FuzzRequest(method, path, form is null ? path + "?" + Encode(parameters, query: true) : path, formType, form, false, wantsHtml, string.Join(' ', notes));
    }

    /// <summary>
    /// A request for one of <see cref="FuzzRequest.ServicePaths"/>: <c>GET /healthz</c>, or a method the path does not
    /// take, some only by case.
    /// </summary>
    private FuzzRequest ServiceRequest()
    {
        if (random.Next(4) == 0) return new FuzzRequest("GET", "/healthz", "/healthz", [], null, false, true, "service GET /healthz");
        var path = Pick(FuzzRequest.ServicePaths.Keys.ToArray());
        var method = Pick(["get", "Get", "post", "gET", "PUT", "DELETE", "PATCH", "head"]);
        return new FuzzRequest(method, path, path, [], null, false, true, $"service {method} {path}");
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
        if (random.Next(4) == 0) parameters.Add(random.Next(3) switch
        {
            0 => new("expirationTime", "+" + random.Next(1, 2_592_000)),
            // Section 14: a raw '+' (it decodes to a space) and fractional seconds of any length.
            1 => new("expirationTime", "+" + random.Next(1, 2_592_000), Raw: true),
            _ => new("expirationTime", DateTimeOffset.UtcNow.AddDays(random.Next(1, 29)).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'").Replace("Z", "." + Digits(random.Next(1, 40)) + "Z")),
        });
        if (random.Next(4) == 0) parameters.Add(new("useHttps", Pick(["true", "false", "True", "FALSE", "1", "0"])));
        if (random.Next(3) == 0) parameters.Add(new("errorFormat", random.Next(2) == 0 ? "json" : "html"));
        if (widevine)
        {
            parameters.Add(new("securityLevel", random.Next(1, 6).ToString()));
            parameters.Add(new("hdcpOutputControl", random.Next(0, 6).ToString()));
            if (random.Next(4) == 0) parameters.Add(new("licenseDuration", random.Next(1, 100_000).ToString()));
            if (random.Next(4) == 0) parameters.Add(new("generalFlags", Pick(["0", "1", "00000001"])));
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
            if (random.Next(4) == 0) parameters.Add(new("algId", Pick(["aesctr", "aescbc"])));
        }
        if (random.Next(5) == 0) Indexed(parameters, widevine);
        // The order of parameters on the wire is not part of the contract.
        return [.. parameters.OrderBy(_ => random.Next())];
    }

    /// <summary>Section 13: a valid FairPlay request, its key given, wrapped, or (kid alone) from key storage.</summary>
    private List<Param> ValidFairPlay()
    {
        var parameters = new List<Param> { new("customerAuthenticator", random.Next(20) == 0 ? customer.Test : customer.Production) };
        switch (random.Next(4))
        {
            case 0:
                parameters.Add(new("contentKey", Hex(32)));
                break;
            case 1:
                parameters.Add(new("kek", Kek));
                parameters.Add(new("ek", WrappedKey));
                break;
            case 2:
                parameters.Add(new("kid", Hex(32)));
                break;
            default:
                parameters.Add(new("kid", Hex(32)));
                parameters.Add(new("contentKey", Hex(32)));
                break;
        }
        parameters.Add(new("iv", Hex(32)));
        if (random.Next(3) == 0) parameters.Add(new("generalFlags", Pick(["0", "1"])));
        if (random.Next(3) == 0) parameters.Add(new("rentalDuration", random.Next(0, 100_000).ToString()));
        for (var i = random.Next(4) == 0 ? random.Next(1, 5) : 0; i > 0; i--)
            parameters.Add(new("fpExtension", RandomText("abcdefghijklmnopqrstuvwxyz", 4, 4) + "," + Base64(random.Next(1, 96))));
        if (random.Next(3) == 0) parameters.Add(new("cookie", RandomText(Printable, 1, 32)));
        if (random.Next(3) == 0) parameters.Add(new("errorFormat", random.Next(2) == 0 ? "json" : "html"));
        return [.. parameters.OrderBy(_ => random.Next())];
    }

    /// <summary>Section 14: the plain key replaced by 1–16 indexed keys, some with their own policy.</summary>
    private void Indexed(List<Param> parameters, bool widevine)
    {
        parameters.RemoveAll(p => p.Name is "kid" or "contentKey" or "kek" or "ek");
        for (var index = random.Next(1, 17) - 1; index >= 0; index--)
        {
            parameters.Add(new($"kid.{index}", Hex(32)));
            parameters.Add(new($"contentKey.{index}", Hex(32)));
            if (widevine)
            {
                if (random.Next(3) == 0) parameters.Add(new($"securityLevel.{index}", random.Next(1, 6).ToString()));
                if (random.Next(3) == 0) parameters.Add(new($"hdcpOutputControl.{index}", random.Next(0, 6).ToString()));
                if (random.Next(3) == 0) parameters.Add(new($"trackType.{index}", random.Next(0, 5).ToString()));
            }
            else if (random.Next(3) == 0) parameters.Add(new($"minCertSecurityLevel.{index}", Pick(["150", "2000", "3000"])));
        }
    }

    private string Mutate(List<Param> parameters)
    {
        // Earlier mutations may have removed every parameter (a FairPlay request can start with three).
        if (parameters.Count == 0)
        {
            parameters.Add(new(RandomName(), Hex(32)));
            return "extra name";
        }
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
                var forbidden = Pick(["deviceId", "kek", "ek", "contentKey", "extensionType", "extensionPayload", "wvExtension", "rental.periodEndTime", "rental.playDuration", "errorFormat", "useHttps", "algId", "kid.0", "contentKey.1", "kid.16", "trackType.0", "minCertSecurityLevel", "iv", "fpExtension", "rentalDuration"]);
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

    private string Digits(int count) => RandomText("0123456789", count, count);

    private string Base64(int bytes)
    {
        var buffer = new byte[bytes];
        random.NextBytes(buffer);
        return Convert.ToBase64String(buffer);
    }

    private T Pick<T>(T[] items) => items[random.Next(items.Length)];

    private sealed record Param(string Name, string Value, bool Raw = false);
}
