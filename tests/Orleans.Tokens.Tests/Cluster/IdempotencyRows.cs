using Npgsql;

namespace Orleans.Tokens.Tests.ClusterLevel;

/// <summary>
/// One idempotency record as the cluster stored it (README "Retries": a record of the log, kind <c>idempotency</c>,
/// one per customer grain and key, written in the debit's transaction: in a row of <c>GrainLogBatch</c>, or of
/// <c>GrainLog</c> before 2026-12-01).
/// </summary>
internal sealed record IdempotencyRow(long CustomerId, string Key, long CreatedAtUnixMs);

/// <summary>Reads the idempotency rows of a cluster's PostgreSQL database.</summary>
internal static class IdempotencyRows
{
    /// <summary>Every idempotency row of every customer grain.</summary>
    public static async Task<List<IdempotencyRow>> ReadAsync(string connectionString)
    {
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await using var command = dataSource.CreateCommand(
            """
            SELECT GrainId, RowKey, CreatedAtMs FROM GrainLog WHERE Kind = $1
            UNION ALL
            SELECT b.GrainIds[r.Entry], r.RowKey, r.CreatedAtMs
            FROM GrainLogBatch AS b, unnest(b.Entries, b.Kinds, b.RowKeys, b.CreatedAtMs) AS r(Entry, Kind, RowKey, CreatedAtMs)
            WHERE r.Kind = $1
            ORDER BY 1, 2
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = IdempotencyRecord.Kind });
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<IdempotencyRow>();
        while (await reader.ReadAsync())
            rows.Add(new IdempotencyRow(GrainId.Parse(reader.GetString(0)).GetIntegerKey(), reader.GetString(1), reader.GetInt64(2)));
        return rows;
    }
}
