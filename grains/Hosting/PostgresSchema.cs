using Npgsql;

namespace Orleans.Tokens.Hosting;

/// <summary>Applies the project's PostgreSQL schema for Orleans' ADO.NET clustering and grain storage.</summary>
public static class PostgresSchema
{
    /// <summary>Orleans' ADO.NET invariant for PostgreSQL; it loads Npgsql's factory.</summary>
    public const string Invariant = "Npgsql";

    // Names the advisory lock that everyone applying this schema takes (ASCII "OrlToken").
    private const long LockKey = 0x4f72_6c54_6f6b_656e;

    /// <summary>
    /// Creates what is missing and replaces the stored statements, in one transaction. Silos starting together
    /// take turns on an advisory lock, so that concurrent CREATE TABLE IF NOT EXISTS cannot collide.
    /// </summary>
    public static void Apply(string connectionString)
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
        transaction.Commit();
    }
}
