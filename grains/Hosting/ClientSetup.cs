using Orleans.Configuration;
using Orleans.Tokens.Hosting.Admin;
using Orleans.Tokens.Hosting.Tls;

namespace Orleans.Tokens.Hosting;

public static class ClientSetup
{
    /// <summary>
    /// Joins the cluster that the settings name: on PostgreSQL, through the gateways its membership table lists;
    /// otherwise the embedded default's, through its localhost gateway port. Grain calls time out after
    /// <see cref="Deadlines.Call"/>. Its connections are mutual TLS with the identity of <paramref name="role"/>
    /// (see <see cref="TlsSetup.Identity"/>); the admin tool's signs its admin operations (<see cref="AdminCommandSigner"/>).
    /// </summary>
    public static IClientBuilder UseTokensCluster(this IClientBuilder client, TokensSettings settings, ClusterRole role)
    {
        var identity = settings.Identity(role);
        client.UseClusterTls(identity);
        if (role == ClusterRole.Admin) client.AddOutgoingGrainCallFilter(new AdminCommandSigner(identity, TimeProvider.System));
        client.Configure<ClientMessagingOptions>(options => settings.Deadlines.Apply(options));
        if (settings.Storage != ClusterStorage.PostgreSql)
            return client.UseLocalhostClustering(settings.GatewayPort, settings.ServiceId, settings.ClusterId);
        client.Configure<ClusterOptions>(options =>
        {
            options.ServiceId = settings.ServiceId;
            options.ClusterId = settings.ClusterId;
        });
        return client.UseAdoNetClustering(options =>
        {
            options.Invariant = PostgresSchema.Invariant;
            options.ConnectionString = settings.ConnectionString;
        });
    }
}
