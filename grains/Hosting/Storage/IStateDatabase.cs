namespace Orleans.Tokens.Hosting.Storage;

/// <summary>The SQL dialect behind <see cref="BatchingGrainStorage"/>.</summary>
public interface IStateDatabase
{
    Task<StoredState?> Read(string stateName, string grainId, CancellationToken cancellation);

    /// <summary>
    /// Writes every row in one transaction and one round trip. Each row is checked against its own expected
    /// version: the answer holds the new version per row, or null where the stored version differed (that row
    /// alone is not written). Throws when the transaction fails: then nothing was written.
    /// </summary>
    Task<long?[]> Write(IReadOnlyList<StateWrite> writes, CancellationToken cancellation);
}
