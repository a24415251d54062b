namespace Orleans.Tokens;

/// <summary>
/// The storage could not take a change or give a state, and a change it refused certainly did not happen: the caller
/// answers 503 -2030, nothing debited (contract section 11). Serializable, unlike the database driver's own
/// exceptions, so that the cause reaches the caller across the cluster.
/// </summary>
[GenerateSerializer, Alias("Orleans.Tokens.StorageUnavailableException")]
public sealed class StorageUnavailableException(string message) : Exception(message);
