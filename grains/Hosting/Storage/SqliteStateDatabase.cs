using Microsoft.Data.Sqlite;

namespace Orleans.Tokens.Hosting.Storage;

/// <summary>
/// Grain state in the embedded default's SQLite file: one immediate transaction per batch, on one connection
/// whose prepared statements serve every batch (<see cref="BatchingGrainStorage"/> writes one batch at a time);
/// point reads of rows on a read connection of their own, prepared once (<see cref="SqliteRowReader"/>).
/// With synchronous FULL (the default) each commit is on disk before any debit in it is acknowledged; NORMAL
/// survives a crash of the process but not of the machine, and spares the fsync per commit. Not an
/// <see cref="IFencingStateDatabase"/>: a failed write here was rolled back in-process before it was reported.
/// <para>
/// A grain's rows that never expire (journal entries), or live longer than <see cref="GrainLog.LoggedLife"/> (redemption
/// records, used and revoked tokens), are kept in grain order (table <c>GrainRow</c>), the latter purged by the
/// grain's own writes; rows that expire within it go to the log (<see cref="GrainLog"/>: measured with bench/run.sh,
/// keyed mints spread over 1,000 customers, 20 KB written to disk per mint with the rows in grain order, 3 KB with
/// the log, 1.4 KB for unkeyed mints). Reads take the newest row of a kind and key from both.
/// </para>
/// </summary>
public sealed partial class SqliteStateDatabase(string connectionString, string serviceId, bool fullSync) : IStateDatabase, IDisposable
{
    private const string StateKey = "ServiceId = $service AND StateName = $state AND GrainId = $grain";

    // A grain's rows of $kind, from the table and along its log chains (one per state row), newest first by n.
    private const string GrainRows = """
        WITH RECURSIVE chain(Id) AS (
            SELECT LogHead FROM GrainState WHERE ServiceId = $service AND GrainId = $grain AND LogHead IS NOT NULL
            UNION ALL
            SELECT l.PreviousId FROM chain JOIN GrainLog AS l ON l.Id = chain.Id WHERE l.PreviousId IS NOT NULL),
        found AS (
            SELECT RowKey, Payload, CreatedAtMs, ExpiresAtMs FROM GrainRow
            WHERE ServiceId = $service AND GrainId = $grain AND Kind = $kind
            UNION ALL
            SELECT l.RowKey, l.Payload, l.CreatedAtMs, l.ExpiresAtMs FROM chain JOIN GrainLog AS l ON l.Id = chain.Id
            WHERE l.Kind = $kind),
        newest AS (
            SELECT RowKey, Payload, ExpiresAtMs, row_number() OVER (PARTITION BY RowKey ORDER BY CreatedAtMs DESC) AS n
            FROM found)
        """;

    // One row of a grain: the newest of the table's and the first found along its log chains, whose walk stops
    // there (a recent row costs a few steps, not the whole chain).
    private const string GrainRow = """
        WITH RECURSIVE chain(Id, Hit, Payload, CreatedAtMs) AS (
            SELECT LogHead, 0, NULL, NULL FROM GrainState WHERE ServiceId = $service AND GrainId = $grain AND LogHead IS NOT NULL
            UNION ALL
            SELECT l.PreviousId, l.Kind = $kind AND l.RowKey = $key, l.Payload, l.CreatedAtMs
            FROM chain JOIN GrainLog AS l ON l.Id = chain.Id WHERE chain.Hit = 0)
        SELECT Payload FROM (
            SELECT Payload, CreatedAtMs FROM chain WHERE Hit
            UNION ALL
            SELECT Payload, CreatedAtMs FROM GrainRow
            WHERE ServiceId = $service AND GrainId = $grain AND Kind = $kind AND RowKey = $key)
        ORDER BY CreatedAtMs DESC LIMIT 1
        """;

    private Writer? _writer;
    private readonly SqliteRowReader _rows = new(connectionString, connection => Query(connection, serviceId, GrainRow, "$key"));

    public async Task<StoredState?> Read(string stateName, string grainId, CancellationToken cancellation)
    {
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(cancellation);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT Payload, Version FROM GrainState WHERE {StateKey}";
        command.Parameters.AddWithValue("$service", serviceId);
        command.Parameters.AddWithValue("$state", stateName);
        command.Parameters.AddWithValue("$grain", grainId);
        await using var reader = await command.ExecuteReaderAsync(cancellation);
        if (!await reader.ReadAsync(cancellation)) return null;
        return new StoredState(reader.IsDBNull(0) ? null : (byte[])reader[0], reader.GetInt64(1));
    }

    public Task<byte[]?> ReadRow(string grainId, string kind, string key, CancellationToken cancellation)
    {
        cancellation.ThrowIfCancellationRequested();
        return Task.FromResult(_rows.Find(grainId, kind, key));
    }

    public Task<IReadOnlyList<byte[]>> ReadRows(string grainId, string kind, CancellationToken cancellation) =>
        ReadAll($"{GrainRows} SELECT Payload FROM newest WHERE n = 1 ORDER BY RowKey", grainId, kind,
            reader => (byte[])reader[0], cancellation);

    public Task<IReadOnlyList<(string Key, long? ExpiresAtMs)>> ReadKeys(string grainId, string kind, CancellationToken cancellation) =>
        ReadAll($"{GrainRows} SELECT RowKey, ExpiresAtMs FROM newest WHERE n = 1", grainId, kind,
            reader => (reader.GetString(0), reader.IsDBNull(1) ? (long?)null : reader.GetInt64(1)), cancellation);

    /// <summary>A grain's rows of <paramref name="kind"/> as <paramref name="text"/> selects them, each as <paramref name="read"/> makes it.</summary>
    private async Task<IReadOnlyList<T>> ReadAll<T>(
        string text, string grainId, string kind, Func<SqliteDataReader, T> read, CancellationToken cancellation)
    {
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(cancellation);
        await using var command = Query(connection, serviceId, text);
        command.Parameters["$grain"].Value = grainId;
        command.Parameters["$kind"].Value = kind;
        await using var reader = await command.ExecuteReaderAsync(cancellation);
        var rows = new List<T>();
        while (await reader.ReadAsync(cancellation)) rows.Add(read(reader));
        return rows;
    }

    /// <summary>A query of a grain's rows: parameters <c>$service</c> (set), <c>$grain</c>, <c>$kind</c> and <paramref name="more"/>.</summary>
    private static SqliteCommand Query(SqliteConnection connection, string serviceId, string text, params string[] more)
    {
        var command = connection.CreateCommand();
        command.CommandText = text;
        command.Parameters.AddWithValue("$service", serviceId);
        foreach (var name in (string[])["$grain", "$kind", .. more]) command.Parameters.AddWithValue(name, "");
        return command;
    }

    /// <summary>
    /// Runs the batch's transaction on this process's one writing connection. A failure is certain: the transaction
    /// was rolled back before this returns, so it throws <see cref="StorageUnavailableException"/>.
    /// </summary>
    public Task<long?[]> Write(IReadOnlyList<StateWrite> writes, CancellationToken cancellation)
    {
        var writer = _writer ??= new Writer(connectionString, serviceId, fullSync);
        try
        {
            return Task.FromResult(writer.Write(writes));
        }
        catch (Exception failure)
        {
            // The connection may be broken: the next batch starts on a new one.
            _writer = null;
            writer.Dispose();
            throw new StorageUnavailableException($"grain storage unavailable: {failure.GetType().Name}: {failure.Message}");
        }
    }

    public void Dispose()
    {
        _writer?.Dispose();
        _rows.Dispose();
    }
}
