using System.Collections.Concurrent;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Tokens.Grains;

namespace Orleans.Tokens.Tests.Commit;

/// <summary>
/// One activation of a customer account for <see cref="GroupCommit"/>'s tests: its own view of the stored state,
/// its own group commit, its own turns. <see cref="Lost"/> tells whether it gave itself up.
/// </summary>
internal sealed class Activation(IPersistentState<CustomerState> state)
{
    private readonly GrainTurns _turns = new();
    private GroupCommit? _commit;

    public bool Lost { get; private set; }

    public Task Activate() => _turns.Run(async () =>
    {
        await state.ReadStateAsync();
        _commit = new GroupCommit(state, NullLogger.Instance, () => Lost = true, _ => { }, () => { });
    });

    /// <summary>Debits one production token, as a mint would: answers the balance left once durable.</summary>
    public Task<long> Debit(CancellationToken cancellation = default) => _turns.Run(() => Submit(cancellation));

    /// <summary>
    /// One debit per cancellation, all in one turn under <see cref="GroupCommit.HoldWrites"/> (as a MintMany decides
    /// its mints), <paramref name="whileHeld"/> run before the hold ends; each debit's answer.
    /// </summary>
    public Task<Task<long>[]> DebitHeld(CancellationToken[] cancellations, Action? whileHeld = null) => _turns.Run(() =>
    {
        using var held = _commit!.HoldWrites();
        Task<long>[] debits = [.. cancellations.Select(Submit)];
        whileHeld?.Invoke();
        return Task.FromResult(debits);
    });

    /// <summary>
    /// For each debit answered so far, how many times its settled action (<see cref="GroupCommit.Submit"/>) had run
    /// when its answer was set, however it ended.
    /// </summary>
    public ConcurrentQueue<int> SettledAtAnswer { get; } = new();

    private Task<long> Submit(CancellationToken cancellation)
    {
        var settled = 0;
        var answer = _commit!.Submit(account =>
            new Change<long>(account.WithBalance(TokenEnvironment.Production, account.ProductionBalance - 1), account.ProductionBalance - 1),
            cancellation, () => settled++);
        return answer.ContinueWith(done =>
        {
            SettledAtAnswer.Enqueue(settled);
            return done;
        }, TaskScheduler.Default).Unwrap();
    }

    /// <summary>Completes once every turn asked for before it has run.</summary>
    public Task TurnsDone() => _turns.Run(() => Task.CompletedTask);

    public Task<long> DurableBalance() => _turns.Run(() => Task.FromResult(_commit!.Durable.ProductionBalance));
}
