namespace Orleans.Tokens;

/// <summary>
/// A call of an admin operation (a grain method without <see cref="GatewayOperationAttribute"/>) that is not a valid
/// signed admin command: unsigned, signed by a certificate that is not the cluster's admin certificate, with a
/// signature that does not match the call, too old or too new, or replayed. Nothing was done.
/// </summary>
[GenerateSerializer, Alias("Orleans.Tokens.AdminCommandRefusedException")]
public sealed class AdminCommandRefusedException(string message) : Exception(message);
