namespace Orleans.Tokens;

[GenerateSerializer, Alias("Orleans.Tokens.Drm")]
public enum Drm
{
    Widevine = 0,
    PlayReady = 1,
    FairPlay = 2,
    /// <summary>W3C EME Clear Key (contract section 8): minted with the Widevine parameters, redeemed for the keys in the clear.</summary>
    ClearKey = 3,
}

public static class Drms
{
    /// <summary>The DRM's name in tokens and metrics: <c>widevine</c>, <c>playready</c>, <c>fairplay</c> or <c>clearkey</c>.</summary>
    public static string Name(this Drm drm) => drm switch
    {
        Drm.Widevine => "widevine",
        Drm.PlayReady => "playready",
        Drm.FairPlay => "fairplay",
        _ => "clearkey",
    };
}
