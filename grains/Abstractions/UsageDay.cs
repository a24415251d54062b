namespace Orleans.Tokens;

/// <summary>Tokens minted on one UTC day, by environment and DRM: the durable usage counters of an account.</summary>
[GenerateSerializer, Immutable, Alias("Orleans.Tokens.UsageDay")]
public sealed record UsageDay(
    [property: Id(0)] DateOnly Day,
    [property: Id(1)] long ProductionWidevine,
    [property: Id(2)] long ProductionPlayReady,
    [property: Id(3)] long TestWidevine,
    [property: Id(4)] long TestPlayReady)
{
    /// <summary>How many days an account keeps: older days are dropped as new ones are counted.</summary>
    public const int KeptDays = 400;

    public long Count(TokenEnvironment environment, Drm drm) => (environment, drm) switch
    {
        (TokenEnvironment.Production, Drm.Widevine) => ProductionWidevine,
        (TokenEnvironment.Production, _) => ProductionPlayReady,
        (_, Drm.Widevine) => TestWidevine,
        _ => TestPlayReady,
    };

    public UsageDay Plus(TokenEnvironment environment, Drm drm) => (environment, drm) switch
    {
        (TokenEnvironment.Production, Drm.Widevine) => this with { ProductionWidevine = ProductionWidevine + 1 },
        (TokenEnvironment.Production, _) => this with { ProductionPlayReady = ProductionPlayReady + 1 },
        (_, Drm.Widevine) => this with { TestWidevine = TestWidevine + 1 },
        _ => this with { TestPlayReady = TestPlayReady + 1 },
    };
}
