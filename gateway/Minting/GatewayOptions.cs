using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Orleans.Tokens.Gateway.Minting;

/// <summary>
/// What the token endpoints answer with (contract sections 2, 9a and 14). The rights URLs are built on first use,
/// when the web server listens: so <c>Tokens:PublicBaseUrl</c> defaults to the first address it really listens on
/// (with <c>--urls http://127.0.0.1:0</c>, the port it was given), else to the first of <c>--urls</c>. A mint with
/// <c>useHttps=true</c> gets the https rights URL: <c>Tokens:PublicHttpsBaseUrl</c> (default the public base with
/// scheme https) for the default URLs, the configured URL with scheme https for a configured one.
/// </summary>
internal sealed class GatewayOptions(IConfiguration configuration, TokenEnvironment environment, IServer server)
{
    private readonly Lazy<RightsUrls> _rightsUrls = new(() =>
    {
        var publicBaseUrl = (configuration["Tokens:PublicBaseUrl"]
            ?? server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? (configuration["urls"] ?? "http://127.0.0.1:8080").Split(';')[0]).TrimEnd('/');
        var httpsBaseUrl = configuration["Tokens:PublicHttpsBaseUrl"]?.TrimEnd('/') ?? Https(publicBaseUrl);
        (string Http, string Https) Url(string setting, string path) => configuration[setting] is { } configured
            ? (configured, Https(configured))
            : (publicBaseUrl + path, httpsBaseUrl + path);
        return new RightsUrls(Url("Tokens:WidevineRightsUrl", "/hms/wv/rights/"), Url("Tokens:PlayReadyRightsUrl", "/hms/pr/rights"),
            Url("Tokens:FairPlayRightsUrl", "/hms/fp/rights/"), Url("Tokens:ClearKeyRightsUrl", "/hms/ck/rights"));
    });

    public TokenEnvironment Environment => environment;

    /// <summary>Where a token of <paramref name="drm"/> is redeemed, its https form when <paramref name="https"/>.</summary>
    public string RightsUrl(Drm drm, bool https)
    {
        var (http, secure) = drm switch
        {
            Drm.Widevine => _rightsUrls.Value.Widevine,
            Drm.PlayReady => _rightsUrls.Value.PlayReady,
            Drm.FairPlay => _rightsUrls.Value.FairPlay,
            _ => _rightsUrls.Value.ClearKey,
        };
        return https ? secure : http;
    }

    /// <summary><paramref name="url"/> with scheme https; an http URL's default port 80 becomes https's default.</summary>
    private static string Https(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme == Uri.UriSchemeHttps) return url;
        var builder = new UriBuilder(uri) { Scheme = Uri.UriSchemeHttps, Port = uri.IsDefaultPort ? -1 : uri.Port };
        var https = builder.Uri.AbsoluteUri;
        // Uri adds a "/" to a bare authority; the configured form had none.
        return url.EndsWith('/') || uri.AbsolutePath != "/" ? https : https.TrimEnd('/');
    }

    private sealed record RightsUrls((string Http, string Https) Widevine, (string Http, string Https) PlayReady, (string Http, string Https) FairPlay,
        (string Http, string Https) ClearKey);
}
