namespace Orleans.Tokens;

/// <summary>
/// The answer to one mint of <see cref="ICustomerGrain.MintMany"/>: its <see cref="MintResult"/>, or how it failed,
/// as a single <see cref="ICustomerGrain.Mint"/> call would have thrown (section 11).
/// </summary>
[GenerateSerializer, Immutable, Alias("Orleans.Tokens.MintOutcome")]
public sealed record MintOutcome(
    [property: Id(0)] MintResult? Result,
    [property: Id(1)] MintFailure Failure = MintFailure.None)
{
    /// <summary>The outcome of a finished mint: its result, or its failure by the exception's kind.</summary>
    public static MintOutcome Of(Task<MintResult> mint) => mint.Status switch
    {
        TaskStatus.RanToCompletion => new(mint.Result),
        TaskStatus.Canceled => new(null, MintFailure.Withdrawn),
        _ => new(null, mint.Exception?.InnerException is StorageUnavailableException ? MintFailure.Unavailable : MintFailure.OutcomeUnknown),
    };

    /// <summary>The exception a single call would have thrown; null when <see cref="Result"/> is the answer.</summary>
    public Exception? Exception() => Failure switch
    {
        MintFailure.None => Result is null ? new InvalidOperationException("a mint outcome without a result") : null,
        MintFailure.Unavailable => new StorageUnavailableException("storage unavailable"),
        MintFailure.Withdrawn => new OperationCanceledException("the mint was withdrawn"),
        _ => new OutcomeUnknownException("the mint's outcome is unknown"),
    };
}

/// <summary>How a mint of a batch failed: nothing debited (<see cref="Unavailable"/>, <see cref="Withdrawn"/>) or not known.</summary>
[GenerateSerializer, Alias("Orleans.Tokens.MintFailure")]
public enum MintFailure
{
    None,
    /// <summary><see cref="StorageUnavailableException"/>: not debited.</summary>
    Unavailable,
    /// <summary>Any other failure, <see cref="OutcomeUnknownException"/> among them: the debit may be durable.</summary>
    OutcomeUnknown,
    /// <summary>Withdrawn (<see cref="ICustomerGrain.WithdrawMint"/>) before its write was under way: not debited.</summary>
    Withdrawn,
}
