using Microsoft.Data.Sqlite;
using Orleans.Tokens.Hosting.Storage;

namespace Orleans.Tokens.Tests.Faults;

/// <summary>
/// A test double around the gateway's real SQLite state database that behaves, on demand, like a remote database
/// under faults, which a local file cannot do by itself: a write that commits and then reports an error (a lost
/// acknowledgement), a write that stalls past its deadline and commits later if it still can, a write that fails
/// before its commit, and a fence that cannot be done. Its fence is the real conditional version bump, on a
/// connection of its own to the same file.
/// </summary>
internal sealed class FaultyDatabase(IStateDatabase inner, string connectionString) : IFencingStateDatabase
{
    private readonly List<Task> _lateWrites = [];

    // A stalled write commits later on a connection of its own, as a remote server would, beside the next batches.
    private readonly SqliteStateDatabase _late = new(connectionString, FaultFixture.ServiceId, fullSync: false);

    public WriteFault Fault { get; set; }

    public bool FenceFails { get; set; }

    /// <summary>Completes when every stalled write has finished, landed or not.</summary>
    public Task LateWritesDone()
    {
        lock (_lateWrites) return Task.WhenAll(_lateWrites);
    }

    public Task<StoredState?> Read(string stateName, string grainId, CancellationToken cancellation) =>
        inner.Read(stateName, grainId, cancellation);

    public Task<byte[]?> ReadRow(string grainId, string kind, string key, CancellationToken cancellation) =>
        inner.ReadRow(grainId, kind, key, cancellation);

    public Task<IReadOnlyList<byte[]>> ReadRows(string grainId, string kind, CancellationToken cancellation) =>
        inner.ReadRows(grainId, kind, cancellation);

    public Task<IReadOnlyList<(string Key, long? ExpiresAtMs)>> ReadKeys(string grainId, string kind, CancellationToken cancellation) =>
        inner.ReadKeys(grainId, kind, cancellation);

    async Task<long?[]> IStateDatabase.Write(IReadOnlyList<StateWrite> writes, CancellationToken cancellation)
    {
        // Only the customer accounts' rows get faults; the usage history and readiness rows go through.
        if (!writes.Any(w => w.StateName == "customer")) return await inner.Write(writes, cancellation);
        switch (Fault)
        {
            case WriteFault.LoseAcknowledgement:
                await inner.Write(writes, cancellation);
                throw new IOException("connection reset after the commit");
            case WriteFault.FailBeforeCommit:
                throw new IOException("connection reset before the commit");
            case WriteFault.StallPastDeadline:
                var late = Task.Run(async () =>
                {
                    await Task.Delay(Stall);
                    await _late.Write(writes, CancellationToken.None);
                });
                lock (_lateWrites) _lateWrites.Add(late);
                await late.WaitAsync(cancellation);
                throw new InvalidOperationException("a stalled write outlived its deadline");
            default:
                return await inner.Write(writes, cancellation);
        }
    }

    /// <summary>Longer than the storage deadline the fixture sets.</summary>
    public static readonly TimeSpan Stall = TimeSpan.FromSeconds(1.5);

    public async Task<StoredState?[]> Fence(IReadOnlyList<StateWrite> writes, CancellationToken cancellation)
    {
        if (FenceFails) throw new IOException("the database cannot be reached");
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(cancellation);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellation);
        var stored = new StoredState?[writes.Count];
        for (var i = 0; i < writes.Count; i++)
        {
            var write = writes[i];
            await using var fence = connection.CreateCommand();
            fence.Transaction = transaction;
            fence.CommandText = write.ExpectedVersion is null
                ? "INSERT INTO GrainState VALUES ($service, $state, $grain, 1, NULL, 'fenced') ON CONFLICT DO NOTHING"
                : "UPDATE GrainState SET Version = Version + 1 WHERE ServiceId = $service AND StateName = $state AND GrainId = $grain AND Version = $version";
            Bind(fence, write);
            fence.Parameters.AddWithValue("$version", (object?)write.ExpectedVersion ?? DBNull.Value);
            await fence.ExecuteNonQueryAsync(cancellation);

            await using var read = connection.CreateCommand();
            read.Transaction = transaction;
            read.CommandText = "SELECT Payload, Version FROM GrainState WHERE ServiceId = $service AND StateName = $state AND GrainId = $grain";
            Bind(read, write);
            await using var reader = await read.ExecuteReaderAsync(cancellation);
            if (await reader.ReadAsync(cancellation))
                stored[i] = new StoredState(reader.IsDBNull(0) ? null : (byte[])reader[0], reader.GetInt64(1));
        }
        await transaction.CommitAsync(cancellation);
        return stored;
    }

    private static void Bind(SqliteCommand command, StateWrite write)
    {
        command.Parameters.AddWithValue("$service", FaultFixture.ServiceId);
        command.Parameters.AddWithValue("$state", write.StateName);
        command.Parameters.AddWithValue("$grain", write.GrainId);
    }
}

internal enum WriteFault
{
    None,
    LoseAcknowledgement,
    FailBeforeCommit,
    StallPastDeadline,
}
