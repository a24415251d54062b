namespace Orleans.Tokens;

/// <summary>
/// Reads a grain's <see cref="GrainRow"/>s from the grain storage that wrote them with its state (registered under
/// the storage's name). Reads are durable state only; each runs within the storage's deadline and throws
/// <see cref="StorageUnavailableException"/> when it cannot answer.
/// </summary>
public interface IGrainRows
{
    /// <summary>The value of <paramref name="grainId"/>'s row of <paramref name="kind"/> and <paramref name="key"/>, or null.</summary>
    Task<object?> Find(GrainId grainId, string kind, string key);

    /// <summary>The values of <paramref name="grainId"/>'s rows of <paramref name="kind"/>, in the order of their keys.</summary>
    Task<IReadOnlyList<object>> List(GrainId grainId, string kind);

    /// <summary>
    /// The keys of <paramref name="grainId"/>'s rows of <paramref name="kind"/>, each with its expiry (null: never;
    /// stored to the millisecond, rounded down), read in one go without their values.
    /// </summary>
    Task<IReadOnlyDictionary<string, DateTimeOffset?>> Keys(GrainId grainId, string kind);
}
