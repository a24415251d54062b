using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Tokens.Hosting;
using Orleans.Tokens.Hosting.Storage;
using Orleans.Tokens.Tests.Infrastructure;

namespace Orleans.Tokens.Tests.Faults;

/// <summary>
/// A gateway whose state database is the real SQLite one behind <see cref="FaultyDatabase"/>, with short deadlines
/// (storage 0.5 s, grain calls 5 s) so that a stalled write passes its deadline quickly.
/// </summary>
public sealed class FaultFixture() : GatewayFixture(
    new Dictionary<string, string>
    {
        ["Tokens:PublicBaseUrl"] = PublicBaseUrl,
        ["Storage:Timeout"] = "00:00:00.5",
        ["Cluster:CallTimeout"] = "00:00:05",
    },
    WrapDatabase)
{
    public const string ServiceId = TokensSettings.DefaultId;

    internal FaultyDatabase Database => (FaultyDatabase)Factory.Services.GetRequiredService<IStateDatabase>();

    /// <summary>Puts <see cref="FaultyDatabase"/> around the database the silo registered.</summary>
    private static void WrapDatabase(IServiceCollection services)
    {
        var real = services.Last(d => d.ServiceType == typeof(IStateDatabase));
        services.Remove(real);
        services.AddSingleton<IStateDatabase>(provider =>
        {
            var path = Path.Combine(provider.GetRequiredService<IConfiguration>()["Tokens:DataDirectory"]!, "tokens.db");
            var connectionString = new SqliteConnectionStringBuilder { DataSource = path, DefaultTimeout = 5 }.ToString();
            return new FaultyDatabase((IStateDatabase)real.ImplementationFactory!(provider), connectionString);
        });
    }
}

[CollectionDefinition(Name)]
public sealed class FaultCollection : ICollectionFixture<FaultFixture>
{
    public const string Name = "Storage faults";
}
