using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Orleans.Tokens.Hosting.Admin;

namespace Orleans.Tokens.Hosting.Tls;

/// <summary>Mutual TLS on every Orleans connection of a silo or client (issue 9; see <see cref="ClusterIdentity"/>).</summary>
public static class TlsSetup
{
    /// <summary>
    /// The identity a process of <paramref name="role"/> presents: the configured <see cref="TokensSettings.Tls"/>
    /// files; else, on SQLite, the embedded default's under the data directory (a silo makes them on first start);
    /// else an <see cref="InvalidOperationException"/> naming the settings.
    /// </summary>
    public static ClusterIdentity Identity(this TokensSettings settings, ClusterRole role)
    {
        if (settings.Tls is { } files) return ClusterIdentity.Load(files);
        if (settings.Storage != ClusterStorage.Sqlite)
            throw new InvalidOperationException(
                "Cluster:Storage=PostgreSql needs Cluster:Tls:CaCertificate, Cluster:Tls:Certificate and Cluster:Tls:PrivateKey");
        if (role == ClusterRole.Silo) EmbeddedCertificates.EnsureCreated(settings.DataDirectory);
        return ClusterIdentity.Load(EmbeddedCertificates.Files(settings.DataDirectory, role));
    }

    /// <summary>
    /// A silo's connections: the silo port accepts silos only, the client port gateways and the admin tool only,
    /// and a silo connects only to silos; and admin operations run only as signed admin commands
    /// (<see cref="AdminCommandCheck"/>). Throws when <paramref name="identity"/> is not a silo's.
    /// </summary>
    public static ISiloBuilder UseClusterTls(this ISiloBuilder silo, ClusterIdentity identity)
    {
        if (identity.Role != ClusterRole.Silo)
            throw new InvalidOperationException($"a silo needs a certificate with OU=silo, not {identity.Certificate.Subject}");
        silo.ConfigureServices(services => services.AddSingleton<IIncomingGrainCallFilter>(provider =>
            new AdminCommandCheck(identity, TimeProvider.System, provider.GetRequiredService<ILogger<AdminCommandCheck>>())));
        return silo.Configure<SiloConnectionOptions>(options =>
        {
            options.ConfigureSiloInboundConnection(connection => connection.UseServerTls(identity.Options(ClusterRole.Silo)));
            options.ConfigureGatewayInboundConnection(connection =>
                connection.UseServerTls(identity.Options(ClusterRole.Gateway, ClusterRole.Admin)));
            options.ConfigureSiloOutboundConnection(connection => connection.UseClientTls(identity.Options(ClusterRole.Silo)));
        });
    }

    /// <summary>A client's connections: only to silos, presenting <paramref name="identity"/>.</summary>
    public static IClientBuilder UseClusterTls(this IClientBuilder client, ClusterIdentity identity) =>
        client.Configure<ClientConnectionOptions>(options =>
            options.ConfigureConnection(connection => connection.UseClientTls(identity.Options(ClusterRole.Silo))));
}
