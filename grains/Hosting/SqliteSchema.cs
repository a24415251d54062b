using Microsoft.Data.Sqlite;

namespace Orleans.Tokens.Hosting;

/// <summary>Creates the embedded default's SQLite database and the project's schema for Orleans' ADO.NET storage.</summary>
public static class SqliteSchema
{
    /// <summary>Orleans' ADO.NET invariant for SQLite; it loads Microsoft.Data.Sqlite's factory.</summary>
    public const string Invariant = "System.Data.SQLite";

    /// <summary>Creates the file and schema unless they exist; returns the connection string.</summary>
    public static string EnsureCreated(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            DefaultTimeout = 30,
        }.ToString();
        using var connection = new SqliteConnection(connectionString);
        connection.Open();
        using var exists = connection.CreateCommand();
        exists.CommandText = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'OrleansQuery'";
        if ((long)exists.ExecuteScalar()! == 0)
        {
            using var create = connection.CreateCommand();
            create.CommandText = SchemaScript.Read("Sqlite.sql");
            create.ExecuteNonQuery();
        }
        return connectionString;
    }
}
