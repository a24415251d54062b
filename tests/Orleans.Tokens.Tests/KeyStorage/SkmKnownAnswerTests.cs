using System.Net;
using Orleans.Tokens.Tests.Contract;
using Orleans.Tokens.Tests.Infrastructure;

namespace Orleans.Tokens.Tests.KeyStorage;

/// <summary>
/// Contract section 12's KEK exchange against answers known from outside this project: ExpressPlay's own key-storage
/// answer quoted in Bento4's GitHub issue #572 (a KEK, the <c>ek</c> and <c>kekId</c> ExpressPlay answered; the
/// <c>ek</c> unwraps to a known key), the public SKM specification's cookbook key (KEK 00…0f, <c>k</c> a9b9…, <c>ek</c>
/// 5dbd…), and RFC 3394 section 4's vectors for 128-, 192- and 256-bit KEKs. The <c>kekId</c> is the contract's:
/// <c>"#1."</c> + the first 32 hex digits of SHA-1("KEKID_1" ‖ the KEK's bytes), which is what ExpressPlay answered.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class SkmKnownAnswerTests(GatewayFixture gateway)
{
    // Bento4 issue #572: ExpressPlay answered kid, kekId and ek (upper-case hex) for a key fetched with this KEK.
    private const string ExpressPlayKek = "209e1a91e1e897c657214914ddb2a38d";
    private const string ExpressPlayKid = "0B68C2F889C6A8B6F9A9E99A7B9C53F7";
    private const string ExpressPlayEk = "0A2F01C445CF9BC185E26E3627A41014B4DA3B2283706D76";
    private const string ExpressPlayKekId = "#1.1a8f0d766d1f678864a2d8b40d1c85a0";
    private const string ExpressPlayKey = "5d30188c871137be9f6bfdb1dd4c68a7";

    // The SKM cookbook's first example.
    private const string CookbookKek = "000102030405060708090a0b0c0d0e0f";
    private const string CookbookKid = "4e2df6b45e8257e187b2802b22ae7418";
    private const string CookbookKey = "a9b9033df0b9ca5447839e3d074817a0";
    private const string CookbookEk = "5dbd06c0056b42fe0b8cf406679620c31bd619732730433d";
    // The cookbook prints kekId #1.afe008a381bdac03b412a92d54b92ddf: that is SHA-1 over "KEKID_1" and the KEK's hex
    // *text* (the SkeyMa server's derivation), not over its bytes. Contract section 12 (and ExpressPlay, above) hash
    // the bytes, which for this KEK gives:
    private const string CookbookKekIdOfTheContract = "#1.a897cafd0a10ae9f0ada0b3ffcbcdb37";
    private const string CookbookKekIdOfSkeyMa = "#1.afe008a381bdac03b412a92d54b92ddf";

    private async Task<SkmClient> NewCustomerAsync() =>
        new(gateway, (await gateway.CreateCustomerAsync()).Authenticator);

    [Fact]
    public void The_known_answers_hold_for_the_tests_own_key_wrap_and_kekId()
    {
        // RFC 3394 section 4.1-4.3, so that a failure below is the service's and not this file's.
        Assert.Equal(ValidRequests.Wrapped128, Rfc3394.Wrap(ValidRequests.Kek128, ValidRequests.KeyData), ignoreCase: true);
        Assert.Equal(ValidRequests.Wrapped192, Rfc3394.Wrap(ValidRequests.Kek192, ValidRequests.KeyData), ignoreCase: true);
        Assert.Equal(ValidRequests.Wrapped256, Rfc3394.Wrap(ValidRequests.Kek256, ValidRequests.KeyData), ignoreCase: true);

        Assert.Equal(ExpressPlayKey, Rfc3394.Unwrap(ExpressPlayKek, ExpressPlayEk));
        Assert.Equal(ExpressPlayKekId, Skm.KekId(ExpressPlayKek));
        Assert.Equal(CookbookEk, Rfc3394.Wrap(CookbookKek, CookbookKey));
        Assert.Equal(CookbookKey, Rfc3394.Unwrap(CookbookKek, CookbookEk));
        Assert.Equal(CookbookKekIdOfTheContract, Skm.KekId(CookbookKek));
        Assert.NotEqual(CookbookKekIdOfSkeyMa, Skm.KekId(CookbookKek));
        Assert.Null(Rfc3394.Unwrap(CookbookKek, ExpressPlayEk));
    }

    // ---- ExpressPlay's answer (Bento4 #572) ----

    [Fact]
    public async Task ExpressPlays_ek_posted_with_its_kek_is_answered_with_ExpressPlays_kekId()
    {
        var skm = await NewCustomerAsync();

        var created = await Skm.CreatedAsync(await skm.PostAsync(Skm.Body(("kid", ExpressPlayKid), ("ek", ExpressPlayEk)), ExpressPlayKek));

        Assert.Equal(ExpressPlayKid.ToLowerInvariant(), Skm.Kid(created));
        Skm.AssertWrapped(created, ExpressPlayEk, ExpressPlayKekId);

        var read = await Skm.KeyAsync(await skm.GetAsync(ExpressPlayKid, ExpressPlayKek));
        Skm.AssertWrapped(read, ExpressPlayEk, ExpressPlayKekId);

        // Given with its KEK, the key is known to the service: its own customer reads it in the clear.
        var clear = await Skm.KeyAsync(await skm.GetAsync(ExpressPlayKid));
        Assert.Equal(ExpressPlayKey, Skm.Field(clear, "k"));
        Assert.Equal(ExpressPlayKey, await Skm.ValueAsync(await skm.GetValueAsync(ExpressPlayKid)));
    }

    [Fact]
    public async Task ExpressPlays_ek_posted_without_a_kek_is_answered_wrapped_until_the_kek_is_given()
    {
        var skm = await NewCustomerAsync();
        var body = Skm.Body(("kid", ExpressPlayKid), ("ek", ExpressPlayEk), ("kekId", ExpressPlayKekId));

        var created = await Skm.CreatedAsync(await skm.PostAsync(body));
        var stored = await Skm.KeyAsync(await skm.GetAsync(ExpressPlayKid));

        // What ExpressPlay itself answered in Bento4 #572: kid, kekId, ek, lastUpdate, and no k.
        foreach (var key in new[] { created, stored })
        {
            Skm.AssertWrapped(key, ExpressPlayEk, ExpressPlayKekId);
        }
        Assert.NotNull(Skm.Field(stored, "lastUpdate"));
        Assert.Equal("#" + ExpressPlayEk, await Skm.ValueAsync(await skm.GetValueAsync(ExpressPlayKid)), ignoreCase: true);

        // With the right KEK: unwrapped and wrapped again under it, consistently (RFC 3394 is deterministic).
        var withKek = await Skm.KeyAsync(await skm.GetAsync(ExpressPlayKid, ExpressPlayKek));
        Skm.AssertWrapped(withKek, ExpressPlayEk, ExpressPlayKekId);
        // The SKM REST API: the value route with a KEK answers the clear value.
        Assert.Equal(ExpressPlayKey, await Skm.ValueAsync(await skm.GetValueAsync(ExpressPlayKid, ExpressPlayKek)));

        // With a KEK that does not unwrap it: 400, and neither KEK is echoed.
        await Skm.ErrorAsync(await skm.GetAsync(ExpressPlayKid, CookbookKek), HttpStatusCode.BadRequest, CookbookKek, ExpressPlayKek);
        await Skm.ErrorAsync(await skm.GetValueAsync(ExpressPlayKid, CookbookKek), HttpStatusCode.BadRequest, CookbookKek, ExpressPlayKek);

        // Reading it changed nothing: still held wrapped only.
        Assert.Null(Skm.Field(await Skm.KeyAsync(await skm.GetAsync(ExpressPlayKid)), "k"));
    }

    // ---- the SKM cookbook's key ----

    [Fact]
    public async Task The_cookbook_key_posted_with_its_kek_is_answered_with_the_cookbooks_ek()
    {
        var skm = await NewCustomerAsync();

        var created = await Skm.CreatedAsync(await skm.PostAsync(Skm.Body(("kid", CookbookKid), ("k", CookbookKey)), CookbookKek));

        Assert.Equal(CookbookKid, Skm.Kid(created));
        Skm.AssertWrapped(created, CookbookEk, CookbookKekIdOfTheContract);

        var withKek = await Skm.KeyAsync(await skm.GetAsync(CookbookKid, CookbookKek));
        Assert.Equal(CookbookEk, Skm.Field(withKek, "ek"), ignoreCase: true);
        Assert.Equal(CookbookKekIdOfTheContract, Skm.Field(withKek, "kekId"));

        // "A body k with kek is stored as given": without the KEK its customer reads the clear key.
        Assert.Equal(CookbookKey, Skm.Field(await Skm.KeyAsync(await skm.GetAsync(CookbookKid)), "k"));
        Assert.Equal(CookbookKey, await Skm.ValueAsync(await skm.GetValueAsync(CookbookKid)));

        // Get-or-create with the KEK finds it and answers it wrapped again, with 200.
        var found = await Skm.KeyAsync(await skm.PostAsync(Skm.Body(("kid", CookbookKid)), CookbookKek), HttpStatusCode.OK);
        Assert.Equal(CookbookEk, Skm.Field(found, "ek"), ignoreCase: true);
        Assert.Null(Skm.Field(found, "k"));
    }

    [Fact]
    public async Task The_cookbook_ek_posted_with_its_kek_stores_the_cookbook_key()
    {
        var skm = await NewCustomerAsync();

        var created = await Skm.CreatedAsync(await skm.PostAsync(Skm.Body(("kid", CookbookKid), ("ek", CookbookEk)), CookbookKek));

        Assert.Equal(CookbookEk, Skm.Field(created, "ek"), ignoreCase: true);
        Assert.Equal(CookbookKekIdOfTheContract, Skm.Field(created, "kekId"));
        Assert.Equal(CookbookKey, Skm.Field(await Skm.KeyAsync(await skm.GetAsync(CookbookKid)), "k"));
    }

    [Fact]
    public async Task An_ek_that_does_not_unwrap_under_the_kek_given_is_400_and_creates_nothing()
    {
        var skm = await NewCustomerAsync();

        await Skm.ErrorAsync(await skm.PostAsync(Skm.Body(("kid", ExpressPlayKid), ("ek", ExpressPlayEk)), CookbookKek),
            HttpStatusCode.BadRequest, ExpressPlayEk, CookbookKek);

        await Skm.ErrorAsync(await skm.GetAsync(ExpressPlayKid), HttpStatusCode.NotFound);
        Assert.Equal(0, await Skm.KeyCountAsync(await skm.CountAsync()));
    }

    // ---- RFC 3394's vectors: KEKs of 32, 48 and 64 hex digits ----

    [Theory]
    [InlineData(ValidRequests.Kek128, ValidRequests.Wrapped128)]
    [InlineData(ValidRequests.Kek192, ValidRequests.Wrapped192)]
    [InlineData(ValidRequests.Kek256, ValidRequests.Wrapped256)]
    public async Task A_key_posted_with_a_kek_of_each_AES_size_is_answered_with_RFC_3394s_wrapping(string kek, string wrapped)
    {
        var skm = await NewCustomerAsync();
        var kid = Skm.RandomHex();

        var created = await Skm.CreatedAsync(await skm.PostAsync(Skm.Body(("kid", kid), ("k", ValidRequests.KeyData)), kek));

        Assert.Equal(wrapped, Skm.Field(created, "ek"), ignoreCase: true);
        Assert.Equal(Skm.KekId(kek), Skm.Field(created, "kekId"));
        Assert.Equal(ValidRequests.KeyData.ToLowerInvariant(), Skm.Field(await Skm.KeyAsync(await skm.GetAsync(kid)), "k"));

        // And the other way: the wrapped form posted with the KEK is the same key.
        var second = Skm.RandomHex();
        await Skm.CreatedAsync(await skm.PostAsync(Skm.Body(("kid", second), ("ek", wrapped)), kek));
        Assert.Equal(ValidRequests.KeyData.ToLowerInvariant(), await Skm.ValueAsync(await skm.GetValueAsync(second)));
    }
}
