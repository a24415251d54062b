namespace Orleans.Tokens;

[GenerateSerializer, Alias("Orleans.Tokens.Drm")]
public enum Drm
{
    Widevine = 0,
    PlayReady = 1,
}
