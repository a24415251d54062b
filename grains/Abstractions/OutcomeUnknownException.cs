namespace Orleans.Tokens;

/// <summary>
/// A change was handed to the storage and it cannot be known whether it landed (a write whose outcome could not be
/// settled before its deadline, or a state that could not be read back). The caller answers 503 -9001 (contract
/// section 11): a retry with the same Idempotency-Key learns the outcome without paying twice.
/// </summary>
[GenerateSerializer, Alias("Orleans.Tokens.OutcomeUnknownException")]
public sealed class OutcomeUnknownException(string message) : Exception(message);
