namespace Orleans.Tokens.Tests.Usage;

/// <summary>
/// The rules that keep usage exact when archiving is interrupted: an ended day is written to the history before
/// it leaves the account state, so after a crash a day can be in both, with the account's counts the durable ones.
/// </summary>
public sealed class UsageMergeTests
{
    private static readonly DateOnly Monday = new(2026, 3, 2);

    [Fact]
    public void Archiving_a_day_again_keeps_its_last_counts()
    {
        var history = new UsageHistory()
            .Archive([new UsageDay(Monday, 5, 1, 0, 0)])
            .Archive([new UsageDay(Monday, 7, 1, 0, 0), new UsageDay(Monday.AddDays(1), 2, 0, 0, 0)]);

        Assert.Equal([new UsageDay(Monday, 7, 1, 0, 0), new UsageDay(Monday.AddDays(1), 2, 0, 0, 0)], history.Days.ToArray());
    }

    [Fact]
    public void Where_account_and_history_both_hold_a_day_the_account_counts()
    {
        // A write that archived Monday with counts whose own debit write then failed: the account, read back,
        // still counts Monday at 5.
        var history = new UsageHistory().Archive([new UsageDay(Monday.AddDays(-1), 3, 0, 0, 0), new UsageDay(Monday, 9, 0, 0, 0)]);
        var account = new CustomerState { CountingDay = new UsageDay(Monday, 5, 0, 0, 0) };

        Assert.Equal([new UsageDay(Monday.AddDays(-1), 3, 0, 0, 0), new UsageDay(Monday, 5, 0, 0, 0)], history.With(account).ToArray());
    }

    [Fact]
    public void Days_older_than_the_kept_window_before_the_newest_are_dropped()
    {
        var newest = Monday.AddDays(UsageDay.KeptDays);
        var history = new UsageHistory().Archive([new UsageDay(Monday, 1, 0, 0, 0), new UsageDay(Monday.AddDays(1), 1, 0, 0, 0)]);
        var account = new CustomerState { CountingDay = new UsageDay(newest, 1, 0, 0, 0) };

        Assert.Equal([Monday.AddDays(1), newest], history.With(account).Select(day => day.Day).ToArray());
    }

    [Fact]
    public void A_clock_that_went_back_counts_into_the_day_being_counted()
    {
        var account = new CustomerState()
            .CountMinted(TokenEnvironment.Production, Drm.Widevine, Monday.AddDays(1))
            .CountMinted(TokenEnvironment.Test, Drm.PlayReady, Monday);

        Assert.Equal(new UsageDay(Monday.AddDays(1), 1, 0, 0, 1), account.CountingDay);
        Assert.Empty(account.ClosedDays);
    }

    [Fact]
    public void A_new_day_closes_the_day_being_counted()
    {
        var account = new CustomerState()
            .CountMinted(TokenEnvironment.Production, Drm.PlayReady, Monday)
            .CountMinted(TokenEnvironment.Test, Drm.Widevine, Monday.AddDays(1));

        Assert.Equal([new UsageDay(Monday, 0, 1, 0, 0)], account.ClosedDays.ToArray());
        Assert.Equal(new UsageDay(Monday.AddDays(1), 0, 0, 1, 0), account.CountingDay);
    }
}
