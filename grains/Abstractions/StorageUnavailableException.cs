namespace Orleans.Tokens;

/// <summary>
/// The storage could not take a change or give a state; a change it refused did not happen. Serializable, unlike
/// the database driver's own exceptions, so that the cause reaches the caller across the cluster.
/// </summary>
[GenerateSerializer, Alias("Orleans.Tokens.StorageUnavailableException")]
public sealed class StorageUnavailableException(string message) : Exception(message);
