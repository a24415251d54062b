using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Orleans.Tokens.Hosting.Storage;

public sealed partial class SqliteStateDatabase
{
    /// <summary>
    /// The one connection that writes, with its prepared statements: a batch of state writes in one immediate
    /// transaction, each state row's version checked, its logged rows appended first and its table rows after.
    /// </summary>
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
                    ORDER BY Id LIMIT {GrainLog.PurgeAtMost})
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
                if (!GrainLog.Holds(row)) continue;
                Set(_log, "$first", first is null);
                Set(_log, "$previous", first is null && _heads.TryGetValue((write.StateName, write.GrainId), out var previous) ? previous : null);
                Set(_log, "$state", write.StateName);
                SetRow(_log, write, row);
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
                if (GrainLog.Holds(row)) continue;
                if (row.Payload is null)
                {
                    Set(_remove, "$grain", write.GrainId);
                    Set(_remove, "$kind", row.Kind);
                    Set(_remove, "$key", row.Key);
                    _remove.ExecuteNonQuery();
                    continue;
                }
                SetRow(_append, write, row);
                _append.ExecuteNonQuery();
            }
        }

        /// <summary>Binds a row, with its grain, to a statement that writes one (<c>$grain</c>, <c>$kind</c>, <c>$key</c>, <c>$payload</c>, <c>$created</c>, <c>$expires</c>).</summary>
        private static void SetRow(SqliteCommand command, StateWrite write, RowWrite row)
        {
            Set(command, "$grain", write.GrainId);
            Set(command, "$kind", row.Kind);
            Set(command, "$key", row.Key);
            Set(command, "$payload", row.Payload);
            Set(command, "$created", row.CreatedAtMs);
            Set(command, "$expires", row.ExpiresAtMs);
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
