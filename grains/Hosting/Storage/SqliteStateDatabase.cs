using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Orleans.Tokens.Hosting.Storage;

/// <summary>
/// Grain state in the embedded default's SQLite file: one immediate transaction per batch, on one connection
/// whose prepared statements serve every batch (<see cref="BatchingGrainStorage"/> writes one batch at a time);
/// point reads of rows on a read connection of their own, prepared once (<see cref="SqliteRowReader"/>).
/// With synchronous FULL (the default) each commit is on disk before any debit in it is acknowledged; NORMAL
/// survives a crash of the process but not of the machine, and spares the fsync per commit. Not an
/// <see cref="IFencingStateDatabase"/>: a failed write here was rolled back in-process before it was reported.
/// <para>
/// A grain's rows that never expire (journal entries), or live longer than <see cref="LoggedLife"/> (redemption
/// records, used and revoked tokens), are kept in grain order (table <c>GrainRow</c>), the latter purged by the
/// grain's own writes; rows that expire within it (idempotency records, one per keyed mint) are appended to
/// <c>GrainLog</c> in the order written, each
/// linked to the one its state row wrote before it, the state row to the last (<c>GrainState.LogHead</c>). A
/// batch's appended rows then share a page or two of the log, where rows kept in grain order cost a page each
/// (measured with bench/run.sh, keyed mints spread over 1,000 customers: 20 KB written to disk per mint with the
/// rows in grain order, 3 KB with the log, 1.4 KB for unkeyed mints). A grain's logged rows are read along its
/// chain, newest first; the log is purged from its oldest end only, so a chain ends at the first row that is gone,
/// and a row that lived longer than the rest would hold back the purge of every row after it: hence the bound.
/// Reads take the newest row of a kind and key from both.
/// </para>
/// </summary>
public sealed class SqliteStateDatabase(string connectionString, string serviceId, bool fullSync) : IStateDatabase, IDisposable
{
    /// <summary>The most log rows one write deletes, so that a backlog of expired rows cannot stall one batch long.</summary>
    public const int PurgeAtMost = 50_000;

    /// <summary>
    /// The longest a row may live to go in the log (creation to expiry): a day, the idempotency window, and an hour
    /// of clock skew between gateways and silos.
    /// </summary>
    public static readonly TimeSpan LoggedLife = IdempotencyRecord.Window + TimeSpan.FromHours(1);

    /// <summary>Whether <paramref name="row"/> goes in the log rather than the table.</summary>
    private static bool Logged(RowWrite row) =>
        row.ExpiresAtMs is { } expires && expires - row.CreatedAtMs <= (long)LoggedLife.TotalMilliseconds;

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

    private sealed class Writer : IDisposable
    {
        private readonly SqliteConnection _connection;
        private readonly SqliteCommand _insert;
        private readonly SqliteCommand _update;
        private readonly SqliteCommand _purge;
        private readonly SqliteCommand _purgeLog;
        private readonly SqliteCommand _append;
        private readonly SqliteCommand _remove;
        private readonly SqliteCommand _log;
        private readonly SqliteCommand _unlog;
        private readonly SqliteCommand[] _commands;

        /// <summary>
        /// Each state row's LogHead as this writer last committed it (it is the file's only writer), so that a write's
        /// first logged row links to it without reading the state row; a state not here is read. At most
        /// <see cref="HeadsKept"/>; dropped with the writer when a transaction fails.
        /// </summary>
        private readonly Dictionary<(string State, string Grain), long> _heads = [];
        private const int HeadsKept = 100_000;

        public Writer(string connectionString, string serviceId, bool fullSync)
        {
            _connection = new SqliteConnection(connectionString);
            _connection.Open();
            using (var durable = _connection.CreateCommand())
            {
                durable.CommandText = fullSync ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL";
                durable.ExecuteNonQuery();
                // Content that a write replaces or deletes is zeroed in the pages it rewrites anyway, so that what an
                // earlier version kept in clear (content keys in the account state) does not linger in free space.
                durable.CommandText = "PRAGMA secure_delete = FAST";
                durable.ExecuteNonQuery();
            }
            // A write's logged rows go first (see Log); $logged says whether the state row's LogHead becomes the last.
            _insert = Command(serviceId, """
                INSERT INTO GrainState (ServiceId, StateName, GrainId, Version, Payload, ModifiedOn, LogHead)
                VALUES ($service, $state, $grain, 1, $payload, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'),
                        CASE WHEN $logged THEN last_insert_rowid() END)
                ON CONFLICT DO NOTHING
                RETURNING Version
                """, "$state", "$grain", "$payload", "$logged");
            _update = Command(serviceId, $"""
                UPDATE GrainState
                SET Payload = $payload, Version = Version + 1, ModifiedOn = strftime('%Y-%m-%dT%H:%M:%fZ', 'now'),
                    LogHead = CASE WHEN $logged THEN last_insert_rowid() ELSE LogHead END
                WHERE {StateKey} AND Version = $version
                RETURNING Version
                """, "$state", "$grain", "$payload", "$version", "$logged");
            // The grain's rows in the table that live longer than the log's, and those an earlier schema kept there.
            _purge = Command(serviceId, """
                DELETE FROM GrainRow WHERE ServiceId = $service AND GrainId = $grain AND ExpiresAtMs < $before
                """, "$grain", "$before");
            // The log's oldest rows up to the first that is still live: always a prefix, so no chain has a gap.
            _purgeLog = Command(null, $"""
                DELETE FROM GrainLog WHERE Id IN (
                    SELECT Id FROM GrainLog
                    WHERE Id < coalesce((SELECT Id FROM GrainLog WHERE ExpiresAtMs >= $before ORDER BY Id LIMIT 1), 9223372036854775807)
                    ORDER BY Id LIMIT {PurgeAtMost})
                """, "$before");
            _append = Command(serviceId, """
                INSERT INTO GrainRow (ServiceId, GrainId, Kind, RowKey, Payload, CreatedAtMs, ExpiresAtMs)
                VALUES ($service, $grain, $kind, $key, $payload, $created, $expires)
                ON CONFLICT DO UPDATE SET Payload = excluded.Payload, CreatedAtMs = excluded.CreatedAtMs, ExpiresAtMs = excluded.ExpiresAtMs
                """, "$grain", "$kind", "$key", "$payload", "$created", "$expires");
            _remove = Command(serviceId, """
                DELETE FROM GrainRow WHERE ServiceId = $service AND GrainId = $grain AND Kind = $kind AND RowKey = $key
                """, "$grain", "$kind", "$key");
            // A write's first logged row links to its state row's last ($previous when known, else read: coalesce
            // evaluates its arguments in order and stops at the first that is not null); each further one to the
            // row before it.
            _log = Command(serviceId, $"""
                INSERT INTO GrainLog (PreviousId, Kind, RowKey, Payload, CreatedAtMs, ExpiresAtMs)
                VALUES (CASE WHEN $first THEN coalesce($previous, (SELECT LogHead FROM GrainState WHERE {StateKey})) ELSE last_insert_rowid() END,
                        $kind, $key, $payload, $created, $expires)
                """, "$first", "$previous", "$state", "$grain", "$kind", "$key", "$payload", "$created", "$expires");
            _unlog = Command(null, "DELETE FROM GrainLog WHERE Id >= $from", "$from");
            _commands = [_insert, _update, _purge, _purgeLog, _append, _remove, _log, _unlog];
        }

        public long?[] Write(IReadOnlyList<StateWrite> writes)
        {
            using var transaction = _connection.BeginTransaction(deferred: false);
            foreach (var command in _commands) command.Transaction = transaction;
            var versions = new long?[writes.Count];
            var heads = new List<((string, string) State, long Head)>();
            long? purgeLogBefore = null;
            for (var i = 0; i < writes.Count; i++)
            {
                var write = writes[i];
                var logged = Log(write);
                var head = logged is null ? 0 : raw.sqlite3_last_insert_rowid(_connection.Handle);
                var command = write.ExpectedVersion is null ? _insert : _update;
                Set(command, "$state", write.StateName);
                Set(command, "$grain", write.GrainId);
                Set(command, "$payload", write.Payload);
                Set(command, "$logged", logged is not null);
                if (write.ExpectedVersion is { } expected) Set(command, "$version", expected);
                versions[i] = command.ExecuteScalar() is long version ? version : null;
                if (versions[i] is null)
                {
                    if (logged is { } from) Unlog(from);
                    continue;
                }
                if (logged is not null) heads.Add(((write.StateName, write.GrainId), head));
                Append(write);
                if (write.PurgeBeforeMs is { } before) purgeLogBefore = Math.Max(before, purgeLogBefore ?? before);
            }
            if (purgeLogBefore is { } oldest)
            {
                Set(_purgeLog, "$before", oldest);
                _purgeLog.ExecuteNonQuery();
            }
            transaction.Commit();
            if (_heads.Count + heads.Count > HeadsKept) _heads.Clear();
            foreach (var (state, head) in heads) _heads[state] = head;
            return versions;
        }

        /// <summary>
        /// Appends a write's expiring rows to the log, before its state row is written so that the state statement
        /// itself can point the row's LogHead at the last (one statement per row, none more); returns the first
        /// row's id, or null when it has none.
        /// </summary>
        private long? Log(StateWrite write)
        {
            long? first = null;
            foreach (var row in write.Rows)
            {
                if (!Logged(row)) continue;
                Set(_log, "$first", first is null);
                Set(_log, "$previous", first is null && _heads.TryGetValue((write.StateName, write.GrainId), out var previous) ? previous : null);
                Set(_log, "$state", write.StateName);
                Set(_log, "$grain", write.GrainId);
                Set(_log, "$kind", row.Kind);
                Set(_log, "$key", row.Key);
                Set(_log, "$payload", row.Payload);
                Set(_log, "$created", row.CreatedAtMs);
                Set(_log, "$expires", row.ExpiresAtMs);
                _log.ExecuteNonQuery();
                first ??= raw.sqlite3_last_insert_rowid(_connection.Handle);
            }
            return first;
        }

        /// <summary>Takes back the rows <see cref="Log"/> appended for a state whose version check then failed.</summary>
        private void Unlog(long from)
        {
            Set(_unlog, "$from", from);
            _unlog.ExecuteNonQuery();
        }

        /// <summary>The table rows of a state just written (or deleted), in its transaction, after the purge it asks for.</summary>
        private void Append(StateWrite write)
        {
            if (write.PurgeBeforeMs is { } before)
            {
                Set(_purge, "$grain", write.GrainId);
                Set(_purge, "$before", before);
                _purge.ExecuteNonQuery();
            }
            foreach (var row in write.Rows)
            {
                if (Logged(row)) continue;
                if (row.Payload is null)
                {
                    Set(_remove, "$grain", write.GrainId);
                    Set(_remove, "$kind", row.Kind);
                    Set(_remove, "$key", row.Key);
                    _remove.ExecuteNonQuery();
                    continue;
                }
                Set(_append, "$grain", write.GrainId);
                Set(_append, "$kind", row.Kind);
                Set(_append, "$key", row.Key);
                Set(_append, "$payload", row.Payload);
                Set(_append, "$created", row.CreatedAtMs);
                Set(_append, "$expires", row.ExpiresAtMs);
                _append.ExecuteNonQuery();
            }
        }

        private static void Set(SqliteCommand command, string name, object? value) =>
            command.Parameters[name].Value = value ?? DBNull.Value;

        /// <summary>A prepared statement with <c>$service</c> bound (unless null) and the other parameters it names.</summary>
        private SqliteCommand Command(string? serviceId, string text, params string[] parameters)
        {
            var command = _connection.CreateCommand();
            command.CommandText = text;
            if (serviceId is not null) command.Parameters.AddWithValue("$service", serviceId);
            foreach (var name in parameters) command.Parameters.Add(new SqliteParameter { ParameterName = name });
            command.Prepare();
            return command;
        }

        public void Dispose()
        {
            foreach (var command in _commands) command.Dispose();
            _connection.Dispose();
        }
    }
}
