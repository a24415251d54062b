using System.Net;
using Microsoft.Extensions.Configuration;
using Orleans.Hosting.Kubernetes;
using Orleans.Tokens.Hosting.Tls;

namespace Orleans.Tokens.Hosting;

/// <summary>The settings of contract section 9a that the hosts share, read from standard .NET configuration.</summary>
public sealed record TokensSettings(
    TokenEnvironment Environment,
    string DataDirectory,
    ClusterMode Mode,
    int SiloPort,
    int GatewayPort)
{
    public const string DefaultId = "orleans-tokens";

    /// <summary>Where the cluster keeps membership and grain state.</summary>
    public ClusterStorage Storage { get; init; } = ClusterStorage.Sqlite;

    /// <summary>The PostgreSQL connection string (Npgsql form); required with <see cref="ClusterStorage.PostgreSql"/>.</summary>
    public string ConnectionString { get; init; } = "";

    /// <summary>Names the service's durable state: keep it across deployments.</summary>
    public string ServiceId { get; init; } = DefaultId;

    /// <summary>Names one deployment: silos and clients with the same id form a cluster.</summary>
    public string ClusterId { get; init; } = DefaultId;

    /// <summary>
    /// The address a PostgreSQL-clustered silo listens on and publishes to the others; with <see cref="Kubernetes"/>,
    /// the pod's (POD_IP), and the silo listens on every interface.
    /// </summary>
    public IPAddress AdvertisedIPAddress { get; init; } = IPAddress.Loopback;

    /// <summary>
    /// Whether a PostgreSQL-clustered silo runs under Orleans' Kubernetes hosting: named after its pod (POD_NAME),
    /// advertising the pod's address (POD_IP), and declaring dead the silos whose pods are deleted.
    /// </summary>
    public bool Kubernetes { get; init; }

    /// <summary>Whether a PostgreSQL-clustered silo applies the schema before it starts.</summary>
    public bool ApplySchema { get; init; }

    /// <summary>
    /// SQLite's synchronous FULL (the default): a commit is on disk before its debits are acknowledged. NORMAL
    /// survives a crash of the process, not of the machine.
    /// </summary>
    public bool SqliteFullSync { get; init; } = true;

    /// <summary>
    /// This process's cluster TLS files (<c>Cluster:Tls:CaCertificate</c>, <c>Cluster:Tls:Certificate</c>,
    /// <c>Cluster:Tls:PrivateKey</c>: all three or none); none on SQLite means the embedded default's own.
    /// </summary>
    public ClusterTlsFiles? Tls { get; init; }

    /// <summary>Storage and grain-call deadlines (contract section 11).</summary>
    public Deadlines Deadlines { get; init; } = Deadlines.Default;

    // Orleans' Kubernetes hosting takes POD_IP only for an advertised address nobody set, and Orleans' defaults (its
    // EndpointOptionsProvider, registered first) always set one, the machine's first address: so the silo sets POD_IP.
    private const string PodIP = KubernetesHostingOptions.PodIPEnvironmentVariable;

    public static TokensSettings From(IConfiguration configuration)
    {
        var environmentName = configuration["Tokens:Environment"] ?? "production";
        if (!TokenEnvironments.TryParse(environmentName, out var environment))
            throw new InvalidOperationException($"Tokens:Environment must be production or test, not '{environmentName}'");
        var modeName = configuration["Cluster:Mode"] ?? nameof(ClusterMode.Embedded);
        if (!Enum.TryParse<ClusterMode>(modeName, ignoreCase: true, out var mode))
            throw new InvalidOperationException($"Cluster:Mode must be Embedded or Client, not '{modeName}'");
        var storageName = configuration["Cluster:Storage"] ?? nameof(ClusterStorage.Sqlite);
        if (!Enum.TryParse<ClusterStorage>(storageName, ignoreCase: true, out var storage))
            throw new InvalidOperationException($"Cluster:Storage must be Sqlite or PostgreSql, not '{storageName}'");
        var connectionString = configuration.GetConnectionString("Tokens") ?? "";
        if (storage == ClusterStorage.PostgreSql && connectionString.Length == 0)
            throw new InvalidOperationException("Cluster:Storage=PostgreSql needs ConnectionStrings:Tokens");
        var kubernetes = configuration.GetValue("Cluster:Kubernetes", false);
        if (kubernetes && storage != ClusterStorage.PostgreSql)
            throw new InvalidOperationException("Cluster:Kubernetes=true needs Cluster:Storage=PostgreSql");
        if (kubernetes && configuration["Cluster:AdvertisedIPAddress"] is not null)
            throw new InvalidOperationException($"Cluster:Kubernetes=true advertises the pod's address ({PodIP}): leave Cluster:AdvertisedIPAddress unset");
        var (addressKey, addressText) = kubernetes
            ? (PodIP, configuration[PodIP] ?? throw new InvalidOperationException($"Cluster:Kubernetes=true needs {PodIP}, the pod's address (status.podIP)"))
            : ("Cluster:AdvertisedIPAddress", configuration["Cluster:AdvertisedIPAddress"] ?? "127.0.0.1");
        if (!IPAddress.TryParse(addressText, out var address))
            throw new InvalidOperationException($"{addressKey} must be an IP address, not '{addressText}'");
        return new(
            environment,
            configuration["Tokens:DataDirectory"] ?? "data",
            mode,
            configuration.GetValue("Cluster:SiloPort", 11111),
            configuration.GetValue("Cluster:GatewayPort", 30000))
        {
            Storage = storage,
            ConnectionString = connectionString,
            ServiceId = configuration["Cluster:ServiceId"] ?? DefaultId,
            ClusterId = configuration["Cluster:ClusterId"] ?? DefaultId,
            AdvertisedIPAddress = address,
            Kubernetes = kubernetes,
            ApplySchema = configuration.GetValue("Cluster:ApplySchema", false),
            SqliteFullSync = !"Normal".Equals(configuration["Tokens:SqliteSynchronous"], StringComparison.OrdinalIgnoreCase),
            Deadlines = Deadlines.From(configuration),
            Tls = TlsFiles(configuration),
        };
    }

    private static ClusterTlsFiles? TlsFiles(IConfiguration configuration)
    {
        string?[] paths = [configuration["Cluster:Tls:CaCertificate"], configuration["Cluster:Tls:Certificate"], configuration["Cluster:Tls:PrivateKey"]];
        if (paths.All(string.IsNullOrEmpty)) return null;
        if (paths.Any(string.IsNullOrEmpty))
            throw new InvalidOperationException("set all of Cluster:Tls:CaCertificate, Cluster:Tls:Certificate and Cluster:Tls:PrivateKey, or none");
        return new ClusterTlsFiles(paths[0]!, paths[1]!, paths[2]!);
    }

    public string SqlitePath => Path.Combine(DataDirectory, "tokens.db");
}

public enum ClusterMode
{
    /// <summary>A silo co-hosted in the gateway process (on SQLite: localhost clustering).</summary>
    Embedded,
    /// <summary>An Orleans client of a cluster started elsewhere.</summary>
    Client,
}

public enum ClusterStorage
{
    /// <summary>The embedded default: one silo, localhost clustering, grain state in a SQLite file.</summary>
    Sqlite,
    /// <summary>A real cluster: ADO.NET clustering and grain state in one PostgreSQL database.</summary>
    PostgreSql,
}
