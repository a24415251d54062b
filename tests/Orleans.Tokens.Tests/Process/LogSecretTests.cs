using System.Net;
using System.Text.Json;
using Orleans.Tokens.Hosting.Tls;
using Orleans.Tokens.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace Orleans.Tokens.Tests.ProcessLevel;

/// <summary>
/// Section 6: "&lt;details&gt; never contains a secret (an authenticator's secret, a content key, a KEK)", and the
/// product rule that secrets stay out of logs: after a run with customers, content keys, kek+ek, bad
/// authenticators and refusals, and refused TLS connections to its Orleans ports, the gateway's own stdout and
/// stderr (default log levels) hold none of them, nor the token key, nor the cluster TLS keys (issue 9).
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class LogSecretTests(ITestOutputHelper log)
{
    // RFC 3394, 4.1: KEK 000102…0F wraps 00112233…FF as 1FA68B0A….
    private const string Kek = "000102030405060708090A0B0C0D0E0F";
    private const string KeyData = "00112233445566778899AABBCCDDEEFF";
    private const string Wrapped = "1FA68B0A8112B447AEF34BD8FB5A7B829D3E862371D2CFE5";

    [Fact]
    public async Task The_gateway_logs_no_secret()
    {
        await using var gateway = await GatewayProcess.StartAsync(log);
        var admin = gateway.Admin;
        var secrets = new List<(string What, string Value)>();
        var rich = await admin.CreateCustomerAsync(4400001, balance: 100);
        var poor = await admin.CreateCustomerAsync(4400002, balance: 0);
        var noWidevine = await admin.CreateCustomerAsync(4400003, balance: 10, "--widevine", "false");
        foreach (var customer in new[] { rich, poor, noWidevine })
        {
            secrets.Add(($"customer {customer.Id} production secret", customer.ProductionSecret));
            secrets.Add(($"customer {customer.Id} test secret", customer.TestSecret));
        }
        secrets.Add(("KEK", Kek));
        secrets.Add(("key wrapped under the KEK", KeyData));

        var answers = new List<(string What, MintAnswer Answer, int Expected)>();
        async Task Mint(string what, string path, List<KeyValuePair<string, string>> parameters, int expected, bool post = false)
        {
            parameters = [.. parameters, new("errorFormat", answers.Count % 2 == 0 ? "json" : "html")];
            answers.Add((what, post ? await TokenRequests.PostAsync(gateway.Http, path, parameters) : await TokenRequests.GetAsync(gateway.Http, path, parameters), expected));
        }
        string Key(string what)
        {
            var key = TokenRequests.RandomHex(16);
            secrets.Add((what, key));
            return key;
        }
        string Kid() => TokenRequests.RandomHex(16);
        const string wv = TokenRequests.WidevinePath, pr = TokenRequests.PlayReadyPath;

        // Successes: content key given, content key from key storage, content key wrapped under a KEK.
        await Mint("Widevine with contentKey", wv, TokenRequests.Widevine(rich.Production, Kid(), Key("Widevine content key")), 200);
        await Mint("PlayReady with contentKey", pr, TokenRequests.PlayReady(rich.Production, Kid(), Key("PlayReady content key")), 200, post: true);
        var storedKid = Kid();
        await admin.RunOkAsync("key", "put", rich.Id.ToString(), "--kid", storedKid, "--key", Key("stored content key"));
        await Mint("Widevine with a stored key", wv, [.. TokenRequests.Widevine(rich.Production, storedKid, "x").Where(p => p.Key != "contentKey")], 200);
        await Mint("Widevine with kek+ek", wv, [.. TokenRequests.Widevine(rich.Production, Kid(), "x").Where(p => p.Key != "contentKey"), new("kek", Kek), new("ek", Wrapped)], 200);
        await Mint("PlayReady with kek+ek (lower case)", pr, [.. TokenRequests.PlayReady(rich.Production, Kid(), "x").Where(p => p.Key != "contentKey"), new("kek", Kek.ToLowerInvariant()), new("ek", Wrapped.ToLowerInvariant())], 200, post: true);

        // Bad authenticators: the other environment's, an unknown secret, a malformed one, none.
        var unknown = TokenRequests.RandomHex(16);
        secrets.Add(("unknown secret sent", unknown));
        await Mint("test authenticator on production", wv, TokenRequests.Widevine(rich.Test, Kid(), Key("content key with a bad authenticator")), 401);
        await Mint("unknown secret", wv, TokenRequests.Widevine($"{rich.Id},{unknown}", Kid(), Key("content key with an unknown secret")), 401);
        secrets.Add(("malformed secret sent (31 digits)", rich.ProductionSecret[..31]));
        await Mint("malformed authenticator", pr, TokenRequests.PlayReady($"{rich.Id},{rich.ProductionSecret[..31]}", Kid(), Key("content key with a malformed authenticator")), 401, post: true);
        await Mint("secret of another customer", wv, TokenRequests.Widevine($"{poor.Id},{rich.ProductionSecret}", Kid(), Key("content key with a swapped secret")), 401);
        await Mint("no authenticator", wv, [.. TokenRequests.Widevine(rich.Production, Kid(), Key("content key without authenticator")).Where(p => p.Key != "customerAuthenticator")], 401);

        // Refusals after authentication and syntactic refusals that carry key material.
        await Mint("insufficient tokens", wv, TokenRequests.Widevine(poor.Production, Kid(), Key("content key of a poor customer")), 400);
        await Mint("Widevine disabled", wv, TokenRequests.Widevine(noWidevine.Production, Kid(), Key("content key of a Widevine-less customer")), 400);
        await Mint("key not in storage", wv, [.. TokenRequests.Widevine(rich.Production, Kid(), "x").Where(p => p.Key != "contentKey")], 400);
        var shortKey = Key("content key one digit short")[..31];
        secrets.Add(("content key one digit short, as sent", shortKey));
        await Mint("content key too short", wv, TokenRequests.Widevine(rich.Production, Kid(), shortKey), 400);
        var notHexKey = Key("content key with a non-hex digit")[..31] + "g";
        secrets.Add(("content key with a non-hex digit, as sent", notHexKey));
        await Mint("content key not hex", wv, TokenRequests.Widevine(rich.Production, Kid(), notHexKey), 400);
        await Mint("kek and contentKey", wv, [.. TokenRequests.Widevine(rich.Production, Kid(), Key("content key next to a kek")), new("kek", Kek), new("ek", Wrapped)], 400);
        await Mint("ek that does not unwrap", pr, [.. TokenRequests.PlayReady(rich.Production, Kid(), "x").Where(p => p.Key != "contentKey"), new("kek", Kek), new("ek", "0" + Wrapped[1..])], 400, post: true);
        var otherKek = Key("a KEK the ek was not wrapped with");
        await Mint("wrong kek", wv, [.. TokenRequests.Widevine(rich.Production, Kid(), "x").Where(p => p.Key != "contentKey"), new("kek", otherKek), new("ek", Wrapped)], 400);
        await Mint("kek without ek", wv, [.. TokenRequests.Widevine(rich.Production, Kid(), "x").Where(p => p.Key != "contentKey"), new("kek", Kek)], 400);
        await Mint("repeated contentKey", wv, [.. TokenRequests.Widevine(rich.Production, Kid(), Key("repeated content key 1")), new("contentKey", Key("repeated content key 2"))], 400);
        await Mint("repeated authenticator", pr, [.. TokenRequests.PlayReady(rich.Production, Kid(), Key("content key with a repeated authenticator")), new("customerAuthenticator", rich.Production)], 401, post: true);
        await Mint("bad errorFormat after a secret", wv, [.. TokenRequests.Widevine(rich.Production, Kid(), Key("content key with a bad errorFormat")), new("errorFormat", "xml")], 400);

        // Requests with every optional policy parameter, carrying a content key: they go through every parser and,
        // should one of them fault, through the gateway's error logging. Their answers are the subject of
        // TokenTests and FuzzTests; here only what they leave in the logs counts (expected status 0: not checked).
        await Mint("Widevine with every optional parameter", wv,
            [.. TokenRequests.Widevine(rich.Production, Kid(), Key("content key of a full Widevine request")), new("contentId", "c"), new("cookie", "k"),
             new("expirationTime", "+600"), new("licenseDuration", "60"), new("generalFlags", "0"), new("wvExtension", "abcd,AAAA")], 0);
        await Mint("PlayReady with every optional parameter", pr,
            [.. TokenRequests.PlayReady(rich.Production, Kid(), Key("content key of a full PlayReady request")).Where(p => p.Key != "rightsType"),
             new("rightsType", "Rental"), new("generalFlags", "1"), new("rental.periodEndTime", "+600"), new("rental.playDuration", "60"),
             new("unknownOutputBehavior", "SDOnly"), new("outputControlFlags", "00000001"), new("extensionType", "abcd"), new("extensionPayload", "AAAA"),
             new("deviceId", TokenRequests.RandomHex(16))], 0, post: true);

        foreach (var (what, answer, expected) in answers.Where(a => a.Expected != 0))
            Assert.True((int)answer.Status == expected, $"{what}: expected {expected}, got {answer}");

        // The tokens minted above carry the content keys, including the one unwrapped from the RFC 3394 vector.
        var ring = gateway.LoadKeyRing();
        var kekToken = answers.Single(a => a.What == "Widevine with kek+ek").Answer.WidevineToken(gateway.BaseUrl);
        Assert.Equal(KeyData.ToLowerInvariant(), ring.Open(kekToken, DateTimeOffset.UtcNow, out _)?.ContentKey.Hex());

        var keyFile = JsonDocument.Parse(File.ReadAllText(Path.Combine(gateway.DataDirectory, "token-keys.json"))).RootElement;
        foreach (var key in keyFile.GetProperty("Keys").EnumerateObject())
        {
            secrets.Add(($"token key {key.Name} (base64)", key.Value.GetString()!));
            secrets.Add(($"token key {key.Name} (hex)", Convert.ToHexString(Convert.FromBase64String(key.Value.GetString()!))));
            secrets.Add(($"token key {key.Name} (base64url)", key.Value.GetString()!.TrimEnd('=').Replace('+', '-').Replace('/', '_')));
        }

        // The cluster TLS keys (the silo's, the client-mode gateways', the admin tool's: the admin credential): each
        // line of their PEM, and the private scalar in hex.
        foreach (var keyPath in Directory.GetFiles(EmbeddedCertificates.Directory(gateway.DataDirectory), "*.key"))
        {
            var pem = File.ReadAllText(keyPath);
            foreach (var line in pem.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(line => !line.StartsWith("-----", StringComparison.Ordinal)))
                secrets.Add(($"TLS key {Path.GetFileName(keyPath)} (PEM line)", line.Trim()));
            using var ecdsa = System.Security.Cryptography.ECDsa.Create();
            ecdsa.ImportFromPem(pem);
            secrets.Add(($"TLS key {Path.GetFileName(keyPath)} (hex)", Convert.ToHexString(ecdsa.ExportParameters(true).D!)));
        }

        // TLS clients the silo refuses, so that its logs hold whatever a refused handshake logs.
        var silo = EmbeddedCertificates.Files(gateway.DataDirectory, ClusterRole.Silo);
        Assert.True((await TlsProbe.ConnectAsync(gateway.GatewayPort, null, null, TimeSpan.FromSeconds(20))).Refused);
        Assert.True((await TlsProbe.ConnectAsync(gateway.GatewayPort, silo.Certificate, silo.PrivateKey, TimeSpan.FromSeconds(20))).Refused);

        // Stop the gateway so that everything it logged has been flushed.
        await gateway.StopAsync();
        var output = gateway.Output;
        log.WriteLine($"the gateway wrote {output.Length} characters to stdout and stderr");
        Assert.Contains("Now listening", output); // the capture works, and the default Information level is on
        var leaked = secrets
            .Where(s => output.Contains(s.Value, StringComparison.OrdinalIgnoreCase))
            .Select(s => $"{s.What} ({s.Value})")
            .ToList();
        Assert.True(leaked.Count == 0, "the gateway's logs contain secrets:\n" + string.Join('\n', leaked));

        // The error bodies (whose details are section 6's concern) hold none either.
        foreach (var (what, answer, _) in answers.Where(a => a.Answer.Status != HttpStatusCode.OK))
        {
            var inBody = secrets.Where(s => answer.Body.Contains(s.Value, StringComparison.OrdinalIgnoreCase)).Select(s => s.What).ToList();
            Assert.True(inBody.Count == 0, $"{what}: the error body {answer.Body} contains {string.Join(", ", inBody)}");
        }
    }
}
