namespace Orleans.Tokens.Tests.Commit;

/// <summary>
/// Runs test code one turn at a time, as Orleans runs one activation's turns: everything awaited inside resumes on
/// the same exclusive scheduler, so code written for a grain (not thread-safe by design) can be tested outside one.
/// </summary>
internal sealed class GrainTurns
{
    private readonly TaskScheduler _scheduler = new ConcurrentExclusiveSchedulerPair().ExclusiveScheduler;

    public Task<T> Run<T>(Func<Task<T>> turn) =>
        Task.Factory.StartNew(turn, CancellationToken.None, TaskCreationOptions.None, _scheduler).Unwrap();

    public Task Run(Func<Task> turn) =>
        Task.Factory.StartNew(turn, CancellationToken.None, TaskCreationOptions.None, _scheduler).Unwrap();
}
