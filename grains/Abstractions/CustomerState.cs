namespace Orleans.Tokens;

/// <summary>The durable state of one customer account.</summary>
[GenerateSerializer, Immutable, Alias("Orleans.Tokens.CustomerState")]
public sealed record CustomerState
{
    [Id(0)] public bool Exists { get; init; }
    [Id(1)] public bool Enabled { get; init; }
    [Id(2)] public CustomerOptions Options { get; init; } = new(true, true);
    [Id(3)] public long ProductionBalance { get; init; }
    [Id(4)] public long TestBalance { get; init; }
    [Id(5)] public ImmutableList<StoredAuthenticator> Authenticators { get; init; } = [];
    /// <summary>Content keys by KID in lower-case hex.</summary>
    [Id(6)] public ImmutableDictionary<string, byte[]> Keys { get; init; } = ImmutableDictionary<string, byte[]>.Empty;
    /// <summary>Counts successful writes, so a grain can tell after a failed write whether it landed after all.</summary>
    [Id(7)] public long Revision { get; init; }
    /// <summary>Tokens minted per UTC day, oldest first; at most <see cref="UsageDay.KeptDays"/> days back.</summary>
    [Id(8)] public ImmutableList<UsageDay> Usage { get; init; } = [];

    public long Balance(TokenEnvironment environment) =>
        environment == TokenEnvironment.Production ? ProductionBalance : TestBalance;

    /// <summary>Counts one token minted on <paramref name="today"/>, dropping the days older than the kept window.</summary>
    public CustomerState CountMinted(TokenEnvironment environment, Drm drm, DateOnly today)
    {
        var usage = Usage;
        var oldest = today.AddDays(-(UsageDay.KeptDays - 1));
        var stale = 0;
        while (stale < usage.Count && usage[stale].Day < oldest) stale++;
        if (stale > 0) usage = usage.RemoveRange(0, stale);
        var last = usage.Count - 1;
        usage = last >= 0 && usage[last].Day == today
            ? usage.SetItem(last, usage[last].Plus(environment, drm))
            : usage.Add(new UsageDay(today, 0, 0, 0, 0).Plus(environment, drm));
        return this with { Usage = usage };
    }

    public CustomerState WithBalance(TokenEnvironment environment, long balance) =>
        environment == TokenEnvironment.Production ? this with { ProductionBalance = balance } : this with { TestBalance = balance };
}

/// <summary>An authenticator as stored: the SHA-256 of its secret, never the secret.</summary>
[GenerateSerializer, Immutable, Alias("Orleans.Tokens.StoredAuthenticator")]
public sealed record StoredAuthenticator(
    [property: Id(0)] string Id,
    [property: Id(1)] TokenEnvironment Environment,
    [property: Id(2)] byte[] SecretHash,
    [property: Id(3)] DateTimeOffset CreatedAt);
