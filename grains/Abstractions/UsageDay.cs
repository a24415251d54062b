namespace Orleans.Tokens;

/// <summary>Tokens minted on one UTC day, by environment and DRM: the durable usage counters of an account.</summary>
[GenerateSerializer, Immutable, Alias("Orleans.Tokens.UsageDay")]
public sealed record UsageDay(
    [property: Id(0)] DateOnly Day,
    [property: Id(1)] long ProductionWidevine,
    [property: Id(2)] long ProductionPlayReady,
    [property: Id(3)] long TestWidevine,
    [property: Id(4)] long TestPlayReady,
    [property: Id(5)] long ProductionFairPlay = 0,
    [property: Id(6)] long TestFairPlay = 0,
    [property: Id(7)] long ProductionClearKey = 0,
    [property: Id(8)] long TestClearKey = 0)
{
    /// <summary>How many days an account keeps: older days are dropped as new ones are counted.</summary>
    public const int KeptDays = 400;

    public long Count(TokenEnvironment environment, Drm drm) => (environment, drm) switch
    {
        (TokenEnvironment.Production, Drm.Widevine) => ProductionWidevine,
        (TokenEnvironment.Production, Drm.PlayReady) => ProductionPlayReady,
        (TokenEnvironment.Production, Drm.FairPlay) => ProductionFairPlay,
        (TokenEnvironment.Production, _) => ProductionClearKey,
        (_, Drm.Widevine) => TestWidevine,
        (_, Drm.PlayReady) => TestPlayReady,
        (_, Drm.FairPlay) => TestFairPlay,
        _ => TestClearKey,
    };

    /// <summary>Every token of <paramref name="environment"/> on this day, whatever its DRM.</summary>
    public long Count(TokenEnvironment environment) => Enum.GetValues<Drm>().Sum(drm => Count(environment, drm));

    public UsageDay Plus(TokenEnvironment environment, Drm drm) => (environment, drm) switch
    {
        (TokenEnvironment.Production, Drm.Widevine) => this with { ProductionWidevine = ProductionWidevine + 1 },
        (TokenEnvironment.Production, Drm.PlayReady) => this with { ProductionPlayReady = ProductionPlayReady + 1 },
        (TokenEnvironment.Production, Drm.FairPlay) => this with { ProductionFairPlay = ProductionFairPlay + 1 },
        (TokenEnvironment.Production, _) => this with { ProductionClearKey = ProductionClearKey + 1 },
        (_, Drm.Widevine) => this with { TestWidevine = TestWidevine + 1 },
        (_, Drm.PlayReady) => this with { TestPlayReady = TestPlayReady + 1 },
        (_, Drm.FairPlay) => this with { TestFairPlay = TestFairPlay + 1 },
        _ => this with { TestClearKey = TestClearKey + 1 },
    };
}
