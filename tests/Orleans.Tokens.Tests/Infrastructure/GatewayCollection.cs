namespace Orleans.Tokens.Tests.Infrastructure;

/// <summary>
/// Every class that talks to the gateway joins this collection, so one gateway (and its co-hosted silo) serves
/// them all and the classes run one after another.
/// </summary>
[CollectionDefinition(Name)]
public sealed class GatewayCollection : ICollectionFixture<GatewayFixture>
{
    public const string Name = "Gateway";
}
