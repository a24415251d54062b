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
    public UsageHistory Archive(IEnumerable<UsageDay> finished)
    {
        var days = Days.ToDictionary(day => day.Day);
        foreach (var day in finished) days[day.Day] = day;
        var newest = days.Keys.Max();
        var oldest = newest.AddDays(-(UsageDay.KeptDays - 1));
        return this with { Days = [.. days.Values.Where(day => day.Day >= oldest).OrderBy(day => day.Day)] };
    }

    /// <summary>
    /// Every kept day with the account's own days in place of archived ones: the account state is written with
    /// each debit, so where both hold a day, the account's counts are the durable ones.
    /// </summary>
    public IReadOnlyList<UsageDay> With(CustomerState account)
    {
        var open = account.OpenDays.ToDictionary(day => day.Day);
        var days = Days.Where(day => !open.ContainsKey(day.Day)).Concat(open.Values).OrderBy(day => day.Day).ToList();
        if (days.Count == 0) return days;
        var oldest = days[^1].Day.AddDays(-(UsageDay.KeptDays - 1));
        return days.FindAll(day => day.Day >= oldest);
    }
}
