using Npgsql;

namespace Orleans.Tokens.Hosting;

/// <summary>Applies the project's PostgreSQL schema for Orleans' ADO.NET clustering and grain storage.</summary>
public static class PostgresSchema
{
    /// <summary>Orleans' ADO.NET invariant for PostgreSQL; it loads Npgsql's factory.</summary>
    public const string Invariant = "Npgsql";

    private static IEnumerable<string> Grants(DatabaseRoles roles)
    {
        if (roles.Silo is { } silo)
        {
            yield return $"GRANT SELECT ON OrleansQuery TO {Quoted(silo)}";
            yield return $"GRANT SELECT, INSERT, UPDATE, DELETE ON OrleansMembershipVersion, OrleansMembership, GrainState, GrainRow, GrainLog, GrainLogBatch TO {Quoted(silo)}";
            yield return $"GRANT USAGE ON SEQUENCE GrainLogIds TO {Quoted(silo)}";
        }
        if (roles.Gateway is { } gateway)
            yield return $"GRANT SELECT ON OrleansQuery, OrleansMembershipVersion, OrleansMembership TO {Quoted(gateway)}";
    }

    /// <summary>A role name as a quoted SQL identifier (its double quotes doubled).</summary>
    private static string Quoted(string role) => "\"" + role.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    // Names the advisory lock that everyone applying this schema takes (ASCII "OrlToken").
    private const long LockKey = 0x4f72_6c54_6f6b_656e;

    /// <summary>
    /// Creates what is missing and replaces the stored statements, in one transaction. Silos starting together
    /// take turns on an advisory lock, so that concurrent CREATE TABLE IF NOT EXISTS cannot collide.
    /// </summary>
    public static void Apply(string connectionString) => Apply(connectionString, new DatabaseRoles(null, null));

    /// <summary>
    /// <see cref="Apply(string)"/>, then, in the same transaction, grants each of <paramref name="roles"/> what it
    /// needs and nothing more (issue 9): silos read the stored statements and read and write the membership and
    /// grain-state tables; client-mode gateways read the statements and the membership tables. Neither may change
    /// the schema. The roles must exist; the connection's role must own the tables.
    /// </summary>
    public static void Apply(string connectionString, DatabaseRoles roles)
    {
        using var connection = new NpgsqlConnection(connectionString);
        connection.Open();
        using var transaction = connection.BeginTransaction();
        using (var command = new NpgsqlCommand("SELECT pg_advisory_xact_lock(@key)", connection, transaction))
        {
            command.Parameters.AddWithValue("key", LockKey);
            command.ExecuteNonQuery();
        }
        using (var command = new NpgsqlCommand(SchemaScript.Read("PostgreSql.sql"), connection, transaction))
            command.ExecuteNonQuery();
        foreach (var grant in Grants(roles))
        {
            using var command = new NpgsqlCommand(grant, connection, transaction);
            command.ExecuteNonQuery();
        }
        transaction.Commit();
    }
}

/// <summary>
/// The PostgreSQL roles a migration grants to (settings <c>Cluster:SiloDatabaseRole</c> and
/// <c>Cluster:GatewayDatabaseRole</c>); null: none.
/// </summary>
public sealed record DatabaseRoles(string? Silo, string? Gateway);
