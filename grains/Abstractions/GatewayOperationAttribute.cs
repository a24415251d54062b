namespace Orleans.Tokens;

/// <summary>
/// A method of the project's grain interfaces that a gateway may call: minting, key look-up, the readiness ping.
/// Every other method of those interfaces runs only as a signed admin command (issue 9: credits, authenticators,
/// key storage changes, enable/disable, revocation and the admin views), so that a gateway's cluster certificate
/// cannot change an account. An allow-list: a new method is an admin operation until marked.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class GatewayOperationAttribute : Attribute;
