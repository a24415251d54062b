using System.Net;
using System.Text;
using Orleans.Tokens.Tests.Contract;
using Orleans.Tokens.Tests.Infrastructure;
using Xunit.Abstractions;
using static Orleans.Tokens.Tests.Redemption.Redeem;

namespace Orleans.Tokens.Tests.Redemption;

/// <summary>
/// Contract section 8 under 3,000 mutated rights requests on the three rights URLs of <see cref="RedemptionGateway"/>
/// (Clear Key on Widevine's and its own, forwarding on PlayReady's, to an upstream that answers every forwarded
/// request 200): bad tokens (changed, cut, lengthened, random, huge, with line ends, in the query, a header or a SOAP
/// body), huge or malformed challenges (JSON of the wrong shape, deep or wide, random bytes, broken SOAP, XML
/// entities) and bodies over the limit. Every answer is one the contract documents — a license (200), a refused token
/// (400 -4010), a challenge the issuer cannot read (400 -7008), 413 for a body over 64 KiB — never a 5xx; an error
/// body never carries the request's own text (a marker put in every mutation). Seeded, so a failure replays; the seed
/// is printed.
/// </summary>
[Collection(RedemptionCollection.Name)]
public sealed class RightsFuzzTests(RedemptionGateway gateway, ITestOutputHelper log)
{
    private const int Cases = 3_000;
    private const string Marker = "FuzzMarker";
    private static readonly string[] Paths = [WidevineRights, PlayReadyRights, ClearKeyRights];

    [Fact]
    public async Task Three_thousand_mutated_rights_requests_get_documented_answers_and_no_5xx()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("RIGHTS_FUZZ_SEED"), out var given) ? given : 20261130;
        log.WriteLine($"seed {seed} (RIGHTS_FUZZ_SEED replays it)");
        var random = new Random(seed);
        var customer = await gateway.CreateCustomerAsync();
        var tokens = new Dictionary<string, string>
        {
            [WidevineRights] = await MintAsync(gateway, customer, Drm.Widevine),
            [PlayReadyRights] = await MintAsync(gateway, customer, Drm.PlayReady),
            [ClearKeyRights] = await MintClearKeyAsync(gateway, Widevine(customer.Authenticator)),
        };
        var seen = new Dictionary<string, int>();
        var failures = new List<string>();
        for (var i = 0; i < Cases; i++)
        {
            var path = Paths[random.Next(Paths.Length)];
            var (request, what) = Mutated(random, path, tokens[path]);
            using var response = await gateway.Client.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            var verdict = Judge(response, body);
            seen[verdict] = seen.GetValueOrDefault(verdict) + 1;
            if (verdict.StartsWith("BAD", StringComparison.Ordinal) && failures.Count < 10)
                failures.Add($"case {i} ({what} on {path}): {verdict}: {(int)response.StatusCode} {body[..Math.Min(body.Length, 300)]}");
        }
        log.WriteLine(string.Join("\n", seen.OrderByDescending(pair => pair.Value).Select(pair => $"{pair.Value,6}  {pair.Key}")));
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.Equal(Cases, seen.Values.Sum());
    }

    /// <summary>What an answer is: a documented one, or BAD and why.</summary>
    private static string Judge(HttpResponseMessage response, string body)
    {
        var status = (int)response.StatusCode;
        if (status >= 500) return "BAD: a 5xx";
        if (body.Contains(Marker, StringComparison.Ordinal)) return "BAD: the request's text in the answer";
        return status switch
        {
            200 => "200 license",
            413 => "413 body too large",
            400 when body.Contains("-4010", StringComparison.Ordinal) => "400 -4010 bad token",
            400 when body.Contains("-7008", StringComparison.Ordinal) => "400 -7008 bad challenge",
            _ => $"BAD: {status} undocumented here",
        };
    }

    /// <summary>One mutated rights request for <paramref name="path"/>, and what was done to it.</summary>
    private static (HttpRequestMessage Request, string What) Mutated(Random random, string path, string token)
    {
        var (tokenText, tokenWhat) = random.Next(3) == 0 ? (token, "good token") : MutatedToken(random, token);
        var (body, bodyWhat) = Challenge(random, path, tokenText);
        var where = random.Next(4);
        // A header carries what HTTP lets it (no line ends, ASCII); the rest goes in the query.
        var header = where == 0 && tokenText.All(c => c is >= ' ' and <= '~' or '\t');
        var query = header ? "" : $"?ExpressPlayToken={Uri.EscapeDataString(tokenText)}";
        var request = new HttpRequestMessage(body is null && random.Next(2) == 0 ? HttpMethod.Get : HttpMethod.Post, path + query);
        if (header) request.Headers.TryAddWithoutValidation(RightsToken, tokenText);
        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.TryAddWithoutValidation("Content-Type",
                Pick(random, ["application/json", "text/xml; charset=utf-8", "application/octet-stream", "application/x-www-form-urlencoded", "nonsense/;;"]));
        }
        return (request, $"{tokenWhat}, {bodyWhat}, token {(header ? "in a header" : "in the query")}");
    }

    private const string RightsToken = "ExpressPlayToken";

    private static (string Token, string What) MutatedToken(Random random, string token)
    {
        var at = random.Next(token.Length);
        return random.Next(9) switch
        {
            0 => (token[..at] + (token[at] == 'A' ? 'B' : 'A') + token[(at + 1)..], "one character changed"),
            1 => (token[..at], "cut"),
            2 => (token + Marker, "lengthened"),
            3 => (Convert.ToBase64String(RandomBytes(random, random.Next(1, 600))).TrimEnd('=').Replace('+', '-').Replace('/', '_'), "random base64url"),
            4 => (new string('A', 3000 + random.Next(3000)), "huge"),
            5 => (token + Pick(random, ["\r\n", " \t", "%0D%0A", "\n\n"]), "line ends after it"),
            6 => (Marker + "<script>&\"'", "markup"),
            7 => ("é€" + Marker + "\u0001", "not ASCII"),
            _ => ("", "empty"),
        };
    }

    /// <summary>A challenge body (null: none), for Clear Key's JSON or PlayReady's SOAP, mutated or not.</summary>
    private static (byte[]? Body, string What) Challenge(Random random, string path, string token)
    {
        var kid = Base64Url(Convert.FromHexString(ValidRequests.Kid));
        return random.Next(14) switch
        {
            0 => (null, "no body"),
            1 => (Utf8($$"""{"kids":["{{kid}}"],"type":"temporary"}"""), "good Clear Key request"),
            2 => (Utf8($$"""{"kids":["{{kid}}", "{{Marker}}"],"type":"temporary"}"""), "a kid that is not base64url of 16 bytes"),
            3 => (Utf8($$"""{"kids":{{Pick(random, ["1", "null", "\"x\"", "[[]]", "[1]", "{}"])}},"type":"temporary"}"""), "kids of the wrong type"),
            4 => (Utf8($$"""{"kids":["{{kid}}"],"type":"{{Marker}}"}"""), "an unknown type"),
            5 => (Utf8(new string('[', 5000) + new string(']', 5000)), "JSON nested 5,000 deep"),
            6 => (Utf8("{\"kids\":[" + string.Join(",", Enumerable.Repeat($"\"{kid}\"", 3000)) + "]}"), "3,000 kids"),
            7 => (RandomBytes(random, random.Next(1, 4000)), "random bytes"),
            8 => (Utf8($"<soap:Envelope><soap:Body><CustomData>{token}</CustomData>"), "SOAP not closed"),
            9 => (Utf8($"<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><Challenge><CustomData>&e;{Marker}</CustomData></Challenge>"), "SOAP with an external entity"),
            10 => (Utf8($"<Challenge><CustomData>ExpressPlayToken={token}</CustomData><Data>{Marker}</Data></Challenge>"), "SOAP with the token"),
            11 => (new byte[64 * 1024 + 1 + random.Next(1000)], "a body over 64 KiB"),
            12 => (Utf8(Marker + new string('x', random.Next(60_000))), "a large text body"),
            _ => (Utf8("{" + Marker), "JSON cut"),
        };
    }

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    private static byte[] RandomBytes(Random random, int count)
    {
        var bytes = new byte[count];
        random.NextBytes(bytes);
        return bytes;
    }

    private static T Pick<T>(Random random, T[] choices) => choices[random.Next(choices.Length)];
}
