namespace Orleans.Tokens;

[GenerateSerializer, Alias("Orleans.Tokens.Drm")]
public enum Drm
{
    Widevine = 0,
    PlayReady = 1,
}

public static class Drms
{
    /// <summary>The DRM's name in tokens: <c>widevine</c> or <c>playready</c>.</summary>
    public static string Name(this Drm drm) => drm == Drm.Widevine ? "widevine" : "playready";
}
