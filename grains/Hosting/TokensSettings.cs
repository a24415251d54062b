using Microsoft.Extensions.Configuration;

namespace Orleans.Tokens.Hosting;

/// <summary>The settings of contract section 9a that the hosts share, read from standard .NET configuration.</summary>
public sealed record TokensSettings(
    TokenEnvironment Environment,
    string DataDirectory,
    ClusterMode Mode,
    int SiloPort,
    int GatewayPort,
    bool SqliteFullSync)
{
    public static TokensSettings From(IConfiguration configuration)
    {
        var environmentName = configuration["Tokens:Environment"] ?? "production";
        if (!TokenEnvironments.TryParse(environmentName, out var environment))
            throw new InvalidOperationException($"Tokens:Environment must be production or test, not '{environmentName}'");
        var modeName = configuration["Cluster:Mode"] ?? nameof(ClusterMode.Embedded);
        if (!Enum.TryParse<ClusterMode>(modeName, ignoreCase: true, out var mode))
            throw new InvalidOperationException($"Cluster:Mode must be Embedded or Client, not '{modeName}'");
        return new(
            environment,
            configuration["Tokens:DataDirectory"] ?? "data",
            mode,
            configuration.GetValue("Cluster:SiloPort", 11111),
            configuration.GetValue("Cluster:GatewayPort", 30000),
            !"Normal".Equals(configuration["Tokens:SqliteSynchronous"], StringComparison.OrdinalIgnoreCase));
    }

    public string SqlitePath => Path.Combine(DataDirectory, "tokens.db");
}

public enum ClusterMode
{
    /// <summary>A silo co-hosted in the gateway process, localhost clustering, SQLite storage.</summary>
    Embedded,
    /// <summary>An Orleans client of a cluster started elsewhere.</summary>
    Client,
}
