using Npgsql;
using NpgsqlTypes;

namespace Orleans.Tokens.Hosting.Storage;

/// <summary>
/// Grain state in PostgreSQL: a batch is one round trip of at most two statements over arrays (updates of stored
/// states, inserts of new ones), executed as one implicit transaction.
/// </summary>
public sealed class PostgresStateDatabase(NpgsqlDataSource dataSource, string serviceId) : IFencingStateDatabase
{
    private const string Update = """
        UPDATE GrainState AS g
        SET Payload = w.Payload, Version = g.Version + 1, ModifiedOn = now()
        FROM unnest($2::text[], $3::text[], $4::bigint[], $5::bytea[]) AS w(StateName, GrainId, Version, Payload)
        WHERE g.ServiceId = $1 AND g.StateName = w.StateName AND g.GrainId = w.GrainId AND g.Version = w.Version
        RETURNING g.StateName, g.GrainId, g.Version
        """;

    private const string Insert = """
        INSERT INTO GrainState (ServiceId, StateName, GrainId, Version, Payload, ModifiedOn)
        SELECT $1, w.StateName, w.GrainId, 1, w.Payload, now()
        FROM unnest($2::text[], $3::text[], $4::bytea[]) AS w(StateName, GrainId, Payload)
        ON CONFLICT DO NOTHING
        RETURNING StateName, GrainId, Version
        """;

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
        var updates = writes.Where(w => w.ExpectedVersion is not null).ToList();
        var inserts = writes.Where(w => w.ExpectedVersion is null).ToList();
        await using var connection = await Open(cancellation);
        await using var batch = new NpgsqlBatch(connection);
        if (updates.Count > 0)
        {
            batch.BatchCommands.Add(Command(Update,
                Array(updates, w => w.StateName, NpgsqlDbType.Text),
                Array(updates, w => w.GrainId, NpgsqlDbType.Text),
                Array(updates, w => w.ExpectedVersion!.Value, NpgsqlDbType.Bigint),
                Array(updates, w => w.Payload, NpgsqlDbType.Bytea)));
        }
        if (inserts.Count > 0)
        {
            batch.BatchCommands.Add(Command(Insert,
                Array(inserts, w => w.StateName, NpgsqlDbType.Text),
                Array(inserts, w => w.GrainId, NpgsqlDbType.Text),
                Array(inserts, w => w.Payload, NpgsqlDbType.Bytea)));
        }

        var written = new Dictionary<(string, string), long>(writes.Count);
        await using (var reader = await batch.ExecuteReaderAsync(cancellation))
        {
            do
            {
                while (await reader.ReadAsync(cancellation))
                    written[(reader.GetString(0), reader.GetString(1))] = reader.GetInt64(2);
            }
            while (await reader.NextResultAsync(cancellation));
        }
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

        var stored = new Dictionary<(string, string), StoredState>(writes.Count);
        await using (var reader = await batch.ExecuteReaderAsync(cancellation))
        {
            do
            {
                while (await reader.ReadAsync(cancellation))
                {
                    stored[(reader.GetString(0), reader.GetString(1))] =
                        new StoredState(reader.IsDBNull(2) ? null : (byte[])reader[2], reader.GetInt64(3));
                }
            }
            while (await reader.NextResultAsync(cancellation));
        }
        await transaction.CommitAsync(cancellation);
        return [.. writes.Select(w => stored.GetValueOrDefault((w.StateName, w.GrainId)))];
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
