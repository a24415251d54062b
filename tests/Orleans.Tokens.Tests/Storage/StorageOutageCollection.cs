using Orleans.Tokens.Tests.Infrastructure;

namespace Orleans.Tokens.Tests.Storage;

/// <summary>A gateway of its own: its storage is taken away and given back while the tests run.</summary>
[CollectionDefinition(Name)]
public sealed class StorageOutageCollection : ICollectionFixture<GatewayFixture>
{
    public const string Name = "Storage outage";
}
