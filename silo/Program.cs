using Orleans.Tokens.Hosting;
using Orleans.Tokens.Hosting.Health;
using Orleans.Tokens.WebHosting;

namespace Orleans.Tokens.Silo;

/// <summary>
/// A silo without a gateway in front, for gateways in Cluster:Mode=Client: the embedded default's SQLite silo, or
/// with Cluster:Storage=PostgreSql one silo of a real cluster. It serves /metrics, /healthz and /readyz over HTTP
/// on --urls (default http://127.0.0.1:8090; give each silo on one machine its own).
/// </summary>
internal static class Program
{
    public static void Main(string[] args)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        if (builder.Configuration.GetValue("Cluster:Migrate", false))
        {
            Migrate(builder.Configuration);
            return;
        }
        if (string.IsNullOrEmpty(builder.Configuration["urls"])) builder.WebHost.UseUrls("http://127.0.0.1:8090");
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);
        var settings = TokensSettings.From(builder.Configuration);
        builder.UseOrleans(silo => silo.UseTokensSilo(settings));
        // /readyz asks the silo's grain storage.
        builder.Services.AddTokensMetricsAndHealth(ReadinessDependencies.Storage);
        builder.Services.AddTokensShutdown();

        var app = builder.Build();
        // Routing's own rules for other methods and paths: the silo serves no path of the contract's section 1.
        app.MapTokensProbes(app.Services, (path, handler) => app.MapGet(path, handler), metrics: true);
        app.Run();
    }

    /// <summary>
    /// <c>Cluster:Migrate=true</c>: applies the PostgreSQL schema as the connection's role (one that may change
    /// the schema), grants <c>Cluster:SiloDatabaseRole</c> and <c>Cluster:GatewayDatabaseRole</c> what they need,
    /// and exits; the Kubernetes migration Job runs this, so that silos need no DDL.
    /// </summary>
    private static void Migrate(IConfiguration configuration)
    {
        var settings = TokensSettings.From(configuration);
        if (settings.Storage != ClusterStorage.PostgreSql)
            throw new InvalidOperationException("Cluster:Migrate=true needs Cluster:Storage=PostgreSql");
        PostgresSchema.Apply(settings.ConnectionString,
            new DatabaseRoles(configuration["Cluster:SiloDatabaseRole"], configuration["Cluster:GatewayDatabaseRole"]));
        Console.WriteLine($"schema applied; granted to silo role {configuration["Cluster:SiloDatabaseRole"] ?? "(none)"}, gateway role {configuration["Cluster:GatewayDatabaseRole"] ?? "(none)"}");
    }
}
