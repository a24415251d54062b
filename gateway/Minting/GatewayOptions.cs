namespace Orleans.Tokens.Gateway.Minting;

/// <summary>What the token endpoints answer with (contract sections 2 and 9a).</summary>
internal sealed record GatewayOptions(TokenEnvironment Environment, string WidevineRightsUrl, string PlayReadyRightsUrl)
{
    public static GatewayOptions From(IConfiguration configuration, TokenEnvironment environment)
    {
        var publicBaseUrl = (configuration["Tokens:PublicBaseUrl"]
            ?? (configuration["urls"] ?? "http://127.0.0.1:8080").Split(';')[0]).TrimEnd('/');
        return new(
            environment,
            configuration["Tokens:WidevineRightsUrl"] ?? publicBaseUrl + "/hms/wv/rights/",
            configuration["Tokens:PlayReadyRightsUrl"] ?? publicBaseUrl + "/hms/pr/rights");
    }
}
