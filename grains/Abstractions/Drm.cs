namespace Orleans.Tokens;

[GenerateSerializer, Alias("Orleans.Tokens.Drm")]
public enum Drm
{
    Widevine = 0,
    PlayReady = 1,
    FairPlay = 2,
}

public static class Drms
{
    /// <summary>The DRM's name in tokens and metrics: <c>widevine</c>, <c>playready</c> or <c>fairplay</c>.</summary>
    public static string Name(this Drm drm) => drm switch
    {
        Drm.Widevine => "widevine",
        Drm.PlayReady => "playready",
        _ => "fairplay",
    };
}
