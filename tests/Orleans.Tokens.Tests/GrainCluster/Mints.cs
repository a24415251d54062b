using Orleans.Tokens.Tests.Infrastructure;

namespace Orleans.Tokens.Tests.GrainCluster;

/// <summary>Mint requests as a gateway hands them to the grain: the authenticator's secret hashed, the KID parsed.</summary>
public static class Mints
{
    public static readonly byte[] Kid = Convert.FromHexString("00112233445566778899aabbccddeeff");
    public static readonly byte[] ContentKey = Convert.FromHexString("0f0e0d0c0b0a09080706050403020100");

    public static MintRequest Request(string authenticator, TokenEnvironment environment = TokenEnvironment.Production,
        Drm drm = Drm.Widevine, byte[]? kid = null, byte[]? contentKey = null, bool fromStorage = false)
    {
        Assert.True(Authenticator.TryParse(authenticator, out _, out var secretHash), $"not an authenticator: {authenticator}");
        return new MintRequest(environment, secretHash, drm, kid ?? Kid, fromStorage ? null : contentKey ?? ContentKey);
    }

    /// <summary>A production Widevine mint with its own content key, as the customer's production authenticator.</summary>
    public static Task<MintResult> Mint(this TestCustomer customer, CancellationToken cancellation = default) =>
        customer.Grain.Mint(Request(customer.Authenticator), cancellation);

    /// <summary>The refusal's code, or <see cref="ErrorCode.None"/> for a token.</summary>
    public static async Task<ErrorCode> Code(this Task<MintResult> mint) => (await mint).Code;
}
