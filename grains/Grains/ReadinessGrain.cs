using Orleans.Concurrency;

namespace Orleans.Tokens.Grains;

/// <summary>Answers on whichever silo takes the call; holds nothing.</summary>
[StatelessWorker]
public sealed class ReadinessGrain : Grain, IReadinessGrain
{
    public Task Ping() => Task.CompletedTask;
}
