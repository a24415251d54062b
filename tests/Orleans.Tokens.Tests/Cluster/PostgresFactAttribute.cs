namespace Orleans.Tokens.Tests.ClusterLevel;

/// <summary>
/// A test that needs a real PostgreSQL server (<see cref="PostgresServer"/>). Where PostgreSQL's server binaries
/// are not installed it is reported as skipped, with the reason, never as passed. .ci/run installs PostgreSQL and
/// fails when a cluster test was skipped in CI.
/// </summary>
public sealed class PostgresFactAttribute : FactAttribute
{
    public PostgresFactAttribute()
    {
        if (PostgresServer.Unavailable is { } reason) Skip = reason;
    }
}
