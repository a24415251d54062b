using System.Net;
using System.Text.Json.Nodes;
using Orleans.Tokens.Tests.Infrastructure;

namespace Orleans.Tokens.Tests.KeyStorage;

/// <summary>
/// Contract section 12, key storage over HTTP: one test per example of the public SKM specification (Simple Key
/// Management API, "SKM REST API" and "SKM API Examples and Cookbook"), under <c>/keystore</c> and with this service's
/// rules where the contract departs from SKM (keys are stored under a service key, so a create needs no <c>kek</c>
/// and answers carry the clear <c>k</c>; one GET answers one object; the count is the number alone, as the SKM specification answers it). Each test
/// has a customer of its own.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class SkmExamplesTests(GatewayFixture gateway)
{
    private const string CookbookKid = "4e2df6b45e8257e187b2802b22ae7418";

    private async Task<SkmClient> NewCustomerAsync() =>
        new(gateway, (await gateway.CreateCustomerAsync()).Authenticator);

    // ---- create, with a server-assigned value and KID (cookbook) ----

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("{}")]
    public async Task An_empty_POST_creates_a_random_key_under_a_random_kid(string? body)
    {
        var skm = await NewCustomerAsync();

        var first = await Skm.CreatedAsync(await skm.PostAsync(body));
        var second = await Skm.CreatedAsync(await skm.PostAsync(body));

        Assert.NotNull(Skm.Field(first, "k"));
        Assert.NotNull(Skm.Field(first, "lastUpdate"));
        Assert.NotEqual(Skm.Kid(first), Skm.Kid(second));
        Assert.NotEqual(Skm.Field(first, "k"), Skm.Field(second, "k"));
        var stored = await Skm.KeyAsync(await skm.GetAsync(Skm.Kid(first)));
        Assert.Equal(Skm.Field(first, "k"), Skm.Field(stored, "k"));
    }

    [Fact]
    public async Task An_empty_POST_with_a_kek_answers_the_new_key_wrapped_under_that_kek()
    {
        // The cookbook's first example posts nothing but ?kek=…; here the answer carries ek and kekId instead of k.
        var skm = await NewCustomerAsync();
        const string kek = "000102030405060708090a0b0c0d0e0f";

        var created = await Skm.CreatedAsync(await skm.PostAsync((string?)null, kek));

        Assert.Null(Skm.Field(created, "k"));
        Assert.Equal(Skm.KekId(kek), Skm.Field(created, "kekId"));
        var ek = Skm.Field(created, "ek");
        Assert.NotNull(ek);
        Assert.Equal(48, ek.Length);
        var key = Rfc3394.Unwrap(kek, ek);
        Assert.True(key is not null, "the answered ek does not unwrap under the kek given");
        var again = await Skm.KeyAsync(await skm.GetAsync(Skm.Kid(created), kek));
        Assert.Equal(ek, Skm.Field(again, "ek"), ignoreCase: true);
    }

    // ---- get a key by KID, created if it does not exist (cookbook) ----

    [Fact]
    public async Task A_POST_with_a_kid_creates_the_key_once_and_then_answers_the_stored_key_with_200()
    {
        var skm = await NewCustomerAsync();

        var created = await Skm.CreatedAsync(await skm.PostAsync(Skm.Body(("kid", CookbookKid))));
        Assert.Equal(CookbookKid, Skm.Kid(created));
        var k = Skm.Field(created, "k");
        Assert.NotNull(k);

        var found = await Skm.KeyAsync(await skm.PostAsync(Skm.Body(("kid", CookbookKid))), HttpStatusCode.OK);
        Assert.Equal(k, Skm.Field(found, "k"));

        // The rest of the body is ignored when the KID exists.
        var ignored = await Skm.KeyAsync(
            await skm.PostAsync(Skm.Body(("kid", CookbookKid), ("k", Skm.RandomHex()), ("info", "ignored"))), HttpStatusCode.OK);
        Assert.Equal(k, Skm.Field(ignored, "k"));
        Assert.Null(Skm.Field(ignored, "info"));
        Assert.Equal(k, Skm.Field(await Skm.KeyAsync(await skm.GetAsync(CookbookKid)), "k"));
    }

    [Fact]
    public async Task A_POST_with_every_field_set_stores_and_answers_them_all()
    {
        var skm = await NewCustomerAsync();
        var k = Skm.RandomHex();
        var body = Skm.Body(("kid", CookbookKid), ("k", k), ("contentId", "urn:mynamespace:my-content-id-1234"),
            ("info", "some comment"), ("expiration", "2030-01-02T03:04:05Z"));

        var created = await Skm.CreatedAsync(await skm.PostAsync(body));
        var stored = await Skm.KeyAsync(await skm.GetAsync(CookbookKid));

        foreach (var key in new[] { created, stored })
        {
            Assert.Equal(CookbookKid, Skm.Kid(key));
            Assert.Equal(k, Skm.Field(key, "k"));
            Assert.Equal("urn:mynamespace:my-content-id-1234", Skm.Field(key, "contentId"));
            Assert.Equal("some comment", Skm.Field(key, "info"));
            Assert.Equal(DateTimeOffset.Parse("2030-01-02T03:04:05Z"), DateTimeOffset.Parse(Skm.Field(key, "expiration")!));
            Assert.NotNull(Skm.Field(key, "lastUpdate"));
        }
    }

    [Fact]
    public async Task Kids_are_answered_in_lower_case_whatever_case_they_were_given_in()
    {
        var skm = await NewCustomerAsync();
        const string upper = "0B68C2F889C6A8B6F9A9E99A7B9C53F7";

        var created = await Skm.CreatedAsync(await skm.PostAsync(Skm.Body(("kid", upper), ("k", Skm.RandomHex()))));

        Assert.Equal(upper.ToLowerInvariant(), Skm.Kid(created));
        Assert.Equal(upper.ToLowerInvariant(), Skm.Kid(await Skm.KeyAsync(await skm.GetAsync(upper))));
    }

    // ---- KIDs generated from strings (cookbook; the REST API's "special KID syntax") ----

    [Theory]
    [InlineData("^kid1", "80ea8bc8a58f990ad1f76bc665b30bfa")] // the SKM specification's own example
    [InlineData("^CNN.2014.12.18", null)]                     // the cookbook's channel/day name
    [InlineData("^Le Fabuleux Destin d'Amélie Poulain", null)] // UTF-8 (section 4)
    public async Task A_caret_name_kid_is_the_first_16_bytes_of_the_SHA1_of_the_name(string name, string? expected)
    {
        var skm = await NewCustomerAsync();
        var kid = expected ?? Skm.KidOf(name);
        Assert.Equal(kid, Skm.KidOf(name));

        var created = await Skm.CreatedAsync(await skm.PostAsync(Skm.Body(("kid", name))));

        Assert.Equal(kid, Skm.Kid(created));
        var stored = await Skm.KeyAsync(await skm.GetAsync(kid));
        Assert.Equal(Skm.Field(created, "k"), Skm.Field(stored, "k"));
        // Posting the name again finds the same key.
        var found = await Skm.KeyAsync(await skm.PostAsync(Skm.Body(("kid", name))), HttpStatusCode.OK);
        Assert.Equal(Skm.Field(created, "k"), Skm.Field(found, "k"));
    }

    [Fact]
    public async Task A_caret_name_in_the_path_reads_the_key_of_that_name()
    {
        // The cookbook reads the key of a channel and day as GET /keys/^CNN.2014.12.18.
        var skm = await NewCustomerAsync();
        var created = await Skm.CreatedAsync(await skm.PostAsync(Skm.Body(("kid", "^CNN.2014.12.18"))));

        var read = await Skm.KeyAsync(await skm.GetAsync("^CNN.2014.12.18"));

        Assert.Equal(Skm.KidOf("^CNN.2014.12.18"), Skm.Kid(read));
        Assert.Equal(Skm.Field(created, "k"), Skm.Field(read, "k"));
        Assert.Equal(Skm.Field(created, "k"), await Skm.ValueAsync(await skm.GetValueAsync("^CNN.2014.12.18")));
    }

    // ---- GET one key, GET its value (REST API) ----

    [Fact]
    public async Task A_GET_of_one_kid_answers_one_key_object_not_an_array()
    {
        var skm = await NewCustomerAsync();
        var k = Skm.RandomHex();
        await Skm.CreatedAsync(await skm.PostAsync(Skm.Body(("kid", CookbookKid), ("k", k), ("info", "foobar"))));

        var key = await Skm.KeyAsync(await skm.GetAsync(CookbookKid));

        Assert.Equal(CookbookKid, Skm.Kid(key));
        Assert.Equal(k, Skm.Field(key, "k"));
        Assert.Equal("foobar", Skm.Field(key, "info"));
        Assert.Null(Skm.Field(key, "contentId"));
        Assert.Null(Skm.Field(key, "expiration"));
        Assert.NotNull(Skm.Field(key, "lastUpdate"));
    }

    [Fact]
    public async Task The_value_route_answers_the_key_as_32_hex_digits_of_plain_text()
    {
        var skm = await NewCustomerAsync();
        var k = Skm.RandomHex();
        await Skm.CreatedAsync(await skm.PostAsync(Skm.Body(("kid", CookbookKid), ("k", k.ToUpperInvariant()))));

        Assert.Equal(k, await Skm.ValueAsync(await skm.GetValueAsync(CookbookKid)));
    }

    // ---- PUT: update a key (REST API) ----

    [Fact]
    public async Task A_PUT_updates_only_the_fields_it_gives()
    {
        var skm = await NewCustomerAsync();
        var k = Skm.RandomHex();
        var created = await Skm.CreatedAsync(await skm.PostAsync(
            Skm.Body(("kid", CookbookKid), ("k", k), ("info", "first"), ("contentId", "urn:namespace:before"))));

        // The REST API's example: change the contentId of a key.
        var updated = await Skm.KeyAsync(await skm.PutAsync(CookbookKid, Skm.Body(("contentId", "urn:namespace:x1234yyu"))));
        Assert.Equal("urn:namespace:x1234yyu", Skm.Field(updated, "contentId"));
        Assert.Equal("first", Skm.Field(updated, "info"));
        Assert.Equal(k, Skm.Field(updated, "k"));
        Assert.True(DateTimeOffset.Parse(Skm.Field(updated, "lastUpdate")!) >= DateTimeOffset.Parse(Skm.Field(created, "lastUpdate")!));

        var info = await Skm.KeyAsync(await skm.PutAsync(CookbookKid, Skm.Body(("info", "second"))));
        Assert.Equal("second", Skm.Field(info, "info"));
        Assert.Equal("urn:namespace:x1234yyu", Skm.Field(info, "contentId"));
        Assert.Equal(k, Skm.Field(info, "k"));

        var newKey = Skm.RandomHex();
        var rekeyed = await Skm.KeyAsync(await skm.PutAsync(CookbookKid, Skm.Body(("k", newKey))));
        Assert.Equal(newKey, Skm.Field(rekeyed, "k"));
        Assert.Equal("second", Skm.Field(rekeyed, "info"));

        var stored = await Skm.KeyAsync(await skm.GetAsync(CookbookKid));
        Assert.Equal(newKey, Skm.Field(stored, "k"));
        Assert.Equal("second", Skm.Field(stored, "info"));
        Assert.Equal("urn:namespace:x1234yyu", Skm.Field(stored, "contentId"));
        Assert.Equal(newKey, await Skm.ValueAsync(await skm.GetValueAsync(CookbookKid)));
    }

    [Fact]
    public async Task A_kid_in_a_PUT_body_is_ignored()
    {
        // The REST API: "the kid field, if present in the body, is ignored" (paraphrased): the path names the key.
        var skm = await NewCustomerAsync();
        await Skm.CreatedAsync(await skm.PostAsync(Skm.Body(("kid", CookbookKid), ("k", Skm.RandomHex()))));
        var other = Skm.RandomHex();

        var updated = await Skm.KeyAsync(await skm.PutAsync(CookbookKid, Skm.Body(("kid", other), ("info", "moved?"))));

        Assert.Equal(CookbookKid, Skm.Kid(updated));
        Assert.Equal("moved?", Skm.Field(updated, "info"));
        await Skm.ErrorAsync(await skm.GetAsync(other), HttpStatusCode.NotFound);
    }

    // ---- DELETE (REST API) ----

    [Fact]
    public async Task A_DELETE_removes_the_key_and_a_second_DELETE_is_404()
    {
        var skm = await NewCustomerAsync();
        await Skm.CreatedAsync(await skm.PostAsync(Skm.Body(("kid", CookbookKid))));

        Skm.Deleted(await skm.DeleteAsync(CookbookKid));

        Assert.Equal("Not Found", await Skm.ErrorAsync(await skm.GetAsync(CookbookKid), HttpStatusCode.NotFound));
        await Skm.ErrorAsync(await skm.GetValueAsync(CookbookKid), HttpStatusCode.NotFound);
        await Skm.ErrorAsync(await skm.DeleteAsync(CookbookKid), HttpStatusCode.NotFound);
        Assert.Empty(await Skm.KeyListAsync(await skm.ListAsync()));
        // A POST of the deleted KID creates a new key.
        await Skm.CreatedAsync(await skm.PostAsync(Skm.Body(("kid", CookbookKid))));
    }

    // ---- GET all keys, GET keycount (REST API) ----

    [Fact]
    public async Task The_list_answers_an_array_of_every_key_of_the_customer()
    {
        var skm = await NewCustomerAsync();
        Assert.Empty(await Skm.KeyListAsync(await skm.ListAsync()));

        var keys = new Dictionary<string, string>();
        for (var i = 0; i < 3; i++)
        {
            var created = await Skm.CreatedAsync(await skm.PostAsync(Skm.Body(("info", $"key {i}"))));
            keys[Skm.Kid(created)] = Skm.Field(created, "k")!;
        }

        var listed = await Skm.KeyListAsync(await skm.ListAsync());

        Assert.Equal(keys.Keys.Order(), listed.Select(Skm.Kid).Order());
        Assert.All(listed, key => Assert.Equal(keys[Skm.Kid(key)], Skm.Field(key, "k")));
        Assert.Equal(["key 0", "key 1", "key 2"], listed.Select(key => Skm.Field(key, "info")).Order());
    }

    [Fact]
    public async Task The_key_count_answers_the_number_of_the_customers_keys()
    {
        var skm = await NewCustomerAsync();
        Assert.Equal(0, await Skm.KeyCountAsync(await skm.CountAsync()));

        var first = await Skm.CreatedAsync(await skm.PostAsync("{}"));
        await Skm.CreatedAsync(await skm.PostAsync("{}"));
        Assert.Equal(2, await Skm.KeyCountAsync(await skm.CountAsync()));

        // An existing KID posted again is no new key.
        await Skm.KeyAsync(await skm.PostAsync(Skm.Body(("kid", Skm.Kid(first)))), HttpStatusCode.OK);
        Assert.Equal(2, await Skm.KeyCountAsync(await skm.CountAsync()));

        Skm.Deleted(await skm.DeleteAsync(Skm.Kid(first)));
        Assert.Equal(1, await Skm.KeyCountAsync(await skm.CountAsync()));
    }

    // ---- wrapping keys client-side (cookbook) ----

    [Fact]
    public async Task A_key_wrapped_client_side_is_stored_and_answered_as_the_ek_and_kekId_given()
    {
        // The cookbook posts {kid, ek, kekId} without ?kek; the server cannot unwrap it and keeps it wrapped.
        var skm = await NewCustomerAsync();
        const string ek = "5dbd06c0056b42fe0b8cf406679620c31bd619732730433d";
        var body = Skm.Body(("kid", CookbookKid), ("ek", ek), ("kekId", "my-kek-id-1234"));

        var created = await Skm.CreatedAsync(await skm.PostAsync(body));
        var stored = await Skm.KeyAsync(await skm.GetAsync(CookbookKid));

        foreach (var key in new[] { created, stored })
        {
            Assert.Equal(CookbookKid, Skm.Kid(key));
            Skm.AssertWrapped(key, ek, "my-kek-id-1234");
        }
        var value = await Skm.ValueAsync(await skm.GetValueAsync(CookbookKid));
        Assert.Equal("#" + ek, value, ignoreCase: true);

        // With the KEK the key wraps the cookbook's clear key.
        var withKek = await Skm.KeyAsync(await skm.GetAsync(CookbookKid, "000102030405060708090a0b0c0d0e0f"));
        Assert.Null(Skm.Field(withKek, "k"));
        Assert.Equal("a9b9033df0b9ca5447839e3d074817a0",
            Rfc3394.Unwrap("000102030405060708090a0b0c0d0e0f", Skm.Field(withKek, "ek")!));
    }
}
