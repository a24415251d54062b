namespace Orleans.Tokens.Hosting.Storage;

/// <summary>
/// One grain's state to write: the version it read (null when it has never been stored) and the serialized state
/// (null clears it).
/// </summary>
public sealed record StateWrite(string StateName, string GrainId, long? ExpectedVersion, byte[]? Payload);

/// <summary>A grain's stored state and its version.</summary>
public sealed record StoredState(byte[]? Payload, long Version);
