using Orleans.Tokens.Tests.Infrastructure;

namespace Orleans.Tokens.Tests.Contract;

/// <summary>
/// Contract section 5, Widevine table (<c>/hms/wv/token</c>), row by row, as section 14 widens it: HDCP levels 0–5,
/// integers of any length, and <c>generalFlags</c> with only the persistent bit.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class WidevineParameterTests(GatewayFixture gateway)
{
    private const long Balance = 100;

    // ---- securityLevel ----

    [Fact]
    public async Task SecurityLevel_Missing_Is7003()
    {
        var (customer, request) = await Arrange();
        await Refused(customer, request.Without("securityLevel"), -7003);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("6")]
    [InlineData("-1")]
    [InlineData("x")]
    [InlineData("1.5")]
    [InlineData("SW_SECURE_CRYPTO")]
    [InlineData("99999999999999999999")]
    public async Task SecurityLevel_Other_Is7004(string value)
    {
        var (customer, request) = await Arrange();
        await Refused(customer, request.Set("securityLevel", value), -7004);
    }

    [Theory]
    [InlineData("1")]
    [InlineData("2")]
    [InlineData("3")]
    [InlineData("4")]
    [InlineData("5")]
    public async Task SecurityLevel_Valid_IsAccepted_AndCarried(string value)
    {
        var (customer, request) = await Arrange();
        var payload = await Accepted(customer, request.Set("securityLevel", value));
        Assert.Equal(int.Parse(value), payload.Widevine?.SecurityLevel);
    }

    // ---- hdcpOutputControl ----

    [Fact]
    public async Task HdcpOutputControl_Missing_Is7006()
    {
        var (customer, request) = await Arrange();
        await Refused(customer, request.Without("hdcpOutputControl"), -7006);
    }

    [Theory]
    [InlineData("x", -2008)]
    [InlineData("1.5", -2008)]
    [InlineData("HDCP_V1", -2008)]
    [InlineData("6", -2034)]
    [InlineData("-1", -2034)]
    [InlineData("1000", -2034)]
    [InlineData("99999999999999999999", -2034)]
    [InlineData("1234567890123456789012345678901", -2034)]
    [InlineData("-0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000006", -2034)]
    [InlineData("1234567890123456789012345678901x", -2008)]
    [InlineData("+1", -2008)]
    public async Task HdcpOutputControl_Invalid(string value, int code)
    {
        var (customer, request) = await Arrange();
        await Refused(customer, request.Set("hdcpOutputControl", value), code);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("1")]
    [InlineData("2")]
    [InlineData("3")]
    [InlineData("4")]
    [InlineData("5")]
    [InlineData("0000000000000000000000000000000000000004")]
    public async Task HdcpOutputControl_Valid_IsAccepted_AndCarried(string value)
    {
        var (customer, request) = await Arrange();
        var payload = await Accepted(customer, request.Set("hdcpOutputControl", value));
        Assert.Equal(int.Parse(value), payload.Widevine?.HdcpOutputControl);
    }

    // ---- licenseDuration ----

    [Theory]
    [InlineData("0")]
    [InlineData("-5")]
    [InlineData("abc")]
    [InlineData("1.5")]
    [InlineData("1h")]
    public async Task LicenseDuration_Invalid_Is7007(string value)
    {
        var (customer, request) = await Arrange();
        await Refused(customer, request.Set("licenseDuration", value), -7007);
    }

    [Theory]
    [InlineData("1")]
    [InlineData("3600")]
    [InlineData("31536000")]
    public async Task LicenseDuration_Valid_IsAccepted_AndCarried(string value)
    {
        var (customer, request) = await Arrange();
        var payload = await Accepted(customer, request.Set("licenseDuration", value));
        Assert.Equal(long.Parse(value), payload.Widevine?.LicenseDuration);
    }

    [Fact]
    public async Task LicenseDuration_Absent_IsUnlimited()
    {
        var (customer, request) = await Arrange();
        var payload = await Accepted(customer, request.Without("licenseDuration"));
        Assert.Null(payload.Widevine?.LicenseDuration);
    }

    // ---- wvExtension (repeatable up to 4 times) ----

    [Theory]
    [InlineData("abcd", -7009)]
    [InlineData("abcdAAAA", -7009)]
    [InlineData("abcd,{A*132}", -7009)]
    [InlineData("abc,AAAA", -2036)]
    [InlineData("abcde,AAAA", -2036)]
    [InlineData(",AAAA", -2036)]
    [InlineData("abcd,@@@@", -2037)]
    [InlineData("abcd,AA-_", -2037)]
    [InlineData("abcd,A", -2037)]
    [InlineData("abcd,AAAA!", -2037)]
    public async Task WvExtension_Invalid(string value, int code)
    {
        var (customer, request) = await Arrange();
        await Refused(customer, request.Set("wvExtension", RowValues.Resolve(value)), code);
    }

    [Fact]
    public async Task WvExtension_FiveTimes_Is7009()
    {
        var (customer, request) = await Arrange();
        for (var i = 0; i < 5; i++) request.Append("wvExtension", "abcd,AAAA");
        await Refused(customer, request, -7009);
    }

    [Theory]
    [InlineData("abcd,AAAA")]
    [InlineData("abcd,SGVsbG8=")]
    [InlineData("wxyz,AA==")]
    [InlineData("ab12,{A*128}")]
    public async Task WvExtension_Valid_IsAccepted_AndCarried(string value)
    {
        var (customer, request) = await Arrange();
        var extension = RowValues.Resolve(value);
        var payload = await Accepted(customer, request.Set("wvExtension", extension));
        var carried = Assert.Single(payload.Widevine!.Extensions);
        Assert.Equal(extension, $"{carried.Type},{carried.Payload}");
    }

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    public async Task WvExtension_Repeated_UpToFourTimes_IsAccepted(int count)
    {
        var (customer, request) = await Arrange();
        for (var i = 0; i < count; i++) request.Append("wvExtension", $"ext{i},AAAA");
        var payload = await Accepted(customer, request);
        Assert.Equal(count, payload.Widevine!.Extensions.Length);
    }

    // ---- deviceId ----

    [Theory]
    [InlineData("00112233445566778899aabbccddeeff")]
    [InlineData("x")]
    public async Task DeviceId_Present_Is7002(string value)
    {
        var (customer, request) = await Arrange();
        await Refused(customer, request.Set("deviceId", value), -7002);
    }

    // ---- generalFlags (section 14: only bit 0x1, a persistent license) ----

    [Theory]
    [InlineData("2")]
    [InlineData("3")]
    [InlineData("80000001")]
    [InlineData("FFFFFFFF")]
    [InlineData("000000001")]
    [InlineData("x")]
    public async Task GeneralFlags_OtherThanPersistent_Is5003(string value)
    {
        var (customer, request) = await Arrange();
        await Refused(customer, request.Set("generalFlags", value), -5003);
    }

    [Theory]
    [InlineData("0", 0u)]
    [InlineData("00000000", 0u)]
    [InlineData("1", 1u)]
    [InlineData("00000001", 1u)]
    public async Task GeneralFlags_ZeroOrPersistent_IsAccepted_AndCarried(string value, uint flags)
    {
        var (customer, request) = await Arrange();
        var payload = await Accepted(customer, request.Set("generalFlags", value));
        Assert.Equal(flags, payload.Widevine?.GeneralFlags);
    }

    private async Task<(TestCustomer Customer, Params Request)> Arrange()
    {
        var customer = await gateway.CreateCustomerAsync(productionBalance: Balance);
        return (customer, ValidRequests.Widevine(customer));
    }

    private async Task Refused(TestCustomer customer, Params request, int code)
    {
        await Expect.ErrorAsync(await gateway.MintAsync(Drm.Widevine, request), code);
        Assert.Equal(Balance, await customer.ProductionBalanceAsync());
    }

    private async Task<TokenPayload> Accepted(TestCustomer customer, Params request)
    {
        var token = await Expect.WidevineTokenAsync(await gateway.MintAsync(Drm.Widevine, request));
        Assert.Equal(Balance - 1, await customer.ProductionBalanceAsync());
        var payload = gateway.OpenToken(token);
        Assert.True(payload is not null, "the token does not open with the gateway's token keys");
        return payload;
    }
}
