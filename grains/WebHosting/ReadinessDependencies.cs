namespace Orleans.Tokens.WebHosting;

/// <summary>What a host's <c>/readyz</c> asks besides the host not stopping (README, "Metrics, health and shutdown").</summary>
[Flags]
public enum ReadinessDependencies
{
    /// <summary>The host's grain storage reads a sentinel key: a silo, the embedded default.</summary>
    Storage = 1,

    /// <summary>The cluster answers a grain call: a gateway.</summary>
    Cluster = 2,
}
