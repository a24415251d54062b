using Microsoft.Data.Sqlite;

namespace Orleans.Tokens.Hosting.Storage;

/// <summary>
/// Grain state in the embedded default's SQLite file: one immediate transaction per batch, on one connection
/// whose prepared statements serve every batch (<see cref="BatchingGrainStorage"/> writes one batch at a time);
/// point reads of rows on a read connection of their own, prepared once (<see cref="SqliteRowReader"/>).
/// With synchronous FULL (the default) each commit is on disk before any debit in it is acknowledged; NORMAL
/// survives a crash of the process but not of the machine, and spares the fsync per commit. Not an
/// <see cref="IFencingStateDatabase"/>: a failed write here was rolled back in-process before it was reported.
/// </summary>
public sealed class SqliteStateDatabase(string connectionString, string serviceId, bool fullSync) : IStateDatabase, IDisposable
{
    private const string Key = "ServiceId = $service AND StateName = $state AND GrainId = $grain";

    private Writer? _writer;
    private readonly SqliteRowReader _rows = new(connectionString, connection =>
    {
        var find = RowCommand(connection, serviceId, "Payload", "", "", "AND RowKey = $key");
        find.Parameters.AddWithValue("$key", "");
        return find;
    });

    public async Task<StoredState?> Read(string stateName, string grainId, CancellationToken cancellation)
    {
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(cancellation);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT Payload, Version FROM GrainState WHERE {Key}";
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
        ReadAll("Payload", grainId, kind, "ORDER BY RowKey", reader => (byte[])reader[0], cancellation);

    public Task<IReadOnlyList<(string Key, long? ExpiresAtMs)>> ReadKeys(string grainId, string kind, CancellationToken cancellation) =>
        ReadAll("RowKey, ExpiresAtMs", grainId, kind, "",
            reader => (reader.GetString(0), reader.IsDBNull(1) ? (long?)null : reader.GetInt64(1)), cancellation);

    /// <summary><paramref name="columns"/> of a grain's rows of <paramref name="kind"/>, each as <paramref name="read"/> makes it.</summary>
    private async Task<IReadOnlyList<T>> ReadAll<T>(
        string columns, string grainId, string kind, string rest, Func<SqliteDataReader, T> read, CancellationToken cancellation)
    {
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(cancellation);
        await using var command = RowCommand(connection, serviceId, columns, grainId, kind, rest);
        await using var reader = await command.ExecuteReaderAsync(cancellation);
        var rows = new List<T>();
        while (await reader.ReadAsync(cancellation)) rows.Add(read(reader));
        return rows;
    }

    private static SqliteCommand RowCommand(
        SqliteConnection connection, string serviceId, string columns, string grainId, string kind, string rest)
    {
        var command = connection.CreateCommand();
        command.CommandText = $"SELECT {columns} FROM GrainRow WHERE ServiceId = $service AND GrainId = $grain AND Kind = $kind {rest}";
        command.Parameters.AddWithValue("$service", serviceId);
        command.Parameters.AddWithValue("$grain", grainId);
        command.Parameters.AddWithValue("$kind", kind);
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

    private sealed class Writer : IDisposable
    {
        private readonly SqliteConnection _connection;
        private readonly SqliteCommand _insert;
        private readonly SqliteCommand _update;
        private readonly SqliteCommand _purge;
        private readonly SqliteCommand _append;

        public Writer(string connectionString, string serviceId, bool fullSync)
        {
            _connection = new SqliteConnection(connectionString);
            _connection.Open();
            using (var durable = _connection.CreateCommand())
            {
                durable.CommandText = fullSync ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL";
                durable.ExecuteNonQuery();
            }
            _insert = Command(serviceId, """
                INSERT INTO GrainState (ServiceId, StateName, GrainId, Version, Payload, ModifiedOn)
                VALUES ($service, $state, $grain, 1, $payload, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
                ON CONFLICT DO NOTHING
                RETURNING Version
                """);
            _update = Command(serviceId, $"""
                UPDATE GrainState
                SET Payload = $payload, Version = Version + 1, ModifiedOn = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
                WHERE {Key} AND Version = $version
                RETURNING Version
                """);
            _purge = Command(serviceId, """
                DELETE FROM GrainRow WHERE ServiceId = $service AND GrainId = $grain AND ExpiresAtMs < $created
                """);
            _append = Command(serviceId, """
                INSERT INTO GrainRow (ServiceId, GrainId, Kind, RowKey, Payload, CreatedAtMs, ExpiresAtMs)
                VALUES ($service, $grain, $kind, $key, $payload, $created, $expires)
                ON CONFLICT DO UPDATE SET Payload = excluded.Payload, CreatedAtMs = excluded.CreatedAtMs, ExpiresAtMs = excluded.ExpiresAtMs
                """);
        }

        public long?[] Write(IReadOnlyList<StateWrite> writes)
        {
            using var transaction = _connection.BeginTransaction(deferred: false);
            _insert.Transaction = transaction;
            _update.Transaction = transaction;
            _purge.Transaction = transaction;
            _append.Transaction = transaction;
            var versions = new long?[writes.Count];
            for (var i = 0; i < writes.Count; i++)
            {
                var write = writes[i];
                var command = write.ExpectedVersion is null ? _insert : _update;
                command.Parameters["$state"].Value = write.StateName;
                command.Parameters["$grain"].Value = write.GrainId;
                command.Parameters["$payload"].Value = (object?)write.Payload ?? DBNull.Value;
                command.Parameters["$version"].Value = (object?)write.ExpectedVersion ?? DBNull.Value;
                versions[i] = command.ExecuteScalar() is long version ? version : null;
                if (versions[i] is not null) Append(write);
            }
            transaction.Commit();
            return versions;
        }

        /// <summary>The rows of a state just written, in its transaction, after the purge it asks for.</summary>
        private void Append(StateWrite write)
        {
            if (write.PurgeBeforeMs is { } before)
            {
                _purge.Parameters["$grain"].Value = write.GrainId;
                _purge.Parameters["$created"].Value = before;
                _purge.ExecuteNonQuery();
            }
            foreach (var row in write.Rows)
            {
                _append.Parameters["$grain"].Value = write.GrainId;
                _append.Parameters["$kind"].Value = row.Kind;
                _append.Parameters["$key"].Value = row.Key;
                _append.Parameters["$payload"].Value = row.Payload;
                _append.Parameters["$created"].Value = row.CreatedAtMs;
                _append.Parameters["$expires"].Value = (object?)row.ExpiresAtMs ?? DBNull.Value;
                _append.ExecuteNonQuery();
            }
        }

        private SqliteCommand Command(string serviceId, string text)
        {
            var command = _connection.CreateCommand();
            command.CommandText = text;
            command.Parameters.Add("$service", SqliteType.Text).Value = serviceId;
            command.Parameters.Add("$state", SqliteType.Text);
            command.Parameters.Add("$grain", SqliteType.Text);
            command.Parameters.Add("$payload", SqliteType.Blob);
            command.Parameters.Add("$version", SqliteType.Integer);
            command.Parameters.Add("$kind", SqliteType.Text);
            command.Parameters.Add("$key", SqliteType.Text);
            command.Parameters.Add("$created", SqliteType.Integer);
            command.Parameters.Add("$expires", SqliteType.Integer);
            command.Prepare();
            return command;
        }

        public void Dispose()
        {
            _insert.Dispose();
            _update.Dispose();
            _purge.Dispose();
            _append.Dispose();
            _connection.Dispose();
        }
    }
}
