using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Orleans.Tokens.Hosting.Health;

/// <summary>
/// Graceful shutdown, the same for a gateway and a silo host. On SIGTERM <c>/readyz</c> answers 503 at once and the
/// host keeps accepting for the drain delay (<see cref="ShutdownDrain"/>); then the web server, the host's last service
/// to start and so its first to stop, stops accepting and finishes the requests in flight while the silo or cluster
/// client is still up; then Orleans stops (a silo hands its grains off).
/// </summary>
public static class Shutdown
{
    /// <summary>
    /// The host's limit for stopping once the drain delay is over: room for the requests in flight and for Orleans to
    /// hand its grains off. The host's <see cref="HostOptions.ShutdownTimeout"/> is the drain delay plus this.
    /// </summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Binds <see cref="ShutdownOptions"/> from the <c>Shutdown</c> section (refusing to start with a drain delay
    /// outside 0 – <see cref="ShutdownOptions.MaxDrainDelay"/>), adds the drain delay to the host's stopping, and
    /// sets <see cref="HostOptions.ShutdownTimeout"/> to the drain delay plus <see cref="Timeout"/>.
    /// </summary>
    public static IServiceCollection AddTokensShutdown(this IServiceCollection services)
    {
        services.AddOptions<ShutdownOptions>()
            .BindConfiguration(ShutdownOptions.Section)
            .Validate(options => options.DrainDelay >= TimeSpan.Zero && options.DrainDelay <= ShutdownOptions.MaxDrainDelay,
                $"Shutdown:DrainDelay must be a TimeSpan from 00:00:00 to {ShutdownOptions.MaxDrainDelay:c}, as hh:mm:ss (a bare number is days)")
            .ValidateOnStart();
        services.AddOptions<HostOptions>()
            .Configure<IOptions<ShutdownOptions>>((host, shutdown) => host.ShutdownTimeout = shutdown.Value.DrainDelay + Timeout);
        services.AddHostedService<ShutdownDrain>();
        return services;
    }
}
