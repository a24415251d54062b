using Npgsql;
using NpgsqlTypes;

namespace Orleans.Tokens.Hosting.Storage;

/// <summary>
/// Grain state in PostgreSQL: a batch is one round trip of at most two statements over arrays (updates of stored
/// states, inserts of new ones), executed as one implicit transaction.
/// </summary>
public sealed class PostgresStateDatabase(NpgsqlDataSource dataSource, string serviceId) : IStateDatabase
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
        await using var batch = dataSource.CreateBatch();
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
