namespace Orleans.Tokens.Tests.Infrastructure;

/// <summary>
/// A second gateway that serves the <c>test</c> environment (<c>Tokens:Environment=test</c>) and leaves
/// <c>Tokens:PublicBaseUrl</c> at its default, the listening URL: <c>--urls</c> asks for port 0, so that is the address
/// Kestrel really bound. Its own silo and data directory.
/// </summary>
public sealed class TestEnvironmentGatewayFixture() : GatewayFixture(new Dictionary<string, string>
{
    ["Tokens:Environment"] = "test",
    ["urls"] = "http://127.0.0.1:0",
});

[CollectionDefinition(Name)]
public sealed class TestEnvironmentGatewayCollection : ICollectionFixture<TestEnvironmentGatewayFixture>
{
    public const string Name = "TestEnvironmentGateway";
}
