using Microsoft.Data.Sqlite;

namespace Orleans.Tokens.Hosting.Storage;

/// <summary>
/// Grain state in the embedded default's SQLite file: one immediate transaction per batch. With synchronous FULL
/// (the default) each commit is on disk before any debit in it is acknowledged; NORMAL survives a crash of the
/// process but not of the machine, and spares the fsync per commit.
/// </summary>
public sealed class SqliteStateDatabase(string connectionString, string serviceId, bool fullSync) : IStateDatabase
{
    private const string Key = "ServiceId = $service AND StateName = $state AND GrainId = $grain";

    public async Task<StoredState?> Read(string stateName, string grainId, CancellationToken cancellation)
    {
        await using var connection = await Open(cancellation);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT Payload, Version FROM GrainState WHERE {Key}";
        AddKey(command, stateName, grainId);
        await using var reader = await command.ExecuteReaderAsync(cancellation);
        if (!await reader.ReadAsync(cancellation)) return null;
        return new StoredState(reader.IsDBNull(0) ? null : (byte[])reader[0], reader.GetInt64(1));
    }

    public async Task<long?[]> Write(IReadOnlyList<StateWrite> writes, CancellationToken cancellation)
    {
        await using var connection = await Open(cancellation);
        await using var transaction = connection.BeginTransaction(deferred: false);
        await using var insert = Command(connection, transaction, """
            INSERT INTO GrainState (ServiceId, StateName, GrainId, Version, Payload, ModifiedOn)
            VALUES ($service, $state, $grain, 1, $payload, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
            ON CONFLICT DO NOTHING
            RETURNING Version
            """);
        await using var update = Command(connection, transaction, $"""
            UPDATE GrainState
            SET Payload = $payload, Version = Version + 1, ModifiedOn = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
            WHERE {Key} AND Version = $version
            RETURNING Version
            """);
        var versions = new long?[writes.Count];
        for (var i = 0; i < writes.Count; i++)
        {
            var write = writes[i];
            var command = write.ExpectedVersion is null ? insert : update;
            command.Parameters["$state"].Value = write.StateName;
            command.Parameters["$grain"].Value = write.GrainId;
            command.Parameters["$payload"].Value = (object?)write.Payload ?? DBNull.Value;
            command.Parameters["$version"].Value = (object?)write.ExpectedVersion ?? DBNull.Value;
            versions[i] = await command.ExecuteScalarAsync(cancellation) is long version ? version : null;
        }
        await transaction.CommitAsync(cancellation);
        return versions;
    }

    private async Task<SqliteConnection> Open(CancellationToken cancellation)
    {
        var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(cancellation);
        await using var durable = connection.CreateCommand();
        durable.CommandText = fullSync ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL";
        await durable.ExecuteNonQueryAsync(cancellation);
        return connection;
    }

    private SqliteCommand Command(SqliteConnection connection, SqliteTransaction transaction, string text)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = text;
        command.Parameters.Add("$service", SqliteType.Text).Value = serviceId;
        command.Parameters.Add("$state", SqliteType.Text);
        command.Parameters.Add("$grain", SqliteType.Text);
        command.Parameters.Add("$payload", SqliteType.Blob);
        command.Parameters.Add("$version", SqliteType.Integer);
        return command;
    }

    private void AddKey(SqliteCommand command, string stateName, string grainId)
    {
        command.Parameters.AddWithValue("$service", serviceId);
        command.Parameters.AddWithValue("$state", stateName);
        command.Parameters.AddWithValue("$grain", grainId);
    }
}
