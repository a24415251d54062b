using Npgsql;

namespace Orleans.Tokens.Tests.ClusterLevel.Kubernetes;

/// <summary>One silo's row of the PostgreSQL membership table (OrleansMembership), as the silos wrote it.</summary>
internal sealed record MembershipRow(string SiloName, string Address, int Port, int Status)
{
    public const int Active = 3;
    public const int Dead = 6;

    /// <summary>The rows of the cluster <paramref name="clusterId"/> (the table's DeploymentId), oldest incarnation first.</summary>
    public static async Task<List<MembershipRow>> ReadAsync(string connectionString, string clusterId)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT SiloName, Address, Port, Status FROM OrleansMembership WHERE DeploymentId = @id ORDER BY Generation, Port", connection);
        command.Parameters.AddWithValue("id", clusterId);
        var rows = new List<MembershipRow>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            rows.Add(new MembershipRow(reader.GetString(0), reader.GetString(1), reader.GetInt32(2), reader.GetInt32(3)));
        return rows;
    }

    public override string ToString() => $"{SiloName} {Address}:{Port} status {Status}";
}
