using System.Net;
using System.Text.Json.Nodes;
using Orleans.Tokens.Tests.Infrastructure;

namespace Orleans.Tokens.Tests.KeyStorage;

/// <summary>
/// Contract section 12's refusals: <c>401 {"message":"Unauthorized"}</c> for a missing or wrong
/// <c>customerAuthenticator</c> (section 4's rule and environments: unknown, wrong secret, malformed, revoked or of the
/// test environment), <c>400</c> for an invalid KID (section 4's form), key object, JSON or KEK, <c>404 Not Found</c>
/// for a KID the customer does not have. Every error is JSON <c>{"message":"…"}</c>, never HTML or a stack trace, and
/// never repeats the key, KEK or secret that was sent. A refused request changes nothing.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class SkmErrorTests(GatewayFixture gateway)
{
    private const string Kid = "0123456789abcdef0123456789abcdef";

    private async Task<(TestCustomer Customer, SkmClient Skm)> NewCustomerAsync()
    {
        var customer = await gateway.CreateCustomerAsync();
        return (customer, new SkmClient(gateway, customer.Authenticator));
    }

    /// <summary>Every route, as (method, path, JSON body).</summary>
    public static TheoryData<string, string, string?> Routes => new()
    {
        { "POST", SkmClient.Keys, """{"kid":"0123456789abcdef0123456789abcdef"}""" },
        { "GET", SkmClient.Keys, null },
        { "GET", SkmClient.Keys + "/" + Kid, null },
        { "GET", SkmClient.Keys + "/" + Kid + "/value", null },
        { "PUT", SkmClient.Keys + "/" + Kid, """{"info":"x"}""" },
        { "DELETE", SkmClient.Keys + "/" + Kid, null },
        { "GET", SkmClient.KeyCount, null },
    };

    // ---- 401 ----

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task Every_route_without_an_authenticator_is_401_Unauthorized(string method, string path, string? body)
    {
        var anonymous = new SkmClient(gateway, null);
        var response = await anonymous.SendAsync(new HttpMethod(method), path, body, null);
        Assert.Equal("Unauthorized", await Skm.ErrorAsync(response, HttpStatusCode.Unauthorized));
    }

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task Every_route_with_a_wrong_secret_is_401_Unauthorized_and_does_not_echo_it(string method, string path, string? body)
    {
        var (customer, skm) = await NewCustomerAsync();
        await Skm.CreatedAsync(await skm.PostAsync(Skm.Body(("kid", Kid), ("info", "kept"))));
        var secret = Skm.RandomHex();
        var stranger = new SkmClient(gateway, $"{customer.Id},{secret}");

        var response = await stranger.SendAsync(new HttpMethod(method), path, body, null);

        Assert.Equal("Unauthorized", await Skm.ErrorAsync(response, HttpStatusCode.Unauthorized, secret));
        var kept = await Skm.KeyAsync(await skm.GetAsync(Kid));
        Assert.Equal("kept", Skm.Field(kept, "info"));
        Assert.Equal(1, await Skm.KeyCountAsync(await skm.CountAsync()));
    }

    [Fact]
    public async Task Unknown_malformed_revoked_and_test_environment_authenticators_are_all_401_Unauthorized()
    {
        var (customer, skm) = await NewCustomerAsync();
        var rotated = await customer.Grain.AddAuthenticator(TokenEnvironment.Production);
        await customer.Grain.RevokeAuthenticator(rotated.Id);
        var cases = new Dictionary<string, string>
        {
            ["unknown customer"] = $"{GatewayFixture.NextCustomerId()},{Skm.RandomHex()}",
            ["test environment"] = customer.TestAuthenticator,
            ["revoked"] = rotated.Authenticator,
            ["empty"] = "",
            ["no secret"] = customer.Id.ToString(),
            ["short secret"] = $"{customer.Id},abcd",
            ["non-hex secret"] = $"{customer.Id},{new string('z', 32)}",
            ["leading zero"] = $"0{customer.Id},{Skm.RandomHex()}",
            ["customer id not a number"] = $"abc,{Skm.RandomHex()}",
        };

        foreach (var (name, authenticator) in cases)
        {
            var other = new SkmClient(gateway, authenticator);
            var secret = authenticator.Contains(',') ? authenticator[(authenticator.IndexOf(',') + 1)..] : "";
            var created = await other.PostAsync(Skm.Body(("kid", Kid), ("k", Skm.RandomHex())));
            Assert.True(created.StatusCode == HttpStatusCode.Unauthorized, $"{name}: POST answered {(int)created.StatusCode}");
            Assert.Equal("Unauthorized", await Skm.ErrorAsync(created, HttpStatusCode.Unauthorized, secret.Length >= 8 ? secret : ""));
            Assert.Equal("Unauthorized", await Skm.ErrorAsync(await other.ListAsync(), HttpStatusCode.Unauthorized));
        }
        Assert.Equal(0, await Skm.KeyCountAsync(await skm.CountAsync()));
    }

    [Fact]
    public async Task A_request_without_an_authenticator_is_401_before_its_kid_is_judged()
    {
        var anonymous = new SkmClient(gateway, null);
        await Skm.ErrorAsync(await anonymous.GetAsync("zz"), HttpStatusCode.Unauthorized);
        await Skm.ErrorAsync(await anonymous.PostAsync("{not json"), HttpStatusCode.Unauthorized);
    }

    // ---- 400: KID ----

    public static TheoryData<string> InvalidKids => new()
    {
        "0123456789abcdef0123456789abcdeg",      // 32 characters, one not hex
        "abcd",                                  // hex of the wrong length
        "0123456789abcdef0123456789abcdef00",    // 34 hex digits
        "0123456789abcdef0123456789abcde",       // 31 hex digits
        "^",                                     // nothing after ^
        "^" + new string('n', 65),               // more than 64 characters after ^
        "{01234567-89ab-cdef-0123-456789abcdef}", // a GUID's text
    };

    [Theory]
    [MemberData(nameof(InvalidKids))]
    public async Task An_invalid_kid_in_a_POST_body_is_400_and_creates_nothing(string kid)
    {
        var (_, skm) = await NewCustomerAsync();
        await Skm.ErrorAsync(await skm.PostAsync(Skm.Body(("kid", kid))), HttpStatusCode.BadRequest);
        Assert.Equal(0, await Skm.KeyCountAsync(await skm.CountAsync()));
    }

    [Theory]
    [MemberData(nameof(InvalidKids))]
    public async Task An_invalid_kid_in_the_path_is_400(string kid)
    {
        var (_, skm) = await NewCustomerAsync();
        await Skm.ErrorAsync(await skm.GetAsync(kid), HttpStatusCode.BadRequest);
        await Skm.ErrorAsync(await skm.GetValueAsync(kid), HttpStatusCode.BadRequest);
        await Skm.ErrorAsync(await skm.PutAsync(kid, Skm.Body(("info", "x"))), HttpStatusCode.BadRequest);
        await Skm.ErrorAsync(await skm.DeleteAsync(kid), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task A_caret_name_of_exactly_64_characters_is_a_valid_kid()
    {
        var (_, skm) = await NewCustomerAsync();
        var name = "^" + new string('n', 64);
        var created = await Skm.CreatedAsync(await skm.PostAsync(Skm.Body(("kid", name))));
        Assert.Equal(Skm.KidOf(name), Skm.Kid(created));
    }

    // ---- 413: a body over the limit of section 1, answered as every key-storage error ----

    [Fact]
    public async Task A_body_over_the_limit_is_413_as_JSON_and_creates_nothing()
    {
        var (_, skm) = await NewCustomerAsync();

        var info = new string('i', 100 * 1024);
        await Skm.ErrorAsync(await skm.PostAsync($$"""{"info":"{{info}}"}"""), HttpStatusCode.RequestEntityTooLarge);

        Assert.Equal(0, await Skm.KeyCountAsync(await skm.CountAsync()));
    }

    // ---- 400: JSON and key object ----

    [Theory]
    [InlineData("{")]
    [InlineData("not json")]
    [InlineData("""{"kid":"0123456789abcdef0123456789abcdef",}x""")]
    [InlineData("[]")]
    [InlineData("\"0123456789abcdef0123456789abcdef\"")]
    [InlineData("""{"kid":12345}""")]
    [InlineData("""{"k":["00112233445566778899aabbccddeeff"]}""")]
    [InlineData("""{"info":{"nested":true}}""")]
    [InlineData("""{"kid":"^utf","info":"\ud800"}""")]
    [InlineData("""{"kid":"^\udc00"}""")]
    public async Task A_body_that_is_not_a_key_object_is_400_and_creates_nothing(string body)
    {
        var (_, skm) = await NewCustomerAsync();
        await Skm.ErrorAsync(await skm.PostAsync(body), HttpStatusCode.BadRequest);
        Assert.Equal(0, await Skm.KeyCountAsync(await skm.CountAsync()));
    }

    [Theory]
    [InlineData("00112233445566778899aabbccddeeg0")]     // not hex
    [InlineData("00112233445566778899aabbccddee")]       // 30 hex digits
    [InlineData("00112233445566778899aabbccddeeff00")]   // 34 hex digits
    [InlineData("00112233445566778899aabbccddeeff0011223344556677")] // 48
    public async Task A_k_that_is_not_32_hex_digits_is_400_and_not_echoed(string k)
    {
        var (_, skm) = await NewCustomerAsync();
        await Skm.ErrorAsync(await skm.PostAsync(Skm.Body(("kid", Kid), ("k", k))), HttpStatusCode.BadRequest, k);
        await Skm.ErrorAsync(await skm.GetAsync(Kid), HttpStatusCode.NotFound);

        // Nor through PUT, where the key stays as it was.
        var stored = Skm.RandomHex();
        await Skm.CreatedAsync(await skm.PostAsync(Skm.Body(("kid", Kid), ("k", stored))));
        await Skm.ErrorAsync(await skm.PutAsync(Kid, Skm.Body(("k", k))), HttpStatusCode.BadRequest, k, stored);
        Assert.Equal(stored, Skm.Field(await Skm.KeyAsync(await skm.GetAsync(Kid)), "k"));
    }

    [Theory]
    [InlineData("abcd")]
    [InlineData("000102030405060708090a0b0c0d0e0f00")]       // 34 hex digits
    [InlineData("000102030405060708090a0b0c0d0e0f0001020304")] // 42 hex digits
    [InlineData("000102030405060708090a0b0c0d0e0g")]         // not hex
    public async Task A_kek_of_the_wrong_form_is_400_and_not_echoed(string kek)
    {
        var (_, skm) = await NewCustomerAsync();
        var k = Skm.RandomHex();
        await Skm.ErrorAsync(await skm.PostAsync(Skm.Body(("kid", Kid), ("k", k)), kek), HttpStatusCode.BadRequest, kek, k);
        Assert.Equal(0, await Skm.KeyCountAsync(await skm.CountAsync()));

        await Skm.CreatedAsync(await skm.PostAsync(Skm.Body(("kid", Kid), ("k", k))));
        await Skm.ErrorAsync(await skm.GetAsync(Kid, kek), HttpStatusCode.BadRequest, kek, k);
    }

    // ---- 404 ----

    [Fact]
    public async Task A_kid_the_customer_does_not_have_is_404_Not_Found_on_every_route_that_names_one()
    {
        var (_, skm) = await NewCustomerAsync();
        Assert.Equal("Not Found", await Skm.ErrorAsync(await skm.GetAsync(Kid), HttpStatusCode.NotFound));
        Assert.Equal("Not Found", await Skm.ErrorAsync(await skm.GetValueAsync(Kid), HttpStatusCode.NotFound));
        Assert.Equal("Not Found", await Skm.ErrorAsync(await skm.PutAsync(Kid, Skm.Body(("info", "x"))), HttpStatusCode.NotFound));
        Assert.Equal("Not Found", await Skm.ErrorAsync(await skm.DeleteAsync(Kid), HttpStatusCode.NotFound));
        Assert.Equal("Not Found", await Skm.ErrorAsync(await skm.GetAsync("^never stored"), HttpStatusCode.NotFound));
        // A PUT does not create.
        Assert.Equal(0, await Skm.KeyCountAsync(await skm.CountAsync()));
    }

    // ---- methods ----

    [Fact]
    public async Task Another_method_on_a_key_is_405()
    {
        var (_, skm) = await NewCustomerAsync();
        await Skm.CreatedAsync(await skm.PostAsync(Skm.Body(("kid", Kid))));
        var response = await skm.SendAsync(HttpMethod.Patch, SkmClient.KeyPath(Kid), """{"info":"x"}""", null);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Null(Skm.Field(await Skm.KeyAsync(await skm.GetAsync(Kid)), "info"));
    }
}
