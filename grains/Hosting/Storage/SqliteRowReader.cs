using Microsoft.Data.Sqlite;

namespace Orleans.Tokens.Hosting.Storage;

/// <summary>
/// Point reads of grain rows (<see cref="IStateDatabase.ReadRow"/>) on one long-lived read connection with its query
/// (made by <paramref name="query"/>, with parameters <c>$grain</c>, <c>$kind</c> and <c>$key</c>) prepared once,
/// one read at a time (a read takes microseconds, and runs synchronously on its caller's thread).
/// One connection rather than one per read keeps its page cache: SQLite drops a connection's cache only when a
/// commit came since its last read, so reads between two commits share the pages they touch. In WAL mode it reads
/// the last commit and never waits for the writer.
/// </summary>
internal sealed class SqliteRowReader(string connectionString, Func<SqliteConnection, SqliteCommand> query) : IDisposable
{
    private readonly Lock _lock = new();
    private SqliteConnection? _connection;
    private SqliteCommand? _find;

    public byte[]? Find(string grainId, string kind, string key)
    {
        lock (_lock)
        {
            try
            {
                var find = _find ??= Prepare();
                find.Parameters["$grain"].Value = grainId;
                find.Parameters["$kind"].Value = kind;
                find.Parameters["$key"].Value = key;
                return find.ExecuteScalar() as byte[];
            }
            catch
            {
                // The connection may be broken: the next read opens a new one.
                Close();
                throw;
            }
        }
    }

    private SqliteCommand Prepare()
    {
        _connection = new SqliteConnection(connectionString);
        _connection.Open();
        var find = query(_connection);
        find.Prepare();
        return find;
    }

    private void Close()
    {
        _find?.Dispose();
        _connection?.Dispose();
        _find = null;
        _connection = null;
    }

    public void Dispose()
    {
        lock (_lock) Close();
    }
}
