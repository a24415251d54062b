namespace Orleans.Tokens;

/// <summary>
/// The finished days of an account's usage, kept apart from <see cref="CustomerState"/> so that the state written
/// with every debit stays the same size however old the account is. Written once per day that ends, before that
/// day leaves the account state.
/// </summary>
[GenerateSerializer, Immutable, Alias("Orleans.Tokens.UsageHistory")]
public sealed record UsageHistory
{
    /// <summary>Oldest first, at most <see cref="UsageDay.KeptDays"/> days before the newest.</summary>
    [Id(0)] public ImmutableList<UsageDay> Days { get; init; } = [];

    /// <summary>
    /// Adds finished days. A day already here is replaced: archiving the same day twice (after a crash between
    /// this write and the account's) leaves its last counts.
    /// </summary>
    public UsageHistory Archive(IEnumerable<UsageDay> finished) => this with { Days = Merged(finished) };

    /// <summary>
    /// Every kept day with the account's own days in place of archived ones: the account state is written with
    /// each debit, so where both hold a day, the account's counts are the durable ones.
    /// </summary>
    public IReadOnlyList<UsageDay> With(CustomerState account) => Merged(account.OpenDays);

    /// <summary>These days with <paramref name="newer"/> in place of any the same, oldest first, within the kept window.</summary>
    private ImmutableList<UsageDay> Merged(IEnumerable<UsageDay> newer)
    {
        var days = Days.ToDictionary(day => day.Day);
        foreach (var day in newer) days[day.Day] = day;
        if (days.Count == 0) return [];
        var oldest = days.Keys.Max().AddDays(-(UsageDay.KeptDays - 1));
        return [.. days.Values.Where(day => day.Day >= oldest).OrderBy(day => day.Day)];
    }
}
