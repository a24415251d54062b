namespace Orleans.Tokens.Hosting.Storage;

/// <summary>
/// Which of a grain's rows the batching storage appends to its log (table <c>GrainLog</c>, in SQLite and PostgreSQL
/// alike) instead of keeping them in grain order (<c>GrainRow</c>): those that expire within <see cref="LoggedLife"/>
/// of their creation (idempotency records, one per keyed mint). Appended at the end of one B-tree, a batch's rows
/// share a page or two and their index entries need no search, where rows kept in grain order cost a page and a
/// descent of a four-column index each. Each row links to the one its state row wrote before it
/// (<c>PreviousId</c>; <c>GrainState.LogHead</c> is the last), and a grain's rows are read along that chain. The log
/// is purged from its oldest end only, up to the first row still live, so a chain ends at the first row that is
/// gone; a row that lived longer than the rest would hold back the purge of every row after it: hence the bound.
/// </summary>
public static class GrainLog
{
    /// <summary>The most log rows one write deletes, so that a backlog of expired rows cannot stall one batch long.</summary>
    public const int PurgeAtMost = 50_000;

    /// <summary>
    /// The longest a row may live to go in the log (creation to expiry): a day, the idempotency window, and an hour
    /// of clock skew between gateways and silos.
    /// </summary>
    public static readonly TimeSpan LoggedLife = IdempotencyRecord.Window + TimeSpan.FromHours(1);

    /// <summary>Whether <paramref name="row"/> goes in the log rather than the table.</summary>
    public static bool Holds(RowWrite row) =>
        row.ExpiresAtMs is { } expires && expires - row.CreatedAtMs <= (long)LoggedLife.TotalMilliseconds;
}
