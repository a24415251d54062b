namespace Orleans.Tokens.Hosting.Storage;

/// <summary>
/// One grain's state to write: the version it read (null when it has never been stored), the serialized state
/// (null clears it), and the rows to write in the same transaction when the state is written (none when its
/// version check fails).
/// </summary>
public sealed record StateWrite(string StateName, string GrainId, long? ExpectedVersion, byte[]? Payload)
{
    public IReadOnlyList<RowWrite> Rows { get; init; } = [];

    /// <summary>When set, the grain's rows that expired before it (Unix milliseconds) are deleted with the write.</summary>
    public long? PurgeBeforeMs { get; init; }
}

/// <summary>A grain's stored state and its version.</summary>
public sealed record StoredState(byte[]? Payload, long Version);

/// <summary>
/// One <see cref="GrainRow"/> as stored: kind, key, the serialized value, creation and expiry as Unix milliseconds.
/// Writing it replaces a row of the same grain, kind and key; a null <paramref name="Payload"/> deletes that row
/// (rows that never expire only). A write holds at most one row of a kind and key.
/// </summary>
public sealed record RowWrite(string Kind, string Key, byte[]? Payload, long CreatedAtMs, long? ExpiresAtMs);
