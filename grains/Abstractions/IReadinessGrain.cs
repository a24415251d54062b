namespace Orleans.Tokens;

/// <summary>A cheap round trip into the cluster, no storage: what a gateway's <c>/readyz</c> asks.</summary>
[Alias("Orleans.Tokens.IReadinessGrain")]
public interface IReadinessGrain : IGrainWithIntegerKey
{
    [Alias("Ping"), GatewayOperation]
    Task Ping();
}
