using Npgsql;
using NpgsqlTypes;

namespace Orleans.Tokens.Hosting.Storage;

/// <summary>
/// Grain state in PostgreSQL: a batch is one round trip of at most four statements over arrays (a purge of expired
/// table rows and one of the log's oldest, updates of stored states, inserts of new ones), executed as one implicit
/// transaction; the statements are <see cref="PostgresStatements"/>. Rows that expire within a day go to the log
/// (<see cref="GrainLog"/>), the rest to <c>GrainRow</c> in grain order; reads take the newest row of a kind and key
/// from both.
/// <para>
/// A grain's table rows are appended by plain inserts: a row that replaces one still stored is rare, and
/// <c>ON CONFLICT</c> would probe the key's index for every row. Such a batch fails whole on the unique key (23505,
/// nothing written) and is sent again once with every row an upsert.
/// </para>
/// </summary>
public sealed class PostgresStateDatabase(NpgsqlDataSource dataSource, string serviceId) : IFencingStateDatabase
{
    private const string UniqueViolation = "23505";

    // A fence bumps a row still at the version a failed write expected, or puts an empty row where none was.
    private const string FenceUpdate = """
        UPDATE GrainState AS g
        SET Version = g.Version + 1, ModifiedOn = now()
        FROM unnest($2::text[], $3::text[], $4::bigint[]) AS w(StateName, GrainId, Version)
        WHERE g.ServiceId = $1 AND g.StateName = w.StateName AND g.GrainId = w.GrainId AND g.Version = w.Version
        """;

    private const string FenceInsert = """
        INSERT INTO GrainState (ServiceId, StateName, GrainId, Version, Payload, ModifiedOn)
        SELECT $1, w.StateName, w.GrainId, 1, NULL, now()
        FROM unnest($2::text[], $3::text[]) AS w(StateName, GrainId)
        ON CONFLICT DO NOTHING
        """;

    private const string FenceRead = """
        SELECT g.StateName, g.GrainId, g.Payload, g.Version
        FROM GrainState AS g
        JOIN unnest($2::text[], $3::text[]) AS w(StateName, GrainId) ON g.StateName = w.StateName AND g.GrainId = w.GrainId
        WHERE g.ServiceId = $1
        """;

    public async Task<StoredState?> Read(string stateName, string grainId, CancellationToken cancellation)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT Payload, Version FROM GrainState WHERE ServiceId = $1 AND StateName = $2 AND GrainId = $3");
        command.Parameters.Add(new() { Value = serviceId });
        command.Parameters.Add(new() { Value = stateName });
        command.Parameters.Add(new() { Value = grainId });
        await using var reader = await command.ExecuteReaderAsync(cancellation);
        if (!await reader.ReadAsync(cancellation)) return null;
        return new StoredState(reader.IsDBNull(0) ? null : (byte[])reader[0], reader.GetInt64(1));
    }

    public async Task<long?[]> Write(IReadOnlyList<StateWrite> writes, CancellationToken cancellation)
    {
        try
        {
            return await Write(writes, upserting: false, cancellation);
        }
        catch (PostgresException failure) when (failure.SqlState == UniqueViolation)
        {
            return await Write(writes, upserting: true, cancellation);
        }
    }

    private async Task<long?[]> Write(IReadOnlyList<StateWrite> writes, bool upserting, CancellationToken cancellation)
    {
        var updates = writes.Where(w => w.ExpectedVersion is not null).ToList();
        var inserts = writes.Where(w => w.ExpectedVersion is null).ToList();
        await using var connection = await Open(cancellation);
        await using var batch = new NpgsqlBatch(connection);
        var purging = writes.Where(w => w.PurgeBeforeMs is not null).ToList();
        if (purging.Count > 0)
        {
            batch.BatchCommands.Add(Command(PostgresStatements.Purge,
                Array(purging, w => w.GrainId, NpgsqlDbType.Text),
                Array(purging, w => w.PurgeBeforeMs!.Value, NpgsqlDbType.Bigint)));
            var before = purging.Max(w => w.PurgeBeforeMs!.Value);
            foreach (var text in (string[])[PostgresStatements.PurgeLog, PostgresStatements.PurgeLogBatches])
            {
                var purgeLog = new NpgsqlBatchCommand(text);
                purgeLog.Parameters.Add(new NpgsqlParameter { Value = before, NpgsqlDbType = NpgsqlDbType.Bigint });
                batch.BatchCommands.Add(purgeLog);
            }
        }
        if (updates.Count > 0)
        {
            batch.BatchCommands.Add(StatesCommand(updates, update: true, upserting, [
                Array(updates, w => w.StateName, NpgsqlDbType.Text),
                Array(updates, w => w.GrainId, NpgsqlDbType.Text),
                Array(updates, w => w.ExpectedVersion!.Value, NpgsqlDbType.Bigint),
                Array(updates, w => w.Payload, NpgsqlDbType.Bytea)]));
        }
        if (inserts.Count > 0)
        {
            batch.BatchCommands.Add(StatesCommand(inserts, update: false, upserting, [
                Array(inserts, w => w.StateName, NpgsqlDbType.Text),
                Array(inserts, w => w.GrainId, NpgsqlDbType.Text),
                Array(inserts, w => w.Payload, NpgsqlDbType.Bytea)]));
        }

        var written = await ReadByRow(batch, reader => reader.GetInt64(2), cancellation);
        return [.. writes.Select(w => written.TryGetValue((w.StateName, w.GrainId), out var version) ? version : (long?)null)];
    }

    /// <summary>
    /// The statement that writes <paramref name="writes"/> (the states' arrays are <paramref name="states"/>) with their
    /// rows: seven arrays of the table's rows, four of those deleted, and, when there are any, six of the log's (the
    /// position of each one's state first), per state whether it has any, and their latest expiry
    /// (<see cref="PostgresStatements"/>).
    /// </summary>
    private NpgsqlBatchCommand StatesCommand(List<StateWrite> writes, bool update, bool upserting, NpgsqlParameter[] states)
    {
        var all = writes.SelectMany((w, state) => w.Rows.Select(r => new StateRow(w, state, r, GrainLog.Holds(r)))).ToList();
        var logged = all.FindAll(r => r.Logged);
        var table = all.FindAll(r => r.Row.Payload is not null && !r.Logged);
        var removed = all.FindAll(r => r.Row.Payload is null);
        NpgsqlParameter[] arrays = [.. states, .. RowArrays(table), .. KeyArrays(removed)];
        var text = PostgresStatements.Write(update, logged.Count > 0, upserting);
        if (logged.Count == 0) return Command(text, arrays);
        var hasLog = new bool[writes.Count];
        foreach (var row in logged) hasLog[row.State] = true;
        return Command(text, [.. arrays,
            Of(logged, r => r.State + 1, NpgsqlDbType.Integer),
            Of(logged, r => r.Row.Kind, NpgsqlDbType.Text),
            Of(logged, r => r.Row.Key, NpgsqlDbType.Text),
            .. PayloadArrays(logged),
            new NpgsqlParameter { Value = hasLog, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Boolean },
            new NpgsqlParameter { Value = logged.Max(r => r.Row.ExpiresAtMs!.Value), NpgsqlDbType = NpgsqlDbType.Bigint }]);
    }

    /// <summary>One row of a write: its state (and the state's index in the statement), and whether it goes in the log.</summary>
    private readonly record struct StateRow(StateWrite Write, int State, RowWrite Row, bool Logged);

    public async Task<StoredState?[]> Fence(IReadOnlyList<StateWrite> writes, CancellationToken cancellation)
    {
        var updates = writes.Where(w => w.ExpectedVersion is not null).ToList();
        var inserts = writes.Where(w => w.ExpectedVersion is null).ToList();
        var all = writes.ToList();
        await using var connection = await dataSource.OpenConnectionAsync(cancellation);
        await using var transaction = await connection.BeginTransactionAsync(cancellation);
        await using var batch = new NpgsqlBatch(connection, transaction);
        if (updates.Count > 0)
        {
            batch.BatchCommands.Add(Command(FenceUpdate,
                Array(updates, w => w.StateName, NpgsqlDbType.Text),
                Array(updates, w => w.GrainId, NpgsqlDbType.Text),
                Array(updates, w => w.ExpectedVersion!.Value, NpgsqlDbType.Bigint)));
        }
        if (inserts.Count > 0)
        {
            batch.BatchCommands.Add(Command(FenceInsert,
                Array(inserts, w => w.StateName, NpgsqlDbType.Text),
                Array(inserts, w => w.GrainId, NpgsqlDbType.Text)));
        }
        batch.BatchCommands.Add(Command(FenceRead,
            Array(all, w => w.StateName, NpgsqlDbType.Text),
            Array(all, w => w.GrainId, NpgsqlDbType.Text)));

        var stored = await ReadByRow(batch,
            reader => new StoredState(reader.IsDBNull(2) ? null : (byte[])reader[2], reader.GetInt64(3)), cancellation);
        await transaction.CommitAsync(cancellation);
        return [.. writes.Select(w => stored.GetValueOrDefault((w.StateName, w.GrainId)))];
    }

    /// <summary>
    /// Runs <paramref name="batch"/> and reads every row of every result, each led by its state name and grain id,
    /// into what <paramref name="read"/> makes of the rest, by (state name, grain id).
    /// </summary>
    private static async Task<Dictionary<(string, string), T>> ReadByRow<T>(
        NpgsqlBatch batch, Func<NpgsqlDataReader, T> read, CancellationToken cancellation)
    {
        var rows = new Dictionary<(string, string), T>();
        await using var reader = await batch.ExecuteReaderAsync(cancellation);
        do
        {
            while (await reader.ReadAsync(cancellation)) rows[(reader.GetString(0), reader.GetString(1))] = read(reader);
        }
        while (await reader.NextResultAsync(cancellation));
        return rows;
    }

    public async Task<byte[]?> ReadRow(string grainId, string kind, string key, CancellationToken cancellation)
    {
        await using var command = RowsCommand(PostgresStatements.Row, grainId, kind);
        command.Parameters.Add(new() { Value = key });
        return await command.ExecuteScalarAsync(cancellation) as byte[];
    }

    public Task<IReadOnlyList<byte[]>> ReadRows(string grainId, string kind, CancellationToken cancellation) =>
        ReadAll(PostgresStatements.Rows, grainId, kind, reader => (byte[])reader[0], cancellation);

    public Task<IReadOnlyList<(string Key, long? ExpiresAtMs)>> ReadKeys(string grainId, string kind, CancellationToken cancellation) =>
        ReadAll(PostgresStatements.Keys, grainId, kind,
            reader => (reader.GetString(0), reader.IsDBNull(1) ? (long?)null : reader.GetInt64(1)), cancellation);

    /// <summary>A grain's rows of <paramref name="kind"/> as <paramref name="text"/> selects them, each as <paramref name="read"/> makes it.</summary>
    private async Task<IReadOnlyList<T>> ReadAll<T>(
        string text, string grainId, string kind, Func<NpgsqlDataReader, T> read, CancellationToken cancellation)
    {
        await using var command = RowsCommand(text, grainId, kind);
        await using var reader = await command.ExecuteReaderAsync(cancellation);
        var rows = new List<T>();
        while (await reader.ReadAsync(cancellation)) rows.Add(read(reader));
        return rows;
    }

    /// <summary>A read of a grain's rows: <paramref name="text"/> with the service, grain and kind as $1, $2, $3.</summary>
    private NpgsqlCommand RowsCommand(string text, string grainId, string kind)
    {
        var command = dataSource.CreateCommand(text);
        command.Parameters.Add(new() { Value = serviceId });
        command.Parameters.Add(new() { Value = grainId });
        command.Parameters.Add(new() { Value = kind });
        return command;
    }

    /// <summary>Rows with their states, as seven arrays: state name, grain id, kind, key, payload, creation, expiry.</summary>
    private static NpgsqlParameter[] RowArrays(List<StateRow> rows) => [.. KeyArrays(rows), .. PayloadArrays(rows)];

    /// <summary>Rows as three arrays: payload, creation, expiry.</summary>
    private static NpgsqlParameter[] PayloadArrays(List<StateRow> rows) =>
    [
        Of(rows, r => r.Row.Payload, NpgsqlDbType.Bytea),
        Of(rows, r => r.Row.CreatedAtMs, NpgsqlDbType.Bigint),
        Of(rows, r => r.Row.ExpiresAtMs, NpgsqlDbType.Bigint),
    ];

    /// <summary>Rows with their states, as four arrays: state name, grain id, kind, key.</summary>
    private static NpgsqlParameter[] KeyArrays(List<StateRow> rows) =>
    [
        Of(rows, r => r.Write.StateName, NpgsqlDbType.Text),
        Of(rows, r => r.Write.GrainId, NpgsqlDbType.Text),
        Of(rows, r => r.Row.Kind, NpgsqlDbType.Text),
        Of(rows, r => r.Row.Key, NpgsqlDbType.Text),
    ];

    private static NpgsqlParameter Of<T>(List<StateRow> rows, Func<StateRow, T> value, NpgsqlDbType type) =>
        new() { Value = rows.ConvertAll(r => value(r)).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | type };

    /// <summary>A pooled connection; when none can be had, nothing was sent, so the failure is certain.</summary>
    private async Task<NpgsqlConnection> Open(CancellationToken cancellation)
    {
        try
        {
            return await dataSource.OpenConnectionAsync(cancellation);
        }
        catch (Exception failure)
        {
            throw new StorageUnavailableException($"grain storage unavailable: no connection ({failure.GetType().Name})");
        }
    }

    private NpgsqlBatchCommand Command(string text, params NpgsqlParameter[] arrays)
    {
        var command = new NpgsqlBatchCommand(text);
        command.Parameters.Add(new NpgsqlParameter { Value = serviceId, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.AddRange(arrays);
        return command;
    }

    private static NpgsqlParameter Array<T>(List<StateWrite> writes, Func<StateWrite, T> value, NpgsqlDbType type) =>
        new() { Value = writes.ConvertAll(w => value(w)).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | type };
}
