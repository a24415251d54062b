namespace Orleans.Tokens.Grains;

/// <summary>
/// What key storage gave one key of a mint, read before the decision: the 16-byte content key, or none, with the
/// refusal it means (-4019 when key storage has none to use, -4024 for a KEK that does not unwrap a wrapped one).
/// </summary>
internal readonly record struct StoredContentKey(byte[]? Key, ErrorCode Refusal = ErrorCode.KeyNotInStorage);
