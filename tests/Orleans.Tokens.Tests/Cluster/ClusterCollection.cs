namespace Orleans.Tokens.Tests.ClusterLevel;

/// <summary>
/// The cluster tests: each starts its own PostgreSQL, 2 silos and 2 gateways. They run one after another and
/// never in parallel with any other collection (the process tests among them): on two cores, processes started by
/// two tests at once would fight for the CPU and turn timing figures (recovery times) into noise.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ClusterCollection
{
    public const string Name = "Cluster tests";
}
