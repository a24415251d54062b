using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Xunit;
using Xunit.Abstractions;

namespace Orleans.Tokens.Tests.ProcessLevel;

/// <summary>Contract section 7: the form of tokens, their uniqueness, and that any change or expiry makes one invalid.</summary>
[Collection(ProcessCollection.Name)]
public sealed class TokenTests(ITestOutputHelper log)
{
    private const string Base64UrlAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    [Fact]
    public async Task Ten_thousand_minted_tokens_are_distinct_base64url_within_2048_characters()
    {
        const int count = 10_000;
        await using var gateway = await GatewayProcess.StartAsync(log);
        var customer = await gateway.Admin.CreateCustomerAsync(4200001, balance: count);
        var query = TokenRequests.WidevinePath + "?" + TokenRequests.Query(
            TokenRequests.Widevine(customer.Production, TokenRequests.RandomHex(16), TokenRequests.RandomHex(16)));

        var tokens = new ConcurrentBag<string>();
        var failures = new ConcurrentBag<string>();
        var watch = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (_, cancel) =>
        {
            using var response = await gateway.Http.GetAsync(query, cancel);
            var answer = await MintAnswer.ReadAsync(response);
            if (answer.Status == HttpStatusCode.OK) tokens.Add(answer.WidevineToken(gateway.BaseUrl));
            else failures.Add(answer.ToString());
        });
        log.WriteLine($"{count} mints with 16 in parallel took {watch.ElapsedMilliseconds} ms");

        Assert.True(failures.IsEmpty, $"{failures.Count} mints were not 200, e.g. {failures.FirstOrDefault()}");
        Assert.Equal(count, tokens.Count);
        Assert.Equal(count, tokens.Distinct(StringComparer.Ordinal).Count());
        foreach (var token in tokens)
        {
            Assert.True(token.Length <= 2048, $"token of {token.Length} characters");
            Assert.Matches(TokenRequests.Base64UrlNoPadding(), token);
        }

        // Exactly one token was debited per mint: the balance is spent and the next mint is refused.
        Assert.Equal(0, await gateway.Admin.ProductionBalanceAsync(customer.Id));
        using var last = await gateway.Http.GetAsync(query + "&errorFormat=json");
        var refused = await MintAnswer.ReadAsync(last);
        Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
        Assert.Equal(-2019, refused.ErrorCode);
    }

    /// <summary>
    /// Every position of three Widevine tokens and a PlayReady token, replaced by each of the 63 other base64url characters,
    /// is refused by the key ring the gateway uses (the one `token inspect` opens tokens with); the first, middle and
    /// last positions also through the real `admin token inspect`, which must exit non-zero with -4010.
    /// </summary>
    [Fact]
    public async Task Changing_any_character_of_a_token_makes_it_invalid()
    {
        await using var gateway = await GatewayProcess.StartAsync(log);
        var customer = await gateway.Admin.CreateCustomerAsync(4200002, balance: 30);
        var kid = TokenRequests.RandomHex(16);
        // A token whose length is 2 or 3 mod 4 ends on a character with unused low bits: a decoder that ignores
        // those bits would accept a changed last character. Mint with cookies of growing length until the
        // Widevine tokens cover every length mod 4 that base64url without padding has (0, 2 and 3).
        var byRemainder = new SortedDictionary<int, string>();
        for (var cookieLength = 1; byRemainder.Count < 3 && cookieLength <= 24; cookieLength++)
        {
            var token = (await TokenRequests.GetAsync(gateway.Http, TokenRequests.WidevinePath,
                [.. TokenRequests.Widevine(customer.Production, kid, TokenRequests.RandomHex(16)), new("contentId", "movie-1"), new("cookie", new string('c', cookieLength))]))
                .WidevineToken(gateway.BaseUrl);
            byRemainder.TryAdd(token.Length % 4, token);
        }
        Assert.Equal([0, 2, 3], byRemainder.Keys);
        var tokens = byRemainder.Values.ToList();
        tokens.Add((await TokenRequests.PostAsync(gateway.Http, TokenRequests.PlayReadyPath,
            TokenRequests.PlayReady(customer.Production, kid, TokenRequests.RandomHex(16))))
            .PlayReadyToken(gateway.BaseUrl));
        log.WriteLine("token lengths: " + string.Join(", ", tokens.Select(t => $"{t.Length} (mod 4 = {t.Length % 4})")));
        var widevine = tokens[0];

        var ring = gateway.LoadKeyRing();
        var now = DateTimeOffset.UtcNow;
        var accepted = new List<string>();
        foreach (var token in tokens)
        {
            Assert.True(ring.Open(token, now, out var reason) is not null, $"the unchanged token does not open: {reason}");
            for (var position = 0; position < token.Length; position++)
            {
                foreach (var replacement in Base64UrlAlphabet)
                {
                    if (replacement == token[position]) continue;
                    var changed = token[..position] + replacement + token[(position + 1)..];
                    if (ring.Open(changed, now, out _) is not null)
                        accepted.Add($"position {position} of {token.Length}: '{token[position]}' → '{replacement}'");
                }
            }
        }
        Assert.True(accepted.Count == 0,
            $"{accepted.Count} changed tokens still open, e.g.:\n{string.Join('\n', accepted.Take(10))}");

        var original = await gateway.Admin.InspectAsync(widevine);
        Assert.True(original.ExitCode == 0, original.ToString());
        Assert.Equal(kid, original.Json.GetProperty("kid").GetString());
        foreach (var position in new[] { 0, widevine.Length / 2, widevine.Length - 1 })
        {
            var replacement = widevine[position] == 'A' ? 'B' : 'A';
            var changed = widevine[..position] + replacement + widevine[(position + 1)..];
            var inspected = await gateway.Admin.InspectAsync(changed);
            Assert.True(inspected.ExitCode != 0, $"position {position}: {inspected}");
            Assert.Contains("-4010", inspected.Stderr);
        }
    }

    [Fact]
    public async Task A_token_past_its_expiry_is_invalid_with_details_expired()
    {
        await using var gateway = await GatewayProcess.StartAsync(log);
        var customer = await gateway.Admin.CreateCustomerAsync(4200003, balance: 2);
        // Taken before the request: the token is valid then however long the answer takes on a busy machine.
        var beforeMint = DateTimeOffset.UtcNow;
        var answer = await TokenRequests.GetAsync(gateway.Http, TokenRequests.WidevinePath,
            [.. TokenRequests.Widevine(customer.Production, TokenRequests.RandomHex(16), TokenRequests.RandomHex(16)), new("expirationTime", "+2")]);
        var token = answer.WidevineToken(gateway.BaseUrl);
        var ring = gateway.LoadKeyRing();
        var payload = ring.Open(token, beforeMint, out var reason);
        Assert.True(payload is not null, reason);
        Assert.InRange(payload.ExpiresAt - payload.IssuedAt, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2));

        var wait = payload.ExpiresAt.AddSeconds(1) - DateTimeOffset.UtcNow;
        if (wait > TimeSpan.Zero) await Task.Delay(wait);

        Assert.Null(ring.Open(token, DateTimeOffset.UtcNow, out reason));
        Assert.Equal("expired", reason);
        var inspected = await gateway.Admin.InspectAsync(token);
        Assert.True(inspected.ExitCode != 0, inspected.ToString());
        Assert.Contains("-4010", inspected.Stderr);
        Assert.Contains("expired", inspected.Stderr);
    }

    /// <summary>Section 14: <c>token inspect</c> shows every key of a token of several keys, each content key masked unless asked.</summary>
    [Fact]
    public async Task Token_inspect_shows_every_key_each_masked()
    {
        await using var gateway = await GatewayProcess.StartAsync(log);
        var customer = await gateway.Admin.CreateCustomerAsync(4200005, balance: 2);
        string[] kids = [TokenRequests.RandomHex(16), TokenRequests.RandomHex(16), TokenRequests.RandomHex(16)];
        string[] contentKeys = [TokenRequests.RandomHex(16), TokenRequests.RandomHex(16), TokenRequests.RandomHex(16)];
        var parameters = TokenRequests.Widevine(customer.Production, kids[0], contentKeys[0])
            .Where(p => p.Key is not ("kid" or "contentKey")).ToList();
        for (var index = 0; index < kids.Length; index++)
        {
            parameters.Add(new($"kid.{index}", kids[index]));
            parameters.Add(new($"contentKey.{index}", contentKeys[index]));
            parameters.Add(new($"trackType.{index}", index.ToString()));
        }
        var token = (await TokenRequests.GetAsync(gateway.Http, TokenRequests.WidevinePath, parameters)).WidevineToken(gateway.BaseUrl);

        var masked = await gateway.Admin.InspectAsync(token);
        var shown = await gateway.Admin.InspectAsync(token, showKey: true);

        Assert.True(masked.ExitCode == 0, masked.ToString());
        var keys = masked.Json.GetProperty("keys").EnumerateArray().ToArray();
        Assert.Equal(kids, keys.Select(k => k.GetProperty("kid").GetString()));
        Assert.Equal([0, 1, 2], keys.Select(k => k.GetProperty("trackType").GetInt32()));
        Assert.All(keys, key => Assert.Equal("********", key.GetProperty("contentKey").GetString()));
        foreach (var contentKey in contentKeys) Assert.DoesNotContain(contentKey, masked.Stdout);
        Assert.Equal(contentKeys, shown.Json.GetProperty("keys").EnumerateArray().Select(k => k.GetProperty("contentKey").GetString()));
    }

    /// <summary>
    /// The longest requests the contract allows still give tokens of at most 2,048 characters that open. "Longest"
    /// also in what the token must carry: contentId (any printable ASCII), cookie (any characters), extension
    /// types (any 4 characters) and base64 payloads made of the characters a JSON writer is most likely to escape.
    /// </summary>
    [Fact]
    public async Task The_longest_requests_the_contract_allows_give_tokens_within_2048_characters()
    {
        await using var gateway = await GatewayProcess.StartAsync(log);
        var customer = await gateway.Admin.CreateCustomerAsync(4200004, balance: 20);
        var ring = gateway.LoadKeyRing();
        string plainPayload = new('Q', 128), escapedPayload = new('+', 128);
        var printable = string.Concat(Enumerable.Range(0x20, 0x7F - 0x20).Select(c => (char)c)); // 95 characters
        var cases = new (string Name, string Path, List<KeyValuePair<string, string>> Parameters)[]
        {
            ("Widevine, plain characters", TokenRequests.WidevinePath, WidevineLongest(new('c', 256), new('k', 32), "abcd", plainPayload)),
            ("Widevine, every printable character in contentId", TokenRequests.WidevinePath,
                WidevineLongest(string.Concat(Enumerable.Repeat(printable, 3))[..256], printable[..32], "a\"<&", escapedPayload)),
            ("Widevine, escaped characters, no wvExtension", TokenRequests.WidevinePath,
                [.. Base(TokenRequests.Widevine(customer.Production, TokenRequests.RandomHex(16), TokenRequests.RandomHex(16)), new('"', 256), new('<', 32))]),
            ("Widevine, escaped characters everywhere", TokenRequests.WidevinePath, WidevineLongest(new('"', 256), new('<', 32), "\"<>&", escapedPayload)),
            ("PlayReady, plain characters", TokenRequests.PlayReadyPath, PlayReadyLongest(new('c', 256), new('k', 32), "abcd", plainPayload)),
            ("PlayReady, escaped characters everywhere", TokenRequests.PlayReadyPath, PlayReadyLongest(new('"', 256), new('<', 32), "\"<>&", escapedPayload)),
        };

        var problems = new List<string>();
        foreach (var (name, path, parameters) in cases)
        {
            var answer = await TokenRequests.PostAsync(gateway.Http, path, [.. parameters, new("errorFormat", "json")]);
            if (answer.Status != HttpStatusCode.OK)
            {
                problems.Add($"{name}: expected 200, got {answer}");
                continue;
            }
            var token = path == TokenRequests.WidevinePath ? answer.WidevineToken(gateway.BaseUrl) : answer.PlayReadyToken(gateway.BaseUrl);
            log.WriteLine($"{name}: token of {token.Length} characters");
            if (token.Length > 2048) problems.Add($"{name}: token of {token.Length} characters (over 2,048)");
            if (ring.Open(token, DateTimeOffset.UtcNow, out var reason) is null) problems.Add($"{name}: the minted token does not open ({reason})");
        }
        Assert.True(problems.Count == 0, string.Join('\n', problems));

        List<KeyValuePair<string, string>> Base(List<KeyValuePair<string, string>> required, string contentId, string cookie) =>
        [
            .. required,
            new("contentId", contentId),
            new("cookie", cookie),
            new("expirationTime", DateTimeOffset.UtcNow.AddDays(29).ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'")),
            new("generalFlags", "00000000"),
        ];

        List<KeyValuePair<string, string>> WidevineLongest(string contentId, string cookie, string type, string payload) =>
        [
            .. Base(TokenRequests.Widevine(customer.Production, "^" + new string('n', 64), TokenRequests.RandomHex(16)), contentId, cookie)
                .Where(p => p.Key is not ("securityLevel" or "hdcpOutputControl")),
            new("securityLevel", "5"),
            new("hdcpOutputControl", "2"),
            new("licenseDuration", int.MaxValue.ToString()),
            .. Enumerable.Range(0, 4).Select(i => new KeyValuePair<string, string>("wvExtension", type + "," + payload)),
        ];

        List<KeyValuePair<string, string>> PlayReadyLongest(string contentId, string cookie, string type, string payload) =>
        [
            .. Base(TokenRequests.PlayReady(customer.Production, "^" + new string('n', 64), TokenRequests.RandomHex(16)), contentId, cookie)
                .Where(p => p.Key is not ("rightsType" or "generalFlags")),
            new("rightsType", "Rental"),
            new("generalFlags", "00000001"),
            new("rental.periodEndTime", DateTimeOffset.UtcNow.AddDays(29).ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'")),
            new("rental.playDuration", int.MaxValue.ToString()),
            new("unknownOutputBehavior", "Disallow"),
            new("outputControlFlags", "FFFFFFFF"),
            new("extensionType", type),
            new("extensionPayload", payload),
            new("deviceId", TokenRequests.RandomHex(16)),
        ];
    }
}
