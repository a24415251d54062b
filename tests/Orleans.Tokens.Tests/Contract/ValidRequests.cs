using Orleans.Tokens.Tests.Infrastructure;

namespace Orleans.Tokens.Tests.Contract;

/// <summary>
/// Minimal valid mint requests written from sections 4 and 5 (json errors, so codes are easy to read), and a
/// "full" variant with every optional parameter set to a valid value.
/// </summary>
public static class ValidRequests
{
    public const string Kid = "0123456789abcdef0123456789abcdef";
    public const string ContentKey = "00112233445566778899aabbccddeeff";

    /// <summary>RFC 3394 section 4.1: 128-bit KEK, 128-bit key data, wrapped.</summary>
    public const string Kek128 = "000102030405060708090A0B0C0D0E0F";
    public const string KeyData = "00112233445566778899AABBCCDDEEFF";
    public const string Wrapped128 = "1FA68B0A8112B447AEF34BD8FB5A7B829D3E862371D2CFE5";
    /// <summary>RFC 3394 section 4.2: 192-bit KEK, same key data.</summary>
    public const string Kek192 = "000102030405060708090A0B0C0D0E0F1011121314151617";
    public const string Wrapped192 = "96778B25AE6CA435F92B5B97C050AED2468AB8A17AD84E5D";
    /// <summary>RFC 3394 section 4.3: 256-bit KEK, same key data.</summary>
    public const string Kek256 = "000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F";
    public const string Wrapped256 = "64E8C3F9CE0F5BA263E9777905818A2A93C8191E7D6E8AE7";

    public static readonly string[] Opls =
    [
        "analogVideoOPL", "compressedDigitalAudioOPL", "compressedDigitalVideoOPL",
        "uncompressedDigitalAudioOPL", "uncompressedDigitalVideoOPL",
    ];

    public static Params For(Drm drm, TestCustomer customer) =>
        drm == Drm.Widevine ? Widevine(customer) : PlayReady(customer);

    public static Params Widevine(TestCustomer customer) => new()
    {
        { "customerAuthenticator", customer.Authenticator },
        { "errorFormat", "json" },
        { "kid", Kid },
        { "contentKey", ContentKey },
        { "securityLevel", "1" },
        { "hdcpOutputControl", "0" },
    };

    public static Params PlayReady(TestCustomer customer)
    {
        var request = new Params
        {
            { "customerAuthenticator", customer.Authenticator },
            { "errorFormat", "json" },
            { "kid", Kid },
            { "contentKey", ContentKey },
            { "rightsType", "BuyToOwn" },
        };
        foreach (var opl in Opls) request.Add(opl, "100");
        return request;
    }

    /// <summary>A PlayReady Rental: persistent (generalFlags bit 0x1), with a period end time.</summary>
    public static Params PlayReadyRental(TestCustomer customer) => PlayReady(customer)
        .Set("rightsType", "Rental")
        .Set("rental.periodEndTime", "+86400")
        .Set("generalFlags", "1");

    /// <summary>Every parameter of sections 4, 5 and 14 that the DRM takes (plain keys), each once, with a valid value.</summary>
    public static Params Full(Drm drm, TestCustomer customer)
    {
        var request = drm == Drm.Widevine ? Widevine(customer) : PlayReadyRental(customer);
        request.Set("contentId", "movie-42").Set("generalFlags", drm == Drm.Widevine ? "0" : "1")
            .Set("expirationTime", "+3600").Set("cookie", "session-1").Set("useHttps", "false");
        if (drm == Drm.Widevine)
        {
            request.Set("licenseDuration", "3600").Set("wvExtension", "abcd,AAAA");
        }
        else
        {
            request.Set("rental.playDuration", "7200").Set("unknownOutputBehavior", "Disallow")
                .Set("outputControlFlags", "00000000").Set("extensionType", "abcd").Set("extensionPayload", "AAAA")
                .Set("deviceId", "ffeeddccbbaa99887766554433221100").Set("algId", "aescbc");
        }
        return request;
    }

    /// <summary>Replaces <c>contentKey</c> by the RFC 3394 section 4.1 <c>kek</c>+<c>ek</c> pair.</summary>
    public static Params WithWrappedKey(this Params request) =>
        request.Without("contentKey").Set("kek", Kek128).Set("ek", Wrapped128);
}
