namespace Orleans.Tokens.Tests.Usage;

/// <summary>A clock a test moves by hand, so that usage days can end without waiting for midnight.</summary>
public sealed class SettableClock(DateTimeOffset start) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = start;

    public override DateTimeOffset GetUtcNow() => Now;
}
