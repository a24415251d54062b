using Microsoft.Extensions.Options;

namespace Orleans.Tokens.Gateway.Redemption;

/// <summary>The license issuer of each rights URL, built once from <see cref="IssuerSettings"/> (contract section 8).</summary>
internal sealed class LicenseIssuers
{
    /// <summary>The name of the <see cref="HttpClient"/> that forwarding issuers use.</summary>
    public const string ForwardingClient = "license-forwarding";

    private readonly Dictionary<Drm, ILicenseIssuer> _issuers = [];

    public LicenseIssuers(IOptions<IssuerSettings> options, IHttpClientFactory clients)
    {
        var settings = options.Value;
        foreach (var drm in Enum.GetValues<Drm>())
        {
            ILicenseIssuer? issuer = settings.For(drm) switch
            {
                IssuerKind.ClearKey => new ClearKeyIssuer(),
                IssuerKind.Forwarding when settings.Forwarding.For(drm) is { Url: { } url, Secret: { } secret } =>
                    new ForwardingIssuer(clients.CreateClient(ForwardingClient), drm, url, secret),
                _ => null,
            };
            if (issuer is not null) _issuers[drm] = issuer;
        }
        ClearKeyEnabled = settings.ClearKey.Enabled;
    }

    /// <summary>Whether <c>/hms/ck/token</c> and <c>/hms/ck/rights</c> are served.</summary>
    public bool ClearKeyEnabled { get; }

    /// <summary>The issuer of <paramref name="drm"/>'s rights URL, or null (501).</summary>
    public ILicenseIssuer? For(Drm drm) => _issuers.GetValueOrDefault(drm);
}
