namespace Orleans.Tokens.Gateway.Redemption;

/// <summary>
/// Which license issuer each rights URL uses (contract section 8), bound from the <c>Issuers</c> section:
/// <c>Issuers:Widevine</c> and <c>Issuers:PlayReady</c> are <c>ClearKey</c> or <c>Forwarding</c>,
/// <c>Issuers:FairPlay</c> only <c>Forwarding</c>; unset, the rights URL answers 501 once the token is verified.
/// <c>Issuers:ClearKey:Enabled</c> turns on <c>/hms/ck/token</c> and <c>/hms/ck/rights</c>. Clear Key is off
/// everywhere unless configured, since it hands the content key to whoever holds the token. A forwarding issuer
/// needs <c>Issuers:Forwarding:&lt;DRM&gt;:Url</c> and <c>:Secret</c> (the bearer secret, never logged);
/// <c>Issuers:Forwarding:TimeoutSeconds</c> (default 10) bounds each call.
/// </summary>
public sealed class IssuerSettings
{
    public ClearKeySettings ClearKey { get; set; } = new();
    public IssuerKind? Widevine { get; set; }
    public IssuerKind? PlayReady { get; set; }
    public IssuerKind? FairPlay { get; set; }
    public ForwardingSettings Forwarding { get; set; } = new();

    /// <summary>The issuer kind configured for <paramref name="drm"/>'s rights URL; Clear Key's own is Clear Key when enabled.</summary>
    public IssuerKind? For(Drm drm) => drm switch
    {
        Drm.Widevine => Widevine,
        Drm.PlayReady => PlayReady,
        Drm.FairPlay => FairPlay,
        _ => ClearKey.Enabled ? IssuerKind.ClearKey : null,
    };

    /// <summary>What is wrong with these settings, or null: a start with them fails with it.</summary>
    public string? Problem()
    {
        if (FairPlay == IssuerKind.ClearKey) return "Issuers:FairPlay can only be Forwarding";
        foreach (var drm in new[] { Drm.Widevine, Drm.PlayReady, Drm.FairPlay })
        {
            if (For(drm) != IssuerKind.Forwarding) continue;
            var upstream = Forwarding.For(drm);
            if (upstream?.Url is not { IsAbsoluteUri: true } url || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
                return $"Issuers:Forwarding:{drm}:Url must be an absolute http or https URL";
            if (string.IsNullOrEmpty(upstream.Secret)) return $"Issuers:Forwarding:{drm}:Secret is required";
        }
        return Forwarding.TimeoutSeconds is >= 1 and <= 50 ? null : "Issuers:Forwarding:TimeoutSeconds must be 1 to 50";
    }
}

/// <summary>The kinds of license issuer (section 8).</summary>
public enum IssuerKind
{
    ClearKey,
    Forwarding,
}

/// <summary><c>Issuers:ClearKey</c>.</summary>
public sealed class ClearKeySettings
{
    public bool Enabled { get; set; }
}

/// <summary><c>Issuers:Forwarding</c>: one upstream license server per DRM, and the timeout of a call.</summary>
public sealed class ForwardingSettings
{
    public Upstream? Widevine { get; set; }
    public Upstream? PlayReady { get; set; }
    public Upstream? FairPlay { get; set; }
    public int TimeoutSeconds { get; set; } = 10;

    public Upstream? For(Drm drm) => drm switch
    {
        Drm.Widevine => Widevine,
        Drm.PlayReady => PlayReady,
        Drm.FairPlay => FairPlay,
        _ => null,
    };
}

/// <summary>A license server that a forwarding issuer calls, and the bearer secret it expects.</summary>
public sealed class Upstream
{
    public Uri? Url { get; set; }
    public string? Secret { get; set; }
}
