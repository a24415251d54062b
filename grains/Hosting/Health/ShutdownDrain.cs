using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Orleans.Tokens.Hosting.Health;

/// <summary>
/// Keeps the host serving for <see cref="ShutdownOptions.DrainDelay"/> once it begins to stop. The host runs every
/// <see cref="IHostedLifecycleService.StoppingAsync"/> after ApplicationStopping has fired (so <c>/readyz</c> already
/// answers 503) and before any <see cref="IHostedService.StopAsync"/>; Kestrel and Orleans' silo and client are plain
/// hosted services, so they stop only once this delay is over. Cut short when the host's shutdown limit passes.
/// </summary>
internal sealed partial class ShutdownDrain(IOptions<ShutdownOptions> options, ILogger<ShutdownDrain> logger) : IHostedLifecycleService
{
    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        var delay = options.Value.DrainDelay;
        if (delay <= TimeSpan.Zero) return;
        LogDraining(logger, delay.TotalSeconds);
        try
        {
            await Task.Delay(delay, cancellationToken);
        }
        catch (OperationCanceledException)
        {
        }
        LogDrained(logger);
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Stopping: /readyz answers 503; still accepting for the drain delay of {DrainDelaySeconds} s")]
    private static partial void LogDraining(ILogger logger, double drainDelaySeconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Drain delay over: the web server stops accepting and finishes the requests in flight")]
    private static partial void LogDrained(ILogger logger);
}
