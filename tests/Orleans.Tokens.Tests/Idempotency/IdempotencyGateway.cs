using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Tokens.Grains;
using Orleans.Tokens.Hosting;
using Orleans.Tokens.Hosting.Storage;
using Orleans.Tokens.Tests.Infrastructure;
using Orleans.Tokens.Tests.Usage;

namespace Orleans.Tokens.Tests.Idempotency;

/// <summary>
/// A gateway of its own (embedded silo, real SQLite) whose customer grains keep the idempotency window by
/// <see cref="Clock"/>, and whose storage is the real SQLite database behind a <see cref="StallingDatabase"/>.
/// </summary>
public sealed class IdempotencyGateway : GatewayFixture
{
    public IdempotencyGateway() : this(new SettableClock(DateTimeOffset.UtcNow))
    {
    }

    private IdempotencyGateway(SettableClock clock) : base(
        new Dictionary<string, string> { ["Tokens:PublicBaseUrl"] = PublicBaseUrl },
        services => services
            .AddKeyedSingleton<TimeProvider>(CustomerGrain.ClockKey, clock)
            .AddSingleton<IStateDatabase>(provider =>
            {
                var settings = TokensSettings.From(provider.GetRequiredService<IConfiguration>());
                var connectionString = SqliteSchema.EnsureCreated(settings.SqlitePath, settings.Deadlines.Storage);
                return new StallingDatabase(new SqliteStateDatabase(connectionString, settings.ServiceId, settings.SqliteFullSync));
            })) => Clock = clock;

    public SettableClock Clock { get; }

    public StallingDatabase Storage => (StallingDatabase)Factory.Services.GetRequiredService<IStateDatabase>();
}
