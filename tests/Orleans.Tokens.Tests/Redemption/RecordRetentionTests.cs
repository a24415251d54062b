using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Tokens.Grains;
using Orleans.Tokens.Tests.Infrastructure;
using Orleans.Tokens.Tests.Usage;
using static Orleans.Tokens.Tests.Redemption.Redeem;

namespace Orleans.Tokens.Tests.Redemption;

/// <summary>
/// Contract section 8: redemption records are kept 90 days (<c>Redemption:RecordDays</c>), by the customer grain's
/// clock (<see cref="RecordClockGateway.Clock"/>, a test clock): answered until then, not after, and deleted from the
/// embedded default's SQLite file by a later write of the customer.
/// </summary>
public sealed class RecordRetentionTests : IClassFixture<RecordClockGateway>
{
    private readonly RecordClockGateway _gateway;

    public RecordRetentionTests(RecordClockGateway gateway) => _gateway = gateway;

    [Fact]
    public async Task A_record_is_answered_for_90_days_and_then_gone_from_the_answer_and_the_file()
    {
        var customer = await _gateway.CreateCustomerAsync();
        var cookie = "kept-" + Guid.NewGuid().ToString("N")[..8];
        var start = _gateway.Clock.Now;
        var first = await MintAsync(_gateway, customer, Drm.Widevine, ("cookie", cookie));
        await IssuedAsync(await ClearKeyAsync(_gateway, WidevineRights, first));

        _gateway.Clock.Now = start + TimeSpan.FromDays(90) - TimeSpan.FromMinutes(1);
        Assert.Single(await RecordsAsync(_gateway, Query(customer, ("cookie", cookie))));
        Assert.Equal(1, StoredRecords(customer.Id));

        _gateway.Clock.Now = start + TimeSpan.FromDays(90) + TimeSpan.FromMinutes(1);
        Assert.Empty(await RecordsAsync(_gateway, Query(customer, ("cookie", cookie))));

        // The next redemption's write deletes the expired record with it.
        var second = await MintAsync(_gateway, customer, Drm.Widevine);
        await IssuedAsync(await ClearKeyAsync(_gateway, WidevineRights, second));
        Assert.Equal(1, StoredRecords(customer.Id));
        Assert.Equal(TokenId(_gateway, second), Assert.Single(await RecordsAsync(_gateway, Query(customer))).TokenId);
    }

    private static Params Query(TestCustomer customer, params (string Name, string Value)[] selectors)
    {
        var query = new Params { { "customerAuthenticator", customer.Authenticator } };
        foreach (var (name, value) in selectors) query.Set(name, value);
        return query;
    }

    /// <summary>The customer's redemption records in the SQLite file, read with a connection of the test's own.</summary>
    private int StoredRecords(long customerId)
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(_gateway.DataDirectory, "tokens.db")};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var count = connection.CreateCommand();
        count.CommandText = "SELECT count(*) FROM GrainRow WHERE Kind = $kind AND GrainId = $grain";
        count.Parameters.AddWithValue("$kind", RedemptionRecord.Kind);
        count.Parameters.AddWithValue("$grain", $"customer/{customerId:X}");
        return (int)(long)count.ExecuteScalar()!;
    }
}

/// <summary>
/// A gateway of its own (embedded silo, real SQLite) with Clear Key on the Widevine rights URL, whose customer grains
/// date records by <see cref="Clock"/>.
/// </summary>
public sealed class RecordClockGateway : GatewayFixture
{
    public RecordClockGateway() : this(new SettableClock(DateTimeOffset.UtcNow))
    {
    }

    private RecordClockGateway(SettableClock clock) : base(
        new Dictionary<string, string>
        {
            ["Tokens:PublicBaseUrl"] = PublicBaseUrl,
            ["Issuers:Widevine"] = "ClearKey",
        },
        services => services.AddKeyedSingleton<TimeProvider>(CustomerGrain.ClockKey, clock)) => Clock = clock;

    public SettableClock Clock { get; }
}
