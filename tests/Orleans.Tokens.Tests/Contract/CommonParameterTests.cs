using System.Security.Cryptography;
using System.Text;
using Orleans.Tokens.Tests.Infrastructure;

namespace Orleans.Tokens.Tests.Contract;

/// <summary>
/// Contract section 4 (common parameters), row by row, against both mint endpoints. Every refusal must leave the
/// balance untouched (section 3); every acceptance debits exactly one token (section 9).
/// </summary>
public abstract class CommonParameterTests(GatewayFixture gateway, Drm drm)
{
    private const long Balance = 100;

    // ---- customerAuthenticator ----

    [Fact]
    public async Task CustomerAuthenticator_Missing_Is2017()
    {
        var (customer, request) = await Arrange();
        await Refused(customer, request.Without("customerAuthenticator"), -2017);
    }

    // {id} is the customer's id and {secret} its real production secret, so a gateway that read a malformed
    // authenticator leniently would authenticate and mint instead of refusing.
    [Theory]
    [InlineData("{id}")]
    [InlineData("{id};{secret}")]
    [InlineData("{id},")]
    [InlineData(",{secret}")]
    [InlineData("0{id},{secret}")]
    [InlineData("-{id},{secret}")]
    [InlineData("+{id},{secret}")]
    [InlineData("12345678901,{secret}")]
    [InlineData("{id},{secret31}")]
    [InlineData("{id},{secret}0")]
    [InlineData("{id},{secretG}")]
    [InlineData("{id},{secret},{secret}")]
    [InlineData(" {id},{secret}")]
    [InlineData("{id} ,{secret}")]
    [InlineData("{id},{secret} ")]
    public async Task CustomerAuthenticator_Malformed_Is2018(string pattern)
    {
        var (customer, request) = await Arrange();
        var secret = customer.Authenticator[(customer.Authenticator.IndexOf(',') + 1)..];
        var value = pattern.Replace("{id}", customer.Id.ToString())
            .Replace("{secret31}", secret[..31]).Replace("{secretG}", secret[..31] + "g").Replace("{secret}", secret);
        await Refused(customer, request.Set("customerAuthenticator", value), -2018);
    }

    [Fact]
    public async Task CustomerAuthenticator_Valid_IsAccepted()
    {
        var (customer, request) = await Arrange();
        Assert.Matches("^[1-9][0-9]{0,9},[0-9a-fA-F]{32}$", customer.Authenticator);
        var payload = await Accepted(customer, request);
        Assert.Equal(customer.Id, payload.CustomerId);
    }

    // ---- errorFormat (a bad value is rendered as html, section 2) ----

    [Theory]
    [InlineData("xml")]
    [InlineData("JSON")]
    [InlineData("Html")]
    [InlineData("text")]
    [InlineData("json ")]
    public async Task ErrorFormat_Other_Is3004_AsHtml(string value)
    {
        var (customer, request) = await Arrange();
        var response = await gateway.MintAsync(drm, request.Set("errorFormat", value));
        await Expect.HtmlErrorAsync(response, -3004);
        Assert.Equal(Balance, await customer.ProductionBalanceAsync());
    }

    [Theory]
    [InlineData("html")]
    [InlineData("json")]
    public async Task ErrorFormat_Valid_IsAccepted(string value)
    {
        var (customer, request) = await Arrange();
        await Accepted(customer, request.Set("errorFormat", value));
    }

    // ---- kid ----

    [Fact]
    public async Task Kid_Missing_Is4018()
    {
        var (customer, request) = await Arrange();
        await Refused(customer, request.Without("kid"), -4018);
    }

    [Theory]
    [InlineData("abcd", -4020)]
    [InlineData("a", -4020)]
    [InlineData("{0*31}", -4020)]
    [InlineData("{0*33}", -4020)]
    [InlineData("{0*64}", -4020)]
    [InlineData("^{a*65}", -4021)]
    [InlineData("^{a*200}", -4021)]
    [InlineData("^", -4022)]
    [InlineData("zz", -4022)]
    [InlineData("{z*32}", -4022)]
    [InlineData("0123456789abcdef0123456789abcdeg", -4022)]
    [InlineData("0x23456789abcdef0123456789abcdef", -4022)]
    [InlineData("0123456789abcdef 123456789abcdef", -4022)]
    [InlineData("{g*31}", -4022)]
    public async Task Kid_Invalid(string value, int code)
    {
        var (customer, request) = await Arrange();
        await Refused(customer, request.Set("kid", RowValues.Resolve(value)), code);
    }

    [Theory]
    [InlineData("0123456789abcdef0123456789abcdef")]
    [InlineData("0123456789ABCDEF0123456789ABCDEF")]
    [InlineData("0123456789AbCdEf0123456789aBcDeF")]
    [InlineData("^a")]
    [InlineData("^movie 42/ü")]
    [InlineData("^{a*64}")]
    [InlineData("^{é*64}")]
    [InlineData("^^")]
    public async Task Kid_Valid_IsAccepted_AndNamesTheKid(string value)
    {
        var (customer, request) = await Arrange();
        var kid = RowValues.Resolve(value);
        var payload = await Accepted(customer, request.Set("kid", kid));
        // Section 4: 16 bytes as hex, or the first 16 bytes of SHA-1 of the UTF-8 string after '^'.
        var expected = kid.StartsWith('^')
            ? Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(kid[1..]))[..16])
            : kid.ToLowerInvariant();
        Assert.Equal(expected, payload.Kid.Hex());
    }

    // ---- contentKey ----

    [Theory]
    [InlineData("zz", -2005)]
    [InlineData("xyz", -2005)]
    [InlineData("{z*32}", -2005)]
    [InlineData("00112233445566778899aabbccddeefg", -2005)]
    [InlineData("{k*31}", -2005)]
    [InlineData("a", -2027)]
    [InlineData("abcd", -2027)]
    [InlineData("{0*31}", -2027)]
    [InlineData("{0*33}", -2027)]
    [InlineData("{0*48}", -2027)]
    public async Task ContentKey_Invalid(string value, int code)
    {
        var (customer, request) = await Arrange();
        await Refused(customer, request.Set("contentKey", RowValues.Resolve(value)), code);
    }

    [Theory]
    [InlineData("00112233445566778899aabbccddeeff")]
    [InlineData("00112233445566778899AABBCCDDEEFF")]
    public async Task ContentKey_Valid_IsAccepted_AndCarried(string value)
    {
        var (customer, request) = await Arrange();
        var payload = await Accepted(customer, request.Set("contentKey", value));
        Assert.Equal(value.ToLowerInvariant(), payload.ContentKey.Hex());
    }

    // ---- kek / ek ----

    [Theory]
    [InlineData("zz", ValidRequests.Wrapped128)]
    [InlineData("{0*30}", ValidRequests.Wrapped128)]
    [InlineData("{0*31}", ValidRequests.Wrapped128)]
    [InlineData("{0*40}", ValidRequests.Wrapped128)]
    [InlineData("{0*66}", ValidRequests.Wrapped128)]
    [InlineData("000102030405060708090A0B0C0D0E0G", ValidRequests.Wrapped128)]
    [InlineData(ValidRequests.Kek128, "zz")]
    [InlineData(ValidRequests.Kek128, "1FA")]
    [InlineData(ValidRequests.Kek128, "1FA68B0A8112B447AEF34BD8FB5A7B829D3E862371D2CFEG")]
    [InlineData(ValidRequests.Kek128, "1FA68B0A8112B447AEF34BD8FB5A7B829D3E862371D2CFE4")]
    [InlineData(ValidRequests.Kek128, "0FA68B0A8112B447AEF34BD8FB5A7B829D3E862371D2CFE5")]
    [InlineData(ValidRequests.Kek128, ValidRequests.Wrapped192)]
    [InlineData(ValidRequests.Kek192, ValidRequests.Wrapped128)]
    [InlineData(ValidRequests.Kek256, ValidRequests.Wrapped192)]
    public async Task KekEk_Invalid_Is4024(string kek, string ek)
    {
        var (customer, request) = await Arrange();
        request.Without("contentKey").Set("kek", RowValues.Resolve(kek)).Set("ek", ek);
        await Refused(customer, request, -4024);
    }

    // The RFC 3394 section 4.1-4.3 test vectors: each unwraps to 00112233445566778899AABBCCDDEEFF.
    [Theory]
    [InlineData(ValidRequests.Kek128, ValidRequests.Wrapped128)]
    [InlineData(ValidRequests.Kek192, ValidRequests.Wrapped192)]
    [InlineData(ValidRequests.Kek256, ValidRequests.Wrapped256)]
    [InlineData("000102030405060708090a0b0c0d0e0f", "1fa68b0a8112b447aef34bd8fb5a7b829d3e862371d2cfe5")]
    public async Task KekEk_Valid_IsAccepted_AndCarriesTheUnwrappedKey(string kek, string ek)
    {
        var (customer, request) = await Arrange();
        var payload = await Accepted(customer, request.Without("contentKey").Set("kek", kek).Set("ek", ek));
        Assert.Equal(ValidRequests.KeyData.ToLowerInvariant(), payload.ContentKey.Hex());
    }

    [Theory]
    [InlineData(true, false, false, -2035)]  // kek without ek
    [InlineData(false, true, false, -2035)]  // ek without kek
    [InlineData(false, true, true, -2035)]   // ek without kek (contentKey given instead)
    [InlineData(true, false, true, -5007)]   // kek and contentKey
    [InlineData(true, true, true, -5007)]    // kek, ek and contentKey
    public async Task KekEk_Pairing(bool kek, bool ek, bool contentKey, int code)
    {
        var (customer, request) = await Arrange();
        if (!contentKey) request.Without("contentKey");
        if (kek) request.Set("kek", ValidRequests.Kek128);
        if (ek) request.Set("ek", ValidRequests.Wrapped128);
        await Refused(customer, request, code);
    }

    // ---- (no key given) ----

    [Fact]
    public async Task NoKey_KidNotInKeyStorage_Is4019()
    {
        var (customer, request) = await Arrange();
        await Refused(customer, request.Without("contentKey"), -4019);
    }

    // ---- contentId ----

    [Theory]
    [InlineData("{a*257}")]
    [InlineData("{a*1000}")]
    [InlineData("café")]
    [InlineData("tab\there")]
    [InlineData("line\nbreak")]
    [InlineData("del\u007Fete")]
    [InlineData("emoji\U0001F600")]
    public async Task ContentId_Invalid_Is6005(string value)
    {
        var (customer, request) = await Arrange();
        await Refused(customer, request.Set("contentId", RowValues.Resolve(value)), -6005);
    }

    [Theory]
    [InlineData("a")]
    [InlineData("{x*256}")]
    [InlineData("movie 42 (director's cut)")]
    [InlineData(" !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~")]
    public async Task ContentId_Valid_IsAccepted_AndCarried(string value)
    {
        var (customer, request) = await Arrange();
        var contentId = RowValues.Resolve(value);
        var payload = await Accepted(customer, request.Set("contentId", contentId));
        Assert.Equal(contentId, payload.ContentId);
    }

    // ---- generalFlags: the form of a 4-byte flag word (which bits may be set is per DRM, in their own tests) ----

    [Theory]
    [InlineData("zz")]
    [InlineData("0x1")]
    [InlineData("-1")]
    [InlineData("{0*9}")]
    [InlineData("000000001")]
    [InlineData("1 ")]
    public async Task GeneralFlags_NotOneToEightHexDigits_Is5003(string value)
    {
        var (customer, request) = await Arrange();
        await Refused(customer, request.Set("generalFlags", RowValues.Resolve(value)), -5003);
    }

    // ---- expirationTime ----

    [Theory]
    [InlineData("tomorrow")]
    [InlineData("3600")]
    [InlineData("+")]
    [InlineData("+0")]
    [InlineData("+-60")]
    [InlineData("+1.5")]
    [InlineData("+abc")]
    [InlineData("+2592001")]
    [InlineData("+99999999999999999999")]
    [InlineData("+{9*40}")]
    [InlineData(" ")]
    [InlineData("  3600")]
    [InlineData(" +3600")]
    [InlineData("2006-04-14T12:01:10Z")]
    [InlineData("{utc-3600}")]
    [InlineData("{utc+2678400}")]
    [InlineData("{utc+3600:lowerT}")]
    [InlineData("{utc+3600:lowerZ}")]
    [InlineData("{utc+3600:offset}")]
    [InlineData("2030-01-01")]
    public async Task ExpirationTime_Invalid_Is2002(string value)
    {
        var (customer, request) = await Arrange();
        await Refused(customer, request.Set("expirationTime", RowValues.Resolve(value)), -2002);
    }

    [Theory]
    [InlineData("+1", 1)]
    [InlineData("+3600", 3600)]
    [InlineData("+2592000", 2592000)]
    [InlineData("{utc+3600}", 3600)]
    [InlineData("{utc+86400:frac}", 86400)]
    [InlineData("{utc+86400:frac10}", 86400)]
    [InlineData("{utc+86400:frac40}", 86400)]
    [InlineData("+{0*40}3600", 3600)]
    [InlineData(" 3600", 3600)]
    [InlineData("{utc+2505600}", 2505600)]
    public async Task ExpirationTime_Valid_IsAccepted_AndSetsTheExpiry(string value, long seconds)
    {
        var (customer, request) = await Arrange();
        var payload = await Accepted(customer, request.Set("expirationTime", RowValues.Resolve(value)));
        var lifetime = (payload.ExpiresAt - payload.IssuedAt).TotalSeconds;
        Assert.InRange(lifetime, seconds - 5, seconds + 1);
    }

    [Fact]
    public async Task ExpirationTime_Absent_DefaultsToThirtyDays()
    {
        var (customer, request) = await Arrange();
        var payload = await Accepted(customer, request.Without("expirationTime"));
        Assert.InRange((payload.ExpiresAt - payload.IssuedAt).TotalSeconds, 30 * 86400 - 1, 30 * 86400 + 1);
    }

    // ---- cookie ----

    [Theory]
    [InlineData("{c*33}")]
    [InlineData("{c*100}")]
    [InlineData("{é*33}")]
    [InlineData("a\tb")]
    // What forges or hides a line where the cookie is logged or shown: Unicode's line and paragraph separators
    // and the bidirectional controls of Unicode TR #9.
    [InlineData("line\u2028two")]
    [InlineData("para\u2029two")]
    [InlineData("paid\u202Edecnac")]
    [InlineData("\u2066isolated\u2069")]
    [InlineData("\u202Aembedded\u202C")]
    [InlineData("mark\u200F")]
    [InlineData("\u061Carabic mark")]
    public async Task Cookie_Invalid_Is2033(string value)
    {
        var (customer, request) = await Arrange();
        await Refused(customer, request.Set("cookie", RowValues.Resolve(value)), -2033);
    }

    [Theory]
    [InlineData("c")]
    [InlineData("{c*32}")]
    [InlineData("session 1/2 & <ok>")]
    [InlineData("{é*32}")]
    public async Task Cookie_Valid_IsAccepted_AndCarried(string value)
    {
        var (customer, request) = await Arrange();
        var cookie = RowValues.Resolve(value);
        var payload = await Accepted(customer, request.Set("cookie", cookie));
        Assert.Equal(cookie, payload.Cookie);
    }

    // ---- helpers ----

    private async Task<(TestCustomer Customer, Params Request)> Arrange()
    {
        var customer = await gateway.CreateCustomerAsync(productionBalance: Balance);
        return (customer, ValidRequests.For(drm, customer));
    }

    private async Task Refused(TestCustomer customer, Params request, int code)
    {
        await Expect.ErrorAsync(await gateway.MintAsync(drm, request), code);
        Assert.Equal(Balance, await customer.ProductionBalanceAsync());
    }

    private async Task<TokenPayload> Accepted(TestCustomer customer, Params request)
    {
        var token = await Expect.TokenAsync(drm, await gateway.MintAsync(drm, request));
        Assert.Equal(Balance - 1, await customer.ProductionBalanceAsync());
        var payload = gateway.OpenToken(token);
        Assert.True(payload is not null, "the token does not open with the gateway's token keys");
        return payload;
    }
}

[Collection(GatewayCollection.Name)]
public sealed class WidevineCommonParameterTests(GatewayFixture gateway) : CommonParameterTests(gateway, Drm.Widevine);

[Collection(GatewayCollection.Name)]
public sealed class PlayReadyCommonParameterTests(GatewayFixture gateway) : CommonParameterTests(gateway, Drm.PlayReady);
