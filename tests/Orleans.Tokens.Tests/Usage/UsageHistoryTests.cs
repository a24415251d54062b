using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Orleans.Tokens.Hosting;
using Orleans.Tokens.Hosting.Storage;
using Orleans.Tokens.Tests.Contract;
using Orleans.Tokens.Tests.Infrastructure;

namespace Orleans.Tokens.Tests.Usage;

/// <summary>
/// The durable usage counters behind <c>admin usage</c>: counted per UTC day and DRM with each debit, kept for
/// <see cref="UsageDay.KeptDays"/> days, and the account state written per debit does not grow with the days:
/// ended days move to a usage history of their own. Read back through the grain and straight from the SQLite rows.
/// </summary>
public sealed class UsageHistoryTests(UsageClockGateway gateway) : IClassFixture<UsageClockGateway>
{
    private static readonly TimeSpan ArchiveWait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Each_day_keeps_its_counts_and_ended_days_leave_the_account_state()
    {
        var customer = await gateway.CreateCustomerAsync(productionBalance: 1_000);
        var first = Today();
        var expected = new List<UsageDay>();
        byte[]? firstDayRow = null;
        for (var day = 0; day < 30; day++)
        {
            // A varying mix per day, so that a day swapped with another or counted twice shows.
            var widevine = 1 + day % 3;
            var playReady = day % 2;
            await MintAsync(customer, Drm.Widevine, widevine);
            await MintAsync(customer, Drm.PlayReady, playReady);
            expected.Add(new UsageDay(Today(), widevine, playReady, 0, 0));
            var row = await WaitForArchivedAsync(customer, expected.Count - 1);
            firstDayRow ??= row;
            NextDay();
        }

        Assert.Equal(expected, await customer.Grain.Usage(null));
        Assert.Equal(expected.Skip(10), await customer.Grain.Usage(first.AddDays(10)));
        Assert.Empty(await customer.Grain.Usage(Today()));

        // What each debit writes: the day being counted, no history. Its row stays within a few bytes of the
        // first day's (the revision and the balance are variable-length integers), while the 30 ended days take
        // several bytes each in the history row.
        var account = await ReadAccountAsync(customer);
        Assert.Empty(account.ClosedDays);
        Assert.Equal(expected[^1], account.CountingDay);
        Assert.InRange((await ReadRowAsync(customer, "customer")).Length, firstDayRow!.Length - 4, firstDayRow.Length + 4);
        var historyRow = await ReadRowAsync(customer, "usage");
        Assert.True(historyRow.Length > 30 * 4, $"a history of 30 days in {historyRow.Length} bytes");
        var history = Deserialize<UsageHistory>(historyRow);
        Assert.Equal(expected.SkipLast(1), history.Days);
        Assert.Equal(1_000 - expected.Sum(day => day.ProductionWidevine + day.ProductionPlayReady), await customer.ProductionBalanceAsync());
    }

    [Fact]
    public async Task Only_the_kept_days_stay()
    {
        var customer = await gateway.CreateCustomerAsync(productionBalance: UsageDay.KeptDays + 10);
        var first = Today();
        for (var day = 0; day <= UsageDay.KeptDays; day++)
        {
            await MintAsync(customer, Drm.Widevine, 1);
            NextDay();
        }
        await WaitForArchivedAsync(customer, UsageDay.KeptDays);

        var usage = await customer.Grain.Usage(null);
        Assert.Equal(UsageDay.KeptDays, usage.Length);
        Assert.Equal(first.AddDays(1), usage[0].Day);
        Assert.Equal(first.AddDays(UsageDay.KeptDays), usage[^1].Day);
        Assert.All(usage, day => Assert.Equal(1, day.ProductionWidevine));
    }

    [Fact]
    public async Task A_refused_mint_counts_nothing()
    {
        var customer = await gateway.CreateCustomerAsync(productionBalance: 1);
        await MintAsync(customer, Drm.Widevine, 1);
        var refused = await gateway.MintAsync(Drm.Widevine, ValidRequests.Widevine(customer));
        await Expect.ErrorAsync(refused, -2019);

        var usage = await customer.Grain.Usage(null);
        Assert.Equal(new UsageDay(Today(), 1, 0, 0, 0), Assert.Single(usage));
    }

    private DateOnly Today() => DateOnly.FromDateTime(gateway.Clock.Now.UtcDateTime);

    private void NextDay() => gateway.Clock.Now = gateway.Clock.Now.AddDays(1);

    private async Task MintAsync(TestCustomer customer, Drm drm, int count)
    {
        for (var i = 0; i < count; i++)
        {
            var response = await gateway.MintAsync(drm, ValidRequests.For(drm, customer));
            Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        }
    }

    /// <summary>
    /// Waits until the account's stored state holds no ended day and its stored history holds
    /// <paramref name="days"/> days: archiving follows the debit that ended a day. Returns the account's row.
    /// </summary>
    private async Task<byte[]> WaitForArchivedAsync(TestCustomer customer, int days)
    {
        var deadline = DateTime.UtcNow + ArchiveWait;
        while (true)
        {
            var row = await ReadRowAsync(customer, "customer");
            var archived = days == 0 || await TryReadRowAsync(customer, "usage") is { } usage
                && Deserialize<UsageHistory>(usage).Days.Count == days;
            if (Deserialize<CustomerState>(row).ClosedDays.IsEmpty && archived) return row;
            Assert.True(DateTime.UtcNow < deadline, $"usage history of {customer.Id} not archived to {days} days");
            await Task.Delay(20);
        }
    }

    private async Task<CustomerState> ReadAccountAsync(TestCustomer customer) =>
        Deserialize<CustomerState>(await ReadRowAsync(customer, "customer"));

    private async Task<byte[]> ReadRowAsync(TestCustomer customer, string stateName) =>
        await TryReadRowAsync(customer, stateName) ?? throw new InvalidOperationException($"no {stateName} row for {customer.Id}");

    private async Task<byte[]?> TryReadRowAsync(TestCustomer customer, string stateName)
    {
        var database = gateway.Factory.Services.GetRequiredService<IStateDatabase>();
        var stored = await database.Read(stateName, customer.Grain.GetGrainId().ToString(), CancellationToken.None);
        return stored?.Payload;
    }

    private T Deserialize<T>(byte[] payload) => gateway.Factory.Services.GetRequiredService<Serializer>().Deserialize<T>(payload)!;
}
