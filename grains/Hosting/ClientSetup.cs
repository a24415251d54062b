namespace Orleans.Tokens.Hosting;

public static class ClientSetup
{
    /// <summary>Joins the embedded default's cluster through its localhost gateway port.</summary>
    public static IClientBuilder UseTokensCluster(this IClientBuilder client, TokensSettings settings) =>
        client.UseLocalhostClustering(settings.GatewayPort, SiloSetup.ServiceId, SiloSetup.ClusterId);
}
