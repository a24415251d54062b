namespace Orleans.Tokens;

/// <summary>The durable state of one customer account.</summary>
[GenerateSerializer, Immutable, Alias("Orleans.Tokens.CustomerState")]
public sealed record CustomerState : IAppendsRows
{
    [Id(0)] public bool Exists { get; init; }
    [Id(1)] public bool Enabled { get; init; }
    [Id(2)] public CustomerOptions Options { get; init; } = new(true, true);
    [Id(3)] public long ProductionBalance { get; init; }
    [Id(4)] public long TestBalance { get; init; }
    [Id(5)] public ImmutableList<StoredAuthenticator> Authenticators { get; init; } = [];
    /// <summary>
    /// Content keys by KID in lower-case hex, as states written before 2026-11-30 kept them: an activation moves them
    /// to rows of their own (<see cref="StoredKey"/>), sealed, and empties this.
    /// </summary>
    [Id(6)] public ImmutableDictionary<string, byte[]> Keys { get; init; } = ImmutableDictionary<string, byte[]>.Empty;
    /// <summary>How many <see cref="StoredKey"/> rows the account has (the keys themselves are never in this state).</summary>
    [Id(14)] public long KeyCount { get; init; }
    /// <summary>
    /// Unique to each write attempt, so that after a failed write the grain can tell whether that very write landed
    /// (a counter cannot: a second activation, or a write that committed after its error, reaches the same count).
    /// </summary>
    [Id(11)] public Guid WriteId { get; init; }
    /// <summary>How many <see cref="JournalEntry"/> rows the account has: the number of the last.</summary>
    [Id(12)] public long JournalLength { get; init; }
    /// <summary>Tokens minted on the day being counted (the newest day a token was minted).</summary>
    [Id(9)] public UsageDay? CountingDay { get; init; }
    /// <summary>Days that ended but are not yet in the account's <see cref="UsageHistory"/>: usually none.</summary>
    [Id(10)] public ImmutableList<UsageDay> ClosedDays { get; init; } = [];
    /// <summary>At most this many mints a second (section 11, <c>--max-mints-per-second</c>); null: no limit.</summary>
    [Id(13)] public int? MaxMintsPerSecond { get; init; }
    /// <summary>When the account was last disabled: tokens minted before are refused at redemption (section 8).</summary>
    [Id(15)] public DateTimeOffset? DisabledAt { get; init; }
    /// <summary>
    /// Authenticators revoked within the longest lifetime of a token, so that the tokens they minted before are
    /// refused at redemption (section 8); older ones are dropped, as no token of theirs is still valid.
    /// </summary>
    [Id(16)] public ImmutableList<RevokedAuthenticator> RevokedAuthenticators { get; init; } = [];

    /// <summary>
    /// Rows the next write appends in its transaction (idempotency records, journal entries). No <c>[Id]</c>: never
    /// part of the state row.
    /// </summary>
    [field: NonSerialized]
    public ImmutableArray<GrainRow> Appends { get; init; } = [];

    /// <summary>Asks the next write to delete the rows that expired before it. No <c>[Id]</c>, like <see cref="Appends"/>.</summary>
    [field: NonSerialized]
    public DateTimeOffset? PurgeExpiredBefore { get; init; }

    /// <summary>The usage days this state holds: closed ones not yet archived, and the day being counted.</summary>
    public IEnumerable<UsageDay> OpenDays => CountingDay is { } counting ? ClosedDays.Add(counting) : ClosedDays;

    public long Balance(TokenEnvironment environment) =>
        environment == TokenEnvironment.Production ? ProductionBalance : TestBalance;

    /// <summary>
    /// Counts one token minted on <paramref name="today"/>. A new day closes the one being counted; a clock that
    /// went back counts into the day being counted rather than reopen a closed one.
    /// </summary>
    public CustomerState CountMinted(TokenEnvironment environment, Drm drm, DateOnly today)
    {
        if (CountingDay is { } counting && counting.Day >= today)
            return this with { CountingDay = counting.Plus(environment, drm) };
        return this with
        {
            CountingDay = new UsageDay(today, 0, 0, 0, 0).Plus(environment, drm),
            ClosedDays = CountingDay is { } closed ? ClosedDays.Add(closed) : ClosedDays,
        };
    }

    /// <summary>This state without <paramref name="archived"/> among its closed days.</summary>
    public CustomerState WithoutClosed(IEnumerable<UsageDay> archived) =>
        this with { ClosedDays = ClosedDays.RemoveRange(archived) };

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

/// <summary>An authenticator revoked at <paramref name="RevokedAt"/>, by the tag its tokens carry (<see cref="Authenticator.Tag"/>).</summary>
[GenerateSerializer, Immutable, Alias("Orleans.Tokens.RevokedAuthenticator")]
public sealed record RevokedAuthenticator(
    [property: Id(0)] string Tag,
    [property: Id(1)] DateTimeOffset RevokedAt);
