namespace Orleans.Tokens;

/// <summary>
/// A row of a grain's own, kept apart from its state row and written in the same transaction as the state (the
/// project's batching grain storage): an idempotency record, a journal entry. <paramref name="Kind"/> and
/// <paramref name="Key"/> name it within the grain; a row of the same kind and key is replaced.
/// <paramref name="Value"/> is stored in Orleans' serialization; a null value deletes the grain's row of that kind and
/// key (<see cref="Deleted"/>; rows that never expire only). A row whose <paramref name="ExpiresAt"/> has passed
/// (by the grain's clock) is deleted by a later write of the grain that asks for it
/// (<see cref="IAppendsRows.PurgeExpiredBefore"/>).
/// </summary>
[GenerateSerializer, Immutable, Alias("Orleans.Tokens.GrainRow")]
public sealed record GrainRow(
    [property: Id(0)] string Kind,
    [property: Id(1)] string Key,
    [property: Id(2)] object? Value,
    [property: Id(3)] DateTimeOffset CreatedAt,
    [property: Id(4)] DateTimeOffset? ExpiresAt)
{
    /// <summary>Deletes the grain's row of <paramref name="kind"/> and <paramref name="key"/> with the state's write.</summary>
    public static GrainRow Deleted(string kind, string key, DateTimeOffset at) => new(kind, key, null, at, null);
}

/// <summary>
/// A grain state that carries rows to append with its next write. The rows are not part of the state: the state
/// record keeps them in a member without an <c>[Id]</c>, so they are never serialized into the state row, which
/// therefore stays the same size however many rows a grain has.
/// </summary>
public interface IAppendsRows
{
    /// <summary>The rows to write in the same transaction as this state.</summary>
    ImmutableArray<GrainRow> Appends { get; }

    /// <summary>
    /// When set, the write also deletes rows that expired before it, in the same transaction: the grain's own (a
    /// range read of its rows) and, on the embedded default, the oldest expired rows of the log all grains append
    /// to; so a grain asks for it now and then, not with every write.
    /// </summary>
    DateTimeOffset? PurgeExpiredBefore { get; }
}
