namespace Orleans.Tokens;

/// <summary>
/// Which DRMs a customer may mint for. <see cref="FairPlay"/> (section 13) is false for an account stored before it
/// existed: an upgrade turns nothing on.
/// </summary>
[GenerateSerializer, Immutable, Alias("Orleans.Tokens.CustomerOptions")]
public sealed record CustomerOptions(
    [property: Id(0)] bool Widevine,
    [property: Id(1)] bool PlayReady,
    [property: Id(2)] bool FairPlay = false);

[GenerateSerializer, Immutable, Alias("Orleans.Tokens.CustomerView")]
public sealed record CustomerView(
    [property: Id(0)] long CustomerId,
    [property: Id(1)] bool Enabled,
    [property: Id(2)] CustomerOptions Options,
    [property: Id(3)] long ProductionBalance,
    [property: Id(4)] long TestBalance,
    [property: Id(5)] ImmutableArray<AuthenticatorView> Authenticators,
    [property: Id(6)] int? MaxMintsPerSecond = null);

[GenerateSerializer, Immutable, Alias("Orleans.Tokens.AuthenticatorView")]
public sealed record AuthenticatorView(
    [property: Id(0)] string Id,
    [property: Id(1)] TokenEnvironment Environment,
    [property: Id(2)] DateTimeOffset CreatedAt);

/// <summary>A new authenticator: <see cref="Authenticator"/> (<c>customerId,secret</c>) is shown only here.</summary>
[GenerateSerializer, Immutable, Alias("Orleans.Tokens.IssuedAuthenticator")]
public sealed record IssuedAuthenticator(
    [property: Id(0)] string Id,
    [property: Id(1)] TokenEnvironment Environment,
    [property: Id(2)] string Authenticator);

[GenerateSerializer, Immutable, Alias("Orleans.Tokens.CustomerCreated")]
public sealed record CustomerCreated(
    [property: Id(0)] long CustomerId,
    [property: Id(1)] IssuedAuthenticator Production,
    [property: Id(2)] IssuedAuthenticator Test);

/// <summary>An admin request the account refuses (unknown customer, existing customer, bad argument).</summary>
[GenerateSerializer, Alias("Orleans.Tokens.AccountException")]
public sealed class AccountException(string message) : Exception(message);
