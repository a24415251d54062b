using System.Text;
using System.Text.Json;
using Orleans.Tokens.Tests.Infrastructure;

namespace Orleans.Tokens.Tests.Contract;

/// <summary>
/// Contract section 14, what real ExpressPlay clients send: a raw <c>+</c> in a query or form body (it decodes to a
/// space) still means "seconds from issue" in <c>expirationTime</c> and <c>rental.periodEndTime</c>; <c>useHttps</c>
/// picks the https rights URL on both DRMs. The requests are written by hand, not through <see cref="Params"/>,
/// which would encode the <c>+</c>.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class ClientFormTests(GatewayFixture gateway)
{
    private const string WidevineRest = $"&kid={ValidRequests.Kid}&contentKey={ValidRequests.ContentKey}&securityLevel=1&hdcpOutputControl=0&errorFormat=json";

    [Fact]
    public async Task A_raw_plus_in_the_query_is_seconds_from_issue()
    {
        var customer = await gateway.CreateCustomerAsync();
        var response = await gateway.Client.GetAsync(
            $"{GatewayFixture.WidevinePath}?customerAuthenticator={customer.Authenticator}{WidevineRest}&expirationTime=+3600");

        var payload = gateway.OpenToken(await Expect.WidevineTokenAsync(response))!;
        Assert.Equal(3600, (payload.ExpiresAt - payload.IssuedAt).TotalSeconds);
    }

    [Fact]
    public async Task A_raw_plus_in_a_form_body_is_seconds_from_issue()
    {
        var customer = await gateway.CreateCustomerAsync();
        using var body = new StringContent(
            $"customerAuthenticator={customer.Authenticator}{WidevineRest}&expirationTime=+7200",
            Encoding.ASCII, "application/x-www-form-urlencoded");
        var response = await gateway.Client.PostAsync(GatewayFixture.WidevinePath, body);

        var payload = gateway.OpenToken(await Expect.WidevineTokenAsync(response))!;
        Assert.Equal(7200, (payload.ExpiresAt - payload.IssuedAt).TotalSeconds);
    }

    [Fact]
    public async Task A_raw_plus_in_rental_periodEndTime_is_seconds_from_issue()
    {
        var customer = await gateway.CreateCustomerAsync();
        var query = ValidRequests.PlayReadyRental(customer).Without("rental.periodEndTime").ToQueryString();
        var response = await gateway.Client.GetAsync($"{GatewayFixture.PlayReadyPath}?{query}&rental.periodEndTime=+600");

        var payload = gateway.OpenToken(await Expect.PlayReadyTokenAsync(response))!;
        Assert.Equal(600, (payload.PlayReady!.RentalPeriodEndTime!.Value - payload.IssuedAt).TotalSeconds);
    }

    [Theory]
    [InlineData("true")]
    [InlineData("True")]
    [InlineData("1")]
    public async Task UseHttps_true_answers_the_https_rights_URL(string value)
    {
        var customer = await gateway.CreateCustomerAsync();
        var widevine = await gateway.MintAsync(Drm.Widevine, ValidRequests.Widevine(customer).Set("useHttps", value));
        var playReady = await gateway.MintAsync(Drm.PlayReady, ValidRequests.PlayReady(customer).Set("useHttps", value));

        Assert.StartsWith(HttpsBase + "/hms/wv/rights/?ExpressPlayToken=", await widevine.Content.ReadAsStringAsync());
        using var json = JsonDocument.Parse(await playReady.Content.ReadAsStringAsync());
        Assert.Equal(HttpsBase + "/hms/pr/rights", json.RootElement.GetProperty("licenseAcquisitionUrl").GetString());
    }

    [Theory]
    [InlineData("false")]
    [InlineData("FALSE")]
    [InlineData("0")]
    public async Task UseHttps_false_answers_the_public_rights_URL(string value)
    {
        var customer = await gateway.CreateCustomerAsync();
        var widevine = await gateway.MintAsync(Drm.Widevine, ValidRequests.Widevine(customer).Set("useHttps", value));

        Assert.StartsWith(GatewayFixture.PublicBaseUrl + "/hms/wv/rights/?ExpressPlayToken=", await widevine.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData(Drm.Widevine, "yes")]
    [InlineData(Drm.Widevine, "2")]
    [InlineData(Drm.PlayReady, "on")]
    public async Task UseHttps_other_is_2035_and_debits_nothing(Drm drm, string value)
    {
        var customer = await gateway.CreateCustomerAsync(productionBalance: 5);
        await Expect.ErrorAsync(await gateway.MintAsync(drm, ValidRequests.For(drm, customer).Set("useHttps", value)), -2035);
        Assert.Equal(5, await customer.ProductionBalanceAsync());
    }

    [Fact]
    public async Task UseHttps_repeated_is_2035()
    {
        var customer = await gateway.CreateCustomerAsync();
        var request = ValidRequests.Widevine(customer).Set("useHttps", "true").Append("useHttps", "true");
        await Expect.ErrorAsync(await gateway.MintAsync(Drm.Widevine, request), -2035);
    }

    /// <summary>The fixture's public base (http://…) with scheme https, the default of Tokens:PublicHttpsBaseUrl.</summary>
    private static string HttpsBase => "https" + GatewayFixture.PublicBaseUrl["http".Length..];
}
