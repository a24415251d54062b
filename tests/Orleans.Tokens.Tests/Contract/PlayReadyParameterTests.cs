using Orleans.Tokens.Tests.Infrastructure;

namespace Orleans.Tokens.Tests.Contract;

/// <summary>
/// Contract section 5, PlayReady table (<c>/hms/pr/token</c>), row by row, plus the PlayReady rule of section 4's
/// <c>generalFlags</c> row ("PlayReady: only bit 0x1 (persistent) may be set").
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class PlayReadyParameterTests(GatewayFixture gateway)
{
    private const long Balance = 100;

    // ---- rightsType ----

    [Fact]
    public async Task RightsType_Missing_Is2020()
    {
        var (customer, request) = await Arrange();
        await Refused(customer, request.Without("rightsType"), -2020);
    }

    [Theory]
    [InlineData("buytoown")]
    [InlineData("BUYTOOWN")]
    [InlineData("rental")]
    [InlineData("Purchase")]
    [InlineData("BuyToOwn ")]
    public async Task RightsType_Other_Is2021(string value)
    {
        var (customer, request) = await Arrange();
        await Refused(customer, request.Set("rightsType", value), -2021);
    }

    [Fact]
    public async Task RightsType_BuyToOwn_IsAccepted()
    {
        var (customer, request) = await Arrange();
        var payload = await Accepted(customer, request.Set("rightsType", "BuyToOwn"));
        Assert.Equal("BuyToOwn", payload.PlayReady?.RightsType);
    }

    [Fact]
    public async Task RightsType_Rental_IsAccepted()
    {
        var (customer, _) = await Arrange();
        var payload = await Accepted(customer, ValidRequests.PlayReadyRental(customer));
        Assert.Equal("Rental", payload.PlayReady?.RightsType);
    }

    // ---- rental.periodEndTime ----

    [Fact]
    public async Task RentalPeriodEndTime_MissingWithRental_Is2022()
    {
        var (customer, _) = await Arrange();
        await Refused(customer, ValidRequests.PlayReadyRental(customer).Without("rental.periodEndTime"), -2022);
    }

    [Theory]
    [InlineData("tomorrow")]
    [InlineData("3600")]
    [InlineData("+0")]
    [InlineData("+-60")]
    [InlineData("+1.5")]
    [InlineData("{utc-3600}")]
    [InlineData("2006-04-14T12:01:10Z")]
    [InlineData("{utc+86400:lowerT}")]
    [InlineData("{utc+86400:offset}")]
    public async Task RentalPeriodEndTime_Invalid_Is6007(string value)
    {
        var (customer, _) = await Arrange();
        var request = ValidRequests.PlayReadyRental(customer).Set("rental.periodEndTime", RowValues.Resolve(value));
        await Refused(customer, request, -6007);
    }

    [Theory]
    [InlineData("+86400")]
    [InlineData("{utc+86400}")]
    public async Task RentalPeriodEndTime_WithBuyToOwn_Is6007(string value)
    {
        var (customer, request) = await Arrange();
        await Refused(customer, request.Set("rental.periodEndTime", RowValues.Resolve(value)), -6007);
    }

    [Theory]
    [InlineData("+1", 1)]
    [InlineData("+86400", 86400)]
    [InlineData("{utc+86400}", 86400)]
    [InlineData("{utc+7200:frac}", 7200)]
    public async Task RentalPeriodEndTime_Valid_IsAccepted_AndCarried(string value, long seconds)
    {
        var (customer, _) = await Arrange();
        var request = ValidRequests.PlayReadyRental(customer).Set("rental.periodEndTime", RowValues.Resolve(value));
        var payload = await Accepted(customer, request);
        var end = payload.PlayReady?.RentalPeriodEndTime;
        Assert.NotNull(end);
        Assert.InRange((end.Value - payload.IssuedAt).TotalSeconds, seconds - 5, seconds + 1);
    }

    // ---- rental.playDuration ----

    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("x")]
    [InlineData("1.5")]
    public async Task RentalPlayDuration_Invalid_Is2025(string value)
    {
        var (customer, _) = await Arrange();
        await Refused(customer, ValidRequests.PlayReadyRental(customer).Set("rental.playDuration", value), -2025);
    }

    [Fact]
    public async Task RentalPlayDuration_WithBuyToOwn_Is2025()
    {
        var (customer, request) = await Arrange();
        await Refused(customer, request.Set("rental.playDuration", "3600"), -2025);
    }

    [Theory]
    [InlineData("1")]
    [InlineData("3600")]
    public async Task RentalPlayDuration_Valid_IsAccepted_AndCarried(string value)
    {
        var (customer, _) = await Arrange();
        var payload = await Accepted(customer, ValidRequests.PlayReadyRental(customer).Set("rental.playDuration", value));
        Assert.Equal(long.Parse(value), payload.PlayReady?.RentalPlayDuration);
    }

    // ---- (Rental): a Rental license must be persistent ----

    [Theory]
    [InlineData(null)]
    [InlineData("0")]
    [InlineData("00000000")]
    public async Task Rental_NotPersistent_Is5003(string? generalFlags)
    {
        var (customer, _) = await Arrange();
        var request = ValidRequests.PlayReadyRental(customer);
        if (generalFlags is null) request.Without("generalFlags"); else request.Set("generalFlags", generalFlags);
        await Refused(customer, request, -5003);
    }

    // ---- generalFlags (section 4: "PlayReady: only bit 0x1 (persistent) may be set") ----

    [Theory]
    [InlineData("2")]
    [InlineData("3")]
    [InlineData("10")]
    [InlineData("80000000")]
    [InlineData("FFFFFFFF")]
    public async Task GeneralFlags_OtherBits_Is5003(string value)
    {
        var (customer, request) = await Arrange();
        await Refused(customer, request.Set("generalFlags", value), -5003);
    }

    [Theory]
    [InlineData("0", 0u)]
    [InlineData("1", 1u)]
    [InlineData("00000001", 1u)]
    public async Task GeneralFlags_Valid_IsAccepted_AndCarried(string value, uint flags)
    {
        var (customer, request) = await Arrange();
        var payload = await Accepted(customer, request.Set("generalFlags", value));
        Assert.Equal(flags, payload.PlayReady?.GeneralFlags);
    }

    // ---- algId (section 14) ----

    [Theory]
    [InlineData("AESCTR")]
    [InlineData("aes-ctr")]
    [InlineData("cbcs")]
    [InlineData("none")]
    public async Task AlgId_Other_Is9005(string value)
    {
        var (customer, request) = await Arrange();
        await Refused(customer, request.Set("algId", value), -9005);
    }

    [Theory]
    [InlineData("aesctr")]
    [InlineData("aescbc")]
    public async Task AlgId_Valid_IsAccepted_AndCarried(string value)
    {
        var (customer, request) = await Arrange();
        var payload = await Accepted(customer, request.Set("algId", value));
        Assert.Equal(value, payload.PlayReady?.AlgId);
    }

    [Fact]
    public async Task AlgId_Absent_IsAesCtr()
    {
        var (customer, request) = await Arrange();
        var payload = await Accepted(customer, request.Without("algId"));
        Assert.Equal("aesctr", payload.PlayReady?.AlgId);
    }

    // ---- the five OPLs ----

    [Theory]
    [InlineData("analogVideoOPL")]
    [InlineData("compressedDigitalAudioOPL")]
    [InlineData("compressedDigitalVideoOPL")]
    [InlineData("uncompressedDigitalAudioOPL")]
    [InlineData("uncompressedDigitalVideoOPL")]
    public async Task Opl_Missing_Is5006_NamingIt(string opl)
    {
        var (customer, request) = await Arrange();
        var error = await Refused(customer, request.Without(opl), -5006);
        Assert.Contains(opl, error.Text);
    }

    [Theory]
    [InlineData("analogVideoOPL", "x", -2008)]
    [InlineData("analogVideoOPL", "1.5", -2008)]
    [InlineData("analogVideoOPL", "1000", -2034)]
    [InlineData("analogVideoOPL", "-1", -2034)]
    [InlineData("compressedDigitalAudioOPL", "x", -2008)]
    [InlineData("compressedDigitalAudioOPL", "1.5", -2008)]
    [InlineData("compressedDigitalAudioOPL", "1000", -2034)]
    [InlineData("compressedDigitalAudioOPL", "-1", -2034)]
    [InlineData("compressedDigitalVideoOPL", "x", -2008)]
    [InlineData("compressedDigitalVideoOPL", "1.5", -2008)]
    [InlineData("compressedDigitalVideoOPL", "1000", -2034)]
    [InlineData("compressedDigitalVideoOPL", "-1", -2034)]
    [InlineData("uncompressedDigitalAudioOPL", "x", -2008)]
    [InlineData("uncompressedDigitalAudioOPL", "1.5", -2008)]
    [InlineData("uncompressedDigitalAudioOPL", "1000", -2034)]
    [InlineData("uncompressedDigitalAudioOPL", "-1", -2034)]
    [InlineData("uncompressedDigitalVideoOPL", "x", -2008)]
    [InlineData("uncompressedDigitalVideoOPL", "1.5", -2008)]
    [InlineData("uncompressedDigitalVideoOPL", "1000", -2034)]
    [InlineData("uncompressedDigitalVideoOPL", "-1", -2034)]
    public async Task Opl_Invalid(string opl, string value, int code)
    {
        var (customer, request) = await Arrange();
        await Refused(customer, request.Set(opl, value), code);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("150")]
    [InlineData("999")]
    public async Task Opl_Valid_IsAccepted_AndCarried(string value)
    {
        var (customer, request) = await Arrange();
        foreach (var opl in ValidRequests.Opls) request.Set(opl, value);
        var payload = await Accepted(customer, request);
        var expected = int.Parse(value);
        var policy = payload.PlayReady!;
        Assert.Equal(
            [expected, expected, expected, expected, expected],
            [policy.AnalogVideoOpl, policy.CompressedDigitalAudioOpl, policy.CompressedDigitalVideoOpl,
             policy.UncompressedDigitalAudioOpl, policy.UncompressedDigitalVideoOpl]);
    }

    // ---- unknownOutputBehavior ----

    [Theory]
    [InlineData("allow")]
    [InlineData("DISALLOW")]
    [InlineData("SDONLY")]
    [InlineData("Deny")]
    public async Task UnknownOutputBehavior_Other_Is5001(string value)
    {
        var (customer, request) = await Arrange();
        await Refused(customer, request.Set("unknownOutputBehavior", value), -5001);
    }

    [Theory]
    [InlineData("Allow")]
    [InlineData("Disallow")]
    [InlineData("SDOnly")]
    public async Task UnknownOutputBehavior_Valid_IsAccepted_AndCarried(string value)
    {
        var (customer, request) = await Arrange();
        var payload = await Accepted(customer, request.Set("unknownOutputBehavior", value));
        Assert.Equal(value, payload.PlayReady?.UnknownOutputBehavior);
    }

    [Fact]
    public async Task UnknownOutputBehavior_Absent_DefaultsToAllow()
    {
        var (customer, request) = await Arrange();
        var payload = await Accepted(customer, request.Without("unknownOutputBehavior"));
        Assert.Equal("Allow", payload.PlayReady?.UnknownOutputBehavior);
    }

    // ---- outputControlFlags ----

    [Theory]
    [InlineData("0000000")]
    [InlineData("000000000")]
    [InlineData("0")]
    [InlineData("0000000g")]
    [InlineData("zzzzzzzz")]
    [InlineData("0x000000")]
    public async Task OutputControlFlags_Invalid_Is2040(string value)
    {
        var (customer, request) = await Arrange();
        await Refused(customer, request.Set("outputControlFlags", value), -2040);
    }

    [Theory]
    [InlineData("00000000")]
    [InlineData("DEADBEEF")]
    [InlineData("deadbeef")]
    public async Task OutputControlFlags_Valid_IsAccepted(string value)
    {
        var (customer, request) = await Arrange();
        var payload = await Accepted(customer, request.Set("outputControlFlags", value));
        Assert.Equal(value, payload.PlayReady?.OutputControlFlags, ignoreCase: true);
    }

    // ---- extensionType / extensionPayload ----

    [Theory]
    [InlineData("abc")]
    [InlineData("abcde")]
    [InlineData("a")]
    public async Task ExtensionType_NotFourCharacters_Is2036(string value)
    {
        var (customer, request) = await Arrange();
        await Refused(customer, request.Set("extensionType", value).Set("extensionPayload", "AAAA"), -2036);
    }

    [Theory]
    [InlineData("@@@@")]
    [InlineData("AA-_")]
    [InlineData("A")]
    [InlineData("{A*132}")]
    public async Task ExtensionPayload_NotBase64OrTooLong_Is2037(string value)
    {
        var (customer, request) = await Arrange();
        var payload = RowValues.Resolve(value);
        await Refused(customer, request.Set("extensionType", "abcd").Set("extensionPayload", payload), -2037);
    }

    [Theory]
    [InlineData("extensionType", "abcd")]
    [InlineData("extensionPayload", "AAAA")]
    public async Task Extension_OneWithoutTheOther_Is2035(string name, string value)
    {
        var (customer, request) = await Arrange();
        await Refused(customer, request.Set(name, value), -2035);
    }

    [Theory]
    [InlineData("abcd", "AAAA")]
    [InlineData("ab12", "SGVsbG8=")]
    [InlineData("wxyz", "{A*128}")]
    public async Task Extension_Valid_IsAccepted_AndCarried(string type, string payloadValue)
    {
        var (customer, request) = await Arrange();
        var extension = RowValues.Resolve(payloadValue);
        var payload = await Accepted(customer, request.Set("extensionType", type).Set("extensionPayload", extension));
        Assert.Equal(type, payload.PlayReady?.ExtensionType);
        Assert.Equal(extension, payload.PlayReady?.ExtensionPayload);
    }

    // ---- deviceId ----

    [Theory]
    [InlineData("abcd", -5004)]
    [InlineData("{0*31}", -5004)]
    [InlineData("{0*34}", -5004)]
    [InlineData("zz", -5005)]
    [InlineData("zzz", -5005)]
    [InlineData("{z*32}", -5005)]
    [InlineData("00112233445566778899aabbccddeefg", -5005)]
    public async Task DeviceId_Invalid(string value, int code)
    {
        var (customer, request) = await Arrange();
        await Refused(customer, request.Set("deviceId", RowValues.Resolve(value)), code);
    }

    [Theory]
    [InlineData("00112233445566778899aabbccddeeff")]
    [InlineData("00112233445566778899AABBCCDDEEFF")]
    public async Task DeviceId_Valid_IsAccepted_AndBindsTheLicense(string value)
    {
        var (customer, request) = await Arrange();
        var payload = await Accepted(customer, request.Set("deviceId", value));
        Assert.Equal(value, payload.PlayReady?.DeviceId, ignoreCase: true);
    }

    // ---- helpers ----

    private async Task<(TestCustomer Customer, Params Request)> Arrange()
    {
        var customer = await gateway.CreateCustomerAsync(productionBalance: Balance);
        return (customer, ValidRequests.PlayReady(customer));
    }

    private async Task<ErrorResponse> Refused(TestCustomer customer, Params request, int code)
    {
        var error = await Expect.ErrorAsync(await gateway.MintAsync(Drm.PlayReady, request), code);
        Assert.Equal(Balance, await customer.ProductionBalanceAsync());
        return error;
    }

    private async Task<TokenPayload> Accepted(TestCustomer customer, Params request)
    {
        var token = await Expect.PlayReadyTokenAsync(await gateway.MintAsync(Drm.PlayReady, request));
        Assert.Equal(Balance - 1, await customer.ProductionBalanceAsync());
        var payload = gateway.OpenToken(token);
        Assert.True(payload is not null, "the token does not open with the gateway's token keys");
        return payload;
    }
}
