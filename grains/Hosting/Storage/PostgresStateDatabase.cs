using Npgsql;
using NpgsqlTypes;

namespace Orleans.Tokens.Hosting.Storage;

/// <summary>
/// Grain state in PostgreSQL: a batch is one round trip of at most three statements over arrays (a purge of expired
/// rows, updates of stored states, inserts of new ones), executed as one implicit transaction.
/// <para>
/// A grain's rows are appended by plain inserts: a row that replaces one still stored (an idempotency key used again
/// after its record expired, before the purge deleted it) is rare, and <c>ON CONFLICT</c> would probe the key's
/// index for every row. Such a batch fails whole on the unique key (23505, nothing written) and is sent again once
/// with every row an upsert.
/// </para>
/// </summary>
public sealed class PostgresStateDatabase(NpgsqlDataSource dataSource, string serviceId) : IFencingStateDatabase
{
    // Each state statement appends the rows of the states it wrote, and deletes those they delete (a failed version
    // check writes neither), in the same statement: the rows are the arrays from parameter {0} on, the deleted rows'
    // from {8} on. A write holds at most one row of a kind and key, so no row is both inserted and deleted.
    private const string Appended = """
        appended AS (
            INSERT INTO GrainRow (ServiceId, GrainId, Kind, RowKey, Payload, CreatedAtMs, ExpiresAtMs)
            SELECT $1, r.GrainId, r.Kind, r.RowKey, r.Payload, r.CreatedAtMs, r.ExpiresAtMs
            FROM unnest(${0}::text[], ${1}::text[], ${2}::text[], ${3}::text[], ${4}::bytea[], ${5}::bigint[], ${6}::bigint[])
                AS r(StateName, GrainId, Kind, RowKey, Payload, CreatedAtMs, ExpiresAtMs)
            JOIN written ON written.StateName = r.StateName AND written.GrainId = r.GrainId
            {7}),
        removed AS (
            DELETE FROM GrainRow AS g
            USING unnest(${8}::text[], ${9}::text[], ${10}::text[], ${11}::text[]) AS d(StateName, GrainId, Kind, RowKey)
            JOIN written ON written.StateName = d.StateName AND written.GrainId = d.GrainId
            WHERE g.ServiceId = $1 AND g.GrainId = d.GrainId AND g.Kind = d.Kind AND g.RowKey = d.RowKey)
        SELECT StateName, GrainId, Version FROM written
        """;

    private const string Replacing = """
        ON CONFLICT (ServiceId, GrainId, Kind, RowKey) DO UPDATE
            SET Payload = excluded.Payload, CreatedAtMs = excluded.CreatedAtMs, ExpiresAtMs = excluded.ExpiresAtMs
        """;

    private const string UniqueViolation = "23505";

    private static readonly Statements Appending = new(UpdateText + AppendedFrom(6, ""), InsertText + AppendedFrom(5, ""));
    private static readonly Statements Upserting =
        new(UpdateText + AppendedFrom(6, Replacing), InsertText + AppendedFrom(5, Replacing));

    /// <summary>The update and the insert of states, each appending the rows of the states it wrote.</summary>
    private sealed record Statements(string Update, string Insert);

    private const string UpdateText = """
        WITH written AS (
            UPDATE GrainState AS g
            SET Payload = w.Payload, Version = g.Version + 1, ModifiedOn = now()
            FROM unnest($2::text[], $3::text[], $4::bigint[], $5::bytea[]) AS w(StateName, GrainId, Version, Payload)
            WHERE g.ServiceId = $1 AND g.StateName = w.StateName AND g.GrainId = w.GrainId AND g.Version = w.Version
            RETURNING g.StateName, g.GrainId, g.Version),

        """;

    private const string InsertText = """
        WITH written AS (
            INSERT INTO GrainState (ServiceId, StateName, GrainId, Version, Payload, ModifiedOn)
            SELECT $1, w.StateName, w.GrainId, 1, w.Payload, now()
            FROM unnest($2::text[], $3::text[], $4::bytea[]) AS w(StateName, GrainId, Payload)
            ON CONFLICT DO NOTHING
            RETURNING StateName, GrainId, Version),

        """;

    // Runs first in a write's transaction: each grain that asks for it deletes its rows that expired before the
    // time it names (a range read of the grain's rows by the primary key's prefix). Expired rows may go even when
    // the grain's state is not written.
    private const string Purge = """
        DELETE FROM GrainRow AS g
        USING unnest($2::text[], $3::bigint[]) AS p(GrainId, BeforeMs)
        WHERE g.ServiceId = $1 AND g.GrainId = p.GrainId AND g.ExpiresAtMs < p.BeforeMs
        """;

    private static string AppendedFrom(int first, string conflict) =>
        string.Format(System.Globalization.CultureInfo.InvariantCulture, Appended,
            [.. Enumerable.Range(first, 7).Select(n => (object)n), conflict, .. Enumerable.Range(first + 7, 4).Select(n => (object)n)]);

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
            return await Write(writes, Appending, cancellation);
        }
        catch (PostgresException failure) when (failure.SqlState == UniqueViolation)
        {
            return await Write(writes, Upserting, cancellation);
        }
    }

    private async Task<long?[]> Write(IReadOnlyList<StateWrite> writes, Statements statements, CancellationToken cancellation)
    {
        var updates = writes.Where(w => w.ExpectedVersion is not null).ToList();
        var inserts = writes.Where(w => w.ExpectedVersion is null).ToList();
        await using var connection = await Open(cancellation);
        await using var batch = new NpgsqlBatch(connection);
        var purging = writes.Where(w => w.PurgeBeforeMs is not null).ToList();
        if (purging.Count > 0)
        {
            batch.BatchCommands.Add(Command(Purge,
                Array(purging, w => w.GrainId, NpgsqlDbType.Text),
                Array(purging, w => w.PurgeBeforeMs!.Value, NpgsqlDbType.Bigint)));
        }
        if (updates.Count > 0)
        {
            batch.BatchCommands.Add(Command(statements.Update, [
                Array(updates, w => w.StateName, NpgsqlDbType.Text),
                Array(updates, w => w.GrainId, NpgsqlDbType.Text),
                Array(updates, w => w.ExpectedVersion!.Value, NpgsqlDbType.Bigint),
                Array(updates, w => w.Payload, NpgsqlDbType.Bytea),
                .. RowArrays(updates)]));
        }
        if (inserts.Count > 0)
        {
            batch.BatchCommands.Add(Command(statements.Insert, [
                Array(inserts, w => w.StateName, NpgsqlDbType.Text),
                Array(inserts, w => w.GrainId, NpgsqlDbType.Text),
                Array(inserts, w => w.Payload, NpgsqlDbType.Bytea),
                .. RowArrays(inserts)]));
        }

        var written = await ReadByRow(batch, reader => reader.GetInt64(2), cancellation);
        return [.. writes.Select(w => written.TryGetValue((w.StateName, w.GrainId), out var version) ? version : (long?)null)];
    }

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
        await using var command = RowCommand("Payload", "AND RowKey = $4", grainId, kind);
        command.Parameters.Add(new() { Value = key });
        return await command.ExecuteScalarAsync(cancellation) as byte[];
    }

    public Task<IReadOnlyList<byte[]>> ReadRows(string grainId, string kind, CancellationToken cancellation) =>
        ReadAll("Payload", "ORDER BY RowKey COLLATE \"C\"", grainId, kind, reader => (byte[])reader[0], cancellation);

    public Task<IReadOnlyList<(string Key, long? ExpiresAtMs)>> ReadKeys(string grainId, string kind, CancellationToken cancellation) =>
        ReadAll("RowKey, ExpiresAtMs", "", grainId, kind,
            reader => (reader.GetString(0), reader.IsDBNull(1) ? (long?)null : reader.GetInt64(1)), cancellation);

    /// <summary><paramref name="columns"/> of a grain's rows of <paramref name="kind"/>, each as <paramref name="read"/> makes it.</summary>
    private async Task<IReadOnlyList<T>> ReadAll<T>(
        string columns, string rest, string grainId, string kind, Func<NpgsqlDataReader, T> read, CancellationToken cancellation)
    {
        await using var command = RowCommand(columns, rest, grainId, kind);
        await using var reader = await command.ExecuteReaderAsync(cancellation);
        var rows = new List<T>();
        while (await reader.ReadAsync(cancellation)) rows.Add(read(reader));
        return rows;
    }

    private NpgsqlCommand RowCommand(string columns, string rest, string grainId, string kind)
    {
        var command = dataSource.CreateCommand(
            $"SELECT {columns} FROM GrainRow WHERE ServiceId = $1 AND GrainId = $2 AND Kind = $3 {rest}");
        command.Parameters.Add(new() { Value = serviceId });
        command.Parameters.Add(new() { Value = grainId });
        command.Parameters.Add(new() { Value = kind });
        return command;
    }

    /// <summary>
    /// The rows of <paramref name="writes"/> as the arrays of <see cref="Appended"/>: seven of the rows to write, then
    /// four of those to delete.
    /// </summary>
    private static NpgsqlParameter[] RowArrays(List<StateWrite> writes)
    {
        var all = writes.SelectMany(w => w.Rows.Select(r => (Write: w, Row: r))).ToList();
        var rows = all.FindAll(r => r.Row.Payload is not null);
        var removed = all.FindAll(r => r.Row.Payload is null);
        return
        [
            Of(rows, r => r.Write.StateName, NpgsqlDbType.Text),
            Of(rows, r => r.Write.GrainId, NpgsqlDbType.Text),
            Of(rows, r => r.Row.Kind, NpgsqlDbType.Text),
            Of(rows, r => r.Row.Key, NpgsqlDbType.Text),
            Of(rows, r => r.Row.Payload, NpgsqlDbType.Bytea),
            Of(rows, r => r.Row.CreatedAtMs, NpgsqlDbType.Bigint),
            Of(rows, r => r.Row.ExpiresAtMs, NpgsqlDbType.Bigint),
            Of(removed, r => r.Write.StateName, NpgsqlDbType.Text),
            Of(removed, r => r.Write.GrainId, NpgsqlDbType.Text),
            Of(removed, r => r.Row.Kind, NpgsqlDbType.Text),
            Of(removed, r => r.Row.Key, NpgsqlDbType.Text),
        ];

        static NpgsqlParameter Of<T>(List<(StateWrite Write, RowWrite Row)> of, Func<(StateWrite Write, RowWrite Row), T> value, NpgsqlDbType type) =>
            new() { Value = of.ConvertAll(r => value(r)).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | type };
    }

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
