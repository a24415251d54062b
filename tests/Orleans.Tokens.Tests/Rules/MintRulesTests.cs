using System.Security.Cryptography;
using Orleans.Tokens.Grains;

namespace Orleans.Tokens.Tests.Rules;

/// <summary>
/// The account checks of a mint, written from contract section 3 step 4 (and sections 4, 9, 12 for what each check
/// means): authenticator of this environment, active (-2018); account enabled (-2031); the DRM's option on (-7011
/// Widevine, -5002 PlayReady); content key resolvable (-4019); balance at least 1 (-2019). The first that applies is
/// the answer; a refusal changes nothing; a mint debits exactly one token of its own environment.
/// </summary>
public sealed class MintRulesTests
{
    private static readonly DateOnly Today = new(2026, 3, 1);
    private static readonly byte[] ProductionSecret = Convert.FromHexString("1ad8eed133edf43cbcc185f0236828ae");
    private static readonly byte[] TestSecret = Convert.FromHexString("0f1e2d3c4b5a69788796a5b4c3d2e1f0");
    private static readonly byte[] RevokedSecret = Convert.FromHexString("00112233445566778899aabbccddeeff");
    private static readonly byte[] StoredKid = Convert.FromHexString("6e5a1d26275e47c79f2b8d1e2d3c4b5a");
    private static readonly byte[] StoredKey = Convert.FromHexString("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
    private static readonly byte[] RequestKey = Convert.FromHexString("bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb");
    private static readonly byte[] OtherKid = Convert.FromHexString("0123456789abcdef0123456789abcdef");

    /// <summary>The failures of step 4, in the contract's order.</summary>
    [Flags]
    public enum Failure
    {
        Authenticator = 1,
        Disabled = 2,
        DrmOff = 4,
        NoKey = 8,
        NoBalance = 16,
    }

    /// <summary>A production account that passes every check: enabled, both DRMs on, one key stored, 5 tokens in each environment.</summary>
    private static CustomerState Account() => new()
    {
        Exists = true,
        Enabled = true,
        Options = new CustomerOptions(Widevine: true, PlayReady: true),
        ProductionBalance = 5,
        TestBalance = 5,
        Authenticators =
        [
            Stored("prod", TokenEnvironment.Production, ProductionSecret),
            Stored("test", TokenEnvironment.Test, TestSecret),
        ],
    };

    /// <summary>The customer's key storage as the grain reads it before a decision: one key, of <see cref="StoredKid"/>.</summary>
    private static readonly Dictionary<string, byte[]> KeyStorage = new() { [Kid.ToHex(StoredKid)] = StoredKey };

    private static StoredAuthenticator Stored(string id, TokenEnvironment environment, byte[] secret) =>
        new(id, environment, SHA256.HashData(secret), DateTimeOffset.UnixEpoch);

    private static MintRequest Request(
        Drm drm = Drm.Widevine, TokenEnvironment environment = TokenEnvironment.Production,
        byte[]? secret = null, byte[]? kid = null, byte[]? contentKey = null) =>
        new(environment, SHA256.HashData(secret ?? (environment == TokenEnvironment.Production ? ProductionSecret : TestSecret)),
            drm, kid ?? StoredKid, contentKey);

    private static Change<MintResult> Decide(CustomerState account, MintRequest request, Dictionary<string, byte[]>? storage = null) =>
        MintRules.Decide(account, request, Today,
            [.. request.Keys.Select(key => new StoredContentKey(key.ContentKey is null ? (storage ?? KeyStorage).GetValueOrDefault(Kid.ToHex(key.Kid)) : null))]);

    private static void AssertRefused(ErrorCode expected, Change<MintResult> decided)
    {
        Assert.Equal(expected, decided.Result.Code);
        Assert.Null(decided.Result.ContentKey);
        Assert.Null(decided.State); // a request that fails never consumes a token (section 3)
    }

    public static TheoryData<string> AuthenticatorRefusals() => new() { "unknown", "other environment", "revoked", "no such account" };

    [Theory]
    [MemberData(nameof(AuthenticatorRefusals))]
    public void An_authenticator_that_is_not_an_active_one_of_this_environment_is_2018(string why)
    {
        var account = Account();
        var request = Request();
        switch (why)
        {
            case "unknown":
                request = Request(secret: RandomNumberGenerator.GetBytes(16));
                break;
            case "other environment":
                // The test environment's own secret, presented to a production gateway.
                request = Request(environment: TokenEnvironment.Production, secret: TestSecret);
                break;
            case "revoked":
                // Revocation removes the authenticator (section 9 "stops it at once"); the account keeps its other one.
                account = account with { Authenticators = account.Authenticators.Add(Stored("old", TokenEnvironment.Production, RevokedSecret)) };
                Assert.Equal(ErrorCode.None, Decide(account, Request(secret: RevokedSecret)).Result.Code);
                account = account with { Authenticators = account.Authenticators.RemoveAll(a => a.Id == "old") };
                request = Request(secret: RevokedSecret);
                break;
            case "no such account":
                account = new CustomerState();
                break;
        }
        AssertRefused(ErrorCode.InvalidAuthenticator, Decide(account, request));
    }

    [Fact]
    public void Every_active_authenticator_of_the_environment_is_accepted()
    {
        var account = Account() with
        {
            Authenticators = Account().Authenticators.Add(Stored("second", TokenEnvironment.Production, RevokedSecret)),
        };
        Assert.Equal(ErrorCode.None, Decide(account, Request(secret: ProductionSecret)).Result.Code);
        Assert.Equal(ErrorCode.None, Decide(account, Request(secret: RevokedSecret)).Result.Code);
        Assert.Equal(ErrorCode.None, Decide(account, Request(environment: TokenEnvironment.Test)).Result.Code);
    }

    public static TheoryData<Drm, int> EveryCombinationOfFailures()
    {
        var data = new TheoryData<Drm, int>();
        foreach (var drm in new[] { Drm.Widevine, Drm.PlayReady })
        {
            for (var failures = 1; failures < 32; failures++) data.Add(drm, failures);
        }
        return data;
    }

    /// <summary>For each set of failures, the one answered is the first in the contract's order.</summary>
    [Theory]
    [MemberData(nameof(EveryCombinationOfFailures))]
    public void Of_several_failures_the_first_in_the_contracts_order_is_answered(Drm drm, int failures)
    {
        var failing = (Failure)failures;
        var account = Account();
        var secret = ProductionSecret;
        if (failing.HasFlag(Failure.Authenticator)) secret = RandomNumberGenerator.GetBytes(16);
        if (failing.HasFlag(Failure.Disabled)) account = account with { Enabled = false };
        if (failing.HasFlag(Failure.DrmOff))
            account = account with { Options = drm == Drm.Widevine ? new CustomerOptions(false, true) : new CustomerOptions(true, false) };
        var kid = failing.HasFlag(Failure.NoKey) ? OtherKid : StoredKid;
        if (failing.HasFlag(Failure.NoBalance)) account = account with { ProductionBalance = 0 };

        // Section 3 step 4, in this order.
        ErrorCode[] order =
        [
            ErrorCode.InvalidAuthenticator,
            ErrorCode.AccountDisabled,
            drm == Drm.Widevine ? ErrorCode.WidevineDisabled : ErrorCode.PlayReadyDisabled,
            ErrorCode.KeyNotInStorage,
            ErrorCode.InsufficientTokens,
        ];
        var first = order[System.Numerics.BitOperations.TrailingZeroCount(failures)];
        AssertRefused(first, Decide(account, Request(drm, secret: secret, kid: kid)));
    }

    [Fact]
    public void A_DRM_that_is_off_refuses_only_its_own_mints()
    {
        var noWidevine = Account() with { Options = new CustomerOptions(Widevine: false, PlayReady: true) };
        AssertRefused(ErrorCode.WidevineDisabled, Decide(noWidevine, Request(Drm.Widevine)));
        Assert.Equal(ErrorCode.None, Decide(noWidevine, Request(Drm.PlayReady)).Result.Code);

        var noPlayReady = Account() with { Options = new CustomerOptions(Widevine: true, PlayReady: false) };
        AssertRefused(ErrorCode.PlayReadyDisabled, Decide(noPlayReady, Request(Drm.PlayReady)));
        Assert.Equal(ErrorCode.None, Decide(noPlayReady, Request(Drm.Widevine)).Result.Code);
    }

    [Theory]
    [InlineData(TokenEnvironment.Production)]
    [InlineData(TokenEnvironment.Test)]
    public void Each_environment_has_its_own_balance(TokenEnvironment environment)
    {
        var empty = Account().WithBalance(environment, 0);
        AssertRefused(ErrorCode.InsufficientTokens, Decide(empty, Request(environment: environment)));
        var other = environment == TokenEnvironment.Production ? TokenEnvironment.Test : TokenEnvironment.Production;
        Assert.Equal(ErrorCode.None, Decide(empty, Request(environment: other)).Result.Code);
    }

    [Theory]
    [InlineData(TokenEnvironment.Production, Drm.Widevine)]
    [InlineData(TokenEnvironment.Production, Drm.PlayReady)]
    [InlineData(TokenEnvironment.Test, Drm.Widevine)]
    [InlineData(TokenEnvironment.Test, Drm.PlayReady)]
    public void A_mint_debits_exactly_one_token_of_its_environment_and_counts_it(TokenEnvironment environment, Drm drm)
    {
        var account = Account() with { ProductionBalance = 7, TestBalance = 3 };
        var decided = Decide(account, Request(drm, environment));

        Assert.Equal(ErrorCode.None, decided.Result.Code);
        var after = Assert.IsType<CustomerState>(decided.State);
        Assert.Equal(environment == TokenEnvironment.Production ? 6 : 7, after.ProductionBalance);
        Assert.Equal(environment == TokenEnvironment.Test ? 2 : 3, after.TestBalance);
        var counted = Assert.IsType<UsageDay>(after.CountingDay);
        Assert.Equal(Today, counted.Day);
        Assert.Equal(1, counted.Count(environment, drm));
        Assert.Equal(1, counted.ProductionWidevine + counted.ProductionPlayReady + counted.TestWidevine + counted.TestPlayReady);
        // Nothing else about the account changes.
        Assert.Equal(account with { ProductionBalance = after.ProductionBalance, TestBalance = after.TestBalance, CountingDay = after.CountingDay }, after);
    }

    [Fact]
    public void The_last_token_is_minted_and_then_the_balance_is_2019()
    {
        var account = Account() with { ProductionBalance = 1 };
        var last = Decide(account, Request());
        Assert.Equal(ErrorCode.None, last.Result.Code);
        var empty = Assert.IsType<CustomerState>(last.State);
        Assert.Equal(0, empty.ProductionBalance);
        AssertRefused(ErrorCode.InsufficientTokens, Decide(empty, Request()));
    }

    [Fact]
    public void A_content_key_in_the_request_is_the_tokens_key_even_when_the_KID_is_stored_and_is_not_echoed()
    {
        var request = Request(kid: StoredKid, contentKey: RequestKey);
        var decided = Decide(Account(), request);
        Assert.Equal(ErrorCode.None, decided.Result.Code);
        Assert.Null(decided.Result.ContentKey);
        Assert.Equal([RequestKey], decided.Result.ContentKeysFor(request));
    }

    [Fact]
    public void A_content_key_in_the_request_needs_no_stored_key()
    {
        var request = Request(kid: OtherKid, contentKey: RequestKey);
        var decided = Decide(Account(), request, storage: []);
        Assert.Equal(ErrorCode.None, decided.Result.Code);
        Assert.Null(decided.Result.ContentKey);
        Assert.Equal([RequestKey], decided.Result.ContentKeysFor(request));
    }

    [Fact]
    public void Without_a_content_key_the_stored_key_of_the_KID_is_the_tokens_key()
    {
        var decided = Decide(Account(), Request(kid: StoredKid));
        Assert.Equal(ErrorCode.None, decided.Result.Code);
        Assert.Equal(StoredKey, decided.Result.ContentKey);
        AssertRefused(ErrorCode.KeyNotInStorage, Decide(Account(), Request(kid: OtherKid)));
    }
}
