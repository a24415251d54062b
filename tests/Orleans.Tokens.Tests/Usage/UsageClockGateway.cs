using Microsoft.Extensions.DependencyInjection;
using Orleans.Tokens.Grains;
using Orleans.Tokens.Tests.Infrastructure;

namespace Orleans.Tokens.Tests.Usage;

/// <summary>
/// A gateway of its own (embedded silo, SQLite) whose customer grains date usage by <see cref="Clock"/>; everything
/// else in the process keeps the real clock.
/// </summary>
public sealed class UsageClockGateway : GatewayFixture
{
    public UsageClockGateway() : this(new SettableClock(new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero)))
    {
    }

    private UsageClockGateway(SettableClock clock) : base(
        new Dictionary<string, string> { ["Tokens:PublicBaseUrl"] = PublicBaseUrl },
        services => services.AddKeyedSingleton<TimeProvider>(CustomerGrain.ClockKey, clock)) => Clock = clock;

    public SettableClock Clock { get; }
}
