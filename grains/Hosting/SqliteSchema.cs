using Microsoft.Data.Sqlite;

namespace Orleans.Tokens.Hosting;

/// <summary>Creates the embedded default's SQLite database and the project's schema.</summary>
public static class SqliteSchema
{
    /// <summary>
    /// Creates the file (0600, in a 0700 directory: <see cref="PrivateFiles"/>) and schema unless they exist;
    /// returns the connection string, whose busy timeout is <paramref name="timeout"/> (whole seconds, at least 1).
    /// </summary>
    public static string EnsureCreated(string path, TimeSpan timeout)
    {
        PrivateFiles.Database(path);
        var connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            DefaultTimeout = Math.Max(1, (int)timeout.TotalSeconds),
        }.ToString();
        using var connection = new SqliteConnection(connectionString);
        connection.Open();
        using var create = connection.CreateCommand();
        create.CommandText = SchemaScript.Read("Sqlite.sql");
        create.ExecuteNonQuery();
        AddLogHead(connection);
        return connectionString;
    }

    /// <summary>Gives a file made before GrainLog its <c>GrainState.LogHead</c> column (SQLite has no ADD COLUMN IF NOT EXISTS).</summary>
    private static void AddLogHead(SqliteConnection connection)
    {
        using var has = connection.CreateCommand();
        has.CommandText = "SELECT count(*) FROM pragma_table_info('GrainState') WHERE name = 'LogHead'";
        if ((long)has.ExecuteScalar()! > 0) return;
        using var add = connection.CreateCommand();
        add.CommandText = "ALTER TABLE GrainState ADD COLUMN LogHead INTEGER NULL";
        add.ExecuteNonQuery();
    }
}
