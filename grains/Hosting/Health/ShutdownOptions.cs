namespace Orleans.Tokens.Hosting.Health;

/// <summary>The <c>Shutdown</c> settings of a host (README, "Graceful shutdown").</summary>
public sealed class ShutdownOptions
{
    public const string Section = "Shutdown";

    /// <summary>The longest <see cref="DrainDelay"/> accepted; a bare number such as <c>5</c> binds as days and is refused.</summary>
    public static readonly TimeSpan MaxDrainDelay = TimeSpan.FromMinutes(5);

    /// <summary>
    /// <c>Shutdown:DrainDelay</c>, a TimeSpan (<c>hh:mm:ss[.fff]</c>, default 5 s): after SIGTERM the host keeps
    /// accepting connections and answering requests this long while <c>/readyz</c> answers 503 <c>shutting down</c>,
    /// so that load balancers take it out of rotation before the web server stops accepting. 0 stops accepting at once.
    /// </summary>
    public TimeSpan DrainDelay { get; set; } = TimeSpan.FromSeconds(5);
}
