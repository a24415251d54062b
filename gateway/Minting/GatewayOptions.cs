using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Orleans.Tokens.Gateway.Minting;

/// <summary>
/// What the token endpoints answer with (contract sections 2 and 9a). The rights URLs are built on first use, when
/// the web server listens: so <c>Tokens:PublicBaseUrl</c> defaults to the first address it really listens on (with
/// <c>--urls http://127.0.0.1:0</c>, the port it was given), else to the first of <c>--urls</c>.
/// </summary>
internal sealed class GatewayOptions(IConfiguration configuration, TokenEnvironment environment, IServer server)
{
    private readonly Lazy<(string Widevine, string PlayReady)> _rightsUrls = new(() =>
    {
        var publicBaseUrl = (configuration["Tokens:PublicBaseUrl"]
            ?? server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? (configuration["urls"] ?? "http://127.0.0.1:8080").Split(';')[0]).TrimEnd('/');
        return (
            configuration["Tokens:WidevineRightsUrl"] ?? publicBaseUrl + "/hms/wv/rights/",
            configuration["Tokens:PlayReadyRightsUrl"] ?? publicBaseUrl + "/hms/pr/rights");
    });

    public TokenEnvironment Environment => environment;

    public string WidevineRightsUrl => _rightsUrls.Value.Widevine;

    public string PlayReadyRightsUrl => _rightsUrls.Value.PlayReady;
}
