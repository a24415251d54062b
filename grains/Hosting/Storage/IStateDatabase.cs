namespace Orleans.Tokens.Hosting.Storage;

/// <summary>The SQL dialect behind <see cref="BatchingGrainStorage"/>.</summary>
public interface IStateDatabase
{
    Task<StoredState?> Read(string stateName, string grainId, CancellationToken cancellation);

    /// <summary>
    /// Writes every row in one transaction and one round trip. Each row is checked against its own expected
    /// version: the answer holds the new version per row, or null where the stored version differed (that row
    /// alone is not written). Throws <see cref="StorageUnavailableException"/> when certainly nothing was written
    /// (say, no connection could be had); any other exception leaves the outcome open until <see cref="IFencingStateDatabase.Fence"/>.
    /// </summary>
    Task<long?[]> Write(IReadOnlyList<StateWrite> writes, CancellationToken cancellation);

    /// <summary>The payload of a grain's row of <paramref name="kind"/> and <paramref name="key"/>, or null.</summary>
    Task<byte[]?> ReadRow(string grainId, string kind, string key, CancellationToken cancellation);

    /// <summary>The payloads of a grain's rows of <paramref name="kind"/>, in the order of their keys (ordinal).</summary>
    Task<IReadOnlyList<byte[]>> ReadRows(string grainId, string kind, CancellationToken cancellation);

    /// <summary>
    /// The keys of a grain's rows of <paramref name="kind"/> with their expiry (Unix milliseconds, null: never), in no
    /// particular order, the newest row of each key: one query, no payloads (SQLite: the table's range and the grain's
    /// log chain).
    /// </summary>
    Task<IReadOnlyList<(string Key, long? ExpiresAtMs)>> ReadKeys(string grainId, string kind, CancellationToken cancellation);
}

/// <summary>
/// A database whose failed write may still land after the failure was reported (a remote server: the commit can
/// come after a timeout, or its acknowledgement can be lost), so its outcome is settled by fencing.
/// </summary>
public interface IFencingStateDatabase : IStateDatabase
{
    /// <summary>
    /// After a <see cref="IStateDatabase.Write"/> that threw, makes sure none of its rows can still land and reads
    /// them: for each row, bumps the stored version if it is still the expected one (inserts an empty row where none
    /// was expected and none is stored), then answers the row as stored (null where there is none), in one
    /// transaction. A row that was written meanwhile (its commit's acknowledgement was lost, or another writer won)
    /// is answered as it is. Throws when that could not be done: then the rows' outcome is unknown.
    /// </summary>
    Task<StoredState?[]> Fence(IReadOnlyList<StateWrite> writes, CancellationToken cancellation);
}
