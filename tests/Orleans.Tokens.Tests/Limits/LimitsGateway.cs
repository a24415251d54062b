using Orleans.Tokens.Tests.Infrastructure;

namespace Orleans.Tokens.Tests.Limits;

/// <summary>A gateway with a small failed-authentication limit: 10 at once, then 1 a second per address.</summary>
public sealed class LimitsGateway() : GatewayFixture(new Dictionary<string, string>
{
    ["Tokens:PublicBaseUrl"] = PublicBaseUrl,
    ["Limits:FailedAuthenticationBurst"] = LimitsGateway.Burst.ToString(System.Globalization.CultureInfo.InvariantCulture),
    ["Limits:FailedAuthenticationsPerSecond"] = "1",
})
{
    public const int Burst = 10;
}
