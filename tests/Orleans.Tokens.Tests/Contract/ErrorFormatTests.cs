using System.Text.Json;
using Orleans.Tokens.Tests.Infrastructure;

namespace Orleans.Tokens.Tests.Contract;

/// <summary>
/// Contract section 2, errors: html by default (<c>text/html; charset=utf-8</c>, the code and text in the document,
/// every part from the request HTML-encoded), json on request (exactly <c>errorCode</c> and <c>errorText</c>), any
/// other errorFormat -3004 as html, never sniffed as another type (<c>X-Content-Type-Options: nosniff</c>); and
/// section 6: <c>&lt;details&gt;</c> never holds a secret.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class ErrorFormatTests(GatewayFixture gateway)
{
    [Theory]
    [InlineData(Drm.Widevine)]
    [InlineData(Drm.PlayReady)]
    public async Task Default_IsHtml(Drm drm)
    {
        var customer = await gateway.CreateCustomerAsync();
        var request = ValidRequests.For(drm, customer).Without("errorFormat").Without("kid");
        var error = await Expect.HtmlErrorAsync(await gateway.MintAsync(drm, request), -4018);
        Assert.True(
            error.Body.Contains("<html", StringComparison.OrdinalIgnoreCase) || error.Body.Contains("<!DOCTYPE html", StringComparison.OrdinalIgnoreCase),
            "expected an HTML document: " + error.Body);
    }

    [Fact]
    public async Task Html_On401()
    {
        var request = new Params { { "kid", ValidRequests.Kid } };
        await Expect.HtmlErrorAsync(await gateway.MintAsync(Drm.Widevine, request), -2017);
    }

    [Fact]
    public async Task Json_IsExactlyCodeAndText()
    {
        var customer = await gateway.CreateCustomerAsync(productionBalance: 0);
        var response = await gateway.MintAsync(Drm.Widevine, ValidRequests.Widevine(customer));
        await Expect.ErrorAsync(response, -2019);
        // Section 2 gives this body verbatim.
        Assert.Equal("""{"errorCode":-2019,"errorText":"Insufficient tokens available"}""", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("html")]
    [InlineData("json")]
    public async Task Errors_Forbid_TypeSniffing(string format)
    {
        var response = await gateway.MintAsync(Drm.Widevine, new Params { { "errorFormat", format } });
        Assert.Equal(401, (int)response.StatusCode);
        Assert.Equal(["nosniff"], response.Headers.GetValues("X-Content-Type-Options"));
    }

    [Theory]
    [InlineData("GET", "/nothing-here", 404)]
    [InlineData("DELETE", "/healthz", 405)]
    public async Task PlainTextAnswers_Forbid_TypeSniffing(string method, string path, int status)
    {
        using var response = await gateway.Client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));
        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal(["nosniff"], response.Headers.GetValues("X-Content-Type-Options"));
    }

    [Fact]
    public async Task Json_On401()
    {
        var response = await gateway.MintAsync(Drm.PlayReady, new Params { { "errorFormat", "json" } });
        var error = await Expect.ErrorAsync(response, -2017);
        Assert.Equal("Authenticator token must be specified", error.Text);
    }

    [Fact]
    public async Task Json_Opl_DetailsNameTheParameter()
    {
        var customer = await gateway.CreateCustomerAsync();
        var request = ValidRequests.PlayReady(customer).Without("compressedDigitalVideoOPL");
        var error = await Expect.ErrorAsync(await gateway.MintAsync(Drm.PlayReady, request), -5006);
        Assert.StartsWith("Missing OPL value: ", error.Text);
        Assert.Contains("compressedDigitalVideoOPL", error.Text);
    }

    [Theory]
    [InlineData("xml")]
    [InlineData("yaml")]
    public async Task BadErrorFormat_Is3004_AsHtml_NamingTheFormat(string value)
    {
        var error = await Expect.HtmlErrorAsync(await gateway.MintAsync(Drm.Widevine, new Params { { "errorFormat", value } }), -3004);
        Assert.Contains("Invalid error format specified: " + value, error.Text);
    }

    // ---- nothing from the request reaches the html raw ----

    [Theory]
    [InlineData("errorFormat", "<script>alert(1)</script>", -3004)]
    [InlineData("errorFormat", "\"><img src=x onerror=alert(1)>", -3004)]
    [InlineData("kid", "<script>alert(1)</script>", -4022)]
    [InlineData("contentKey", "<script>alert(1)</script>", -2005)]
    [InlineData("contentId", "<script>alert(1)</script>\u00e9", -6005)]
    [InlineData("expirationTime", "<script>alert(1)</script>", -2002)]
    [InlineData("cookie", "<script>alert(1)</script><script>", -2033)]
    [InlineData("hdcpOutputControl", "<script>alert(1)</script>", -2008)]
    [InlineData("securityLevel", "<script>alert(1)</script>", -7004)]
    [InlineData("wvExtension", "<scr,<script>", -2037)]
    [InlineData("customerAuthenticator", "<script>alert(1)</script>", -2018)]
    public async Task Html_NeverReflectsRawInput(string name, string value, int code)
    {
        var customer = await gateway.CreateCustomerAsync();
        var request = ValidRequests.Widevine(customer).Without("errorFormat").Set(name, value);
        var error = await Expect.HtmlErrorAsync(await gateway.MintAsync(Drm.Widevine, request), code);
        Assert.DoesNotContain("<script", error.Body, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<img", error.Body, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<scr,", error.Body, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Json_IsValidJson_WhatEverTheInput()
    {
        var customer = await gateway.CreateCustomerAsync();
        var request = ValidRequests.Widevine(customer).Set("expirationTime", "\"},\"errorCode\":0,\"x\":\"\\");
        var response = await gateway.MintAsync(Drm.Widevine, request);
        await Expect.ErrorAsync(response, -2002);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(-2002, json.RootElement.GetProperty("errorCode").GetInt32());
    }

    // ---- section 6: <details> never contains a secret ----

    [Fact]
    public async Task Details_NeverHoldTheAuthenticatorSecret()
    {
        var customer = await gateway.CreateCustomerAsync();
        var secret = customer.Authenticator[(customer.Authenticator.IndexOf(',') + 1)..];
        var otherSecret = new string('7', 32);
        var cases = new[]
        {
            $"{customer.Id},{otherSecret}",                 // unknown secret
            $"0{customer.Id},{secret}",                     // malformed, carrying the real secret
            $"{customer.Id},{secret}{secret[..4]}",         // malformed: secret too long
        };
        foreach (var authenticator in cases)
        {
            foreach (var format in new[] { "json", "html" })
            {
                var request = ValidRequests.Widevine(customer).Set("customerAuthenticator", authenticator).Set("errorFormat", format);
                var response = await gateway.MintAsync(Drm.Widevine, request);
                var error = format == "json" ? await Expect.ErrorAsync(response, -2018) : await Expect.HtmlErrorAsync(response, -2018);
                Assert.DoesNotContain(secret, error.Body, StringComparison.OrdinalIgnoreCase);
                Assert.DoesNotContain(otherSecret, error.Body);
            }
        }
    }

    [Theory]
    [InlineData("contentKey", "00112233445566778899aabbccddee", -2027)]
    [InlineData("contentKey", "00112233445566778899aabbccddeefg", -2005)]
    [InlineData("kek", "000102030405060708090a0b0c0d0e", -4024)]
    [InlineData("kek", "000102030405060708090a0b0c0d0e0f", -4024)]
    public async Task Details_NeverHoldKeyMaterial(string name, string value, int code)
    {
        var customer = await gateway.CreateCustomerAsync();
        var request = ValidRequests.Widevine(customer);
        if (name == "kek") request.Without("contentKey").Set("kek", value).Set("ek", "1FA68B0A8112B447AEF34BD8FB5A7B829D3E862371D2CFE4");
        else request.Set(name, value);
        foreach (var format in new[] { "json", "html" })
        {
            var response = await gateway.MintAsync(Drm.Widevine, request.Clone().Set("errorFormat", format));
            var error = format == "json" ? await Expect.ErrorAsync(response, code) : await Expect.HtmlErrorAsync(response, code);
            Assert.DoesNotContain(value, error.Body, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(value[..16], error.Body, StringComparison.OrdinalIgnoreCase);
        }
    }
}
