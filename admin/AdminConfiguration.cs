using Microsoft.Extensions.Configuration;

namespace Orleans.Tokens.Admin;

/// <summary>
/// How the tool finds the cluster: an optional appsettings.json beside the binary, then environment variables
/// (<c>Tokens__DataDirectory</c>, <c>Cluster__GatewayPort</c>). Nothing set is the embedded default.
/// </summary>
internal static class AdminConfiguration
{
    public static IConfiguration Load() => new ConfigurationBuilder()
        .SetBasePath(AppContext.BaseDirectory)
        .AddJsonFile("appsettings.json", optional: true)
        .AddEnvironmentVariables()
        .Build();
}
